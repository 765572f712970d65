// The NSG stages in the pipeline: stateful flows across route changes (R-NSG-5), the level that decides (R-NSG-4),
// VirtualNetwork widened by UDR prefixes (R-NSG-6), and where a packet arrives with which source.
import { describe, expect, it } from 'vitest';
import { connect, data, networkOf, send } from '../testing/fixtures.js';

const NET = `
name: nsg-stages
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, routeTable: app-rt }
        - { name: db, prefix: 10.0.2.0/24, nsg: db-nsg }
  nsgs:
    - name: app-nsg
      rules:
        - { name: deny-vnet-in, priority: 100, direction: Inbound, access: Deny, protocol: '*', source: VirtualNetwork, destination: '*', destinationPorts: '*' }
        - { name: subnet-deny-out, priority: 100, direction: Outbound, access: Deny, protocol: '*', source: '*', destination: 10.0.2.4, destinationPorts: '1435' }
        - { name: subnet-deny-web, priority: 110, direction: Outbound, access: Deny, protocol: '*', source: '*', destination: 8.8.8.8, destinationPorts: '*' }
    - name: nic-nsg
      rules:
        - { name: nic-deny-web, priority: 100, direction: Outbound, access: Deny, protocol: '*', source: '*', destination: 8.8.8.8, destinationPorts: '*' }
        - { name: nic-deny-in, priority: 100, direction: Inbound, access: Deny, protocol: '*', source: 10.0.2.4, destination: '*', destinationPorts: '22' }
    - name: db-nsg
      rules:
        - { name: allow-sql-from-app, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: 10.0.1.0/24, destination: '*', destinationPorts: '1433' }
        - { name: subnet-deny-in, priority: 110, direction: Inbound, access: Deny, protocol: '*', source: 10.0.1.4, destination: '*', destinationPorts: '22' }
        - { name: deny-vnet-in, priority: 200, direction: Inbound, access: Deny, protocol: '*', source: VirtualNetwork, destination: '*', destinationPorts: '*' }
  routeTables:
    - name: app-rt
      routes:
        - { name: web, prefix: 52.0.0.0/8, nextHopType: Internet }
  vms:
    - { name: app1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1, nsg: nic-nsg }
    - { name: db1, subnet: hub/db, privateIp: 10.0.2.4, nsg: nic-nsg }
steps: []
`;

describe('R-NSG-5: a route change recomputes forwarding, never the NSG verdict', () => {
  it('R-NSG-5: after the allowing rule is removed and a route of the subnet changes, the flow passes both ways', () => {
    const net = networkOf(NET);
    const c = connect(net, 'app1', 'db1', { port: 1433, sourcePort: 41000 });
    expect(c.trace.steps.some((s) => s.rule === 'securityRules/allow-sql-from-app')).toBe(true);
    expect(c.outcome.disposition).toBe('Delivered');
    expect(net.removeRule('db-nsg', 'allow-sql-from-app').ok).toBe(true);
    expect(data(net, 'app1', 'db1', { port: 1433, sourcePort: 41000 }).outcome.disposition).toBe('Delivered');
    const r = net.setRoute('app-rt', { name: 'web', prefix: '52.0.0.0/8', nextHopType: 'None' });
    expect(r).toMatchObject({ ok: true, changedSubnets: ['hub/app'] });
    const fwd = data(net, 'app1', 'db1', { port: 1433, sourcePort: 41000 });
    expect(fwd.outcome).toMatchObject({ disposition: 'Delivered', nextHopType: 'VnetLocal', sourceSeenByDestination: '10.0.1.4' });
    expect(fwd.trace.steps.filter((s) => s.stage === 'nsg')).toEqual([]);
    expect(data(net, 'app1', 'db1', { port: 1433, sourcePort: 41000, reverse: true }).outcome.disposition).toBe('Delivered');
    expect(net.removeRoute('app-rt', 'web').ok).toBe(true);
    // The reply comes first after this change: it too is forwarded again without evaluation (app-nsg denies VNet inbound).
    expect(data(net, 'app1', 'db1', { port: 1433, sourcePort: 41000, reverse: true }).outcome.disposition).toBe('Delivered');
    expect(data(net, 'app1', 'db1', { port: 1433, sourcePort: 41000 }).outcome.disposition).toBe('Delivered');
    // A new connection meets the rules of now.
    expect(connect(net, 'app1', 'db1', { port: 1433, sourcePort: 41001 }).outcome).toMatchObject({ disposition: 'DeniedIn', rule: 'securityRules/deny-vnet-in' });
  });

  it('R-NSG-5: a flow the NSG denied stays denied after a route change of its subnet', () => {
    const net = networkOf(NET);
    expect(send(net, 'app1', 'db1', { port: 1435, sourcePort: 42000 }).outcome).toMatchObject({ disposition: 'DeniedOut', rule: 'securityRules/subnet-deny-out' });
    expect(net.setRoute('app-rt', { name: 'other', prefix: '53.0.0.0/8', nextHopType: 'None' }).ok).toBe(true);
    expect(data(net, 'app1', 'db1', { port: 1435, sourcePort: 42000 }).outcome.disposition).toBe('DeniedOut');
  });
});

describe('R-NSG-4: the level that decides in the pipeline and the trace', () => {
  it('R-NSG-4: outbound, NIC and subnet both deny: the NIC rule decides and the trace shows only it', () => {
    const net = networkOf(NET);
    const s = send(net, 'app1', '8.8.8.8', { port: 443 });
    expect(s.outcome).toMatchObject({ disposition: 'DeniedOut', rule: 'securityRules/nic-deny-web', sourceSeenByDestination: null });
    const nsg = s.trace.steps.filter((x) => x.stage === 'nsg');
    expect(nsg.map((x) => [x.level, x.nsg, x.rule, x.access])).toEqual([['nic', 'nic-nsg', 'securityRules/nic-deny-web', 'Deny']]);
    expect(net.nsgs.ipFlowVerify('app1', 'Outbound', 'Tcp', '10.0.1.4:40000', '8.8.8.8:443').ruleName).toBe('securityRules/nic-deny-web');
  });

  it('R-NSG-4: inbound, subnet and NIC both deny: the subnet rule decides and the trace shows only it', () => {
    const net = networkOf(NET);
    const s = send(net, 'app1', 'db1', { port: 22 });
    expect(s.outcome).toMatchObject({ disposition: 'DeniedIn', rule: 'securityRules/subnet-deny-in' });
    const nsg = s.trace.steps.filter((x) => x.stage === 'nsg' && x.access === 'Deny');
    expect(nsg.map((x) => [x.level, x.nsg, x.rule])).toEqual([['subnet', 'db-nsg', 'securityRules/subnet-deny-in']]);
    expect(net.nsgs.ipFlowVerify('db1', 'Inbound', 'Tcp', '10.0.2.4:22', '10.0.1.4:40000').ruleName).toBe('securityRules/subnet-deny-in');
  });

  it('R-NSG-4: when every level allows, the trace lists outbound NIC then subnet, inbound subnet then NIC', () => {
    const net = networkOf(NET);
    const s = send(net, 'app1', 'db1', { port: 1433 });
    expect(s.outcome.disposition).toBe('Delivered');
    expect(s.trace.steps.filter((x) => x.stage === 'nsg').map((x) => `${x.text.split(' ')[0]} ${x.level}`)).toEqual([
      'outbound nic', 'outbound subnet', 'inbound subnet', 'inbound nic',
    ]);
    // The last Allow evaluated names the verdict: the inbound NIC's.
    expect(s.outcome.rule).toBe('defaultSecurityRules/AllowVnetInBound');
  });
});

describe('R-NSG-6: a route change recompiles the VirtualNetwork the pipeline matches', () => {
  it('R-NSG-6: an Internet host inside a new UDR prefix meets AllowVnetInBound in the pipeline; removing the route denies it again', () => {
    const net = networkOf(NET.replace('deny-vnet-in, priority: 100, direction: Inbound, access: Deny, protocol: \'*\', source: VirtualNetwork', 'deny-ssh-in, priority: 100, direction: Inbound, access: Deny, protocol: \'*\', source: 10.0.2.0/24'));
    const knock = (port: number) => send(net, '198.51.100.7', '51.105.0.1', { port, sourcePort: 50000 + port }).outcome;
    expect(knock(8080)).toMatchObject({ disposition: 'DeniedIn', rule: 'defaultSecurityRules/DenyAllInBound' });
    expect(net.setRoute('app-rt', { name: 'partner', prefix: '198.51.100.0/24', nextHopType: 'None' }).ok).toBe(true);
    expect(knock(8081)).toMatchObject({ disposition: 'Delivered', deliveredTo: 'app1' });
    expect(net.nsgs.ipFlowVerify('app1', 'Inbound', 'Tcp', '10.0.1.4:8081', '198.51.100.7:5000').ruleName).toBe('defaultSecurityRules/AllowVnetInBound');
    expect(net.removeRoute('app-rt', 'partner').ok).toBe(true);
    expect(knock(8082)).toMatchObject({ disposition: 'DeniedIn', rule: 'defaultSecurityRules/DenyAllInBound' });
  });
});

describe('sourceSeenByDestination', () => {
  it('the source a packet carries where it arrives: private inside the VNet, the public IP on the Internet, none when dropped', () => {
    const net = networkOf(NET);
    const t = send(net, 'app1', '52.1.2.3', { port: 443 });
    expect(t.outcome).toMatchObject({ disposition: 'ExitsNetwork', sourceSeenByDestination: '51.105.0.1' });
    expect(t.trace.steps.at(-1)!.text).toMatch(/source seen by the destination 51\.105\.0\.1/);
    expect(send(net, 'app1', 'db1', { port: 1433, sourcePort: 43000 }).outcome.sourceSeenByDestination).toBe('10.0.1.4');
    expect(send(net, 'app1', 'db1', { port: 1436, sourcePort: 43001 }).outcome).toMatchObject({ disposition: 'DeniedIn', sourceSeenByDestination: null });
  });
});
