// Stage: inbound security rules at the destination VM, its subnet and NIC NSGs in R-NSG-4 order (NSG_LEVEL_ORDER),
// after translation (R-NSG-8).
import { Disposition, DropReason, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import type { StageContext } from './context.js';
import { finish } from './finish.js';
import { FlowHit } from './flow-lookup.js';
import { evaluateLevels, NIC_FIRST } from './nsg-levels.js';

const nicFirst = NIC_FIRST.Inbound;

export function nsgInStage(b: PacketBatch, ctx: StageContext): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const work = sc.work, dense = sc.workDense;
  for (let j = 0, n = dense ? b.count : sc.workCount; j < n; j++) {
    const i = dense ? j : work[j]!;
    if (b.disposition[i] !== RowState.Pending) continue;
    const vm = b.egressVm[i]!;
    if (vm < 0) continue;
    // R-NSG-5: a recorded flow whose routes changed is forwarded again, never evaluated again (both directions).
    if (sc.flowHit[i] === FlowHit.Recompute) {
      finish(b, i, Disposition.Delivered, 0);
      continue;
    }
    // R-NSG-8: inbound rules see the VM's private address, also when the packet came to its instance public IP.
    if (evaluateLevels(b, i, nicFirst, t.vmNicIn[vm]!, sc.ruleNicIn, t.subnetNsgIn[t.vmSubnet[vm]!]!, sc.ruleSubnetIn,
      sc.seenSrc[i]!, t.vmPrivate[vm]!, Disposition.DeniedIn, DropReason.NsgDenyInbound))
      finish(b, i, Disposition.Delivered, 0);
  }
}
