// Issue 7, control-plane atomicity: a refused or invalid change (bad rule, missing permission, limit exceeded) leaves
// the spec, compiled tables, flows and counters exactly as they were. Snapshots before and after are compared; a
// seeded stream of random changes (valid and invalid) never throws and never half-applies.
import { formatIpv4, type RouteSpec, type SecurityRuleSpec } from '@vnetsim/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeResult, Network } from '../network.js';
import { TrafficGenerator } from '../packet/generate.js';
import { resolveSource } from '@vnetsim/scenario';
import { WORLD, worldNetwork } from './world.test-util.js';

/** Everything a change could touch, as JSON-comparable data. */
function snapshot(net: Network): unknown {
  const f = net.flows;
  const flows: number[][] = [];
  for (let id = 0; id < f.capacity; id++)
    if (f.inUse[id])
      flows.push([id, f.proto[id]!, f.src[id]!, f.dst[id]!, f.srcPort[id]!, f.dstPort[id]!, f.state[id]!, f.subnet[id]!, f.verdict[id]!,
        f.ruleIndex[id]!, f.routeIndex[id]!, f.disposition[id]!, f.dropReason[id]!, f.natSrc[id]!, f.natPort[id]!, f.packetsFwd[id]!, f.packetsRev[id]!]);
  const r = net.routing;
  const t = net.tables;
  return {
    spec: JSON.stringify(net.spec),
    routes: r.subnetNames().map((s) => JSON.stringify(r.effectiveRoutesOf(s))),
    fibKeys: r.subnetNames().map((s) => r.fibOf(s).key),
    tables: [t.spec === net.spec, t.subnetNames, t.vmNames, t.serviceNames, Array.from(t.serviceVnetRule), Array.from(t.policyAllows), t.snatPools],
    nsgs: t.subnetNsgOut.concat(t.subnetNsgIn, t.vmNicOut, t.vmNicIn).map((c) => c === null),
    flows,
    flowCounters: [f.size, f.inserts, f.evictions, f.resets],
    counters: [net.counters.packetsIn, Array.from(net.counters.byDisposition), Array.from(net.counters.byReason), net.counters.flowsCreated],
    snat: Array.from(net.snat.used),
  };
}

/** A network with open flows from every subnet that has a VM. */
function busyNetwork(text = WORLD): Network {
  const net = worldNetwork({ flowCapacity: 4096, snatPortsPerIp: 1000 }, text);
  const runs: [string, string][] = [['hub/app', '52.239.0.0/24'], ['hub/nat', '8.8.0.0/16'], ['spoke/web', '40.68.0.0/24'], ['hub/app', '10.1.0.0/24']];
  for (const [from, to] of runs) {
    const src = resolveSource(net, from, true);
    const gen = new TrafficGenerator({ seed: 3, flows: 200, packetsPerFlow: 4, sources: src.addrs.map(formatIpv4), ingress: src.ingress, destinations: [to] });
    const b = net.newBatch();
    while (gen.fill(b) > 0) net.process(b);
  }
  expect(net.flows.size).toBeGreaterThan(500);
  return net;
}

/** Applies a change that must be refused with `code`; the snapshot must not move. */
function refused(net: Network, code: string, change: (n: Network) => ChangeResult): void {
  const before = snapshot(net);
  const tables = net.tables;
  const r = change(net);
  expect(r.ok, JSON.stringify(r.error)).toBe(false);
  expect(r.error!.code).toBe(code);
  expect(net.tables).toBe(tables);
  expect(snapshot(net)).toEqual(before);
}

const rule = (over: Partial<SecurityRuleSpec> = {}): SecurityRuleSpec =>
  ({ name: 'x', priority: 300, direction: 'Outbound', access: 'Deny', protocol: '*', source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*', ...over }) as SecurityRuleSpec;

describe('control-plane atomicity (issue 7)', () => {
  it('R-SE-7, R-NSG-1, R-RT-3: refused changes leave spec, routes, FIBs, tables, flows, counters and ports as they were', () => {
    const net = busyNetwork();
    refused(net, 'AuthorizationFailed', (n) => n.enableServiceEndpoint('hub/app', 'Microsoft.Storage', 'reader'));
    refused(net, 'AuthorizationFailed', (n) => n.disableServiceEndpoint('spoke/web', 'Microsoft.Sql', 'reader'));
    refused(net, 'AuthorizationFailed', (n) => n.addVirtualNetworkRule('mystorage', 'hub/dmz', 'reader'));
    refused(net, 'AuthorizationFailed', (n) => n.setRule('app-nsg', rule(), 'reader'));
    refused(net, 'AuthorizationFailed', (n) => n.setRoute('rt', { name: 'y', prefix: '8.0.0.0/8', nextHopType: 'None' }, 'reader'));
    refused(net, 'InvalidRequest', (n) => n.setRule('app-nsg', rule({ destination: '10.0.0.1/24' })));
    refused(net, 'InvalidRequest', (n) => n.setRule('app-nsg', rule({ priority: 99 })));
    refused(net, 'InvalidRequest', (n) => n.setRule('app-nsg', rule({ destination: 'NoSuchTag' })));
    refused(net, 'InvalidRequest', (n) => n.setRule('app-nsg', rule({ name: 'allow-storage-2', priority: 100 }))); // duplicate priority
    refused(net, 'InvalidRequest', (n) => n.setRoute('rt', { name: 'peer', prefix: '10.9.0.0/16', nextHopType: 'VNetPeering' } as RouteSpec));
    refused(net, 'InvalidRequest', (n) => n.setRoute('rt', { name: 'bad', prefix: '10.9.0.1/16', nextHopType: 'None' }));
    refused(net, 'InvalidRequest', (n) => n.setRoute('rt', { name: 'nva', prefix: '8.0.0.0/8', nextHopType: 'VirtualAppliance' } as RouteSpec));
    refused(net, 'InvalidRequest', (n) => n.enableServiceEndpoint('hub/app', 'Microsoft.NoSuchService'));
    refused(net, 'InvalidRequest', (n) => n.addIpRule('mystorage', '10.0.0.0/8')); // R-SVC-1: private ranges are not IP rules
    refused(net, 'NotFound', (n) => n.removeRule('app-nsg', 'DenyAllOutBound'));
    refused(net, 'NotFound', (n) => n.setRoute('nope', { name: 'y', prefix: '8.0.0.0/8', nextHopType: 'None' }));
  });

  it('R-RT-3, R-NSG-1: a change beyond 400 routes or 1000 rules is LimitExceeded and changes nothing', () => {
    const routes = Array.from({ length: 400 }, (_, i) => `        - { name: u${i}, prefix: 100.${i >> 8}.${i & 255}.0/24, nextHopType: Internet }`).join('\n');
    const net = busyNetwork(WORLD.replace('        - { name: blackhole, prefix: 203.0.113.0/24, nextHopType: None }', routes));
    refused(net, 'LimitExceeded', (n) => n.setRoute('rt', { name: 'one-more', prefix: '8.0.0.0/8', nextHopType: 'None' }));
    // Replacing an existing route keeps the count: allowed.
    expect(net.setRoute('rt', { name: 'u0', prefix: '8.0.0.0/8', nextHopType: 'None' }).ok).toBe(true);
    const rules = Array.from({ length: 1000 }, (_, i) => `        - { name: r${i}, priority: ${100 + (i >> 1)}, direction: ${i % 2 ? 'Inbound' : 'Outbound'}, access: Allow, protocol: Tcp, source: '*', destination: '*', destinationPorts: '${1 + i}' }`).join('\n');
    const big = busyNetwork(WORLD.replace(/      rules:\n(        - \{[^}]*\}\n)+/, `      rules:\n${rules}\n`));
    refused(big, 'LimitExceeded', (n) => n.setRule('app-nsg', rule({ name: 'r1000', priority: 4000 })));
  });

  it('a seeded stream of random changes never throws; every refused one leaves the snapshot unchanged (fast-check)', () => {
    const net = busyNetwork();
    const prefix = fc.constantFrom('8.0.0.0/8', '10.0.1.0/24', '10.0.1.1/24', '52.239.0.0/23', '0.0.0.0/0', '::/0', '2001:db8::/32', '300.0.0.0/8', '', 'Storage');
    const who = fc.constantFrom(undefined, 'reader', 'netadmin', 'nobody');
    const change = fc.oneof(
      fc.record({ k: fc.constant('route' as const), name: fc.constantFrom('a', 'b', 'blackhole'), prefix, type: fc.constantFrom('None', 'Internet', 'VirtualAppliance', 'VNetPeering', 'VirtualNetworkServiceEndpoint', 'Bogus'), ip: fc.constantFrom(undefined, '10.0.2.4', '10.9.9.9', 'x'), table: fc.constantFrom('rt', 'nope'), who }),
      fc.record({ k: fc.constant('rule' as const), name: fc.constantFrom('r1', 'allow-storage', ''), priority: fc.constantFrom(100, 200, 300, 50, 5000, 1.5), dst: prefix, proto: fc.constantFrom('Tcp', '*', 'Bogus'), nsg: fc.constantFrom('app-nsg', 'nope'), who }),
      fc.record({ k: fc.constant('endpoint' as const), on: fc.boolean(), subnet: fc.constantFrom('hub/app', 'hub/nat', 'spoke/web', 'x/y'), service: fc.constantFrom('Microsoft.Storage', 'Microsoft.Sql', 'Microsoft.Storage.Global', 'Nope'), who }),
      fc.record({ k: fc.constant('vnetRule' as const), add: fc.boolean(), svc: fc.constantFrom('mystorage', 'mysql', 'nope'), subnet: fc.constantFrom('hub/app', 'hub/dmz', 'x/y'), who }),
      fc.record({ k: fc.constant('ipRule' as const), add: fc.boolean(), svc: fc.constantFrom('mystorage', 'mysql'), ip: prefix, who }),
      fc.record({ k: fc.constant('remove' as const), what: fc.constantFrom('rule', 'route'), name: fc.constantFrom('r1', 'a', 'allow-storage', 'blackhole', 'DenyAllInBound'), who }),
    );
    let applied = 0;
    let refusedCount = 0;
    fc.assert(
      fc.property(change, (c) => {
        const before = snapshot(net);
        let r: ChangeResult;
        switch (c.k) {
          case 'route': r = net.setRoute(c.table, { name: c.name, prefix: c.prefix, nextHopType: c.type, ...(c.ip === undefined ? {} : { nextHopIp: c.ip }) } as RouteSpec, c.who); break;
          case 'rule': r = net.setRule(c.nsg, rule({ name: c.name, priority: c.priority, destination: c.dst, protocol: c.proto as SecurityRuleSpec['protocol'] }), c.who); break;
          case 'endpoint': r = c.on ? net.enableServiceEndpoint(c.subnet, c.service, c.who) : net.disableServiceEndpoint(c.subnet, c.service, c.who); break;
          case 'vnetRule': r = c.add ? net.addVirtualNetworkRule(c.svc, c.subnet, c.who) : net.removeVirtualNetworkRule(c.svc, c.subnet, c.who); break;
          case 'ipRule': r = c.add ? net.addIpRule(c.svc, c.ip, c.who) : net.removeIpRule(c.svc, c.ip, c.who); break;
          case 'remove': r = c.what === 'rule' ? net.removeRule('app-nsg', c.name, c.who) : net.removeRoute('rt', c.name, c.who); break;
        }
        if (r.ok) applied++;
        else {
          refusedCount++;
          expect(snapshot(net)).toEqual(before);
        }
        // Whatever happened, the network still forwards and conserves packets.
        const b = net.newBatch(64);
        const src = resolveSource(net, 'hub/app', true);
        for (let i = 0; i < 16; i++) b.push4(src.addrs[0]!, (0x34ef0000 + i * 977) >>> 0, 40000 + i, 443, 6, 2, 60, src.ingress[0]!, 1e6 + i);
        net.process(b);
        expect(net.counters.accounted()).toBe(net.counters.packetsIn);
      }),
      { seed: 7_0005, numRuns: 300 },
    );
    expect(applied).toBeGreaterThan(10);
    expect(refusedCount).toBeGreaterThan(100);
  });
});

describe('control-plane atomicity when compilation throws midway (issue 7)', () => {
  it('a change whose NSG recompile throws after routing was updated is refused and rolled back whole', () => {
    const net = busyNetwork();
    const before = snapshot(net);
    const update = net.nsgs.update.bind(net.nsgs);
    let calls = 0;
    net.nsgs.update = (spec, tags) => {
      if (calls++ === 0) throw new Error('injected failure');
      return update(spec, tags);
    };
    const r = net.setRoute('rt', { name: 'y', prefix: '8.0.0.0/8', nextHopType: 'None' });
    net.nsgs.update = update;
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/injected failure/) });
    expect(snapshot(net)).toEqual(before);
    expect(net.routing.lookupRoute('hub/app', '8.8.8.8')?.nextHopType).toBe('Internet');
    // And the same change goes through afterwards.
    expect(net.setRoute('rt', { name: 'y', prefix: '8.0.0.0/8', nextHopType: 'None' }).ok).toBe(true);
    expect(net.routing.lookupRoute('hub/app', '8.8.8.8')?.nextHopType).toBe('None');
  });
});
