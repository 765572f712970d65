// What runs packets, apart from the control plane (DESIGN.md "Scale"): compiled tables (swapped in between batches),
// the flow table, SNAT ports, counters and scratch, and `process(batch)`. Network owns one and feeds it recompiled
// tables; a pipeline worker builds one from shared tables (tablesFromData) without compiling anything.
import { FlowTable } from './flows/flow-table.js';
import { PacketBatch } from './packet/batch.js';
import { runPipeline } from './pipeline.js';
import { Counters, Scratch, SnatPorts, type StageContext } from './stages/context.js';
import type { CompiledTables } from './tables.js';

export interface DataplaneOptions {
  /** Flow table capacity, a power of two (default 2^17). */
  flowCapacity?: number;
  idleTimeoutSeconds?: number;
  /** SNAT ports per public address (default 64,512, R-SNAT-1). */
  snatPortsPerIp?: number;
  /** Largest batch `process` accepts (default 4096). */
  batchCapacity?: number;
}

export class Dataplane {
  readonly flows: FlowTable;
  readonly counters = new Counters();
  /** Counters of the last dry run only. */
  readonly dryRunCounters = new Counters();
  readonly snat: SnatPorts;
  readonly scratch: Scratch;
  private tablesNow: CompiledTables;
  private epoch = 0;

  constructor(tables: CompiledTables, opts: DataplaneOptions = {}) {
    this.tablesNow = tables;
    this.snat = new SnatPorts(opts.snatPortsPerIp);
    this.snat.ensure(tables.snatPools);
    const capacity = opts.flowCapacity ?? 1 << 17;
    this.flows = new FlowTable({ capacity, idleTimeoutSeconds: opts.idleTimeoutSeconds, ports: this.snat });
    // Flows a batch creates stay pinned (not evictable) until the batch ends; a batch never holds more packets than
    // the table holds flows, so there is always an unpinned victim.
    this.scratch = new Scratch(Math.min(opts.batchCapacity ?? 4096, capacity));
  }

  /** SNAT pool of each flow id (-1 none): FlowTable.snatPool. */
  get flowPool(): Int32Array {
    return this.flows.snatPool;
  }
  /** Per flow id, the batch (epoch) and row that lead it: FlowTable.leadEpoch and leadRow. */
  get flowEpoch(): Int32Array {
    return this.flows.leadEpoch;
  }
  get flowRow(): Int32Array {
    return this.flows.leadRow;
  }

  get tables(): CompiledTables {
    return this.tablesNow;
  }

  /** Swaps in recompiled tables (between batches); pools of new public addresses get their ports. */
  set tables(t: CompiledTables) {
    this.tablesNow = t;
    this.snat.ensure(t.snatPools);
  }

  /** A batch sized for this pipeline. */
  newBatch(capacity = this.scratch.capacity): PacketBatch {
    return new PacketBatch(Math.min(capacity, this.scratch.capacity));
  }

  /**
   * Runs a batch through the pipeline; counters accumulate. `dryRun` (trace, what-if): no flow recorded, no port
   * taken, and the counters untouched (the batch is counted apart, in `dryRunCounters`).
   */
  process(batch: PacketBatch, dryRun = false): void {
    if (dryRun) this.dryRunCounters.reset();
    runPipeline(batch, this.context(dryRun, dryRun ? this.dryRunCounters : this.counters));
  }

  /**
   * Runs shard `shard` of `shards` of a batch shared in place with the other shards (parallel/): only the rows whose
   * 5-tuple hashes to this shard are decided, and only their result columns are written (the rows are disjoint, so
   * the shards run at once with no locks). The stages tell finished rows by their disposition, so `batch`'s result
   * columns must be this shard's alone, reset: parallel/ShardRunner passes a view of the shared packets with result
   * columns of its own (PacketBatch.compose) and copies the results out after. `scratch.own` lists the rows taken.
   */
  processShard(batch: PacketBatch, shard: number, shards: number): void {
    const ctx = this.context(false, this.counters);
    ctx.shard = shard;
    ctx.shards = shards;
    runPipeline(batch, ctx);
  }

  /** The stage context over the current tables. */
  context(dryRun = false, counters: Counters = this.counters): StageContext {
    const epoch = ++this.epoch;
    // The batch about to run pins the flows it leads (FlowTable.lead) against eviction.
    this.flows.pinEpoch = epoch;
    return {
      tables: this.tablesNow,
      flows: this.flows,
      scratch: this.scratch,
      counters,
      snat: this.snat,
      epoch,
      dryRun,
      shards: 1,
      shard: 0,
    };
  }

  /** Gives a flow's SNAT port back to its pool (flow removed, evicted or reset). */
  releasePort(id: number): void {
    this.flows.releasePort(id);
  }
}
