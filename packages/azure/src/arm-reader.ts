// Lazy reading of an ARM template: a value is evaluated only when the importer reads it, so expressions in parts
// vnetsim does not model (osProfile, storageProfile...) are never evaluated nor reported. Every problem is a warning
// with the JSON path of the value (`resources[2].properties.subnets[0].properties.addressPrefix`).

import { ArmExprError, evaluateString, type ArmScope } from './arm-expr.js';
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
    if (hit === undefined || hit[1] === undefined || hit[1] === null) return undefined;
    return new Val(hit[1], `${this.path}.${hit[0]}`, this.scope, this.w, s.evaluated, this.label);
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
      this.warn(`expected a list, found ${JSON.stringify(s.v)}; left out`);
      return [];
    }
    return s.v.map((x, i) => new Val(x, `${this.path}[${i}]`, this.scope, this.w, s.evaluated, this.label));
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
      try {
        items.push(deepEval(input, scope));
      } catch (e) {
        if (!(e instanceof ArmExprError)) throw e;
        this.w.add(`${this.path}.copy[${j}].input`, `${this.label}copy ${name} ${i}: ${e.message}; left out`);
      }
    }
    return new Val(items, `${this.path}.${name}`, this.scope, this.w, true, this.label);
  }

  str(): string | undefined {
    const v = this.value();
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    this.warn(`expected a string, found ${JSON.stringify(v)}; left out`);
    return undefined;
  }

  num(): number | undefined {
    const v = this.value();
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
    if (v !== undefined) this.warn(`expected a number, found ${JSON.stringify(v)}; left out`);
    return undefined;
  }

  bool(): boolean | undefined {
    const v = this.value();
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    if (v !== undefined) this.warn(`expected true or false, found ${JSON.stringify(v)}; left out`);
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
      else this.w.add(Array.isArray(v) ? `${this.path}[${i}]` : this.path, `${this.label}expected a string, found ${JSON.stringify(x)}; left out`);
    });
    return out;
  }

  warn(message: string): void {
    this.w.add(this.path, `${this.label}${message}`);
  }
}

function deepEval(v: unknown, scope: ArmScope): unknown {
  if (typeof v === 'string') return evaluateString(v, scope);
  if (Array.isArray(v)) return v.map((x) => deepEval(x, scope));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepEval(x, scope);
    return out;
  }
  return v;
}
