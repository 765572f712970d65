import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffServiceTags } from './diff.js';
import { loadServiceTags } from './load.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

const dir = path.resolve(ROOT, '../shared/data/service-tags');
const file = (cn: number) => path.join(dir, `ServiceTags_Public.cn${cn}.json`);
const doc = (cn: number, values: Array<[string, string[]]>) => ({
  changeNumber: cn,
  cloud: 'Public',
  values: values.map(([name, addressPrefixes]) => ({ name, id: name, properties: { region: '', addressPrefixes } })),
});

describe('diffServiceTags', () => {
  it('reports added and removed tags and per-tag prefix changes', () => {
    const a = loadServiceTags(doc(1, [['Storage', ['1.0.0.0/24', '2.0.0.0/24']], ['Old', ['9.0.0.0/8']], ['Same', ['8.0.0.0/8']]]));
    const b = loadServiceTags(doc(2, [['storage', ['2.0.0.0/24', '3.0.0.0/24', '2603::/48']], ['Same', ['8.0.0.0/8']], ['New', []]]));
    expect(diffServiceTags(a, b)).toEqual({
      added: ['New'],
      removed: ['Old'],
      changed: [{ name: 'storage', addedPrefixes: ['3.0.0.0/24', '2603::/48'], removedPrefixes: ['1.0.0.0/24'] }],
    });
    expect(diffServiceTags(a, a)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('property: applying the diff of a to b onto a gives b', () => {
    const prefix = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `${a}.${b}.0.0/16`);
    const edition = fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D', 'E'), fc.uniqueArray(prefix, { maxLength: 6 }));
    fc.assert(
      fc.property(edition, edition, (ea, eb) => {
        const a = loadServiceTags(doc(1, Object.entries(ea)));
        const b = loadServiceTags(doc(2, Object.entries(eb)));
        const d = diffServiceTags(a, b);
        const result = new Map<string, Set<string>>();
        for (const t of a.all()) if (!d.removed.includes(t.name)) result.set(t.name, new Set(t.v4));
        for (const n of d.added) result.set(n, new Set(b.get(n)!.v4));
        for (const c of d.changed) {
          const s = result.get(c.name)!;
          for (const p of c.removedPrefixes) s.delete(p);
          for (const p of c.addedPrefixes) s.add(p);
        }
        const expected = new Map(b.all().map((t) => [t.name, new Set(t.v4)]));
        expect(result).toEqual(expected);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it.skipIf(!existsSync(file(240)) || !existsSync(file(376)))('cn240 -> cn376: what changed per tag (reads ../shared/data/service-tags)', () => {
    const a = loadServiceTags(JSON.parse(readFileSync(file(240), 'utf8')));
    const b = loadServiceTags(JSON.parse(readFileSync(file(376), 'utf8')));
    const d = diffServiceTags(a, b);
    // Facts checked by hand against the two files.
    expect(d.added.length).toBe(819);
    expect(d.added).toContain('CognitiveServicesFrontend');
    expect(d.removed.length).toBe(69);
    expect(d.removed).toContain('AppService.UKNorth');
    expect(d.changed.length).toBe(1329);
    const we = d.changed.find((c) => c.name === 'Storage.WestEurope')!;
    expect(we.addedPrefixes.length).toBe(22); // 76 -> 98 prefixes, none removed
    expect(we.addedPrefixes).toContain('135.130.102.0/23');
    expect(we.addedPrefixes).toContain('20.153.4.0/24');
    expect(we.removedPrefixes).toEqual([]);
    const sql = d.changed.find((c) => c.name === 'Sql.WestEurope')!;
    expect(sql.addedPrefixes).toContain('2603:1020:206:b::200/120');
    expect(sql.addedPrefixes).toContain('68.219.168.0/24');
    expect(sql.removedPrefixes.sort()).toEqual(['191.233.120.0/24', '40.115.37.61/32', '40.68.37.158/32']);
    expect(d.changed.find((c) => c.name === 'ApplicationInsightsAvailability')).toBeUndefined(); // unchanged
  });
});
