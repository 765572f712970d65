import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceTagError } from './errors.js';
import { loadServiceTags } from './load.js';
import { isKnownRegion } from '../regions.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

const dir = path.resolve(ROOT, '../shared/data/service-tags');
const file = (cn: number) => path.join(dir, `ServiceTags_Public.cn${cn}.json`);

const doc = (values: unknown[]) => ({ changeNumber: 7, cloud: 'Public', values });
const tag = (name: string, addressPrefixes: unknown, extra: Record<string, unknown> = {}) => ({
  name,
  id: name,
  properties: { region: '', systemService: 'X', addressPrefixes, networkFeatures: ['API', 'NSG'], ...extra },
});

/** Runs `f`, expects a ServiceTagError, returns it. */
function error(f: () => unknown): ServiceTagError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceTagError);
    return e as ServiceTagError;
  }
  throw new Error('expected a ServiceTagError');
}

describe('loadServiceTags', () => {
  it('R-NSG-6: loads Microsoft JSON: IPv4 and IPv6, region canonical, case-insensitive get', () => {
    const set = loadServiceTags(
      doc([
        tag('Storage', ['52.239.0.0/23', '2603:1020:0200::/48']),
        tag('Storage.FranceCentral', ['20.38.0.0/24'], { region: 'centralfrance', networkFeatures: null }),
      ]),
      'test',
    );
    expect(set.source).toBe('test');
    expect(set.changeNumber).toBe(7);
    expect(set.cloud).toBe('Public');
    expect(set.all().map((t) => t.name)).toEqual(['Storage', 'Storage.FranceCentral']);
    const s = set.get('STORAGE')!;
    expect(s.v4).toEqual(['52.239.0.0/23']);
    expect(s.v6).toEqual(['2603:1020:200::/48']); // canonical form
    expect(set.get('storage.francecentral')!.region).toBe('francecentral');
    expect(set.get('storage.francecentral')!.networkFeatures).toEqual([]);
    expect(set.has('Storage.WestEurope')).toBe(false);
  });

  it.each([
    ['not an object', 42, '', 'expected a service-tags object'],
    ['changeNumber missing', { cloud: 'Public', values: [] }, 'changeNumber', 'expected an integer change number'],
    ['values not an array', { changeNumber: 1, values: {} }, 'values', 'expected an array of service tags'],
    ['entry not an object', doc([tag('A', []), 'x']), 'values[1]', 'expected a service tag object'],
    ['name missing', doc([{ properties: { addressPrefixes: [] } }]), 'values[0].name', 'expected a tag name'],
    ['properties missing', doc([{ name: 'A' }]), 'values[0].properties', 'expected an object'],
    ['prefixes not an array', doc([tag('A', '1.2.3.0/24')]), 'values[0].properties.addressPrefixes', 'expected an array of address prefixes'],
    ['prefix not a string', doc([tag('A', ['1.2.3.0/24', 7])]), 'values[0].properties.addressPrefixes[1]', 'expected an address prefix string'],
    ['region not a string', doc([tag('A', [], { region: 3 })]), 'values[0].properties.region', 'expected a region name'],
    ['networkFeatures not strings', doc([tag('A', [], { networkFeatures: [1] })]), 'values[0].properties.networkFeatures[0]', 'expected a network feature'],
    ['duplicate name (any case)', doc([tag('A', []), tag('a', [])]), 'values[1].name', 'duplicate tag "a" (already defined at values[0])'],
  ])('bad JSON (%s) names the path and what was expected', (_what, json, p, fragment) => {
    const e = error(() => loadServiceTags(json));
    expect(e.path).toBe(p);
    expect(e.message).toContain(fragment);
  });

  it('R-ADDR-1: a prefix with host bits set is rejected with its path and the canonical form', () => {
    const values = Array.from({ length: 13 }, (_, i) => tag(`T${i}`, ['1.0.0.0/8']));
    values[12] = tag('T12', ['1.0.0.0/8', '2.0.0.0/8', '3.0.0.0/8', '10.0.0.1/24']);
    const e = error(() => loadServiceTags(doc(values)));
    expect(e.path).toBe('values[12].properties.addressPrefixes[3]');
    expect(e.message).toContain('did you mean 10.0.0.0/24?');
    expect(e.message).toMatch(/^values\[12\]\.properties\.addressPrefixes\[3\]: /);
  });

  it('a malformed IPv6 prefix is rejected, not skipped', () => {
    const e = error(() => loadServiceTags(doc([tag('A', ['2603:zz::/48'])])));
    expect(e.path).toBe('values[0].properties.addressPrefixes[0]');
    expect(e.message).toContain('expected an IPv4 or IPv6 prefix');
  });

  it.skipIf(!existsSync(file(376)))('R-NSG-6: loads the real edition cn376 (reads ../shared/data/service-tags)', () => {
    const set = loadServiceTags(JSON.parse(readFileSync(file(376), 'utf8')), file(376));
    expect(set.changeNumber).toBe(376);
    expect(set.cloud).toBe('Public');
    expect(set.all().length).toBe(3041);
    expect(set.all().reduce((n, t) => n + t.v4.length + t.v6.length, 0)).toBe(95823);
    const storage = set.get('storage')!;
    expect(storage.v4.length + storage.v6.length).toBe(574);
    expect(storage.v6).toContain('2603:1000:5::/48');
    expect(storage.networkFeatures).toContain('VSE');
    expect(set.get('Sql')!.v4.length + set.get('Sql')!.v6.length).toBe(1513);
    const we = set.get('Storage.WestEurope')!;
    expect(we.region).toBe('westeurope');
    expect(we.systemService).toBe('AzureStorage');
    expect(we.v4).toContain('13.69.40.16/28');
    expect(we.v6).toEqual(['2603:1020:207::/48']);
    expect(set.get('Sql.FranceCentral')!.region).toBe('francecentral'); // file says "centralfrance"
    expect(set.get('VirtualNetwork')).toBeUndefined();
    // Every region of the file is known, except Microsoft's internal/staging ones.
    const unknown = [...new Set(set.all().map((t) => t.region))].filter((r) => r !== '' && !isKnownRegion(r));
    expect(unknown.sort()).toEqual(['brazilne', 'northeurope2', 'usstagec', 'usstagee']);
  });

  it.skipIf(!existsSync(file(240)))('loads the real edition cn240 (reads ../shared/data/service-tags)', () => {
    const set = loadServiceTags(JSON.parse(readFileSync(file(240), 'utf8')), file(240));
    expect(set.changeNumber).toBe(240);
    expect(set.all().length).toBe(2291);
    expect(set.get('Storage.WestEurope')!.v4.length + set.get('Storage.WestEurope')!.v6.length).toBe(76);
    expect(set.get('AzureKeyVault')!.networkFeatures).toContain('VSE');
  });
});
