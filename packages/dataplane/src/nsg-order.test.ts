// R-NSG-4 is written once (NSG_LEVEL_ORDER); the pipeline's NSG stages, the trace and IP flow verify all read it.
// This property test ties them: on random networks where every VM has a NIC NSG and every subnet an NSG, IP flow
// verify (core) and the pipeline (dataplane) give the same verdict and the same deciding rule for random tuples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinServiceTags, emptyNetwork, NSG_LEVEL_ORDER, type NetworkSpec, type SecurityRuleSpec } from '@vnetsim/core';
import { Network } from './network.js';
import { send } from './testing/fixtures.js';

const tags = builtinServiceTags();
const VMS = [
  { name: 'a1', subnet: 'hub/a', privateIp: '10.0.1.4' },
  { name: 'a2', subnet: 'hub/a', privateIp: '10.0.1.5' },
  { name: 'b1', subnet: 'hub/b', privateIp: '10.0.2.4' },
  { name: 'c1', subnet: 'spoke/c', privateIp: '10.1.0.4' },
];
const NSGS = ['nic-a1', 'nic-a2', 'nic-b1', 'nic-c1', 'sub-a', 'sub-b', 'sub-c'];
const ADDRS = ['*', 'VirtualNetwork', 'Internet', '10.0.0.0/16', '10.0.1.0/24', '10.0.2.0/24', '10.1.0.0/16', '10.0.1.4/32', '10.0.1.5/32', '10.0.2.4', '10.1.0.4'];
const PORTS = ['*', '22', '80', '443', '53', '1000-2000', '80-443'];

const ruleArb = fc.record({
  priority: fc.integer({ min: 100, max: 4096 }),
  direction: fc.constantFrom('Inbound' as const, 'Outbound' as const),
  access: fc.constantFrom('Allow' as const, 'Deny' as const),
  protocol: fc.constantFrom('*' as const, 'Tcp' as const, 'Udp' as const),
  source: fc.constantFrom(...ADDRS),
  sourcePorts: fc.constantFrom(...PORTS),
  destination: fc.constantFrom(...ADDRS),
  destinationPorts: fc.constantFrom(...PORTS),
});

/** Each NSG's rules, with distinct priorities per direction (Azure refuses duplicates, R-NSG-1). */
const nsgRulesArb = fc.array(ruleArb, { maxLength: 6 }).map((rs) => {
  const seen = new Set<string>();
  return rs.filter((r) => !seen.has(`${r.direction}${r.priority}`) && seen.add(`${r.direction}${r.priority}`))
    .map((r, k): SecurityRuleSpec => ({ name: `r${k}`, ...r }));
});

function network(rules: SecurityRuleSpec[][]): NetworkSpec {
  const net = emptyNetwork();
  const subnet = (name: string, prefix: string) => ({ name, prefix, nsg: `sub-${name}`, serviceEndpoints: [], endpointPolicies: [] });
  const common = { region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager' as const };
  net.vnets.push({ name: 'hub', ...common, addressSpace: ['10.0.0.0/16'], peerings: ['spoke'], subnets: [subnet('a', '10.0.1.0/24'), subnet('b', '10.0.2.0/24')] });
  net.vnets.push({ name: 'spoke', ...common, addressSpace: ['10.1.0.0/16'], peerings: ['hub'], subnets: [subnet('c', '10.1.0.0/24')] });
  NSGS.forEach((name, k) => net.nsgs.push({ name, rules: rules[k]! }));
  for (const vm of VMS) net.vms.push({ ...vm, nsg: `nic-${vm.name}`, asgs: [], ipForwarding: false });
  return net;
}

const tupleArb = fc.record({
  from: fc.constantFrom(...VMS.map((v) => v.name)),
  to: fc.constantFrom(...VMS.map((v) => v.name)),
  proto: fc.constantFrom('Tcp' as const, 'Udp' as const),
  sport: fc.constantFrom(1500, 40000, 50000),
  dport: fc.constantFrom(22, 53, 80, 443, 1500, 8080),
});

describe('R-NSG-4: one level order for the stages, the trace and IP flow verify', () => {
  it('R-NSG-4: the order is outbound NIC then subnet, inbound subnet then NIC', () => {
    expect(NSG_LEVEL_ORDER).toEqual({ Outbound: ['nic', 'subnet'], Inbound: ['subnet', 'nic'] });
  });

  it('R-NSG-4: IP flow verify and the pipeline agree on verdict and rule (random NIC and subnet NSGs, random tuples)', () => {
    fc.assert(
      fc.property(fc.array(nsgRulesArb, { minLength: NSGS.length, maxLength: NSGS.length }), fc.array(tupleArb, { minLength: 4, maxLength: 16 }), (rules, tuples) => {
        const net = new Network(network(rules), tags);
        for (const t of tuples) {
          const ip = (vm: string) => VMS.find((v) => v.name === vm)!.privateIp;
          const out = net.nsgs.ipFlowVerify(t.from, 'Outbound', t.proto, `${ip(t.from)}:${t.sport}`, `${ip(t.to)}:${t.dport}`);
          const inn = net.nsgs.ipFlowVerify(t.to, 'Inbound', t.proto, `${ip(t.to)}:${t.dport}`, `${ip(t.from)}:${t.sport}`);
          const expected =
            out.access === 'Deny' ? { disposition: 'DeniedOut', rule: out.ruleName }
            : inn.access === 'Deny' ? { disposition: 'DeniedIn', rule: inn.ruleName }
            : { disposition: 'Delivered', rule: inn.ruleName };
          const sent = send(net, t.from, t.to, { proto: t.proto, port: t.dport, sourcePort: t.sport }, true);
          expect({ disposition: sent.outcome.disposition, rule: sent.outcome.rule }, JSON.stringify(t)).toEqual(expected);
          // The trace lists the levels IP flow verify evaluated, in the same order.
          const traced = sent.trace.steps.flatMap((s) => (s.stage === 'nsg' ? [`${s.direction} ${s.level} ${s.nsg} ${s.rule} ${s.access}`] : []));
          const verified = [
            ...out.evaluated.map((e) => `Outbound ${e.level} ${e.nsg} ${e.rule} ${e.access}`),
            ...(out.access === 'Deny' ? [] : inn.evaluated.map((e) => `Inbound ${e.level} ${e.nsg} ${e.rule} ${e.access}`)),
          ];
          expect(traced, JSON.stringify(t)).toEqual(verified);
        }
      }),
      { numRuns: 40, seed: 11 },
    );
  });
});
