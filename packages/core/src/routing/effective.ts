// Effective routes of one subnet, as Azure prints them (R-RT-1..6, R-SE-ROUTE-1..3, R-SE-REGION).
//
// Row order (stable, like Azure's effective route list: system, then optional, then user):
//   1. VnetLocal, one per address range of the subnet's VNet (addressSpace order)       R-RT-1
//   2. Internet 0.0.0.0/0, then ::/0 when the VNet has an IPv6 range                      R-RT-1
//   3. None 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16 (Azure's order)     R-RT-1, R-RT-5
//   4. VNetPeering, per peered VNet (its `peerings` order, then VNets naming it), per range  R-RT-2
//   5. VirtualNetworkGateway, per on-premises prefix of the VNet's own gateway           R-RT-2
//   6. VirtualNetworkServiceEndpoint, per endpoint (subnet order), per prefix, v4 then v6  R-SE-ROUTE-1
//   7. User, in route table order (a service-tag route: one row with all the tag's prefixes) R-RT-3, R-RT-8
//
// Selection works per prefix (one candidate per prefix of a row); a row is Invalid when all its prefixes lost.
import type { NetworkSpec, NextHopType, RouteSource, ScenarioOptions, ServiceEndpointSpec, SubnetSpec, VnetSpec } from '../model/types.js';
import type { ServiceTag, ServiceTagSet } from '../model/service-tags/types.js';
import { endpointScope, hasStoragePolicy, isServiceTagName } from '../model/services.js';
import { parseAddress, AddressError } from '../addr/index.js';
import type { EffectiveRoute } from './types.js';
import { RoutingError } from './errors.js';
import { addrInPrefix, CoveringSet, prefixContains, rememberPrefix, tagPrefix, toPrefix, type Prefix } from './prefix.js';

/** R-RT-3: at most this many routes per route table. */
export const MAX_ROUTES_PER_TABLE = 400;

/** R-ADDR-2 / R-RT-1: reserved ranges that get a `None` system route, in the order Azure lists them. */
export const RESERVED_NONE_PREFIXES = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'] as const;

const enum Kind {
  VnetLocal,
  Internet,
  Reserved,
  Peering,
  Gateway,
  Endpoint,
  User,
}

/** R-RT-8: among user routes for one prefix, the explicit prefix, then a regional tag, then a global tag. */
const enum Order {
  GlobalTag,
  RegionalTag,
  Explicit,
}

interface Candidate {
  row: EffectiveRoute;
  prefix: Prefix;
  kind: Kind;
  order: Order;
  /** Why this prefix of the row carries no traffic, null while it may. */
  lost: string | null;
}

/** What a route's `prefix` stands for: one CIDR, or every prefix of a service tag (R-RT-8). */
interface RouteTarget {
  prefixes: Prefix[];
  tag: ServiceTag | null;
}

/** R-RT-8: resolves a route's prefix text; an unknown tag is a RoutingError naming `path`. */
function routeTarget(tags: ServiceTagSet, text: string, path: string): RouteTarget {
  if (!isServiceTagName(text)) return { prefixes: [toPrefix(text, path)], tag: null };
  const tag = tags.get(text);
  if (tag === undefined)
    throw new RoutingError(path, `unknown service tag "${text}" in tag set "${tags.source}" (expected a prefix like 10.0.0.0/16 or a service tag such as Storage or Storage.WestEurope, R-RT-8)`);
  if (tag.v4.length + tag.v6.length === 0) throw new RoutingError(path, `service tag "${tag.name}" has no address prefixes (R-RT-8)`);
  return { prefixes: tag.v4.concat(tag.v6).map((p) => tagPrefix(tags, p, `${path} (service tag ${tag.name})`)), tag };
}

/** Where a subnet lives in the network description. */
export interface SubnetRef {
  vnetIndex: number;
  subnetIndex: number;
  vnet: VnetSpec;
  subnet: SubnetSpec;
  /** `vnet/subnet`. */
  name: string;
}

export function findSubnet(net: NetworkSpec, name: string): SubnetRef {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const vn = name.slice(0, slash);
    const sn = name.slice(slash + 1);
    for (let vi = 0; vi < net.vnets.length; vi++) {
      const vnet = net.vnets[vi]!;
      if (vnet.name !== vn) continue;
      for (let si = 0; si < vnet.subnets.length; si++) {
        const subnet = vnet.subnets[si]!;
        if (subnet.name === sn) return { vnetIndex: vi, subnetIndex: si, vnet, subnet, name };
      }
    }
  }
  throw new RoutingError('subnet', `no subnet "${name}" (expected "vnet/subnet" naming a subnet of network.vnets)`);
}

/** R-RT-2: the VNets peered with `vi` (peering is symmetric), with the path of the peering that names them. */
export function peersOf(net: NetworkSpec, vi: number): VnetSpec[] {
  const vnet = net.vnets[vi]!;
  const out: VnetSpec[] = [];
  vnet.peerings.forEach((peer, k) => {
    const other = net.vnets.find((v) => v.name === peer);
    if (other === undefined)
      throw new RoutingError(`network.vnets[${vi}].peerings[${k}]`, `no VNet named "${peer}" (expected the name of a VNet)`);
    if (other !== vnet && !out.includes(other)) out.push(other);
  });
  for (const other of net.vnets) if (other !== vnet && !out.includes(other) && other.peerings.includes(vnet.name)) out.push(other);
  return out;
}

function endpointOf(e: ServiceEndpointSpec | string): ServiceEndpointSpec {
  return typeof e === 'string' ? { service: e } : e;
}

function row(
  source: RouteSource,
  prefix: string,
  nextHopType: NextHopType,
  nextHopIp: string | null,
  name: string | null,
  routeTable: string | null,
  service: string | null,
): EffectiveRoute {
  return {
    name,
    source,
    state: 'Active',
    addressPrefixes: [prefix],
    nextHopType,
    nextHopIpAddress: nextHopIp === null ? [] : [nextHopIp],
    routeTable,
    service,
    invalidReason: null,
  };
}

/** Who wins at equal prefix (R-RT-4; R-SE-ROUTE-2 in both modes). Higher wins. */
function rank(kind: Kind, mode: ScenarioOptions['endpointPrecedence']): number {
  switch (kind) {
    case Kind.User:
      return mode === 'lpm' ? 4 : 3;
    case Kind.Endpoint:
      return mode === 'lpm' ? 3 : 4;
    case Kind.Gateway:
      return 2;
    default:
      return 1;
  }
}

function describe(r: EffectiveRoute): string {
  return r.name !== null ? `${r.source} route "${r.name}"${r.serviceTag !== undefined ? ` (service tag ${r.serviceTag})` : ''}` : `${r.source} ${r.nextHopType} route`;
}

const ORDER_TEXT = ['a global service tag', 'a regional service tag', 'an explicit prefix'] as const;

/**
 * The effective routes of `subnet` (`vnet/subnet`): every row Azure would list, Active or Invalid (with a reason).
 * Throws RoutingError (with the path of the offending value) for references and routes it cannot use.
 */
export function effectiveRoutes(
  net: NetworkSpec,
  tags: ServiceTagSet,
  subnet: string,
  options: ScenarioOptions,
): EffectiveRoute[] {
  return computeRows(net, tags, findSubnet(net, subnet), options);
}

function computeRows(net: NetworkSpec, tags: ServiceTagSet, ref: SubnetRef, options: ScenarioOptions): EffectiveRoute[] {
  const { vnet, subnet, vnetIndex: vi, subnetIndex: si } = ref;
  const mode = options.endpointPrecedence ?? 'override';
  const vnetPath = `network.vnets[${vi}]`;
  const subnetPath = `${vnetPath}.subnets[${si}]`;
  const out: Candidate[] = [];
  const rows: EffectiveRoute[] = [];
  const add = (kind: Kind, prefix: Prefix, r: EffectiveRoute, order = Order.Explicit): Candidate => {
    if (rows[rows.length - 1] !== r) {
      rows.push(r);
      rememberPrefix(r, prefix);
    }
    const c: Candidate = { kind, prefix, row: r, order, lost: null };
    out.push(c);
    return c;
  };

  // The subnet's route table (R-RT-3), looked up first: R-RT-5 and BGP suppression depend on it.
  let tableIndex = -1;
  if (subnet.routeTable !== undefined && subnet.routeTable !== null) {
    tableIndex = net.routeTables.findIndex((t) => t.name === subnet.routeTable);
    if (tableIndex < 0)
      throw new RoutingError(`${subnetPath}.routeTable`, `no route table named "${subnet.routeTable}" in network.routeTables`);
  }
  const table = tableIndex >= 0 ? net.routeTables[tableIndex]! : null;
  const tablePath = `network.routeTables[${tableIndex}]`;
  if (table !== null && table.routes.length > MAX_ROUTES_PER_TABLE)
    throw new RoutingError(`${tablePath}.routes`, `a route table holds at most ${MAX_ROUTES_PER_TABLE} routes (R-RT-3), found ${table.routes.length}`);
  const userTargets = (table?.routes ?? []).map((r, k) => routeTarget(tags, r.prefix, `${tablePath}.routes[${k}].prefix`));

  const own = vnet.addressSpace.map((a, k) => toPrefix(a, `${vnetPath}.addressSpace[${k}]`));
  const peers = peersOf(net, vi);
  const peerRanges = peers.map((p) => {
    const pi = net.vnets.indexOf(p);
    return p.addressSpace.map((a, k) => toPrefix(a, `network.vnets[${pi}].addressSpace[${k}]`));
  });

  // R-RT-1: VnetLocal per range; Internet for each family the VNet uses.
  for (const p of own) add(Kind.VnetLocal, p, row('Default', p.text, 'VnetLocal', null, null, null, null));
  add(Kind.Internet, toPrefix('0.0.0.0/0', 'internal'), row('Default', '0.0.0.0/0', 'Internet', null, null, null, null));
  if (own.some((p) => p.family === 6)) add(Kind.Internet, toPrefix('::/0', 'internal'), row('Default', '::/0', 'Internet', null, null, null, null));

  // R-RT-5: a 0.0.0.0/0 UDR removes the four None routes.
  const defaultUdr = userTargets.some((t) => t.tag === null && t.prefixes[0]!.family === 4 && t.prefixes[0]!.length === 0);
  if (!defaultUdr) {
    const ranges = own.concat(...peerRanges);
    for (const text of RESERVED_NONE_PREFIXES) {
      const p = toPrefix(text, 'internal');
      // R-RT-1: a VNet range equal to the reserved prefix makes it VnetLocal (that row exists); one containing it
      // removes it. Applied to peered ranges too, so a peer's 10.0.0.0/8 is not null-routed.
      if (ranges.some((r) => prefixContains(r, p))) continue;
      add(Kind.Reserved, p, row('Default', p.text, 'None', null, null, null, null));
    }
  }

  // R-RT-2: peering routes, every subnet of both VNets.
  peerRanges.forEach((ranges) => {
    for (const p of ranges) add(Kind.Peering, p, row('Default', p.text, 'VNetPeering', null, null, null, null));
  });

  // R-RT-2: gateway routes (BGP / local network gateway) of the VNet's own gateway, unless the route table disables
  // BGP route propagation. Source VirtualNetworkGateway (the doc's optional-routes table and the REST enum).
  if (vnet.gateway !== undefined && vnet.gateway !== null && !(table?.disableBgpRoutePropagation ?? false)) {
    const seen = new Set<string>();
    const addGw = (text: string, path: string) => {
      const p = toPrefix(text, path);
      if (seen.has(p.text)) return;
      seen.add(p.text);
      add(Kind.Gateway, p, row('VirtualNetworkGateway', p.text, 'VirtualNetworkGateway', null, null, null, null));
    };
    vnet.gateway.onPremPrefixes.forEach((t, k) => addGw(t, `${vnetPath}.gateway.onPremPrefixes[${k}]`));
    net.onPrem.forEach((site, k) => {
      if (site.via === vnet.name) addGw(site.prefix, `network.onPrem[${k}].prefix`);
    });
  }

  // R-SE-ROUTE-1, R-SE-REGION, R-SE-ROUTE-3: one Default/VirtualNetworkServiceEndpoint row per prefix in scope.
  const storagePolicy = hasStoragePolicy(net, subnet);
  (subnet.serviceEndpoints ?? []).forEach((raw, k) => {
    const ep = endpointOf(raw);
    const path = `${subnetPath}.serviceEndpoints[${k}]`;
    let scope: { v4: string[]; v6: string[] };
    try {
      scope = endpointScope(tags, ep.service, vnet.region, ep.locations, storagePolicy);
    } catch (e) {
      throw new RoutingError(path, e instanceof Error ? e.message : String(e));
    }
    for (const text of scope.v4.concat(scope.v6)) {
      const p = tagPrefix(tags, text, `${path} (service tag prefix)`);
      add(Kind.Endpoint, p, row('Default', p.text, 'VirtualNetworkServiceEndpoint', null, null, null, ep.service));
    }
  });

  // R-RT-3: user-defined routes; R-RT-8: a tag route is one row, one candidate per prefix of the tag.
  const userGroups: Candidate[][] = [];
  if (table !== null) {
    table.routes.forEach((r, k) => {
      const path = `${tablePath}.routes[${k}]`;
      if (r.nextHopType === 'VNetPeering' || r.nextHopType === 'VirtualNetworkServiceEndpoint')
        throw new RoutingError(`${path}.nextHopType`, `"${r.nextHopType}" cannot be used in a user-defined route (R-RT-3); expected VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None`);
      let ip: string | null = null;
      if (r.nextHopType === 'VirtualAppliance') {
        if (r.nextHopIp === undefined || r.nextHopIp === null || r.nextHopIp === '')
          throw new RoutingError(`${path}.nextHopIp`, 'a VirtualAppliance route needs nextHopIp (R-RT-3)');
        ip = r.nextHopIp;
      }
      const target = userTargets[k]!;
      const first = target.prefixes[0]!;
      const ur = row('User', first.text, r.nextHopType, ip, r.name, table.name, null);
      if (target.tag === null) {
        userGroups.push([add(Kind.User, first, ur)]);
        return;
      }
      ur.addressPrefixes = target.prefixes.map((p) => p.text);
      ur.serviceTag = target.tag.name;
      const order = target.tag.region === '' ? Order.GlobalTag : Order.RegionalTag;
      userGroups.push(target.prefixes.map((p) => add(Kind.User, p, ur, order)));
    });
  }

  // R-RT-3: an appliance IP outside every VNet the subnet reaches, or a gateway hop without a gateway, is Invalid.
  const reachable = own.concat(...peerRanges);
  userGroups.forEach((group, k) => {
    const c = group[0]!;
    const invalidate = (_: Candidate, reason: string) => {
      for (const g of group) lose(g, reason);
    };
    if (c.row.nextHopType === 'VirtualAppliance') {
      const ipText = c.row.nextHopIpAddress[0]!;
      let a: ReturnType<typeof parseAddress>;
      try {
        a = parseAddress(ipText);
      } catch (e) {
        if (e instanceof AddressError) throw new RoutingError(`${tablePath}.routes[${k}].nextHopIp`, e.message);
        throw e;
      }
      const inside =
        a.family === 4
          ? reachable.some((r) => r.family === 4 && addrInPrefix(r, a.addr, []))
          : reachable.some((r) => r.family === 6 && addrInPrefix(r, 0, a.words));
      if (!inside) invalidate(c, `next hop IP ${ipText} is not inside a VNet this subnet can reach (R-RT-3)`);
    } else if (c.row.nextHopType === 'VirtualNetworkGateway' && (vnet.gateway === undefined || vnet.gateway === null)) {
      invalidate(c, `VNet "${vnet.name}" has no virtual network gateway (R-RT-3)`);
    }
  });

  // R-SE-ROUTE-2 override: a UDR or BGP route inside (or equal to) an endpoint prefix loses for this subnet; a wider
  // one stays Active and LPM sends the endpoint prefixes to the endpoint. Lookups stay pure LPM.
  if (mode === 'override') {
    const endpoints = new CoveringSet<Candidate>();
    for (const c of out) if (c.kind === Kind.Endpoint) endpoints.add(c.prefix, c);
    for (const c of out) {
      if ((c.kind !== Kind.User && c.kind !== Kind.Gateway) || c.lost !== null) continue;
      const e = endpoints.containing(c.prefix);
      if (e !== undefined)
        lose(c, `inside service endpoint prefix ${e.prefix.text} of ${e.row.service}: the endpoint route overrides it (R-SE-ROUTE-2, override)`);
    }
  }

  // R-RT-7: the VNet's own ranges, its peers' ranges and (in both precedence modes) service-endpoint prefixes are
  // preferred over BGP routes, even more specific ones: a BGP prefix inside one of them never carries traffic.
  const preferred = new CoveringSet<Candidate>();
  for (const c of out) if (c.kind === Kind.VnetLocal || c.kind === Kind.Peering || c.kind === Kind.Endpoint) preferred.add(c.prefix, c);
  for (const c of out) {
    if (c.kind !== Kind.Gateway || c.lost !== null) continue;
    const s = preferred.containing(c.prefix);
    if (s === undefined) continue;
    const what =
      s.kind === Kind.Endpoint
        ? `service endpoint prefix ${s.prefix.text} of ${s.row.service}: service-endpoint routes`
        : `${s.kind === Kind.VnetLocal ? 'VNet address range' : 'peered VNet range'} ${s.prefix.text}: ${s.row.nextHopType} routes`;
    lose(c, `inside ${what} are preferred over BGP routes, even more specific ones (R-RT-7)`);
  }

  // R-RT-4: one Active route per prefix; the highest rank wins (R-RT-8: among user routes, explicit > regional tag >
  // global tag), ties go to the earlier row; losers are Invalid.
  const beats = (a: Candidate, b: Candidate) => {
    const ra = rank(a.kind, mode);
    const rb = rank(b.kind, mode);
    return ra > rb || (ra === rb && a.order > b.order);
  };
  const winners = new Map<string, Candidate>();
  for (const c of out) {
    if (c.lost !== null) continue;
    const w = winners.get(c.prefix.text);
    if (w === undefined || beats(c, w)) winners.set(c.prefix.text, c);
  }
  for (const c of out) {
    if (c.lost !== null) continue;
    const w = winners.get(c.prefix.text)!;
    if (w === c) continue;
    const why =
      c.kind === Kind.User && w.kind === Kind.User && w.order !== c.order
        ? `: ${ORDER_TEXT[w.order]} beats ${ORDER_TEXT[c.order]} (R-RT-8)`
        : ` (R-RT-4${mode === 'lpm' && (w.kind === Kind.Endpoint || c.kind === Kind.Endpoint) ? ', R-SE-ROUTE-2 lpm' : ''})`;
    lose(c, `overridden by ${describe(w.row)} for ${c.row.serviceTag !== undefined ? c.prefix.text : 'the same prefix'}${why}`);
  }

  // A row is Invalid when none of its prefixes carries traffic; a tag row keeps the others and lists the lost ones.
  for (const c of out) {
    if (c.order === Order.Explicit && c.row.serviceTag === undefined) {
      if (c.lost !== null) setInvalid(c.row, c.lost);
    }
  }
  for (const group of userGroups) {
    const r = group[0]!.row;
    if (r.serviceTag === undefined) continue;
    const lost = group.filter((c) => c.lost !== null);
    if (lost.length === group.length) setInvalid(r, lost.length === 1 ? lost[0]!.lost! : `every prefix of ${r.serviceTag} is carried by another route; first: ${lost[0]!.prefix.text} ${lost[0]!.lost!}`);
    else if (lost.length > 0) r.inactivePrefixes = lost.map((c) => ({ prefix: c.prefix.text, reason: c.lost! }));
  }
  return rows;
}

function lose(c: Candidate, reason: string): void {
  if (c.lost === null) c.lost = reason;
}

function setInvalid(r: EffectiveRoute, reason: string): void {
  r.state = 'Invalid';
  r.invalidReason = reason;
}
