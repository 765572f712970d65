// The stage order, written once (STYLE.md 4). Each stage is (batch, context) => void over the whole batch; a packet
// that a stage finishes is skipped by the ones after it; the last stage records flows and counts every packet.
import { DISPOSITION_NAMES } from '@vnetsim/core';
import type { PacketBatch } from './packet/batch.js';
import type { StageContext } from './stages/context.js';
import { ingressStage } from './stages/ingress.js';
import { platformStage } from './stages/platform.js';
import { flowLookupStage } from './stages/flow-lookup.js';
import { nsgOutStage } from './stages/nsg-out.js';
import { routeStage } from './stages/route.js';
import { forwardStage } from './stages/forward.js';
import { nsgInStage } from './stages/nsg-in.js';
import { serviceStage } from './stages/service.js';
import { flowCommitStage } from './stages/flow-commit.js';

export interface Stage {
  name: string;
  /** What the stage decides and its exits (for the pipeline diagram and the docs). */
  exits: string;
  run(b: PacketBatch, ctx: StageContext): void;
}

export const STAGES: readonly Stage[] = [
  { name: 'ingress', exits: 'source VM / subnet / on-premises / Internet', run: ingressStage },
  { name: 'platform', exits: 'VM disk IO -> Delivered on the platform storage path: no NSG, route or endpoint (R-SE-8)', run: platformStage },
  { name: 'flow-lookup', exits: 'recorded flow -> its result (R-NSG-5); reset connection -> FlowReset', run: flowLookupStage },
  { name: 'nsg-out', exits: 'NIC then subnet NSG (R-NSG-4) -> DeniedOut', run: nsgOutStage },
  { name: 'route', exits: 'source subnet FIB -> next hop | NoRoute', run: routeStage },
  {
    name: 'forward',
    exits: 'VnetLocal/VNetPeering -> VM; ServiceEndpoint -> service (PolicyDenied); Internet -> SNAT (SnatExhausted) -> service | ExitsNetwork; VirtualAppliance -> egress (ApplianceDropped); Gateway -> ExitsNetwork; None -> NullRouted',
    run: forwardStage,
  },
  { name: 'nsg-in', exits: 'subnet then NIC NSG (R-NSG-4) -> Delivered | DeniedIn', run: nsgInStage },
  { name: 'service', exits: 'service firewall (R-SVC-1) -> Delivered | ServiceDenied', run: serviceStage },
  { name: 'flow-commit', exits: 'record flows, count dispositions', run: flowCommitStage },
];

/**
 * Runs the batch through every stage; the scratch columns are reset first. With `ctx.shards` > 1 the batch is shared
 * in place with other shards: only this shard's rows are decided, written and counted (ingress).
 */
export function runPipeline(b: PacketBatch, ctx: StageContext): void {
  if (b.count > ctx.scratch.capacity) throw new RangeError(`batch of ${b.count} packets exceeds the pipeline scratch (${ctx.scratch.capacity})`);
  ctx.scratch.reset(b.count);
  for (let s = 0; s < STAGES.length; s++) STAGES[s]!.run(b, ctx);
  const accounted = ctx.counters.accounted();
  if (accounted !== ctx.counters.packetsIn)
    throw new Error(`conservation violated: ${ctx.counters.packetsIn} packets in, ${accounted} with a disposition`);
}

/** A text diagram of the pipeline, generated from STAGES (README). */
export function pipelineDiagram(): string {
  return STAGES.map((s, i) => `${i + 1}. ${s.name.padEnd(12)} ${s.exits}`).join('\n') + `\n   dispositions: ${DISPOSITION_NAMES.join(', ')}`;
}
