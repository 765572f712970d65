import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseIpv4 } from '@vnetsim/core';
import {
  Network,
  PacketBatch,
  SPACE_END,
  TcpFlag,
  WhatIfEngine,
  checkAgreement,
  intervalsContain,
  mergeIntervals,
  mergeWhatIf,
  prefixInterval,
  resetsOf,
  whatIf,
  type WhatIfResult,
} from '@vnetsim/dataplane';
import { findScenarioFiles, loadScenarioFile, MissingDataError, parseScenario, type Scenario } from '../index.js';
import { applyChange } from '../run/apply-change.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function net(s: Scenario): Network {
  return new Network(s.network, s.serviceTags, s.options, { flowCapacity: 4096, batchCapacity: 4096 });
}

/** The quickstart network without its endpoint: the seed's forced-tunnelled subnet, before enabling Storage. */
function seedNetwork(firewall = '{ defaultAction: Deny, virtualNetworkRules: [], ipRules: [51.105.0.9] }') {
  return parseScenario(`
name: seed
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, routeTable: forced }
        - { name: dmz, prefix: 10.0.2.0/24 }
        - { name: other, prefix: 10.0.3.0/24, routeTable: forced }
  nsgs:
    - name: app-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: Tcp,
            source: VirtualNetwork, sourcePorts: '*', destination: Storage.WestEurope, destinationPorts: '443' }
        - { name: deny-internet, priority: 110, direction: Outbound, access: Deny, protocol: '*',
            source: VirtualNetwork, sourcePorts: '*', destination: Internet, destinationPorts: '*' }
  routeTables:
    - name: forced
      routes:
        - { name: default-fw, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.2.4 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
    - { name: vm3, subnet: hub/other, privateIp: 10.0.3.4 }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.2.4, ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 } }
  services:
    - { name: mystorage, type: Microsoft.Storage, region: westeurope, address: 52.239.1.10, firewall: ${firewall} }
`, 'seed.yaml');
}

function enableStorage(s: Scenario): { before: Network; after: Network } {
  const before = net(s);
  const after = net(s);
  const r = after.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
  expect(r.ok).toBe(true);
  return { before, after };
}

function expectTiling(engine: WhatIfEngine): void {
  engine.sources.forEach((_, i) => {
    for (const family of [4, 6] as const) {
      const classes = engine.classes(i, family);
      let at = 0n;
      let size = 0n;
      for (const [lo, end] of classes) {
        expect(lo).toBe(at); // no gap, no overlap
        expect(end > lo).toBe(true);
        size += end - lo;
        at = end;
      }
      expect(size).toBe(SPACE_END[family]);
    }
  });
}

describe('whatif: exhaustive', () => {
  it('for every source the destination classes tile 0.0.0.0/0 and ::/0 exactly (sizes sum to 2^32 and 2^128)', () => {
    const { before, after } = enableStorage(seedNetwork());
    const engine = new WhatIfEngine(before, after);
    expect(engine.sources.map((s) => s.name)).toEqual(['vm1', 'vm3', 'fw', 'Internet']);
    expectTiling(engine);
    // The class count is more than one: the tables do cut the space.
    expect(engine.classes(0, 4).length).toBeGreaterThan(10);
  });

  it('tiles on random networks too', () => {
    fc.assert(
      fc.property(networkArb, ({ yaml, change }) => {
        const { before, after } = changed(yaml, change);
        expectTiling(new WhatIfEngine(before, after));
      }),
      { numRuns: 15, seed: 12 },
    );
  });
});

describe('whatif: the seed\'s behaviours show up without being asked for', () => {
  it('R-SE-ROUTE-1, R-SE-1, R-SE-2, R-SE-3: enabling Storage on a forced-tunnelled subnet lists the appliance bypass for Storage of the region and its pair, the private source, the IP rule that stops matching, the reset; nothing else', () => {
    const s = seedNetwork();
    const live = net(s);
    // An open connection to the account (through the appliance, admitted by the IP rule) and one to the Internet.
    const b = new PacketBatch(8);
    b.push4(parseIpv4('10.0.1.4'), parseIpv4('52.239.1.10'), 50001, 443, 6, TcpFlag.SYN, 60, 0, 0);
    b.push4(parseIpv4('10.0.3.4'), parseIpv4('8.8.8.8'), 50002, 443, 6, TcpFlag.SYN, 60, 1, 0);
    live.process(b);
    const after = net(s);
    after.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    const r = whatIf(net(s), after, { resets: resetsOf(live, after) });
    // The connection of hub/app to Storage is reset; the other subnet's Internet connection is not.
    expect(r.resets.map((x) => x.flowId)).toEqual([b.flowId[0]]);
    expect(r.changes.length).toBeGreaterThan(0);
    // Only vm1 (hub/app) changes: not vm3 in another forced subnet, not the appliance, not the Internet.
    expect(new Set(r.changes.map((c) => c.source))).toEqual(new Set(['vm1']));
    // Every changed destination is Storage of westeurope or its pair northeurope (R-SE-REGION).
    const storage = mergeIntervals(['Storage.WestEurope', 'Storage.NorthEurope'].flatMap((t) => {
      const tag = s.serviceTags.get(t)!;
      return [...tag.v4, ...tag.v6].map((p) => prefixInterval(p).range);
    }));
    const v4 = (p: string) => prefixInterval(p);
    for (const c of r.changes) {
      expect(intervalsContain(storage, mergeIntervals(c.destinations.map((d) => v4(d).range)))).toBe(true);
      // The appliance is bypassed: before through fw with its public address, after through the endpoint, private.
      expect(c.before).toMatchObject({ nextHopType: 'VirtualAppliance', appliance: 'fw', sourceSeenByDestination: '51.105.0.9' });
      expect(c.after).toMatchObject({ nextHopType: 'VirtualNetworkServiceEndpoint', appliance: null, sourceSeenByDestination: '10.0.1.4' });
      expect(c.protocols).toEqual(['Tcp']);
      expect(c.ports).toBe('443');
    }
    // Both regions' prefixes are listed (the NSG admits Storage.WestEurope only: the rest stays denied, unchanged).
    const all = r.changes.flatMap((c) => c.destinations);
    expect(all.some((d) => d.startsWith('52.239.'))).toBe(true);
    // The account: the IP rule for the appliance's address no longer matches, and no virtual-network rule admits.
    const acct = r.changes.find((c) => c.destinations.includes('52.239.1.10/32'))!;
    expect(acct.before).toMatchObject({ disposition: 'Delivered', serviceVerdict: 'IpRule', service: 'mystorage' });
    expect(acct.after).toMatchObject({ disposition: 'ServiceDenied', serviceVerdict: 'NoVirtualNetworkRule', serviceError: '403 AuthorizationFailure' });
    // Internet destinations stay as they were.
    expect(r.changes.some((c) => mergeIntervals(c.destinations.map((d) => v4(d).range)).some(([lo, end]) => lo <= 0x08080808n && 0x08080808n < end))).toBe(false);
  });

  it('the destinations of a region tag are named by it when the group equals the tag exactly', () => {
    // Without a service address inside the tag and with every port allowed, the group is exactly Storage.WestEurope.
    const s = parseScenario(`
name: tags
network:
  vnets:
    - { name: hub, region: westeurope, addressSpace: [10.0.0.0/16], subnets: [{ name: app, prefix: 10.0.1.0/24 }] }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
`, 'tags.yaml');
    const before = net(s);
    const after = net(s);
    after.enableServiceEndpoint('hub/app', 'Microsoft.Storage', undefined, ['westeurope']);
    const r = whatIf(before, after);
    const v4 = r.changes.filter((c) => !c.destinations[0]!.includes(':'));
    expect(v4).toHaveLength(1);
    expect(v4[0]!.tags).toEqual(['Storage.WestEurope']);
    expect(v4[0]!.protocols).toEqual(['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', 'Other']);
    expect(v4[0]!.ports).toBe('0-65535');
    expect(v4[0]!.addresses).toBe(String(v4[0]!.destinations.reduce((n, d) => n + 2 ** (32 - Number(d.split('/')[1])), 0)));
  });
});

describe('whatif: slices', () => {
  it('slices run in any order merge into the same answer (the distributed engine\'s unit of work)', () => {
    const { before, after } = enableStorage(seedNetwork());
    const whole = whatIf(before, after);
    const engine = new WhatIfEngine(before, after);
    const slices = engine.plan(7);
    expect(slices.length).toBeGreaterThan(5);
    const results = [...slices].reverse().map((sl) => engine.runSlice(sl));
    const merged = mergeWhatIf(engine, results);
    expect(merged.changes).toEqual(whole.changes);
    expect(merged.summary.classes).toBe(whole.summary.classes);
    expect(() => mergeWhatIf(engine, results.slice(1))).toThrow(/slices of source/);
  });
});

// ---- agreement: random packets through the plain pipeline land where what-if put them ----

const PREFIXES = ['52.239.0.0/16', '52.239.1.0/24', '20.38.100.0/23', '8.8.8.0/24', '0.0.0.0/0', '10.0.0.0/8', '10.0.2.0/24', '13.69.0.0/16', '40.68.0.0/23'];
const TAGS = ['Storage', 'Storage.WestEurope', 'Storage.NorthEurope', 'Sql.WestEurope', 'Internet', 'VirtualNetwork', '*'];

const ruleArb = fc.record({
  dir: fc.constantFrom('Outbound', 'Inbound'),
  access: fc.constantFrom('Allow', 'Deny'),
  proto: fc.constantFrom('Tcp', 'Udp', '*', 'Icmp', 'Esp'),
  dst: fc.constantFrom(...TAGS, ...PREFIXES),
  src: fc.constantFrom('*', 'VirtualNetwork', 'Internet', '10.0.1.0/24', '192.168.10.0/24', '203.0.113.0/24'),
  ports: fc.constantFrom('*', '443', '80-443', '22', '53', '1000-2000'),
  sports: fc.constantFrom('*', '*', '*', '1024-65535'),
});

type RuleParams = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;
function rule(r: RuleParams, name: string, priority: number) {
  return { name, priority, direction: r.dir, access: r.access, protocol: r.proto, source: r.src, sourcePorts: r.sports, destination: r.dst, destinationPorts: r.ports };
}

const networkArb = fc
  .record({
    rules: fc.array(ruleArb, { minLength: 0, maxLength: 6 }),
    nicRules: fc.array(ruleArb, { minLength: 0, maxLength: 3 }),
    forced: fc.constantFrom('app', 'both', 'none'),
    udrPrefix: fc.constantFrom('0.0.0.0/0', '52.239.0.0/16', '8.8.8.0/24'),
    udrHop: fc.constantFrom('VirtualAppliance', 'Internet', 'None', 'VirtualNetworkGateway'),
    egress: fc.constantFrom('Internet', 'OnPrem', 'Drop'),
    endpoints: fc.constantFrom('none', 'app', 'dmz'),
    deny: fc.boolean(),
    vnetRule: fc.boolean(),
    ipRule: fc.constantFrom('none', '51.105.0.9', '51.105.0.1', '203.0.113.10', '203.0.113.0/24'),
    v6: fc.boolean(),
    policy: fc.boolean(),
    change: fc.oneof(
      fc.constantFrom(
        "enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }",
        "disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }",
        "enableServiceEndpoint: { subnet: hub/dmz, service: Microsoft.Storage }",
        "enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Sql }",
        "addVirtualNetworkRule: { service: sa1, subnet: hub/app }",
        "removeVirtualNetworkRule: { service: sa1, subnet: hub/app }",
        "addIpRule: { service: sa1, ip: 51.105.0.9 }",
        "addIpRule: { service: sa1, ip: 203.0.113.10 }",
        "removeRoute: { routeTable: rt, name: r1 }",
        "setRoute: { routeTable: rt, route: { name: r2, prefix: 52.239.1.0/24, nextHopType: Internet } }",
        "setRoute: { routeTable: rt, route: { name: r1, prefix: 0.0.0.0/0, nextHopType: None } }",
      ),
      ruleArb.map((r) => `setRule: { nsg: app-nsg, rule: ${JSON.stringify(rule(r, 'changed', 150))} }`),
      ruleArb.map((r) => `setRule: { nsg: nic-nsg, rule: ${JSON.stringify(rule(r, 'r0', 100))} }`),
    ),
  })
  .map((p) => {
    const ep = (sn: string) => (p.endpoints === sn ? ['Microsoft.Storage'] : []);
    const spec = {
      name: 'random',
      network: {
        vnets: [{
          name: 'hub', region: 'westeurope', addressSpace: ['10.0.0.0/16', ...(p.v6 ? ['fd00:1::/48'] : [])],
          gateway: { onPremPrefixes: ['192.168.0.0/16'], natIps: ['203.0.113.10'] },
          subnets: [
            { name: 'app', prefix: '10.0.1.0/24', ...(p.v6 ? { prefixV6: 'fd00:1:0:1::/64' } : {}), nsg: 'app-nsg', serviceEndpoints: ep('app'), ...(p.forced !== 'none' ? { routeTable: 'rt' } : {}), ...(p.policy && p.endpoints === 'app' ? { endpointPolicies: ['pol'] } : {}) },
            { name: 'dmz', prefix: '10.0.2.0/24', serviceEndpoints: ep('dmz') },
            { name: 'data', prefix: '10.0.3.0/24', nsg: 'app-nsg', ...(p.forced === 'both' ? { routeTable: 'rt' } : {}) },
          ],
        }],
        nsgs: [
          { name: 'app-nsg', rules: p.rules.map((r, i) => rule(r, `r${i}`, 100 + 10 * i)) },
          { name: 'nic-nsg', rules: p.nicRules.map((r, i) => rule(r, `r${i}`, 100 + 10 * i)) },
        ],
        routeTables: [{ name: 'rt', routes: [{ name: 'r1', prefix: p.udrPrefix, nextHopType: p.udrHop, ...(p.udrHop === 'VirtualAppliance' ? { nextHopIp: '10.0.2.4' } : {}) }] }],
        vms: [
          { name: 'vm1', subnet: 'hub/app', privateIp: '10.0.1.4', publicIp: '51.105.0.1', nsg: 'nic-nsg', ...(p.v6 ? { privateIpV6: 'fd00:1:0:1::4' } : {}) },
          { name: 'vm2', subnet: 'hub/app', privateIp: '10.0.1.5' },
          { name: 'db', subnet: 'hub/data', privateIp: '10.0.3.4', publicIp: '51.105.0.3' },
          { name: 'fw', subnet: 'hub/dmz', privateIp: '10.0.2.4', ipForwarding: true, appliance: { egress: p.egress, publicIp: '51.105.0.9' } },
        ],
        services: [
          { name: 'sa1', type: 'Microsoft.Storage', region: 'westeurope', address: '52.239.1.10', firewall: { defaultAction: p.deny ? 'Deny' : 'Allow', virtualNetworkRules: p.vnetRule ? ['hub/app'] : [], ipRules: p.ipRule === 'none' ? [] : [p.ipRule] } },
          { name: 'sq1', type: 'Microsoft.Sql', region: 'westeurope', address: '40.68.0.10', firewall: { defaultAction: 'Deny', virtualNetworkRules: [], ipRules: [] } },
        ],
        endpointPolicies: [{ name: 'pol', service: 'Microsoft.Storage', resources: ['sa1'] }],
        onPrem: [{ name: 'branch', prefix: '192.168.10.0/24', via: 'hub' }],
      },
    };
    return { yaml: stringify(spec), change: p.change };
  });

/** The change as a step of the network's own file (names are checked against it). */
function stepOf(yaml: string, change: string) {
  return parseScenario(`${yaml}steps:\n  - ${change}\n`, 'change.yaml').steps[0]!;
}

function changed(yaml: string, change: string): { before: Network; after: Network; ok: boolean } {
  const s = parseScenario(yaml, 'random.yaml');
  const before = net(s);
  const after = net(s);
  const step = stepOf(yaml, change);
  const r = applyChange(after, step);
  return { before, after, ok: r?.ok === true };
}

function agreement(before: Network, after: Network, r: WhatIfResult, packets: number, seed: number) {
  const { checked, disagreements } = checkAgreement(before, after, r, packets, seed);
  expect(checked).toBe(packets);
  expect(disagreements.slice(0, 3)).toEqual([]);
  return checked;
}

describe('whatif: agreement with the plain pipeline', () => {
  let total = 0;
  it('random networks and changes: every random packet is where whatif put it (zero disagreements)', () => {
    fc.assert(
      fc.property(networkArb, fc.integer({ min: 1, max: 1 << 30 }), ({ yaml, change }, seed) => {
        const { before, after, ok } = changed(yaml, change);
        fc.pre(ok);
        const r = whatIf(before, after);
        total += agreement(before, after, r, 1500, seed);
      }),
      { numRuns: 40, seed: 2026 },
    );
    expect(total).toBeGreaterThanOrEqual(40_000);
  });

  it('the scenario library: each network with a control-plane change of its own steps (or an endpoint toggle)', () => {
    const files = findScenarioFiles(`${root}scenarios`);
    let networks = 0;
    for (const file of files) {
      let s: Scenario;
      try {
        s = loadScenarioFile(file);
      } catch (e) {
        if (e instanceof MissingDataError) continue;
        throw e;
      }
      if (s.network.vms.length > 200) continue; // big generated networks: covered by the bench, not this budget
      const before = net(s);
      const after = net(s);
      const step = s.steps.find((x) => applyChange(net(s), x)?.ok === true);
      let r0 = step === undefined ? null : applyChange(after, step);
      if (r0 === null) {
        const sub = after.tables.subnetNames.find((n) => after.spec.vnets.find((v) => v.name === n.split('/')[0])?.deploymentModel !== 'Classic');
        if (sub === undefined) continue;
        r0 = after.enableServiceEndpoint(sub, 'Microsoft.Storage');
        if (!r0.ok) r0 = after.disableServiceEndpoint(sub, 'Microsoft.Storage');
      }
      const t0 = performance.now();
      const r = whatIf(before, after);
      const t1 = performance.now();
      total += agreement(before, after, r, 800, networks + 1);
      if (process.env.WHATIF_TIMES) console.log(file.slice(root.length), Math.round(t1 - t0), Math.round(performance.now() - t1));
      networks++;
    }
    expect(networks).toBeGreaterThan(30);
    // 10^5 packets in all (with the random networks above).
    expect(total).toBeGreaterThanOrEqual(100_000 - 800);
  });
});

