import { describe, expect, it } from 'vitest';
import { emptyNetwork, type NetworkSpec, type RouteSpec, type ScenarioOptions, type VnetSpec } from '../model/types.js';
import { loadServiceTags } from '../model/service-tags/load.js';
import { builtinServiceTags } from '../model/service-tags/builtin.js';
import { effectiveRoutes } from './effective.js';
import { compileFib, fibLookup } from './fib.js';
import { RoutingError } from './errors.js';
import type { EffectiveRoute } from './types.js';

const OVERRIDE: ScenarioOptions = { endpointPrecedence: 'override' };
const LPM: ScenarioOptions = { endpointPrecedence: 'lpm' };

/** A small inline tag set (Microsoft's format) standing in for the real file. */
const TAGS = loadServiceTags(
  {
    changeNumber: 1,
    cloud: 'Public',
    values: [
      { name: 'Storage', properties: { region: '', addressPrefixes: ['52.239.0.0/23', '52.239.8.0/23', '52.239.16.0/23', '2603:1020:200::/48'] } },
      { name: 'Storage.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['52.239.0.0/23', '2603:1020:200::/48'] } },
      { name: 'Storage.NorthEurope', properties: { region: 'northeurope', addressPrefixes: ['52.239.8.0/23'] } },
      { name: 'Storage.EastUS', properties: { region: 'eastus', addressPrefixes: ['52.239.16.0/23'] } },
      { name: 'Sql', properties: { region: '', addressPrefixes: ['40.68.0.0/23', '40.68.8.0/23'] } },
      { name: 'Sql.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['40.68.0.0/23'] } },
      { name: 'Sql.NorthEurope', properties: { region: 'northeurope', addressPrefixes: ['40.68.8.0/23'] } },
      { name: 'AzureKeyVault', properties: { region: '', addressPrefixes: ['52.236.0.0/25'] } },
    ],
  },
  'inline-test',
);

function vnet(name: string, addressSpace: string[], extra: Partial<VnetSpec> = {}): VnetSpec {
  return {
    name, region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager', addressSpace,
    peerings: [], subnets: [{ name: 'a', prefix: addressSpace[0]!, serviceEndpoints: [], endpointPolicies: [] }], ...extra,
  };
}

/** hub 10.0.0.0/16 (subnet a, with route table rt when routes given) . */
function network(routes?: RouteSpec[], opts: { disableBgp?: boolean; endpoints?: string[] } = {}): NetworkSpec {
  const net = emptyNetwork();
  const hub = vnet('hub', ['10.0.0.0/16']);
  hub.subnets = [
    { name: 'a', prefix: '10.0.1.0/24', serviceEndpoints: (opts.endpoints ?? []).map((service) => ({ service })), endpointPolicies: [] },
    { name: 'b', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] },
  ];
  if (routes !== undefined) {
    hub.subnets[0]!.routeTable = 'rt';
    net.routeTables.push({ name: 'rt', disableBgpRoutePropagation: opts.disableBgp ?? false, routes });
  }
  net.vnets.push(hub);
  return net;
}

const brief = (rs: EffectiveRoute[]) => rs.map((r) => `${r.source} ${r.state} ${r.addressPrefixes[0]} ${r.nextHopType}`);
const rowsFor = (rs: EffectiveRoute[], prefix: string) => rs.filter((r) => r.addressPrefixes[0] === prefix);
const hop = (rs: EffectiveRoute[], addr: string) => {
  const r = fibLookup(compileFib(rs), addr);
  return r === null ? 'no route' : `${r.nextHopType}${r.name !== null ? ` ${r.name}` : ''}`;
};

describe('system routes', () => {
  it('R-RT-1: VnetLocal per range, 0.0.0.0/0 Internet, four None routes, in Azure order', () => {
    const rs = effectiveRoutes(network(), TAGS, 'hub/a', OVERRIDE);
    expect(brief(rs)).toEqual([
      'Default Active 10.0.0.0/16 VnetLocal',
      'Default Active 0.0.0.0/0 Internet',
      'Default Active 10.0.0.0/8 None',
      'Default Active 100.64.0.0/10 None',
      'Default Active 172.16.0.0/12 None',
      'Default Active 192.168.0.0/16 None',
    ]);
    for (const r of rs) {
      expect(r.nextHopIpAddress).toEqual([]);
      expect(r.name).toBeNull();
      expect(r.routeTable).toBeNull();
    }
    expect(hop(rs, '10.0.9.9')).toBe('VnetLocal');
    expect(hop(rs, '10.1.0.1')).toBe('None');
    expect(hop(rs, '8.8.8.8')).toBe('Internet');
  });

  it('R-RT-1: a range equal to a reserved prefix makes it VnetLocal; one containing it removes it', () => {
    const net = emptyNetwork();
    net.vnets.push(vnet('v', ['10.0.0.0/8', '100.0.0.0/8']));
    const rs = effectiveRoutes(net, TAGS, 'v/a', OVERRIDE);
    expect(rowsFor(rs, '10.0.0.0/8').map((r) => r.nextHopType)).toEqual(['VnetLocal']);
    expect(rowsFor(rs, '100.64.0.0/10')).toEqual([]);
    expect(rowsFor(rs, '172.16.0.0/12').map((r) => r.nextHopType)).toEqual(['None']);
    expect(rs.every((r) => r.state === 'Active')).toBe(true);
    expect(hop(rs, '100.64.1.1')).toBe('VnetLocal');
  });

  it('R-RT-1: IPv6 ranges are VnetLocal and ::/0 goes to the Internet', () => {
    const net = emptyNetwork();
    net.vnets.push(vnet('v', ['10.0.0.0/16', 'fd00:db8::/48']));
    const rs = effectiveRoutes(net, TAGS, 'v/a', OVERRIDE);
    expect(brief(rs).slice(0, 4)).toEqual([
      'Default Active 10.0.0.0/16 VnetLocal',
      'Default Active fd00:db8::/48 VnetLocal',
      'Default Active 0.0.0.0/0 Internet',
      'Default Active ::/0 Internet',
    ]);
    expect(hop(rs, 'fd00:db8::5')).toBe('VnetLocal');
    expect(hop(rs, '2001:db8::1')).toBe('Internet');
  });

  it('R-RT-1: a VNet without IPv6 has no ::/0 route', () => {
    const rs = effectiveRoutes(network(), TAGS, 'hub/a', OVERRIDE);
    expect(rowsFor(rs, '::/0')).toEqual([]);
  });
  it('R-RT-1, R-RT-2, R-RT-3, R-SE-ROUTE-1: rows come system, optional (peering, gateway, endpoint), then user', () => {
    const net = network([{ name: 'u', prefix: '20.0.0.0/8', nextHopType: 'Internet' }], { endpoints: ['Microsoft.Sql'] });
    net.vnets[0]!.gateway = { onPremPrefixes: ['10.10.0.0/16'], natIps: [] };
    net.vnets.push(vnet('spoke', ['10.1.0.0/16'], { peerings: ['hub'] }));
    expect(brief(effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE))).toEqual([
      'Default Active 10.0.0.0/16 VnetLocal',
      'Default Active 0.0.0.0/0 Internet',
      'Default Active 10.0.0.0/8 None',
      'Default Active 100.64.0.0/10 None',
      'Default Active 172.16.0.0/12 None',
      'Default Active 192.168.0.0/16 None',
      'Default Active 10.1.0.0/16 VNetPeering',
      'VirtualNetworkGateway Active 10.10.0.0/16 VirtualNetworkGateway',
      'Default Active 40.68.0.0/23 VirtualNetworkServiceEndpoint',
      'User Active 20.0.0.0/8 Internet',
    ]);
  });
});

describe('optional routes', () => {
  it('R-RT-2: peering adds one VNetPeering route per peer range to every subnet of both VNets', () => {
    const net = network();
    net.vnets.push(vnet('spoke', ['10.1.0.0/16', '10.2.0.0/16'], { peerings: ['hub'] })); // declared on one side only
    for (const s of ['hub/a', 'hub/b']) {
      const peering = effectiveRoutes(net, TAGS, s, OVERRIDE).filter((r) => r.nextHopType === 'VNetPeering');
      expect(peering.map((r) => [r.addressPrefixes[0], r.source, r.state, r.nextHopIpAddress])).toEqual([
        ['10.1.0.0/16', 'Default', 'Active', []],
        ['10.2.0.0/16', 'Default', 'Active', []],
      ]);
    }
    const back = effectiveRoutes(net, TAGS, 'spoke/a', OVERRIDE).filter((r) => r.nextHopType === 'VNetPeering');
    expect(back.map((r) => r.addressPrefixes[0])).toEqual(['10.0.0.0/16']);
  });

  it('R-RT-2: gateway routes have source VirtualNetworkGateway, cover onPremPrefixes and sites via the VNet', () => {
    const net = network();
    net.vnets[0]!.gateway = { onPremPrefixes: ['10.10.0.0/16'], natIps: [] };
    net.onPrem.push({ name: 'branch', prefix: '192.168.10.0/24', via: 'hub' }, { name: 'dup', prefix: '10.10.0.0/16', via: 'hub' });
    net.vnets.push(vnet('spoke', ['10.1.0.0/16'], { peerings: ['hub'] }));
    const gw = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).filter((r) => r.nextHopType === 'VirtualNetworkGateway');
    expect(gw.map((r) => [r.source, r.state, r.addressPrefixes[0]])).toEqual([
      ['VirtualNetworkGateway', 'Active', '10.10.0.0/16'],
      ['VirtualNetworkGateway', 'Active', '192.168.10.0/24'],
    ]);
    // Own gateway only: the peered VNet does not learn them (no gateway transit in the model).
    expect(effectiveRoutes(net, TAGS, 'spoke/a', OVERRIDE).some((r) => r.nextHopType === 'VirtualNetworkGateway')).toBe(false);
  });

  it('R-RT-2: disableBgpRoutePropagation suppresses gateway routes in that subnet only', () => {
    const net = network([], { disableBgp: true });
    net.vnets[0]!.gateway = { onPremPrefixes: ['10.10.0.0/16'], natIps: [] };
    expect(effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).some((r) => r.source === 'VirtualNetworkGateway')).toBe(false);
    expect(effectiveRoutes(net, TAGS, 'hub/b', OVERRIDE).some((r) => r.source === 'VirtualNetworkGateway')).toBe(true);
  });
});

describe('user-defined routes', () => {
  it('R-RT-3: UDR rows carry source User, the route name, the table name and the appliance IP', () => {
    const rs = effectiveRoutes(network([{ name: 'to-nva', prefix: '52.0.0.0/8', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }]), TAGS, 'hub/a', OVERRIDE);
    const u = rs[rs.length - 1]!;
    expect(u).toEqual({
      name: 'to-nva', source: 'User', state: 'Active', addressPrefixes: ['52.0.0.0/8'], nextHopType: 'VirtualAppliance',
      nextHopIpAddress: ['10.0.2.4'], routeTable: 'rt', service: null, invalidReason: null,
    });
    expect(effectiveRoutes(network([]), TAGS, 'hub/b', OVERRIDE).some((r) => r.source === 'User')).toBe(false);
  });

  it('R-RT-3: an appliance IP outside every reachable VNet makes the route Invalid; a peered VNet is reachable', () => {
    const net = network([
      { name: 'in-peer', prefix: '52.0.0.0/8', nextHopType: 'VirtualAppliance', nextHopIp: '10.1.0.4' },
      { name: 'nowhere', prefix: '53.0.0.0/8', nextHopType: 'VirtualAppliance', nextHopIp: '10.9.0.4' },
      { name: 'no-gw', prefix: '54.0.0.0/8', nextHopType: 'VirtualNetworkGateway' },
    ]);
    net.vnets.push(vnet('spoke', ['10.1.0.0/16'], { peerings: ['hub'] }));
    const rs = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE);
    const byName = (n: string) => rs.find((r) => r.name === n)!;
    expect(byName('in-peer').state).toBe('Active');
    expect(byName('nowhere').state).toBe('Invalid');
    expect(byName('nowhere').invalidReason).toMatch(/10\.9\.0\.4.*not inside a VNet/);
    expect(byName('no-gw').state).toBe('Invalid');
    expect(hop(rs, '53.1.1.1')).toBe('Internet');
  });

  it('R-RT-3: VNetPeering and VirtualNetworkServiceEndpoint are refused in a UDR, with the path', () => {
    expect(() => effectiveRoutes(network([{ name: 'x', prefix: '10.1.0.0/16', nextHopType: 'VNetPeering' }]), TAGS, 'hub/a', OVERRIDE)).toThrow(
      /network\.routeTables\[0\]\.routes\[0\]\.nextHopType.*VNetPeering/,
    );
    expect(() => effectiveRoutes(network([{ name: 'x', prefix: '1.0.0.0/8', nextHopType: 'VirtualNetworkServiceEndpoint' }]), TAGS, 'hub/a', OVERRIDE)).toThrow(RoutingError);
  });

  it('R-RT-3: more than 400 routes, a missing appliance IP and an unknown route table are clear errors', () => {
    const many = Array.from({ length: 401 }, (_, i) => ({ name: `r${i}`, prefix: `20.${i >> 8}.${i & 255}.0/24`, nextHopType: 'None' as const }));
    expect(() => effectiveRoutes(network(many), TAGS, 'hub/a', OVERRIDE)).toThrow(/routes: .*at most 400.*found 401/);
    expect(() => effectiveRoutes(network([{ name: 'x', prefix: '1.0.0.0/8', nextHopType: 'VirtualAppliance' }]), TAGS, 'hub/a', OVERRIDE)).toThrow(
      /routes\[0\]\.nextHopIp/,
    );
    const net = network();
    net.vnets[0]!.subnets[0]!.routeTable = 'missing';
    expect(() => effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE)).toThrow(/network\.vnets\[0\]\.subnets\[0\]\.routeTable.*missing/);
    expect(() => effectiveRoutes(net, TAGS, 'hub/zzz', OVERRIDE)).toThrow(/no subnet "hub\/zzz"/);
    expect(() => effectiveRoutes(network([{ name: 'x', prefix: '10.0.0.1/16', nextHopType: 'None' }]), TAGS, 'hub/a', OVERRIDE)).toThrow(
      /routes\[0\]\.prefix.*did you mean 10\.0\.0\.0\/16/,
    );
  });
});

describe('selection', () => {
  it('R-RT-4: at equal prefix User beats VirtualNetworkGateway beats Default; losers are Invalid with a reason', () => {
    const net = network([{ name: 'u', prefix: '10.10.0.0/16', nextHopType: 'None' }]);
    net.vnets[0]!.gateway = { onPremPrefixes: ['10.10.0.0/16', '192.168.0.0/16'], natIps: [] };
    const rs = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE);
    const at10 = rowsFor(rs, '10.10.0.0/16');
    expect(at10.map((r) => [r.source, r.state])).toEqual([['VirtualNetworkGateway', 'Invalid'], ['User', 'Active']]);
    expect(at10[0]!.invalidReason).toMatch(/User route "u"/);
    const reserved = rowsFor(rs, '192.168.0.0/16');
    expect(reserved.map((r) => [r.source, r.nextHopType, r.state])).toEqual([
      ['Default', 'None', 'Invalid'],
      ['VirtualNetworkGateway', 'VirtualNetworkGateway', 'Active'],
    ]);
    expect(rs.filter((r) => r.state === 'Active').every((r) => r.invalidReason === null)).toBe(true);
  });

  it('R-RT-4: longest prefix wins across sources (a wider UDR does not hide a more specific system route)', () => {
    const rs = effectiveRoutes(network([{ name: 'wide', prefix: '10.0.0.0/8', nextHopType: 'None' }]), TAGS, 'hub/a', OVERRIDE);
    expect(rowsFor(rs, '10.0.0.0/8').map((r) => [r.source, r.state])).toEqual([['Default', 'Invalid'], ['User', 'Active']]);
    expect(hop(rs, '10.0.3.3')).toBe('VnetLocal');
    expect(hop(rs, '10.7.3.3')).toBe('None wide');
  });

  it('R-RT-5: a 0.0.0.0/0 UDR removes the four None routes; that traffic follows the UDR', () => {
    const rs = effectiveRoutes(network([{ name: 'dflt', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }]), TAGS, 'hub/a', OVERRIDE);
    expect(rs.some((r) => r.nextHopType === 'None')).toBe(false);
    expect(rowsFor(rs, '0.0.0.0/0').map((r) => [r.source, r.state])).toEqual([['Default', 'Invalid'], ['User', 'Active']]);
    expect(hop(rs, '192.168.1.1')).toBe('VirtualAppliance dflt');
    expect(hop(rs, '172.16.0.1')).toBe('VirtualAppliance dflt');
    // Only the subnet with the route table loses them.
    expect(effectiveRoutes(network([{ name: 'dflt', prefix: '0.0.0.0/0', nextHopType: 'Internet' }]), TAGS, 'hub/b', OVERRIDE).filter((r) => r.nextHopType === 'None')).toHaveLength(4);
  });

  it('R-RT-5: a narrower UDR keeps the None routes', () => {
    const rs = effectiveRoutes(network([{ name: 'half', prefix: '0.0.0.0/1', nextHopType: 'Internet' }]), TAGS, 'hub/a', OVERRIDE);
    expect(rs.filter((r) => r.nextHopType === 'None')).toHaveLength(4);
  });

  it('R-RT-6: a 0.0.0.0/0 UDR to an appliance carries Internet and Azure-service traffic, unless more specific or endpoint routes apply', () => {
    const forced: RouteSpec[] = [
      { name: 'dflt', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' },
      { name: 'direct', prefix: '20.0.0.0/8', nextHopType: 'Internet' },
    ];
    const without = effectiveRoutes(network(forced), TAGS, 'hub/a', OVERRIDE);
    expect(hop(without, '8.8.8.8')).toBe('VirtualAppliance dflt');
    expect(hop(without, '52.239.0.10')).toBe('VirtualAppliance dflt'); // Storage, no endpoint
    expect(hop(without, '20.1.1.1')).toBe('Internet direct');
    const withEp = effectiveRoutes(network(forced, { endpoints: ['Microsoft.Storage'] }), TAGS, 'hub/a', OVERRIDE);
    expect(hop(withEp, '52.239.0.10')).toBe('VirtualNetworkServiceEndpoint');
    expect(hop(withEp, '40.68.0.10')).toBe('VirtualAppliance dflt'); // Sql, no endpoint
    const gw = network([], {});
    gw.vnets[0]!.gateway = { onPremPrefixes: ['0.0.0.0/0'], natIps: [] }; // forced tunnelling by BGP
    expect(hop(effectiveRoutes(gw, TAGS, 'hub/a', OVERRIDE), '8.8.8.8')).toBe('VirtualNetworkGateway');
  });
});

describe('service-endpoint routes', () => {
  it('R-SE-ROUTE-1: enabling an endpoint adds one route per tag prefix in scope, to that subnet only', () => {
    const net = network(undefined, { endpoints: ['Microsoft.Storage'] });
    const ep = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    expect(ep.map((r) => r.addressPrefixes)).toEqual([['52.239.0.0/23'], ['52.239.8.0/23'], ['2603:1020:200::/48']]);
    expect(ep.every((r) => r.service === 'Microsoft.Storage')).toBe(true);
    expect(effectiveRoutes(net, TAGS, 'hub/b', OVERRIDE).some((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint')).toBe(false);
  });

  it('R-SE-ROUTE-3: endpoint rows are source Default, Active, no next-hop IP, and sit between optional and user rows', () => {
    const rs = effectiveRoutes(network([{ name: 'u', prefix: '1.0.0.0/8', nextHopType: 'None' }], { endpoints: ['Microsoft.Sql'] }), TAGS, 'hub/a', OVERRIDE);
    const ep = rs.filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    expect(ep).toEqual([
      { name: null, source: 'Default', state: 'Active', addressPrefixes: ['40.68.0.0/23'], nextHopType: 'VirtualNetworkServiceEndpoint', nextHopIpAddress: [], routeTable: null, service: 'Microsoft.Sql', invalidReason: null },
    ]);
    expect(rs.indexOf(ep[0]!)).toBe(rs.length - 2);
  });

  it('R-SE-REGION: Storage = region + pair, Sql = region only, Key Vault = global tag', () => {
    const net = network(undefined, { endpoints: ['Microsoft.Storage', 'Microsoft.Sql', 'Microsoft.KeyVault'] });
    const ep = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    expect(ep.map((r) => `${r.service} ${r.addressPrefixes[0]}`)).toEqual([
      'Microsoft.Storage 52.239.0.0/23',
      'Microsoft.Storage 52.239.8.0/23',
      'Microsoft.Storage 2603:1020:200::/48',
      'Microsoft.Sql 40.68.0.0/23',
      'Microsoft.KeyVault 52.236.0.0/25',
    ]);
    const rs = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE);
    expect(hop(rs, '52.239.16.1')).toBe('Internet'); // Storage.EastUS: out of scope, ordinary route
    expect(hop(rs, '40.68.8.1')).toBe('Internet'); // Sql.NorthEurope: Sql is same-region only
  });

  it('R-SE-REGION: explicit locations, and [*] for the global tag', () => {
    const net = network();
    net.vnets[0]!.subnets[0]!.serviceEndpoints = [{ service: 'Microsoft.Storage', locations: ['eastus'] }];
    const only = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    expect(only.map((r) => r.addressPrefixes[0])).toEqual(['52.239.16.0/23']);
    net.vnets[0]!.subnets[0]!.serviceEndpoints = [{ service: 'Microsoft.Storage', locations: ['*'] }];
    const all = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    expect(all.map((r) => r.addressPrefixes[0])).toEqual(['52.239.0.0/23', '52.239.8.0/23', '52.239.16.0/23', '2603:1020:200::/48']);
  });

  it('R-SE-REGION: with the built-in sample tags, Storage in westeurope covers Storage.WestEurope + Storage.NorthEurope', () => {
    const tags = builtinServiceTags();
    const net = network(undefined, { endpoints: ['Microsoft.Storage'] });
    const ep = effectiveRoutes(net, tags, 'hub/a', OVERRIDE).filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
    const expected = [...tags.get('Storage.WestEurope')!.v4, ...tags.get('Storage.NorthEurope')!.v4, ...tags.get('Storage.WestEurope')!.v6, ...tags.get('Storage.NorthEurope')!.v6];
    expect(ep.map((r) => r.addressPrefixes[0])).toEqual(expected);
    expect(ep.some((r) => tags.get('Storage.EastUS')!.v4.includes(r.addressPrefixes[0]!))).toBe(false);
  });

  it('R-SE-REGION: an unknown endpoint service is an error naming the endpoint', () => {
    const net = network(undefined, { endpoints: ['Microsoft.Nope'] });
    expect(() => effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE)).toThrow(/subnets\[0\]\.serviceEndpoints\[0\].*Microsoft\.Nope/);
  });
});

describe('R-SE-ROUTE-2: endpoint precedence with a UDR for a Storage prefix (52.239.0.0/23)', () => {
  const cases = [
    { what: 'equal length', prefix: '52.239.0.0/23' },
    { what: 'more specific', prefix: '52.239.1.0/24' },
    { what: 'less specific', prefix: '52.239.0.0/16' },
  ];
  const build = (prefix: string) =>
    network([{ name: 'udr', prefix, nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }], { endpoints: ['Microsoft.Storage'] });
  const state = (rs: EffectiveRoute[], prefix: string, type: string) => rs.find((r) => r.addressPrefixes[0] === prefix && r.nextHopType === type)!.state;

  it.each(cases)('R-SE-ROUTE-2 override: $what UDR -> the endpoint route carries 52.239.1.10', ({ what, prefix }) => {
    const rs = effectiveRoutes(build(prefix), TAGS, 'hub/a', OVERRIDE);
    expect(hop(rs, '52.239.1.10')).toBe('VirtualNetworkServiceEndpoint');
    expect(state(rs, '52.239.0.0/23', 'VirtualNetworkServiceEndpoint')).toBe('Active');
    const udr = rs.find((r) => r.name === 'udr')!;
    if (what === 'less specific') {
      expect(udr.state).toBe('Active'); // a wider route only containing endpoint prefixes stays Active
      expect(hop(rs, '52.239.100.1')).toBe('VirtualAppliance udr');
    } else {
      expect(udr.state).toBe('Invalid');
      expect(udr.invalidReason).toMatch(/R-SE-ROUTE-2/);
    }
  });

  it.each(cases)('R-SE-ROUTE-2 lpm: $what UDR -> longest prefix, User wins ties', ({ what, prefix }) => {
    const rs = effectiveRoutes(build(prefix), TAGS, 'hub/a', LPM);
    const udr = rs.find((r) => r.name === 'udr')!;
    expect(udr.state).toBe('Active');
    const ep = state(rs, '52.239.0.0/23', 'VirtualNetworkServiceEndpoint');
    if (what === 'less specific') {
      expect(ep).toBe('Active');
      expect(hop(rs, '52.239.1.10')).toBe('VirtualNetworkServiceEndpoint');
    } else {
      expect(ep).toBe(what === 'equal length' ? 'Invalid' : 'Active');
      expect(hop(rs, '52.239.1.10')).toBe('VirtualAppliance udr');
      expect(hop(rs, '52.239.0.10')).toBe(what === 'equal length' ? 'VirtualAppliance udr' : 'VirtualNetworkServiceEndpoint');
    }
  });

  it('R-SE-ROUTE-2 override: BGP routes inside endpoint prefixes are Invalid too; R-RT-7 lpm: the endpoint beats BGP, even more specific', () => {
    const net = build('1.0.0.0/8');
    net.vnets[0]!.gateway = { onPremPrefixes: ['52.239.0.0/23', '52.239.8.0/24'], natIps: [] };
    const o = effectiveRoutes(net, TAGS, 'hub/a', OVERRIDE).filter((r) => r.source === 'VirtualNetworkGateway');
    expect(o.map((r) => r.state)).toEqual(['Invalid', 'Invalid']);
    const l = effectiveRoutes(net, TAGS, 'hub/a', LPM);
    const lBgp = l.filter((r) => r.source === 'VirtualNetworkGateway');
    expect(lBgp.map((r) => r.state)).toEqual(['Invalid', 'Invalid']);
    expect(lBgp[1]!.invalidReason).toMatch(/service-endpoint routes are preferred over BGP routes.*R-RT-7/);
    expect(hop(l, '52.239.8.1')).toBe('VirtualNetworkServiceEndpoint');
    expect(hop(l, '52.239.9.1')).toBe('VirtualNetworkServiceEndpoint');
  });
});
