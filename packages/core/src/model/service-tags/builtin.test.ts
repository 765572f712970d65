import { describe, expect, it } from 'vitest';
import { parseCidr, type Cidr } from '../../addr/cidr.js';
import { BUILTIN_REGIONS, builtinServiceTags } from './builtin.js';
import { cidrsOverlap } from '../validate-items.js';
import { pairedRegion, regionDisplayName } from '../regions.js';

const SERVICES = ['Storage', 'Sql', 'AzureCosmosDB', 'AzureKeyVault', 'ServiceBus', 'EventHub', 'AppService', 'AzureContainerRegistry'];

describe('builtinServiceTags (sample)', () => {
  const tags = builtinServiceTags();

  it('is marked as a sample and has every service globally and per region', () => {
    expect(tags.source).toBe('builtin (sample)');
    for (const s of SERVICES) {
      expect(tags.get(s)?.networkFeatures).toContain('VSE');
      for (const r of BUILTIN_REGIONS) {
        const t = tags.get(`${s}.${regionDisplayName(r)}`)!;
        expect(t.region).toBe(r);
        expect(t.v4.length).toBeGreaterThan(0);
      }
    }
    expect(tags.get('Storage.WestEurope')!.v6.length).toBeGreaterThan(0);
    expect(tags.get('AzureActiveDirectory')).toBeDefined();
  });

  it('regions are closed under pairing (R-SE-REGION needs the pair tag)', () => {
    for (const r of BUILTIN_REGIONS) expect(BUILTIN_REGIONS).toContain(pairedRegion(r));
  });

  it('each global tag is exactly the union of its regional tags', () => {
    for (const s of SERVICES) {
      const union = BUILTIN_REGIONS.flatMap((r) => {
        const t = tags.get(`${s}.${regionDisplayName(r)}`)!;
        return [...t.v4, ...t.v6];
      });
      const g = tags.get(s)!;
      expect([...g.v4, ...g.v6].sort()).toEqual(union.sort());
    }
  });

  it('regional prefixes of different services or regions never overlap', () => {
    const all: Array<{ c: Cidr; owner: string }> = [];
    for (const t of tags.all()) if (t.region !== '') for (const p of [...t.v4, ...t.v6]) all.push({ c: parseCidr(p), owner: t.name });
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) expect(cidrsOverlap(all[i]!.c, all[j]!.c), `${all[i]!.owner} vs ${all[j]!.owner}`).toBe(false);
  });

  it('the SCENARIOS.md example address 52.239.1.10 is a westeurope Storage address', () => {
    expect(tags.get('Storage.WestEurope')!.v4).toContain('52.239.0.0/23');
  });
});
