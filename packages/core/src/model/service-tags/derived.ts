// Tags Azure computes per VNet instead of publishing them (R-NSG-6): VirtualNetwork, AzureLoadBalancer, Internet.

import { formatCidr, parseCidr } from '../../addr/cidr.js';
import type { NetworkSpec } from '../types.js';
import type { ServiceTag, ServiceTagSet } from './types.js';

/** The Azure platform address (DNS, health probes); member of VirtualNetwork and AzureLoadBalancer (R-NSG-6). */
export const AZURE_PLATFORM_IP = '168.63.129.16';

/** R-ADDR-2: never Internet-tag members (plus 0/8, "this network"). */
export const INTERNET_EXCLUDED_V4: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16',
  '224.0.0.0/4', '240.0.0.0/4',
];

const canonical = (p: string): string => formatCidr(parseCidr(p));

/**
 * R-NSG-6: VirtualNetwork for a VNet = its address space, the address spaces of VNets peered with it (peering is
 * symmetric: either side may list it), its gateway's on-premises prefixes, the on-premises sites connected `via` it,
 * the address prefixes of the user-defined routes of its subnets' route tables, and 168.63.129.16/32. Canonical,
 * deduplicated. Throws for an unknown VNet or a malformed prefix (validate first). A route whose prefix is a service
 * tag (R-RT-8) adds nothing: the tag's own rules name those addresses.
 */
export function virtualNetworkTagPrefixes(net: NetworkSpec, vnetName: string): string[] {
  const out = new Set(internetExcludedNetworkPrefixes(net, vnetName));
  const vnet = net.vnets.find((v) => v.name === vnetName)!;
  const tables = new Set(vnet.subnets.flatMap((s) => (s.routeTable === undefined ? [] : [s.routeTable])));
  for (const t of net.routeTables ?? []) {
    if (!tables.has(t.name)) continue;
    for (const r of t.routes) if (isCidr(r.prefix)) out.add(canonical(r.prefix));
  }
  return [...out];
}

/**
 * R-NSG-6: the prefixes `Internet` leaves out for a VNet: VirtualNetwork without the UDR prefixes (own space, peers,
 * on-premises, 168.63.129.16). UDR prefixes join VirtualNetwork but stay in Internet, so a 0.0.0.0/0 route does not
 * empty it.
 */
export function internetExcludedNetworkPrefixes(net: NetworkSpec, vnetName: string): string[] {
  const vnet = net.vnets.find((v) => v.name === vnetName);
  if (vnet === undefined) throw new Error(`virtualNetworkTagPrefixes: no VNet named "${vnetName}"`);
  const out = new Set<string>();
  for (const p of vnet.addressSpace) out.add(canonical(p));
  for (const other of net.vnets) {
    if (other === vnet) continue;
    if (vnet.peerings.includes(other.name) || other.peerings.includes(vnet.name)) for (const p of other.addressSpace) out.add(canonical(p));
  }
  for (const p of vnet.gateway?.onPremPrefixes ?? []) out.add(canonical(p));
  for (const site of net.onPrem) if (site.via === vnetName) out.add(canonical(site.prefix));
  out.add(`${AZURE_PLATFORM_IP}/32`);
  return [...out];
}

function isCidr(p: string): boolean {
  try {
    parseCidr(p);
    return true;
  } catch {
    return false;
  }
}

/** R-NSG-6: AzureLoadBalancer = 168.63.129.16/32. */
export function azureLoadBalancerTagPrefixes(): string[] {
  return [`${AZURE_PLATFORM_IP}/32`];
}

export type DerivedTagName = 'VirtualNetwork' | 'Internet' | 'AzureLoadBalancer';

const DERIVED: Record<string, DerivedTagName> = {
  virtualnetwork: 'VirtualNetwork',
  internet: 'Internet',
  azureloadbalancer: 'AzureLoadBalancer',
};

/**
 * A rule's tag name -> the derived tag it names, or the published tag (`Storage`, `Storage.WestEurope`, `Sql.EastUS`),
 * case-insensitively; undefined when unknown (R-NSG-6: an unknown tag is an error for the caller, never an empty match).
 */
export function resolveTagName(tags: ServiceTagSet, name: string): ServiceTag | DerivedTagName | undefined {
  const key = String(name).toLowerCase();
  if (Object.hasOwn(DERIVED, key)) return DERIVED[key];
  return tags.get(name);
}

/** True for the three derived tag names (any case). */
export function isDerivedTagName(name: string): boolean {
  return Object.hasOwn(DERIVED, String(name).toLowerCase());
}
