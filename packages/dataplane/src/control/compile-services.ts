// The far ends: on-premises sites, service resources and their firewalls (R-SVC-1), endpoint policies (R-POL-1), and
// the address space of the endpoint services' tags.
import type { CompiledIpv4Trie, ServiceTagSet } from '@vnetsim/core';
import { ENDPOINT_SERVICES, endpointService, hasStoragePolicy, Ipv4Trie, Ipv6Trie, parseCidr, parseIpv4 } from '@vnetsim/core';
import type { CompileContext } from './compile-context.js';
import { Dest } from './encodings.js';

export function compileOnPrem(ctx: CompileContext) {
  const { spec, dest, dest6 } = ctx;
  const onPremVia = new Int32Array(spec.onPrem.length);
  spec.onPrem.forEach((o, i) => {
    onPremVia[i] = ctx.vnetIndex.get(o.via) ?? -1;
    const c = parseCidr(o.prefix);
    if (c.family === 4) dest.insert(c.prefix, c.length, Dest.ON_PREM + i);
    else dest6.insert(c.words, c.length, Dest.ON_PREM + i);
  });
  return { onPremNames: spec.onPrem.map((o) => o.name), onPremVia };
}

function errorNumber(code: string): number {
  const n = Number.parseInt(code, 10);
  return Number.isFinite(n) ? n : 403;
}

/** Service resources (R-SVC-1): address, default action, virtual network rules, IP rules, the errors of a refusal. */
export function compileServices(ctx: CompileContext) {
  const { spec, dest, subnetIndex } = ctx;
  const nSub = ctx.subnetCount;
  const m = spec.services.length;
  const serviceAddress = new Uint32Array(m);
  const serviceDeny = new Uint8Array(m);
  const serviceRegion = new Int32Array(m);
  const serviceIsStorage = new Uint8Array(m);
  const serviceVnetRule = new Uint8Array(m * nSub);
  const serviceIpRules: Array<CompiledIpv4Trie | null> = [];
  const serviceErrorVnet = new Uint16Array(m);
  const serviceErrorIp = new Uint16Array(m);
  spec.services.forEach((svc, r) => {
    serviceAddress[r] = parseIpv4(svc.address);
    dest.insert(serviceAddress[r]!, 32, Dest.SERVICE + r);
    serviceDeny[r] = svc.firewall.defaultAction === 'Deny' ? 1 : 0;
    serviceRegion[r] = ctx.regionId(svc.region);
    serviceIsStorage[r] = endpointService(svc.type)?.tag === 'Storage' ? 1 : 0;
    for (const sn of svc.firewall.virtualNetworkRules) {
      const s = subnetIndex.get(sn);
      if (s !== undefined) serviceVnetRule[r * nSub + s] = 1;
    }
    if (svc.firewall.ipRules.length === 0) serviceIpRules.push(null);
    else {
      const t = new Ipv4Trie();
      for (const rule of svc.firewall.ipRules) {
        const c = parseCidr(rule, true);
        if (c.family === 4) t.insert(c.prefix, c.length, 0);
      }
      serviceIpRules.push(t.compile());
    }
    const info = endpointService(svc.type);
    serviceErrorVnet[r] = errorNumber(info?.errorOnDeny.vnet ?? '403');
    serviceErrorIp[r] = errorNumber(info?.errorOnDeny.ip ?? '403');
  });
  return {
    serviceNames: spec.services.map((s) => s.name), serviceAddress, serviceDeny, serviceRegion, serviceIsStorage, serviceVnetRule,
    serviceIpRules, serviceErrorVnet, serviceErrorIp,
  };
}

/**
 * R-POL-1: endpoint policies (union of the subnet's Storage policies; none = every resource). They filter Storage
 * only: Sql, Key Vault and other services' resources are never refused by them.
 */
export function compilePolicies(ctx: CompileContext, tags: ServiceTagSet) {
  const { spec } = ctx;
  const nSub = ctx.subnetCount;
  const m = spec.services.length;
  const policyAllows = new Uint8Array(nSub * m);
  const subnetHasPolicy = new Uint8Array(nSub);
  ctx.subnetSpecs.forEach(({ subnet }, s) => {
    subnetHasPolicy[s] = hasStoragePolicy(spec, subnet) ? 1 : 0;
    const policies = subnet.endpointPolicies
      .map((p) => spec.endpointPolicies.find((x) => x.name === p))
      .filter((p) => p !== undefined);
    spec.services.forEach((svc, r) => {
      const storage = endpointService(svc.type)?.tag === 'Storage';
      const relevant = storage ? policies.filter((p) => endpointService(p.service)?.tag === 'Storage') : [];
      const allowed =
        relevant.length === 0 ||
        relevant.some(
          (p) =>
            p.resources.includes(svc.name) ||
            (p.subscriptions ?? []).includes(svc.subscription) ||
            (svc.resourceGroup !== undefined && (p.resourceGroups ?? []).includes(svc.resourceGroup)),
        );
      policyAllows[s * m + r] = allowed ? 1 : 0;
    });
  });
  // The Storage tag's prefixes: an unmodelled destination there is what a Storage policy filters.
  const storage4 = new Ipv4Trie();
  const storage6 = new Ipv6Trie();
  const st = tags.get('Storage');
  for (const p of [...(st?.v4 ?? []), ...(st?.v6 ?? [])]) {
    const c = parseCidr(p);
    if (c.family === 4) storage4.insert(c.prefix, c.length, 0);
    else storage6.insert(c.words, c.length, 0);
  }
  return { policyAllows, subnetHasPolicy, storageSpace: storage4.compile(), storageSpace6: storage6.compile() };
}

const ENDPOINT_TAGS = new Set(Object.values(ENDPOINT_SERVICES).map((s) => s.tag));

/**
 * The address space of endpoint services' tags: a destination there is "an Azure service" even when no resource of
 * the scenario has that address (its front end answers).
 */
export function compileServiceSpace(tags: ServiceTagSet) {
  const space = new Ipv4Trie();
  const spaceTags: string[] = [];
  const seenTags = new Set<string>();
  for (const tag of tags.all()) {
    const base = tag.name.split('.')[0]!;
    if (tag.region !== '' || seenTags.has(base) || !ENDPOINT_TAGS.has(base)) continue;
    seenTags.add(base);
    const idx = spaceTags.length;
    spaceTags.push(tag.name);
    for (const p of tag.v4) {
      const c = parseCidr(p);
      if (c.family === 4 && space.get(c.prefix, c.length) < 0) space.insert(c.prefix, c.length, idx);
    }
  }
  return { serviceSpace: space.compile(), serviceSpaceTags: spaceTags };
}
