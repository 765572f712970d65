// The network of a scenario as a Graph: VNets (address space, region) holding subnets (prefix, service endpoints,
// NAT gateway) holding their VMs and appliances; NSGs and route tables attached to subnets and NICs; UDRs pointing at
// appliances; peerings; gateways and the on-premises sites behind them; endpoint policies; services with their
// firewall (virtual network rules as links to the subnets they admit, IP rules listed).

import type { NetworkSpec, VnetSpec } from '@vnetsim/core';
import { safeId, type Graph, type GraphEdge, type GraphNode } from './graph.js';

const LAYER = { onPrem: 0, vnet: 1, attached: 2, service: 3 } as const;

export const vnetId = (v: string) => safeId('vnet', v);
export const subnetId = (ref: string) => safeId('sn', ref);
export const vmId = (vm: string) => safeId('vm', vm);
export const nsgId = (n: string) => safeId('nsg', n);
export const routeTableId = (n: string) => safeId('rt', n);
export const gatewayId = (v: string) => safeId('gw', v);
export const onPremId = (n: string) => safeId('onprem', n);
export const serviceId = (n: string) => safeId('svc', n);
export const policyId = (n: string) => safeId('pol', n);

function vnetLines(v: VnetSpec): string[] {
  return [`VNet ${v.name}`, `${v.region}, ${v.addressSpace.join(', ')}`, ...(v.deploymentModel === 'Classic' ? ['Classic'] : [])];
}

export function topologyGraph(net: NetworkSpec, title: string): Graph {
  const g: Graph = { title, direction: 'LR', nodes: [], clusters: [], edges: [] };
  const node = (n: GraphNode) => g.nodes.push(n);
  const edge = (e: GraphEdge) => g.edges.push(e);
  const usedNsgs = new Set<string>();
  const usedTables = new Set<string>();

  for (const v of net.vnets) {
    const cid = safeId('cl', v.name);
    g.clusters.push({ id: cid, label: `VNet ${v.name} (${v.region})`, layer: LAYER.vnet });
    node({ id: vnetId(v.name), kind: 'vnet', lines: vnetLines(v), cluster: cid, layer: LAYER.vnet });
    if (v.gateway !== undefined) {
      node({ id: gatewayId(v.name), kind: 'gateway', lines: ['gateway', ...(v.gateway.onPremPrefixes.length > 0 ? [`BGP: ${v.gateway.onPremPrefixes.join(', ')}`] : [])], cluster: cid, layer: LAYER.vnet });
      edge({ from: vnetId(v.name), to: gatewayId(v.name), style: 'solid' });
    }
    for (const s of v.subnets) {
      const ref = `${v.name}/${s.name}`;
      const scid = safeId('clsn', ref);
      g.clusters.push({ id: scid, label: `subnet ${s.name}`, parent: cid, layer: LAYER.vnet });
      const lines = [`${s.name} ${s.prefix}`];
      if (s.prefixV6) lines.push(s.prefixV6);
      for (const e of s.serviceEndpoints) lines.push(`endpoint ${e.service}${e.locations ? ` [${e.locations.join(', ')}]` : ''}`);
      if (s.natGateway) lines.push(`NAT gateway ${s.natGateway.publicIps.join(', ')}`);
      node({ id: subnetId(ref), kind: 'subnet', lines, cluster: scid, layer: LAYER.vnet });
      if (s.nsg) {
        usedNsgs.add(s.nsg);
        edge({ from: subnetId(ref), to: nsgId(s.nsg), label: 'subnet NSG', style: 'solid' });
      }
      if (s.routeTable) {
        usedTables.add(s.routeTable);
        edge({ from: subnetId(ref), to: routeTableId(s.routeTable), label: 'routes', style: 'solid' });
      }
      for (const p of s.endpointPolicies) edge({ from: subnetId(ref), to: policyId(p), label: 'policy', style: 'dashed' });
      for (const vm of net.vms.filter((x) => x.subnet === ref)) {
        const lines = [vm.name, vm.privateIp, ...(vm.privateIpV6 ? [vm.privateIpV6] : []), ...(vm.publicIp ? [`public ${vm.publicIp}`] : [])];
        if (vm.appliance) lines.push(`appliance -> ${vm.appliance.egress}`);
        node({ id: vmId(vm.name), kind: vm.appliance ? 'appliance' : 'vm', lines, cluster: scid, layer: LAYER.vnet });
        if (vm.nsg) {
          usedNsgs.add(vm.nsg);
          edge({ from: vmId(vm.name), to: nsgId(vm.nsg), label: 'NIC NSG', style: 'solid' });
        }
      }
    }
  }
  // Peerings: one edge per pair, whichever side declares it.
  const pairs = new Set<string>();
  for (const v of net.vnets)
    for (const p of v.peerings) {
      const key = [v.name, p].sort().join('\u0000');
      if (pairs.has(key) || !net.vnets.some((x) => x.name === p)) continue;
      pairs.add(key);
      edge({ from: vnetId(v.name), to: vnetId(p), label: 'peering', style: 'dashed' });
    }
  for (const n of net.nsgs) {
    if (!usedNsgs.has(n.name) && n.rules.length === 0) continue;
    const rules = n.rules.slice(0, 6).map((r) => `${r.priority} ${r.direction === 'Inbound' ? 'in' : 'out'} ${r.access} ${r.name}`);
    if (n.rules.length > 6) rules.push(`... ${n.rules.length - 6} more`);
    node({ id: nsgId(n.name), kind: 'nsg', lines: [`NSG ${n.name}`, ...rules], layer: LAYER.attached });
  }
  for (const t of net.routeTables) {
    const routes = t.routes.slice(0, 6).map((r) => `${r.prefix} -> ${r.nextHopType}${r.nextHopIp ? ` ${r.nextHopIp}` : ''}`);
    if (t.routes.length > 6) routes.push(`... ${t.routes.length - 6} more`);
    node({ id: routeTableId(t.name), kind: 'routeTable', lines: [`route table ${t.name}`, ...(t.disableBgpRoutePropagation ? ['BGP propagation off'] : []), ...routes], layer: LAYER.attached });
    // UDRs to an appliance: where the traffic goes.
    const seen = new Set<string>();
    for (const r of t.routes) {
      if (r.nextHopType !== 'VirtualAppliance' || r.nextHopIp === undefined) continue;
      const vm = net.vms.find((x) => x.privateIp === r.nextHopIp || x.privateIpV6 === r.nextHopIp);
      if (vm === undefined || seen.has(vm.name)) continue;
      seen.add(vm.name);
      edge({ from: routeTableId(t.name), to: vmId(vm.name), label: `next hop ${r.prefix}`, style: 'dashed' });
    }
  }
  for (const p of net.endpointPolicies) node({ id: policyId(p.name), kind: 'policy', lines: [`endpoint policy ${p.name}`, p.service, ...p.resources.map((r) => `allows ${r}`)], layer: LAYER.attached });
  for (const o of net.onPrem) {
    node({ id: onPremId(o.name), kind: 'onPrem', lines: [`on-premises ${o.name}`, o.prefix], layer: LAYER.onPrem });
    const v = net.vnets.find((x) => x.name === o.via);
    if (v !== undefined) edge({ from: v.gateway !== undefined ? gatewayId(v.name) : vnetId(v.name), to: onPremId(o.name), label: 'VPN/ExpressRoute', style: 'solid' });
  }
  for (const s of net.services) {
    const fw = s.firewall;
    const lines = [`${s.name}`, `${s.type} ${s.region}`, s.address, `firewall default ${fw.defaultAction}`, ...fw.ipRules.map((ip) => `IP rule ${ip}`)];
    node({ id: serviceId(s.name), kind: 'service', lines, layer: LAYER.service });
    for (const ref of fw.virtualNetworkRules)
      if (net.vnets.some((v) => v.subnets.some((x) => `${v.name}/${x.name}` === ref))) edge({ from: subnetId(ref), to: serviceId(s.name), label: 'vnet rule', style: 'dashed' });
  }
  return g;
}
