// Stage: outbound security rules of new flows, NIC NSG then subnet NSG (R-NSG-4), on private addresses before any
// translation (R-NSG-8). A level without an NSG allows; a Deny at any level ends it.
import { Disposition, DropReason, type NsgClassifier, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import type { StageContext } from './context.js';
import { finish } from './finish.js';

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
    const nic = vm >= 0 ? t.vmNicOut[vm]! : null;
    if (nic !== null) {
      const r = classify(nic, b, i, b.src[i]!, b.dst[i]!);
      sc.ruleNicOut[i] = r;
      b.ruleIndex[i] = r;
      if (nic.allow[r] === 0) {
        finish(b, i, Disposition.DeniedOut, DropReason.NsgDenyOutbound);
        continue;
      }
    }
    const sub = t.subnetNsgOut[subnet]!;
    if (sub !== null) {
      const r = classify(sub, b, i, b.src[i]!, b.dst[i]!);
      sc.ruleSubnetOut[i] = r;
      b.ruleIndex[i] = r;
      if (sub.allow[r] === 0) finish(b, i, Disposition.DeniedOut, DropReason.NsgDenyOutbound);
    }
  }
}

/**
 * Classifies packet i with c. IPv4 `src` and `dst` are the addresses the NSG sees (R-NSG-8): outbound the private
 * source before translation; inbound the translated source and the VM's private address, not its public one.
 */
export function classify(c: NsgClassifier, b: PacketBatch, i: number, src: number, dst: number): number {
  if (b.family[i] === 4) return c.classify4(b.proto[i]!, src, b.srcPort[i]!, dst, b.dstPort[i]!);
  return classify6(c, b, i);
}

/** IPv6 rows: src6 and dst6 are separate arrays; the classifier reads both from one array, so copy into scratch. */
const six = new Uint32Array(8);
export function classify6(c: NsgClassifier, b: PacketBatch, i: number): number {
  const w = i << 2;
  six[0] = b.src6[w]!; six[1] = b.src6[w + 1]!; six[2] = b.src6[w + 2]!; six[3] = b.src6[w + 3]!;
  six[4] = b.dst6[w]!; six[5] = b.dst6[w + 1]!; six[6] = b.dst6[w + 2]!; six[7] = b.dst6[w + 3]!;
  return c.classify6(b.proto[i]!, six, 0, b.srcPort[i]!, 4, b.dstPort[i]!);
}
