// One shard of the parallel pipeline: a Dataplane with its own flow table that runs its rows of a shared batch where
// they are (Dataplane.processShard: ingress lists this shard's rows, every stage leaves the others alone; no row is
// picked or copied into a private batch). Its results go to its own memory while the stages run, then one pass writes
// them to its rows of the shared batch (rows are disjoint between shards, so no locks): two shards' rows share cache
// lines, and results written in place by every stage made those lines bounce between the cores (measured: slower
// than this one pass). Used by each worker and by the calling thread, which runs shard 0.
import type { Dataplane } from '../dataplane.js';
import { PacketBatch } from '../packet/batch.js';
import { SnatPorts } from '../stages/context.js';

export class ShardRunner {
  /** This shard's result columns (its input columns are unused). */
  private readonly results: PacketBatch;
  /** Per shared batch: its packets with `results` for results (PacketBatch.compose), made once. */
  private readonly views = new WeakMap<PacketBatch, PacketBatch>();

  constructor(
    readonly dp: Dataplane,
    readonly index: number,
    readonly shards: number,
  ) {
    this.results = new PacketBatch(dp.scratch.capacity);
  }

  /** Runs this shard's rows of the first `count` rows of `shared`; their results land in `shared`. */
  run(shared: PacketBatch, count: number): void {
    let v = this.views.get(shared);
    if (v === undefined) {
      v = PacketBatch.compose(shared, this.results);
      this.views.set(shared, v);
    }
    v.count = count;
    v.resetResults(); // this shard's memory: a memset, no line is shared
    this.dp.processShard(v, this.index, this.shards);
    const sc = this.dp.scratch;
    writeBack(v, shared, sc.own, sc.ownCount, this.index, this.shards);
  }

  /**
   * Runs a batch that holds only this shard's packets (steered by the producer, like RSS queues) in place, then maps
   * its SNAT ports and flow ids to the global ones.
   */
  runInPlace(b: PacketBatch, count: number): void {
    if (count === 0) return;
    b.count = count;
    this.dp.process(b);
    const n = this.shards, me = this.index, first = SnatPorts.FIRST_PORT;
    const natPort = b.translatedSrcPort, flow = b.flowId;
    for (let i = 0; i < count; i++) {
      const port = natPort[i]!;
      natPort[i] = port === 0 ? 0 : first + (port - first) * n + me;
      const id = flow[i]!;
      flow[i] = id < 0 ? id : id * n + me;
    }
  }
}

/**
 * Results of the rows listed in `rows` from `from` to the same rows of `to`, with SNAT ports and flow ids made global
 * (shard `me` of `n` owns ports 1024 + m * n + me and ids m * n + me). Shard `me` starts at its own fraction of the
 * list, so that the shards do not write the same cache lines at the same moment.
 */
function writeBack(from: PacketBatch, to: PacketBatch, rows: Int32Array, k: number, me: number, n: number): void {
  const disp = to.disposition, reason = to.dropReason, route = to.routeIndex, rule = to.ruleIndex, nat = to.translatedSrc;
  const natPort = to.translatedSrcPort, err = to.serviceError, egress = to.egressVm, flow = to.flowId;
  const fDisp = from.disposition, fReason = from.dropReason, fRoute = from.routeIndex, fRule = from.ruleIndex, fNat = from.translatedSrc;
  const fNatPort = from.translatedSrcPort, fErr = from.serviceError, fEgress = from.egressVm, fFlow = from.flowId;
  const first = SnatPorts.FIRST_PORT;
  const start = Math.floor((k * me) / n);
  for (let x = 0; x < k; x++) {
    let j = start + x;
    if (j >= k) j -= k;
    const i = rows[j]!;
    disp[i] = fDisp[i]!;
    reason[i] = fReason[i]!;
    route[i] = fRoute[i]!;
    rule[i] = fRule[i]!;
    nat[i] = fNat[i]!;
    const port = fNatPort[i]!;
    natPort[i] = port === 0 ? 0 : first + (port - first) * n + me;
    err[i] = fErr[i]!;
    egress[i] = fEgress[i]!;
    const id = fFlow[i]!;
    flow[i] = id < 0 ? id : id * n + me;
  }
}
