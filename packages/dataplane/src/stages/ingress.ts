// Stage: which rows this pipeline decides, who sent each packet (tables.ts Ingress encoding) and the source the
// network starts from; counts the packets in. In a batch shared between shards (ctx.shards > 1, parallel/), the rows
// of the other shards are marked Foreign once here, and every later stage leaves them alone (Scratch.todo): the
// shards run the same batch in place, each on its own rows, with no copy. Decided once per batch, not per packet.
import { DISPOSITION_PENDING, type PacketBatch } from '../packet/batch.js';
import { shardOf4, shardOf6 } from '../packet/shard-hash.js';
import { Ingress } from '../tables.js';
import { Todo, type StageContext } from './context.js';

export function ingressStage(b: PacketBatch, ctx: StageContext): void {
  if (ctx.shards > 1) {
    markShard(b, ctx);
    return;
  }
  const sc = ctx.scratch;
  const todo = sc.todo, disp = b.disposition;
  const count = b.count;
  // A row that comes with a disposition already is left as it is (and counted as such).
  for (let i = 0; i < count; i++) {
    todo[i] = disp[i] === DISPOSITION_PENDING ? Todo.Pending : Todo.Done;
    source(b, ctx, i);
  }
  sc.ownCount = 0;
  ctx.counters.packetsIn += count;
}

/** Shared batch: this shard's rows (symmetric 5-tuple hash) are Pending and listed in `own`; the others Foreign. */
function markShard(b: PacketBatch, ctx: StageContext): void {
  const sc = ctx.scratch;
  const todo = sc.todo, own = sc.own;
  const n = ctx.shards, me = ctx.shard;
  const fam = b.family, src = b.src, dst = b.dst, sp = b.srcPort, dp = b.dstPort, proto = b.proto;
  let k = 0;
  for (let i = 0, count = b.count; i < count; i++) {
    const w = fam[i] === 4 ? shardOf4(proto[i]!, src[i]!, dst[i]!, sp[i]!, dp[i]!, n) : shardOf6(proto[i]!, b.src6, b.dst6, i << 2, sp[i]!, dp[i]!, n);
    if (w !== me) {
      todo[i] = Todo.Foreign;
      continue;
    }
    todo[i] = Todo.Pending;
    own[k++] = i;
    source(b, ctx, i);
  }
  sc.ownCount = k;
  ctx.counters.packetsIn += k;
}

function source(b: PacketBatch, ctx: StageContext, i: number): void {
  const sc = ctx.scratch;
  const ing = b.ingress[i]!;
  if (ing >= 0 && ing < Ingress.SUBNET) {
    sc.srcVm[i] = ing;
    sc.srcSubnet[i] = ctx.tables.vmSubnet[ing]!;
  } else if (ing >= Ingress.SUBNET && ing < Ingress.ON_PREM) {
    sc.srcSubnet[i] = ing - Ingress.SUBNET;
  }
  sc.seenSrc[i] = b.src[i]!;
}
