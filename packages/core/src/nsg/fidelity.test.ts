import { describe, expect, it } from 'vitest';
import { builtinServiceTags } from '../model/service-tags/index.js';
import type { NetworkSpec } from '../model/types.js';
import { oneNsgNetwork, rule } from './fixtures.test-util.js';
import { compileNsgs, NsgError } from './index.js';

const tags = builtinServiceTags();

/** oneNsgNetwork with route table `rt` (routes given) on subnet hub/app. */
function withRoutes(net: NetworkSpec, routes: Array<[name: string, prefix: string]>): NetworkSpec {
  net.routeTables.push({
    name: 'rt', disableBgpRoutePropagation: false,
    routes: routes.map(([name, prefix]) => ({ name, prefix, nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' })),
  });
  net.vnets[0]!.subnets[0]!.routeTable = 'rt';
  return net;
}

describe('R-NSG-6: VirtualNetwork includes the UDR prefixes of the VNet', () => {
  it('R-NSG-6: an inbound flow from inside a UDR prefix meets AllowVnetInBound, effective rules list the prefix', () => {
    const before = compileNsgs(oneNsgNetwork([]), tags);
    expect(before.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:80', '198.51.100.7:5000').ruleName).toBe('defaultSecurityRules/DenyAllInBound');
    const n = compileNsgs(withRoutes(oneNsgNetwork([]), [['onprem-ish', '198.51.100.0/24']]), tags);
    const v = n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:80', '198.51.100.7:5000');
    expect(v).toMatchObject({ access: 'Allow', ruleName: 'defaultSecurityRules/AllowVnetInBound' });
    const eff = n.effectiveSecurityRules('vm1')[0]!.rules.find((r) => r.name === 'defaultSecurityRules/AllowVnetInBound')!;
    expect(eff.sourceAddressPrefixes).toContain('198.51.100.0/24');
    // Still Internet: an outbound Deny Internet rule denies it.
    const d = compileNsgs(withRoutes(oneNsgNetwork([rule('deny-inet', 100, 'Outbound', 'Deny', '*', 'Internet')]), [['x', '198.51.100.0/24']]), tags);
    expect(d.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:40000', '198.51.100.7:443').ruleName).toBe('securityRules/deny-inet');
  });

  it('R-NSG-6: with a 0.0.0.0/0 UDR, inbound from anywhere meets AllowVnetInBound, Deny Internet still denies public destinations', () => {
    const rules = [
      rule('allow-storage', 100, 'Outbound', 'Allow', 'VirtualNetwork', 'Storage'),
      rule('deny-internet', 200, 'Outbound', 'Deny', 'VirtualNetwork', 'Internet'),
    ];
    const n = compileNsgs(withRoutes(oneNsgNetwork(rules), [['default', '0.0.0.0/0']]), tags);
    expect(n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:22', '8.8.8.8:5000').ruleName).toBe('defaultSecurityRules/AllowVnetInBound');
    expect(n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:40000', '8.8.8.8:443').ruleName).toBe('securityRules/deny-internet');
    expect(n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:40000', '52.239.0.10:443').ruleName).toBe('securityRules/allow-storage');
    expect(n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:40000', '10.0.2.5:443').ruleName).toBe('defaultSecurityRules/AllowVnetOutBound');
  });

  it('R-NSG-6: update (a route change) recompiles the classifiers whose VirtualNetwork changed', () => {
    const net = withRoutes(oneNsgNetwork([]), []);
    const n = compileNsgs(net, tags);
    const ask = () => n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:80', '198.51.100.7:5000').ruleName;
    expect(ask()).toBe('defaultSecurityRules/DenyAllInBound');
    const next = structuredClone(net);
    next.routeTables[0]!.routes.push({ name: 'x', prefix: '198.51.100.0/24', nextHopType: 'None' });
    expect(n.update(next).filter((c) => c.nsg === 'N').length).toBeGreaterThan(0);
    expect(ask()).toBe('defaultSecurityRules/AllowVnetInBound');
    n.update(net);
    expect(ask()).toBe('defaultSecurityRules/DenyAllInBound');
  });
});

describe('R-NSG-4: the deciding level when NIC and subnet both deny', () => {
  function bothDeny(): NetworkSpec {
    const net = oneNsgNetwork([
      rule('subnet-deny-out', 100, 'Outbound', 'Deny', '*', '8.8.8.8'),
      rule('subnet-deny-in', 100, 'Inbound', 'Deny', '8.8.8.8', '*'),
    ]);
    net.nsgs.push({ name: 'NIC', rules: [
      rule('nic-deny-out', 100, 'Outbound', 'Deny', '*', '8.8.8.8'),
      rule('nic-deny-in', 100, 'Inbound', 'Deny', '8.8.8.8', '*'),
    ] });
    net.vms[0]!.nsg = 'NIC';
    return net;
  }
  it('R-NSG-4: IP flow verify names the NIC rule outbound and the subnet rule inbound', () => {
    const n = compileNsgs(bothDeny(), tags);
    const o = n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.4:40000', '8.8.8.8:443');
    expect(o).toMatchObject({ access: 'Deny', ruleName: 'securityRules/nic-deny-out', nsg: 'NIC' });
    expect(o.evaluated.map((e) => e.level)).toEqual(['nic']);
    const i = n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '10.0.1.4:80', '8.8.8.8:5000');
    expect(i).toMatchObject({ access: 'Deny', ruleName: 'securityRules/subnet-deny-in', nsg: 'N' });
    expect(i.evaluated.map((e) => e.level)).toEqual(['subnet']);
  });
});

describe('IP flow verify: the local address must be one of the VM\'s', () => {
  it('refuses a local address the VM does not own, with its addresses in the message', () => {
    const n = compileNsgs(oneNsgNetwork([]), tags);
    expect(() => n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.5:40000', '8.8.8.8:443')).toThrow(NsgError);
    expect(() => n.ipFlowVerify('vm1', 'Outbound', 'Tcp', '10.0.1.5:40000', '8.8.8.8:443')).toThrow(/10\.0\.1\.5 is not an address of VM vm1 .*10\.0\.1\.4, fd00:1::4/);
    expect(() => n.ipFlowVerify('vm2', 'Inbound', 'Tcp', '[fd00:1::4]:80', '[2001:db8::1]:5000')).toThrow(/not an address of VM vm2/);
    expect(n.ipFlowVerify('vm1', 'Inbound', 'Tcp', '[fd00:1::4]:80', '[fd00:1::9]:5000').access).toBe('Allow');
  });
});
