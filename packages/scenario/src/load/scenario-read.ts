// A strict reader from YAML nodes to plain data, driven by a small schema (scenario-schema.ts). It never throws on bad
// input: each problem is recorded with the node's position and the path, and reading goes on to find the others.
// Objects are built only from known keys, so `__proto__` / `constructor` keys can never reach a prototype.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import { didYouMean, type ScenarioProblem } from './scenario-error.js';

/** A YAML node as the composer gives it (Scalar, YAMLMap, YAMLSeq, Alias) or null for an empty value. */
export type YNode = unknown;

/** What a value must be. `what` phrases read "expected <what>". */
export type Schema =
  | { k: 'str'; what?: string; enum?: readonly string[]; check?: (v: string) => string | null }
  | { k: 'int'; min: number; max: number; what?: string }
  | { k: 'bool' }
  | { k: 'list'; of: Schema; min?: number; what?: string }
  /** A string or a list of strings; numbers are accepted and become strings when `numbers` (ports). */
  | { k: 'strs'; check?: (v: string) => string | null; numbers?: boolean; what: string }
  /** A string or a number, kept as a string (serviceError: 403 AuthorizationFailure, 40914). */
  | { k: 'strnum'; what: string }
  | { k: 'obj'; fields: Fields; what: string; post?: (value: Record<string, unknown>, r: Reader, node: YNode, path: string) => void }
  /** A map whose keys come from `keys` (counts by disposition). */
  | { k: 'map'; keys: readonly string[]; value: Schema; what: string }
  /** The schema depends on the node (a string or an object form); `forms` lists every schema `pick` can return. */
  | { k: 'alt'; pick: (node: YNode) => Schema; forms: readonly Schema[] }
  /**
   * Read by a function (steps); `json` gives the JSON Schema of what it accepts (`vnetsim schema`; `of` converts a
   * Schema), absent: anything.
   */
  | { k: 'custom'; read: (node: YNode, r: Reader, path: string) => unknown; json?: (of: (s: Schema) => Record<string, unknown>) => Record<string, unknown> };

export interface Field {
  s: Schema;
  req?: boolean;
  /** Filled in when the key is absent (a fresh value each time). */
  def?: () => unknown;
}
export type Fields = Record<string, Field>;

class Budget extends Error {}

const MAX_DEPTH = 64;
const MAX_NODES = 2_000_000;

export class Reader {
  readonly problems: ScenarioProblem[] = [];
  private nodes = 0;
  private depth = 0;

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  /** Records a problem at a node (or at the start of the file when the node has no position). */
  report(node: YNode, path: string, message: string): void {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const pos = range === undefined ? { line: 1, col: 1 } : this.lc.linePos(range[0]);
    this.problems.push({ file: this.file, line: pos.line, column: pos.col, path, message });
  }

  /** Follows aliases (bounded: the file was checked with yaml's maxAliasCount first) and counts nodes. */
  deref(node: YNode): YNode {
    let n = node;
    for (let i = 0; isAlias(n); i++) {
      if (i > 100) throw new Budget('alias chain too long');
      n = n.resolve(this.doc) ?? null;
    }
    if (++this.nodes > MAX_NODES) throw new Budget(`more than ${MAX_NODES} values after expanding aliases`);
    return n;
  }

  /** Reads `node` against `s`; returns undefined (after reporting) when it does not fit. */
  read(node: YNode, s: Schema, path: string): unknown {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      this.report(node, path, `nesting deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    try {
      return this.readInner(this.deref(node), s, path);
    } finally {
      this.depth--;
    }
  }

  private readInner(n: YNode, s: Schema, path: string): unknown {
    switch (s.k) {
      case 'alt':
        return this.read(n, s.pick(n), path);
      case 'custom':
        return s.read(n, this, path);
      case 'str': {
        const v = this.scalar(n);
        if (typeof v !== 'string') return this.wrong(n, path, s.enum ? `one of ${s.enum.join(', ')}` : (s.what ?? 'a string'));
        if (s.enum && !s.enum.includes(v)) {
          this.report(n, path, `found "${clip(v)}", expected one of ${s.enum.join(', ')}${didYouMean(v, s.enum)}`);
          return undefined;
        }
        return this.checked(n, path, v, s.check);
      }
      case 'int': {
        const v = this.scalar(n);
        const what = s.what ?? `an integer from ${s.min} to ${s.max}`;
        if (typeof v !== 'number' || !Number.isInteger(v)) return this.wrong(n, path, what);
        if (v < s.min || v > s.max) {
          this.report(n, path, `found ${v}, expected ${what}`);
          return undefined;
        }
        return v;
      }
      case 'bool': {
        const v = this.scalar(n);
        return typeof v === 'boolean' ? v : this.wrong(n, path, 'true or false');
      }
      case 'strnum': {
        const v = this.scalar(n);
        if (typeof v === 'string' && v !== '') return v;
        if (typeof v === 'number' && Number.isFinite(v)) return String(v);
        return this.wrong(n, path, s.what);
      }
      case 'strs': {
        if (isSeq(n)) {
          if (n.items.length === 0) return this.wrong(n, path, `${s.what} (a list must not be empty)`);
          const out: string[] = [];
          n.items.forEach((item, i) => {
            const v = this.oneStr(this.deref(item), `${path}[${i}]`, s);
            if (v !== undefined) out.push(v);
          });
          return out.length === n.items.length ? out : undefined;
        }
        return this.oneStr(n, path, s);
      }
      case 'list': {
        if (!isSeq(n)) return this.wrong(n, path, s.what ?? 'a list');
        if (s.min !== undefined && n.items.length < s.min) {
          this.report(n, path, `found an empty list, expected ${s.what ?? `at least ${s.min} entr${s.min === 1 ? 'y' : 'ies'}`}`);
          return undefined;
        }
        const out: unknown[] = [];
        let ok = true;
        n.items.forEach((item, i) => {
          const v = this.read(item, s.of, `${path}[${i}]`);
          if (v === undefined) ok = false;
          else out.push(v);
        });
        return ok ? out : undefined;
      }
      case 'map':
        return this.readMap(n, s, path);
      case 'obj':
        return this.readObj(n, s, path);
    }
  }

  private readMap(n: YNode, s: Extract<Schema, { k: 'map' }>, path: string): unknown {
    if (!isMap(n)) return this.wrong(n, path, s.what);
    const out: Record<string, unknown> = {};
    let ok = true;
    const seen = new Set<string>();
    for (const pair of n.items) {
      const key = this.key(pair.key, path, seen);
      if (key === undefined) {
        ok = false;
        continue;
      }
      const p = join(path, key);
      if (!s.keys.includes(key)) {
        this.report(pair.key, p, `unknown key "${clip(key)}", expected one of ${s.keys.join(', ')}${didYouMean(key, s.keys)}`);
        ok = false;
        continue;
      }
      const v = this.read(pair.value, s.value, p);
      if (v === undefined) ok = false;
      else define(out, key, v);
    }
    return ok ? out : undefined;
  }

  private readObj(n: YNode, s: Extract<Schema, { k: 'obj' }>, path: string): unknown {
    if (!isMap(n)) return this.wrong(n, path, s.what);
    const names = Object.keys(s.fields);
    const out: Record<string, unknown> = {};
    const given = new Set<string>();
    let ok = true;
    for (const pair of n.items) {
      const key = this.key(pair.key, path, given);
      if (key === undefined) {
        ok = false;
        continue;
      }
      const p = join(path, key);
      const f = Object.hasOwn(s.fields, key) ? s.fields[key] : undefined;
      if (f === undefined) {
        this.report(pair.key, p, `unknown key "${clip(key)}" in ${s.what}, expected one of ${names.join(', ')}${didYouMean(key, names)}`);
        ok = false;
        continue;
      }
      const v = this.read(pair.value, f.s, p);
      if (v === undefined) ok = false;
      else define(out, key, v);
    }
    for (const name of names) {
      const f = s.fields[name]!;
      if (given.has(name)) continue;
      if (f.req) {
        this.report(n, join(path, name), `missing required key "${name}" in ${s.what}`);
        ok = false;
      } else if (f.def !== undefined) define(out, name, f.def());
    }
    if (!ok) return undefined;
    const before = this.problems.length;
    s.post?.(out, this, n, path);
    return this.problems.length === before ? out : undefined;
  }

  /** A map key: a plain string, not seen before in this map. */
  key(keyNode: YNode, path: string, seen: Set<string>): string | undefined {
    const k = this.deref(keyNode);
    const v = this.scalar(k);
    if (typeof v !== 'string') {
      this.report(keyNode, path, `found a key that is ${describe(k)}, expected a string key`);
      return undefined;
    }
    if (seen.has(v)) {
      this.report(keyNode, join(path, v), `duplicate key "${clip(v)}" (each key may appear once)`);
      return undefined;
    }
    seen.add(v);
    return v;
  }

  private oneStr(n: YNode, path: string, s: Extract<Schema, { k: 'strs' }>): string | undefined {
    let v = this.scalar(n);
    if (s.numbers === true && typeof v === 'number' && Number.isInteger(v)) v = String(v);
    if (typeof v !== 'string') return this.wrong(n, path, s.what);
    return this.checked(n, path, v, s.check);
  }

  private checked(n: YNode, path: string, v: string, check?: (v: string) => string | null): string | undefined {
    const msg = check?.(v) ?? null;
    if (msg !== null) {
      this.report(n, path, msg);
      return undefined;
    }
    return v;
  }

  /** The JS value of a scalar node; a unique marker for anything else. */
  scalar(n: YNode): unknown {
    return isScalar(n) ? n.value : NOT_SCALAR;
  }

  wrong(n: YNode, path: string, expected: string): undefined {
    this.report(n, path, `found ${describe(n)}, expected ${expected}`);
    return undefined;
  }
}

const NOT_SCALAR = Symbol('not a scalar');

/** What a node is, for messages: `a list`, `a map`, `the number 443`, `the string "x"`, `an empty value`. */
export function describe(n: YNode): string {
  if (n === null || n === undefined) return 'an empty value';
  if (isMap(n)) return 'a map';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return 'an empty value (null)';
    if (typeof v === 'string') return `the string "${clip(v)}"`;
    if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `the boolean ${v}`;
    return `a ${typeof v}`;
  }
  return 'an unsupported YAML value';
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Own data property, even for a key named `__proto__` (never the prototype setter). */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

export { Budget as ReadBudgetError };
