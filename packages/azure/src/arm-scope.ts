// The evaluation scope of one ARM template: parameters (a deploymentParameters file wins over defaultValue) and
// variables, evaluated lazily (only what the importer reads), memoized, with cycles refused.

import { ArmExprError, evaluateValue, type ArmDeployment, type ArmScope } from './arm-expr.js';
import { show } from './arm-expr.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Case-insensitive lookup (ARM names are case-insensitive). */
export function getCi(o: Record<string, unknown>, name: string): [string, unknown] | undefined {
  if (Object.prototype.hasOwnProperty.call(o, name)) return [name, o[name]];
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : [key, o[key]];
}

/** `{ parameters: { name: { value } } }` (deploymentParameters) -> name -> value; also accepts the inner map alone. */
export function readParameterValues(file: unknown): { values: Map<string, unknown>; problems: string[] } {
  const values = new Map<string, unknown>();
  const problems: string[] = [];
  if (file === undefined) return { values, problems };
  const inner = isObject(file) && isObject(file['parameters']) ? file['parameters'] : file;
  if (!isObject(inner)) return { values, problems: ['parameters: expected { parameters: { name: { value } } }'] };
  for (const [name, p] of Object.entries(inner)) {
    if (name === '$schema' || name === 'contentVersion') continue;
    if (isObject(p) && 'value' in p) values.set(name.toLowerCase(), p['value']);
    else if (isObject(p) && 'reference' in p)
      problems.push(`parameters.${name}: a Key Vault reference is not supported (give the value); left out`);
    else problems.push(`parameters.${name}: expected { value: ... }`);
  }
  return { values, problems };
}

export interface TemplateScope extends ArmScope {
  /** A scope for one copy-loop iteration. */
  withCopyIndex(i: number): ArmScope;
}

/** Scope over a template's `parameters` and `variables`. `assumed` is told once per assumed value. */
export function templateScope(
  template: Record<string, unknown>,
  given: Map<string, unknown>,
  deployment: ArmDeployment,
  assumed: (what: string) => void,
): TemplateScope {
  const params = isObject(template['parameters']) ? template['parameters'] : {};
  const vars = isObject(template['variables']) ? template['variables'] : {};
  const pCache = new Map<string, unknown>();
  const vCache = new Map<string, unknown>();
  const busy = new Set<string>();

  const memo = (kind: 'parameters' | 'variables', cache: Map<string, unknown>, name: string, compute: () => unknown): unknown => {
    const key = name.toLowerCase();
    if (cache.has(key)) return cache.get(key);
    const id = `${kind}:${key}`;
    if (busy.has(id)) throw new ArmExprError(`${kind}('${name}') refers to itself`);
    busy.add(id);
    try {
      const v = compute();
      cache.set(key, v);
      return v;
    } finally {
      busy.delete(id);
    }
  };

  const scope: TemplateScope = {
    deployment,
    assumed,
    parameter(name) {
      return memo('parameters', pCache, name, () => {
        const decl = getCi(params, name);
        if (decl === undefined) throw new ArmExprError(`parameters('${name}'): the template declares no such parameter`);
        if (given.has(name.toLowerCase())) return given.get(name.toLowerCase());
        const d = decl[1];
        if (!isObject(d) || !('defaultValue' in d))
          throw new ArmExprError(`parameters('${name}') has no defaultValue; give it in --parameters`);
        try {
          return evaluateValue(d['defaultValue'], scope);
        } catch (e) {
          throw wrap(e, `parameters('${name}') (parameters.${decl[0]}.defaultValue)`);
        }
      });
    },
    variable(name) {
      return memo('variables', vCache, name, () => {
        const decl = getCi(vars, name);
        if (decl === undefined) {
          const loops = Array.isArray(vars['copy']) ? vars['copy'] : [];
          const loop = loops.find((l) => isObject(l) && String(l['name']).toLowerCase() === name.toLowerCase());
          if (isObject(loop)) return variableCopy(loop, scope, `variables.copy[${loops.indexOf(loop)}]`);
          throw new ArmExprError(`variables('${name}'): the template declares no such variable`);
        }
        try {
          return evaluateValue(decl[1], scope);
        } catch (e) {
          throw wrap(e, `variables('${name}') (variables.${decl[0]})`);
        }
      });
    },
    withCopyIndex(i) {
      return { ...scope, copyIndex: i };
    },
  };
  return scope;
}

function wrap(e: unknown, where: string): unknown {
  if (!(e instanceof ArmExprError)) return e;
  return e.message.startsWith(where) ? e : new ArmExprError(`${where}: ${e.message}`);
}

/** Most iterations of one copy loop ARM allows. */
const MAX_COPIES = 800;

/** A variable copy loop (`variables.copy: [{ name, count, input }]`, what Bicep emits for a `for` in a variable). */
function variableCopy(loop: Record<string, unknown>, scope: ArmScope, where: string): unknown[] {
  const name = String(loop['name']);
  let count: unknown;
  try {
    count = evaluateValue(loop['count'], scope);
  } catch (e) {
    throw wrap(e, `${where}.count`);
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COPIES)
    throw new ArmExprError(`${where}.count: expected an integer from 0 to ${MAX_COPIES}, found ${show(count)}`);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const s: ArmScope = { ...scope, namedCopyIndex: { ...scope.namedCopyIndex, [name]: i } };
    try {
      out.push(evaluateValue(loop['input'], s));
    } catch (e) {
      throw wrap(e, `${where}.input (copy ${i})`);
    }
  }
  return out;
}
