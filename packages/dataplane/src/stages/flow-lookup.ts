// Stage: packets of recorded flows (R-NSG-5: both directions pass without NSG evaluation) take the flow's recorded
// result; packets of a connection reset by an endpoint toggle end as FlowReset (R-SE-2).
import { Disposition, DropReason } from '@vnetsim/core';
import { DISPOSITION_PENDING, type PacketBatch } from '../packet/batch.js';
import { FlowState } from '../flows/tcp-state.js';
import type { StageContext } from './context.js';
import { finish } from './finish.js';

export const FlowHit = { New: 0, Cached: 1, Recompute: 2 } as const;

export function flowLookupStage(b: PacketBatch, ctx: StageContext): void {
  const flows = ctx.flows;
  const sc = ctx.scratch;
  for (let i = 0; i < b.count; i++) {
    if (b.disposition[i] !== DISPOSITION_PENDING) continue;
    const id = flows.lookupRow(b, i);
    if (id < 0) continue;
    b.flowId[i] = id;
    const dir = flows.lastDirection;
    sc.flowDir[i] = dir;
    if (flows.state[id] === FlowState.Reset) {
      finish(b, i, Disposition.FlowReset, DropReason.ConnectionReset);
      continue;
    }
    ctx.counters.flowHits++;
    if (!ctx.dryRun) flows.update(id, dir, b.tcpFlags[i]!, b.length[i]!, b.time[i]!);
    b.ruleIndex[i] = flows.ruleIndex[id]!;
    b.translatedSrc[i] = flows.natSrc[id]!;
    b.translatedSrcPort[i] = flows.natPort[id]!;
    sc.seenSrc[i] = flows.natSrc[id] !== 0 ? flows.natSrc[id]! : b.src[i]!;
    const cached = flows.disposition[id]!;
    if (cached === DISPOSITION_PENDING) {
      // The flow's routes changed since it was recorded: forward again, the NSG verdict stands (R-NSG-5).
      sc.flowHit[i] = FlowHit.Recompute;
      continue;
    }
    sc.flowHit[i] = FlowHit.Cached;
    b.routeIndex[i] = flows.routeIndex[id]!;
    b.egressVm[i] = flows.egressVm[id]!;
    b.serviceError[i] = flows.serviceError[id]!;
    sc.service[i] = flows.service[id]!;
    finish(b, i, cached, flows.dropReason[id]!);
  }
}
