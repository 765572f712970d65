// A small network for the robustness tests (issue 7): two VNets, NSGs, a route table, a NAT gateway, services with
// firewalls, principals with and without permissions. Edge code for tests only.
import { parseScenario, type Scenario } from '@vnetsim/scenario';
import { Network, type NetworkOptions } from '../network.js';

export const WORLD = `name: robustness-world
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      peerings: [spoke]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, routeTable: rt }
        - { name: nat, prefix: 10.0.3.0/24, natGateway: { publicIps: [20.50.0.1] } }
        - { name: dmz, prefix: 10.0.2.0/24 }
    - name: spoke
      region: westeurope
      addressSpace: [10.1.0.0/16]
      subnets:
        - { name: web, prefix: 10.1.0.0/24, serviceEndpoints: [Microsoft.Sql] }
  nsgs:
    - name: app-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: '*',
            source: VirtualNetwork, destination: Storage.WestEurope, destinationPorts: '443' }
        - { name: deny-dns, priority: 200, direction: Outbound, access: Deny, protocol: Udp,
            source: '*', destination: '*', destinationPorts: '53' }
  routeTables:
    - name: rt
      routes:
        - { name: blackhole, prefix: 203.0.113.0/24, nextHopType: None }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 52.10.0.1 }
    - { name: vm2, subnet: hub/nat, privateIp: 10.0.3.4 }
    - { name: vm3, subnet: spoke/web, privateIp: 10.1.0.4 }
  services:
    - name: mystorage
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.0.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/app], ipRules: [52.10.0.1] }
    - name: mysql
      type: Microsoft.Sql
      region: westeurope
      address: 40.68.0.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [spoke/web] }
  principals:
    - { name: reader, permissions: [] }
    - { name: netadmin, permissions: ['Microsoft.Network/*'] }
steps: []
`;

export function worldScenario(text = WORLD): Scenario {
  return parseScenario(text, 'world.yaml');
}

export function worldNetwork(opts: NetworkOptions = {}, text = WORLD): Network {
  const s = worldScenario(text);
  return new Network(s.network, s.serviceTags, s.options, opts);
}
