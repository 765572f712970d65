// The resources of an ARM template as a flat list of instances: nested child resources get their full type and
// names, resource copy loops are unrolled (copyIndex()), and each instance knows its JSON path.

import { parseResourceId } from './arm-expr.js';
import type { TemplateScope } from './arm-scope.js';
import { Val, type Warnings } from './arm-reader.js';

/** Most copies of one resource ARM allows. */
const MAX_COPIES = 800;

export interface ArmResource {
  /** Full type, lower case: `microsoft.network/virtualnetworks/subnets`. */
  type: string;
  /** Names, parent first (`['VNet1', 'subnet1']`). */
  names: string[];
  /** The resource object (lazy: `res.get('properties')`). */
  res: Val;
  path: string;
  copyIndex?: number;
  /** The resource id, when the input states it (Terraform state, az exports). */
  id?: string;
  /** The resource group, when the input states it. */
  resourceGroup?: string;
  /** `existing: true` (a symbolic-name template's reference to a resource deployed elsewhere). */
  existing?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `base`: the JSON path of the template (`resources[3].properties.template.` for a nested deployment's). */
export function collectResources(template: Record<string, unknown>, scope: TemplateScope, w: Warnings, base = ''): ArmResource[] {
  const out: ArmResource[] = [];
  const list = template['resources'];
  if (isObject(list)) {
    // languageVersion 2.0 (Bicep with symbolic names): resources are an object keyed by symbolic name.
    walkSymbolic(Object.entries(list), scope, w, out);
    return out;
  }
  if (!Array.isArray(list)) {
    w.add(`${base}resources`, 'expected a list of resources; nothing imported');
    return out;
  }
  const walk = (items: unknown[], base: string, parent: { type: string; names: string[] } | undefined, parentCopy: number | undefined) => {
    items.forEach((raw, i) => {
      const path = `${base}[${i}]`;
      if (!isObject(raw)) {
        w.add(path, 'expected a resource object; left out');
        return;
      }
      const copies = copyCount(raw, path, scope, w, parentCopy);
      for (const ci of copies) {
        const s = ci === undefined ? scope : scope.withCopyIndex(ci);
        const label = ci === undefined ? '' : `copy ${ci}: `;
        const res = new Val(raw, path, s, w, false, label);
        const type = res.get('type')?.str();
        const name = res.get('name')?.str();
        if (type === undefined) continue;
        let fullType = type.replace(/\/+$/, '');
        let names = name === undefined ? [] : name.split('/');
        if (parent !== undefined && !fullType.includes('/')) {
          fullType = `${parent.type}/${fullType}`;
          names = [...parent.names, ...names];
        }
        const r: ArmResource = { type: fullType.toLowerCase(), names, res, path };
        if (ci !== undefined) r.copyIndex = ci;
        if (name === undefined) {
          // The name could not be evaluated (already reported); a placeholder keeps the resource and its references.
          const placeholder = `${fullType.split('/').pop()!.toLowerCase()}-${i}${ci === undefined ? '' : `-${ci}`}`;
          names.push(placeholder);
          w.add(`${path}.name`, `${label}named "${placeholder}" instead`);
        }
        out.push(r);
        const children = raw['resources'];
        if (Array.isArray(children)) walk(children, `${path}.resources`, { type: fullType, names }, ci);
      }
    });
  };
  walk(list, `${base}resources`, undefined, undefined);
  return out;

  function walkSymbolic(entries: Array<[string, unknown]>, s0: TemplateScope, w0: Warnings, acc: ArmResource[]): void {
    for (const [sym, raw] of entries) {
      const path = `${base}resources.${sym}`;
      if (!isObject(raw)) {
        w0.add(path, 'expected a resource object; left out');
        continue;
      }
      for (const ci of copyCount(raw, path, s0, w0, undefined)) {
        const s = ci === undefined ? s0 : s0.withCopyIndex(ci);
        const label = ci === undefined ? '' : `copy ${ci}: `;
        const res = new Val(raw, path, s, w0, false, label);
        const type = res.get('type')?.str();
        const name = res.get('name')?.str();
        if (type === undefined) continue;
        const fullType = type.replace(/\/+$/, '').split('@')[0]!;
        const names = name === undefined ? [`${sym}${ci === undefined ? '' : `-${ci}`}`] : name.split('/');
        if (name === undefined) w0.add(`${path}.name`, `${label}named "${names[0]}" (its symbolic name) instead`);
        const r: ArmResource = { type: fullType.toLowerCase(), names, res, path };
        if (ci !== undefined) r.copyIndex = ci;
        if (raw['existing'] === true) r.existing = true;
        acc.push(r);
      }
    }
  }
}

function copyCount(raw: Record<string, unknown>, path: string, scope: TemplateScope, w: Warnings, parentCopy: number | undefined): Array<number | undefined> {
  if (!('copy' in raw)) return [parentCopy];
  if (parentCopy !== undefined) {
    w.add(`${path}.copy`, 'a copy loop inside a copied resource is not supported; left out');
    return [];
  }
  const copy = new Val(raw['copy'], `${path}.copy`, scope, w);
  const count = copy.get('count')?.num();
  if (count === undefined || !Number.isInteger(count) || count < 0 || count > MAX_COPIES) {
    w.add(`${path}.copy.count`, `expected an integer from 0 to ${MAX_COPIES}${count === undefined ? '' : `, found ${count}`}; resource left out`);
    return [];
  }
  return Array.from({ length: count }, (_, i) => i);
}

/** The names of a reference `{ id }` (or an id string) to a resource of `type` (`Microsoft.Network/networkSecurityGroups`). */
export function refNames(v: Val | undefined, type: string): string[] | undefined {
  if (v === undefined) return undefined;
  const idVal = typeof v.value() === 'string' ? v : v.get('id');
  const id = idVal?.str();
  if (id === undefined) return undefined;
  const p = parseResourceId(id);
  if (p === undefined || p.type.toLowerCase() !== type.toLowerCase()) {
    (idVal ?? v).warn(`expected the id of a ${type}, found "${id}"; left out`);
    return undefined;
  }
  return p.names;
}
