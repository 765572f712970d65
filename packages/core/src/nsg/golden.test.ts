import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { builtinServiceTags } from '../model/service-tags/index.js';
import { emptyNetwork, type NetworkSpec, type SecurityRuleSpec } from '../model/types.js';
import { rule, vnet } from './fixtures.test-util.js';
import { compileNsgs, DEFAULT_SECURITY_RULES } from './index.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const file = path.resolve(ROOT, '../shared/data/doc-vectors/azure-docs_nsg-how-it-works_vm1-vm4.json');

interface Golden {
  topology: Record<string, { nsg: string | null; vms: Record<string, { nicNsg: string | null }> }>;
  cases: Array<{ vm: string; dir: 'Inbound' | 'Outbound'; flow: string; eval: string[]; expect: string }>;
  defaultRules: { Inbound: Array<[string, number, string, string, string, string]>; Outbound: Array<[string, number, string, string, string, string]> };
}

/** The doc's topology: one VNet, Subnet1..3 (10.0.1-3.0/24), VMs .4, .5 in order; NSG rules as given. */
function build(g: Golden, rules: Record<string, SecurityRuleSpec[]>): NetworkSpec {
  const net = emptyNetwork();
  const subnets = Object.entries(g.topology);
  net.vnets.push(vnet('vnet', ['10.0.0.0/16'], subnets.map(([name, s], i) => [name, `10.0.${i + 1}.0/24`, s.nsg ?? undefined])));
  subnets.forEach(([name, s], i) =>
    Object.entries(s.vms).forEach(([vm, v], k) =>
      net.vms.push({ name: vm, subnet: `vnet/${name}`, privateIp: `10.0.${i + 1}.${4 + k}`, asgs: [], ipForwarding: false, ...(v.nicNsg ? { nsg: v.nicNsg } : {}) }),
    ),
  );
  for (const name of ['NSG1', 'NSG2']) net.nsgs.push({ name, rules: rules[name] ?? [] });
  return net;
}

const allow80 = [rule('AllowHttpIn', 100, 'Inbound', 'Allow', 'Internet', '*', { protocol: 'Tcp', destinationPorts: '80' })];
const deny80Out = [rule('DenyHttpOut', 100, 'Outbound', 'Deny', '*', 'Internet', { protocol: 'Tcp', destinationPorts: '80' })];

it.skipIf(!existsSync(file))(`R-NSG-4: the doc's VM1..VM4 cases: order subnet/NIC, a Deny ends it, no NSG allows (reads ${file})`, () => {
  const g = JSON.parse(readFileSync(file, 'utf8')) as Golden;
  const tags = builtinServiceTags();
  const vmIp = (net: NetworkSpec, vm: string) => net.vms.find((v) => v.name === vm)!.privateIp;
  const flow = (n: ReturnType<typeof compileNsgs>, net: NetworkSpec, vm: string, dir: 'Inbound' | 'Outbound') =>
    dir === 'Inbound'
      ? n.ipFlowVerify(vm, dir, 'Tcp', `${vmIp(net, vm)}:80`, '8.8.8.8:50000')
      : n.ipFlowVerify(vm, dir, 'Tcp', `${vmIp(net, vm)}:50000`, '8.8.8.8:80');
  expect(g.cases).toHaveLength(8);

  // Both NSGs allow TCP 80 from the Internet: every level the doc lists is evaluated, in its order.
  const open = build(g, { NSG1: allow80, NSG2: allow80 });
  const nOpen = compileNsgs(open, tags);
  for (const c of g.cases) {
    const r = flow(nOpen, open, c.vm, c.dir);
    expect(r.evaluated.map((e) => e.nsg), `${c.vm} ${c.dir}`).toEqual(c.eval);
    expect(r.access, `${c.vm} ${c.dir}: ${c.expect}`).toBe('Allow');
    if (c.eval.length === 0) expect(r.ruleName).toBeNull();
  }

  // Defaults only: VM1 inbound is denied by NSG1's DenyAllInBound and NSG2 is never evaluated.
  const defaults = build(g, {});
  const nDef = compileNsgs(defaults, tags);
  const vm1In = flow(nDef, defaults, 'VM1', 'Inbound');
  expect([vm1In.access, vm1In.nsg, vm1In.ruleName, vm1In.evaluated.length]).toEqual(['Deny', 'NSG1', 'defaultSecurityRules/DenyAllInBound', 1]);
  expect(flow(nDef, defaults, 'VM2', 'Inbound').nsg).toBe('NSG1');
  expect(flow(nDef, defaults, 'VM3', 'Inbound').ruleName).toBe('defaultSecurityRules/DenyAllInBound');
  expect(flow(nDef, defaults, 'VM4', 'Inbound').access).toBe('Allow');
  for (const vm of ['VM1', 'VM2', 'VM3', 'VM4']) {
    const r = flow(nDef, defaults, vm, 'Outbound');
    expect(r.access, vm).toBe('Allow');
    if (vm !== 'VM4') expect(r.ruleName, vm).toBe('defaultSecurityRules/AllowInternetOutBound');
  }

  // NSG1 allows 80 in, NSG2 does not: VM1 needs both (denied by NSG2), VM2 only NSG1 (allowed).
  const half = build(g, { NSG1: allow80, NSG2: deny80Out });
  const nHalf = compileNsgs(half, tags);
  const vm1 = flow(nHalf, half, 'VM1', 'Inbound');
  expect([vm1.access, vm1.nsg, vm1.ruleName]).toEqual(['Deny', 'NSG2', 'defaultSecurityRules/DenyAllInBound']);
  expect(flow(nHalf, half, 'VM2', 'Inbound').access).toBe('Allow');
  // A Deny in NSG2 (NIC) ends outbound evaluation: NSG1 is not evaluated; VM3 is denied by NSG2 alone.
  const vm1Out = flow(nHalf, half, 'VM1', 'Outbound');
  expect([vm1Out.access, vm1Out.ruleName, vm1Out.evaluated.map((e) => e.nsg)]).toEqual(['Deny', 'securityRules/DenyHttpOut', ['NSG2']]);
  expect(flow(nHalf, half, 'VM3', 'Outbound').access).toBe('Deny');
  expect(flow(nHalf, half, 'VM2', 'Outbound').access).toBe('Allow');

  // R-NSG-4: intra-subnet traffic is filtered too (VM2 -> VM1 inside Subnet1, through NSG1 then NSG2).
  const intra = nHalf.ipFlowVerify('VM1', 'Inbound', 'Tcp', `${vmIp(half, 'VM1')}:22`, `${vmIp(half, 'VM2')}:50000`);
  expect(intra.evaluated.map((e) => e.nsg)).toEqual(['NSG1', 'NSG2']);

  // R-NSG-3: the file's default rule table agrees with ours (names differ only in casing across Azure surfaces).
  for (const dir of ['Inbound', 'Outbound'] as const) {
    const ours = DEFAULT_SECURITY_RULES.filter((r) => r.direction === dir);
    expect(ours.map((r) => [r.name.toLowerCase(), r.priority, r.access])).toEqual(
      g.defaultRules[dir].map(([name, prio, , , , access]) => [name.toLowerCase(), prio, access]),
    );
  }
});
