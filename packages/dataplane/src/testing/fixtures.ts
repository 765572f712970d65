// Test fixtures of the pipeline tests: a network from scenario text, and one packet or one TCP connection through it
// with its outcome and trace. Edge code (strings, objects): never on a fast path.
import type { Logger } from 'pino';
import { Network, type NetworkOptions } from '../network.js';
import { PacketBatch, TcpFlag } from '../packet/batch.js';
// Test-only: the pipeline tests build their networks from scenario text and push packets with the scenario driver.
import { parseScenario, pushPacketBetween, type Scenario } from '@vnetsim/scenario';
import { outcomeOf, traceOf, type PacketOutcome, type Trace } from '../explain/trace.js';

/** A scenario from YAML text (strict loading, like a file). */
export function scenario(yaml: string): Scenario {
  return parseScenario(yaml, 'inline.yaml');
}

/** A Network over a scenario's network, tags and options. */
export function networkOf(yaml: string, opts: NetworkOptions & { logger?: Logger } = {}): Network {
  const s = scenario(yaml);
  return new Network(s.network, s.serviceTags, s.options, { snatPortsPerIp: s.options.snatPortsPerIp, ...opts });
}

export interface PacketArgs {
  proto?: 'Tcp' | 'Udp' | 'Icmp';
  port?: number;
  sourcePort?: number;
  flags?: number;
  /** Reply direction: the packet goes from `to` back to `from` (same 5-tuple reversed). */
  reverse?: boolean;
  time?: number;
}

export interface Sent {
  outcome: PacketOutcome;
  trace: Trace;
  batch: PacketBatch;
}

let clock = 0;

/** Appends one packet from `from` (VM, subnet, on-premises name, or Internet address) to `to` to batch b. */
export function pushPacket(net: Network, b: PacketBatch, from: string, to: string, a: PacketArgs = {}): number {
  const { proto, ...rest } = a;
  return pushPacketBetween(net, b, from, to, { ...rest, protocol: proto ?? 'Tcp', time: a.time ?? (clock += 0.001) });
}

/** One packet through the network (recorded unless dryRun): its outcome and trace. */
export function send(net: Network, from: string, to: string, a: PacketArgs = {}, dryRun = false): Sent {
  const b = net.newBatch(1);
  pushPacket(net, b, from, to, a);
  net.process(b, dryRun);
  return { outcome: outcomeOf(net.tables, net.scratch, b, 0), trace: traceOf(net.tables, net.scratch, b, 0), batch: b };
}

/** A TCP connection: SYN, SYN|ACK, ACK as separate batches; the SYN's outcome and the flow id. */
export function connect(net: Network, from: string, to: string, a: PacketArgs = {}): Sent & { flowId: number } {
  const syn = send(net, from, to, { ...a, proto: 'Tcp', flags: TcpFlag.SYN });
  send(net, from, to, { ...a, proto: 'Tcp', flags: TcpFlag.SYN | TcpFlag.ACK, reverse: true });
  send(net, from, to, { ...a, proto: 'Tcp', flags: TcpFlag.ACK });
  return { ...syn, flowId: syn.batch.flowId[0]! };
}

/** A data packet on an open connection (either direction). */
export function data(net: Network, from: string, to: string, a: PacketArgs = {}): Sent {
  return send(net, from, to, { ...a, proto: a.proto ?? 'Tcp', flags: a.flags ?? TcpFlag.PSH | TcpFlag.ACK });
}

/**
 * A network where every disposition can happen: subnets with an NSG, a NAT gateway, forced tunnels to an appliance and
 * to the gateway, a null route, an appliance that drops, endpoint policies; services with firewalls; an on-premises site.
 */
export const WORLD = `
name: world
network:
  vnets:
    - name: hub
      region: westeurope
      subscription: sub-a
      tenant: contoso
      addressSpace: [10.0.0.0/16]
      peerings: [other]
      gateway: { onPremPrefixes: [192.168.0.0/16], natIps: [203.0.113.10, 203.0.113.11] }
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg }
        - { name: data, prefix: 10.0.2.0/24, nsg: data-nsg }
        - { name: web, prefix: 10.0.3.0/24, natGateway: { publicIps: [20.50.0.1] } }
        - { name: dmz, prefix: 10.0.4.0/24 }
        - { name: forced, prefix: 10.0.5.0/24, routeTable: to-nva }
        - { name: tunnel, prefix: 10.0.6.0/24, routeTable: to-gw }
        - { name: sinks, prefix: 10.0.7.0/24, routeTable: sinks }
        - { name: pol, prefix: 10.0.8.0/24, serviceEndpoints: [Microsoft.Storage], endpointPolicies: [only-st-open] }
    - name: other
      region: westeurope
      subscription: sub-b
      tenant: contoso
      addressSpace: [10.1.0.0/16]
      subnets:
        - { name: s1, prefix: 10.1.1.0/24 }
    - name: foreign
      region: westeurope
      subscription: sub-x
      tenant: fabrikam
      addressSpace: [10.2.0.0/16]
      subnets:
        - { name: s1, prefix: 10.2.1.0/24 }
  nsgs:
    - name: app-nsg
      rules:
        - { name: deny-dns, priority: 100, direction: Outbound, access: Deny, protocol: Udp,
            source: '*', sourcePorts: '*', destination: '*', destinationPorts: '53' }
        - { name: deny-from-data, priority: 100, direction: Inbound, access: Deny, protocol: '*',
            source: 10.0.2.0/24, sourcePorts: '*', destination: '*', destinationPorts: '*' }
    - name: data-nsg
      rules:
        - { name: deny-ssh-from-app, priority: 100, direction: Inbound, access: Deny, protocol: Tcp,
            source: 10.0.1.0/24, sourcePorts: '*', destination: '*', destinationPorts: '22' }
  routeTables:
    - name: to-nva
      routes: [{ name: default-nva, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.4.4 }]
    - name: to-gw
      routes: [{ name: default-gw, prefix: 0.0.0.0/0, nextHopType: VirtualNetworkGateway }]
    - name: sinks
      routes:
        - { name: blackhole, prefix: 192.0.2.0/24, nextHopType: None }
        - { name: via-dropper, prefix: 198.51.100.0/24, nextHopType: VirtualAppliance, nextHopIp: 10.0.4.5 }
        - { name: via-onprem-nva, prefix: 8.8.4.0/24, nextHopType: VirtualAppliance, nextHopIp: 10.0.4.6 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
    - { name: vm2, subnet: hub/data, privateIp: 10.0.2.4 }
    - { name: vm3, subnet: hub/web, privateIp: 10.0.3.4 }
    - { name: vm4, subnet: hub/web, privateIp: 10.0.3.5, publicIp: 51.105.0.4 }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.4.4, ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 } }
    - { name: dropper, subnet: hub/dmz, privateIp: 10.0.4.5, ipForwarding: true, appliance: { egress: Drop } }
    - { name: fw-onprem, subnet: hub/dmz, privateIp: 10.0.4.6, ipForwarding: true, appliance: { egress: OnPrem } }
    - { name: vm5, subnet: hub/forced, privateIp: 10.0.5.4 }
    - { name: vm6, subnet: hub/tunnel, privateIp: 10.0.6.4 }
    - { name: vm7, subnet: hub/sinks, privateIp: 10.0.7.4 }
    - { name: vm8, subnet: hub/pol, privateIp: 10.0.8.4 }
    - { name: vm9, subnet: other/s1, privateIp: 10.1.1.4 }
  services:
    - name: st-we
      type: Microsoft.Storage
      region: westeurope
      subscription: sub-a
      tenant: contoso
      address: 52.239.1.10
      hostname: stwe.blob.core.windows.net
      firewall: { defaultAction: Deny, virtualNetworkRules: [], ipRules: [51.105.0.1] }
    - { name: st-open, type: Microsoft.Storage, region: westeurope, subscription: sub-a, tenant: contoso, address: 52.239.0.20 }
    - { name: st-ne, type: Microsoft.Storage, region: northeurope, subscription: sub-a, tenant: contoso, address: 52.239.2.10 }
    - { name: st-eus, type: Microsoft.Storage, region: eastus, subscription: sub-a, tenant: contoso, address: 52.239.4.10 }
    - { name: sql-eus, type: Microsoft.Sql, region: eastus, subscription: sub-a, tenant: contoso, address: 40.68.4.10 }
    - name: sql-we
      type: Microsoft.Sql
      region: westeurope
      subscription: sub-a
      tenant: contoso
      address: 40.68.0.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [], ipRules: [] }
  endpointPolicies:
    - { name: only-st-open, service: Microsoft.Storage, resources: [st-open] }
  onPrem:
    - { name: branch, prefix: 192.168.10.0/24, via: hub }
  principals:
    - { name: netadmin, permissions: [Microsoft.Network/virtualNetworks/subnets/write] }
    - { name: joiner, permissions: [Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action] }
    - { name: netowner, permissions: ['Microsoft.Network/*'] }
    - { name: reader, permissions: [] }
steps: []
`;

/** Packets of WORLD that together end in every disposition but FlowReset (which needs a toggle first). */
export const MIXED_CASES: ReadonlyArray<[from: string, to: string, args: PacketArgs]> = [
  ['vm1', 'vm2', {}], // Delivered
  ['vm1', 'vm2', { port: 22 }], // DeniedIn
  ['vm1', '8.8.8.8', { proto: 'Udp', port: 53 }], // DeniedOut
  ['vm1', '8.8.8.8', {}], // ExitsNetwork
  ['vm7', '192.0.2.1', {}], // NullRouted
  ['vm1', '10.0.9.9', {}], // NoRoute
  ['vm2', 'st-we', {}], // ServiceDenied
  ['vm8', 'st-we', {}], // PolicyDenied
  ['vm2', '8.8.4.4', {}], // SnatExhausted once the default outbound pool is used up
  ['vm7', '198.51.100.1', {}], // ApplianceDropped
  ['vm5', '8.8.8.8', {}],
  ['vm6', 'st-open', {}],
  ['branch', 'st-we', {}],
  ['8.8.8.8', '51.105.0.1', {}],
  ['vm8', 'st-open', {}],
  ['vm3', 'st-we', { port: 8443 }],
  ['vm1', 'vm9', { proto: 'Udp', port: 5000 }],
  ['vm7', '8.8.4.4', { proto: 'Icmp' }],
  ['vm1', 'sql-we', { port: 1433 }],
];

/**
 * Appends `copies` flows of every MIXED_CASES entry to b, interleaved: first packets of all flows, then the replies,
 * then the third packets (TCP: SYN, SYN|ACK, ACK; others: request, reply, request). Source ports from `port0`.
 */
export function pushMixed(net: Network, b: PacketBatch, copies: number, port0 = 30000): void {
  const flows: Array<[string, string, PacketArgs]> = [];
  let port = port0;
  for (let k = 0; k < copies; k++) for (const [f, t, a] of MIXED_CASES) flows.push([f, t, { ...a, sourcePort: port++ }]);
  const tcp = (a: PacketArgs) => (a.proto ?? 'Tcp') === 'Tcp';
  for (const [f, t, a] of flows) pushPacket(net, b, f, t, { ...a, flags: tcp(a) ? TcpFlag.SYN : 0 });
  for (const [f, t, a] of flows) pushPacket(net, b, f, t, { ...a, reverse: true, flags: tcp(a) ? TcpFlag.SYN | TcpFlag.ACK : 0 });
  for (const [f, t, a] of flows) pushPacket(net, b, f, t, { ...a, flags: tcp(a) ? TcpFlag.ACK : 0 });
}
