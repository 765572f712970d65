import type { ServiceTag, ServiceTagSet } from './types.js';

export interface ServiceTagDiff {
  /** Tag names in b only. */
  added: string[];
  /** Tag names in a only. */
  removed: string[];
  /** Tags in both whose prefixes differ (IPv4 and IPv6 together). */
  changed: Array<{ name: string; addedPrefixes: string[]; removedPrefixes: string[] }>;
}

const prefixesOf = (t: ServiceTag): string[] => [...t.v4, ...t.v6];

/** What changed from edition a to edition b of a service-tags file (names compared case-insensitively). */
export function diffServiceTags(a: ServiceTagSet, b: ServiceTagSet): ServiceTagDiff {
  const out: ServiceTagDiff = { added: [], removed: [], changed: [] };
  for (const t of a.all()) if (!b.has(t.name)) out.removed.push(t.name);
  for (const tb of b.all()) {
    const ta = a.get(tb.name);
    if (ta === undefined) {
      out.added.push(tb.name);
      continue;
    }
    const before = new Set(prefixesOf(ta));
    const after = new Set(prefixesOf(tb));
    const addedPrefixes = [...after].filter((p) => !before.has(p));
    const removedPrefixes = [...before].filter((p) => !after.has(p));
    if (addedPrefixes.length > 0 || removedPrefixes.length > 0) out.changed.push({ name: tb.name, addedPrefixes, removedPrefixes });
  }
  return out;
}
