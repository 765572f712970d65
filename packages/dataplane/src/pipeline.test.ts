// The packet pipeline against the rules of SEMANTICS.md: one test per rule, named after it.
import { describe, expect, it } from 'vitest';
import { DISPOSITION_NAMES, DROP_REASON_DISPOSITION, DROP_REASON_NAMES, formatIpv4, type SecurityRuleSpec } from '@vnetsim/core';
import { defaultOutboundIp } from './tables.js';
import { ServiceVerdict } from './stages/context.js';
import { Purpose, TcpFlag } from './packet/batch.js';
import { runScenario } from '@vnetsim/scenario';
import { outcomeOf, traceOf } from './explain/trace.js';
import { connect, data, networkOf, pushMixed, pushPacket, scenario, send, WORLD } from './testing/fixtures.js';

const storageEndpoint = 'Microsoft.Storage';

function rule(r: Partial<SecurityRuleSpec> & Pick<SecurityRuleSpec, 'name' | 'priority' | 'direction' | 'access'>): SecurityRuleSpec {
  return { protocol: '*', source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*', ...r } as SecurityRuleSpec;
}

describe('service endpoints (R-SE)', () => {
  it('R-SE-1: through the endpoint the service sees the private source and the subnet identity', () => {
    const net = networkOf(WORLD);
    const before = send(net, 'vm1', 'st-open');
    expect(before.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'Internet', sourceSeenByService: '51.105.0.1' });
    expect(net.scratch.endpointSubnet[0]).toBe(-1);

    expect(net.enableServiceEndpoint('hub/app', storageEndpoint).ok).toBe(true);
    const after = send(net, 'vm1', 'st-open', { sourcePort: 50001 });
    expect(after.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', sourceSeenByService: '10.0.1.4', service: 'st-open' });
    expect(after.batch.translatedSrc[0]).toBe(0);
    expect(net.tables.subnetNames[net.scratch.endpointSubnet[0]!]).toBe('hub/app');
    expect(after.trace.steps.map((s) => s.text).join('\n')).toMatch(/private source 10\.0\.1\.4 and subnet hub\/app \(R-SE-1\)/);
    // Another subnet of the same VNet has no endpoint: still the public source.
    expect(send(net, 'vm4', 'st-open').outcome).toMatchObject({ nextHopType: 'Internet', sourceSeenByService: '51.105.0.4' });
  });

  it('R-SE-3: after the switch an IP rule for the public address no longer matches; only a VNet rule does', () => {
    const net = networkOf(WORLD);
    // st-we: defaultAction Deny, ipRules [51.105.0.1] (vm1's instance IP).
    expect(send(net, 'vm1', 'st-we').outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '51.105.0.1' });
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.IpRule);
    net.enableServiceEndpoint('hub/app', storageEndpoint);
    const denied = send(net, 'vm1', 'st-we', { sourcePort: 50001 });
    expect(denied.outcome).toMatchObject({ disposition: 'ServiceDenied', reason: 'ServiceFirewallDenied', serviceError: '403 AuthorizationFailure', sourceSeenByService: '10.0.1.4' });
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.DeniedVnet);
    expect(net.addVirtualNetworkRule('st-we', 'hub/app').ok).toBe(true);
    expect(send(net, 'vm1', 'st-we', { sourcePort: 50002 }).outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint' });
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.VnetRule);
    // SQL: an IP rule for the public address, then the endpoint: 40914 (subnet without a rule).
    net.addIpRule('sql-we', '51.105.0.1');
    expect(send(net, 'vm1', 'sql-we', { port: 1433 }).outcome.disposition).toBe('Delivered');
    net.enableServiceEndpoint('hub/app', 'Microsoft.Sql');
    expect(send(net, 'vm1', 'sql-we', { port: 1433, sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'ServiceDenied', serviceError: '40914' });
  });

  it('R-SE-4: DNS is unchanged: host names resolve to the same public address with or without the endpoint', () => {
    const net = networkOf(WORLD);
    expect(net.resolve('stwe.blob.core.windows.net')).toBe('52.239.1.10');
    net.enableServiceEndpoint('hub/app', storageEndpoint);
    expect(net.resolve('STWE.blob.core.windows.net')).toBe('52.239.1.10');
    net.disableServiceEndpoint('hub/app', storageEndpoint);
    expect(net.resolve('stwe.blob.core.windows.net')).toBe('52.239.1.10');
    expect(net.resolve('nosuch.blob.core.windows.net')).toBeNull();
  });

  it('R-SE-5: on-premises traffic never uses an endpoint; it reaches services from the gateway NAT IP, allowed only by IP rules', () => {
    const net = networkOf(WORLD);
    // Every hub subnet gets the endpoint and a VNet rule: on-premises traffic still gets none of it.
    for (const s of ['hub/app', 'hub/data', 'hub/web', 'hub/dmz']) {
      expect(net.enableServiceEndpoint(s, storageEndpoint).ok).toBe(true);
      expect(net.addVirtualNetworkRule('st-we', s).ok).toBe(true);
    }
    const r = send(net, 'branch', 'st-we');
    expect(r.outcome).toMatchObject({ disposition: 'ServiceDenied', serviceError: '403 AuthorizationFailure', sourceSeenByService: '203.0.113.10' });
    expect(r.outcome.nextHopType).not.toBe('VirtualNetworkServiceEndpoint');
    expect(net.scratch.endpointSubnet[0]).toBe(-1);
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.DeniedIp);
    // The on-premises private range cannot be an IP rule; the NAT address can.
    expect(net.addIpRule('st-we', '192.168.10.0/24').error?.code).toBe('InvalidRequest');
    expect(net.addIpRule('st-we', '203.0.113.10').ok).toBe(true);
    expect(send(net, 'branch', 'st-we', { sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '203.0.113.10' });
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.IpRule);
  });
});

describe('source translation (R-SNAT)', () => {
  it('R-SNAT-1: Internet traffic leaves from the instance IP, else the NAT gateway, else the default outbound address', () => {
    const net = networkOf(WORLD);
    expect(net.snat.portsPerIp).toBe(64512); // per public IP, as a NAT gateway has
    expect(send(net, 'vm1', '8.8.8.8').outcome).toMatchObject({ disposition: 'ExitsNetwork', sourceSeen: '51.105.0.1' }); // instance IP
    expect(send(net, 'vm4', '8.8.8.8').outcome.sourceSeen).toBe('51.105.0.4'); // instance IP, though its subnet has a NAT gateway
    expect(send(net, 'vm3', '8.8.8.8').outcome.sourceSeen).toBe('20.50.0.1'); // NAT gateway
    const dflt = send(net, 'vm2', '8.8.8.8');
    expect(dflt.outcome.sourceSeen).toBe(formatIpv4(defaultOutboundIp(0))); // default outbound of hub
    expect(dflt.batch.translatedSrcPort[0]).toBeGreaterThanOrEqual(1024);
    expect(dflt.trace.steps.some((s) => s.stage === 'translation' && /default outbound of hub/.test(s.text))).toBe(true);
  });

  it('R-SNAT-1: an exhausted port pool drops new flows with SnatExhausted; ports return when flows end', () => {
    const net = networkOf(WORLD, { snatPortsPerIp: 3 });
    const ports = [0, 1, 2].map((k) => send(net, 'vm2', '8.8.8.8', { sourcePort: 40000 + k }).batch.translatedSrcPort[0]);
    expect(new Set(ports).size).toBe(3);
    const dropped = send(net, 'vm2', '8.8.8.8', { sourcePort: 40003 });
    expect(dropped.outcome).toMatchObject({ disposition: 'SnatExhausted', reason: 'SnatPortsExhausted' });
    // Another pool (vm1's instance IP) is unaffected.
    expect(send(net, 'vm1', '8.8.8.8').outcome.disposition).toBe('ExitsNetwork');
    // A packet of an open flow keeps its port.
    const again = data(net, 'vm2', '8.8.8.8', { sourcePort: 40001 });
    expect(again.outcome.disposition).toBe('ExitsNetwork');
    expect(again.batch.translatedSrcPort[0]).toBe(ports[1]);
    // The flows end (idle timeout): their ports go back to the pool.
    expect(net.flows.expire(10_000)).toBeGreaterThanOrEqual(3);
    expect(net.snat.used[net.tables.subnetSnatPool[1]!]).toBe(0);
    expect(send(net, 'vm2', '8.8.8.8', { sourcePort: 40004, time: 10_001 }).outcome.disposition).toBe('ExitsNetwork');
  });

  it('R-SNAT-2: endpoint, VnetLocal and VNetPeering traffic is not translated', () => {
    const net = networkOf(WORLD);
    net.enableServiceEndpoint('hub/app', storageEndpoint);
    const viaEndpoint = send(net, 'vm1', 'st-open');
    expect(viaEndpoint.batch.translatedSrc[0]).toBe(0);
    expect(viaEndpoint.outcome.sourceSeen).toBe('10.0.1.4');
    const local = send(net, 'vm1', 'vm2');
    expect(local.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VnetLocal', sourceSeen: '10.0.1.4', deliveredTo: 'vm2' });
    expect(local.batch.translatedSrc[0]).toBe(0);
    const peered = send(net, 'vm1', 'vm9');
    expect(peered.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VNetPeering', sourceSeen: '10.0.1.4', deliveredTo: 'vm9' });
    expect(peered.batch.translatedSrc[0]).toBe(0);
    expect(net.counters.snatPortsTaken).toBe(0);
  });

  it('R-SNAT-3: an appliance forwards to its egress with its own translation, or drops; a gateway tunnel reaches the Internet from the gateway NAT IP', () => {
    const net = networkOf(WORLD);
    // vm5's subnet: 0.0.0.0/0 -> appliance fw (egress Internet, public IP 51.105.0.9).
    const viaFw = send(net, 'vm5', '8.8.8.8');
    expect(viaFw.outcome).toMatchObject({ disposition: 'ExitsNetwork', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.4.4', sourceSeen: '51.105.0.9' });
    expect(viaFw.trace.steps.some((s) => s.stage === 'appliance' && /fw/.test(s.text))).toBe(true);
    expect(send(net, 'vm5', 'st-open').outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '51.105.0.9' });
    // An appliance whose egress is on-premises: the Internet from the gateway's NAT IP.
    expect(send(net, 'vm7', '8.8.4.4').outcome).toMatchObject({ disposition: 'ExitsNetwork', nextHopIp: '10.0.4.6', sourceSeen: '203.0.113.10' });
    // An appliance configured to drop.
    expect(send(net, 'vm7', '198.51.100.1').outcome).toMatchObject({ disposition: 'ApplianceDropped', reason: 'ApplianceDrop', nextHopIp: '10.0.4.5' });
    // Forced tunnel to the gateway: the Internet and services from the on-premises NAT IP.
    expect(send(net, 'vm6', '8.8.8.8').outcome).toMatchObject({ disposition: 'ExitsNetwork', nextHopType: 'VirtualNetworkGateway', sourceSeen: '203.0.113.10' });
    expect(send(net, 'vm6', 'st-open').outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '203.0.113.10' });
    // To on-premises itself: leaves the network untranslated.
    expect(send(net, 'vm6', 'branch').outcome).toMatchObject({ disposition: 'ExitsNetwork', sourceSeen: '10.0.6.4' });
  });
});

describe('the service side (R-SVC)', () => {
  it('R-SVC-1: defaultAction Allow accepts all; Deny accepts VNet rules through an endpoint and public sources in IP rules', () => {
    const net = networkOf(WORLD);
    expect(send(net, 'vm2', 'st-open').outcome.disposition).toBe('Delivered');
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.AllowAll);
    // Storage, Deny: a public source outside ipRules -> 403 AuthorizationFailure.
    expect(send(net, 'vm2', 'st-we').outcome).toMatchObject({ disposition: 'ServiceDenied', serviceError: '403 AuthorizationFailure' });
    expect(net.addIpRule('st-we', `${formatIpv4(defaultOutboundIp(0))}`).ok).toBe(true);
    expect(send(net, 'vm2', 'st-we', { sourcePort: 50001 }).outcome.disposition).toBe('Delivered');
    // An IP rule given as a prefix.
    expect(send(net, 'vm3', 'st-we').outcome.disposition).toBe('ServiceDenied');
    net.addIpRule('st-we', '20.50.0.0/30');
    expect(send(net, 'vm3', 'st-we', { sourcePort: 50001 }).outcome.disposition).toBe('Delivered');
    // SQL, Deny: a public IP not allowed -> 40615; through an endpoint without a VNet rule -> 40914; with one -> in.
    expect(send(net, 'vm2', 'sql-we', { port: 1433 }).outcome).toMatchObject({ disposition: 'ServiceDenied', serviceError: '40615' });
    net.enableServiceEndpoint('hub/data', 'Microsoft.Sql');
    expect(send(net, 'vm2', 'sql-we', { port: 1433, sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'ServiceDenied', serviceError: '40914' });
    net.addVirtualNetworkRule('sql-we', 'hub/data');
    expect(send(net, 'vm2', 'sql-we', { port: 1433, sourcePort: 50002 }).outcome.disposition).toBe('Delivered');
    // Removing the rule applies to the next request of the open flow too.
    net.removeVirtualNetworkRule('sql-we', 'hub/data');
    expect(data(net, 'vm2', 'sql-we', { port: 1433, sourcePort: 50002 }).outcome).toMatchObject({ disposition: 'ServiceDenied', serviceError: '40914' });
  });

  it('R-SVC-2: SQL VNet rules only for subnets of its region; Storage its region or the pair', () => {
    const net = networkOf(WORLD);
    expect(net.addVirtualNetworkRule('sql-eus', 'hub/app').error?.code).toBe('InvalidRequest');
    expect(net.addVirtualNetworkRule('st-eus', 'hub/app').error?.code).toBe('InvalidRequest');
    expect(net.addVirtualNetworkRule('st-ne', 'hub/app').ok).toBe(true); // northeurope pairs with westeurope
    expect(net.addVirtualNetworkRule('sql-we', 'hub/app').ok).toBe(true);
    expect(net.spec.services.find((s) => s.name === 'sql-eus')!.firewall.virtualNetworkRules).toEqual([]);
  });
});

describe('endpoint policies (R-POL)', () => {
  it('R-POL-1: through the endpoint only the accounts a policy lists are reachable; others end PolicyDenied', () => {
    const net = networkOf(WORLD);
    expect(send(net, 'vm8', 'st-open').outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint' });
    const r = send(net, 'vm8', 'st-we');
    expect(r.outcome).toMatchObject({ disposition: 'PolicyDenied', reason: 'EndpointPolicyDenied' });
    expect(r.trace.steps.some((s) => s.stage === 'policy')).toBe(true);
    // A storage address of the endpoint's scope that no listed account holds.
    expect(send(net, 'vm8', '52.239.0.99').outcome.disposition).toBe('PolicyDenied');
    // Without a policy, every account (the firewall decides).
    net.enableServiceEndpoint('hub/web', storageEndpoint);
    expect(send(net, 'vm3', 'st-ne').outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint' });
  });

  it('R-POL-1: the union of a subnet\'s policies counts (by account, resource group or subscription)', () => {
    const yaml = `
name: union
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, serviceEndpoints: [Microsoft.Storage], endpointPolicies: [by-name, by-sub, by-rg] }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
  services:
    - { name: a, type: Microsoft.Storage, region: westeurope, subscription: s1, address: 52.239.0.10 }
    - { name: b, type: Microsoft.Storage, region: westeurope, subscription: s2, address: 52.239.0.11 }
    - { name: c, type: Microsoft.Storage, region: westeurope, subscription: s3, resourceGroup: rg-c, address: 52.239.0.12 }
    - { name: d, type: Microsoft.Storage, region: westeurope, subscription: s3, address: 52.239.0.13 }
  endpointPolicies:
    - { name: by-name, service: Microsoft.Storage, resources: [a] }
    - { name: by-sub, service: Microsoft.Storage, resources: [], subscriptions: [s2] }
    - { name: by-rg, service: Microsoft.Storage, resources: [], resourceGroups: [rg-c] }
steps: []
`;
    const net = networkOf(yaml);
    expect(['a', 'b', 'c', 'd'].map((s, k) => send(net, 'vm1', s, { sourcePort: 50000 + k }).outcome.disposition)).toEqual([
      'Delivered', 'Delivered', 'Delivered', 'PolicyDenied',
    ]);
  });
});

describe('network security groups in the pipeline (R-NSG)', () => {
  it('R-NSG-5: reverse packets of a recorded flow pass without evaluation; new flows the other way are evaluated', () => {
    const net = networkOf(WORLD);
    // app-nsg denies everything inbound from hub/data: vm2 cannot open a connection to vm1 ...
    expect(send(net, 'vm2', 'vm1').outcome).toMatchObject({ disposition: 'DeniedIn', rule: 'securityRules/deny-from-data' });
    // ... but vm2's replies on a connection vm1 opened pass.
    const c = connect(net, 'vm1', 'vm2', { sourcePort: 41000 });
    expect(c.outcome.disposition).toBe('Delivered');
    const reply = data(net, 'vm1', 'vm2', { sourcePort: 41000, reverse: true });
    expect(reply.outcome.disposition).toBe('Delivered');
    expect(reply.outcome.rule).toBeNull(); // not evaluated
    expect(net.scratch.flowDir[0]).toBe(1);
    expect(reply.trace.steps.some((s) => s.stage === 'flow' && /R-NSG-5/.test(s.text))).toBe(true);
    expect(net.scratch.ruleSubnetIn[0]).toBe(-1);
  });

  it('R-NSG-5: a rule change affects new flows only', () => {
    const net = networkOf(WORLD);
    connect(net, 'vm1', 'vm2', { sourcePort: 42000 });
    expect(net.setRule('data-nsg', rule({ name: 'deny-app', priority: 101, direction: 'Inbound', access: 'Deny', source: '10.0.1.0/24' })).ok).toBe(true);
    expect(data(net, 'vm1', 'vm2', { sourcePort: 42000 }).outcome.disposition).toBe('Delivered');
    expect(data(net, 'vm1', 'vm2', { sourcePort: 42000, reverse: true }).outcome.disposition).toBe('Delivered');
    expect(send(net, 'vm1', 'vm2', { sourcePort: 42001 }).outcome).toMatchObject({ disposition: 'DeniedIn', rule: 'securityRules/deny-app' });
    // Removing the rule: the denied attempt was never a connection, so it is evaluated again.
    expect(net.removeRule('data-nsg', 'deny-app').ok).toBe(true);
    expect(send(net, 'vm1', 'vm2', { sourcePort: 42001, flags: TcpFlag.SYN }).outcome.disposition).toBe('Delivered');
  });

  it('R-NSG-8: the outbound NSG sees the private source, before translation', () => {
    const net = networkOf(WORLD);
    net.setRule('app-nsg', rule({ name: 'deny-private-8443', priority: 110, direction: 'Outbound', access: 'Deny', source: '10.0.1.4', destination: 'Internet', destinationPorts: '8443', protocol: 'Tcp' }));
    net.setRule('app-nsg', rule({ name: 'deny-public-8444', priority: 120, direction: 'Outbound', access: 'Deny', source: '51.105.0.1', destinationPorts: '8444', protocol: 'Tcp' }));
    expect(send(net, 'vm1', '8.8.8.8', { port: 8443 }).outcome).toMatchObject({ disposition: 'DeniedOut', rule: 'securityRules/deny-private-8443' });
    expect(send(net, 'vm1', '8.8.8.8', { port: 8444 }).outcome).toMatchObject({ disposition: 'ExitsNetwork', sourceSeen: '51.105.0.1' });
  });

  it('R-NSG-8: the inbound NSG sees the translated source and the private destination', () => {
    const net = networkOf(WORLD);
    // vm3 reaches vm1's instance IP over the Internet path, from its NAT gateway's address.
    net.setRule('app-nsg', rule({ name: 'allow-natgw-to-private', priority: 200, direction: 'Inbound', access: 'Allow', source: '20.50.0.1', destination: '10.0.1.4', protocol: 'Tcp', destinationPorts: '443' }));
    const r = send(net, 'vm3', '51.105.0.1');
    expect(r.outcome).toMatchObject({ disposition: 'Delivered', rule: 'securityRules/allow-natgw-to-private', sourceSeen: '20.50.0.1', deliveredTo: 'vm1' });
    // An Internet host to the instance IP: the rule naming the private destination applies.
    net.setRule('app-nsg', rule({ name: 'allow-web-to-private', priority: 210, direction: 'Inbound', access: 'Allow', source: 'Internet', destination: '10.0.1.4', protocol: 'Tcp', destinationPorts: '443' }));
    expect(send(net, '8.8.8.8', '51.105.0.1').outcome).toMatchObject({ disposition: 'Delivered', rule: 'securityRules/allow-web-to-private', deliveredTo: 'vm1' });
    // A rule naming the public address never matches (NSGs see private addresses).
    net.setRule('app-nsg', rule({ name: 'deny-public', priority: 150, direction: 'Inbound', access: 'Deny', destination: '51.105.0.1' }));
    expect(send(net, '8.8.4.4', '51.105.0.1').outcome).toMatchObject({ disposition: 'Delivered', rule: 'securityRules/allow-web-to-private' });
  });
});

describe('routes in the pipeline (R-RT)', () => {
  it('R-RT-6: a forced tunnel carries service traffic too, except the prefixes of an enabled endpoint', () => {
    const net = networkOf(WORLD);
    expect(send(net, 'vm5', 'st-open').outcome).toMatchObject({ nextHopType: 'VirtualAppliance', sourceSeenByService: '51.105.0.9' });
    expect(send(net, 'vm6', 'st-open').outcome).toMatchObject({ nextHopType: 'VirtualNetworkGateway', sourceSeenByService: '203.0.113.10' });
    net.enableServiceEndpoint('hub/forced', storageEndpoint);
    net.enableServiceEndpoint('hub/tunnel', storageEndpoint);
    for (const [vm, src] of [['vm5', '10.0.5.4'], ['vm6', '10.0.6.4']] as const) {
      expect(send(net, vm, 'st-open', { sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', sourceSeenByService: src });
      expect(send(net, vm, 'st-ne', { sourcePort: 50001 }).outcome.nextHopType).toBe('VirtualNetworkServiceEndpoint');
    }
    // Other services and the Internet stay in the tunnel.
    expect(send(net, 'vm5', 'sql-we', { port: 1433 }).outcome.nextHopType).toBe('VirtualAppliance');
    expect(send(net, 'vm5', '8.8.8.8', { sourcePort: 50001 }).outcome.nextHopType).toBe('VirtualAppliance');
    expect(send(net, 'vm6', '8.8.8.8', { sourcePort: 50001 }).outcome.nextHopType).toBe('VirtualNetworkGateway');
    // Storage outside the endpoint's scope (eastus) stays in the tunnel too.
    expect(send(net, 'vm5', 'st-eus').outcome.nextHopType).toBe('VirtualAppliance');
  });
});

describe('BGP preference and service-tag routes in the pipeline (R-RT-7, R-RT-8)', () => {
  const HUB = (routes: string, options = '') => `
name: rt7
${options}
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      peerings: [spoke]
      gateway: { onPremPrefixes: [10.0.5.0/24, 10.1.1.0/24, 192.168.0.0/16], natIps: [203.0.113.10] }
      subnets:
        - { name: app, prefix: 10.0.1.0/24, routeTable: app-rt }
        - { name: data, prefix: 10.0.5.0/24 }
        - { name: dmz, prefix: 10.0.3.0/24 }
    - name: spoke
      region: westeurope
      addressSpace: [10.1.0.0/16]
      subnets:
        - { name: web, prefix: 10.1.1.0/24 }
  routeTables:
    - name: app-rt
      routes: ${routes}
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
    - { name: db1, subnet: hub/data, privateIp: 10.0.5.4 }
    - { name: web1, subnet: spoke/web, privateIp: 10.1.1.4 }
    - { name: nva, subnet: hub/dmz, privateIp: 10.0.3.4, ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 } }
  onPrem:
    - { name: branch, prefix: 192.168.10.0/24, via: hub }
  services:
    - { name: st-eus, type: Microsoft.Storage, region: eastus, address: 52.239.145.10 }
`;

  it('R-RT-7: a packet to a hub VM inside a BGP-advertised prefix is delivered to the VM, untranslated; to a peered VM, over the peering', () => {
    const net = networkOf(HUB('[]'));
    const db = send(net, 'vm1', 'db1', { port: 1433 });
    expect(db.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VnetLocal', deliveredTo: 'db1' });
    expect(db.batch.translatedSrc[0]).toBe(0);
    const text = db.trace.steps.map((x) => x.text).join('\n');
    expect(text).toMatch(/route 10\.0\.0\.0\/16 \(Default\) -> VnetLocal/);
    expect(text).not.toMatch(/translation|Internet|VirtualNetworkGateway/);
    const web = send(net, 'vm1', 'web1');
    expect(web.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VNetPeering', deliveredTo: 'web1' });
    expect(web.batch.translatedSrc[0]).toBe(0);
    // outside every VNet range the BGP route still carries the packet
    expect(send(net, 'vm1', 'branch').outcome.nextHopType).toBe('VirtualNetworkGateway');
  });

  it('R-RT-7: a UDR for the prefix still wins in the pipeline (R-RT-4)', () => {
    const net = networkOf(HUB('[{ name: data-nva, prefix: 10.0.5.0/24, nextHopType: VirtualAppliance, nextHopIp: 10.0.3.4 }]'));
    const r = send(net, 'vm1', 'db1', { port: 1433 });
    expect(r.outcome).toMatchObject({ nextHopType: 'VirtualAppliance', nextHopIp: '10.0.3.4', routeTable: 'app-rt' });
  });

  it('R-RT-8: a packet to an address of a tag route\'s prefix takes that route; the trace names the tag and the prefix', () => {
    const net = networkOf(HUB('[{ name: storage-eus, prefix: Storage.EastUS, nextHopType: VirtualAppliance, nextHopIp: 10.0.3.4 }]'));
    const r = send(net, 'vm1', 'st-eus');
    expect(r.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualAppliance', routeTable: 'app-rt', sourceSeenByService: '51.105.0.9' });
    const route = r.trace.steps.find((x) => x.stage === 'route')!;
    expect(route.text).toMatch(/^route Storage\.EastUS 52\.239\.144\.0\/22 \(User, storage-eus in app-rt\) -> VirtualAppliance 10\.0\.3\.4/);
    expect(route.route).toMatchObject({ prefix: '52.239.144.0/22', source: 'User', name: 'storage-eus' });
    // an address of Storage outside the tag: the default route
    expect(send(net, 'vm1', '52.239.1.10').outcome.nextHopType).toBe('Internet');
    // removing the route through the control plane hands the address back to the default route
    expect(net.removeRoute('app-rt', 'storage-eus').ok).toBe(true);
    expect(send(net, 'vm1', 'st-eus', { sourcePort: 50001 }).outcome.nextHopType).toBe('Internet');
    // an unknown tag is refused, nothing changes
    const bad = net.setRoute('app-rt', { name: 'x', prefix: 'Storage.Atlantis', nextHopType: 'None' });
    expect(bad.error?.code).toBe('InvalidRequest');
    expect(bad.error?.message).toMatch(/unknown service tag "Storage.Atlantis"/);
    expect(net.setRoute('app-rt', { name: 'y', prefix: 'Storage.EastUS', nextHopType: 'None' }).ok).toBe(true);
    expect(send(net, 'vm1', 'st-eus', { sourcePort: 50002 }).outcome).toMatchObject({ disposition: 'NullRouted', nextHopType: 'None' });
  });
});

describe('conservation', () => {
  it('a mixed run where every disposition occurs: packets in = sum of dispositions = sum of drop reasons', () => {
    const net = networkOf(WORLD, { snatPortsPerIp: 8 });
    connect(net, 'vm1', 'st-open', { sourcePort: 29000 });
    net.enableServiceEndpoint('hub/app', storageEndpoint);
    net.counters.reset();
    const b = net.newBatch();
    pushMixed(net, b, 6);
    // Packets of the connection the toggle reset, both ways.
    pushPacket(net, b, 'vm1', 'st-open', { sourcePort: 29000, flags: TcpFlag.PSH | TcpFlag.ACK });
    pushPacket(net, b, 'vm1', 'st-open', { sourcePort: 29000, flags: TcpFlag.ACK, reverse: true });
    net.process(b);
    const c = net.counters;
    expect(Object.keys(c.dispositions()).sort()).toEqual([...DISPOSITION_NAMES].sort());
    const byReason = Array.from(c.byReason).reduce((x, y) => x + y, 0);
    expect([c.packetsIn, c.accounted(), byReason]).toEqual([b.count, b.count, b.count]);
    // Each row: one disposition and the drop reason that belongs to it (none for Delivered and ExitsNetwork).
    const tally = new Float64Array(DISPOSITION_NAMES.length);
    for (let i = 0; i < b.count; i++) {
      const d = DISPOSITION_NAMES[b.disposition[i]!]!;
      const reason = DROP_REASON_NAMES[b.dropReason[i]!]!;
      if (d === 'Delivered' || d === 'ExitsNetwork') expect(reason).toBe('None');
      else expect(DROP_REASON_DISPOSITION[reason]).toBe(d);
      tally[b.disposition[i]!]!++;
    }
    expect(Array.from(tally)).toEqual(Array.from(c.byDisposition));
    // A second run of the same packets (now hits of recorded flows) still conserves, cumulatively.
    net.process(b);
    expect(c.accounted()).toBe(2 * b.count);
    expect(c.packetsIn).toBe(2 * b.count);
  });
});

describe('disk traffic (R-SE-8)', () => {
  it('R-SE-8: VM disk IO is never diverted: no NSG, route or endpoint; delivered on the platform path', () => {
    const net = networkOf(WORLD);
    net.enableServiceEndpoint('hub/app', storageEndpoint);
    net.setRule('app-nsg', rule({ name: 'deny-all-out', priority: 4000, direction: 'Outbound', access: 'Deny' }));
    const b = net.newBatch(4);
    pushPacket(net, b, 'vm1', 'st-we', { sourcePort: 47000 }); // ordinary: denied by the NSG
    pushPacket(net, b, 'vm1', 'st-we', { sourcePort: 47001 });
    b.purpose[1] = Purpose.DiskIo;
    pushPacket(net, b, 'vm5', 'st-eus', { sourcePort: 47002 }); // forced tunnel subnet: the disk bypasses the appliance
    b.purpose[2] = Purpose.DiskIo;
    const flowsBefore = net.flows.size;
    net.process(b);
    expect(outcomeOf(net.tables, net.scratch, b, 0)).toMatchObject({ disposition: 'DeniedOut', rule: 'securityRules/deny-all-out' });
    for (const i of [1, 2]) {
      const t = traceOf(net.tables, net.scratch, b, i);
      expect(t).toMatchObject({ disposition: 'Delivered', rule: null, nextHopType: null, service: null });
      expect(t.steps.map((s) => s.stage)).toEqual(['ingress', 'platform', 'delivery']);
      expect(t.steps[1]!.text).toMatch(/R-SE-8/);
      expect(b.translatedSrc[i]).toBe(0);
    }
    expect(net.flows.size).toBe(flowsBefore + 1); // only the ordinary packet's flow
    expect(net.counters.accounted()).toBe(net.counters.packetsIn);
  });

  it('R-SE-8: scenario steps mark disk traffic with `disk: true` (strictly typed)', () => {
    const yaml = `
name: disks
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets: [{ name: app, prefix: 10.0.1.0/24, serviceEndpoints: [Microsoft.Storage], routeTable: forced }]
  routeTables:
    - { name: forced, routes: [{ name: none, prefix: 0.0.0.0/0, nextHopType: None }] }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
  services:
    - { name: disks, type: Microsoft.Storage, region: eastus, address: 52.239.4.10,
        firewall: { defaultAction: Deny, virtualNetworkRules: [], ipRules: [] } }
steps:
  - send: { from: vm1, to: disks, protocol: Tcp, port: 443 }
    expect: { disposition: NullRouted }
  - send: { from: vm1, to: disks, protocol: Tcp, port: 443, disk: true }
    expect: { disposition: Delivered }
  - connect: { from: vm1, to: disks, protocol: Tcp, port: 443, disk: true }
    expect: { disposition: Delivered }
`;
    const r = runScenario(scenario(yaml));
    expect(r.steps.flatMap((s) => s.failures)).toEqual([]);
    expect(r.counters.dispositions).toEqual({ Delivered: 5, NullRouted: 1 });
    expect(() => scenario(yaml.replace('disk: true }\n    expect: { disposition: Delivered }', "disk: 'yes' }\n    expect: { disposition: Delivered }"))).toThrow(/disk/);
  });
});

// ---- issue 10: endpoint policies, Storage.Global links, storage same-region source, NAT pools, gateway egress ----

const POLICY_NET = `
name: policies
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - name: app
          prefix: 10.0.1.0/24
          serviceEndpoints: [Microsoft.Storage, Microsoft.Sql, Microsoft.KeyVault]
          endpointPolicies: [only-listed]
        - { name: open, prefix: 10.0.2.0/24, serviceEndpoints: [Microsoft.Storage] }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
    - { name: vm2, subnet: hub/open, privateIp: 10.0.2.4, publicIp: 51.105.0.2 }
  services:
    - { name: us-listed, type: Microsoft.Storage, region: eastus, address: 52.239.4.10 }
    - { name: us-unlisted, type: Microsoft.Storage, region: eastus, address: 52.239.4.20 }
    - { name: sqlwe, type: Microsoft.Sql, region: westeurope, address: 40.68.0.10 }
    - { name: kv, type: Microsoft.KeyVault, region: eastus, address: 52.236.2.10 }
  endpointPolicies:
    - { name: only-listed, service: Microsoft.Storage, resources: [us-listed] }
steps: []
`;

describe('endpoint policies (R-POL)', () => {
  it('R-POL-2: a policy widens the Storage endpoint to every region: routes, private source for listed accounts, PolicyDenied for the rest', () => {
    const net = networkOf(POLICY_NET);
    const rows = (subnet: string) => net.routing.effectiveRoutesOf(subnet).filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint' && r.service === 'Microsoft.Storage');
    const app = rows('hub/app').flatMap((r) => r.addressPrefixes);
    for (const p of net.tags.get('Storage')!.v4) expect(app).toContain(p);
    expect(rows('hub/open').flatMap((r) => r.addressPrefixes)).not.toContain('52.239.4.0/23');
    const listed = send(net, 'vm1', 'us-listed');
    expect(listed.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', sourceSeenByService: '10.0.1.4', service: 'us-listed' });
    expect(listed.batch.translatedSrc[0]).toBe(0);
    expect(send(net, 'vm1', 'us-unlisted', { sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'PolicyDenied', reason: 'EndpointPolicyDenied', nextHopType: 'VirtualNetworkServiceEndpoint' });
    // An unmodelled storage address in a third region (West US) is refused too.
    expect(send(net, 'vm1', '52.239.6.9', { sourcePort: 50002 }).outcome.disposition).toBe('PolicyDenied');
    // Without a policy, region + pair only: East US goes over the Internet from the public address.
    expect(send(net, 'vm2', 'us-unlisted').outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'Internet', sourceSeenByService: '51.105.0.2' });
  });

  it('R-POL-1: a Storage policy filters Storage only: Sql and Key Vault servers and tag addresses are untouched', () => {
    const net = networkOf(POLICY_NET);
    expect(send(net, 'vm1', 'sqlwe', { port: 1433 }).outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', service: 'sqlwe' });
    expect(send(net, 'vm1', 'kv').outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', service: 'kv' });
    // Addresses of Sql.WestEurope and AzureKeyVault no resource holds: the front end answers, no policy applies.
    for (const [to, port] of [['40.68.1.77', 1433], ['13.69.112.9', 1433], ['52.236.0.99', 443], ['13.69.126.5', 443]] as const) {
      const r = send(net, 'vm1', to, { port, sourcePort: 50100 + port });
      expect(r.outcome, to).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint' });
      expect(r.trace.steps.some((s) => s.stage === 'policy'), to).toBe(false);
    }
    // A Storage address in scope that no policy lists: refused.
    expect(send(net, 'vm1', '52.239.0.9').outcome.disposition).toBe('PolicyDenied');
  });
});

describe('service side (R-SVC)', () => {
  const GLOBAL = `
name: global
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: global, prefix: 10.0.1.0/24, serviceEndpoints: [Microsoft.Storage.Global] }
        - { name: regional, prefix: 10.0.2.0/24, serviceEndpoints: [Microsoft.Storage, Microsoft.Sql] }
  vms:
    - { name: vm1, subnet: hub/global, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
  services:
    - { name: usstorage, type: Microsoft.Storage, region: eastus, address: 52.239.4.10, firewall: { defaultAction: Deny } }
    - { name: ussql, type: Microsoft.Sql, region: eastus, address: 40.68.4.10, firewall: { defaultAction: Deny } }
steps: []
`;

  it('R-SVC-2: a Microsoft.Storage.Global subnet is linked to an account in any region and reaches it through the endpoint', () => {
    const net = networkOf(GLOBAL);
    expect(send(net, 'vm1', 'usstorage').outcome).toMatchObject({ disposition: 'ServiceDenied', nextHopType: 'VirtualNetworkServiceEndpoint' });
    const r = net.addVirtualNetworkRule('usstorage', 'hub/global');
    expect(r).toMatchObject({ ok: true, error: null });
    expect(send(net, 'vm1', 'usstorage', { sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualNetworkServiceEndpoint', sourceSeenByService: '10.0.1.4' });
    expect(net.scratch.serviceVerdict[0]).toBe(ServiceVerdict.VnetRule);
    // Regional Storage: region or pair only; SQL: same region only.
    const regional = net.addVirtualNetworkRule('usstorage', 'hub/regional');
    expect(regional.error?.code).toBe('InvalidRequest');
    expect(regional.error?.message).toMatch(/R-SVC-2/);
    expect(net.addVirtualNetworkRule('ussql', 'hub/global').error?.code).toBe('InvalidRequest');
    // At load too: the model's virtualNetworkRules.
    const loaded = networkOf(GLOBAL.replace('firewall: { defaultAction: Deny } }\n    - { name: ussql', 'firewall: { defaultAction: Deny, virtualNetworkRules: [hub/global] } }\n    - { name: ussql'));
    expect(send(loaded, 'vm1', 'usstorage').outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '10.0.1.4' });
    expect(() => networkOf(GLOBAL.replace('firewall: { defaultAction: Deny } }\n    - { name: ussql', 'firewall: { defaultAction: Deny, virtualNetworkRules: [hub/regional] } }\n    - { name: ussql'))).toThrow(/R-SVC-2/);
  });

  const SAME_REGION = (mode: string) => `
name: same-region
options: { storageSameRegionSource: ${mode} }
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, routeTable: rt }
        - { name: dmz, prefix: 10.0.2.0/24 }
  routeTables:
    - name: rt
      routes:
        - { name: us-via-fw, prefix: 52.239.6.0/23, nextHopType: VirtualAppliance, nextHopIp: 10.0.2.4 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.2.4, ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 } }
  services:
    - { name: westorage, type: Microsoft.Storage, region: westeurope, address: 52.239.1.10, firewall: { defaultAction: Deny, ipRules: [51.105.0.1] } }
    - { name: usstorage, type: Microsoft.Storage, region: eastus, address: 52.239.4.10, firewall: { defaultAction: Deny, ipRules: [51.105.0.1] } }
    - { name: wustorage, type: Microsoft.Storage, region: westus, address: 52.239.6.10, firewall: { defaultAction: Deny, ipRules: [51.105.0.9] } }
    - { name: wesql, type: Microsoft.Sql, region: westeurope, address: 40.68.0.10, firewall: { defaultAction: Deny, ipRules: [51.105.0.1] } }
steps: []
`;

  it('R-SVC-4: storageSameRegionSource public (default) lets an IP rule admit a same-region VM; azureInternal never does', () => {
    const pub = networkOf(SAME_REGION('public'));
    const a = send(pub, 'vm1', 'westorage');
    expect(a.outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '51.105.0.1' });
    expect(a.trace.steps.find((s) => s.stage === 'service')!.text).toMatch(/R-SVC-4: same-region request, storageSameRegionSource public\)/);
    // The default is the seed's reading.
    const dflt = networkOf(SAME_REGION('public').replace('options: { storageSameRegionSource: public }\n', ''));
    expect(dflt.tables.storageSameRegionSource).toBe('public');
    expect(send(dflt, 'vm1', 'westorage').outcome.disposition).toBe('Delivered');

    const internal = networkOf(SAME_REGION('azureInternal'));
    const b = send(internal, 'vm1', 'westorage');
    expect(b.outcome).toMatchObject({ disposition: 'ServiceDenied', reason: 'ServiceFirewallDenied', serviceError: '403 AuthorizationFailure' });
    expect(internal.scratch.serviceVerdict[0]).toBe(ServiceVerdict.DeniedInternal);
    expect(b.trace.steps.find((s) => s.stage === 'service')!.text).toMatch(/Azure-internal address.*storageSameRegionSource azureInternal, R-SVC-4/);
    // Another region: the IP rule still admits the public address (directly, or the appliance's).
    expect(send(internal, 'vm1', 'usstorage', { sourcePort: 50001 }).outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '51.105.0.1' });
    expect(send(internal, 'vm1', 'wustorage', { sourcePort: 50002 }).outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualAppliance', sourceSeenByService: '51.105.0.9' });
    // Not Storage: SQL IP rules are untouched by the option.
    expect(send(internal, 'vm1', 'wesql', { port: 1433 }).outcome.disposition).toBe('Delivered');
    // Only a VNet rule admits it, once the endpoint exists.
    expect(internal.enableServiceEndpoint('hub/app', 'Microsoft.Storage').ok).toBe(true);
    expect(internal.addVirtualNetworkRule('westorage', 'hub/app').ok).toBe(true);
    expect(send(internal, 'vm1', 'westorage', { sourcePort: 50003 }).outcome).toMatchObject({ disposition: 'Delivered', sourceSeenByService: '10.0.1.4' });
  });
});

describe('source translation (R-SNAT), issue 10', () => {
  it('R-SNAT-1: every public IP of a NAT gateway contributes its ports (2 x 50 of 120 new flows leave), shared by its subnets', () => {
    const net = networkOf(`
name: nat
options: { snatPortsPerIp: 50 }
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: a, prefix: 10.0.1.0/24, natGateway: { publicIps: [51.105.1.1, 51.105.1.2] } }
        - { name: b, prefix: 10.0.2.0/24, natGateway: { publicIps: [51.105.1.1, 51.105.1.2] } }
  vms:
    - { name: vm1, subnet: hub/a, privateIp: 10.0.1.4 }
    - { name: vm2, subnet: hub/b, privateIp: 10.0.2.4 }
steps: []
`);
    const pool = net.tables.subnetSnatPool[0]!;
    expect(net.tables.subnetSnatPool[1]).toBe(pool); // one gateway, one pool
    expect(net.tables.snatPools[pool]!.ips).toHaveLength(2);
    const b = net.newBatch(120);
    for (let k = 0; k < 120; k++) pushPacket(net, b, k < 60 ? 'vm1' : 'vm2', `8.8.${k >> 8}.${k & 255}`, { proto: 'Udp', sourcePort: 40000 + k });
    net.process(b);
    const seen = new Map<string, number>();
    let left = 0, exhausted = 0;
    for (let i = 0; i < b.count; i++) {
      const d = DISPOSITION_NAMES[b.disposition[i]!];
      if (d === 'ExitsNetwork') {
        left++;
        const ip = formatIpv4(b.translatedSrc[i]!);
        seen.set(ip, (seen.get(ip) ?? 0) + 1);
      } else if (d === 'SnatExhausted') exhausted++;
    }
    expect([left, exhausted]).toEqual([100, 20]);
    expect(Object.fromEntries(seen)).toEqual({ '51.105.1.1': 50, '51.105.1.2': 50 });
    expect(net.snat.used[pool]).toBe(100);
    expect(net.counters.snatPortsTaken).toBe(100);
    // Ports come back to the address they belong to: after expiry, the full 100 again.
    net.flows.expire(1e9);
    expect(net.snat.used[pool]).toBe(0);
    expect(net.snat.free(pool)).toBe(100);
  });

  const GATEWAY = `
name: gw
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      gateway: { onPremPrefixes: [192.168.0.0/16, 93.184.0.0/16], natIps: [203.0.113.10] }
      subnets:
        - { name: app, prefix: 10.0.1.0/24, routeTable: forced }
        - { name: dmz, prefix: 10.0.2.0/24 }
        - { name: nva, prefix: 10.0.3.0/24, routeTable: via-onprem-fw }
  routeTables:
    - name: forced
      routes:
        - { name: to-onprem, prefix: 0.0.0.0/0, nextHopType: VirtualNetworkGateway }
    - name: via-onprem-fw
      routes:
        - { name: to-fw, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.2.4 }
  vms:
    - { name: vm2, subnet: hub/app, privateIp: 10.0.1.5, publicIp: 51.105.0.2 }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.2.4, ipForwarding: true, appliance: { egress: OnPrem } }
    - { name: vm3, subnet: hub/nva, privateIp: 10.0.3.4 }
steps: []
`;

  it('R-SNAT-3: a gateway prefix or a private range through the gateway is delivered on-premises untranslated; public destinations leave from the NAT', () => {
    const net = networkOf(GATEWAY);
    for (const to of ['192.168.20.5', '172.20.1.1', '10.200.0.1', '100.64.0.9', '93.184.216.34']) {
      const r = send(net, 'vm2', to);
      expect(r.outcome, to).toMatchObject({ disposition: 'ExitsNetwork', nextHopType: 'VirtualNetworkGateway', sourceSeen: '10.0.1.5' });
      expect(r.batch.translatedSrc[0], to).toBe(0);
      expect(r.trace.steps.some((s) => s.stage === 'translation'), to).toBe(false);
      expect(r.trace.steps.at(-1)!.text, to).toBe('delivered on-premises via the gateway, untranslated (R-SNAT-3); source seen by the destination 10.0.1.5');
    }
    const pub = send(net, 'vm2', '8.8.8.8');
    expect(pub.outcome).toMatchObject({ disposition: 'ExitsNetwork', sourceSeen: '203.0.113.10' });
    expect(pub.trace.steps.at(-1)!.text).toMatch(/leaves to the Internet from the on-premises NAT address/);
    // An appliance whose egress is on-premises: the same rule (172.20/12 is covered by the 0.0.0.0/0 UDR only).
    const nva = send(net, 'vm3', '172.20.1.1');
    expect(nva.outcome).toMatchObject({ disposition: 'ExitsNetwork', nextHopType: 'VirtualAppliance', sourceSeen: '10.0.3.4' });
    expect(nva.trace.steps.at(-1)!.text).toBe('delivered on-premises via the gateway, untranslated (R-SNAT-3); source seen by the destination 10.0.3.4');
    expect(send(net, 'vm3', '8.8.4.4').outcome.sourceSeen).toBe('203.0.113.10');
  });
});
