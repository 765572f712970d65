// R-RT-7 (VNet, peering and endpoint routes beat more specific BGP routes) and R-RT-8 (service tags as UDR prefixes):
// effective routes, FIB lookups, both endpointPrecedence modes, limits.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyNetwork, type NetworkSpec, type RouteSpec, type ScenarioOptions, type VnetSpec } from '../model/types.js';
import { loadServiceTags } from '../model/service-tags/load.js';
import { validateNetwork, validateRoute } from '../model/validate.js';
import { effectiveRoutes, MAX_ROUTES_PER_TABLE } from './effective.js';
import { compileFib, fibLookup } from './fib.js';
import { NetworkRouting } from './network-routing.js';
import { RoutingError } from './errors.js';
import type { EffectiveRoute } from './types.js';

const OVERRIDE: ScenarioOptions = { endpointPrecedence: 'override' };
const LPM: ScenarioOptions = { endpointPrecedence: 'lpm' };
const MODES = [OVERRIDE, LPM];

const TAGS = loadServiceTags(
  {
    changeNumber: 1,
    cloud: 'Public',
    values: [
      { name: 'Storage', properties: { region: '', addressPrefixes: ['52.239.0.0/23', '52.239.8.0/23', '52.239.16.0/23', '2603:1020:200::/48', '2603:1030:100::/48'] } },
      { name: 'Storage.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['52.239.0.0/23', '2603:1020:200::/48'] } },
      { name: 'Storage.NorthEurope', properties: { region: 'northeurope', addressPrefixes: ['52.239.8.0/23'] } },
      { name: 'Storage.EastUS', properties: { region: 'eastus', addressPrefixes: ['52.239.16.0/23', '2603:1030:100::/48'] } },
      { name: 'Sql', properties: { region: '', addressPrefixes: ['40.68.0.0/23', '40.79.0.0/23'] } },
      { name: 'Sql.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['40.68.0.0/23'] } },
      { name: 'Sql.EastUS', properties: { region: 'eastus', addressPrefixes: ['40.79.0.0/23'] } },
    ],
  },
  'inline-test',
);

function vnet(name: string, addressSpace: string[], subnets: VnetSpec['subnets'], extra: Partial<VnetSpec> = {}): VnetSpec {
  return { name, region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager', addressSpace, peerings: [], subnets, ...extra };
}

/** hub 10.0.0.0/16 (subnet a with route table rt, subnet nva), peered spoke 10.1.0.0/16, a gateway on the hub. */
function network(routes: RouteSpec[], opts: { bgp?: string[]; endpoints?: string[] } = {}): NetworkSpec {
  const net = emptyNetwork();
  net.vnets.push(
    vnet('hub', ['10.0.0.0/16'], [
      { name: 'a', prefix: '10.0.1.0/24', routeTable: 'rt', serviceEndpoints: (opts.endpoints ?? []).map((service) => ({ service })), endpointPolicies: [] },
      { name: 'nva', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] },
    ], { peerings: ['spoke'], gateway: { onPremPrefixes: opts.bgp ?? [], natIps: [] } }),
    vnet('spoke', ['10.1.0.0/16'], [{ name: 'web', prefix: '10.1.1.0/24', serviceEndpoints: [], endpointPolicies: [] }]),
  );
  net.routeTables.push({ name: 'rt', disableBgpRoutePropagation: false, routes });
  return net;
}

const nva = (name: string, prefix: string): RouteSpec => ({ name, prefix, nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' });
const rowsAt = (rs: EffectiveRoute[], prefix: string) => rs.filter((r) => r.addressPrefixes.includes(prefix));
const hop = (rs: EffectiveRoute[], addr: string) => {
  const r = fibLookup(compileFib(rs), addr);
  return r === null ? 'no route' : `${r.nextHopType}${r.name !== null ? ` ${r.name}` : ''}`;
};

describe('R-RT-7: VNet, peering and endpoint routes beat more specific BGP routes', () => {
  const bgp = ['10.0.5.0/24', '10.1.1.0/24', '10.0.0.0/16', '192.168.0.0/16'];

  it.each(MODES)('R-RT-7: BGP prefixes inside the VNet or a peered range are Invalid with a reason ($endpointPrecedence)', (mode) => {
    const rs = effectiveRoutes(network([], { bgp }), TAGS, 'hub/a', mode);
    const gw = (p: string) => rowsAt(rs, p).find((r) => r.source === 'VirtualNetworkGateway')!;
    expect(gw('10.0.5.0/24').state).toBe('Invalid');
    expect(gw('10.0.5.0/24').invalidReason).toMatch(/VNet address range 10\.0\.0\.0\/16.*preferred over BGP.*R-RT-7/);
    expect(gw('10.1.1.0/24').state).toBe('Invalid');
    expect(gw('10.1.1.0/24').invalidReason).toMatch(/peered VNet range 10\.1\.0\.0\/16.*R-RT-7/);
    // equal to the VNet range: still the VNet route (R-RT-7 beats R-RT-4's BGP > Default)
    expect(gw('10.0.0.0/16').state).toBe('Invalid');
    expect(rowsAt(rs, '10.0.0.0/16').find((r) => r.nextHopType === 'VnetLocal')!.state).toBe('Active');
    // outside every VNet range: BGP as usual
    expect(gw('192.168.0.0/16').state).toBe('Active');
  });

  it.each(MODES)('R-RT-7: the FIB keeps VnetLocal / VNetPeering for those prefixes ($endpointPrecedence)', (mode) => {
    const rs = effectiveRoutes(network([], { bgp }), TAGS, 'hub/a', mode);
    expect(hop(rs, '10.0.5.4')).toBe('VnetLocal');
    expect(hop(rs, '10.0.0.9')).toBe('VnetLocal');
    expect(hop(rs, '10.1.1.4')).toBe('VNetPeering');
    expect(hop(rs, '192.168.20.5')).toBe('VirtualNetworkGateway');
    // the spoke has no gateway of its own: its own range is VnetLocal
    expect(hop(effectiveRoutes(network([], { bgp }), TAGS, 'spoke/web', mode), '10.1.1.4')).toBe('VnetLocal');
  });

  it.each(MODES)('R-RT-7: service-endpoint routes beat a more specific BGP route ($endpointPrecedence)', (mode) => {
    const rs = effectiveRoutes(network([], { bgp: ['52.239.1.0/24', '0.0.0.0/0'], endpoints: ['Microsoft.Storage'] }), TAGS, 'hub/a', mode);
    const row = rowsAt(rs, '52.239.1.0/24')[0]!;
    expect(row.state).toBe('Invalid');
    expect(row.invalidReason).toMatch(mode === LPM ? /service-endpoint routes are preferred over BGP.*R-RT-7/ : /R-SE-ROUTE-2/);
    expect(hop(rs, '52.239.1.10')).toBe('VirtualNetworkServiceEndpoint');
    expect(hop(rs, '93.184.216.34')).toBe('VirtualNetworkGateway');
  });

  it.each(MODES)('R-RT-7: a UDR still overrides the VNet route (R-RT-4) ($endpointPrecedence)', (mode) => {
    const udr: RouteSpec = { name: 'data-nva', prefix: '10.0.5.0/24', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' };
    const rs = effectiveRoutes(network([udr], { bgp }), TAGS, 'hub/a', mode);
    expect(rowsAt(rs, '10.0.5.0/24').map((r) => [r.source, r.state])).toEqual([['VirtualNetworkGateway', 'Invalid'], ['User', 'Active']]);
    expect(hop(rs, '10.0.5.4')).toBe('VirtualAppliance data-nva');
    expect(hop(rs, '10.0.6.4')).toBe('VnetLocal');
  });
});

describe('R-RT-8: service tags as user-defined route prefixes', () => {

  it('R-RT-8: a tag route is one User row listing every prefix of the tag, v4 and v6', () => {
    const rs = effectiveRoutes(network([nva('to-storage', 'Storage.WestEurope')]), TAGS, 'hub/a', OVERRIDE);
    const user = rs.filter((r) => r.source === 'User');
    expect(user).toHaveLength(1);
    expect(user[0]).toMatchObject({
      name: 'to-storage', state: 'Active', serviceTag: 'Storage.WestEurope', nextHopType: 'VirtualAppliance',
      addressPrefixes: ['52.239.0.0/23', '2603:1020:200::/48'], nextHopIpAddress: ['10.0.2.4'], routeTable: 'rt',
    });
    expect(user[0]!.inactivePrefixes).toBeUndefined();
  });

  it('R-RT-8: FIB lookups inside every tag prefix (IPv4 and IPv6) pick the tag route; outside, the usual routes', () => {
    const rs = effectiveRoutes(network([nva('to-storage', 'storage.eastus')]), TAGS, 'hub/a', OVERRIDE); // case-insensitive name
    const fib = compileFib(rs);
    for (const a of ['52.239.16.0', '52.239.17.255', '52.239.16.77', '2603:1030:100::1', '2603:1030:100:ffff::9'])
      expect(fibLookup(fib, a)?.name).toBe('to-storage');
    expect(fibLookup(fib, '52.239.18.1')!.nextHopType).toBe('Internet');
    expect(fibLookup(fib, '52.239.0.10')!.nextHopType).toBe('Internet');
    expect(rs.find((r) => r.name === 'to-storage')!.serviceTag).toBe('Storage.EastUS');
  });

  it('R-RT-8: an unknown tag is a clear error (effective routes, validation of the network and of one route)', () => {
    expect(() => effectiveRoutes(network([nva('x', 'Storage.Atlantis')]), TAGS, 'hub/a', OVERRIDE)).toThrow(RoutingError);
    expect(() => effectiveRoutes(network([nva('x', 'Storage.Atlantis')]), TAGS, 'hub/a', OVERRIDE)).toThrow(
      /network\.routeTables\[0\]\.routes\[0\]\.prefix: unknown service tag "Storage.Atlantis".*R-RT-8/,
    );
    const problems = validateNetwork(network([nva('x', 'Storage.Atlantis')]), TAGS);
    expect(problems).toEqual([expect.objectContaining({ path: 'network.routeTables[0].routes[0].prefix', message: expect.stringMatching(/unknown service tag "Storage.Atlantis"/) })]);
    expect(validateNetwork(network([nva('x', 'Sql.EastUS')]), TAGS)).toEqual([]);
    expect(validateRoute(nva('x', 'Storage'), 'r', TAGS)).toEqual([]);
    expect(validateRoute(nva('x', 'Bogus'), 'r', TAGS)[0]!.message).toMatch(/unknown service tag "Bogus"/);
    // a broken CIDR is still a CIDR error, not a tag error
    expect(validateRoute(nva('x', '10.0.0.1/16'), 'r', TAGS)[0]!.message).toMatch(/did you mean 10\.0\.0\.0\/16/);
  });

  it('R-RT-8: same prefix from an explicit route, a regional tag and a global tag: explicit > regional > global, in any table order', () => {
    const routes = [
      { name: 'global', prefix: 'Storage', nextHopType: 'Internet' as const },
      nva('regional', 'Storage.WestEurope'),
      { name: 'explicit', prefix: '52.239.0.0/23', nextHopType: 'None' as const },
    ];
    for (const order of [routes, [...routes].reverse()]) {
      const rs = effectiveRoutes(network(order), TAGS, 'hub/a', OVERRIDE);
      expect(hop(rs, '52.239.0.10')).toBe('None explicit');
      expect(hop(rs, '2603:1020:200::5')).toBe('VirtualAppliance regional');
      expect(hop(rs, '52.239.8.1')).toBe('Internet global');
      expect(hop(rs, '2603:1030:100::5')).toBe('Internet global');
      const regional = rs.find((r) => r.name === 'regional')!;
      expect(regional.state).toBe('Active');
      expect(regional.inactivePrefixes).toEqual([{ prefix: '52.239.0.0/23', reason: expect.stringMatching(/"explicit".*an explicit prefix beats a regional service tag \(R-RT-8\)/) }]);
      const global = rs.find((r) => r.name === 'global')!;
      expect(global.state).toBe('Active');
      expect(global.inactivePrefixes!.map((x) => x.prefix).sort()).toEqual(['2603:1020:200::/48', '52.239.0.0/23']);
      expect(global.inactivePrefixes!.find((x) => x.prefix === '2603:1020:200::/48')!.reason).toMatch(/a regional service tag beats a global service tag \(R-RT-8\)/);
    }
    // without the explicit route the regional tag carries its prefix
    const rs = effectiveRoutes(network(routes.slice(0, 2)), TAGS, 'hub/a', OVERRIDE);
    expect(hop(rs, '52.239.0.10')).toBe('VirtualAppliance regional');
  });

  it('R-RT-8: a tag route whose every prefix is carried by other routes is Invalid', () => {
    const rs = effectiveRoutes(network([nva('sql-we', 'Sql.WestEurope'), { name: 'sql-explicit', prefix: '40.68.0.0/23', nextHopType: 'None' }]), TAGS, 'hub/a', OVERRIDE);
    const tag = rs.find((r) => r.name === 'sql-we')!;
    expect(tag.state).toBe('Invalid');
    expect(tag.invalidReason).toMatch(/explicit prefix beats a regional service tag \(R-RT-8\)/);
    expect(hop(rs, '40.68.0.1')).toBe('None sql-explicit');
  });

  it('R-RT-8: a tag route is a User route at equal length: it beats BGP and Default routes for its prefixes', () => {
    const rs = effectiveRoutes(network([nva('to-storage', 'Storage.WestEurope')], { bgp: ['52.239.0.0/23', '0.0.0.0/0'] }), TAGS, 'hub/a', OVERRIDE);
    const bgp = rs.find((r) => r.source === 'VirtualNetworkGateway' && r.addressPrefixes[0] === '52.239.0.0/23')!;
    expect(bgp.state).toBe('Invalid');
    expect(bgp.invalidReason).toMatch(/User route "to-storage" \(service tag Storage.WestEurope\).*R-RT-4/);
    expect(hop(rs, '52.239.1.1')).toBe('VirtualAppliance to-storage');
    expect(hop(rs, '52.239.8.1')).toBe('VirtualNetworkGateway');
  });

  it('R-RT-8, R-SE-ROUTE-2 override: the endpoint keeps its prefixes; the tag route carries the rest', () => {
    const rs = effectiveRoutes(network([nva('all-storage', 'Storage')], { endpoints: ['Microsoft.Storage'] }), TAGS, 'hub/a', OVERRIDE);
    const tag = rs.find((r) => r.name === 'all-storage')!;
    expect(tag.state).toBe('Active');
    // Storage.WestEurope + paired NorthEurope are the endpoint's: those prefixes of the tag route are out of the FIB
    expect(tag.inactivePrefixes!.map((x) => x.prefix).sort()).toEqual(['2603:1020:200::/48', '52.239.0.0/23', '52.239.8.0/23']);
    expect(tag.inactivePrefixes![0]!.reason).toMatch(/R-SE-ROUTE-2, override/);
    expect(hop(rs, '52.239.0.10')).toBe('VirtualNetworkServiceEndpoint');
    expect(hop(rs, '52.239.8.10')).toBe('VirtualNetworkServiceEndpoint');
    expect(hop(rs, '2603:1020:200::5')).toBe('VirtualNetworkServiceEndpoint');
    expect(hop(rs, '52.239.16.10')).toBe('VirtualAppliance all-storage');
    expect(hop(rs, '2603:1030:100::5')).toBe('VirtualAppliance all-storage');
  });

  it('R-RT-8, R-SE-ROUTE-2 lpm: the tag route (User) wins at equal length; endpoint rows for its prefixes are Invalid', () => {
    const rs = effectiveRoutes(network([nva('all-storage', 'Storage')], { endpoints: ['Microsoft.Storage'] }), TAGS, 'hub/a', LPM);
    const tag = rs.find((r) => r.name === 'all-storage')!;
    expect(tag.state).toBe('Active');
    expect(tag.inactivePrefixes).toBeUndefined();
    const ep = rs.filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    expect(ep.length).toBeGreaterThan(0);
    for (const r of ep) {
      expect(r.state).toBe('Invalid');
      expect(r.invalidReason).toMatch(/User route "all-storage".*R-SE-ROUTE-2 lpm/);
    }
    for (const a of ['52.239.0.10', '52.239.8.10', '52.239.16.10', '2603:1020:200::5']) expect(hop(rs, a)).toBe('VirtualAppliance all-storage');
  });

  it('R-RT-8: a tag route counts as one route towards the 400 limit', () => {
    const routes: RouteSpec[] = [nva('all-storage', 'Storage')];
    for (let i = 1; i < MAX_ROUTES_PER_TABLE; i++) routes.push({ name: `r${i}`, prefix: `20.${i >> 8}.${i & 255}.0/24`, nextHopType: 'None' });
    expect(routes).toHaveLength(400);
    expect(validateNetwork(network(routes), TAGS)).toEqual([]);
    const rs = effectiveRoutes(network(routes), TAGS, 'hub/a', OVERRIDE);
    expect(rs.filter((r) => r.source === 'User')).toHaveLength(400);
    routes.push({ name: 'one-more', prefix: '21.0.0.0/24', nextHopType: 'None' });
    expect(validateNetwork(network(routes), TAGS).map((p) => p.message).join()).toMatch(/401 routes, expected at most 400/);
    expect(() => effectiveRoutes(network(routes), TAGS, 'hub/a', OVERRIDE)).toThrow(/at most 400 routes/);
  });

  it('R-RT-8: NetworkRouting recompiles a subnet with a tag route when the tag set changes', () => {
    const net = network([nva('to-storage', 'Storage.WestEurope')]);
    const r = new NetworkRouting(net, TAGS, OVERRIDE);
    expect(r.lookupRoute('hub/a', '52.239.0.10')?.name).toBe('to-storage');
    const moved = loadServiceTags(
      { changeNumber: 2, cloud: 'Public', values: [{ name: 'Storage.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['52.240.0.0/23'] } }] },
      'moved',
    );
    expect(r.update(net, moved)).toEqual(['hub/a']);
    expect(r.lookupRoute('hub/a', '52.239.0.10')?.nextHopType).toBe('Internet');
    expect(r.lookupRoute('hub/a', '52.240.1.1')?.name).toBe('to-storage');
  });
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const realTagsFile = path.join(root, '../shared/data/service-tags/ServiceTags_Public.cn376.json');
const present = existsSync(realTagsFile);

describe('R-RT-8 with Microsoft\'s tag file (../shared/data/service-tags/ServiceTags_Public.cn376.json)', () => {
  it.skipIf(!present)('R-RT-8: a Storage.WestEurope route lists all its real prefixes in one row and the FIB covers each', () => {
    const tags = loadServiceTags(JSON.parse(readFileSync(realTagsFile, 'utf8')), realTagsFile);
    const tag = tags.get('Storage.WestEurope')!;
    const rs = effectiveRoutes(network([nva('to-storage', 'Storage.WestEurope')]), tags, 'hub/a', OVERRIDE);
    const row = rs.find((r) => r.name === 'to-storage')!;
    expect(row.addressPrefixes).toEqual([...tag.v4, ...tag.v6]);
    expect(row.addressPrefixes.length).toBeGreaterThan(20);
    const fib = compileFib(rs);
    for (const p of row.addressPrefixes) expect(fibLookup(fib, p.split('/')[0]!)?.name).toBe('to-storage');
  });
});
