// What a service-tag update (one ServiceTags_Public edition -> the next) changes: prefixes added and removed per tag,
// and for a network, which subnets' endpoint routes (R-SE-ROUTE-1, R-SE-REGION: endpointScope under each edition) and
// which NSG rules (rules naming a changed tag) change with it. Edge code: runs once per command.

import {
  canonicalRegion,
  diffServiceTags,
  endpointScope,
  hasStoragePolicy,
  endpointService,
  isDerivedTagName,
  type NetworkSpec,
  type ServiceTagSet,
} from '@vnetsim/core';

export interface TagDiffFilter {
  /** `Storage` or `Microsoft.Storage`: that service's tags; `Storage.WestEurope`: that tag (case-insensitive). */
  service?: string;
  /** `westeurope`: regional tags of that region only. */
  region?: string;
}

export interface TagPrefixChange {
  tag: string;
  /** `added`/`removed`: the whole tag is new / gone in the new edition. */
  status: 'added' | 'removed' | 'changed';
  added: string[];
  removed: string[];
}

export interface EndpointRouteChange {
  /** `vnet/subnet`. */
  subnet: string;
  service: string;
  /** Tags the endpoint covers (new edition; old when the new one has none). */
  tagNames: string[];
  added: string[];
  removed: string[];
  /** When the scope cannot be computed under one edition (a tag missing). */
  error?: string;
}

export interface NsgRuleChange {
  nsg: string;
  rule: string;
  direction: string;
  side: 'source' | 'destination';
  tag: string;
  added: string[];
  removed: string[];
}

export interface TagUpdateReport {
  oldChangeNumber: number;
  newChangeNumber: number;
  tags: TagPrefixChange[];
  endpointRoutes?: EndpointRouteChange[];
  nsgRules?: NsgRuleChange[];
}

/** The base name of a service filter: `Microsoft.Storage` -> `storage`, `Storage.WestEurope` -> `storage`. */
function serviceBase(service: string): string {
  const viaEndpoint = endpointService(service);
  return (viaEndpoint?.tag ?? service.split('.')[0]!).toLowerCase();
}

function tagMatches(name: string, region: string, f: TagDiffFilter): boolean {
  if (f.service !== undefined) {
    // `Storage.WestEurope` names one tag; `Storage` or `Microsoft.Storage` names the service and all its tags.
    const oneTag = endpointService(f.service) === undefined && f.service.includes('.');
    if (oneTag ? name.toLowerCase() !== f.service.toLowerCase() : name.split('.')[0]!.toLowerCase() !== serviceBase(f.service)) return false;
  }
  if (f.region !== undefined && region !== canonicalRegion(f.region)) return false;
  return true;
}

const diff = (a: readonly string[], b: readonly string[]) => {
  const sa = new Set(a), sb = new Set(b);
  return { added: b.filter((p) => !sa.has(p)), removed: a.filter((p) => !sb.has(p)) };
};

/** The prefix changes of old -> new (filtered), and with `net`, the endpoint routes and NSG rules they change. */
export function diffTagEditions(oldTags: ServiceTagSet, newTags: ServiceTagSet, filter: TagDiffFilter = {}, net?: NetworkSpec): TagUpdateReport {
  const d = diffServiceTags(oldTags, newTags);
  const regionOf = (name: string) => (newTags.get(name) ?? oldTags.get(name))?.region ?? '';
  const all = (t: ServiceTagSet, name: string) => {
    const tag = t.get(name);
    return tag === undefined ? [] : [...tag.v4, ...tag.v6];
  };
  const tags: TagPrefixChange[] = [
    ...d.changed.map((c) => ({ tag: c.name, status: 'changed' as const, added: c.addedPrefixes, removed: c.removedPrefixes })),
    ...d.added.map((n) => ({ tag: n, status: 'added' as const, added: all(newTags, n), removed: [] })),
    ...d.removed.map((n) => ({ tag: n, status: 'removed' as const, added: [], removed: all(oldTags, n) })),
  ]
    .filter((c) => tagMatches(c.tag, regionOf(c.tag), filter))
    .sort((a, b) => (a.tag.toLowerCase() < b.tag.toLowerCase() ? -1 : a.tag.toLowerCase() > b.tag.toLowerCase() ? 1 : 0));
  const report: TagUpdateReport = { oldChangeNumber: oldTags.changeNumber, newChangeNumber: newTags.changeNumber, tags };
  if (net === undefined) return report;

  const changedTags = new Map([...d.changed.map((c) => c.name), ...d.added, ...d.removed].map((n) => [n.toLowerCase(), n]));
  report.endpointRoutes = [];
  for (const vnet of net.vnets)
    for (const subnet of vnet.subnets)
      for (const ep of subnet.serviceEndpoints) {
        if (filter.service !== undefined && (endpointService(ep.service)?.tag ?? ep.service).toLowerCase() !== serviceBase(filter.service)) continue;
        const scope = (t: ServiceTagSet) => {
          try {
            return endpointScope(t, ep.service, vnet.region, ep.locations, hasStoragePolicy(net, subnet));
          } catch (e) {
            return (e as Error).message;
          }
        };
        const before = scope(oldTags), after = scope(newTags);
        const row: EndpointRouteChange = { subnet: `${vnet.name}/${subnet.name}`, service: ep.service, tagNames: [], added: [], removed: [] };
        if (typeof before === 'string' || typeof after === 'string') {
          row.error = typeof before === 'string' ? `old edition: ${before}` : `new edition: ${after as string}`;
          row.tagNames = typeof after === 'string' ? (typeof before === 'string' ? [] : before.tagNames) : after.tagNames;
          // A scope that exists on one side only: all its prefixes appear or disappear.
          if (typeof before !== 'string') row.removed = [...before.v4, ...before.v6];
          if (typeof after !== 'string') row.added = [...after.v4, ...after.v6];
        } else {
          row.tagNames = after.tagNames;
          Object.assign(row, diff([...before.v4, ...before.v6], [...after.v4, ...after.v6]));
        }
        if (row.error !== undefined || row.added.length > 0 || row.removed.length > 0) report.endpointRoutes.push(row);
      }

  report.nsgRules = [];
  for (const nsg of net.nsgs)
    for (const rule of nsg.rules)
      for (const side of ['source', 'destination'] as const) {
        const v = rule[side];
        if (typeof v !== 'string' || isDerivedTagName(v)) continue;
        const tag = changedTags.get(v.toLowerCase());
        if (tag === undefined || !tagMatches(tag, regionOf(tag), filter)) continue;
        report.nsgRules.push({ nsg: nsg.name, rule: rule.name, direction: rule.direction, side, tag, ...diff(all(oldTags, tag), all(newTags, tag)) });
      }
  return report;
}
