// One shard of the parallel pipeline: a Dataplane with its own flow table that takes its rows of a shared batch
// (shardOf4/shardOf6), runs the pipeline on a private copy and writes the results back to the shared rows (rows are
// disjoint between shards, so no locks). Used by each worker and by the calling thread, which runs shard 0.
import type { Dataplane } from '../dataplane.js';
import { PacketBatch } from '../packet/batch.js';
import { SnatPorts } from '../stages/context.js';
import { shardOf4, shardOf6 } from './protocol.js';

export class ShardRunner {
  readonly local: PacketBatch;
  readonly origin: Int32Array;

  constructor(
    readonly dp: Dataplane,
    readonly index: number,
    readonly shards: number,
    capacity: number,
  ) {
    this.local = new PacketBatch(capacity);
    this.origin = new Int32Array(capacity);
  }

  /**
   * Runs a batch that holds only this shard's packets (steered by the producer, like RSS queues) in place, then maps
   * its SNAT ports and flow ids to the global ones, as putBack does.
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

  /** Picks, processes and writes back this shard's rows of the first `count` rows of `shared`. */
  run(shared: PacketBatch, count: number): void {
    this.pick(shared, count);
    if (this.local.count === 0) return;
    this.dp.process(this.local);
    this.putBack(shared);
  }

  /**
   * Copies this shard's rows of `b` into `local` (results reset). Columns live in locals (V8 reloads a property after
   * every typed-array store otherwise). Measured here: ~23 ns per batch row at 2 shards, of which ~4 ns the hash; a
   * branchy version (50/50 unpredictable) and per-column gather loops were not faster.
   */
  pick(b: PacketBatch, count: number): void {
    const t = this.local, n = this.shards, me = this.index, org = this.origin;
    const fam = b.family, src = b.src, dst = b.dst, sp = b.srcPort, dp = b.dstPort, proto = b.proto;
    const flags = b.tcpFlags, len = b.length, ing = b.ingress, time = b.time, purpose = b.purpose;
    const tFam = t.family, tSrc = t.src, tDst = t.dst, tSp = t.srcPort, tDp = t.dstPort, tProto = t.proto;
    const tFlags = t.tcpFlags, tLen = t.length, tIng = t.ingress, tTime = t.time, tPurpose = t.purpose;
    let k = 0;
    let v6 = 0;
    // Branch-free: every row is written at k, and k moves on when the row is ours.
    for (let i = 0; i < count; i++) {
      const f = fam[i]!;
      const s = src[i]!, d = dst[i]!, p = proto[i]!, a = sp[i]!, c = dp[i]!;
      const w = f === 4 ? shardOf4(p, s, d, a, c, n) : shardOf6(p, b.src6, b.dst6, i << 2, a, c, n);
      org[k] = i;
      tFam[k] = f;
      tSrc[k] = s;
      tDst[k] = d;
      tSp[k] = a;
      tDp[k] = c;
      tProto[k] = p;
      tFlags[k] = flags[i]!;
      tLen[k] = len[i]!;
      tIng[k] = ing[i]!;
      tTime[k] = time[i]!;
      tPurpose[k] = purpose[i]!;
      const mine = ((w ^ me) - 1) >>> 31;
      k += mine;
      v6 += mine & (f >>> 1);
    }
    if (v6 > 0) gather6(t, b, org, k);
    t.count = k;
    if (k > 0) t.resetResults();
  }

  /** Writes the results of `local` back to their rows of `b`; SNAT ports and flow ids mapped to global values. */
  putBack(b: PacketBatch): void {
    const t = this.local, org = this.origin, n = this.shards, me = this.index;
    const disp = b.disposition, reason = b.dropReason, route = b.routeIndex, rule = b.ruleIndex, nat = b.translatedSrc;
    const natPort = b.translatedSrcPort, err = b.serviceError, egress = b.egressVm, flow = b.flowId;
    const tDisp = t.disposition, tReason = t.dropReason, tRoute = t.routeIndex, tRule = t.ruleIndex, tNat = t.translatedSrc;
    const tNatPort = t.translatedSrcPort, tErr = t.serviceError, tEgress = t.egressVm, tFlow = t.flowId;
    const first = SnatPorts.FIRST_PORT;
    for (let k = 0, count = t.count; k < count; k++) {
      const i = org[k]!;
      disp[i] = tDisp[k]!;
      reason[i] = tReason[k]!;
      route[i] = tRoute[k]!;
      rule[i] = tRule[k]!;
      nat[i] = tNat[k]!;
      const port = tNatPort[k]!;
      // This shard owns the ports 1024 + m * n + me (ParallelPipeline).
      natPort[i] = port === 0 ? 0 : first + (port - first) * n + me;
      err[i] = tErr[k]!;
      egress[i] = tEgress[k]!;
      const id = tFlow[k]!;
      flow[i] = id < 0 ? id : id * n + me;
    }
  }
}

/** IPv6 addresses (4 words each) of the IPv6 rows. */
function gather6(t: PacketBatch, b: PacketBatch, org: Int32Array, n: number): void {
  const fam = t.family, s6 = b.src6, d6 = b.dst6, tS6 = t.src6, tD6 = t.dst6;
  for (let k = 0; k < n; k++) {
    if (fam[k] === 4) continue;
    const x = org[k]! << 2, y = k << 2;
    tS6[y] = s6[x]!;
    tS6[y + 1] = s6[x + 1]!;
    tS6[y + 2] = s6[x + 2]!;
    tS6[y + 3] = s6[x + 3]!;
    tD6[y] = d6[x]!;
    tD6[y + 1] = d6[x + 1]!;
    tD6[y + 2] = d6[x + 2]!;
    tD6[y + 3] = d6[x + 3]!;
  }
}
