// R-ADDR-3 at both doors: a scenario file that declares what Azure refuses is invalid (located on its line), and a
// control-plane change that would declare it is InvalidRequest and changes nothing.
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '@vnetsim/scenario';
import { networkOf } from '../testing/fixtures.js';

const NET = (vnetRange: string, subnet: string, routes: string, ipRule: string) => `name: r-addr-3
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16, ${vnetRange}]
      subnets:
        - { name: app, prefix: ${subnet}, routeTable: rt }
  routeTables:
    - name: rt
      routes:
${routes}
  services:
    - name: st
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.1.10
      firewall: { defaultAction: Deny, ipRules: [${ipRule}] }
steps: []
`;
const ONE_ROUTE = '        - { name: a, prefix: 52.0.0.0/8, nextHopType: Internet }';
const GOOD = NET('10.1.0.0/16', '10.0.1.0/29', ONE_ROUTE, '52.10.0.1');

function problemsOf(text: string) {
  try {
    parseScenario(text, 'r-addr-3.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('R-ADDR-3: refused at load, located', () => {
  it('R-ADDR-3: each refused declaration is a problem on its own line, saying what is allowed', () => {
    expect(problemsOf(GOOD)).toEqual([]);
    const cases: Array<[string, string, RegExp]> = [
      [NET('169.254.0.0/16', '10.0.1.0/24', ONE_ROUTE, '52.10.0.1'), 'addressSpace', /169\.254\.0\.0\/16 .*R-ADDR-3/],
      [NET('10.1.0.0/16', '10.0.1.0/30', ONE_ROUTE, '52.10.0.1'), 'prefix: 10.0.1.0/30', /\/29 or larger/],
      [NET('10.1.0.0/16', '10.0.1.0/24', `${ONE_ROUTE}\n        - { name: b, prefix: 52.0.0.0/8, nextHopType: None }`, '52.10.0.1'), 'name: b', /each address prefix once/],
      [NET('10.1.0.0/16', '10.0.1.0/24', ONE_ROUTE, '"2001:db8::1"'), 'ipRules', /IPv4 only/],
    ];
    for (const [text, needle, message] of cases) {
      const ps = problemsOf(text);
      expect(ps.length, text).toBe(1);
      expect(ps[0]!.message).toMatch(message);
      expect(ps[0]!.line).toBe(lineOf(text, needle));
    }
  });
});

describe('R-ADDR-3: refused on control-plane changes, nothing changes', () => {
  it('R-ADDR-3: a second route for a prefix, an IPv6 Storage IP rule: InvalidRequest, spec untouched', () => {
    const net = networkOf(GOOD);
    const before = JSON.stringify(net.spec);
    const r1 = net.setRoute('rt', { name: 'b', prefix: '52.0.0.0/8', nextHopType: 'None' });
    expect(r1).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(r1.error!.message).toMatch(/R-ADDR-3/);
    const r2 = net.addIpRule('st', '2001:db8::/48');
    expect(r2).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
    expect(r2.error!.message).toMatch(/IPv4 only/);
    expect(JSON.stringify(net.spec)).toBe(before);
    // Replacing the route of that name with another next hop is no duplicate.
    expect(net.setRoute('rt', { name: 'a', prefix: '52.0.0.0/8', nextHopType: 'None' }).ok).toBe(true);
  });
});
