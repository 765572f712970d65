// The stage order, written once (STYLE.md 4). Each stage is (batch, context) => void over the whole batch; a packet
// that a stage finishes is skipped by the ones after it; the last stage records flows and counts every packet.
// Each stage declares its exits (grout's closed `edges`): the (disposition, drop reason) pairs it may finish a row
// with. The diagram is generated from them, and a test holds every stage to its list (pipeline-exits.test.ts).
import { DISPOSITION_NAMES, NSG_LEVEL_ORDER, type Direction, type DispositionName, type DropReasonName } from '@vnetsim/core';
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

/** One way a stage finishes a row: its disposition, its drop reason (`None` when not dropped) and when. */
export interface StageExit {
  readonly disposition: DispositionName;
  readonly reason: DropReasonName;
  readonly when: string;
}

export interface Stage {
  readonly name: string;
  /** What the stage decides, one line (diagram). */
  readonly does: string;
  /** Every (disposition, reason) the stage may finish a row with; a row it does not finish goes on. */
  readonly exits: readonly StageExit[];
  /**
   * Rows the stage finishes with a result decided by the deciding stages for an earlier packet: a recorded flow's
   * (flow-lookup) or the batch's leading packet of the flow (flow-commit); null when it does not. Such a row ends with
   * an exit of a deciding stage (`DECIDING_STAGES`).
   */
  readonly replays: string | null;
  run(b: PacketBatch, ctx: StageContext): void;
}

const levels = (d: Direction) => NSG_LEVEL_ORDER[d].map((l) => (l === 'nic' ? 'NIC' : l)).join(' then ');
const exit = (disposition: DispositionName, reason: DropReasonName, when: string): StageExit => ({ disposition, reason, when });

const stage = (name: string, does: string, exits: StageExit[], run: Stage['run'], replays: string | null = null): Stage => ({ name, does, exits, replays, run });

export const STAGES: readonly Stage[] = [
  stage('ingress', 'the sender of each packet: VM, subnet, on-premises site or Internet host', [], ingressStage),
  stage('platform', 'VM disk IO takes the platform storage path: no NSG, route or endpoint (R-SE-8)', [exit('Delivered', 'None', 'disk IO')], platformStage),
  stage('flow-lookup', 'packets of recorded flows pass without NSG evaluation (R-NSG-5)',
    [exit('FlowReset', 'ConnectionReset', 'connection reset by an endpoint toggle (R-SE-2)')], flowLookupStage, 'recorded flow -> its recorded result'),
  stage('nsg-out', `outbound NSGs of new flows: ${levels('Outbound')} (R-NSG-4)`, [exit('DeniedOut', 'NsgDenyOutbound', 'a Deny rule at either level')], nsgOutStage),
  stage('route', "the source subnet's FIB chooses the next hop; outside senders enter by gateway or public address",
    [exit('NoRoute', 'NoMatchingRoute', 'no route covers the destination')], routeStage),
  stage('forward', 'the next hop: to a VM (inbound NSGs next), a service (its firewall next), an appliance, out', [
    exit('NoRoute', 'UnknownDestination', 'VnetLocal/VNetPeering to an address no VM holds'),
    exit('NullRouted', 'NextHopNone', 'next hop None (R-RT-1)'),
    exit('NullRouted', 'InvalidNextHop', 'VirtualAppliance next hop that is no appliance (R-RT-3)'),
    exit('ApplianceDropped', 'ApplianceDrop', 'the appliance drops (R-SNAT-3)'),
    exit('SnatExhausted', 'SnatPortsExhausted', 'no free port in the SNAT pool (R-SNAT-1)'),
    exit('PolicyDenied', 'EndpointPolicyDenied', 'endpoint policy does not list the resource (R-POL-1)'),
    exit('Delivered', 'None', "an Azure service address no modelled resource holds: the service's front end"),
    exit('ExitsNetwork', 'None', 'to the Internet or on-premises'),
  ], forwardStage),
  stage('nsg-in', `inbound NSGs at the destination VM: ${levels('Inbound')} (R-NSG-4)`,
    [exit('DeniedIn', 'NsgDenyInbound', 'a Deny rule at either level'), exit('Delivered', 'None', 'allowed at both levels')], nsgInStage),
  stage('service', "the service resource's firewall (R-SVC-1)",
    [exit('ServiceDenied', 'ServiceFirewallDenied', 'no virtual network rule or IP rule matches'), exit('Delivered', 'None', 'allowed')], serviceStage),
  stage('flow-commit', 'records the result of new flows, counts every packet', [], flowCommitStage,
    "later packet of a flow led earlier in the batch -> the leading packet's result"),
];

/** The stages whose exits decide a new flow; replayed results are among their exits. */
export const DECIDING_STAGES: readonly string[] = ['nsg-out', 'route', 'forward', 'nsg-in', 'service'];

/**
 * Called after every stage with the row dispositions from before it (a test holds each stage to its exits); null in
 * production: checked once per batch.
 */
export type StageObserver = (stage: Stage, b: PacketBatch, before: Uint8Array, ctx: StageContext) => void;
let observer: StageObserver | null = null;
let observed = new Uint8Array(0);

/** Installs (or, with null, removes) the per-stage observer. Tests only: it copies the disposition column per stage. */
export function observeStages(o: StageObserver | null): void {
  observer = o;
}

/**
 * Runs the batch through every stage; the scratch columns are reset first. With `ctx.shards` > 1 the batch is shared
 * in place with other shards: only this shard's rows are decided, written and counted (ingress).
 */
export function runPipeline(b: PacketBatch, ctx: StageContext): void {
  if (b.count > ctx.scratch.capacity) throw new RangeError(`batch of ${b.count} packets exceeds the pipeline scratch (${ctx.scratch.capacity})`);
  ctx.scratch.reset(b.count);
  if (observer === null) for (let s = 0; s < STAGES.length; s++) STAGES[s]!.run(b, ctx);
  else runObserved(b, ctx, observer);
  const accounted = ctx.counters.accounted();
  if (accounted !== ctx.counters.packetsIn)
    throw new Error(`conservation violated: ${ctx.counters.packetsIn} packets in, ${accounted} with a disposition`);
}

function runObserved(b: PacketBatch, ctx: StageContext, o: StageObserver): void {
  if (observed.length < b.count) observed = new Uint8Array(b.capacity);
  for (const stage of STAGES) {
    const before = observed.subarray(0, b.count);
    before.set(b.disposition.subarray(0, b.count));
    stage.run(b, ctx);
    o(stage, b, before, ctx);
  }
}

/** A text diagram of the pipeline, generated from STAGES (README, `vnetsim pipeline`). */
export function pipelineDiagram(): string {
  const pad = ' '.repeat(16);
  const lines: string[] = [];
  STAGES.forEach((s, i) => {
    lines.push(`${`${i + 1}. ${s.name}`.padEnd(16)}${s.does}`);
    for (const e of s.exits) lines.push(`${pad}-> ${e.disposition}${e.reason === 'None' ? '' : ` (${e.reason})`}: ${e.when}`);
    if (s.replays !== null) lines.push(`${pad}-> ${s.replays}`);
  });
  lines.push(`   dispositions: ${DISPOSITION_NAMES.join(', ')}`);
  return lines.join('\n');
}

/** The exits of one stage as one line (`vnetsim pipeline --json` keeps its `exits` text). */
export function exitsText(s: Stage): string {
  const parts = s.exits.map((e) => `${e.disposition}${e.reason === 'None' ? '' : ` (${e.reason})`}`);
  if (s.replays !== null) parts.push(s.replays);
  return parts.join(' | ');
}
