// The control plane of a running network: connection resets on endpoint toggles (R-SE-2), tenancy and deployment
// model (R-SE-6), permissions (R-SE-7), events and logs.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ipv4InPrefix, parseCidr, parseIpv6, type SecurityRuleSpec } from '@vnetsim/core';
import type { FlowResetEvent, Network } from './network.js';
import { Proto, TcpFlag } from './packet/batch.js';
import { TrafficGenerator } from './packet/generate.js';
import { FlowState } from './flows/tcp-state.js';
import { resolveSource, resolveTarget } from '@vnetsim/scenario';
import { connect, data, networkOf, send, WORLD } from './testing/fixtures.js';

/** Opens flows: 3 packets each (TCP: SYN, SYN|ACK, ACK -> Established; UDP: request, reply, request). */
function openFlows(net: Network, from: string, to: string, flows: number, protocol: 'tcp' | 'udp', port: number, seed: number): void {
  const src = resolveSource(net, from, true);
  const gen = new TrafficGenerator({
    seed, flows, packetsPerFlow: 3, protocol, dstPorts: [port], concurrentFlows: 64,
    sources: src.addrs.map((a) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`),
    ingress: src.ingress, destinations: resolveTarget(net, to).prefixes,
  });
  const b = net.newBatch();
  while (gen.fill(b) > 0) net.process(b);
}

function inPrefixes(prefixes: string[]): (a: number) => boolean {
  const cs = prefixes.map((p) => parseCidr(p)).filter((c) => c.family === 4);
  return (a) => cs.some((c) => ipv4InPrefix(a, c.prefix as number, c.length));
}

interface FlowSnap {
  inUse: Uint8Array;
  state: Uint8Array;
  subnet: Int32Array;
}
function flowSnap(net: Network): FlowSnap {
  return { inUse: net.flows.inUse.slice(), state: net.flows.state.slice(), subnet: net.flows.subnet.slice() };
}

describe('R-SE-2: connection resets on endpoint toggles', () => {
  it('R-SE-2: thousands of flows from several subnets to several destinations: only the subnet\'s flows to the endpoint\'s prefixes are reset', () => {
    const net = networkOf(WORLD);
    const groups: Array<[string, string, 'tcp' | 'udp']> = [];
    for (const from of ['hub/app', 'hub/data', 'hub/web'])
      for (const to of ['Storage.WestEurope', 'Storage.NorthEurope', 'Storage.EastUS', 'Sql.WestEurope', '8.8.0.0/16'])
        groups.push([from, to, 'tcp']);
    groups.push(['hub/app', 'Storage.WestEurope', 'udp'], ['hub/app', '8.8.0.0/16', 'udp'], ['hub/data', 'Storage.WestEurope', 'udp']);
    groups.forEach(([from, to, proto], g) => openFlows(net, from, to, 200, proto, 2000 + g, g + 1));
    expect(net.flows.size).toBe(groups.length * 200);

    const app = net.routing.subnetIndex('hub/app');
    // What the endpoint covers (R-SE-REGION: Storage of westeurope and its pair), computed from the tags, not the network.
    const scope = inPrefixes([...net.tags.get('Storage.WestEurope')!.v4, ...net.tags.get('Storage.NorthEurope')!.v4]);
    const before = flowSnap(net);
    const expected = new Set<number>();
    net.flows.scan((id) => {
      if (net.flows.subnet[id] === app && scope(net.flows.dst[id]!)) expected.add(id);
    });
    const expectedTcp = [...expected].filter((id) => net.flows.proto[id] === Proto.Tcp);
    expect(expectedTcp.length).toBe(400); // app's TCP flows to Storage.WestEurope and Storage.NorthEurope
    expect(expected.size).toBe(600); // and its UDP flows to Storage.WestEurope

    const events: FlowResetEvent[] = [];
    const toggled: unknown[] = [];
    net.on('flowReset', (e) => events.push(e));
    net.on('endpointToggled', (e) => toggled.push(e));
    const r = net.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    expect(r.ok).toBe(true);
    expect(r.changedSubnets).toEqual(['hub/app']);
    expect(new Set(r.resets.map((e) => e.flowId))).toEqual(expected);
    expect(events).toEqual(r.resets);
    expect(toggled).toEqual([{ subnet: 'hub/app', service: 'Microsoft.Storage', enabled: true, resets: 600 }]);
    for (const e of events) {
      expect(e).toMatchObject({ subnet: 'hub/app', service: 'Microsoft.Storage', reason: 'endpointEnabled' });
      expect(e.rstSent).toBe(e.protocol === Proto.Tcp);
    }
    // TCP: tombstones (Reset); UDP: records removed; every other flow untouched.
    const after = flowSnap(net);
    for (let id = 0; id < net.flows.capacity; id++) {
      if (!before.inUse[id]) continue;
      if (expected.has(id)) {
        if (net.flows.proto[id] === Proto.Tcp) expect([after.inUse[id], after.state[id]]).toEqual([1, FlowState.Reset]);
        else expect(after.inUse[id]).toBe(0);
      } else {
        expect([after.inUse[id], after.state[id]]).toEqual([1, before.state[id]]);
      }
    }
    expect(net.flows.resets).toBe(400);
  });

  it('R-SE-2: reset on enable and on disable; a later packet on a reset connection ends FlowReset, both ways', () => {
    const net = networkOf(WORLD);
    const cWe = connect(net, 'vm1', 'st-open', { sourcePort: 43000 });
    const cEus = connect(net, 'vm1', 'st-eus', { sourcePort: 43001 });
    const cOther = connect(net, 'vm4', 'st-open', { sourcePort: 43002 }); // another subnet
    const cWeb = connect(net, 'vm1', '8.8.8.8', { sourcePort: 43003 });
    const udp = send(net, 'vm1', 'st-open', { proto: 'Udp', port: 3478, sourcePort: 43004 });
    const udpId = udp.batch.flowId[0]!;
    const portsBefore = net.snat.used.slice();

    const on = net.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    expect(on.resets.map((e) => [e.flowId, e.reason, e.rstSent])).toEqual(
      expect.arrayContaining([[cWe.flowId, 'endpointEnabled', true], [udpId, 'endpointEnabled', false]]),
    );
    expect(on.resets).toHaveLength(2);
    expect(net.flows.inUse[udpId]).toBe(0);
    // The reset TCP flow and the removed UDP flow gave their SNAT ports back.
    expect(net.snat.used[net.tables.vmPublicPool[0]!]).toBe(portsBefore[net.tables.vmPublicPool[0]!]! - 2);

    for (const reverse of [false, true]) {
      const p = data(net, 'vm1', 'st-open', { sourcePort: 43000, reverse });
      expect(p.outcome).toMatchObject({ disposition: 'FlowReset', reason: 'ConnectionReset' });
      expect(p.trace.steps.some((s) => /reset by a service-endpoint toggle/.test(s.text))).toBe(true);
    }
    expect(data(net, 'vm1', 'st-eus', { sourcePort: 43001 }).outcome.disposition).toBe('Delivered');
    expect(data(net, 'vm4', 'st-open', { sourcePort: 43002 }).outcome.disposition).toBe('Delivered');
    expect(data(net, 'vm1', '8.8.8.8', { sourcePort: 43003 }).outcome.disposition).toBe('ExitsNetwork');
    // The UDP flow is evaluated again: now through the endpoint.
    expect(send(net, 'vm1', 'st-open', { proto: 'Udp', port: 3478, sourcePort: 43004 }).outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint' });
    // A new connection through the endpoint; disabling resets it (and the UDP flow), nothing else.
    const cNew = connect(net, 'vm1', 'st-open', { sourcePort: 43005 });
    expect(cNew.outcome.nextHopType).toBe('VirtualNetworkServiceEndpoint');
    const off = net.disableServiceEndpoint('hub/app', 'Microsoft.Storage');
    expect(off.resets.filter((e) => e.rstSent).map((e) => [e.flowId, e.reason])).toEqual([[cNew.flowId, 'endpointDisabled']]);
    expect(off.resets).toHaveLength(2);
    expect(data(net, 'vm1', 'st-open', { sourcePort: 43005 }).outcome.disposition).toBe('FlowReset');
    expect(data(net, 'vm4', 'st-open', { sourcePort: 43002 }).outcome.disposition).toBe('Delivered');
    expect(cOther.flowId).not.toBe(cNew.flowId);
    // A new connection after the switch goes the public way again.
    expect(connect(net, 'vm1', 'st-open', { sourcePort: 43006 }).outcome).toMatchObject({ nextHopType: 'Internet', sourceSeenByService: '51.105.0.1' });
    // Toggling to the state it already has resets nothing.
    expect(net.disableServiceEndpoint('hub/app', 'Microsoft.Storage').resets).toEqual([]);
    void cEus; void cWeb;
  });

  it('R-SE-2: IPv6 TCP connections to the endpoint\'s IPv6 prefixes are reset too; others are not', () => {
    const net = networkOf(`
name: dual
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16, 'fd00:db8:1::/48']
      subnets: [{ name: app, prefix: 10.0.1.0/24, prefixV6: 'fd00:db8:1:1::/64' }]
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, privateIpV6: 'fd00:db8:1:1::4' }
steps: []
`);
    const src = parseIpv6('fd00:db8:1:1::4');
    const inScope = parseIpv6('2603:1020:200::10'); // Storage.WestEurope
    const outOfScope = parseIpv6('2603:1020:202::10'); // Storage.EastUS
    const open = (dst: Uint32Array, sport: number, flags: number) => {
      const b = net.newBatch(1);
      b.push6(src, 0, dst, 0, sport, 443, Proto.Tcp, flags, 80, 0, 1);
      net.process(b);
      return b;
    };
    const a = open(inScope, 40000, TcpFlag.SYN).flowId[0]!;
    const other = open(outOfScope, 40001, TcpFlag.SYN).flowId[0]!;
    expect(net.flows.inUse[a]).toBe(1);
    const r = net.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    expect(r.resets.map((e) => e.flowId)).toEqual([a]);
    expect(net.flows.state[a]).toBe(FlowState.Reset);
    expect(net.flows.state[other]).not.toBe(FlowState.Reset);
    const later = open(inScope, 40000, TcpFlag.PSH | TcpFlag.ACK);
    expect(later.disposition[0]).toBe(10); // FlowReset
  });

  it('R-SE-2: the reset scope follows the endpoint\'s locations (R-SE-REGION), on enable and on disable', () => {
    const net = networkOf(WORLD);
    const eus = connect(net, 'vm1', 'st-eus', { sourcePort: 48000 });
    const r = net.enableServiceEndpoint('hub/app', 'Microsoft.Storage', undefined, ['*']);
    expect(r.resets.map((e) => e.flowId)).toEqual([eus.flowId]);
    const viaEndpoint = connect(net, 'vm1', 'st-eus', { sourcePort: 48001 });
    expect(viaEndpoint.outcome.nextHopType).toBe('VirtualNetworkServiceEndpoint');
    expect(net.disableServiceEndpoint('hub/app', 'Microsoft.Storage').resets.map((e) => e.flowId)).toEqual([viaEndpoint.flowId]);
  });

  it('R-SE-2: connections closed by FIN are not reset (nothing is open), their records go', () => {
    const net = networkOf(WORLD);
    const c = connect(net, 'vm1', 'st-open', { sourcePort: 44000 });
    data(net, 'vm1', 'st-open', { sourcePort: 44000, flags: TcpFlag.FIN | TcpFlag.ACK });
    data(net, 'vm1', 'st-open', { sourcePort: 44000, flags: TcpFlag.FIN | TcpFlag.ACK, reverse: true });
    data(net, 'vm1', 'st-open', { sourcePort: 44000, flags: TcpFlag.ACK });
    expect(net.flows.state[c.flowId]).toBe(FlowState.Closed);
    expect(net.enableServiceEndpoint('hub/app', 'Microsoft.Storage').resets).toEqual([]);
    expect(net.flows.inUse[c.flowId]).toBe(0);
  });
});

describe('R-SE-6: deployment model and tenancy', () => {
  it('R-SE-6: an endpoint on a Classic VNet is refused', () => {
    const net = networkOf(`
name: classic
network:
  vnets:
    - { name: old, region: westeurope, deploymentModel: Classic, addressSpace: [10.9.0.0/16], subnets: [{ name: s, prefix: 10.9.1.0/24 }] }
steps: []
`);
    const r = net.enableServiceEndpoint('old/s', 'Microsoft.Storage');
    expect(r.ok).toBe(false);
    expect(r.error!.code).toBe('InvalidRequest');
    expect(r.error!.message).toMatch(/Classic/);
    expect(net.spec.vnets[0]!.subnets[0]!.serviceEndpoints).toEqual([]);
  });

  it('R-SE-6: a VNet rule across tenants is refused; across subscriptions of one tenant it is allowed', () => {
    const net = networkOf(WORLD);
    const foreign = net.addVirtualNetworkRule('st-we', 'foreign/s1');
    expect(foreign.ok).toBe(false);
    expect(foreign.error!.message).toMatch(/tenant/);
    expect(net.spec.services.find((s) => s.name === 'st-we')!.firewall.virtualNetworkRules).toEqual([]);
    // other/s1 is in sub-b of contoso, st-we in sub-a of contoso.
    expect(net.addVirtualNetworkRule('st-we', 'other/s1').ok).toBe(true);
    expect(net.enableServiceEndpoint('other/s1', 'Microsoft.Storage').ok).toBe(true);
    expect(send(net, 'vm9', 'st-we').outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', sourceSeenByService: '10.1.1.4' });
  });
});

/** Everything a refused change must leave alone. */
function snapshot(net: Network) {
  return {
    spec: structuredClone(net.spec),
    tables: net.tables,
    flows: { size: net.flows.size, ...flowSnap(net), disposition: net.flows.disposition.slice() },
    counters: { packetsIn: net.counters.packetsIn, d: Array.from(net.counters.byDisposition), r: Array.from(net.counters.byReason) },
    snat: Array.from(net.snat.used),
  };
}

describe('R-SE-7: permissions', () => {
  it('R-SE-7: a change without the permission is AuthorizationFailed and nothing changes', () => {
    const net = networkOf(WORLD, { flowCapacity: 1024 });
    connect(net, 'vm1', 'st-open', { sourcePort: 45000 });
    send(net, 'vm2', '8.8.8.8');
    const events: string[] = [];
    for (const ev of ['flowReset', 'routesChanged', 'endpointToggled', 'ruleChanged', 'serviceChanged'] as const) net.on(ev, () => events.push(ev));
    const before = snapshot(net);
    const rule: SecurityRuleSpec = { name: 'x', priority: 300, direction: 'Outbound', access: 'Deny', protocol: '*', source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*' } as SecurityRuleSpec;
    const refused = [
      net.enableServiceEndpoint('hub/app', 'Microsoft.Storage', 'reader'),
      net.enableServiceEndpoint('hub/app', 'Microsoft.Storage', 'joiner'), // join is not subnet write
      net.enableServiceEndpoint('hub/app', 'Microsoft.Storage', 'nobody'),
      net.disableServiceEndpoint('hub/pol', 'Microsoft.Storage', 'reader'),
      net.addVirtualNetworkRule('st-we', 'hub/app', 'netadmin'), // subnet write is not join
      net.addVirtualNetworkRule('st-we', 'hub/app', 'reader'),
      net.addIpRule('st-we', '8.8.8.8', 'reader'),
      net.setRule('app-nsg', rule, 'netadmin'),
      net.removeRule('app-nsg', 'deny-dns', 'reader'),
      net.setRoute('to-nva', { name: 'r', prefix: '8.8.0.0/16', nextHopType: 'Internet' } as never, 'reader'),
    ];
    for (const r of refused) {
      expect(r.ok).toBe(false);
      expect(r.error!.code).toBe('AuthorizationFailed');
      expect([r.changedSubnets, r.resets]).toEqual([[], []]);
    }
    expect(snapshot(net)).toEqual(before);
    expect(net.tables).toBe(before.tables);
    expect(events).toEqual([]);
    // With the permissions: subnet write enables, the join permission links (a wildcard holds both).
    expect(net.enableServiceEndpoint('hub/app', 'Microsoft.Storage', 'netadmin').ok).toBe(true);
    expect(net.addVirtualNetworkRule('st-we', 'hub/app', 'joiner').ok).toBe(true);
    expect(net.enableServiceEndpoint('hub/data', 'Microsoft.Storage', 'netowner').ok).toBe(true);
    expect(net.addVirtualNetworkRule('st-we', 'hub/data', 'netowner').ok).toBe(true);
  });
});

describe('logs and events', () => {
  it('a control-plane change logs a JSON line through the injected pino logger; a refusal logs a warning', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const net = networkOf(WORLD, { logger });
    connect(net, 'vm1', 'st-open', { sourcePort: 46000 });
    net.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    net.enableServiceEndpoint('hub/app', 'Microsoft.Sql', 'reader');
    const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.find((r) => r.msg === 'control-plane change')).toMatchObject({ level: 30, change: 'enable Microsoft.Storage on hub/app', changedSubnets: ['hub/app'] });
    expect(recs.find((r) => r.msg === 'flow reset')).toMatchObject({ subnet: 'hub/app', service: 'Microsoft.Storage', reason: 'endpointEnabled' });
    expect(recs.find((r) => r.msg === 'service endpoint toggled')).toMatchObject({ enabled: true, resets: 1 });
    expect(recs.find((r) => r.msg === 'control-plane change refused')).toMatchObject({ level: 40, code: 'AuthorizationFailed' });
    // Packets are never logged.
    const n = lines.length;
    send(net, 'vm1', '8.8.8.8');
    expect(lines.length).toBe(n);
  });

  it('routesChanged, ruleChanged and serviceChanged events name what changed', () => {
    const net = networkOf(WORLD);
    const seen: Array<[string, unknown]> = [];
    net.on('routesChanged', (e) => seen.push(['routesChanged', e]));
    net.on('ruleChanged', (e) => seen.push(['ruleChanged', e]));
    net.on('serviceChanged', (e) => seen.push(['serviceChanged', e]));
    net.setRoute('sinks', { name: 'more', prefix: '192.0.3.0/24', nextHopType: 'None' } as never);
    net.removeRule('app-nsg', 'deny-dns');
    net.addIpRule('st-we', '8.8.8.8');
    expect(seen).toEqual([
      ['routesChanged', { subnets: ['hub/sinks'] }],
      ['ruleChanged', { nsg: 'app-nsg', rule: 'deny-dns', removed: true }],
      ['serviceChanged', { service: 'st-we', change: 'add IP rule 8.8.8.8' }],
    ]);
  });
});
