import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { builtinServiceTags, compileNsgs, compileRouting, emptyNetwork, type NetworkSpec } from '@vnetsim/core';
import { describe, expect, it } from 'vitest';
import { formatAzure, networkId } from './shapes.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const DATA = path.resolve(ROOT, '../shared/data/azure-shapes');
const example = (name: string): unknown => {
  const file = path.join(DATA, `rest-specs_2025-05-01_${name}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { responses: { '200': { body: unknown } } }).responses['200'].body;
};

// ------------------------------------------------------------------------------------------------------ shape check
type Shape = { t: 'prim'; type: string } | { t: 'arr'; of: Shape | null } | { t: 'obj'; keys: Map<string, Shape>; required: Set<string> };

/** The shape of an example value; array elements merged (a key is required when every element has it). */
function shapeOf(v: unknown): Shape {
  if (Array.isArray(v)) return { t: 'arr', of: v.length === 0 ? null : v.map(shapeOf).reduce(merge) };
  if (v !== null && typeof v === 'object') {
    const keys = new Map(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
    return { t: 'obj', keys, required: new Set(keys.keys()) };
  }
  return { t: 'prim', type: v === null ? 'null' : typeof v };
}
function merge(a: Shape, b: Shape): Shape {
  if (a.t === 'obj' && b.t === 'obj') {
    const keys = new Map(a.keys);
    for (const [k, s] of b.keys) keys.set(k, keys.has(k) ? merge(keys.get(k)!, s) : s);
    return { t: 'obj', keys, required: new Set([...a.required].filter((k) => b.required.has(k))) };
  }
  if (a.t === 'arr' && b.t === 'arr') return { t: 'arr', of: a.of === null ? b.of : b.of === null ? a.of : merge(a.of, b.of) };
  return a;
}
/** Problems of `v` against `s`: missing required keys, unknown keys (unless in `extra`), wrong value types. */
function conform(v: unknown, s: Shape, at: string, extra: ReadonlySet<string>, optional: ReadonlySet<string>, out: string[]): string[] {
  if (s.t === 'prim') {
    const type = v === null ? 'null' : typeof v;
    if (type !== s.type) out.push(`${at}: ${type}, expected ${s.type}`);
  } else if (s.t === 'arr') {
    if (!Array.isArray(v)) out.push(`${at}: expected an array`);
    else if (s.of !== null) v.forEach((x, i) => conform(x, s.of!, `${at}[${i}]`, extra, optional, out));
    else v.forEach((x, i) => typeof x !== 'string' && out.push(`${at}[${i}]: expected a string`));
  } else if (v === null || typeof v !== 'object' || Array.isArray(v)) out.push(`${at}: expected an object`);
  else {
    for (const k of s.required) if (!(k in v) && !optional.has(k)) out.push(`${at}: missing ${k}`);
    for (const [k, x] of Object.entries(v)) {
      const ks = s.keys.get(k);
      if (ks !== undefined) conform(x, ks, `${at}.${k}`, extra, optional, out);
      else if (!extra.has(k)) out.push(`${at}: unexpected key ${k}`);
    }
  }
  return out;
}
const check = (actual: unknown, ex: unknown, extra: string[] = [], optional: string[] = []) =>
  conform(actual, shapeOf(ex), '$', new Set(extra), new Set(optional), []);

// ------------------------------------------------------------------------------------------------------ a network
function network(): NetworkSpec {
  const net = emptyNetwork();
  net.vnets.push({
    name: 'hub', region: 'westeurope', subscription: 'sub-a', tenant: 'default', deploymentModel: 'ResourceManager', addressSpace: ['10.0.0.0/16'], peerings: [],
    subnets: [
      { name: 'app', prefix: '10.0.1.0/24', nsg: 'subnet-nsg', routeTable: 'forced', serviceEndpoints: [{ service: 'Microsoft.Storage' }], endpointPolicies: [] },
      { name: 'dmz', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] },
    ],
  });
  net.nsgs.push(
    { name: 'nic-nsg', rules: [{ name: 'allow-storage', priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', source: 'VirtualNetwork', sourcePorts: '*', destination: 'Storage.WestEurope', destinationPorts: '443' }] },
    { name: 'subnet-nsg', rules: [{ name: 'rdp', priority: 234, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '1.1.1.1', sourcePorts: '*', destination: '*', destinationPorts: '3389' }] },
  );
  net.routeTables.push({ name: 'forced', disableBgpRoutePropagation: false, routes: [{ name: 'default-nva', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }] });
  net.vms.push(
    { name: 'vm1', subnet: 'hub/app', privateIp: '10.0.1.4', nsg: 'nic-nsg', asgs: [], ipForwarding: false },
    { name: 'vm2', subnet: 'hub/dmz', privateIp: '10.0.2.5', asgs: [], ipForwarding: false },
  );
  return net;
}

const absent = (): boolean => !existsSync(DATA);

describe("Azure's JSON shapes (reads ../shared/data/azure-shapes/rest-specs_2025-05-01_*.json)", () => {
  const net = network();
  const tags = builtinServiceTags();

  it.skipIf(absent())('effective route list: system rows have exactly the example keys and types; user rows add name and disableBgpRoutePropagation', () => {
    const rows = compileRouting(net, tags).effectiveRoutesOf('hub/app');
    const out = formatAzure.effectiveRoutes(rows, net);
    const ex = example('NetworkInterfaceEffectiveRouteTableList');
    const system = { value: out.value.filter((r) => r.name === undefined) };
    expect(system.value.length).toBeGreaterThan(5);
    expect(check(system, ex)).toEqual([]);
    expect(check(out, ex, ['name', 'disableBgpRoutePropagation'])).toEqual([]);
    expect(out.value).toContainEqual({
      name: 'default-nva', disableBgpRoutePropagation: false, source: 'User', state: 'Active', addressPrefix: ['0.0.0.0/0'], nextHopType: 'VirtualAppliance', nextHopIpAddress: ['10.0.2.4'],
    });
    // R-SE-ROUTE-1: endpoint rows are VirtualNetworkServiceEndpoint rows of the same shape.
    expect(out.value.some((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint' && r.addressPrefix.length === 1)).toBe(true);
  });

  it.skipIf(!existsSync(DATA))('R-RT-8: a service-tag route is one row of the same shape whose addressPrefix array lists every prefix of the tag', () => {
    const tagged = network();
    tagged.routeTables[0]!.routes.push({ name: 'sql-eus', prefix: 'Sql.EastUS', nextHopType: 'None' });
    const out = formatAzure.effectiveRoutes(compileRouting(tagged, tags).effectiveRoutesOf('hub/app'), tagged);
    expect(check(out, example('NetworkInterfaceEffectiveRouteTableList'), ['name', 'disableBgpRoutePropagation'])).toEqual([]);
    const sql = tags.get('Sql.EastUS')!;
    expect(out.value.filter((r) => r.name === 'sql-eus')).toEqual([{
      name: 'sql-eus', disableBgpRoutePropagation: false, source: 'User', state: 'Active', addressPrefix: [...sql.v4, ...sql.v6], nextHopType: 'None', nextHopIpAddress: [],
    }]);
    expect(sql.v4.length + sql.v6.length).toBeGreaterThan(1);
  });

  it.skipIf(absent())('effective NSG list: ids in Azure form, rules with expanded tag prefixes, example keys and types', () => {
    const levels = compileNsgs(net, tags).effectiveSecurityRules('vm1');
    const out = formatAzure.effectiveNsgs(net, 'vm1', levels);
    const ex = example('NetworkInterfaceEffectiveNSGList');
    // Azure lists only the scopes a group is associated with, and no network manager here; tag expansion may be on
    // either side (the example only shows a destination tag).
    expect(check(out, ex, ['expandedSourceAddressPrefix'], ['networkManager', 'subnet', 'networkInterface'])).toEqual([]);
    expect(out.value.map((v) => v.networkSecurityGroup.id)).toEqual([
      '/subscriptions/sub-a/resourceGroups/vnetsim/providers/Microsoft.Network/networkSecurityGroups/nic-nsg',
      '/subscriptions/sub-a/resourceGroups/vnetsim/providers/Microsoft.Network/networkSecurityGroups/subnet-nsg',
    ]);
    expect(out.value[1]!.association).toEqual({ subnet: { id: networkId({ subscription: 'sub-a', resourceGroup: 'vnetsim' }, 'virtualNetworks', 'hub', 'subnets', 'app') } });
    const rules = out.value.flatMap((v) => v.effectiveSecurityRules);
    expect(rules).toContainEqual({
      name: 'securityRules/rdp', protocol: 'Tcp', sourcePortRange: '0-65535', destinationPortRange: '3389-3389', sourceAddressPrefix: '1.1.1.1/32', destinationAddressPrefix: '0.0.0.0/0', access: 'Allow', priority: 234, direction: 'Inbound',
    });
    // An address list stays as written (plural key of the REST schema), not merged into 52.10.0.0/15.
    const nsgs2 = compileNsgs({ ...net, nsgs: [net.nsgs[0]!, { name: 'subnet-nsg', rules: [{ name: 'two', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Udp', source: ['52.10.0.0/16', '52.11.0.0/16'], sourcePorts: '*', destination: '*', destinationPorts: ['53', '5353'] }] }] }, tags);
    const two = formatAzure.effectiveNsgs(net, 'vm1', nsgs2.effectiveSecurityRules('vm1')).value[1]!.effectiveSecurityRules[0]!;
    expect(two).toMatchObject({ name: 'securityRules/two', sourceAddressPrefixes: ['52.10.0.0/16', '52.11.0.0/16'], destinationPortRanges: ['53-53', '5353-5353'] });
    const storage = rules.find((r) => r.name === 'securityRules/allow-storage')!;
    expect(storage.destinationAddressPrefix).toBe('Storage.WestEurope');
    expect(storage.expandedDestinationAddressPrefix).toEqual(expect.arrayContaining(['52.239.0.0/23']));
    const internet = rules.find((r) => r.name === 'defaultSecurityRules/AllowInternetOutBound')!;
    expect(internet).toMatchObject({ protocol: 'All', sourceAddressPrefix: '0.0.0.0/0', destinationAddressPrefix: 'Internet', priority: 65001 });
    expect(internet.expandedDestinationAddressPrefix!.length).toBeGreaterThan(3);
  });

  it.skipIf(absent())('IP flow verify result: { access, ruleName }', () => {
    const nsgs = compileNsgs(net, tags);
    const allowed = formatAzure.ipFlowVerify(nsgs.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:50000', '52.239.0.10:443'));
    expect(check(allowed, example('NetworkWatcherIpFlowVerify'))).toEqual([]);
    // R-NSG-4: outbound, the NIC NSG allows, then the subnet NSG's default rule decides last; R-NSG-6: the subnet's
    // 0.0.0.0/0 UDR puts every address in VirtualNetwork, so AllowVnetOutBound (65000) matches before AllowInternetOutBound.
    expect(allowed).toEqual({ access: 'Allow', ruleName: 'defaultSecurityRules/AllowVnetOutBound' });
    const none = formatAzure.ipFlowVerify(nsgs.ipFlowVerify('vm2', 'Inbound', 'Tcp', '10.0.2.5:22', '8.8.8.8:50000'));
    expect(none).toEqual({ access: 'Allow', ruleName: '' });
    expect(check(none, example('NetworkWatcherIpFlowVerify'))).toEqual([]);
  });

  it.skipIf(absent())('next hop result: route table id in Azure form for a user route, System Route otherwise', () => {
    const routing = compileRouting(net, tags);
    const ex = example('NetworkWatcherNextHopGet');
    const nva = formatAzure.nextHop(net, 'vm1', routing.nextHop('vm1', '8.8.8.8'));
    expect(check(nva, ex)).toEqual([]);
    expect(nva).toEqual({
      nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.0.2.4', routeTableId: '/subscriptions/sub-a/resourceGroups/vnetsim/providers/Microsoft.Network/routeTables/forced',
    });
    const local = formatAzure.nextHop(net, 'vm1', routing.nextHop('vm1', '10.0.2.5'));
    expect(local).toEqual({ nextHopType: 'VnetLocal', routeTableId: 'System Route' });
    expect(check(local, ex, [], ['nextHopIpAddress'])).toEqual([]);
  });

  it('the shape check itself catches a missing key, an unknown key and a wrong type', () => {
    const ex = { value: [{ a: 1, b: ['x'] }] };
    expect(check({ value: [{ a: 1, b: ['y'] }] }, ex)).toEqual([]);
    expect(check({ value: [{ a: '1', b: ['y'], c: 2 }] }, ex)).toEqual(['$.value[0].a: string, expected number', '$.value[0]: unexpected key c']);
    expect(check({ value: [{ b: [] }] }, ex)).toEqual(['$.value[0]: missing a']);
  });
});
