// Stage: record new flows with the result of their first packet (R-NSG-5: later packets of the flow, both
// directions, take it without evaluation), refresh recomputed ones, and count every packet.
import { DISPOSITION_PENDING, type PacketBatch } from '../packet/batch.js';
import { FlowVerdict } from '../flows/flow-table.js';
import { Disposition } from '@vnetsim/core';
import type { StageContext } from './context.js';
import { FlowHit } from './flow-lookup.js';

export function flowCommitStage(b: PacketBatch, ctx: StageContext): void {
  const flows = ctx.flows;
  const sc = ctx.scratch;
  const counters = ctx.counters;
  for (let i = 0; i < b.count; i++) {
    const disp = b.disposition[i]!;
    if (disp === DISPOSITION_PENDING) throw new Error(`pipeline bug: packet ${i} left every stage without a disposition`);
    counters.byDisposition[disp]!++;
    counters.byReason[b.dropReason[i]!]!++;
    if (ctx.dryRun || disp === Disposition.FlowReset) continue;
    const hit = sc.flowHit[i]!;
    let id: number;
    if (hit === FlowHit.New) {
      id = flows.insertRow(b, i);
      b.flowId[i] = id;
      counters.flowsCreated++;
      flows.subnet[id] = sc.srcSubnet[i]!;
      flows.ingress[id] = b.ingress[i]!;
      flows.nic[id] = sc.srcVm[i]!;
      flows.natSrc[id] = b.translatedSrc[i]!;
      flows.natPort[id] = b.translatedSrcPort[i]!;
      flows.verdict[id] = disp === Disposition.DeniedOut || disp === Disposition.DeniedIn ? FlowVerdict.Deny : FlowVerdict.Allow;
      ctx.flowPool[id] = sc.snatPool[i]!;
    } else if (hit === FlowHit.Recompute) id = b.flowId[i]!;
    else continue;
    flows.ruleIndex[id] = b.ruleIndex[i]!;
    flows.routeIndex[id] = b.routeIndex[i]!;
    flows.service[id] = sc.service[i]!;
    flows.disposition[id] = disp;
    flows.dropReason[id] = b.dropReason[i]!;
    flows.egressVm[id] = b.egressVm[i]!;
    flows.serviceError[id] = b.serviceError[i]!;
  }
}
