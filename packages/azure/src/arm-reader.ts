// Lazy reading of an ARM template: a value is evaluated only when the importer reads it, so expressions in parts
// vnetsim does not model (osProfile, storageProfile...) are never evaluated nor reported. Every problem is a warning
// with the JSON path of the value (`resources[2].properties.subnets[0].properties.addressPrefix`).

import { ArmExprError, evaluateString, type ArmScope } from './arm-expr.js';
import { show } from './arm-expr.js';
import { getCi } from './arm-scope.js';

export interface ImportWarning {
  path: string;
  message: string;
}

/** Collects warnings once per (path, message). */
export class Warnings {
  readonly list: ImportWarning[] = [];
  private readonly seen = new Set<string>();
  add(path: string, message: string): void {
    const k = `${path}\u0000${message}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.list.push({ path, message });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Where a value built by an importer (Terraform, az) came from in the user's file: its own JSON path, and the paths of
 * keys renamed on the way (`addressPrefixes` <- `values.address_prefixes`), so every warning names the user's path.
 */
interface Origin {
  path?: string;
  keys?: Record<string, string>;
}
const ORIGINS = new WeakMap<object, Origin>();

/** Records that `obj` (built from the user's input) stands at `path`, its key `k` at `keys[k]`. */
export function setOrigin<T extends object>(obj: T, path: string | undefined, keys?: Record<string, string>): T {
  ORIGINS.set(obj, { ...(path === undefined ? {} : { path }), ...(keys === undefined ? {} : { keys }) });
  return obj;
}

function childPath(parent: unknown, parentPath: string, key: string, child: unknown): string {
  const o = isObject(parent) ? ORIGINS.get(parent) : undefined;
  const k = o?.keys?.[key];
  if (k !== undefined) return k;
  const c = child !== null && typeof child === 'object' ? ORIGINS.get(child) : undefined;
  if (c?.path !== undefined) return c.path;
  return `${parentPath}.${key}`;
}

/** A JSON value of the template at `path`, evaluated on demand in `scope`. */
export class Val {
  constructor(
    readonly raw: unknown,
    readonly path: string,
    readonly scope: ArmScope,
    readonly w: Warnings,
    /** True when `raw` is already the result of an expression (results are never evaluated again). */
    private readonly evaluated = false,
    /** Prefix of messages (e.g. `copy 1: `) for values of one copy-loop iteration. */
    readonly label = '',
    /** az prints resources with `properties` flattened into the object: `get('properties')` then returns the object. */
    readonly flat = false,
  ) {}

  /** The value itself, expressions evaluated (deeply); undefined (and a warning) when it cannot be evaluated. */
  value(): unknown {
    if (this.evaluated) return this.raw;
    try {
      return deepEval(this.raw, this.scope);
    } catch (e) {
      if (!(e instanceof ArmExprError)) throw e;
      this.warn(`${e.message}; left out`);
      return undefined;
    }
  }

  private shallow(): { v: unknown; evaluated: boolean } | undefined {
    if (this.evaluated || typeof this.raw !== 'string') return { v: this.raw, evaluated: this.evaluated };
    try {
      return { v: evaluateString(this.raw, this.scope), evaluated: true };
    } catch (e) {
      if (!(e instanceof ArmExprError)) throw e;
      this.warn(`${e.message}; left out`);
      return undefined;
    }
  }

  /** Child `key` (case-insensitive), or undefined when absent (no warning) or not evaluable (warning). */
  get(key: string): Val | undefined {
    const s = this.shallow();
    if (s === undefined || !isObject(s.v)) return undefined;
    if (!s.evaluated && Array.isArray(s.v['copy'])) {
      const looped = this.propertyCopy(s.v['copy'], key);
      if (looped !== undefined) return looped;
    }
    const hit = getCi(s.v, key);
    if (hit === undefined || hit[1] === undefined || hit[1] === null) {
      if (this.flat && key === 'properties') return this;
      return undefined;
    }
    return new Val(hit[1], childPath(s.v, this.path, hit[0], hit[1]), this.scope, this.w, s.evaluated, this.label, this.flat);
  }

  /** `a.b.c` */
  at(dotted: string): Val | undefined {
    let v: Val | undefined = this;
    for (const k of dotted.split('.')) v = v?.get(k);
    return v;
  }

  /** Elements of an array (none when absent or not an array; a warning when it is something else). */
  items(): Val[] {
    const s = this.shallow();
    if (s === undefined) return [];
    if (!Array.isArray(s.v)) {
      this.warn(`expected a list, found ${show(s.v)}; left out`);
      return [];
    }
    return s.v.map((x, i) => {
      const o = x !== null && typeof x === 'object' ? ORIGINS.get(x) : undefined;
      return new Val(x, o?.path ?? `${this.path}[${i}]`, this.scope, this.w, s.evaluated, this.label, this.flat);
    });
  }

  /**
   * ARM property iteration: `copy: [ { name: 'subnets', count, input } ]` defines the array property `subnets`.
   * Each input is evaluated with copyIndex('subnets'); an input that cannot be evaluated is reported and left out.
   */
  private propertyCopy(loops: unknown[], key: string): Val | undefined {
    const j = loops.findIndex((l) => isObject(l) && typeof l['name'] === 'string' && l['name'].toLowerCase() === key.toLowerCase());
    if (j < 0) return undefined;
    const loop = new Val(loops[j], `${this.path}.copy[${j}]`, this.scope, this.w, false, this.label);
    const name = String((loops[j] as Record<string, unknown>)['name']);
    const count = loop.get('count')?.num();
    if (count === undefined || !Number.isInteger(count) || count < 0 || count > 800) {
      loop.warn(`property copy loop "${name}": count must be an integer from 0 to 800; left out`);
      return new Val([], `${this.path}.${name}`, this.scope, this.w, true, this.label);
    }
    const input = (loops[j] as Record<string, unknown>)['input'];
    const items: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const scope: ArmScope = { ...this.scope, namedCopyIndex: { ...this.scope.namedCopyIndex, [name]: i } };
      // What cannot be evaluated is left out value by value (and said), so the item itself stays: a subnet whose
      // prefix is not evaluable is then reported as a subnet left out, never silently missing from the list.
      const at = `${this.path}.copy[${j}].input`;
      items.push(partialEval(input, scope, at, 0, (p, m) => this.w.add(p, `${this.label}copy ${name} ${i}: ${m}; left out`)));
    }
    return new Val(items, `${this.path}.${name}`, this.scope, this.w, true, this.label);
  }

  str(): string | undefined {
    const v = this.value();
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    this.warn(`expected a string, found ${show(v)}; left out`);
    return undefined;
  }

  num(): number | undefined {
    const v = this.value();
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
    if (v !== undefined) this.warn(`expected a number, found ${show(v)}; left out`);
    return undefined;
  }

  bool(): boolean | undefined {
    const v = this.value();
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    if (v !== undefined) this.warn(`expected true or false, found ${show(v)}; left out`);
    return undefined;
  }

  /** A string or a list of strings, as a list. */
  strs(): string[] {
    const v = this.value();
    if (v === undefined) return [];
    const list = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    list.forEach((x, i) => {
      if (typeof x === 'string' || typeof x === 'number') out.push(String(x));
      else this.w.add(Array.isArray(v) ? `${this.path}[${i}]` : this.path, `${this.label}expected a string, found ${show(x)}; left out`);
    });
    return out;
  }

  warn(message: string): void {
    this.w.add(this.path, `${this.label}${message}`);
  }
}

/** Deeper than this is no resource anyone writes; refusing it keeps the stack bounded. */
export const MAX_DEPTH = 200;

function deepEval(v: unknown, scope: ArmScope, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new ArmExprError(`nested more than ${MAX_DEPTH} deep`);
  if (typeof v === 'string') return evaluateString(v, scope);
  if (Array.isArray(v)) return v.map((x) => deepEval(x, scope, depth + 1));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepEval(x, scope, depth + 1);
    return out;
  }
  return v;
}

/** Evaluates what it can: a value whose expression fails is left out of its object or list, and reported. */
function partialEval(v: unknown, scope: ArmScope, path: string, depth: number, fail: (path: string, message: string) => void): unknown {
  if (depth > MAX_DEPTH) {
    fail(path, `nested more than ${MAX_DEPTH} deep`);
    return undefined;
  }
  if (typeof v === 'string') {
    try {
      return evaluateString(v, scope);
    } catch (e) {
      if (!(e instanceof ArmExprError)) throw e;
      fail(path, e.message);
      return undefined;
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => partialEval(x, scope, `${path}[${i}]`, depth + 1, fail)).filter((x) => x !== undefined);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = partialEval(x, scope, `${path}.${k}`, depth + 1, fail);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return v;
}
