// Stage: which rows this pipeline decides, who sent each packet (tables.ts Ingress encoding) and the source the
// network starts from; counts the packets in. In a batch shared between shards (ctx.shards > 1, parallel/), this
// shard's rows are listed once here (`Scratch.own`) and every later stage visits only those: the shards run the same
// batch where it is, each on its own rows, with no copy. Decided once per batch.
import type { PacketBatch } from '../packet/batch.js';
import { shardOf4, shardOf6 } from '../packet/shard-hash.js';
import { Ingress } from '../tables.js';
import type { StageContext } from './context.js';

export function ingressStage(b: PacketBatch, ctx: StageContext): void {
  const sc = ctx.scratch;
  let count = b.count;
  if (ctx.shards > 1) {
    // The sources of this shard's rows are looked up by flow-lookup, for the rows that go on past it (`sources`).
    count = markShard(b, ctx);
  } else {
    const ingress = b.ingress, src = b.src;
    const srcVm = sc.srcVm, srcSubnet = sc.srcSubnet, seenSrc = sc.seenSrc, vmSubnet = ctx.tables.vmSubnet;
    for (let i = 0; i < count; i++) {
      const ing = ingress[i]!;
      if (ing >= 0 && ing < Ingress.SUBNET) {
        srcVm[i] = ing;
        srcSubnet[i] = vmSubnet[ing]!;
      } else if (ing >= Ingress.SUBNET && ing < Ingress.ON_PREM) srcSubnet[i] = ing - Ingress.SUBNET;
      seenSrc[i] = src[i]!;
    }
  }
  sc.ownCount = count;
  sc.ownAll = ctx.shards === 1;
  ctx.counters.packetsIn += count;
}

/**
 * The source (VM, subnet, address seen) of the rows listed in `rows`. A shard of a shared batch needs it only for the
 * rows that go on past flow-lookup (new and recomputed flows): a flow hit takes its recorded result, and the shard's
 * scratch is read by nobody else (trace runs on one thread, where ingress looks up every row's source).
 */
export function sources(b: PacketBatch, ctx: StageContext, rows: Int32Array, count: number): void {
  const sc = ctx.scratch;
  const ingress = b.ingress, src = b.src;
  const srcVm = sc.srcVm, srcSubnet = sc.srcSubnet, seenSrc = sc.seenSrc, vmSubnet = ctx.tables.vmSubnet;
  for (let j = 0; j < count; j++) {
    const i = rows[j]!;
    const ing = ingress[i]!;
    if (ing >= 0 && ing < Ingress.SUBNET) {
      srcVm[i] = ing;
      srcSubnet[i] = vmSubnet[ing]!;
    } else if (ing >= Ingress.SUBNET && ing < Ingress.ON_PREM) srcSubnet[i] = ing - Ingress.SUBNET;
    seenSrc[i] = src[i]!;
  }
}

/**
 * Shared batch: this shard's rows (symmetric 5-tuple hash) are listed in `own`; returns how many there are.
 * Branch-free (which shard a row hashes to is a coin toss for the predictor).
 */
function markShard(b: PacketBatch, ctx: StageContext): number {
  const sc = ctx.scratch;
  const own = sc.own;
  const n = ctx.shards, me = ctx.shard;
  const fam = b.family, src = b.src, dst = b.dst, sp = b.srcPort, dp = b.dstPort, proto = b.proto;
  let k = 0;
  for (let i = 0, count = b.count; i < count; i++) {
    const w = fam[i] === 4 ? shardOf4(proto[i]!, src[i]!, dst[i]!, sp[i]!, dp[i]!, n) : shardOf6(proto[i]!, b.src6, b.dst6, i << 2, sp[i]!, dp[i]!, n);
    own[k] = i;
    k += ((w ^ me) - 1) >>> 31; // 1 when w === me
  }
  return k;
}
