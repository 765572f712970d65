// SAMPLE DATA, NOT MICROSOFT'S (but for one real Storage prefix per region, below): a small invented service-tag set that ships with vnetsim so scenarios run without a
// download (`serviceTags: builtin`). The prefixes are plausible (Azure-like public space) but made up; they do not
// overlap between services or regions, and each global tag is exactly the union of its regional tags. For real
// results load Microsoft's ServiceTags_Public.json with loadServiceTags().

import { regionDisplayName } from '../regions.js';
import { loadServiceTags } from './load.js';
import type { ServiceTagSet } from './types.js';

/** Regions of the sample; the set is closed under pairing (westeurope<->northeurope, eastus<->westus). */
export const BUILTIN_REGIONS = ['westeurope', 'northeurope', 'eastus', 'westus'] as const;

interface SampleService {
  tag: string;
  systemService: string;
  /** Prefixes per region, in BUILTIN_REGIONS order. */
  perRegion: (i: number) => string[];
}

const VSE = ['API', 'NSG', 'UDR', 'FW', 'VSE'];
const REGIONAL = ['API', 'NSG', 'UDR', 'FW'];

// One real prefix per region (Microsoft's Storage.<Region>, ServiceTags_Public changeNumber 376), so that an address
// such as the quickstart's storage account holds with both this sample and Microsoft's file.
const REAL_STORAGE = ['52.239.212.0/23', '52.239.248.0/24', '52.239.214.0/23', '52.239.228.0/23'];

// Region i gets its own sub-blocks; every family of blocks is disjoint from the others.
const SAMPLE: SampleService[] = [
  {
    tag: 'Storage', systemService: 'AzureStorage',
    perRegion: (i) => [`52.239.${2 * i}.0/23`, `52.239.${136 + 4 * i}.0/22`, `20.38.${100 + 2 * i}.0/23`,
      `20.60.${8 + i}.0/24`, REAL_STORAGE[i]!, `2603:1020:${(0x200 + i).toString(16)}::/48`],
  },
  {
    tag: 'Sql', systemService: 'AzureSQL',
    perRegion: (i) => [`40.68.${2 * i}.0/23`, `13.69.${112 + i}.0/24`, `2603:1020:${(0x300 + i).toString(16)}::/48`],
  },
  {
    tag: 'AzureCosmosDB', systemService: 'AzureCosmosDB',
    perRegion: (i) => [`40.74.${i}.0/24`, `13.69.${120 + i}.0/25`, `2603:1020:${(0x400 + i).toString(16)}::/48`],
  },
  {
    tag: 'AzureKeyVault', systemService: 'AzureKeyVault',
    perRegion: (i) => [`52.236.${i}.0/25`, `13.69.${124 + i}.0/26`, `2603:1020:${(0x500 + i).toString(16)}::/48`],
  },
  { tag: 'ServiceBus', systemService: 'AzureServiceBus', perRegion: (i) => [`52.138.${i}.0/24`, `13.69.${128 + i}.0/26`] },
  { tag: 'EventHub', systemService: 'AzureEventHub', perRegion: (i) => [`52.169.${i}.0/24`, `13.69.${132 + i}.0/26`] },
  { tag: 'AppService', systemService: 'AzureAppService', perRegion: (i) => [`40.113.${i}.0/24`, `13.69.${136 + i}.0/26`] },
  {
    tag: 'AzureContainerRegistry', systemService: 'AzureContainerRegistry',
    perRegion: (i) => [`40.114.${i}.0/26`, `13.69.${140 + i}.0/27`],
  },
];

/** Microsoft-format JSON of the sample (exported for tests and for `vnetsim` to print). */
export function builtinServiceTagsJson(): { changeNumber: number; cloud: string; values: unknown[] } {
  const values: unknown[] = [];
  for (const s of SAMPLE) {
    const all: string[] = [];
    const regional: unknown[] = [];
    BUILTIN_REGIONS.forEach((r, i) => {
      const prefixes = s.perRegion(i);
      all.push(...prefixes);
      const name = `${s.tag}.${regionDisplayName(r)}`;
      regional.push({ name, id: name, properties: { region: r, systemService: s.systemService, addressPrefixes: prefixes, networkFeatures: REGIONAL } });
    });
    values.push({ name: s.tag, id: s.tag, properties: { region: '', systemService: s.systemService, addressPrefixes: all, networkFeatures: VSE } });
    values.push(...regional);
  }
  // Azure AD has no regional tags; its endpoint (Microsoft.AzureActiveDirectory) uses the global tag.
  values.push({
    name: 'AzureActiveDirectory', id: 'AzureActiveDirectory',
    properties: { region: '', systemService: 'AzureAD', addressPrefixes: ['20.190.128.0/18', '40.126.0.0/18'], networkFeatures: VSE },
  });
  return { changeNumber: 1, cloud: 'Public', values };
}

let cached: ServiceTagSet | undefined;

/** The built-in SAMPLE tag set (`source: 'builtin (sample)'`). */
export function builtinServiceTags(): ServiceTagSet {
  cached ??= loadServiceTags(builtinServiceTagsJson(), 'builtin (sample)');
  return cached;
}
