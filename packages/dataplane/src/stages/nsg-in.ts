// Stage: inbound security rules at the destination VM, subnet NSG then NIC NSG (R-NSG-4), after translation (R-NSG-8).
import { Disposition, DropReason } from '@vnetsim/core';
import { DISPOSITION_PENDING, type PacketBatch } from '../packet/batch.js';
import type { StageContext } from './context.js';
import { finish } from './finish.js';
import { FlowHit } from './flow-lookup.js';
import { classify } from './nsg-out.js';

export function nsgInStage(b: PacketBatch, ctx: StageContext): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const work = sc.work, dense = sc.workDense;
  for (let j = 0, n = dense ? b.count : sc.workCount; j < n; j++) {
    const i = dense ? j : work[j]!;
    if (b.disposition[i] !== DISPOSITION_PENDING) continue;
    const vm = b.egressVm[i]!;
    if (vm < 0) continue;
    // R-NSG-5: a recorded flow whose routes changed is forwarded again, never evaluated again (both directions).
    if (sc.flowHit[i] === FlowHit.Recompute) {
      finish(b, i, Disposition.Delivered, 0);
      continue;
    }
    const src = sc.seenSrc[i]!;
    // R-NSG-8: inbound rules see the VM's private address, also when the packet came to its instance public IP.
    const dst = t.vmPrivate[vm]!;
    const sub = t.subnetNsgIn[t.vmSubnet[vm]!]!;
    if (sub !== null) {
      const r = classify(sub, b, i, src, dst);
      sc.ruleSubnetIn[i] = r;
      b.ruleIndex[i] = r;
      if (sub.allow[r] === 0) {
        finish(b, i, Disposition.DeniedIn, DropReason.NsgDenyInbound);
        continue;
      }
    }
    const nic = t.vmNicIn[vm]!;
    if (nic !== null) {
      const r = classify(nic, b, i, src, dst);
      sc.ruleNicIn[i] = r;
      b.ruleIndex[i] = r;
      if (nic.allow[r] === 0) {
        finish(b, i, Disposition.DeniedIn, DropReason.NsgDenyInbound);
        continue;
      }
    }
    finish(b, i, Disposition.Delivered, 0);
  }
}
