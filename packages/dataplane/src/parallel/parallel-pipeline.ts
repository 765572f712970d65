// The pipeline on several cores (DESIGN.md "Scale"): the main thread compiles the network once and moves the compiled
// tables to SharedArrayBuffers (shareTables); every worker rebuilds them around the same memory (tablesFromData: no
// compile, no copy) and runs its own Dataplane (flow table, SNAT ports, counters). Packets are sharded by a symmetric
// 5-tuple hash (both directions of a flow land on one shard, like RSS). A batch lives in SharedArrayBuffer-backed
// columns: `newBatch()`/`share()` batches are processed in place; any other batch has its input columns copied into
// `input` and its results copied back (bulk copies). Every shard runs the whole shared batch where it is (no pick of
// its rows into a private batch): its ingress lists its own rows (one hash per row), the other stages visit only
// those, the results go to the shard's own columns, and one pass at the end writes them to its rows of the batch
// (rows are disjoint: no locks). Steered mode (`newSteeredBatches`, `steer`, `processSteered`): the producer writes
// each packet to its shard's shared batch, like a NIC's RSS queues, so no shard hashes or skips other rows.
// Counters are per shard, summed.
//
// SNAT ports: each shard gets 1/N of every public address's ports; the port a shard hands out is mapped back to a
// disjoint global port (1024 + local * N + shard), so no two shards ever give out the same public address:port.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { NetworkSpec, ScenarioOptions, ServiceTagSet } from '@vnetsim/core';
import { Dataplane } from '../dataplane.js';
import { PacketBatch } from '../packet/batch.js';
import { compileNetwork } from '../network.js';
import { Counters } from '../stages/context.js';
import { shareTables, tablesFromData, type SharedTablesData } from '../tables.js';
import { Cnt, Ctl, Round, shardOf4, shardOf6, SPIN_MS, SPIN_MS_IDLE_CALLER, waitFor, type BatchMessage, type ReadyMessage, type WorkerSetup } from './protocol.js';
import { ShardRunner } from './shard.js';

/** Ports per public address (R-SNAT-1). */
const MAX_SNAT_PORTS = 64512;

export interface ParallelOptions {
  /** Worker threads (default 2). */
  workers?: number;
  /** The calling thread runs a shard too, while it waits (default false): N workers + 1 shards. */
  callerShard?: boolean;
  /** Largest batch `process` accepts (default 16384: fewer hand-offs per packet). */
  batchCapacity?: number;
  /** Flow table capacity of each shard, a power of two (default 2^17). */
  flowCapacity?: number;
  idleTimeoutSeconds?: number;
  /** SNAT ports per public address over all shards (default 64,512). */
  snatPortsPerIp?: number;
  /** The worker script (default: worker.js next to this module; from sources, the built one in dist/). */
  workerUrl?: URL;
}

/** worker.js beside this module; when running from src/ (vitest), the compiled one in dist/. */
function defaultWorkerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  const p = fileURLToPath(here);
  return p.includes('/src/parallel/') && import.meta.url.endsWith('.ts') ? new URL(`file://${p.replace('/src/parallel/', '/dist/parallel/')}`) : here;
}

interface Shard {
  worker: Worker;
  /** Main side of the worker's port: batches go out, errors come back. */
  port: MessagePort;
  ctl: Int32Array;
  counters: Float64Array;
  ready: ReadyMessage | null;
}

export class ParallelPipeline {
  readonly workers: number;
  readonly batchCapacity: number;
  /** The shared input batch: fill it directly to skip the copy in `process`. */
  readonly input: PacketBatch;
  /** Shards: workers, plus the caller's when it runs one. */
  readonly shardCount: number;
  /** The compiled tables every shard reads (typed arrays in SharedArrayBuffers). */
  readonly tables: SharedTablesData;
  private readonly shards: Shard[];
  private readonly own: ShardRunner | null;
  /** Shared batches by identity -> id (0 is `input`). */
  private readonly batchIds = new WeakMap<PacketBatch, number>();
  private nextBatchId = 0;
  /** Rows `process` copied into the shared input batch (plain batches only: shared ones run in place, copying none). */
  copiedRows = 0;
  private seq = 0;
  private closed = false;

  private constructor(shards: Shard[], tables: SharedTablesData, batchCapacity: number, own: ShardRunner | null) {
    this.shards = shards;
    this.own = own;
    this.tables = tables;
    this.shardCount = shards.length + (own === null ? 0 : 1);
    this.workers = shards.length;
    this.batchCapacity = batchCapacity;
    this.input = new PacketBatch(batchCapacity, new SharedArrayBuffer(PacketBatch.byteLength(batchCapacity)));
  }

  /** Compiles `spec` once (validation errors reject the promise) and starts workers that share the compiled tables. */
  static async create(spec: NetworkSpec, tags: ServiceTagSet, options: ScenarioOptions = { endpointPrecedence: 'override' }, opts: ParallelOptions = {}): Promise<ParallelPipeline> {
    const n = opts.workers ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`workers: expected an integer from 1 to 64, got ${n}`);
    const capacity = opts.batchCapacity ?? 16384;
    const ports = opts.snatPortsPerIp ?? MAX_SNAT_PORTS;
    const caller = opts.callerShard ?? false;
    const shardCount = n + (caller ? 1 : 0);
    const first = caller ? 1 : 0;
    if (Math.floor(ports / shardCount) < 1) throw new RangeError(`snatPortsPerIp: ${ports} ports cannot be shared by ${shardCount} shards`);
    const flowCapacity = opts.flowCapacity ?? 1 << 17;
    const dpOptions = { flowCapacity, idleTimeoutSeconds: opts.idleTimeoutSeconds, snatPortsPerIp: Math.floor(ports / shardCount), batchCapacity: capacity };
    const tables = shareTables(compileNetwork(structuredClone(spec), tags, options).tables);
    const url = opts.workerUrl ?? defaultWorkerUrl();
    const shards: Shard[] = [];
    const ready: Promise<void>[] = [];
    for (let w = 0; w < n; w++) {
      const control = new SharedArrayBuffer(Ctl.SLOTS * 4);
      const counters = new SharedArrayBuffer(Cnt.SLOTS * 8);
      const channel = new MessageChannel();
      // The tables' SharedArrayBuffers are shared by postMessage, not copied: every worker reads the same memory.
      const setup: WorkerSetup & { port: MessagePort } = { index: first + w, shards: shardCount, tables, ...dpOptions, control, counters, port: channel.port2 };
      const worker = new Worker(url, { workerData: setup, transferList: [channel.port2] });
      const shard: Shard = { worker, port: channel.port1, ctl: new Int32Array(control), counters: new Float64Array(counters), ready: null };
      ready.push(new Promise<void>((resolve, reject) => {
        worker.once('message', (m: ReadyMessage) => {
          shard.ready = m;
          resolve();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`pipeline worker ${w} exited (${code}) before it was ready`)));
      }));
      shards.push(shard);
    }
    const own = caller ? new ShardRunner(new Dataplane(tablesFromData(tables), dpOptions), 0, shardCount) : null;
    const p = new ParallelPipeline(shards, tables, capacity, own);
    try {
      await Promise.all(ready);
    } catch (e) {
      await p.close();
      throw e;
    }
    for (const s of shards) s.worker.removeAllListeners('exit').removeAllListeners('error').removeAllListeners('message');
    p.share(p.input);
    return p;
  }

  /** What each worker reported when it was built: its compiles (none) and views of the tables it reads. */
  workerReports(): ReadyMessage[] {
    return this.shards.map((s) => s.ready!);
  }

  /** A batch in shared memory: `process` runs it in place (no copies in or out). */
  newBatch(capacity = this.batchCapacity): PacketBatch {
    const c = Math.min(capacity, this.batchCapacity);
    const b = new PacketBatch(c, new SharedArrayBuffer(PacketBatch.byteLength(c)));
    return this.share(b);
  }

  /**
   * Registers a batch built over a SharedArrayBuffer (`new PacketBatch(c, sab)`) with the workers, so that `process`
   * runs it in place. The same batch may be shared with several pipelines. Its result columns are reset (the workers'
   * views start empty); its packets are kept. Synchronous: every worker holds the batch when this returns.
   */
  share(b: PacketBatch): PacketBatch {
    if (this.closed) throw new Error('the parallel pipeline is closed');
    if (this.batchIds.has(b)) return b;
    const buffer = b.time.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || b.time.byteOffset !== 0 || b.capacity > this.batchCapacity)
      throw new RangeError(`share: expected a batch over its own SharedArrayBuffer of at most ${this.batchCapacity} rows`);
    const id = this.nextBatchId++;
    const m: BatchMessage = { batch: id, capacity: b.capacity, buffer };
    for (const s of this.shards) s.port.postMessage(m);
    // A registration round (COUNT -1): the workers build their views now, never while a batch runs.
    this.join(this.signal(Round.REGISTER, id));
    this.batchIds.set(b, id);
    return b;
  }

  /** Starts a round on every worker: `count` rows of batch `id`, or a control round (Round). */
  private signal(count: number, id: number): number {
    const shards = this.shards;
    const seq = ++this.seq;
    for (let w = 0; w < shards.length; w++) {
      const s = shards[w]!;
      Atomics.store(s.ctl, Ctl.COUNT, count);
      Atomics.store(s.ctl, Ctl.BATCH, id);
      Atomics.store(s.ctl, Ctl.IN_PLACE, 0);
      Atomics.store(s.ctl, Ctl.START, seq);
      Atomics.notify(s.ctl, Ctl.START);
    }
    return seq;
  }

  /** Waits until every worker finished round `seq`; rethrows the first worker failure. */
  private join(seq: number): void {
    const shards = this.shards;
    const spin = this.own === null ? SPIN_MS_IDLE_CALLER : SPIN_MS;
    for (let w = 0; w < shards.length; w++) {
      const s = shards[w]!;
      let done = Atomics.load(s.ctl, Ctl.DONE);
      while (done !== seq) done = waitFor(s.ctl, Ctl.DONE, done, spin);
    }
    for (let w = 0; w < shards.length; w++) {
      const s = shards[w]!;
      if (s.ctl[Ctl.ERROR] !== 0) {
        s.ctl[Ctl.ERROR] = 0;
        const m = receiveMessageOnPort(s.port);
        throw new Error(`pipeline worker ${w}: ${m === undefined ? 'failed' : String(m.message)}`);
      }
    }
  }

  /**
   * Runs the batch on every shard (synchronously: returns when all are done); results land in `b`'s rows. A shared
   * batch (`newBatch`, `share`, `input`) is run in place by every shard at once; any other is copied in and out.
   */
  process(b: PacketBatch): void {
    if (this.closed) throw new Error('the parallel pipeline is closed');
    if (b.count > this.batchCapacity) throw new RangeError(`batch of ${b.count} packets exceeds the parallel pipeline's capacity (${this.batchCapacity})`);
    const count = b.count;
    if (count === 0) return;
    let id = this.batchIds.get(b);
    let x = b;
    if (id === undefined) {
      x = this.input;
      id = 0;
      copyInput(b, x, count);
      this.copiedRows += count;
    }
    x.count = count;
    const seq = this.signal(count, id);
    if (this.own !== null) this.own.run(x, count);
    this.join(seq);
    if (x !== b) copyResults(x, b, count);
  }

  /**
   * Per-shard batches in shared memory, for producers that steer packets to shards themselves (like a NIC's RSS
   * queues: `steer`, or writing each packet to `batches[shardOf]`): `processSteered` then runs each in place, with no
   * pick or write-back. Index s is shard s (0 is the caller's when it runs a shard).
   */
  newSteeredBatches(capacity = this.batchCapacity): PacketBatch[] {
    return Array.from({ length: this.shardCount }, () => this.newBatch(capacity));
  }

  /** The shard of row i of `b` (symmetric 5-tuple hash: both directions of a flow agree). */
  shardOf(b: PacketBatch, i: number): number {
    const n = this.shardCount;
    return b.family[i] === 4
      ? shardOf4(b.proto[i]!, b.src[i]!, b.dst[i]!, b.srcPort[i]!, b.dstPort[i]!, n)
      : shardOf6(b.proto[i]!, b.src6, b.dst6, i << 2, b.srcPort[i]!, b.dstPort[i]!, n);
  }

  /**
   * Appends the packets of `from`, from row `start` on, to their shards' batches of `into` (the RSS step, for a
   * producer that does not steer as it writes); stops at the first row whose batch is full and returns its index
   * (`from.count` when every row was placed).
   */
  steer(from: PacketBatch, into: readonly PacketBatch[], start = 0): number {
    const n = this.shardCount;
    if (into.length !== n) throw new RangeError(`steer: expected ${n} batches, one per shard, got ${into.length}`);
    const fam = from.family, src = from.src, dst = from.dst, sp = from.srcPort, dp = from.dstPort, proto = from.proto;
    for (let i = start, count = from.count; i < count; i++) {
      const w = fam[i] === 4 ? shardOf4(proto[i]!, src[i]!, dst[i]!, sp[i]!, dp[i]!, n) : shardOf6(proto[i]!, from.src6, from.dst6, i << 2, sp[i]!, dp[i]!, n);
      if (into[w]!.pushPacket(from, i) < 0) return i;
    }
    return from.count;
  }

  /** Runs steered batches (`into[s]` holds only shard s's packets) in place on every shard; results land in them. */
  processSteered(batches: readonly PacketBatch[]): void {
    if (this.closed) throw new Error('the parallel pipeline is closed');
    if (batches.length !== this.shardCount) throw new RangeError(`processSteered: expected ${this.shardCount} batches, one per shard, got ${batches.length}`);
    const shards = this.shards;
    const first = this.own === null ? 0 : 1;
    for (let w = 0; w < shards.length; w++)
      if (!this.batchIds.has(batches[first + w]!)) throw new RangeError(`processSteered: batch ${first + w} is not shared with this pipeline (newSteeredBatches/share)`);
    const seq = ++this.seq;
    for (let w = 0; w < shards.length; w++) {
      const b = batches[first + w]!;
      const s = shards[w]!;
      Atomics.store(s.ctl, Ctl.COUNT, b.count);
      Atomics.store(s.ctl, Ctl.BATCH, this.batchIds.get(b)!);
      Atomics.store(s.ctl, Ctl.IN_PLACE, 1);
      Atomics.store(s.ctl, Ctl.START, seq);
      Atomics.notify(s.ctl, Ctl.START);
    }
    if (this.own !== null) this.own.runInPlace(batches[0]!, batches[0]!.count);
    this.join(seq);
  }

  /** Empties every shard's flow table (ports go back to their pools): a control round, between batches. */
  clearFlows(): void {
    if (this.closed) throw new Error('the parallel pipeline is closed');
    const seq = this.signal(Round.CLEAR_FLOWS, 0);
    if (this.own !== null) this.own.dp.flows.clear();
    this.join(seq);
  }

  /** Counters of every shard, summed. */
  counters(): Counters {
    const out = new Counters();
    if (this.own !== null) {
      const c = this.own.dp.counters;
      out.packetsIn += c.packetsIn;
      out.flowsCreated += c.flowsCreated;
      out.flowHits += c.flowHits;
      out.snatPortsTaken += c.snatPortsTaken;
      for (let d = 0; d < out.byDisposition.length; d++) out.byDisposition[d]! += c.byDisposition[d]!;
      for (let r = 0; r < out.byReason.length; r++) out.byReason[r]! += c.byReason[r]!;
    }
    for (const s of this.shards) {
      const c = s.counters;
      out.packetsIn += c[Cnt.PACKETS_IN]!;
      out.flowsCreated += c[Cnt.FLOWS_CREATED]!;
      out.flowHits += c[Cnt.FLOW_HITS]!;
      out.snatPortsTaken += c[Cnt.SNAT_TAKEN]!;
      for (let d = 0; d < out.byDisposition.length; d++) out.byDisposition[d]! += c[Cnt.DISPOSITIONS + d]!;
      for (let r = 0; r < out.byReason.length; r++) out.byReason[r]! += c[Cnt.REASONS + r]!;
    }
    return out;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.shards) {
      Atomics.store(s.ctl, Ctl.START, -1);
      Atomics.notify(s.ctl, Ctl.START);
      s.port.close();
    }
    await Promise.all(this.shards.map((s) => s.worker.terminate()));
  }
}

/** Input columns of rows 0..count-1 (bulk copies). */
function copyInput(from: PacketBatch, to: PacketBatch, count: number): void {
  to.family.set(from.family.subarray(0, count));
  to.src.set(from.src.subarray(0, count));
  to.dst.set(from.dst.subarray(0, count));
  to.src6.set(from.src6.subarray(0, count * 4));
  to.dst6.set(from.dst6.subarray(0, count * 4));
  to.srcPort.set(from.srcPort.subarray(0, count));
  to.dstPort.set(from.dstPort.subarray(0, count));
  to.proto.set(from.proto.subarray(0, count));
  to.tcpFlags.set(from.tcpFlags.subarray(0, count));
  to.length.set(from.length.subarray(0, count));
  to.ingress.set(from.ingress.subarray(0, count));
  to.time.set(from.time.subarray(0, count));
  to.purpose.set(from.purpose.subarray(0, count));
}

/** Result columns (and flow ids) of rows 0..count-1. */
function copyResults(from: PacketBatch, to: PacketBatch, count: number): void {
  to.disposition.set(from.disposition.subarray(0, count));
  to.dropReason.set(from.dropReason.subarray(0, count));
  to.routeIndex.set(from.routeIndex.subarray(0, count));
  to.ruleIndex.set(from.ruleIndex.subarray(0, count));
  to.translatedSrc.set(from.translatedSrc.subarray(0, count));
  to.translatedSrcPort.set(from.translatedSrcPort.subarray(0, count));
  to.serviceError.set(from.serviceError.subarray(0, count));
  to.egressVm.set(from.egressVm.subarray(0, count));
  to.flowId.set(from.flowId.subarray(0, count));
}
