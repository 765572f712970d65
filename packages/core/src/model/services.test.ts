import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinServiceTags } from './service-tags/builtin.js';
import { ServiceTagError } from './service-tags/errors.js';
import { loadServiceTags } from './service-tags/load.js';
import { endpointScope, ENDPOINT_SERVICES, hasStoragePolicy, isEndpointService } from './services.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const tags = builtinServiceTags();
const prefixes = (name: string) => [...tags.get(name)!.v4];

describe('endpoint services', () => {
  it('table: tags, scopes, R-SVC-3 limits, R-SVC-1 errors', () => {
    expect(ENDPOINT_SERVICES['Microsoft.Storage']).toMatchObject({ tag: 'Storage', scope: 'regionAndPair', vnetRuleLimit: 200, ipRuleLimit: 200 });
    expect(ENDPOINT_SERVICES['Microsoft.Storage']!.errorOnDeny.vnet).toBe('403 AuthorizationFailure');
    expect(ENDPOINT_SERVICES['Microsoft.Sql']).toMatchObject({ tag: 'Sql', scope: 'region', vnetRuleLimit: 128, errorOnDeny: { vnet: '40914', ip: '40615' } });
    expect(ENDPOINT_SERVICES['Microsoft.KeyVault']).toMatchObject({ tag: 'AzureKeyVault', scope: 'global', vnetRuleLimit: 200, ipRuleLimit: 1000 });
    expect(ENDPOINT_SERVICES['Microsoft.AzureCosmosDB']!.vnetRuleLimit).toBe(64);
    expect(ENDPOINT_SERVICES['Microsoft.EventHub']!.vnetRuleLimit).toBe(128);
    expect(ENDPOINT_SERVICES['Microsoft.ServiceBus']!.vnetRuleLimit).toBe(128);
    expect(isEndpointService('microsoft.storage')).toBe(true);
    expect(isEndpointService('Microsoft.Nope')).toBe(false);
  });

  it('R-POL-2: a Storage endpoint policy on the subnet makes the Storage scope global; other services keep theirs', () => {
    const tags = builtinServiceTags();
    const plain = endpointScope(tags, 'Microsoft.Storage', 'westeurope');
    expect(plain.tagNames).toEqual(['Storage.WestEurope', 'Storage.NorthEurope']);
    const widened = endpointScope(tags, 'Microsoft.Storage', 'westeurope', undefined, true);
    expect(widened.tagNames).toEqual(['Storage']);
    expect(widened.v4).toEqual(tags.get('Storage')!.v4);
    expect(widened.v4).toContain('52.239.4.0/23'); // East US
    // Explicit locations are widened too: the policy decides.
    expect(endpointScope(tags, 'Microsoft.Storage', 'westeurope', ['westeurope'], true).tagNames).toEqual(['Storage']);
    // R-POL-1: policies are for Storage; Sql keeps its own region with the flag set.
    expect(endpointScope(tags, 'Microsoft.Sql', 'westeurope', undefined, true).tagNames).toEqual(['Sql.WestEurope']);
    const net = { endpointPolicies: [{ name: 'p', service: 'Microsoft.Storage', resources: [] }] };
    expect(hasStoragePolicy(net, { endpointPolicies: ['p'] })).toBe(true);
    expect(hasStoragePolicy(net, { endpointPolicies: [] })).toBe(false);
    expect(hasStoragePolicy(net, { endpointPolicies: ['other'] })).toBe(false);
  });

  it('R-SE-REGION: Storage covers own region and its pair', () => {
    const s = endpointScope(tags, 'Microsoft.Storage', 'WestEurope');
    expect(s.tagNames).toEqual(['Storage.WestEurope', 'Storage.NorthEurope']);
    expect(s.v4).toEqual([...prefixes('Storage.WestEurope'), ...prefixes('Storage.NorthEurope')]);
    expect(s.v4).not.toContain(prefixes('Storage.EastUS')[0]);
    expect(s.v6).toEqual([...tags.get('Storage.WestEurope')!.v6, ...tags.get('Storage.NorthEurope')!.v6]);
  });

  it('R-SE-REGION: Sql covers its own region only', () => {
    const s = endpointScope(tags, 'Microsoft.Sql', 'eastus');
    expect(s.tagNames).toEqual(['Sql.EastUS']);
    expect(s.v4).toEqual(prefixes('Sql.EastUS'));
  });

  it.each([
    ['Microsoft.AzureCosmosDB', 'AzureCosmosDB'],
    ['Microsoft.KeyVault', 'AzureKeyVault'],
    ['Microsoft.ServiceBus', 'ServiceBus'],
    ['Microsoft.EventHub', 'EventHub'],
    ['Microsoft.Web', 'AppService'],
    ['Microsoft.ContainerRegistry', 'AzureContainerRegistry'],
    ['Microsoft.AzureActiveDirectory', 'AzureActiveDirectory'],
    ['Microsoft.Storage.Global', 'Storage'],
  ])('R-SE-REGION: %s covers the global tag %s', (service, tag) => {
    const s = endpointScope(tags, service, 'westeurope');
    expect(s.tagNames).toEqual([tag]);
    expect(s.v4).toEqual(prefixes(tag));
  });

  it('R-SE-REGION: explicit locations give those regions, deduplicated', () => {
    const s = endpointScope(tags, 'Microsoft.Storage', 'westeurope', ['eastus', 'EastUS', 'westus']);
    expect(s.tagNames).toEqual(['Storage.EastUS', 'Storage.WestUS']);
    expect(s.v4).toEqual([...prefixes('Storage.EastUS'), ...prefixes('Storage.WestUS')]);
    expect(endpointScope(tags, 'Microsoft.KeyVault', 'westeurope', ['northeurope']).tagNames).toEqual(['AzureKeyVault.NorthEurope']);
  });

  it("R-SE-REGION: locations ['*'] give the global tag", () => {
    const s = endpointScope(tags, 'Microsoft.Storage', 'westeurope', ['*']);
    expect(s.tagNames).toEqual(['Storage']);
    expect(s.v4.length).toBe(prefixes('Storage').length);
  });

  it('unknown service or missing tag is an error, never an empty scope', () => {
    expect(() => endpointScope(tags, 'Microsoft.Nope', 'westeurope')).toThrow(ServiceTagError);
    expect(() => endpointScope(tags, 'Microsoft.Sql', 'uksouth')).toThrow(/Sql\.UKSouth .*not in the tag set "builtin \(sample\)"/);
    expect(() => endpointScope(tags, 'Microsoft.CognitiveServices', 'westeurope')).toThrow(/CognitiveServicesManagement/);
  });

  const f = path.resolve(ROOT, '../shared/data/service-tags/ServiceTags_Public.cn376.json');
  it.skipIf(!existsSync(f))('R-SE-REGION on the real file: Storage francecentral + francesouth, westus3 -> eastus (reads ../shared/data/service-tags)', () => {
    const real = loadServiceTags(JSON.parse(readFileSync(f, 'utf8')), f);
    expect(endpointScope(real, 'Microsoft.Storage', 'francecentral').tagNames).toEqual(['Storage.FranceCentral', 'Storage.FranceSouth']);
    expect(endpointScope(real, 'Microsoft.Storage', 'westus3').tagNames).toEqual(['Storage.WestUS3', 'Storage.EastUS']);
    const we = endpointScope(real, 'Microsoft.Storage', 'westeurope');
    expect(we.v4.length + we.v6.length).toBe(98 + 90); // Storage.WestEurope + Storage.NorthEurope, disjoint
    expect(endpointScope(real, 'Microsoft.Sql', 'eastus2').tagNames).toEqual(['Sql.EastUS2']); // not Sql.EastUS2Stage
    expect(endpointScope(real, 'Microsoft.KeyVault', 'westeurope').tagNames).toEqual(['AzureKeyVault']);
  });
});
