// Stage: which rows this pipeline decides, who sent each packet (tables.ts Ingress encoding) and the source the
// network starts from; counts the packets in. In a batch shared between shards (ctx.shards > 1, parallel/), the rows
// of the other shards are marked Foreign once here and left out of `Scratch.own`, and every later stage leaves them
// alone: the shards run the same batch in place, each on its own rows, with no copy. Decided once per batch.
import { DISPOSITION_PENDING, type PacketBatch } from '../packet/batch.js';
import { shardOf4, shardOf6 } from '../packet/shard-hash.js';
import { Ingress } from '../tables.js';
import { Todo, type StageContext } from './context.js';

export function ingressStage(b: PacketBatch, ctx: StageContext): void {
  const sc = ctx.scratch;
  const todo = sc.todo, own = sc.own, ingress = b.ingress, src = b.src;
  const srcVm = sc.srcVm, srcSubnet = sc.srcSubnet, seenSrc = sc.seenSrc, vmSubnet = ctx.tables.vmSubnet;
  let count = b.count;
  if (ctx.shards > 1) {
    count = markShard(b, ctx);
    for (let j = 0; j < count; j++) {
      const i = own[j]!;
      const ing = ingress[i]!;
      if (ing >= 0 && ing < Ingress.SUBNET) {
        srcVm[i] = ing;
        srcSubnet[i] = vmSubnet[ing]!;
      } else if (ing >= Ingress.SUBNET && ing < Ingress.ON_PREM) srcSubnet[i] = ing - Ingress.SUBNET;
      seenSrc[i] = src[i]!;
    }
  } else {
    for (let i = 0; i < count; i++) {
      // A row that comes with a disposition already is left as it is (and counted as such).
      todo[i] = b.disposition[i] === DISPOSITION_PENDING ? Todo.Pending : Todo.Done;
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
 * Shared batch: this shard's rows (symmetric 5-tuple hash) are Pending and listed in `own`, the others Foreign;
 * returns how many are this shard's. Branch-free (which shard a row hashes to is a coin toss for the predictor).
 */
function markShard(b: PacketBatch, ctx: StageContext): number {
  const sc = ctx.scratch;
  const todo = sc.todo, own = sc.own;
  const n = ctx.shards, me = ctx.shard;
  const fam = b.family, src = b.src, dst = b.dst, sp = b.srcPort, dp = b.dstPort, proto = b.proto;
  let k = 0;
  for (let i = 0, count = b.count; i < count; i++) {
    const w = fam[i] === 4 ? shardOf4(proto[i]!, src[i]!, dst[i]!, sp[i]!, dp[i]!, n) : shardOf6(proto[i]!, b.src6, b.dst6, i << 2, sp[i]!, dp[i]!, n);
    const mine = ((w ^ me) - 1) >>> 31; // 1 when w === me
    todo[i] = (mine ^ 1) * Todo.Foreign; // Todo.Pending (0) or Todo.Foreign
    own[k] = i;
    k += mine;
  }
  return k;
}
