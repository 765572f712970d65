// Issue 7, bounds: a full flow table evicts by its stated policy and counts it; exhausted SNAT pools drop new flows
// as SnatExhausted and evicted flows give their ports back; the documented limits (R-NSG-1, R-RT-3, R-SVC-3) are
// load-time errors located by file, line and path.
import { DISPOSITION_NAMES, formatIpv4 } from '@vnetsim/core';
import { describe, expect, it } from 'vitest';
import { ScenarioError, parseScenario, type ScenarioProblem } from '@vnetsim/scenario';
import type { Network } from '../network.js';
import { TrafficGenerator, type ProtocolMix } from '../packet/generate.js';
import { resolveSource } from '@vnetsim/scenario';
import { WORLD, worldNetwork } from './world.test-util.js';

const count = (net: Network, name: string) => net.counters.byDisposition[DISPOSITION_NAMES.indexOf(name as never)]!;

/** Runs `flows` flows of `perFlow` packets from `from` to `to` through `net`; returns the packets sent. */
function run(net: Network, from: string, to: string, flows: number, perFlow: number, protocol: ProtocolMix = 'tcp'): number {
  const src = resolveSource(net, from, true);
  const gen = new TrafficGenerator({
    seed: 7, flows, packetsPerFlow: perFlow, sources: src.addrs.map(formatIpv4), ingress: src.ingress,
    destinations: [to], protocol, concurrentFlows: 64,
  });
  const b = net.newBatch();
  let sent = 0;
  for (let n = gen.fill(b); n > 0; n = gen.fill(b)) {
    net.process(b);
    sent += n;
  }
  return sent;
}

function conserves(net: Network, sent: number): void {
  const c = net.counters;
  expect([c.packetsIn, c.accounted(), Array.from(c.byReason).reduce((x, y) => x + y, 0)]).toEqual([sent, sent, sent]);
}

describe('flow table and SNAT bounds (issue 7)', () => {
  it('a full flow table evicts (least recently seen of a probe window) and counts every eviction; packets are conserved', () => {
    const net = worldNetwork({ flowCapacity: 1024 });
    // 20,000 TCP flows of 4 packets (no FIN: every flow stays open until evicted) through a 1,024-entry table.
    const sent = run(net, 'hub/nat', '8.0.0.0/8', 20_000, 4);
    expect(sent).toBe(80_000);
    const f = net.flows;
    expect(f.size).toBeLessThanOrEqual(f.capacity);
    expect(f.evictions).toBeGreaterThanOrEqual(20_000 - f.capacity);
    expect(f.evictions).toBe(net.counters.flowsCreated - f.size);
    expect(count(net, 'ExitsNetwork')).toBe(sent);
    conserves(net, sent);
  });

  it('R-SNAT-1: an exhausted pool drops new flows as SnatExhausted with its reason, and counts them', () => {
    const net = worldNetwork({ snatPortsPerIp: 64 });
    const sent = run(net, 'hub/nat', '8.0.0.0/8', 1000, 1, 'udp');
    expect(count(net, 'SnatExhausted')).toBe(1000 - 64);
    expect(count(net, 'ExitsNetwork')).toBe(64);
    expect(net.counters.reasons()).toEqual({ SnatPortsExhausted: 936 });
    conserves(net, sent);
  });

  it('R-SNAT-1: evicted flows give their ports back: a pool larger than the flow table never runs dry, ports in use <= flows', () => {
    const net = worldNetwork({ flowCapacity: 256, snatPortsPerIp: 512 });
    const sent = run(net, 'hub/nat', '8.0.0.0/8', 10_000, 3);
    expect(net.flows.evictions).toBeGreaterThan(9000);
    expect(count(net, 'SnatExhausted')).toBe(0);
    const used = Array.from(net.snat.used).reduce((x, y) => x + y, 0);
    expect(used).toBeLessThanOrEqual(net.flows.size);
    conserves(net, sent);
  });
});

/** The problems of a scenario text that must not load. */
function problems(text: string): ScenarioProblem[] {
  try {
    parseScenario(text, 'limits.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const rules = (n: number) =>
  Array.from({ length: n }, (_, i) => `        - { name: r${i}, priority: ${100 + i}, direction: ${i % 2 ? 'Inbound' : 'Outbound'}, access: Allow, protocol: Tcp, source: '*', destination: '*', destinationPorts: '${1 + i}' }`).join('\n');
const routes = (n: number) =>
  Array.from({ length: n }, (_, i) => `        - { name: u${i}, prefix: 100.${i >> 8}.${i & 255}.0/24, nextHopType: Internet }`).join('\n');
const list = (n: number, f: (i: number) => string) => `[${Array.from({ length: n }, (_, i) => f(i)).join(', ')}]`;

/** WORLD with the NSG's rules, the route table's routes, or a service's firewall replaced. */
function withRules(n: number): string {
  return WORLD.replace(/      rules:\n(        - \{[^}]*\}\n)+/, `      rules:\n${rules(n)}\n`);
}
function withRoutes(n: number): string {
  return WORLD.replace('        - { name: blackhole, prefix: 203.0.113.0/24, nextHopType: None }', routes(n));
}
function withService(type: string, vnetRules: number, ipRules: number): string {
  const subnets = (i: number) => `hub/s${i}`;
  const extraSubnets = Array.from({ length: vnetRules }, (_, i) => `        - { name: s${i}, prefix: 10.0.${10 + (i >> 4)}.${(i & 15) * 16}/28 }`).join('\n');
  return WORLD.replace('        - { name: dmz, prefix: 10.0.2.0/24 }\n', `        - { name: dmz, prefix: 10.0.2.0/24 }\n${extraSubnets}\n`).replace(
    '  principals:',
    `    - name: limited
      type: ${type}
      region: westeurope
      address: ${type === 'Microsoft.Sql' ? '40.68.0.11' : type === 'Microsoft.AzureCosmosDB' ? '40.74.0.11' : type === 'Microsoft.KeyVault' ? '52.236.0.11' : '52.239.0.11'}
      firewall: { defaultAction: Deny, virtualNetworkRules: ${list(vnetRules, subnets)}, ipRules: ${list(ipRules, (i) => `198.51.${i >> 8}.${i & 255}`)} }
  principals:`,
  );
}

describe('documented limits are load-time errors with file, line and path (issue 7)', () => {
  it('R-NSG-1: 1000 rules per NSG load; 1001 are refused at network.nsgs[0].rules', () => {
    expect(() => parseScenario(withRules(1000), 'limits.yaml')).not.toThrow();
    const text = withRules(1001);
    const p = problems(text).find((x) => x.path === 'network.nsgs[0].rules');
    expect(p, JSON.stringify(problems(text).slice(0, 3))).toBeDefined();
    expect(p!.file).toBe('limits.yaml');
    expect(p!.message).toMatch(/1001 rules, expected at most 1000/);
    expect(p!.line).toBe(lineOf(text, '      rules:') + 1); // the list's first item
  });

  it('R-RT-3: 400 routes per table load; 401 are refused at network.routeTables[0].routes', () => {
    expect(() => parseScenario(withRoutes(400), 'limits.yaml')).not.toThrow();
    const text = withRoutes(401);
    const p = problems(text).find((x) => x.path === 'network.routeTables[0].routes');
    expect(p, JSON.stringify(problems(text).slice(0, 3))).toBeDefined();
    expect(p!.message).toMatch(/401 routes, expected at most 400/);
    expect(p!.line).toBe(lineOf(text, '      routes:') + 1);
  });

  it('R-SVC-3: VNet and IP rule limits per resource type are refused at the firewall list, limits themselves load', () => {
    const cases: [string, number, number, RegExp, string][] = [
      ['Microsoft.Storage', 201, 0, /201 virtual network rules, expected at most 200/, 'virtualNetworkRules'],
      ['Microsoft.Storage', 0, 201, /201 IP rules, expected at most 200/, 'ipRules'],
      ['Microsoft.Sql', 129, 0, /129 virtual network rules, expected at most 128/, 'virtualNetworkRules'],
      ['Microsoft.AzureCosmosDB', 65, 0, /65 virtual network rules, expected at most 64/, 'virtualNetworkRules'],
    ];
    for (const [type, vnetRules, ipRules, message, key] of cases) {
      const ok = withService(type, vnetRules - (key === 'virtualNetworkRules' ? 1 : 0), ipRules - (key === 'ipRules' ? 1 : 0));
      expect(() => parseScenario(ok, 'limits.yaml'), `${type} at the limit`).not.toThrow();
      const text = withService(type, vnetRules, ipRules);
      const all = problems(text);
      const p = all.find((x) => x.path === `network.services[2].firewall.${key}`);
      expect(p, `${type}: ${JSON.stringify(all.slice(0, 3))}`).toBeDefined();
      expect(p!.message).toMatch(message);
      expect(p!.line).toBe(lineOf(text, 'name: limited') + 4); // its firewall line
    }
  });
});
