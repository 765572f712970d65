// Stage: who sent each packet (tables.ts Ingress encoding) and the source the network starts from.
import type { PacketBatch } from '../packet/batch.js';
import { Ingress } from '../tables.js';
import type { StageContext } from './context.js';

export function ingressStage(b: PacketBatch, ctx: StageContext): void {
  const sc = ctx.scratch;
  const vmSubnet = ctx.tables.vmSubnet;
  for (let i = 0; i < b.count; i++) {
    const ing = b.ingress[i]!;
    if (ing >= 0 && ing < Ingress.SUBNET) {
      sc.srcVm[i] = ing;
      sc.srcSubnet[i] = vmSubnet[ing]!;
    } else if (ing >= Ingress.SUBNET && ing < Ingress.ON_PREM) {
      sc.srcSubnet[i] = ing - Ingress.SUBNET;
    }
    sc.seenSrc[i] = b.src[i]!;
  }
}
