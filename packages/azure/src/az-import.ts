// az CLI exports -> resources in ARM's REST shape, for buildNetwork. `az network vnet list`, `az network nsg list`,
// `az storage account list` ... print REST resources with `properties` flattened into the object (the reader's Val
// then finds `properties.x` at `x`); `az resource list` and Resource Graph print them with `properties` nested, or
// with no properties at all, which is said. Each file is a list, one resource (az ... show), or a Resource Graph
// answer ({ data: [...] }).

import { DEFAULT_DEPLOYMENT, parseResourceId, type ArmDeployment } from './arm-expr.js';
import { show } from './arm-expr.js';
import { Val, type Warnings } from './arm-reader.js';
import { isRelevantType } from './arm-context.js';
import { literalScope, type ReaderResult } from './terraform-import.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface AzFile {
  /** How paths name the file (its base name). */
  label: string;
  doc: unknown;
}

/** The resources of one az/Resource Graph document, with the JSON path of each. */
function itemsOf(doc: unknown, label: string): Array<{ v: unknown; path: string }> {
  if (Array.isArray(doc)) return doc.map((v, i) => ({ v, path: `${label}[${i}]` }));
  if (isObject(doc) && Array.isArray(doc['data'])) return doc['data'].map((v, i) => ({ v, path: `${label}.data[${i}]` }));
  if (isObject(doc) && Array.isArray(doc['value'])) return doc['value'].map((v, i) => ({ v, path: `${label}.value[${i}]` }));
  return [{ v: doc, path: label }];
}

/** True when a document looks like az output: resources with `id` and `type` of Azure's form. */
export function isAzDocument(doc: unknown): boolean {
  const items = itemsOf(doc, '');
  return items.length > 0 && items.some(({ v }) => isObject(v) && typeof v['id'] === 'string' && /^\/subscriptions\//i.test(v['id']) && typeof v['type'] === 'string');
}

export function readAz(files: AzFile[], w: Warnings, deployment: ArmDeployment = DEFAULT_DEPLOYMENT): ReaderResult {
  const out: ReaderResult = { resources: [], imported: [], skipped: [] };
  const scope = literalScope(deployment);
  const seen = new Set<string>();
  for (const f of files) {
    const items = itemsOf(f.doc, f.label);
    if (items.length === 0) w.add(f.label, 'an empty list: nothing in this file');
    for (const { v, path } of items) {
      if (!isObject(v)) {
        w.add(path, `expected a resource object, found ${show(v)}; left out`);
        continue;
      }
      const id = typeof v['id'] === 'string' ? v['id'] : undefined;
      const parsed = id === undefined ? undefined : parseResourceId(id);
      if (id === undefined || parsed === undefined || parsed.type === '') {
        w.add(`${path}.id`, 'expected a resource id (/subscriptions/../providers/Namespace/type/name); left out');
        out.skipped.push({ id: id ?? path, type: typeof v['type'] === 'string' ? v['type'] : 'unknown', path, reason: 'no resource id', relevant: true });
        continue;
      }
      const type = typeof v['type'] === 'string' && v['type'].includes('/') ? v['type'] : parsed.type;
      const label = { id, type, path };
      if (seen.has(id.toLowerCase())) {
        out.imported.push(label); // listed twice (two exports of one resource): one resource
        continue;
      }
      seen.add(id.toLowerCase());
      // az resource list (and a Resource Graph query without properties) print no properties: nothing to model.
      if ('properties' in v && (v['properties'] === null || v['properties'] === undefined) && !flattenedProperties(v)) {
        w.add(`${path}.properties`, 'this export has no properties (az resource list prints none); export it with its own az command (az network vnet list ...) or a Resource Graph query that selects properties; left out');
        out.skipped.push({ ...label, reason: 'the export has no properties', relevant: isRelevantType(type) });
        continue;
      }
      if (/^microsoft\.keyvault\/vaults$/i.test(type) && !('properties' in v) && !('networkAcls' in v)) {
        w.add(path, '`az keyvault list` prints no network rules; export the vault with `az keyvault show`; left out');
        out.skipped.push({ ...label, reason: 'no network rules in this export (use az keyvault show)', relevant: true });
        continue;
      }
      const res = new Val(v, path, scope, w, true, '', true);
      const rg = typeof v['resourceGroup'] === 'string' ? v['resourceGroup'] : parsed.resourceGroup;
      out.resources.push({ type: type.toLowerCase(), names: parsed.names, res, path, id, ...(rg === undefined ? {} : { resourceGroup: rg }) });
    }
  }
  return out;
}

/** az's flattened shape: the REST properties sit beside id and type (addressSpace, securityRules, ...). */
function flattenedProperties(v: Record<string, unknown>): boolean {
  return ['addressSpace', 'subnets', 'securityRules', 'routes', 'ipConfigurations', 'networkRuleSet', 'networkAcls', 'publicIpAddresses', 'virtualNetworkSubnetId', 'ipAddress'].some((k) => k in v);
}
