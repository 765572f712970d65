// Explains a packet's verdict: the disposition plus the ordered steps that decided it (STYLE.md 6: Batfish's
// Trace{disposition, hops[steps]}), read from the columns the fast path filled and the same compiled tables.
import {
  Disposition,
  DISPOSITION_NAMES,
  DROP_REASON_NAMES,
  DROP_REASON_DESCRIPTIONS,
  NEXT_HOP_NAMES,
  NO_NEXT_HOP,
  NextHop,
  endpointService,
  formatIpv4,
  matchedPrefix,
  formatIpv6,
  NSG_LEVEL_ORDER,
  type Direction,
  type DispositionName,
  type DropReasonName,
  type EffectiveRoute,
  type NsgClassifier,
  type NsgLevel,
} from '@vnetsim/core';
import { protocolLabel } from '@vnetsim/core';
import { Purpose, type PacketBatch } from '../packet/batch.js';
import { ServiceVerdict, type Scratch } from '../stages/context.js';
import { sameRegion } from '../stages/service.js';
import { FlowHit } from '../stages/flow-lookup.js';
import { ApplianceEgress, Dest, Ingress, type CompiledTables } from '../tables.js';

/** The route a route step names (Azure's effective-route fields). */
export interface TraceRoute {
  prefix: string;
  source: string;
  nextHopType: string;
  nextHopIp: string | null;
  name: string | null;
  routeTable: string;
}

/** Who sent the packet (ingress step). */
export type TraceSender = 'vm' | 'subnet' | 'onPrem' | 'internet';

/**
 * One step of a trace, typed per kind (Batfish's typed steps): the fields that decided, from which `text` is rendered
 * (renderStep). Kinds, in the order they occur: ingress, platform, flow, nsg, route, appliance, translation, policy,
 * service, delivery.
 */
export type TraceStepData =
  | { stage: 'ingress'; sender: TraceSender; vm: string | null; subnet: string | null; site: string | null }
  | { stage: 'platform'; path: 'storage' }
  | { stage: 'flow'; flowId: number; event: 'reset' | 'cached' | 'recompute'; direction: 'forward' | 'reverse' }
  | { stage: 'nsg'; direction: Direction; level: NsgLevel; nsg: string; rule: string; priority: number; access: 'Allow' | 'Deny' }
  | {
      stage: 'route'; matched: true; route: TraceRoute; endpointService: string | null;
      /** R-RT-8: the service tag of a service-tag route (route.prefix is the prefix of it that matched). */
      serviceTag: string | null;
    }
  | { stage: 'route'; matched: false }
  | { stage: 'appliance'; appliance: string }
  | { stage: 'translation'; kind: 'endpoint'; sourceSeen: string; subnet: string }
  | {
      stage: 'translation'; kind: 'snat'; source: string; sourceSeen: string; port: number | null; pool: string;
      /** Set when the VM has an instance IP and its subnet a NAT gateway: which one decided (R-SNAT-1). */
      outboundPrecedence: string | null;
    }
  | { stage: 'policy'; subnet: string | null; service: string | null }
  | {
      stage: 'service'; service: string; verdict: ServiceVerdictName; subnet: string | null; sourceSeen: string;
      serviceError: string | null;
      /** R-SVC-4: for a same-region storage request without an endpoint, the storageSameRegionSource reading applied. */
      sameRegionSource: string | null;
    }
  | { stage: 'service'; service: null; verdict: 'FrontEnd'; tag: string | null }
  | {
      stage: 'delivery'; disposition: DispositionName; reason: DropReasonName | null;
      /**
       * Where the packet went: a VM, a service, the disk storage, on-premises (`gateway`: via the gateway,
       * untranslated, R-SNAT-3), the Internet; null when dropped or delivered to a service front end.
       */
      to: 'vm' | 'service' | 'disk' | 'onPrem' | 'gateway' | 'internet' | null;
      /** The VM, service or on-premises site. */
      name: string | null;
      /** R-SNAT-3: Internet traffic forced through on-premises leaves from the on-premises NAT address. */
      viaOnPremNat: boolean;
      sourceSeenByDestination: string | null;
    };

/** The JSON fields NSG and route steps had before steps were typed; kept on the type so readers of them compile. */
interface LegacyStepFields {
  rule?: string;
  priority?: number;
  access?: 'Allow' | 'Deny';
  nsg?: string;
  level?: NsgLevel;
  route?: TraceRoute;
}

export type TraceStep = TraceStepData & { text: string } & LegacyStepFields;

const SERVICE_VERDICT_NAMES = Object.keys(ServiceVerdict) as ServiceVerdictName[];
type ServiceVerdictName = keyof typeof ServiceVerdict;

type Renderers = { [K in TraceStepData['stage']]: (s: Extract<TraceStepData, { stage: K }>) => string };

/** The text of each kind of step, from its fields only. */
const RENDER: Renderers = {
  ingress: (s) =>
    `from ${s.sender === 'vm' ? `VM ${s.vm} in ${s.subnet}` : s.sender === 'subnet' ? `a host of subnet ${s.subnet}` : s.sender === 'onPrem' ? `on-premises site ${s.site}` : 'an Internet host'}`,
  platform: () => 'VM disk IO takes the platform storage path: no NSG, route or service endpoint applies (R-SE-8)',
  flow: (s) =>
    s.event === 'reset'
      ? `flow ${s.flowId} was reset by a service-endpoint toggle: the connection is gone (R-SE-2)`
      : `packet of recorded flow ${s.flowId} (${s.direction}): NSG rules not evaluated again (R-NSG-5)${s.event === 'cached' ? "; the flow's recorded result applies" : '; its routes changed, forwarding again'}`,
  nsg: (s) => `${s.direction.toLowerCase()} ${s.level} NSG ${s.nsg}: ${s.rule} (priority ${s.priority}) -> ${s.access}`,
  route: (s) => {
    if (!s.matched) return 'no route covers the destination';
    const r = s.route;
    const table = r.routeTable !== SYSTEM_ROUTE ? ` in ${r.routeTable}` : '';
    return `route ${s.serviceTag !== null ? `${s.serviceTag} ${r.prefix}` : r.prefix} (${r.source}${r.name ? `, ${r.name}` : ''}${table}${s.endpointService ? `, service endpoint ${s.endpointService}` : ''}) -> ${r.nextHopType}${r.nextHopIp ? ` ${r.nextHopIp}` : ''}`;
  },
  appliance: (s) => `virtual appliance ${s.appliance} forwards per its egress (R-SNAT-3)`,
  translation: (s) =>
    s.kind === 'endpoint'
      ? `no translation: the service sees private source ${s.sourceSeen} and subnet ${s.subnet} (R-SE-1)`
      : `source ${s.source} -> ${s.sourceSeen}${s.port ? `:${s.port}` : ''} (${s.pool}${s.outboundPrecedence !== null ? `; outboundPrecedence ${s.outboundPrecedence}` : ''}, R-SNAT-1)`,
  policy: () => 'endpoint policy of the subnet does not list this resource (R-POL-1)',
  service: (s) => {
    if (s.service === null) return `an address of ${s.tag ?? 'an Azure service'}; no resource of the scenario holds it: the service front end answers`;
    const why: Partial<Record<ServiceVerdictName, string>> = {
      AllowAll: 'defaultAction Allow',
      VnetRule: `virtual network rule for ${s.subnet ?? ''}`,
      IpRule: `IP rule matches ${s.sourceSeen}`,
      DeniedVnet: `defaultAction Deny and no virtual network rule for ${s.subnet ?? ''} -> ${s.serviceError}`,
      DeniedIp: `defaultAction Deny and no IP rule for ${s.sourceSeen} -> ${s.serviceError}`,
      DeniedInternal: `defaultAction Deny; a request from the account's own region without an endpoint arrives from an Azure-internal address, which no IP rule admits (storageSameRegionSource azureInternal, R-SVC-4) -> ${s.serviceError}`,
    };
    const reading = s.sameRegionSource !== null ? `, R-SVC-4: same-region request, storageSameRegionSource ${s.sameRegionSource}` : '';
    return `${s.service} firewall: ${why[s.verdict] ?? 'not evaluated'} (R-SVC-1${reading})`;
  },
  delivery: (s) => {
    const seen = s.sourceSeenByDestination === null ? '' : `; source seen by the destination ${s.sourceSeenByDestination}`;
    return `${deliveryText(s)}${seen}`;
  },
};

function deliveryText(s: Extract<TraceStepData, { stage: 'delivery' }>): string {
  switch (s.to) {
    case 'vm': return `delivered to VM ${s.name}`;
    case 'service': return `delivered to ${s.name}`;
    case 'disk': return 'delivered to the disk storage';
    case 'gateway': return `delivered on-premises via the gateway, untranslated${s.name !== null ? ` (on-premises site ${s.name})` : ''} (R-SNAT-3)`;
    case 'onPrem': return `leaves to on-premises site ${s.name}`;
    case 'internet': return s.viaOnPremNat ? 'leaves to the Internet from the on-premises NAT address (R-SNAT-3)' : 'leaves to the Internet';
    default: return s.disposition === 'Delivered' ? 'delivered' : `${s.disposition}: ${DROP_REASON_DESCRIPTIONS[s.reason ?? 'None']}`;
  }
}

/** The text of a step, rendered from its fields. */
export function renderStep(s: TraceStepData): string {
  return (RENDER[s.stage] as (x: TraceStepData) => string)(s);
}

const SYSTEM_ROUTE = 'System Route';

export interface PacketOutcome {
  disposition: DispositionName;
  reason: DropReasonName | null;
  /** The NSG rule that decided (a Deny), or the last Allow evaluated; null when no NSG applied. */
  rule: string | null;
  nextHopType: string | null;
  nextHopIp: string | null;
  routeTable: string | null;
  /** The source address the destination saw (private through an endpoint, R-SE-1; else translated). */
  sourceSeen: string;
  sourceSeenByService: string | null;
  /**
   * The source address the packet carries where it arrives: a VM, an on-premises site, the Internet, a service (a
   * refusing service included). Null when it arrives nowhere (dropped on the way, or denied inbound at the VM).
   */
  sourceSeenByDestination: string | null;
  /** The error a refused request gets (R-SVC-1), e.g. `403 AuthorizationFailure`, `40914`. */
  serviceError: string | null;
  service: string | null;
  deliveredTo: string | null;
  flowId: number;
}

export interface Trace extends PacketOutcome {
  packet: string;
  steps: TraceStep[];
}


function addr(b: PacketBatch, i: number, which: 'src' | 'dst'): string {
  if (b.family[i] === 4) return formatIpv4(which === 'src' ? b.src[i]! : b.dst[i]!);
  const w = i << 2;
  return formatIpv6((which === 'src' ? b.src6 : b.dst6).subarray(w, w + 4));
}

function routeOf(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number): EffectiveRoute | null {
  const s = sc.srcSubnet[i]!;
  const r = b.routeIndex[i]!;
  if (s < 0 || r < 0) return null;
  return t.subnetFib[s]!.routes[r] ?? null;
}

/** The NSG levels of row i in R-NSG-4 order (NSG_LEVEL_ORDER) with the rule each decided (-1: not evaluated). */
function nsgLevels(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number, direction: Direction): Array<{ level: NsgLevel; c: NsgClassifier | null; r: number }> {
  const out = direction === 'Outbound';
  const vm = out ? sc.srcVm[i]! : b.egressVm[i]!;
  const subnet = out ? sc.srcSubnet[i]! : vm >= 0 ? t.vmSubnet[vm]! : -1;
  return NSG_LEVEL_ORDER[direction].map((level) =>
    level === 'nic'
      ? { level, c: vm >= 0 ? (out ? t.vmNicOut : t.vmNicIn)[vm]! : null, r: (out ? sc.ruleNicOut : sc.ruleNicIn)[i]! }
      : { level, c: subnet >= 0 ? (out ? t.subnetNsgOut : t.subnetNsgIn)[subnet]! : null, r: (out ? sc.ruleSubnetOut : sc.ruleSubnetIn)[i]! },
  );
}

/** The NSG steps of row i in one direction, in evaluation order. */
function nsgSteps(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number, direction: Direction): TraceStepData[] {
  const steps: TraceStepData[] = [];
  for (const { level, c, r } of nsgLevels(t, sc, b, i, direction)) {
    if (c === null || r < 0) continue;
    const rule = c.rules[r]!;
    steps.push({ stage: 'nsg', direction, level, nsg: c.nsg, rule: rule.name, priority: rule.priority, access: c.allow[r] === 1 ? 'Allow' : 'Deny' });
  }
  return steps;
}

/** The deciding NSG rule of row i: a Deny, else the last Allow evaluated (R-NSG-4 order). */
function decidingRule(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number): string | null {
  let last: string | null = null;
  for (const direction of ['Outbound', 'Inbound'] as const)
    for (const { c, r } of nsgLevels(t, sc, b, i, direction)) {
      if (c === null || r < 0) continue;
      last = c.rules[r]!.name;
      if (c.allow[r] === 0) return last;
    }
  return last;
}

/** Dispositions where the packet reaches its destination (sourceSeenByDestination). */
const ARRIVES: ReadonlySet<number> = new Set([Disposition.Delivered, Disposition.ExitsNetwork, Disposition.ServiceDenied]);

/** The outcome of row i after the pipeline ran (no steps: cheap enough for every scenario packet). */
export function outcomeOf(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number): PacketOutcome {
  const route = routeOf(t, sc, b, i);
  const svc = sc.service[i]!;
  const svcSpec = svc >= 0 ? t.spec.services[svc]! : null;
  const err = b.serviceError[i]!;
  let serviceError: string | null = null;
  if (err !== 0 && svcSpec !== null) {
    const info = endpointService(svcSpec.type);
    const codes = info === undefined ? [] : [info.errorOnDeny.vnet, info.errorOnDeny.ip];
    serviceError = codes.find((c) => c.startsWith(String(err))) ?? String(err);
  }
  const seen = b.family[i] === 4 ? formatIpv4(sc.seenSrc[i]!) : addr(b, i, 'src');
  const reachedService = svc >= 0 || sc.serviceVerdict[i] === ServiceVerdict.FrontEnd;
  return {
    disposition: DISPOSITION_NAMES[b.disposition[i]!]!,
    reason: b.dropReason[i] === 0 ? null : DROP_REASON_NAMES[b.dropReason[i]!]!,
    rule: sc.flowHit[i] === FlowHit.Cached ? null : decidingRule(t, sc, b, i),
    nextHopType: route?.nextHopType ?? (sc.nextHop[i] !== NO_NEXT_HOP ? NEXT_HOP_NAMES[sc.nextHop[i]!]! : null),
    nextHopIp: route?.nextHopIpAddress[0] ?? null,
    routeTable: route === null ? null : (route.routeTable ?? 'System Route'),
    sourceSeen: seen,
    sourceSeenByService: reachedService ? seen : null,
    sourceSeenByDestination: ARRIVES.has(b.disposition[i]!) ? seen : null,
    serviceError,
    service: svcSpec?.name ?? null,
    deliveredTo: b.egressVm[i]! >= 0 ? t.vmNames[b.egressVm[i]!]! : null,
    flowId: b.flowId[i]!,
  };
}

/** Outcome plus the ordered steps of row i. */
export function traceOf(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number): Trace {
  const o = outcomeOf(t, sc, b, i);
  const steps: TraceStep[] = [];
  const add = (step: TraceStepData): void => {
    steps.push(Object.assign({ stage: step.stage, text: renderStep(step) }, step) as TraceStep);
  };
  const proto = protocolLabel(b.proto[i]!);
  const packet = `${proto} ${addr(b, i, 'src')}:${b.srcPort[i]} -> ${addr(b, i, 'dst')}:${b.dstPort[i]}`;
  const ing = b.ingress[i]!;
  const vm = sc.srcVm[i]!;
  const srcSubnet = sc.srcSubnet[i]! >= 0 ? t.subnetNames[sc.srcSubnet[i]!]! : null;
  const sender: TraceSender = vm >= 0 ? 'vm' : srcSubnet !== null ? 'subnet' : ing >= Ingress.ON_PREM ? 'onPrem' : 'internet';
  add({ stage: 'ingress', sender, vm: vm >= 0 ? t.vmNames[vm]! : null, subnet: srcSubnet, site: sender === 'onPrem' ? t.onPremNames[ing - Ingress.ON_PREM]! : null });
  if (b.purpose[i] === Purpose.DiskIo) {
    add({ stage: 'platform', path: 'storage' });
    add({ stage: 'delivery', disposition: o.disposition, reason: o.reason, to: 'disk', name: null, viaOnPremNat: false, sourceSeenByDestination: null });
    return { ...o, packet, steps };
  }
  const hit = sc.flowHit[i]!;
  const direction = sc.flowDir[i] === 0 ? 'forward' : 'reverse';
  if (o.disposition === 'FlowReset') {
    add({ stage: 'flow', flowId: b.flowId[i]!, event: 'reset', direction });
    return { ...o, packet, steps };
  }
  if (hit !== FlowHit.New) add({ stage: 'flow', flowId: b.flowId[i]!, event: hit === FlowHit.Cached ? 'cached' : 'recompute', direction });
  for (const s of nsgSteps(t, sc, b, i, 'Outbound')) add(s);
  const route = routeOf(t, sc, b, i);
  if (route !== null) {
    const info: TraceRoute = {
      // R-RT-8: a service-tag route names the prefix of its tag that matched.
      prefix: matchedPrefix(route, addr(b, i, 'dst')),
      source: route.source,
      nextHopType: route.nextHopType,
      nextHopIp: route.nextHopIpAddress[0] ?? null,
      name: route.name,
      routeTable: route.routeTable ?? SYSTEM_ROUTE,
    };
    add({ stage: 'route', matched: true, route: info, endpointService: route.service ?? null, serviceTag: route.serviceTag ?? null });
  } else if (o.disposition === 'NoRoute' && hit === FlowHit.New) add({ stage: 'route', matched: false });
  if (sc.appliance[i]! >= 0) add({ stage: 'appliance', appliance: t.vmNames[sc.appliance[i]!]! });
  if (sc.endpointSubnet[i]! >= 0) add({ stage: 'translation', kind: 'endpoint', sourceSeen: o.sourceSeen, subnet: t.subnetNames[sc.endpointSubnet[i]!]! });
  else if (b.family[i] === 4 && sc.seenSrc[i] !== b.src[i] && hit === FlowHit.New) {
    const pool = sc.snatPool[i]! >= 0 ? t.snatPools[sc.snatPool[i]!]!.label : 'on-premises NAT address';
    // Where the documents disagree (instance IP vs NAT gateway first), say which order decided (R-SNAT-1).
    const both = vm >= 0 && t.vmPublic[vm] !== 0 && srcSubnet !== null && t.spec.vnets.some((v) => v.subnets.some((x) => `${v.name}/${x.name}` === srcSubnet && x.natGateway !== undefined));
    add({
      stage: 'translation', kind: 'snat', source: addr(b, i, 'src'), sourceSeen: o.sourceSeen, port: b.translatedSrcPort[i] || null, pool,
      outboundPrecedence: both ? t.outboundPrecedence : null,
    });
  }
  if (o.disposition === 'PolicyDenied') add({ stage: 'policy', subnet: srcSubnet, service: o.service });
  for (const s of nsgSteps(t, sc, b, i, 'Inbound')) add(s);
  const svc = sc.service[i]!;
  if (svc >= 0 && hit !== FlowHit.Cached) {
    const ep = sc.endpointSubnet[i]!;
    // R-SVC-4: say which reading decided a same-region storage request without an endpoint.
    const sameRegionRead = ep < 0 && t.serviceIsStorage[svc] === 1 && sc.serviceVerdict[i] !== ServiceVerdict.DeniedInternal && sameRegion(t, sc, i, svc);
    add({
      stage: 'service', service: t.serviceNames[svc]!, verdict: SERVICE_VERDICT_NAMES[sc.serviceVerdict[i]!]!, subnet: ep >= 0 ? t.subnetNames[ep]! : null,
      sourceSeen: o.sourceSeen, serviceError: o.serviceError, sameRegionSource: sameRegionRead ? t.storageSameRegionSource : null,
    });
  } else if (sc.serviceVerdict[i] === ServiceVerdict.FrontEnd) {
    const tag = b.family[i] === 4 ? t.serviceSpace.lookup(b.dst[i]!) : -1;
    add({ stage: 'service', service: null, verdict: 'FrontEnd', tag: tag >= 0 ? t.serviceSpaceTags[tag]! : null });
  }
  const d = b.family[i] === 4 ? t.destinations.lookup(b.dst[i]!) : -1;
  const site = d >= Dest.ON_PREM ? t.onPremNames[d - Dest.ON_PREM]! : null;
  const exit = o.disposition === 'ExitsNetwork' ? exitOf(t, sc, b, i, d) : null;
  const to = o.disposition === 'Delivered' ? (o.deliveredTo ? 'vm' : o.service ? 'service' : null) : exit?.to ?? null;
  const name = to === 'vm' ? o.deliveredTo : to === 'service' ? o.service : to === 'onPrem' || to === 'gateway' ? site : null;
  add({ stage: 'delivery', disposition: o.disposition, reason: o.reason, to, name, viaOnPremNat: exit?.viaOnPremNat ?? false, sourceSeenByDestination: o.sourceSeenByDestination });
  return { ...o, packet, steps };
}

/** Where an ExitsNetwork packet went: on-premises through the gateway, untranslated (R-SNAT-3), or the Internet. */
function exitOf(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number, d: number): { to: 'gateway' | 'onPrem' | 'internet'; viaOnPremNat: boolean } {
  const a = sc.appliance[i]!;
  const viaGateway = sc.nextHop[i] === NextHop.VirtualNetworkGateway || (a >= 0 && t.vmApplianceEgress[a] === ApplianceEgress.OnPrem);
  if (viaGateway && (d >= Dest.ON_PREM || (b.family[i] === 4 && sc.seenSrc[i] === b.src[i]))) return { to: 'gateway', viaOnPremNat: false };
  if (d >= Dest.ON_PREM) return { to: 'onPrem', viaOnPremNat: false };
  return { to: 'internet', viaOnPremNat: viaGateway };
}
