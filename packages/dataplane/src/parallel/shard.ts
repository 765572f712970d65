// One shard of the parallel pipeline: a Network with its own flow table that takes its rows of the shared input batch
// (shardOf4/shardOf6), runs the pipeline on a private copy and writes the results back to the shared rows (rows are
// disjoint between shards, so no locks). Used by each worker and by the calling thread, which runs shard 0.
import { Network } from '../network.js';
import { PacketBatch } from '../packet/batch.js';
import { SnatPorts } from '../stages/context.js';
import { shardOf4, shardOf6 } from './protocol.js';

export class ShardRunner {
  readonly local: PacketBatch;
  readonly origin: Int32Array;

  constructor(
    readonly net: Network,
    readonly shared: PacketBatch,
    readonly index: number,
    readonly shards: number,
  ) {
    this.local = new PacketBatch(shared.capacity);
    this.origin = new Int32Array(shared.capacity);
  }

  /** Picks, processes and writes back this shard's rows of the first `count` shared rows. */
  run(count: number): void {
    this.pick(count);
    if (this.local.count > 0) this.net.process(this.local);
    this.putBack();
  }

  /** Copies this worker's rows of the shared batch into `local` (results reset). Columns in locals: V8 reloads a
   * property after every typed-array store otherwise. */
  pick(count: number): void {
      const b = this.shared, t = this.local, n = this.shards, me = this.index;
    const fam = b.family, src = b.src, dst = b.dst, sp = b.srcPort, dp = b.dstPort, proto = b.proto, s6 = b.src6, d6 = b.dst6;
    const flags = b.tcpFlags, len = b.length, ing = b.ingress, time = b.time, purpose = b.purpose;
    const tFam = t.family, tSrc = t.src, tDst = t.dst, tSp = t.srcPort, tDp = t.dstPort, tProto = t.proto, tS6 = t.src6, tD6 = t.dst6;
    const tFlags = t.tcpFlags, tLen = t.length, tIng = t.ingress, tTime = t.time, tPurpose = t.purpose, org = this.origin;
    let k = 0;
    for (let i = 0; i < count; i++) {
      const f = fam[i]!;
      if (n > 1) {
        const w = f === 4 ? shardOf4(proto[i]!, src[i]!, dst[i]!, sp[i]!, dp[i]!, n) : shardOf6(proto[i]!, s6, d6, i << 2, sp[i]!, dp[i]!, n);
        if (w !== me) continue;
      }
      org[k] = i;
      tFam[k] = f;
      tSrc[k] = src[i]!;
      tDst[k] = dst[i]!;
      if (f !== 4) {
        const a = i << 2, c = k << 2;
        for (let j = 0; j < 4; j++) {
          tS6[c + j] = s6[a + j]!;
          tD6[c + j] = d6[a + j]!;
        }
      }
      tSp[k] = sp[i]!;
      tDp[k] = dp[i]!;
      tProto[k] = proto[i]!;
      tFlags[k] = flags[i]!;
      tLen[k] = len[i]!;
      tIng[k] = ing[i]!;
      tTime[k] = time[i]!;
      tPurpose[k] = purpose[i]!;
      k++;
    }
    t.count = k;
    t.resetResults();
  }

  /** Writes the results of `local` back to their shared rows; SNAT ports and flow ids mapped to global values. */
  putBack(): void {
      const b = this.shared, t = this.local, org = this.origin, n = this.shards, me = this.index;
    const disp = b.disposition, reason = b.dropReason, route = b.routeIndex, rule = b.ruleIndex, nat = b.translatedSrc;
    const natPort = b.translatedSrcPort, err = b.serviceError, egress = b.egressVm, flow = b.flowId;
    const tDisp = t.disposition, tReason = t.dropReason, tRoute = t.routeIndex, tRule = t.ruleIndex, tNat = t.translatedSrc;
    const tNatPort = t.translatedSrcPort, tErr = t.serviceError, tEgress = t.egressVm, tFlow = t.flowId;
    for (let k = 0; k < t.count; k++) {
      const i = org[k]!;
      disp[i] = tDisp[k]!;
      reason[i] = tReason[k]!;
      route[i] = tRoute[k]!;
      rule[i] = tRule[k]!;
      nat[i] = tNat[k]!;
      const port = tNatPort[k]!;
      // This worker owns the ports 1024 + m * n + me (ParallelPipeline).
      natPort[i] = port === 0 ? 0 : SnatPorts.FIRST_PORT + (port - SnatPorts.FIRST_PORT) * n + me;
      err[i] = tErr[k]!;
      egress[i] = tEgress[k]!;
      const id = tFlow[k]!;
      flow[i] = id < 0 ? id : id * n + me;
    }
  }
}
