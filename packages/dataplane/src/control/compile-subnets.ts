// VNets and subnets: gateway NAT addresses, default outbound pools, each subnet's FIB, NSG classifiers and SNAT pool.
import type { NetworkNsgs, NetworkRouting, NsgClassifier, RoutingFib } from '@vnetsim/core';
import { parseIpv4 } from '@vnetsim/core';
import type { CompileContext } from './compile-context.js';

/** Default outbound address of a VNet without one given: a stable, clearly synthetic public address. */
export function defaultOutboundIp(vnetIndex: number): number {
  return ((20 << 24) | (250 << 16) | (((vnetIndex >> 8) & 255) << 8) | ((vnetIndex & 255) + 1)) >>> 0;
}

function formatV4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function compileVnets(ctx: CompileContext) {
  const vnets = ctx.spec.vnets;
  const vnetGatewayNat = new Uint32Array(vnets.length);
  const vnetDefaultPool = new Int32Array(vnets.length);
  vnets.forEach((v, i) => {
    const nat = v.gateway?.natIps[0];
    if (nat !== undefined) vnetGatewayNat[i] = parseIpv4(nat);
    const text = v.defaultOutboundIp ?? formatV4(defaultOutboundIp(i));
    vnetDefaultPool[i] = ctx.pool(text, `default outbound of ${v.name}`);
  });
  return { vnetGatewayNat, vnetDefaultPool };
}

export function compileSubnets(ctx: CompileContext, routing: NetworkRouting, nsgs: NetworkNsgs, vnetDefaultPool: Int32Array) {
  const nSub = ctx.subnetCount;
  const subnetVnet = new Int32Array(nSub);
  const subnetFib: RoutingFib[] = [];
  const subnetNsgOut: Array<NsgClassifier | null> = [];
  const subnetNsgIn: Array<NsgClassifier | null> = [];
  const subnetSnatPool = new Int32Array(nSub);
  ctx.subnetSpecs.forEach(({ vnet, subnet }, s) => {
    const vi = ctx.vnetIndex.get(vnet.name)!;
    subnetVnet[s] = vi;
    subnetFib.push(routing.fibOf(s));
    subnetNsgOut.push(subnet.nsg === undefined ? null : nsgs.classifier(subnet.nsg, 'Outbound', vnet.name));
    subnetNsgIn.push(subnet.nsg === undefined ? null : nsgs.classifier(subnet.nsg, 'Inbound', vnet.name));
    const natIp = subnet.natGateway?.publicIps[0];
    subnetSnatPool[s] = natIp !== undefined ? ctx.pool(natIp, `NAT gateway of ${vnet.name}/${subnet.name}`) : vnetDefaultPool[vi]!;
  });
  return { subnetVnet, subnetFib, subnetNsgOut, subnetNsgIn, subnetSnatPool };
}
