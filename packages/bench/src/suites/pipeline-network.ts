// The network the pipeline benchmarks run: two peered VNets, four subnets, eight VMs (one an appliance), three NSGs
// with 26 rules (service tags, lists, ranges), a UDR table (appliance + null route), Storage and Sql endpoints on one
// subnet, a NAT gateway, a storage account locked down by its firewall. Sample service tags (builtin), so it runs
// without the data folder.
import { Network, TrafficGenerator } from '@vnetsim/dataplane';
import { parseScenario } from '@vnetsim/scenario';
import type { NetworkOptions, PacketBatch, TrafficSpec } from '@vnetsim/dataplane';
import type { Scenario } from '@vnetsim/scenario';

export const BENCH_SCENARIO = `
name: bench-pipeline
serviceTags: builtin
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      peerings: [spoke]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, routeTable: app-rt }
        - { name: data, prefix: 10.0.2.0/24, nsg: data-nsg, serviceEndpoints: [Microsoft.Storage, Microsoft.Sql] }
        - { name: dmz, prefix: 10.0.3.0/24 }
    - name: spoke
      region: westeurope
      addressSpace: [10.1.0.0/16]
      subnets:
        - { name: web, prefix: 10.1.1.0/24, nsg: web-nsg, natGateway: { publicIps: [20.50.0.1] } }
  nsgs:
    - name: app-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: Tcp, source: VirtualNetwork, sourcePorts: '*', destination: Storage.WestEurope, destinationPorts: '443' }
        - { name: allow-sql, priority: 110, direction: Outbound, access: Allow, protocol: Tcp, source: VirtualNetwork, sourcePorts: '*', destination: Sql.WestEurope, destinationPorts: '1433' }
        - { name: deny-keyvault, priority: 120, direction: Outbound, access: Deny, protocol: '*', source: '*', sourcePorts: '*', destination: AzureKeyVault, destinationPorts: '*' }
        - { name: deny-cosmos, priority: 130, direction: Outbound, access: Deny, protocol: '*', source: '*', sourcePorts: '*', destination: AzureCosmosDB, destinationPorts: '*' }
        - { name: deny-smtp, priority: 140, direction: Outbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: '*', destinationPorts: '25' }
        - { name: allow-dns, priority: 150, direction: Outbound, access: Allow, protocol: Udp, source: '*', sourcePorts: '*', destination: [8.8.8.8, 8.8.4.4, 1.1.1.1], destinationPorts: '53' }
        - { name: deny-blocked, priority: 160, direction: Outbound, access: Deny, protocol: '*', source: '*', sourcePorts: '*', destination: [203.0.113.0/24, 192.0.2.0/24], destinationPorts: '*' }
        - { name: allow-web, priority: 170, direction: Outbound, access: Allow, protocol: Tcp, source: VirtualNetwork, sourcePorts: '*', destination: Internet, destinationPorts: '80,443,8000-8999' }
        - { name: allow-vnet, priority: 180, direction: Outbound, access: Allow, protocol: '*', source: VirtualNetwork, sourcePorts: '*', destination: VirtualNetwork, destinationPorts: '*' }
        - { name: allow-icmp, priority: 190, direction: Outbound, access: Allow, protocol: Icmp, source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*' }
        - { name: deny-internet, priority: 4000, direction: Outbound, access: Deny, protocol: '*', source: '*', sourcePorts: '*', destination: Internet, destinationPorts: '*' }
        - { name: allow-ssh-dmz, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: 10.0.3.0/24, sourcePorts: '*', destination: '*', destinationPorts: '22' }
        - { name: deny-rdp, priority: 110, direction: Inbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: '*', destinationPorts: '3389' }
        - { name: allow-https, priority: 120, direction: Inbound, access: Allow, protocol: Tcp, source: VirtualNetwork, sourcePorts: '*', destination: '*', destinationPorts: '443' }
        - { name: allow-lb, priority: 130, direction: Inbound, access: Allow, protocol: '*', source: AzureLoadBalancer, sourcePorts: '*', destination: '*', destinationPorts: '*' }
        - { name: deny-in, priority: 4000, direction: Inbound, access: Deny, protocol: '*', source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*' }
    - name: data-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: '*', source: '*', sourcePorts: '*', destination: Storage, destinationPorts: '443' }
        - { name: allow-sql, priority: 110, direction: Outbound, access: Allow, protocol: Tcp, source: '*', sourcePorts: '*', destination: Sql, destinationPorts: '1433-1434' }
        - { name: deny-internet, priority: 200, direction: Outbound, access: Deny, protocol: '*', source: '*', sourcePorts: '*', destination: Internet, destinationPorts: '*' }
        - { name: allow-app, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: 10.0.1.0/24, sourcePorts: '*', destination: '*', destinationPorts: '443,1433,5432' }
        - { name: deny-vnet, priority: 300, direction: Inbound, access: Deny, protocol: '*', source: VirtualNetwork, sourcePorts: '*', destination: '*', destinationPorts: '*' }
    - name: web-nsg
      rules:
        - { name: allow-https-in, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: '*', sourcePorts: '*', destination: '*', destinationPorts: '80,443' }
        - { name: deny-ssh, priority: 110, direction: Inbound, access: Deny, protocol: Tcp, source: Internet, sourcePorts: '*', destination: '*', destinationPorts: '22' }
        - { name: deny-sql-out, priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: Sql, destinationPorts: '*' }
        - { name: allow-out, priority: 200, direction: Outbound, access: Allow, protocol: '*', source: '*', sourcePorts: '*', destination: '*', destinationPorts: '*' }
  routeTables:
    - name: app-rt
      routes:
        - { name: via-nva, prefix: 93.184.0.0/16, nextHopType: VirtualAppliance, nextHopIp: 10.0.3.4 }
        - { name: blackhole, prefix: 198.51.100.0/24, nextHopType: None }
  vms:
    - { name: app1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
    - { name: app2, subnet: hub/app, privateIp: 10.0.1.5, publicIp: 51.105.0.2 }
    - { name: app3, subnet: hub/app, privateIp: 10.0.1.6, publicIp: 51.105.0.3 }
    - { name: app4, subnet: hub/app, privateIp: 10.0.1.7, publicIp: 51.105.0.4 }
    - { name: db1, subnet: hub/data, privateIp: 10.0.2.4 }
    - { name: db2, subnet: hub/data, privateIp: 10.0.2.5 }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.3.4, ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 } }
    - { name: web1, subnet: spoke/web, privateIp: 10.1.1.4 }
  services:
    - name: benchstore
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.1.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/data], ipRules: [51.105.0.0/30, 20.50.0.1] }
    - { name: benchsql, type: Microsoft.Sql, region: westeurope, address: 40.68.0.10 }
steps: []
`;

export function benchScenario(): Scenario {
  return parseScenario(BENCH_SCENARIO, 'bench.yaml');
}

export function benchNetwork(opts: NetworkOptions = {}): Network {
  const s = benchScenario();
  return new Network(s.network, s.serviceTags, s.options, opts);
}

/** Sources: every VM but the appliance, ingress = VM index. */
const SOURCES = ['10.0.1.4', '10.0.1.5', '10.0.1.6', '10.0.1.7', '10.0.2.4', '10.0.2.5', '10.1.1.4'];
const SOURCE_VMS = [0, 1, 2, 3, 4, 5, 7];
/**
 * Destinations (uniform over their union): the storage account and its front ends, Sql, Key Vault (denied), VMs of
 * both VNets, Internet hosts (SNAT), hosts behind the appliance UDR, a null route, a denied block.
 */
const DESTINATIONS = [
  '52.239.1.10', '52.239.1.10', '52.239.0.0/30', '40.68.0.10', '52.236.0.0/30', '10.0.1.4', '10.0.2.4', '10.0.2.5',
  '10.1.1.4', '8.8.8.0/29', '93.184.216.0/30', '198.51.100.0/30', '203.0.113.0/31',
];

/** The mixed stream: TCP (443, 1433, 80), UDP 53, ICMP, from every VM to every kind of destination. */
export function mixedTraffic(seed: number, flows: number, packetsPerFlow: number): TrafficSpec {
  return {
    seed, flows, packetsPerFlow, sources: SOURCES, ingress: SOURCE_VMS, destinations: DESTINATIONS,
    protocol: { tcp: 0.8, udp: 0.15, icmp: 0.05 }, dstPorts: [443, 443, 443, 1433, 80, 53],
    concurrentFlows: Math.min(flows, 4096),
  };
}

/** Fills as many batches of `capacity` as the stream needs (pre-generated once, reused by every timed run). */
export function pregenerate(spec: TrafficSpec, capacity: number, make: (capacity: number) => PacketBatch): PacketBatch[] {
  const gen = new TrafficGenerator(spec);
  const out: PacketBatch[] = [];
  for (;;) {
    const b = make(capacity);
    if (gen.fill(b) === 0) break;
    out.push(b);
  }
  return out;
}
