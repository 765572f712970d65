// Issue 7: what io/scenario-load.test.ts's fuzz does not cover. (1) A mutated scenario that loads must also run: the
// runner ends with results, never an exception. (2) Out-of-range and exotic numbers on every numeric field. (3) Alias
// bombs built from maps and merge keys, and wide alias fans. (4) YAML tags that other loaders execute.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError, parseScenario, type Scenario } from '@vnetsim/scenario';
import { runScenario } from '@vnetsim/scenario';
import { WORLD } from './world.test-util.js';

const FILE = '/fuzz/world.yaml';

const STEPS = `steps:
  - connect: { id: c1, from: vm1, to: mystorage, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered }
  - send: { from: vm2, to: 8.8.8.8, protocol: Udp, port: 53 }
    expect: { disposition: ExitsNetwork }
  - send: { flow: c1 }
  - traffic: { from: hub/nat, to: 8.8.0.0/16, protocol: Tcp, port: 443, packets: 2000, flows: 50, seed: 7 }
    expect: { counts: { ExitsNetwork: 2000 } }
  - enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage, as: netadmin }
  - addVirtualNetworkRule: { service: mystorage, subnet: hub/dmz, as: reader }
    expect: { error: AuthorizationFailed }
  - setRule: { nsg: app-nsg, rule: { name: deny-all, priority: 300, direction: Outbound, access: Deny, protocol: '*',
               source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*' } }
  - setRoute: { routeTable: rt, route: { name: x, prefix: 52.0.0.0/8, nextHopType: Internet } }
  - effectiveRoutes: { subnet: hub/app }
  - nextHop: { from: vm1, to: 52.239.0.10 }
  - ipFlowVerify: { vm: vm1, direction: Outbound, protocol: Tcp, local: 10.0.1.4:50000, remote: 52.239.0.10:443 }
  - advanceTime: { seconds: 300 }
  - removeRoute: { routeTable: rt, name: x }
`;
const BASE = WORLD.replace('steps: []\n', STEPS);

/** Loads text; a ScenarioError must be located; returns the scenario or null. */
function load(text: string): Scenario | null {
  try {
    return parseScenario(text, FILE);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const lines = text.split('\n').length + 1;
    for (const p of e.problems) {
      expect(p.file).toBe(FILE);
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.line).toBeGreaterThanOrEqual(p.path === '' ? 0 : 1);
      expect(p.line).toBeLessThanOrEqual(lines);
    }
    return null;
  }
}

const NUMBERS = ['0', '-1', '-0', '1.5', '1e400', '-1e400', '.inf', '-.inf', '.nan', '0x10', '0o17', '1_000', '4097', '65536', '99', '4294967296', '9007199254740993', '2e6', '"443"', '~'];
const NUMERIC_KEYS = ['priority', 'port', 'packets', 'flows', 'seed', 'seconds', 'snatPortsPerIp'];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('number' as const), key: fc.constantFrom(...NUMERIC_KEYS), nth: fc.nat(), v: fc.constantFrom(...NUMBERS) }),
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('value' as const), at: fc.nat(), v: fc.constantFrom('vm3', 'hub/dmz', 'mysql', 'c1', 'x/y', '10.0.1.4', '0.0.0.0/0', '::/0', 'Storage', 'Internet', 'reader', 'nobody', '[]', '{}') }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, ms: Mutation[]): string {
  let lines = text.split('\n');
  for (const m of ms) {
    if (m.op === 'number') {
      const hits = lines.map((l, i) => [l, i] as const).filter(([l]) => new RegExp(`\\b${m.key}: `).test(l));
      if (hits.length === 0) {
        if (m.key === 'snatPortsPerIp') lines.splice(1, 0, `options: { snatPortsPerIp: ${m.v} }`);
        continue;
      }
      const i = hits[m.nth % hits.length]![1];
      lines[i] = lines[i]!.replace(new RegExp(`(\\b${m.key}: )[^,}\\n]+`), `$1${m.v}`);
    } else if (m.op === 'drop') lines.splice(m.at % lines.length, 1);
    else if (m.op === 'dup') lines.splice(m.at % lines.length, 0, lines[m.at % lines.length]!);
    else if (m.op === 'swap') {
      const a = m.a % lines.length, b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    } else {
      const i = m.at % lines.length;
      lines[i] = lines[i]!.replace(/(\b(?:from|to|subnet|service|flow|as|vm|nsg|routeTable): )[^,}\n]+/, `$1${m.v}`);
    }
  }
  lines = lines.filter((l) => l !== undefined);
  return lines.join('\n');
}

describe('scenario files under fuzzing, beyond io/scenario-load.test.ts (issue 7)', () => {
  it('the base scenario loads and runs', () => {
    const s = load(BASE)!;
    expect(s).not.toBeNull();
    const r = runScenario(s);
    expect(r.steps.length).toBe(13);
    expect(r.counters.packetsIn).toBeGreaterThan(2000);
  });

  it('mutated scenarios either fail to load with located problems or run to a result: never an exception (fast-check, seeded)', () => {
    const tally = { invalid: 0, ran: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const text = mutate(BASE, ms);
        const s = load(text);
        if (s === null) {
          tally.invalid++;
          return;
        }
        // A scenario asking for a huge traffic step is the user's choice of run time, not a robustness case.
        if (s.steps.some((x) => x.kind === 'traffic' && x.packets > 100_000)) return;
        const r = runScenario(s);
        tally.ran++;
        expect(r.steps.length).toBe(s.steps.length);
        expect(Object.values(r.counters.dispositions).reduce((x, y) => x + y, 0)).toBe(r.counters.packetsIn);
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { seed: 7_0007, numRuns: 400 },
    );
    expect(tally.invalid).toBeGreaterThan(50);
    expect(tally.ran).toBeGreaterThan(30);
  });

  it('out-of-range and exotic numbers on every numeric field are located errors or valid values (every key x every number)', () => {
    let cases = 0;
    for (const key of NUMERIC_KEYS)
      for (const v of NUMBERS) {
        cases++;
        const text = mutate(BASE, [{ op: 'number', key, nth: 0, v }]);
        const s = load(text);
        if (s === null) continue;
        // What loads is in range: spot-check the fields the runner sizes things by.
        for (const step of s.steps)
          if (step.kind === 'traffic') {
            expect(Number.isSafeInteger(step.packets) && step.packets >= 1).toBe(true);
            expect(Number.isSafeInteger(step.flows) && step.flows >= 1).toBe(true);
          }
        if (s.options.snatPortsPerIp !== undefined) expect(s.options.snatPortsPerIp).toBeGreaterThanOrEqual(1);
        if (!s.steps.some((x) => x.kind === 'traffic' && x.packets > 100_000)) runScenario(s);
      }
    expect(cases).toBe(NUMERIC_KEYS.length * NUMBERS.length);
  });

  it('alias bombs of maps, merge keys and wide fans are refused quickly with a located error', () => {
    const levels = 'abcdefghij'.split('');
    const mapBomb = ['x0: &x0 { k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v }',
      ...levels.map((_, i) => `x${i + 1}: &x${i + 1} { ${levels.map((c) => `${c}: *x${i}`).join(', ')} }`)].join('\n');
    const mergeBomb = ['m0: &m0 { a: 1, b: 2 }', ...levels.map((_, i) => `m${i + 1}: &m${i + 1}\n  <<: [${Array(10).fill(`*m${i}`).join(', ')}]\n  z${i}: ${levels.map((c) => `*m${i}`).slice(0, 1)}`)].join('\n');
    const fan = `a: &a [1, 2, 3]\nlist: [${Array(5000).fill('*a').join(', ')}]\n`;
    const inNetwork = BASE.replace('network:\n', `x: &big [${Array(200).fill('1').join(', ')}]\nnetwork:\n  extra: [${Array(200).fill('*big').join(', ')}]\n`);
    for (const text of [mapBomb, mergeBomb, fan, inNetwork]) {
      const t = performance.now();
      expect(load(text)).toBeNull();
      expect(performance.now() - t).toBeLessThan(2000);
    }
  });

  it('YAML tags that other loaders execute (js/function, python/object) and unusual collections are errors, never code', () => {
    const tags = ['!!js/function "function () { globalThis.pwned = 1 }"', '!!js/undefined ""', '!!python/object:os.system [ls]', '!foo bar', '!!set { a, b }', '!!omap [ { a: 1 } ]', '!!binary aGVsbG8=', '!!timestamp 2001-12-14', '!!float 1', '!!str 1', '!!int "12"'];
    for (const tag of tags) {
      load(BASE.replace('name: robustness-world', `name: ${tag}`));
      load(BASE.replace('priority: 100,', `priority: ${tag},`));
      load(BASE.replace('      region: westeurope\n', `      region: ${tag}\n`));
    }
    expect((globalThis as Record<string, unknown>)['pwned']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
