// VNets and subnets: gateway NAT addresses, default outbound pools, each subnet's FIB, NSG classifiers and SNAT pool.
import type { CompiledIpv4Trie, NetworkNsgs, NetworkRouting, NsgClassifier, RoutingFib } from '@vnetsim/core';
import { Ipv4Trie, parseCidr, parseIpv4 } from '@vnetsim/core';
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
  const vnetGatewayPrefixes: Array<CompiledIpv4Trie | null> = [];
  const vnetRegion = new Int32Array(vnets.length);
  vnets.forEach((v, i) => {
    vnetRegion[i] = ctx.regionId(v.region);
    const nat = v.gateway?.natIps[0];
    if (nat !== undefined) vnetGatewayNat[i] = parseIpv4(nat);
    // R-SNAT-3: what lies on-premises behind this VNet's gateway (delivered there untranslated).
    const onPrem = [...(v.gateway?.onPremPrefixes ?? []), ...ctx.spec.onPrem.filter((o) => o.via === v.name).map((o) => o.prefix)];
    const gw = new Ipv4Trie();
    let any = false;
    for (const text of onPrem) {
      const c = parseCidr(text);
      // A default route advertised by BGP is forced tunnelling (R-RT-6), not an on-premises network.
      if (c.family === 4 && c.length > 0) {
        gw.insert(c.prefix, c.length, 0);
        any = true;
      }
    }
    vnetGatewayPrefixes.push(any ? gw.compile() : null);
    const text = v.defaultOutboundIp ?? formatV4(defaultOutboundIp(i));
    vnetDefaultPool[i] = ctx.pool(text, `default outbound of ${v.name}`);
  });
  return { vnetGatewayNat, vnetDefaultPool, vnetGatewayPrefixes, vnetRegion };
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
    // R-SNAT-1: every public IP of the NAT gateway contributes its ports to one pool.
    const natIps = subnet.natGateway?.publicIps ?? [];
    subnetSnatPool[s] = natIps.length > 0 ? ctx.pool(natIps, `NAT gateway of ${vnet.name}/${subnet.name}`) : vnetDefaultPool[vi]!;
  });
  return { subnetVnet, subnetFib, subnetNsgOut, subnetNsgIn, subnetSnatPool };
}
