// Stage: store in each flow the result of its first packet (R-NSG-5: later packets of the flow, both directions,
// take it without evaluation), give followers their leader's result, and count every packet (this shard's only).
import { Disposition, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import { FlowVerdict } from '../flows/flow-table.js';
import type { StageContext } from './context.js';
import { copyLeaderResult, FlowHit } from './flow-lookup.js';

export function flowCommitStage(b: PacketBatch, ctx: StageContext): void {
  const flows = ctx.flows;
  const sc = ctx.scratch;
  const counters = ctx.counters;
  const rows = sc.own, all = sc.ownAll;
  for (let j = 0, n = sc.ownCount; j < n; j++) {
    const i = all ? j : rows[j]!;
    const disp0 = b.disposition[i]!;
    if (disp0 === RowState.Follower) {
      // Leaders come first in the batch, so their result is final here.
      copyLeaderResult(b, i, ctx, flows.leadRow[b.flowId[i]!]!);
    } else if (!ctx.dryRun && disp0 !== Disposition.FlowReset) {
      const hit = sc.flowHit[i]!;
      // Packets that never entered the flow table (disk IO, R-SE-8) have no flow id.
      if ((hit === FlowHit.New || hit === FlowHit.Recompute) && b.flowId[i]! >= 0) {
        const id = b.flowId[i]!;
        const disp = b.disposition[i]!;
        if (hit === FlowHit.New) {
          flows.subnet[id] = sc.srcSubnet[i]!;
          flows.ingress[id] = b.ingress[i]!;
          flows.nic[id] = sc.srcVm[i]!;
          flows.natSrc[id] = b.translatedSrc[i]!;
          flows.natPort[id] = b.translatedSrcPort[i]!;
          flows.verdict[id] = disp === Disposition.DeniedOut || disp === Disposition.DeniedIn ? FlowVerdict.Deny : FlowVerdict.Allow;
        }
        flows.ruleIndex[id] = b.ruleIndex[i]!;
        flows.routeIndex[id] = b.routeIndex[i]!;
        flows.service[id] = sc.service[i]!;
        flows.disposition[id] = disp;
        flows.dropReason[id] = b.dropReason[i]!;
        flows.egressVm[id] = b.egressVm[i]!;
        flows.serviceError[id] = b.serviceError[i]!;
      }
    }
    const d = b.disposition[i]!;
    if (d === RowState.Pending || d === RowState.Follower) throw new Error(`pipeline bug: packet ${i} left every stage without a disposition`);
    counters.byDisposition[d]!++;
    counters.byReason[b.dropReason[i]!]!++;
  }
}
