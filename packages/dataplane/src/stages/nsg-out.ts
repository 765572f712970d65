// Stage: outbound security rules of new flows at the NIC and subnet NSGs in R-NSG-4 order (NSG_LEVEL_ORDER), on
// private addresses before any translation (R-NSG-8). A level without an NSG allows; a Deny at any level ends it.
import { Disposition, DropReason, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import type { StageContext } from './context.js';
import { evaluateLevels, NIC_FIRST } from './nsg-levels.js';

export { classify, classify6 } from './nsg-levels.js';

const nicFirst = NIC_FIRST.Outbound;

export function nsgOutStage(b: PacketBatch, ctx: StageContext): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const work = sc.work, dense = sc.workDense;
  for (let j = 0, n = dense ? b.count : sc.workCount; j < n; j++) {
    const i = dense ? j : work[j]!;
    if (b.disposition[i] !== RowState.Pending || sc.flowHit[i] !== 0) continue;
    const subnet = sc.srcSubnet[i]!;
    if (subnet < 0) continue; // on-premises / Internet senders have no outbound NSG of ours
    const vm = sc.srcVm[i]!;
    evaluateLevels(b, i, nicFirst, vm >= 0 ? t.vmNicOut[vm]! : null, sc.ruleNicOut, t.subnetNsgOut[subnet]!, sc.ruleSubnetOut,
      b.src[i]!, b.dst[i]!, Disposition.DeniedOut, DropReason.NsgDenyOutbound);
  }
}
