import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinServiceTagsJson } from '@vnetsim/core';
import { findScenarioFiles, loadScenarioFile, parseScenario, ScenarioError, type LoadOptions, type ScenarioProblem } from '../index.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const CATALOGUE = `name: endpoint-switches-source
description: Enabling a Storage endpoint switches the source the account sees from public to private.
options:
  endpointPrecedence: override        # override (default, per the seed) | lpm
serviceTags: builtin                  # builtin (a small set shipped with vnetsim) | path to a ServiceTags_Public JSON,
                                      # relative to this file
network:
  vnets:
    - name: hub
      region: westeurope
      subscription: sub-a             # optional, default "default"
      tenant: contoso                 # optional, default "default"
      deploymentModel: ResourceManager  # or Classic
      addressSpace: [10.0.0.0/16]
      peerings: [spoke]               # names of other vnets (peering is symmetric)
      gateway:                        # optional VPN/ExpressRoute gateway
        onPremPrefixes: [192.168.0.0/16]
        natIps: [203.0.113.10, 203.0.113.11]   # addresses on-premises traffic has when it reaches Azure services
      subnets:
        - name: app
          prefix: 10.0.1.0/24
          nsg: app-nsg                # optional
          routeTable: forced          # optional
          natGateway: { publicIps: [20.50.0.1] }   # optional
          serviceEndpoints: [Microsoft.Storage]    # optional; an entry may also be
                                                   # { service: Microsoft.Storage, locations: [westeurope, northeurope] }
                                                   # or locations: ['*'] (see R-SE-REGION)
          endpointPolicies: [only-mystorage]       # optional
  nsgs:
    - name: app-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: '*',
            source: VirtualNetwork, sourcePorts: '*', destination: Storage.WestEurope, destinationPorts: '443' }
  routeTables:
    - name: forced
      disableBgpRoutePropagation: false
      routes:
        - { name: default-nva, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.2.4 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 52.10.0.1, nsg: nic-nsg, asgs: [web] }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.2.4, ipForwarding: true,
        appliance: { egress: Internet, publicIp: 52.10.0.9 } }     # egress: Internet | OnPrem | Drop
  services:
    - name: mystorage
      type: Microsoft.Storage         # Microsoft.Sql, Microsoft.AzureCosmosDB, Microsoft.KeyVault, ...
      region: westeurope
      subscription: sub-b
      tenant: contoso
      address: 52.239.1.10            # must lie in the service's tag prefixes for its region
      hostname: mystorage.blob.core.windows.net
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/app], ipRules: [52.10.0.1, 203.0.113.0/30] }
  endpointPolicies:
    - { name: only-mystorage, service: Microsoft.Storage, resources: [mystorage] }
  onPrem:
    - { name: branch, prefix: 192.168.10.0/24, via: hub }
  principals:
    - { name: netadmin, permissions: [Microsoft.Network/virtualNetworks/subnets/write,
                                      Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action] }
    - { name: reader, permissions: [] }
steps:
  # one packet (or a TCP connection: handshake + data) through the pipeline
  - connect: { id: c1, from: vm1, to: mystorage, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered, nextHopType: Internet, sourceSeenByService: 52.10.0.1 }
  - send: { from: vm1, to: 8.8.8.8, protocol: Udp, port: 53 }
    expect: { disposition: DeniedOut, rule: securityRules/deny-internet }
  # a packet on an open connection
  - send: { flow: c1 }
    expect: { disposition: Delivered }
  # a stream of synthetic packets; counters by disposition
  - traffic: { from: hub/app, to: Storage.WestEurope, protocol: Tcp, port: 443, packets: 100000, flows: 1000, seed: 7 }
    expect: { counts: { Delivered: 100000 } }
  # control-plane changes; \`as\` names a principal (omitted = an owner with every permission)
  - enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage, as: netadmin }
    expect: { resetConnections: [c1] }
  - disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }
  - addVirtualNetworkRule: { service: mystorage, subnet: hub/app, as: reader }
    expect: { error: AuthorizationFailed }
  - setRule: { nsg: app-nsg, rule: { name: deny-all, priority: 200, direction: Outbound, access: Deny, protocol: '*',
               source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*' } }
  - removeRule: { nsg: app-nsg, name: deny-all }
  - setRoute: { routeTable: forced, route: { name: x, prefix: 52.0.0.0/8, nextHopType: Internet } }
  - removeRoute: { routeTable: forced, name: x }
  # Network Watcher style questions
  - effectiveRoutes: { subnet: hub/app }
    expect: { contains: [ { prefix: 0.0.0.0/0, source: User, state: Active, nextHopType: VirtualAppliance } ] }
  - nextHop: { from: vm1, to: 52.239.1.10 }
    expect: { nextHopType: VirtualNetworkServiceEndpoint, routeTable: System Route }
  - ipFlowVerify: { vm: vm1, direction: Outbound, protocol: Tcp, local: 10.0.1.4:50000, remote: 52.239.1.10:443 }
    expect: { access: Allow, rule: securityRules/allow-storage }
  - resolve: { hostname: mystorage.blob.core.windows.net }
    expect: { address: 52.239.1.10 }
`;

export const GOOD = `name: storage-endpoint-switch
description: Enabling the Storage endpoint switches the source the account sees.
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - name: app
          prefix: 10.0.1.0/24
          nsg: app-nsg
        - name: dmz
          prefix: 10.0.2.0/24
  nsgs:
    - name: app-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: '*',
            source: VirtualNetwork, destination: Storage.WestEurope, destinationPorts: '443' }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 52.10.0.1 }
  services:
    - name: mystorage
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.0.10
      hostname: mystorage.blob.core.windows.net
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/app], ipRules: [52.10.0.1] }
steps:
  - connect: { id: c1, from: vm1, to: mystorage, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered, sourceSeenByService: 52.10.0.1 }
  - enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }
    expect: { resetConnections: [c1] }
  - send: { flow: c1 }
    expect: { disposition: FlowReset }
  - resolve: { hostname: mystorage.blob.core.windows.net }
    expect: { address: 52.239.0.10 }
`;

const FILE = '/scenarios/test.yaml';

function problemsOf(text: string, opts: LoadOptions = {}): ScenarioProblem[] {
  try {
    parseScenario(text, FILE, opts);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}
/** The one problem at `path` (fails when there is none). */
function problemAt(text: string, path: string): ScenarioProblem {
  const ps = problemsOf(text);
  const p = ps.find((x) => x.path === path);
  expect(p, `no problem at ${path}; got ${JSON.stringify(ps)}`).toBeDefined();
  return p!;
}
/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}
const replace = (text: string, from: string, to: string) => {
  expect(text.includes(from), `fixture lacks ${from}`).toBe(true);
  return text.replace(from, to);
};

describe('parseScenario: the SCENARIOS.md catalogue', () => {
  it('parses structurally: every step kind, every expect key, defaults filled', () => {
    const s = parseScenario(CATALOGUE, FILE, { validate: false });
    expect(s.name).toBe('endpoint-switches-source');
    expect(s.steps.map((x) => x.kind)).toEqual([
      'connect', 'send', 'send', 'traffic', 'enableServiceEndpoint', 'disableServiceEndpoint', 'addVirtualNetworkRule',
      'setRule', 'removeRule', 'setRoute', 'removeRoute', 'effectiveRoutes', 'nextHop', 'ipFlowVerify', 'resolve',
    ]);
    expect(s.steps[0]).toMatchObject({ kind: 'connect', id: 'c1', from: 'vm1', to: 'mystorage', protocol: 'Tcp', port: 443, line: lineOf(CATALOGUE, '- connect:') });
    expect(s.steps[0]!.expect).toEqual({ disposition: 'Delivered', nextHopType: 'Internet', sourceSeenByService: '52.10.0.1' });
    expect(s.steps[3]).toMatchObject({ kind: 'traffic', packets: 100000, flows: 1000, seed: 7, expect: { counts: { Delivered: 100000 } } });
    const vnet = s.network.vnets[0]!;
    expect(vnet.subnets[0]!.serviceEndpoints).toEqual([{ service: 'Microsoft.Storage' }]);
    expect(vnet.subscription).toBe('sub-a');
    const fw = s.network.vms[1]!;
    expect(fw).toMatchObject({ ipForwarding: true, asgs: [], appliance: { egress: 'Internet', publicIp: '52.10.0.9' } });
    expect(s.network.vms[0]!.ipForwarding).toBe(false);
    expect(s.network.nsgs[0]!.rules[0]!.sourcePorts).toBe('*');
    expect(s.network.routeTables[0]!.routes[0]).toEqual({ name: 'default-nva', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' });
    expect(s.options.endpointPrecedence).toBe('override');
  });

  it('with validation, only semantic problems remain, each located on a line of the network', () => {
    const ps = problemsOf(CATALOGUE);
    expect(ps.length).toBeGreaterThan(0);
    for (const p of ps) {
      expect(p.path.startsWith('network.')).toBe(true);
      expect(p.line).toBeGreaterThan(lineOf(CATALOGUE, 'network:'));
    }
    // e.g. the catalogue's vm1 names an NSG that does not exist.
    const nsg = ps.find((p) => p.path === 'network.vms[0].nsg')!;
    expect(nsg.line).toBe(lineOf(CATALOGUE, 'name: vm1'));
  });
});

describe('parseScenario: a consistent scenario', () => {
  it('loads with validation, defaults of model/types.ts filled', () => {
    const s = parseScenario(GOOD, FILE);
    expect(s.network.vnets[0]).toMatchObject({ subscription: 'default', tenant: 'default', deploymentModel: 'ResourceManager', peerings: [] });
    expect(s.network.vnets[0]!.subnets[1]).toEqual({ name: 'dmz', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] });
    expect(s.network.services[0]!.firewall).toEqual({ defaultAction: 'Deny', virtualNetworkRules: ['hub/app'], ipRules: ['52.10.0.1'] });
    expect(s.network).toMatchObject({ routeTables: [], endpointPolicies: [], onPrem: [], principals: [] });
    expect(s.serviceTagsSource).toContain('builtin');
    expect(s.serviceTags.has('Storage.WestEurope')).toBe(true);
    expect(s.steps[2]).toMatchObject({ kind: 'send', flow: 'c1', index: 2, expect: { disposition: 'FlowReset' } });
  });

  it('loads from a file; a missing file is a ScenarioError, not an ENOENT', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-'));
    const f = path.join(dir, 'good.yaml');
    writeFileSync(f, GOOD);
    expect(loadScenarioFile(f).file).toBe(f);
    expect(() => loadScenarioFile(path.join(dir, 'nope.yaml'))).toThrow(ScenarioError);
    expect(findScenarioFiles(dir)).toEqual([f]);
  });

  it('a file over the size limit is refused with a clear error', () => {
    const ps = problemsOf(GOOD, { maxBytes: 100 });
    expect(ps[0]!.message).toMatch(/more than the limit of 100/);
  });

  it('serviceTags: a JSON path relative to the file; --service-tags overrides it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-'));
    writeFileSync(path.join(dir, 'tags.json'), JSON.stringify(builtinServiceTagsJson()));
    const text = `serviceTags: tags.json\n${GOOD}`;
    const s = parseScenario(text, path.join(dir, 's.yaml'));
    expect(s.serviceTagsSource).toBe(path.join(dir, 'tags.json'));
    const missing = problemsOf(`serviceTags: nope.json\n${GOOD}`);
    expect(missing[0]).toMatchObject({ path: 'serviceTags', line: 1 });
    const over = parseScenario(`serviceTags: nope.json\n${GOOD}`, FILE, { serviceTagsFile: path.join(dir, 'tags.json') });
    expect(over.serviceTagsSource).toBe(path.join(dir, 'tags.json'));
  });

  const p = path.resolve(ROOT, '../shared/data/service-tags/ServiceTags_Public.cn376.json');
  it.skipIf(!existsSync(p))('real service tags (reads ../shared/data/service-tags/ServiceTags_Public.cn376.json)', () => {
    const real = parseScenario(GOOD, FILE, { serviceTagsFile: p, validate: false });
    expect(real.serviceTags.has('Storage.WestEurope')).toBe(true);
  });
});

describe('parseScenario: every kind of error names the line and the path', () => {
  it('unknown key, with a did-you-mean suggestion', () => {
    const text = replace(GOOD, 'addressSpace:', 'adressSpace:');
    const p = problemAt(text, 'network.vnets[0].adressSpace');
    expect(p).toMatchObject({ file: FILE, line: lineOf(text, 'adressSpace'), column: 7 });
    expect(p.message).toMatch(/unknown key "adressSpace".*did you mean addressSpace\?/);
    // the required key it replaced is missing too
    expect(problemAt(text, 'network.vnets[0].addressSpace').message).toMatch(/missing required key "addressSpace"/);
  });

  it('unknown expect key (a typo would silently be a no-op)', () => {
    const text = replace(GOOD, 'sourceSeenByService:', 'sourceSeenByServce:');
    const p = problemAt(text, 'steps[0].expect.sourceSeenByServce');
    expect(p.line).toBe(lineOf(text, 'sourceSeenByServce'));
    expect(p.message).toMatch(/did you mean sourceSeenByService\?/);
  });

  it('an expect key that does not apply to the step kind', () => {
    const text = replace(GOOD, 'expect: { address: 52.239.0.10 }', 'expect: { counts: { Delivered: 1 } }');
    expect(problemAt(text, 'steps[3].expect.counts').message).toMatch(/unknown key "counts" in the expect of a resolve step/);
  });

  it('wrong type', () => {
    const text = replace(GOOD, 'port: 443', 'port: https');
    const p = problemAt(text, 'steps[0].connect.port');
    expect(p.line).toBe(lineOf(text, 'port: https'));
    expect(p.message).toBe('found the string "https", expected a port from 0 to 65535');
  });

  it('bad enum, with suggestion', () => {
    const text = replace(GOOD, 'disposition: FlowReset', 'disposition: Flowreset');
    const p = problemAt(text, 'steps[2].expect.disposition');
    expect(p.line).toBe(lineOf(text, 'Flowreset'));
    expect(p.message).toMatch(/found "Flowreset", expected one of Delivered, .*; did you mean FlowReset\?/);
    const proto = problemAt(replace(GOOD, "protocol: '*'", 'protocol: Any'), 'network.nsgs[0].rules[0].protocol');
    expect(proto.message).toMatch(/expected one of Tcp, Udp, Icmp, Esp, Ah, \*/);
    const prec = problemAt(`options: { endpointPrecedence: LPM }\n${GOOD}`, 'options.endpointPrecedence');
    expect(prec).toMatchObject({ line: 1 });
    expect(prec.message).toMatch(/did you mean lpm\?/);
  });

  it('missing required key, located at its owner', () => {
    const text = replace(GOOD, ', privateIp: 10.0.1.4', '');
    const p = problemAt(text, 'network.vms[0].privateIp');
    expect(p.line).toBe(lineOf(text, 'name: vm1'));
    expect(p.message).toBe('missing required key "privateIp" in a VM');
  });

  it('two step kinds in one step; none at all', () => {
    const text = replace(GOOD, '- resolve: { hostname: mystorage.blob.core.windows.net }', '- resolve: { hostname: mystorage.blob.core.windows.net }\n    advanceTime: { seconds: 5 }');
    const p = problemAt(text, 'steps[3].advanceTime');
    expect(p.line).toBe(lineOf(text, 'advanceTime'));
    expect(p.message).toMatch(/exactly one kind, found both "resolve" and "advanceTime"/);
    const none = problemAt(`${GOOD}  - expect: { address: 52.239.0.10 }\n`, 'steps[4]');
    expect(none.message).toMatch(/a step needs one of: connect, send/);
  });

  it('unknown step kind, with suggestion', () => {
    const text = replace(GOOD, '- resolve:', '- reslove:');
    expect(problemAt(text, 'steps[3].reslove').message).toMatch(/did you mean resolve\?/);
  });

  it('duplicate key', () => {
    const text = replace(GOOD, '      region: westeurope\n      addressSpace', '      region: westeurope\n      region: northeurope\n      addressSpace');
    const p = problemAt(text, 'network.vnets[0].region');
    expect(p.line).toBe(lineOf(text, 'region: northeurope'));
    expect(p.message).toMatch(/duplicate key "region"/);
  });

  it('non-string keys are refused', () => {
    const p = problemsOf(replace(GOOD, 'name: storage-endpoint-switch', 'name: x\n1: one\n[a]: b'));
    expect(p.filter((x) => /expected a string key/.test(x.message)).map((x) => x.line)).toEqual([2, 3]);
  });

  it('R-ADDR-1: a prefix with host bits shows the canonical form', () => {
    const text = replace(GOOD, 'prefix: 10.0.1.0/24', 'prefix: 10.0.1.1/24');
    const p = problemAt(text, 'network.vnets[0].subnets[0].prefix');
    expect(p.line).toBe(lineOf(text, '10.0.1.1/24'));
    expect(p.message).toMatch(/did you mean 10.0.1.0\/24\?/);
  });

  it('all problems of a file at once, sorted by line', () => {
    const text = replace(replace(replace(GOOD, 'port: 443', 'port: -1'), 'privateIp: 10.0.1.4', 'privateIp: 10.0.1.400'), 'region: westeurope', 'region: [westeurope]');
    const ps = problemsOf(text);
    expect(ps.map((p) => p.path)).toEqual(['network.vnets[0].region', 'network.vms[0].privateIp', 'steps[0].connect.port']);
    expect(ps.map((p) => p.line)).toEqual([...ps.map((p) => p.line)].sort((a, b) => a - b));
  });

  it('YAML syntax errors are located', () => {
    const ps = problemsOf('name: x\nnetwork: { vnets: [\nsteps: []\n');
    expect(ps[0]!.message).toMatch(/^YAML syntax/);
    expect(ps[0]!.line).toBeGreaterThan(0);
  });

  it('a YAML syntax error points at its real line and column, not 1:1', () => {
    // The block sequence inside the flow sequence starts on line 4, column 5.
    const ps = problemsOf('name: x\nnetwork:\n  vnets: [\n    - a\nsteps: []\n');
    expect([ps[0]!.line, ps[0]!.column]).toEqual([4, 5]);
    expect(ps[0]!.message).toMatch(/^YAML syntax: Block collections are not allowed within flow collections/);
    expect(problemsOf('name: x\nsteps: []\nnetwork:\n  vnets: []\n   bad: 1\n').map((p) => p.line)).toContain(5);
  });

  it('references: unknown VM, unknown connection id, unknown principal', () => {
    const text = replace(replace(GOOD, 'from: vm1', 'from: vm2'), 'resetConnections: [c1]', 'resetConnections: [c2]');
    expect(problemAt(text, 'steps[0].connect.from').message).toMatch(/"vm2" is not a VM, a vnet\/subnet or an on-premises name of the network; did you mean vm1\?/);
    expect(problemAt(text, 'steps[1].expect.resetConnections[0]').message).toMatch(/no earlier connect step has id "c2"; did you mean c1\?/);
    const asText = replace(GOOD, 'service: Microsoft.Storage }', 'service: Microsoft.Storage, as: netadmin }');
    expect(problemAt(asText, 'steps[1].enableServiceEndpoint.as').line).toBe(lineOf(asText, 'as: netadmin'));
  });

  it('validateNetwork problems are mapped to their line', () => {
    const text = replace(GOOD, 'nsg: app-nsg', 'nsg: app-nsgg');
    const p = problemAt(text, 'network.vnets[0].subnets[0].nsg');
    expect(p.line).toBe(lineOf(text, 'app-nsgg'));
  });
});

describe('parseScenario: hostile input (issue 7)', () => {
  const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n');

  it('a YAML alias bomb is refused quickly, not expanded', () => {
    const t = performance.now();
    const ps = problemsOf(BOMB);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(ps[0]!.message).toMatch(/alias/);
  });

  it('__proto__ and constructor keys pollute nothing', () => {
    const text = replace(GOOD, 'network:\n', 'network:\n  __proto__: { polluted: 1 }\n  constructor: { prototype: { polluted: 1 } }\n');
    const ps = problemsOf(text);
    expect(ps.map((p) => p.path)).toEqual(expect.arrayContaining(['network.__proto__', 'network.constructor']));
    const counts = problemsOf(replace(GOOD, 'disposition: FlowReset', 'disposition: FlowReset }\n  - traffic: { from: vm1, to: mystorage, protocol: Tcp, port: 443, packets: 1 }\n    expect: { counts: { __proto__: { polluted: 1 } }'));
    expect(counts.some((p) => p.path.endsWith('counts.__proto__'))).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('deep nesting is refused with a located error', () => {
    const deep = `name: x\nnetwork: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(problemsOf(deep).length).toBeGreaterThan(0);
    const nested = `name: x\nnetwork: { vnets: ${'['.repeat(100)}${']'.repeat(100)} }\n`;
    expect(problemsOf(nested)[0]!.path).toMatch(/^network\.vnets/);
  });

  // Mutations of valid scenarios (issue 7): each ends in a Scenario or a located ScenarioError, never anything else.
  const lineMutation = fc.oneof(
    fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('misspell' as const), at: fc.nat(), pos: fc.nat(), ch: fc.constantFrom('x', '_', 'Q', '') }),
    fc.record({ op: fc.constant('value' as const), at: fc.nat(), v: fc.constantFrom('[1, 2]', '{ a: 1 }', 'true', '12', "''", '-1', '99999999999', '1.5', '~', '10.0.0.300', '10.0.0.1/24', '::g', '10.0..1', '"__proto__"', '*x', '&y z', '!!binary aGVsbG8=') }),
    fc.record({ op: fc.constant('key' as const), at: fc.nat(), k: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '<<', '1', 'true', '? [a]') }),
    fc.record({ op: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 300 }) }),
  );
  type M = typeof lineMutation extends fc.Arbitrary<infer T> ? T : never;
  function mutate(text: string, ms: M[]): string {
    const lines = text.split('\n');
    for (const m of ms) {
      const i = m.at % lines.length;
      const line = lines[i]!;
      const indent = /^\s*(- )?/.exec(line)![0].replace('-', ' ');
      switch (m.op) {
        case 'drop': lines.splice(i, 1); break;
        case 'dup': lines.splice(i, 0, line); break;
        case 'misspell': { const p = m.pos % Math.max(1, line.length); lines[i] = line.slice(0, p) + m.ch + line.slice(p + 1); break; }
        case 'value': lines[i] = line.replace(/(:\s*)([^,{}\[\]\n]+)/, (_, c: string) => `${c}${m.v}`); break;
        case 'key': lines.splice(i, 0, `${indent}${m.k}: { a: 1 }`); break;
        case 'nest': lines[i] = line.replace(/(:\s*)(.*)$/, (_, c: string) => `${c}${'['.repeat(m.depth)}${']'.repeat(m.depth)}`); break;
      }
    }
    return lines.join('\n');
  }

  it('fuzz: mutated valid scenarios yield a Scenario or located problems (fast-check, seeded)', () => {
    let scenarios = 0;
    let errors = 0;
    fc.assert(
      fc.property(fc.constantFrom(GOOD, CATALOGUE), fc.array(lineMutation, { minLength: 1, maxLength: 4 }), (base, ms) => {
        const text = mutate(base, ms);
        try {
          parseScenario(text, FILE);
          scenarios++;
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          errors++;
          expect(e.problems.length).toBeGreaterThan(0);
          for (const p of e.problems) {
            expect(p.file).toBe(FILE);
            expect(typeof p.message).toBe('string');
            expect(p.message.length).toBeGreaterThan(0);
            expect(p.line).toBeGreaterThanOrEqual(p.path === '' ? 0 : 1);
            expect(p.line).toBeLessThanOrEqual(text.split('\n').length + 1);
          }
        }
        expect(Object.prototype).not.toHaveProperty('a');
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { seed: 20240607, numRuns: 300 },
    );
    expect(scenarios + errors).toBe(300);
    expect(errors).toBeGreaterThan(0);
  });
});
