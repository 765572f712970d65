import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyNetwork, loadServiceTags, type NetworkSpec, type ServiceTagSet } from '@vnetsim/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffTagEditions } from './tags-diff.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const DIR = path.resolve(ROOT, '../shared/data/service-tags');
const OLD = path.join(DIR, 'ServiceTags_Public.cn240.json');
const NEW = path.join(DIR, 'ServiceTags_Public.cn376.json');

function network(): NetworkSpec {
  const net = emptyNetwork();
  net.vnets.push({
    name: 'hub', region: 'westeurope', subscription: 'default', tenant: 'default', deploymentModel: 'ResourceManager', addressSpace: ['10.0.0.0/16'], peerings: [],
    subnets: [
      { name: 'app', prefix: '10.0.1.0/24', nsg: 'app-nsg', serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.Sql' }], endpointPolicies: [] },
      { name: 'plain', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] },
    ],
  });
  net.nsgs.push({
    name: 'app-nsg',
    rules: [
      { name: 'to-storage', priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', source: 'VirtualNetwork', sourcePorts: '*', destination: 'Storage.WestEurope', destinationPorts: '443' },
      { name: 'to-internet', priority: 200, direction: 'Outbound', access: 'Deny', protocol: '*', source: '*', sourcePorts: '*', destination: 'Internet', destinationPorts: '*' },
      { name: 'from-pair', priority: 300, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: 'Storage.NorthEurope', sourcePorts: '*', destination: '*', destinationPorts: '443' },
    ],
  });
  return net;
}

describe(`tags diff on the real editions cn240 -> cn376 (reads ${DIR})`, () => {
  let a: ServiceTagSet, b: ServiceTagSet;
  const present = existsSync(OLD) && existsSync(NEW);
  beforeAll(() => {
    if (!present) return;
    a = loadServiceTags(JSON.parse(readFileSync(OLD, 'utf8')), OLD);
    b = loadServiceTags(JSON.parse(readFileSync(NEW, 'utf8')), NEW);
  });

  it.skipIf(!present)('prefixes added and removed per tag, filtered by service and region', () => {
    const r = diffTagEditions(a, b, { service: 'Storage', region: 'westeurope' });
    expect([r.oldChangeNumber, r.newChangeNumber]).toEqual([240, 376]);
    expect(r.tags.map((t) => [t.tag, t.status, t.added.length, t.removed.length])).toEqual([['Storage.WestEurope', 'changed', 22, 0]]);
    expect(r.tags[0]!.added).toContain('135.130.102.0/23');
    const ne = diffTagEditions(a, b, { service: 'Storage.NorthEurope' }).tags;
    expect(ne.map((t) => [t.tag, t.added.length, t.removed])).toEqual([['Storage.NorthEurope', 25, ['2603:1020:6::/48']]]);
    // Whole tags appear and disappear: new regions, retired ones.
    const storage = diffTagEditions(a, b, { service: 'Microsoft.Storage' }).tags;
    expect(storage.find((t) => t.tag === 'Storage.AustriaEast')?.status).toBe('added');
    expect(storage.find((t) => t.tag === 'Storage.UKNorth')).toMatchObject({ status: 'removed', added: [] });
    expect(storage.every((t) => t.tag.toLowerCase().startsWith('storage'))).toBe(true);
  });

  it.skipIf(!present)('R-SE-REGION: which subnet endpoint routes and which NSG rules the update changes', () => {
    const r = diffTagEditions(a, b, {}, network());
    // Storage in westeurope covers Storage.WestEurope + Storage.NorthEurope (the pair): 22 + 25 added, 1 removed.
    const st = r.endpointRoutes!.find((e) => e.service === 'Microsoft.Storage')!;
    expect(st).toMatchObject({ subnet: 'hub/app', tagNames: ['Storage.WestEurope', 'Storage.NorthEurope'], removed: ['2603:1020:6::/48'] });
    expect(st.added).toHaveLength(47);
    // Sql covers its own region only: Sql.WestEurope, 7 added and 3 removed.
    const sql = r.endpointRoutes!.find((e) => e.service === 'Microsoft.Sql')!;
    expect(sql.tagNames).toEqual(['Sql.WestEurope']);
    expect([sql.added.length, sql.removed.length]).toEqual([7, 3]);
    expect(sql.removed).toContain('40.115.37.61/32');
    expect(r.endpointRoutes!.some((e) => e.subnet === 'hub/plain')).toBe(false);
    // NSG rules naming a changed tag; Internet is derived per VNet, not from the file.
    expect(r.nsgRules!.map((n) => [n.rule, n.side, n.tag, n.added.length, n.removed.length])).toEqual([
      ['to-storage', 'destination', 'Storage.WestEurope', 22, 0],
      ['from-pair', 'source', 'Storage.NorthEurope', 25, 1],
    ]);
    // The service filter applies to endpoints and rules as well.
    const onlySql = diffTagEditions(a, b, { service: 'Sql' }, network());
    expect(onlySql.endpointRoutes!.map((e) => e.service)).toEqual(['Microsoft.Sql']);
    expect(onlySql.nsgRules).toEqual([]);
  });

});
