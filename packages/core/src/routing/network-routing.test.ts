import { describe, expect, it } from 'vitest';
import { emptyNetwork, type NetworkSpec, type SubnetSpec } from '../model/types.js';
import { builtinServiceTags } from '../model/service-tags/builtin.js';
import { loadServiceTags } from '../model/service-tags/load.js';
import { compileRouting, NetworkRouting, SYSTEM_ROUTE } from './network-routing.js';

const TAGS = builtinServiceTags();

const subnet = (name: string, prefix: string, extra: Partial<SubnetSpec> = {}): SubnetSpec => ({ name, prefix, serviceEndpoints: [], endpointPolicies: [], ...extra });

/** hub (a: route table forced + Storage endpoint, b, c plain, d: forced) peered with spoke (x). */
function network(): NetworkSpec {
  const net = emptyNetwork();
  const common = { region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager' as const };
  net.vnets.push({
    ...common, name: 'hub', addressSpace: ['10.0.0.0/16'], peerings: ['spoke'], gateway: { onPremPrefixes: ['192.168.10.0/24'], natIps: [] },
    subnets: [
      subnet('a', '10.0.1.0/24', { routeTable: 'forced', serviceEndpoints: [{ service: 'Microsoft.Storage' }] }),
      subnet('b', '10.0.2.0/24'),
      subnet('c', '10.0.3.0/24'),
      subnet('d', '10.0.4.0/24', { routeTable: 'forced' }),
    ],
  });
  net.vnets.push({ ...common, name: 'spoke', addressSpace: ['10.1.0.0/16'], peerings: [], subnets: [subnet('x', '10.1.0.0/24')] });
  net.vnets.push({ ...common, name: 'lone', addressSpace: ['10.9.0.0/16'], peerings: [], subnets: [subnet('y', '10.9.0.0/24')] });
  net.routeTables.push({ name: 'forced', disableBgpRoutePropagation: false, routes: [{ name: 'dflt', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }] });
  net.vms.push(
    { name: 'vm1', subnet: 'hub/a', privateIp: '10.0.1.4', asgs: [], ipForwarding: false },
    { name: 'vm2', subnet: 'hub/b', privateIp: '10.0.2.5', asgs: [], ipForwarding: false },
  );
  return net;
}

const clone = (n: NetworkSpec): NetworkSpec => structuredClone(n);

describe('NetworkRouting', () => {
  it('R-RT-4: names, indices and per-subnet tables; identical tables share one Fib object', () => {
    const r = compileRouting(network(), TAGS);
    expect(r.subnetNames()).toEqual(['hub/a', 'hub/b', 'hub/c', 'hub/d', 'spoke/x', 'lone/y']);
    expect(r.subnetIndex('hub/c')).toBe(2);
    expect(r.subnetIndex('hub/zz')).toBe(-1);
    expect(r.fibOf('hub/b')).toBe(r.fibOf('hub/c'));
    expect(r.fibOf(1)).toBe(r.fibOf('hub/b'));
    expect(r.fibOf('hub/a')).not.toBe(r.fibOf('hub/d')); // same table, but a has the endpoint
    expect(r.fibOf('hub/b')).not.toBe(r.fibOf('spoke/x'));
    expect(r.effectiveRoutesOf('hub/d').some((x) => x.name === 'dflt' && x.state === 'Active')).toBe(true);
    expect(() => r.fibOf('nope/nope')).toThrow(/no subnet "nope\/nope"/);
  });

  it('R-RT-3: nextHop answers like Network Watcher: type, IP, route table or "System Route"', () => {
    const r = compileRouting(network(), TAGS);
    expect(r.nextHop('vm1', '8.8.8.8')).toMatchObject({ nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.0.2.4', routeTableId: 'forced' });
    expect(r.nextHop('vm2', '8.8.8.8')).toMatchObject({ nextHopType: 'Internet', nextHopIpAddress: null, routeTableId: SYSTEM_ROUTE });
    expect(r.nextHop('vm2', '10.1.0.9')).toMatchObject({ nextHopType: 'VNetPeering', routeTableId: SYSTEM_ROUTE });
    expect(r.nextHop('vm2', '192.168.10.1')).toMatchObject({ nextHopType: 'VirtualNetworkGateway', routeTableId: SYSTEM_ROUTE });
    expect(r.nextHop('vm2', '192.168.11.1')).toMatchObject({ nextHopType: 'None', routeTableId: SYSTEM_ROUTE });
    const storage = TAGS.get('Storage.WestEurope')!.v4[0]!.split('/')[0]!;
    const nh = r.nextHop('vm1', storage);
    expect(nh).toMatchObject({ nextHopType: 'VirtualNetworkServiceEndpoint', nextHopIpAddress: null, routeTableId: SYSTEM_ROUTE });
    expect(nh.route!.service).toBe('Microsoft.Storage');
    expect(() => r.nextHop('ghost', '8.8.8.8')).toThrow(/no VM named "ghost"/);
  });

  it('R-RT-1: lookupRoute returns the row the FIB picks, IPv6 included; no route gives null', () => {
    const net = network();
    net.vnets[2]!.addressSpace.push('fd00:9::/48');
    const r = compileRouting(net, TAGS);
    expect(r.lookupRoute('lone/y', 'fd00:9::1')!.nextHopType).toBe('VnetLocal');
    expect(r.lookupRoute('lone/y', '2001:db8::1')!.addressPrefixes).toEqual(['::/0']);
    expect(r.lookupRoute('hub/b', '2001:db8::1')).toBeNull(); // an IPv4-only VNet has no IPv6 route
    expect(r.nextHop('vm2', '2001:db8::1')).toEqual({ nextHopType: 'None', nextHopIpAddress: null, routeTableId: SYSTEM_ROUTE, route: null });
  });

  it('R-SE-ROUTE-1: update recompiles only the subnets a change touches; the others keep their Fib object', () => {
    const net = network();
    const r = new NetworkRouting(net, TAGS, { endpointPrecedence: 'override' });
    const before = new Map(r.subnetNames().map((n) => [n, r.fibOf(n)]));
    const keep = (names: string[]) => {
      for (const n of r.subnetNames()) if (!names.includes(n)) expect(r.fibOf(n), n).toBe(before.get(n));
    };

    // Nothing changed.
    expect(r.update(clone(net))).toEqual([]);
    keep([]);

    // Endpoint enabled on hub/c only.
    const n1 = clone(net);
    n1.vnets[0]!.subnets[2]!.serviceEndpoints = [{ service: 'Microsoft.Sql' }];
    expect(r.update(n1)).toEqual(['hub/c']);
    keep(['hub/c']);
    expect(r.fibOf('hub/c')).not.toBe(before.get('hub/c'));
    expect(r.fibOf('hub/b')).toBe(before.get('hub/b')); // was shared with c; b is untouched
    expect(r.lookupRoute('hub/c', TAGS.get('Sql.WestEurope')!.v4[0]!.split('/')[0]!)!.nextHopType).toBe('VirtualNetworkServiceEndpoint');

    // Endpoint disabled again: c shares b's Fib again (same key).
    expect(r.update(clone(net))).toEqual(['hub/c']);
    expect(r.fibOf('hub/c')).toBe(r.fibOf('hub/b'));
  });

  it('R-RT-3: editing a route table recompiles exactly the subnets associated with it', () => {
    const net = network();
    const r = compileRouting(net, TAGS);
    const b = r.fibOf('hub/b');
    const n1 = clone(net);
    n1.routeTables[0]!.routes.push({ name: 'x', prefix: '52.0.0.0/8', nextHopType: 'Internet' });
    expect(r.update(n1).sort()).toEqual(['hub/a', 'hub/d']);
    expect(r.fibOf('hub/b')).toBe(b);
    expect(r.nextHop('vm1', '52.1.1.1')).toMatchObject({ nextHopType: 'Internet', routeTableId: 'forced' });
  });

  it('R-RT-2: a new peering recompiles both VNets, a gateway change recompiles its VNet, others untouched', () => {
    const net = network();
    const r = compileRouting(net, TAGS);
    const x = r.fibOf('spoke/x');
    const n1 = clone(net);
    n1.vnets[2]!.peerings = ['hub'];
    expect(r.update(n1)).toEqual(['hub/a', 'hub/b', 'hub/c', 'hub/d', 'lone/y']);
    expect(r.fibOf('spoke/x')).toBe(x);
    expect(r.nextHop('vm2', '10.9.0.1').nextHopType).toBe('VNetPeering');

    const n2 = clone(n1);
    n2.vnets[0]!.gateway!.onPremPrefixes = ['192.168.20.0/24'];
    expect(r.update(n2)).toEqual(['hub/a', 'hub/b', 'hub/c', 'hub/d']);
    const n3 = clone(n2);
    n3.routeTables[0]!.disableBgpRoutePropagation = true;
    expect(r.update(n3)).toEqual(['hub/a', 'hub/d']);
    expect(r.lookupRoute('hub/d', '192.168.20.1')!.name).toBe('dflt');
  });

  it('R-SE-REGION: new tags or a new precedence recompile only subnets with endpoints; removed subnets are reported', () => {
    const net = network();
    const r = compileRouting(net, TAGS);
    const other = loadServiceTags({ changeNumber: 2, cloud: 'Public', values: [
      { name: 'Storage.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['51.0.0.0/16'] } },
      { name: 'Storage.NorthEurope', properties: { region: 'northeurope', addressPrefixes: ['51.1.0.0/16'] } },
    ] });
    expect(r.update(net, other)).toEqual(['hub/a']);
    expect(r.nextHop('vm1', '51.0.0.1').nextHopType).toBe('VirtualNetworkServiceEndpoint');
    expect(r.update(net, other, { endpointPrecedence: 'lpm' })).toEqual(['hub/a']);
    const n1 = clone(net);
    n1.vnets[0]!.subnets.splice(3, 1);
    expect(r.update(n1, other, { endpointPrecedence: 'lpm' })).toEqual(['hub/d']);
    expect(r.subnetNames()).toEqual(['hub/a', 'hub/b', 'hub/c', 'spoke/x', 'lone/y']);
    expect(r.subnetIndex('spoke/x')).toBe(3);
  });
});
