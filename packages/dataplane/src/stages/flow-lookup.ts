// Stage: packets of recorded flows (R-NSG-5: both directions pass without NSG evaluation) take the flow's recorded
// result; packets of a connection reset by an endpoint toggle end as FlowReset (R-SE-2). A packet that starts a flow
// records it at once, so later packets of the same flow in the same batch follow it instead of being
// evaluated as new flows of their own (RowState.Follower); flow-commit copies the leader's result to them.
import { Disposition, DropReason, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import { FlowState } from '../flows/tcp-state.js';
import type { StageContext } from './context.js';
import { finish } from './finish.js';
import { sources } from './ingress.js';

export const FlowHit = { New: 0, Cached: 1, Recompute: 2, Follower: 3 } as const;

export function flowLookupStage(b: PacketBatch, ctx: StageContext): void {
  const flows = ctx.flows;
  const sc = ctx.scratch;
  const rows = sc.own, work = sc.work;
  let w = 0;
  // This pipeline's rows only (in a shared batch, the other shards' rows are not in the list: ingress). Rows that go
  // on to the later stages are listed in `work`.
  const all = sc.ownAll;
  for (let j = 0, n = sc.ownCount; j < n; j++) {
    const i = all ? j : rows[j]!;
    if (b.disposition[i] !== RowState.Pending) continue;
    const id = flows.lookupRow(b, i);
    if (id < 0) {
      work[w++] = i;
      if (ctx.dryRun) continue;
      const nid = flows.insertRow(b, i);
      b.flowId[i] = nid;
      flows.lead(nid, i);
      ctx.counters.flowsCreated++;
      continue;
    }
    b.flowId[i] = id;
    const dir = flows.lastDirection;
    sc.flowDir[i] = dir;
    if (flows.state[id] === FlowState.Reset) {
      finish(b, i, Disposition.FlowReset, DropReason.ConnectionReset);
      continue;
    }
    ctx.counters.flowHits++;
    if (!ctx.dryRun) flows.update(id, dir, b.tcpFlags[i]!, b.length[i]!, b.time[i]!);
    const cached = flows.disposition[id]!;
    if (cached === RowState.Pending) {
      // Just created, or invalidated (FlowTable.invalidate): no recorded result to take.
      if (flows.ledNow(id)) {
        // The flow's first packet (or first since its routes changed) is earlier in this batch.
        sc.flowHit[i] = FlowHit.Follower;
        b.disposition[i] = RowState.Follower;
        continue;
      }
      // The flow's routes changed since it was recorded (FlowTable.invalidate): forward again; the NSG verdict stands
      // (R-NSG-5).
      sc.flowHit[i] = FlowHit.Recompute;
      work[w++] = i;
      flows.lead(id, i);
      b.ruleIndex[i] = flows.ruleIndex[id]!;
      b.translatedSrc[i] = flows.natSrc[id]!;
      b.translatedSrcPort[i] = flows.natPort[id]!;
      continue;
    }
    sc.flowHit[i] = FlowHit.Cached;
    copyFlowResult(b, i, ctx, id);
    finish(b, i, cached, flows.dropReason[id]!);
  }
  sc.workCount = w;
  if (ctx.shards > 1) sources(b, ctx, work, w);
  // A shared batch always takes the list: the other shards' rows are interleaved with this one's.
  sc.workDense = ctx.shards === 1 && w * 2 > b.count;
}

/** Copies the recorded result of flow `id` into row i. */
function copyFlowResult(b: PacketBatch, i: number, ctx: StageContext, id: number): void {
  const flows = ctx.flows;
  const sc = ctx.scratch;
  b.ruleIndex[i] = flows.ruleIndex[id]!;
  b.translatedSrc[i] = flows.natSrc[id]!;
  b.translatedSrcPort[i] = flows.natPort[id]!;
  b.routeIndex[i] = flows.routeIndex[id]!;
  b.egressVm[i] = flows.egressVm[id]!;
  b.serviceError[i] = flows.serviceError[id]!;
  sc.service[i] = flows.service[id]!;
  sc.seenSrc[i] = flows.natSrc[id] !== 0 ? flows.natSrc[id]! : sc.seenSrc[i]!;
}

/** Gives a follower (row i) the result of its leader (row j) in the same batch. */
export function copyLeaderResult(b: PacketBatch, i: number, ctx: StageContext, j: number): void {
  const sc = ctx.scratch;
  b.disposition[i] = b.disposition[j]!;
  b.dropReason[i] = b.dropReason[j]!;
  b.ruleIndex[i] = b.ruleIndex[j]!;
  b.routeIndex[i] = b.routeIndex[j]!;
  b.translatedSrc[i] = b.translatedSrc[j]!;
  b.translatedSrcPort[i] = b.translatedSrcPort[j]!;
  b.egressVm[i] = b.egressVm[j]!;
  b.serviceError[i] = b.serviceError[j]!;
  sc.service[i] = sc.service[j]!;
  sc.serviceVerdict[i] = sc.serviceVerdict[j]!;
  sc.nextHop[i] = sc.nextHop[j]!;
  sc.srcSubnet[i] = sc.srcSubnet[j]!;
  sc.srcVm[i] = sc.srcVm[j]!;
  sc.endpointSubnet[i] = sc.endpointSubnet[j]!;
  if (b.translatedSrc[j] !== 0) sc.seenSrc[i] = b.translatedSrc[j]!;
}
