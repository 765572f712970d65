import { describe, expect, it } from 'vitest';
import { builtinServiceTags } from '../model/service-tags/index.js';
import type { NetworkSpec, SecurityRuleSpec } from '../model/types.js';
import { oneNsgNetwork, rule, vnet } from './fixtures.test-util.js';
import { compileNsgs, DEFAULT_SECURITY_RULES, NsgError, removeRule, setRule, validateNsgSpec } from './index.js';

const tags = builtinServiceTags();

/** Verdict rule name of an outbound/inbound flow from/to vm1 (10.0.1.4) through NSG N on its subnet. */
function verdict(rules: SecurityRuleSpec[], dir: 'Inbound' | 'Outbound', proto: string, local: string, remote: string, net?: NetworkSpec) {
  const nsgs = compileNsgs(net ?? oneNsgNetwork(rules), tags);
  return nsgs.ipFlowVerify('vm1', dir, proto, local, remote);
}
const out = (rules: SecurityRuleSpec[], remote: string, proto = 'Tcp') => verdict(rules, 'Outbound', proto, '10.0.1.4:40000', remote).ruleName;
const inb = (rules: SecurityRuleSpec[], remote: string, proto = 'Tcp', local = '10.0.1.4:80') => verdict(rules, 'Inbound', proto, local, remote).ruleName;

describe('R-NSG-1: rule fields', () => {
  it('R-NSG-1: source/destination forms: *, address, prefix, list, service tag, ASG', () => {
    const deny = (name: string, p: number, dst: string | string[], more: Partial<SecurityRuleSpec> = {}) =>
      rule(name, p, 'Outbound', 'Deny', '*', dst, more);
    const rules = [
      deny('addr', 100, '1.2.3.4'),
      deny('prefix', 110, '5.6.0.0/16'),
      deny('list', 120, ['7.7.7.7', '9.9.0.0/24']),
      deny('tag', 130, 'Sql'),
      deny('asg', 140, '*', { destinationAsgs: ['db'], destination: '*' }),
      deny('star', 150, '*', { destinationPorts: '6666' }),
    ];
    expect(out(rules, '1.2.3.4:443')).toBe('securityRules/addr');
    expect(out(rules, '1.2.3.5:443')).toBe('defaultSecurityRules/AllowInternetOutBound');
    expect(out(rules, '5.6.255.255:443')).toBe('securityRules/prefix');
    expect(out(rules, '5.7.0.0:443')).toBe('defaultSecurityRules/AllowInternetOutBound');
    expect(out(rules, '7.7.7.7:443')).toBe('securityRules/list');
    expect(out(rules, '9.9.0.200:443')).toBe('securityRules/list');
    expect(out(rules, '9.9.1.0:443')).toBe('defaultSecurityRules/AllowInternetOutBound');
    expect(out(rules, '40.68.0.9:1433')).toBe('securityRules/tag'); // Sql westeurope sample prefix
    expect(out(rules, '10.0.2.5:5432')).toBe('securityRules/asg'); // vm2 carries ASG db
    expect(out(rules, '10.0.2.6:5432')).toBe('defaultSecurityRules/AllowVnetOutBound');
    expect(out(rules, '200.1.1.1:6666')).toBe('securityRules/star');
    expect(out(rules, '200.1.1.1:6667')).toBe('defaultSecurityRules/AllowInternetOutBound');
  });

  it('R-NSG-1: port forms: *, single, range, list; and protocols', () => {
    const rules = [
      rule('single', 100, 'Inbound', 'Allow', '*', '*', { protocol: 'Tcp', destinationPorts: '22' }),
      rule('range', 110, 'Inbound', 'Allow', '*', '*', { protocol: 'Udp', destinationPorts: '1000-1010' }),
      rule('list', 120, 'Inbound', 'Allow', '*', '*', { protocol: 'Tcp', destinationPorts: ['80', '443', '8080-8081'] }),
      rule('srcport', 130, 'Inbound', 'Allow', '*', '*', { protocol: 'Tcp', sourcePorts: '53', destinationPorts: '*' }),
      rule('icmp', 140, 'Inbound', 'Allow', '*', '*', { protocol: 'Icmp' }),
    ];
    expect(inb(rules, '8.8.8.8:5000', 'Tcp', '10.0.1.4:22')).toBe('securityRules/single');
    expect(inb(rules, '8.8.8.8:5000', 'Udp', '10.0.1.4:22')).toBe('defaultSecurityRules/DenyAllInBound');
    expect(inb(rules, '8.8.8.8:5000', 'Udp', '10.0.1.4:1010')).toBe('securityRules/range');
    expect(inb(rules, '8.8.8.8:5000', 'Udp', '10.0.1.4:1011')).toBe('defaultSecurityRules/DenyAllInBound');
    expect(inb(rules, '8.8.8.8:5000', 'Tcp', '10.0.1.4:8081')).toBe('securityRules/list');
    expect(inb(rules, '8.8.8.8:5000', 'Tcp', '10.0.1.4:444')).toBe('defaultSecurityRules/DenyAllInBound');
    expect(inb(rules, '8.8.8.8:53', 'Tcp', '10.0.1.4:444')).toBe('securityRules/srcport');
    expect(inb(rules, '8.8.8.8:0', 'Icmp', '10.0.1.4:0')).toBe('securityRules/icmp');
    expect(inb(rules, '8.8.8.8:0', 'Esp', '10.0.1.4:0')).toBe('defaultSecurityRules/DenyAllInBound');
  });

  it('R-NSG-1: a bad field is an error naming the rule and the field', () => {
    const bad = (r: SecurityRuleSpec) => () => compileNsgs(oneNsgNetwork([r]), tags).classifier('N', r.direction, 'hub');
    expect(bad(rule('a', 100, 'Inbound', 'Allow', '10.0.0.1/24', '*'))).toThrow(/network\.nsgs\[0\]\.rules\[0\]\.source: .*did you mean 10\.0\.0\.0\/24/);
    expect(bad(rule('a', 100, 'Inbound', 'Allow', '*', '*', { destinationPorts: '70000' }))).toThrow(/rules\[0\]\.destinationPorts/);
    expect(bad(rule('a', 100, 'Inbound', 'Allow', ['1.1.1.1', 'Storage'], '*'))).toThrow(/rules\[0\]\.source\[1\]/);
    expect(bad(rule('a', 100, 'Inbound', 'Allow', '1.1.1.1', '*', { sourceAsgs: ['web'] }))).toThrow(/both addresses and application security groups/);
    expect(bad(rule('a', 100, 'Inbound', 'Allow', '*', '*', { protocol: 'Gre' as 'Tcp' }))).toThrow(/rules\[0\]\.protocol/);
  });

  it('R-NSG-1: priorities 100..4096, unique per direction, names <= 80 chars, at most 1000 rules', () => {
    const problems = validateNsgSpec(
      { name: 'N', rules: [
        rule('low', 99, 'Inbound', 'Allow', '*', '*'),
        rule('high', 4097, 'Inbound', 'Allow', '*', '*'),
        rule('a', 200, 'Inbound', 'Allow', '*', '*'),
        rule('b', 200, 'Inbound', 'Allow', '*', '*'),
        rule('c', 200, 'Outbound', 'Allow', '*', '*'), // same priority, other direction: fine
        rule('x'.repeat(81), 300, 'Inbound', 'Allow', '*', '*'),
      ] },
      'network.nsgs[0]',
    );
    expect(problems.map((p) => p.path)).toEqual([
      'network.nsgs[0].rules[0].priority',
      'network.nsgs[0].rules[1].priority',
      'network.nsgs[0].rules[3].priority',
      'network.nsgs[0].rules[5].name',
    ]);
    const many = Array.from({ length: 1001 }, (_, i) => rule(`r${i}`, 100 + (i % 2000), i < 2000 ? 'Inbound' : 'Outbound', 'Allow', '*', '*'));
    expect(validateNsgSpec({ name: 'N', rules: many }, 'n').map((p) => [p.path, p.code])).toEqual([['n.rules', 'LimitExceeded']]);
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['InvalidRequest']));
    expect(() => compileNsgs(oneNsgNetwork([rule('low', 99, 'Inbound', 'Allow', '*', '*')]), tags).classifier('N', 'Inbound', 'hub')).toThrow(NsgError);
  });
});

describe('R-NSG-2: ascending priority, first match decides', () => {
  it('R-NSG-2: the lower priority number wins whatever the order in the spec', () => {
    const rules = [
      rule('allow-late', 300, 'Outbound', 'Allow', '*', '8.8.8.0/24'),
      rule('deny-first', 200, 'Outbound', 'Deny', '*', '8.8.8.8'),
      rule('allow-wide', 250, 'Outbound', 'Allow', '*', '8.0.0.0/8'),
    ];
    expect(out(rules, '8.8.8.8:53')).toBe('securityRules/deny-first');
    expect(out(rules, '8.8.8.9:53')).toBe('securityRules/allow-wide');
    const c = compileNsgs(oneNsgNetwork(rules), tags).classifier('N', 'Outbound', 'hub');
    expect(c.rules.map((r) => r.priority)).toEqual([200, 250, 300, 65000, 65001, 65500]);
  });
});

describe('R-NSG-3: default rules', () => {
  it('R-NSG-3: present in every NSG with their names and priorities, after user rules', () => {
    const n = compileNsgs(oneNsgNetwork([]), tags);
    expect(n.classifier('N', 'Inbound', 'hub').rules.map((r) => `${r.name} ${r.priority} ${r.access}`)).toEqual([
      'defaultSecurityRules/AllowVnetInBound 65000 Allow',
      'defaultSecurityRules/AllowAzureLoadBalancerInBound 65001 Allow',
      'defaultSecurityRules/DenyAllInBound 65500 Deny',
    ]);
    expect(n.classifier('N', 'Outbound', 'hub').rules.map((r) => `${r.name} ${r.priority} ${r.access}`)).toEqual([
      'defaultSecurityRules/AllowVnetOutBound 65000 Allow',
      'defaultSecurityRules/AllowInternetOutBound 65001 Allow',
      'defaultSecurityRules/DenyAllOutBound 65500 Deny',
    ]);
    expect(DEFAULT_SECURITY_RULES).toHaveLength(6);
  });

  it('R-NSG-3: defaults decide when no user rule matches', () => {
    expect(inb([], '8.8.8.8:999')).toBe('defaultSecurityRules/DenyAllInBound');
    expect(inb([], '10.0.2.5:999')).toBe('defaultSecurityRules/AllowVnetInBound');
    expect(inb([], '168.63.129.16:999')).toBe('defaultSecurityRules/AllowVnetInBound'); // VirtualNetwork includes it (65000 < 65001)
    expect(out([], '8.8.8.8:443')).toBe('defaultSecurityRules/AllowInternetOutBound');
    expect(out([], '10.0.2.5:443')).toBe('defaultSecurityRules/AllowVnetOutBound');
    expect(out([], '192.168.1.1:443')).toBe('defaultSecurityRules/DenyAllOutBound'); // neither VNet nor Internet
  });

  it('R-NSG-3: AllowAzureLoadBalancerInBound admits 168.63.129.16 where AllowVnetInBound does not apply', () => {
    const c = compileNsgs(oneNsgNetwork([]), tags).classifier('N', 'Inbound', 'hub');
    // Destination outside VirtualNetwork, so only the load-balancer rule can allow it.
    expect(c.rules[c.classify4(6, 0xa83f8110, 80, 0x08080808, 80)]!.name).toBe('defaultSecurityRules/AllowAzureLoadBalancerInBound');
    expect(c.rules[c.classify4(6, 0xa83f8111, 80, 0x08080808, 80)]!.name).toBe('defaultSecurityRules/DenyAllInBound');
  });

  it('R-NSG-3: default rules cannot be removed; user rules can', () => {
    const net = oneNsgNetwork([rule('mine', 100, 'Inbound', 'Allow', '*', '*')]);
    expect(() => removeRule(net, 'N', 'defaultSecurityRules/DenyAllInBound')).toThrow(/cannot be removed/);
    expect(() => removeRule(net, 'N', 'DenyAllInBound')).toThrow(/cannot be removed/);
    const after = removeRule(net, 'N', 'securityRules/mine');
    expect(after.nsgs[0]!.rules).toEqual([]);
    expect(compileNsgs(after, tags).classifier('N', 'Inbound', 'hub').rules).toHaveLength(3);
  });
});

describe('R-NSG-6: derived and published service tags', () => {
  function peered(): NetworkSpec {
    const net = oneNsgNetwork([]);
    net.vnets[0]!.peerings = ['spoke'];
    net.vnets[0]!.gateway = { onPremPrefixes: ['192.168.50.0/24'], natIps: [] };
    net.vnets.push(vnet('spoke', ['10.1.0.0/16'], [['s', '10.1.0.0/24']]));
    net.vnets.push(vnet('far', ['10.9.0.0/16'], [['s', '10.9.0.0/24']]));
    net.onPrem.push({ name: 'branch', prefix: '172.20.0.0/16', via: 'hub' });
    return net;
  }
  const vnetRule = [rule('from-vnet', 100, 'Inbound', 'Allow', 'VirtualNetwork', '*'), rule('rest', 200, 'Inbound', 'Deny', '*', '*')];

  it('R-NSG-6: VirtualNetwork = own space + peers + on-premises + 168.63.129.16', () => {
    const net = peered();
    net.nsgs[0]!.rules = vnetRule;
    const n = compileNsgs(net, tags);
    const from = (ip: string) => n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:80', `${ip}:1234`).ruleName;
    for (const ip of ['10.0.200.1', '10.1.0.9', '192.168.50.7', '172.20.3.3', '168.63.129.16']) expect(from(ip), ip).toBe('securityRules/from-vnet');
    for (const ip of ['10.9.0.4', '192.168.51.1', '168.63.129.17', '8.8.8.8']) expect(from(ip), ip).toBe('securityRules/rest');
  });

  it('R-NSG-6: VirtualNetwork is per VNet: the same NSG in another VNet sees that VNet\'s space', () => {
    const net = peered();
    net.nsgs[0]!.rules = vnetRule;
    const n = compileNsgs(net, tags);
    const far = n.classifier('N', 'Inbound', 'far');
    expect(far.rules[far.classify4(6, 0x0a090004, 1, 0x0a090005, 80)]!.name).toBe('securityRules/from-vnet');
    expect(far.rules[far.classify4(6, 0x0a000004, 1, 0x0a090005, 80)]!.name).toBe('securityRules/rest');
  });

  it('R-NSG-6: Internet excludes VirtualNetwork and the reserved ranges, includes Azure public prefixes', () => {
    const net = peered();
    net.nsgs[0]!.rules = [rule('inet', 100, 'Outbound', 'Deny', '*', 'Internet')];
    const n = compileNsgs(net, tags);
    const to = (ip: string) => n.ipFlowVerify('vm1', 'Outbound', 'Udp', '10.0.1.4:5000', `${ip}:53`).ruleName;
    for (const ip of ['8.8.8.8', '52.239.0.1', '100.63.255.255', '100.128.0.0', '1.0.0.0', '223.255.255.255'])
      expect(to(ip), ip).toBe('securityRules/inet');
    for (const ip of ['10.200.0.1', '172.31.0.1', '192.168.0.1', '100.64.0.1', '127.0.0.1', '169.254.0.1', '224.0.0.1', '250.0.0.1'])
      expect(to(ip), ip).toBe('defaultSecurityRules/DenyAllOutBound');
    for (const ip of ['10.1.0.9', '172.20.0.1', '168.63.129.16']) expect(to(ip), ip).toBe('defaultSecurityRules/AllowVnetOutBound');
  });

  it('R-NSG-6: regional tags cover only their region; names are case-insensitive', () => {
    const rules = [rule('st-we', 100, 'Outbound', 'Deny', '*', 'storage.westeurope')];
    expect(out(rules, '52.239.0.10:443')).toBe('securityRules/st-we'); // Storage.WestEurope sample
    expect(out(rules, '52.239.2.10:443')).toBe('defaultSecurityRules/AllowInternetOutBound'); // Storage.NorthEurope
  });

  it('R-NSG-6: an unknown tag is an error, never an empty match', () => {
    const n = compileNsgs(oneNsgNetwork([rule('x', 100, 'Outbound', 'Deny', '*', 'Storage.Atlantis')]), tags);
    expect(() => n.classifier('N', 'Outbound', 'hub')).toThrow(/rules\[0\]\.destination: unknown service tag "Storage\.Atlantis"/);
  });
});

describe('R-NSG-7: the lock-down recipe', () => {
  it('R-NSG-7: Allow VirtualNetwork->Storage at 100, Deny VirtualNetwork->Internet at 110: storage out, nothing else', () => {
    const rules = [
      rule('allow-storage', 100, 'Outbound', 'Allow', 'VirtualNetwork', 'Storage'),
      rule('deny-internet', 110, 'Outbound', 'Deny', 'VirtualNetwork', 'Internet'),
    ];
    const st = verdict(rules, 'Outbound', 'Tcp', '10.0.1.4:40000', '52.239.136.20:443');
    expect([st.access, st.ruleName]).toEqual(['Allow', 'securityRules/allow-storage']);
    const g = verdict(rules, 'Outbound', 'Tcp', '10.0.1.4:40000', '8.8.8.8:443');
    expect([g.access, g.ruleName]).toEqual(['Deny', 'securityRules/deny-internet']);
    const sql = verdict(rules, 'Outbound', 'Tcp', '10.0.1.4:40000', '40.68.0.9:1433');
    expect(sql.access).toBe('Deny');
    const vnetPeer = verdict(rules, 'Outbound', 'Tcp', '10.0.1.4:40000', '10.0.2.5:1433');
    expect([vnetPeer.access, vnetPeer.ruleName]).toEqual(['Allow', 'defaultSecurityRules/AllowVnetOutBound']);
  });
});

describe('IPv6', () => {
  it('R-NSG-1: IPv6 prefixes, VirtualNetwork v6, Internet v6; IPv4 rules do not match IPv6 packets', () => {
    const rules = [
      rule('v6-deny', 100, 'Outbound', 'Deny', '*', '2001:db8::/32', { protocol: 'Tcp', destinationPorts: '443' }),
      rule('v4-only', 110, 'Outbound', 'Deny', '*', '0.0.0.0/0'),
      rule('st6', 120, 'Outbound', 'Allow', '*', 'Storage'),
      rule('inet6', 130, 'Outbound', 'Deny', '*', 'Internet', { protocol: 'Udp' }),
    ];
    const n = compileNsgs(oneNsgNetwork(rules), tags);
    const v = (remote: string, proto = 'Tcp') => n.ipFlowVerify('vm1', 'Outbound', proto, '[fd00:1::4]:40000', remote).ruleName;
    expect(v('[2001:db8::1]:443')).toBe('securityRules/v6-deny');
    expect(v('[2001:db8::1]:444')).toBe('defaultSecurityRules/AllowInternetOutBound');
    expect(v('[2603:1020:200::9]:443')).toBe('securityRules/st6'); // Storage westeurope sample v6
    expect(v('[2a00::1]:53', 'Udp')).toBe('securityRules/inet6');
    expect(v('[fd00:1::99]:53', 'Udp')).toBe('defaultSecurityRules/AllowVnetOutBound');
    expect(v('[fe80::1]:53', 'Udp')).toBe('defaultSecurityRules/DenyAllOutBound');
    expect(() => n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:1', '[2001:db8::1]:443')).toThrow(/one address family/);
  });
});

describe('compiled NSGs: effective rules and updates', () => {
  it('effective security rules list NIC and subnet NSGs with tags expanded', () => {
    const net = oneNsgNetwork([rule('st', 100, 'Outbound', 'Allow', 'VirtualNetwork', 'Storage.WestEurope')]);
    net.nsgs.push({ name: 'NIC', rules: [] });
    net.vms[0]!.nsg = 'NIC';
    const eff = compileNsgs(net, tags).effectiveSecurityRules('vm1');
    expect(eff.map((e) => `${e.level}:${e.nsg}:${e.rules.length}`)).toEqual(['nic:NIC:6', 'subnet:N:7']);
    const st = eff[1]!.rules.find((r) => r.name === 'securityRules/st')!;
    expect(st.destinationText).toBe('Storage.WestEurope');
    expect(st.destinationAddressPrefixes).toContain('52.239.0.0/23');
    expect(st.sourceAddressPrefixes).toEqual(['10.0.0.0/16', '168.63.129.16/32', 'fd00:1::/48']);
    expect(st.destinationPortRanges).toEqual(['0-65535']);
  });

  it('update recompiles only the NSG whose rules changed, and classifiers whose ASG members changed', () => {
    const net = oneNsgNetwork([rule('asg', 100, 'Inbound', 'Allow', '*', '*', { sourceAsgs: ['web'], source: '*' })]);
    net.nsgs.push({ name: 'Other', rules: [] });
    const n = compileNsgs(net, tags);
    const nIn = n.classifier('N', 'Inbound', 'hub');
    const nOut = n.classifier('N', 'Outbound', 'hub');
    const other = n.classifier('Other', 'Inbound', 'hub');
    const edited = setRule(net, 'N', rule('deny-ssh', 200, 'Outbound', 'Deny', '*', '*', { destinationPorts: '22' }));
    expect(n.update(edited)).toEqual([{ nsg: 'N', direction: 'Outbound', vnet: 'hub', removed: false }]);
    expect(n.classifier('N', 'Inbound', 'hub')).toBe(nIn);
    expect(n.classifier('Other', 'Inbound', 'hub')).toBe(other);
    expect(n.classifier('N', 'Outbound', 'hub')).not.toBe(nOut);
    expect(n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:1', '10.0.2.5:22').ruleName).toBe('securityRules/deny-ssh');
    // vm2 joins ASG web: the inbound classifier of N (which names ASG web) is rebuilt.
    const joined = { ...edited, vms: edited.vms.map((vm) => (vm.name === 'vm2' ? { ...vm, asgs: ['web'] } : vm)) };
    expect(n.update(joined).map((c) => `${c.nsg}/${c.direction}`)).toEqual(['N/Inbound']);
    expect(n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:80', '10.0.2.5:1').ruleName).toBe('securityRules/asg');
    // A new peering changes VirtualNetwork (R-NSG-6) for hub: every classifier compiled for hub is rebuilt.
    const peeredNet = { ...joined, vnets: [{ ...joined.vnets[0]!, peerings: ['spoke'] }, vnet('spoke', ['10.1.0.0/16'], [['s', '10.1.0.0/24']])] };
    expect(n.update(peeredNet).map((c) => `${c.nsg}/${c.direction}`).sort()).toEqual(['N/Inbound', 'N/Outbound', 'Other/Inbound']);
    expect(n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:1', '10.1.0.9:80').ruleName).toBe('defaultSecurityRules/AllowVnetOutBound');
    expect(n.update(peeredNet)).toEqual([]);
  });
});
