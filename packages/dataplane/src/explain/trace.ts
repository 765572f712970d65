// Explains a packet's verdict: the disposition plus the ordered steps that decided it (STYLE.md 6: Batfish's
// Trace{disposition, hops[steps]}), read from the columns the fast path filled and the same compiled tables.
import {
  Disposition,
  DISPOSITION_NAMES,
  DROP_REASON_NAMES,
  DROP_REASON_DESCRIPTIONS,
  NEXT_HOP_NAMES,
  NextHop,
  endpointService,
  formatIpv4,
  matchedPrefix,
  formatIpv6,
  type DispositionName,
  type DropReasonName,
  type EffectiveRoute,
  type NsgClassifier,
} from '@vnetsim/core';
import { protocolLabel } from '@vnetsim/core';
import { Purpose, type PacketBatch } from '../packet/batch.js';
import { ServiceVerdict, NO_HOP, type Scratch } from '../stages/context.js';
import { sameRegion } from '../stages/service.js';
import { FlowHit } from '../stages/flow-lookup.js';
import { ApplianceEgress, Dest, Ingress, type CompiledTables } from '../tables.js';

export interface TraceStep {
  stage: 'ingress' | 'platform' | 'flow' | 'nsg' | 'route' | 'forward' | 'translation' | 'appliance' | 'policy' | 'service' | 'delivery';
  text: string;
  /** For NSG steps: the rule (`securityRules/x`), its priority, access, and which NSG at which level. */
  rule?: string;
  priority?: number;
  access?: 'Allow' | 'Deny';
  nsg?: string;
  level?: 'nic' | 'subnet';
  /** For route steps. */
  route?: { prefix: string; source: string; nextHopType: string; nextHopIp: string | null; name: string | null; routeTable: string };
}

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

function ruleStep(c: NsgClassifier | null, r: number, level: 'nic' | 'subnet', dir: string): TraceStep | null {
  if (c === null || r < 0) return null;
  const rule = c.rules[r]!;
  const access = c.allow[r] === 1 ? 'Allow' : 'Deny';
  return {
    stage: 'nsg',
    text: `${dir} ${level} NSG ${c.nsg}: ${rule.name} (priority ${rule.priority}) -> ${access}`,
    rule: rule.name,
    priority: rule.priority,
    access,
    nsg: c.nsg,
    level,
  };
}

/** The deciding NSG rule of row i: a Deny, else the last Allow evaluated (R-NSG-4 order). */
function decidingRule(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number): string | null {
  const vm = sc.srcVm[i]!;
  const dst = b.egressVm[i]!;
  const levels: Array<[NsgClassifier | null, number]> = [
    [vm >= 0 ? t.vmNicOut[vm]! : null, sc.ruleNicOut[i]!],
    [sc.srcSubnet[i]! >= 0 ? t.subnetNsgOut[sc.srcSubnet[i]!]! : null, sc.ruleSubnetOut[i]!],
    [dst >= 0 ? t.subnetNsgIn[t.vmSubnet[dst]!]! : null, sc.ruleSubnetIn[i]!],
    [dst >= 0 ? t.vmNicIn[dst]! : null, sc.ruleNicIn[i]!],
  ];
  let last: string | null = null;
  for (const [c, r] of levels) {
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
    nextHopType: route?.nextHopType ?? (sc.nextHop[i] !== NO_HOP ? NEXT_HOP_NAMES[sc.nextHop[i]!]! : null),
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
  const proto = protocolLabel(b.proto[i]!);
  const packet = `${proto} ${addr(b, i, 'src')}:${b.srcPort[i]} -> ${addr(b, i, 'dst')}:${b.dstPort[i]}`;
  const ing = b.ingress[i]!;
  const vm = sc.srcVm[i]!;
  const from =
    vm >= 0 ? `VM ${t.vmNames[vm]} in ${t.subnetNames[sc.srcSubnet[i]!]}`
    : sc.srcSubnet[i]! >= 0 ? `a host of subnet ${t.subnetNames[sc.srcSubnet[i]!]}`
    : ing >= Ingress.ON_PREM ? `on-premises site ${t.onPremNames[ing - Ingress.ON_PREM]}`
    : 'an Internet host';
  steps.push({ stage: 'ingress', text: `from ${from}` });
  if (b.purpose[i] === Purpose.DiskIo) {
    steps.push({ stage: 'platform', text: 'VM disk IO takes the platform storage path: no NSG, route or service endpoint applies (R-SE-8)' });
    steps.push({ stage: 'delivery', text: 'delivered to the disk storage' });
    return { ...o, packet, steps };
  }
  const hit = sc.flowHit[i]!;
  if (o.disposition === 'FlowReset') {
    steps.push({ stage: 'flow', text: `flow ${b.flowId[i]} was reset by a service-endpoint toggle: the connection is gone (R-SE-2)` });
    return { ...o, packet, steps };
  }
  if (hit !== FlowHit.New)
    steps.push({ stage: 'flow', text: `packet of recorded flow ${b.flowId[i]} (${sc.flowDir[i] === 0 ? 'forward' : 'reverse'}): NSG rules not evaluated again (R-NSG-5)${hit === FlowHit.Cached ? '; the flow\'s recorded result applies' : '; its routes changed, forwarding again'}` });
  const out = [ruleStep(vm >= 0 ? t.vmNicOut[vm]! : null, sc.ruleNicOut[i]!, 'nic', 'outbound'),
    ruleStep(sc.srcSubnet[i]! >= 0 ? t.subnetNsgOut[sc.srcSubnet[i]!]! : null, sc.ruleSubnetOut[i]!, 'subnet', 'outbound')];
  for (const s of out) if (s !== null) steps.push(s);
  const route = routeOf(t, sc, b, i);
  if (route !== null) {
    // R-RT-8: a service-tag route names its tag and the prefix of it that matched.
    const prefix = matchedPrefix(route, addr(b, i, 'dst'));
    steps.push({
      stage: 'route',
      text: `route ${route.serviceTag !== undefined ? `${route.serviceTag} ${prefix}` : prefix} (${route.source}${route.name ? `, ${route.name}` : ''}${route.routeTable ? ` in ${route.routeTable}` : ''}${route.service ? `, service endpoint ${route.service}` : ''}) -> ${route.nextHopType}${route.nextHopIpAddress[0] ? ` ${route.nextHopIpAddress[0]}` : ''}`,
      route: {
        prefix,
        source: route.source,
        nextHopType: route.nextHopType,
        nextHopIp: route.nextHopIpAddress[0] ?? null,
        name: route.name,
        routeTable: route.routeTable ?? 'System Route',
      },
    });
  } else if (o.disposition === 'NoRoute' && hit === FlowHit.New) steps.push({ stage: 'route', text: 'no route covers the destination' });
  if (sc.appliance[i]! >= 0) steps.push({ stage: 'appliance', text: `virtual appliance ${t.vmNames[sc.appliance[i]!]} forwards per its egress (R-SNAT-3)` });
  if (sc.endpointSubnet[i]! >= 0)
    steps.push({ stage: 'translation', text: `no translation: the service sees private source ${o.sourceSeen} and subnet ${t.subnetNames[sc.endpointSubnet[i]!]} (R-SE-1)` });
  else if (b.family[i] === 4 && sc.seenSrc[i] !== b.src[i] && hit === FlowHit.New) {
    const pool = sc.snatPool[i]! >= 0 ? t.snatPools[sc.snatPool[i]!]!.label : 'on-premises NAT address';
    // Where the documents disagree (instance IP vs NAT gateway first), say which order decided (R-SNAT-1).
    const both = vm >= 0 && t.vmPublic[vm] !== 0 && sc.srcSubnet[i]! >= 0 && t.spec.vnets.some((v) => v.subnets.some((x) => `${v.name}/${x.name}` === t.subnetNames[sc.srcSubnet[i]!] && x.natGateway !== undefined));
    const order = both ? `; outboundPrecedence ${t.outboundPrecedence}` : '';
    steps.push({ stage: 'translation', text: `source ${addr(b, i, 'src')} -> ${o.sourceSeen}${b.translatedSrcPort[i] ? `:${b.translatedSrcPort[i]}` : ''} (${pool}${order}, R-SNAT-1)` });
  }
  if (o.disposition === 'PolicyDenied') steps.push({ stage: 'policy', text: 'endpoint policy of the subnet does not list this resource (R-POL-1)' });
  const dst = b.egressVm[i]!;
  const inn = [ruleStep(dst >= 0 ? t.subnetNsgIn[t.vmSubnet[dst]!]! : null, sc.ruleSubnetIn[i]!, 'subnet', 'inbound'),
    ruleStep(dst >= 0 ? t.vmNicIn[dst]! : null, sc.ruleNicIn[i]!, 'nic', 'inbound')];
  for (const s of inn) if (s !== null) steps.push(s);
  const svc = sc.service[i]!;
  if (svc >= 0 && hit !== FlowHit.Cached) {
    const name = t.serviceNames[svc]!;
    const texts: Record<number, string> = {
      [ServiceVerdict.AllowAll]: 'defaultAction Allow',
      [ServiceVerdict.VnetRule]: `virtual network rule for ${o.sourceSeen ? t.subnetNames[sc.endpointSubnet[i]!] : ''}`,
      [ServiceVerdict.IpRule]: `IP rule matches ${o.sourceSeen}`,
      [ServiceVerdict.DeniedVnet]: `defaultAction Deny and no virtual network rule for ${t.subnetNames[sc.endpointSubnet[i]!] ?? ''} -> ${o.serviceError}`,
      [ServiceVerdict.DeniedIp]: `defaultAction Deny and no IP rule for ${o.sourceSeen}${sc.endpointSubnet[i]! < 0 ? '' : ''} -> ${o.serviceError}`,
      [ServiceVerdict.DeniedInternal]: `defaultAction Deny; a request from the account's own region without an endpoint arrives from an Azure-internal address, which no IP rule admits (storageSameRegionSource azureInternal, R-SVC-4) -> ${o.serviceError}`,
    };
    // R-SVC-4: say which reading decided a same-region storage request without an endpoint.
    const reading =
      sc.endpointSubnet[i]! < 0 && t.serviceIsStorage[svc] === 1 && sc.serviceVerdict[i] !== ServiceVerdict.DeniedInternal && sameRegion(t, sc, i, svc)
        ? `, R-SVC-4: same-region request, storageSameRegionSource ${t.storageSameRegionSource}`
        : '';
    steps.push({ stage: 'service', text: `${name} firewall: ${texts[sc.serviceVerdict[i]!] ?? 'not evaluated'} (R-SVC-1${reading})` });
  } else if (sc.serviceVerdict[i] === ServiceVerdict.FrontEnd) {
    const tag = b.family[i] === 4 ? t.serviceSpace.lookup(b.dst[i]!) : -1;
    steps.push({ stage: 'service', text: `an address of ${tag >= 0 ? t.serviceSpaceTags[tag] : 'an Azure service'}; no resource of the scenario holds it: the service front end answers` });
  }
  const d = b.family[i] === 4 ? t.destinations.lookup(b.dst[i]!) : -1;
  const final =
    o.disposition === 'Delivered' ? (o.deliveredTo ? `delivered to VM ${o.deliveredTo}` : o.service ? `delivered to ${o.service}` : 'delivered')
    : o.disposition === 'ExitsNetwork' ? exitText(t, sc, b, i, d)
    : `${o.disposition}: ${DROP_REASON_DESCRIPTIONS[o.reason ?? 'None']}`;
  steps.push({ stage: 'delivery', text: o.sourceSeenByDestination === null ? final : `${final}; source seen by the destination ${o.sourceSeenByDestination}` });
  return { ...o, packet, steps };
}

/** Where an ExitsNetwork packet went: on-premises through the gateway, untranslated (R-SNAT-3), or the Internet. */
function exitText(t: CompiledTables, sc: Scratch, b: PacketBatch, i: number, d: number): string {
  const a = sc.appliance[i]!;
  const viaGateway = sc.nextHop[i] === NextHop.VirtualNetworkGateway || (a >= 0 && t.vmApplianceEgress[a] === ApplianceEgress.OnPrem);
  const site = d >= Dest.ON_PREM ? ` (on-premises site ${t.onPremNames[d - Dest.ON_PREM]})` : '';
  if (viaGateway && (d >= Dest.ON_PREM || (b.family[i] === 4 && sc.seenSrc[i] === b.src[i])))
    return `delivered on-premises via the gateway, untranslated${site} (R-SNAT-3)`;
  if (d >= Dest.ON_PREM) return `leaves to on-premises site ${t.onPremNames[d - Dest.ON_PREM]}`;
  return viaGateway ? 'leaves to the Internet from the on-premises NAT address (R-SNAT-3)' : 'leaves to the Internet';
}
