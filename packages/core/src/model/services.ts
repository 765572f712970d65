// Services that support virtual network service endpoints: their service tag, the region scope of their endpoint
// routes (R-SE-REGION), firewall limits (R-SVC-3) and the error a denied request gets (R-SVC-1).

import { canonicalRegion, pairedRegion, regionDisplayName } from './regions.js';
import { ServiceTagError } from './service-tags/errors.js';
import type { ServiceTag, ServiceTagSet } from './service-tags/types.js';
import type { NetworkSpec, SubnetSpec } from './types.js';

/** R-SE-REGION: `regionAndPair` (Storage), `region` (Sql), `global` (every other service). */
export type EndpointScopeKind = 'regionAndPair' | 'region' | 'global';

export interface EndpointServiceInfo {
  /** The service tag whose prefixes the endpoint covers (`Storage`, `Sql`, `AzureKeyVault`, ...). */
  tag: string;
  scope: EndpointScopeKind;
  /** R-SVC-3: most virtual-network rules per resource. */
  vnetRuleLimit: number;
  /** R-SVC-3: most IP rules per resource; undefined where the documents state no limit. */
  ipRuleLimit: number | undefined;
  /** R-SVC-1: what a refused request gets: from a subnet without a VNet rule, from an address without an IP rule. */
  errorOnDeny: { vnet: string; ip: string };
}

const info = (
  tag: string,
  scope: EndpointScopeKind,
  vnetRuleLimit: number,
  ipRuleLimit: number | undefined,
  vnet: string,
  ip = vnet,
): EndpointServiceInfo => ({ tag, scope, vnetRuleLimit, ipRuleLimit, errorOnDeny: { vnet, ip } });

/** Endpoint services by their ARM name (`serviceEndpoints[].service`, a service resource's `type`). */
export const ENDPOINT_SERVICES: Readonly<Record<string, EndpointServiceInfo>> = {
  'Microsoft.Storage': info('Storage', 'regionAndPair', 200, 200, '403 AuthorizationFailure'),
  'Microsoft.Storage.Global': info('Storage', 'global', 200, 200, '403 AuthorizationFailure'),
  'Microsoft.Sql': info('Sql', 'region', 128, 128, '40914', '40615'),
  'Microsoft.AzureCosmosDB': info('AzureCosmosDB', 'global', 64, 1000, '403 Forbidden'),
  'Microsoft.KeyVault': info('AzureKeyVault', 'global', 200, 1000, '403 ForbiddenByFirewall'),
  'Microsoft.ServiceBus': info('ServiceBus', 'global', 128, 128, '403 Forbidden'),
  'Microsoft.EventHub': info('EventHub', 'global', 128, 128, '403 Forbidden'),
  'Microsoft.Web': info('AppService', 'global', 512, 512, '403 Forbidden'),
  'Microsoft.ContainerRegistry': info('AzureContainerRegistry', 'global', 100, 100, '403 Forbidden'),
  'Microsoft.CognitiveServices': info('CognitiveServicesManagement', 'global', 100, 100, '403 Forbidden'),
  'Microsoft.AzureActiveDirectory': info('AzureActiveDirectory', 'global', 100, undefined, '403 Forbidden'),
};

const BY_LOWER = new Map(Object.entries(ENDPOINT_SERVICES).map(([k, v]) => [k.toLowerCase(), { name: k, info: v }]));

/** True for a known endpoint service name (case-insensitive, as ARM). */
export function isEndpointService(name: string): boolean {
  return BY_LOWER.has(String(name).toLowerCase());
}

/** The table row of a service, or undefined. */
export function endpointService(name: string): EndpointServiceInfo | undefined {
  return BY_LOWER.get(String(name).toLowerCase())?.info;
}

/** The spelling used in ENDPOINT_SERVICES (`microsoft.storage` -> `Microsoft.Storage`), or undefined. */
export function endpointServiceName(name: string): string | undefined {
  return BY_LOWER.get(String(name).toLowerCase())?.name;
}

/**
 * The regional tag `<tag>.<Region>` (e.g. `Storage.WestEurope`). Found by name; when a file spells it differently,
 * the tag `<tag>.*` whose `region` is the region (shortest name wins, so `Sql.EastUS2Stage` never beats `Sql.EastUS2`).
 */
export function regionalTag(tags: ServiceTagSet, tag: string, region: string): ServiceTag | undefined {
  const r = canonicalRegion(region);
  const byName = tags.get(`${tag}.${regionDisplayName(r)}`);
  if (byName !== undefined) return byName;
  const prefix = `${tag.toLowerCase()}.`;
  let best: ServiceTag | undefined;
  for (const t of tags.all())
    if (t.region === r && t.name.toLowerCase().startsWith(prefix) && (best === undefined || t.name.length < best.name.length)) best = t;
  return best;
}

export interface EndpointScope {
  /** Tags whose prefixes the endpoint covers, as named in the tag set. */
  tagNames: string[];
  /** Canonical prefixes, deduplicated, in tag order. */
  v4: string[];
  v6: string[];
}

/** R-POL-1, R-POL-2: true when one of the subnet's endpoint policies is for Microsoft.Storage. */
export function hasStoragePolicy(net: Pick<NetworkSpec, 'endpointPolicies'>, subnet: Pick<SubnetSpec, 'endpointPolicies'>): boolean {
  const names = subnet.endpointPolicies ?? [];
  if (names.length === 0) return false;
  return (net.endpointPolicies ?? []).some((p) => names.includes(p.name) && endpointServiceName(p.service) === 'Microsoft.Storage');
}

/**
 * R-SE-REGION: the prefixes an endpoint for `service` on a subnet of a VNet in `vnetRegion` covers.
 * Defaults: Microsoft.Storage -> Storage.<region> + Storage.<pair>; Microsoft.Sql -> Sql.<region>; every other
 * service (and Microsoft.Storage.Global) -> its global tag. `locations` (ARM `serviceEndpoints[].locations`) names the
 * regions explicitly; `['*']` means every region: the global tag. `storagePolicy` (the subnet has a Storage endpoint
 * policy): R-POL-2, Azure upgrades a Microsoft.Storage endpoint's scope to global, whatever its locations. Throws
 * ServiceTagError for an unknown service or a tag missing from the set (never an empty scope).
 */
export function endpointScope(tags: ServiceTagSet, service: string, vnetRegion: string, locations?: string[], storagePolicy = false): EndpointScope {
  const svc = endpointService(service);
  if (svc === undefined)
    throw new ServiceTagError('', `"${service}" is not a service endpoint service (expected one of ${Object.keys(ENDPOINT_SERVICES).join(', ')})`);
  const picked: ServiceTag[] = [];
  const need = (t: ServiceTag | undefined, what: string) => {
    if (t === undefined) throw new ServiceTagError('', `service tag ${what} (for ${service}) is not in the tag set "${tags.source}"`);
    if (!picked.includes(t)) picked.push(t);
  };
  const global = () => need(tags.get(svc.tag), svc.tag);
  const regional = (r: string) => need(regionalTag(tags, svc.tag, r), `${svc.tag}.${regionDisplayName(r)}`);

  if (storagePolicy && endpointServiceName(service) === 'Microsoft.Storage') {
    // R-POL-2: a policy on the subnet makes the Storage endpoint global (every region's Storage prefixes).
    global();
  } else if (locations !== undefined && locations.length > 0) {
    if (locations.includes('*')) global();
    else for (const l of locations) regional(l);
  } else if (svc.scope === 'regionAndPair') {
    // R-SE-REGION (seed): Storage covers the VNet's region and its paired region.
    regional(vnetRegion);
    const pair = pairedRegion(vnetRegion);
    if (pair !== undefined) regional(pair);
  } else if (svc.scope === 'region') {
    // R-SE-REGION (seed): Sql covers the VNet's own region only.
    regional(vnetRegion);
  } else {
    global();
  }

  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const t of picked) {
    for (const p of t.v4) v4.add(p);
    for (const p of t.v6) v6.add(p);
  }
  return { tagNames: picked.map((t) => t.name), v4: [...v4], v6: [...v6] };
}

/**
 * R-RT-8: true when a route's prefix text is written as a service tag name (`Storage`, `Storage.WestEurope`,
 * `Sql.EastUS`) rather than a CIDR: a letter first, then letters, digits, dots, dashes or underscores, no `/` or `:`.
 */
export function isServiceTagName(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9._-]*$/.test(text);
}
