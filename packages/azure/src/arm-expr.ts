// ARM template expressions (`"[concat(parameters('a'), '-x')]"`), evaluated only as far as they are static: string and
// number literals, nested calls, property access and indexing, and the functions parameters, variables, concat, format,
// resourceId, subscription, resourceGroup (plus copyIndex inside a resource copy loop). Anything else is an ArmExprError
// that the importer reports with the JSON path of the value and leaves out: vnetsim never guesses a value.
// Edge code (import time), not a hot path.

/** A value in a message: short, whatever its size or depth (a message never grows with the input). */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null || typeof v !== 'object') {
    const t = JSON.stringify(v);
    return t.length > 60 ? `${t.slice(0, 57)}..."` : t;
  }
  if (Array.isArray(v)) return `a list of ${v.length}`;
  const keys = Object.keys(v);
  return `an object {${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', ...' : ''}}`;
}

export class ArmExprError extends Error {
  override readonly name = 'ArmExprError';
}

/** What subscription() and resourceGroup() return at import time (a deployment would know these). */
export interface ArmDeployment {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
}

/** `default` subscription and tenant: the scenario defaults, so hand-written additions share the tenant (R-SE-6). */
export const DEFAULT_DEPLOYMENT: ArmDeployment = {
  subscriptionId: 'default',
  tenantId: 'default',
  resourceGroup: 'vnetsim',
  location: 'westeurope',
};

export const SUPPORTED_FUNCTIONS = [
  'parameters', 'variables', 'concat', 'format', 'resourceId', 'subscription', 'resourceGroup', 'copyIndex',
  'if', 'equals', 'not', 'and', 'or', 'length', 'createArray', 'createObject', 'union', 'contains', 'empty', 'toLower',
  'toUpper', 'uniqueString', 'true', 'false', 'null', 'string', 'int', 'bool', 'add', 'sub', 'mul', 'div', 'mod',
  'greater', 'greaterOrEquals', 'less', 'lessOrEquals', 'first', 'last', 'substring', 'replace', 'split', 'join', 'range',
  'coalesce', 'subscriptionResourceId', 'tenantResourceId', 'guid',
];

type Node =
  | { k: 'lit'; v: string | number | boolean }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'prop'; of: Node; name: string }
  | { k: 'index'; of: Node; at: Node };

// ------------------------------------------------------------------------------------------------------ parser
type Tok = { t: 'id' | 'str' | 'num' | 'punct'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ArmExprError('unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+/.exec(src.slice(i));
      if (m === null) throw new ArmExprError(`unexpected "${c}"`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i))!;
      // `resourceGroup().location` tokenizes as id `resourceGroup`, `(`, `)`, then `.location`: ids never end in '.'.
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if ('(),.[]'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
    } else throw new ArmExprError(`unexpected "${c}"`);
  }
  return out;
}

function parse(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const expect = (v: string) => {
    const t = toks[i++];
    if (t === undefined || t.t !== 'punct' || t.v !== v) throw new ArmExprError(`expected "${v}", found ${t === undefined ? 'the end' : `"${t.v}"`}`);
  };
  const primary = (): Node => {
    const t = toks[i++];
    if (t === undefined) throw new ArmExprError('unexpected end of expression');
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'num') return { k: 'lit', v: Number(t.v) };
    if (t.t === 'id') {
      expect('(');
      const args: Node[] = [];
      if (!(peek()?.t === 'punct' && peek()!.v === ')')) {
        for (;;) {
          args.push(postfix());
          const n = peek();
          if (n?.t === 'punct' && n.v === ',') {
            i++;
            continue;
          }
          break;
        }
      }
      expect(')');
      return { k: 'call', name: t.v, args };
    }
    throw new ArmExprError(`unexpected "${t.v}"`);
  };
  const postfix = (): Node => {
    let n = primary();
    for (;;) {
      const t = peek();
      if (t?.t === 'punct' && t.v === '.') {
        i++;
        const id = toks[i++];
        if (id === undefined || id.t !== 'id') throw new ArmExprError('expected a property name after "."');
        // A dotted id (`a.b`) is several property accesses.
        for (const part of id.v.split('.')) n = { k: 'prop', of: n, name: part };
      } else if (t?.t === 'punct' && t.v === '[') {
        i++;
        const at = postfix();
        expect(']');
        n = { k: 'index', of: n, at };
      } else return n;
    }
  };
  const n = postfix();
  if (i < toks.length) throw new ArmExprError(`unexpected "${toks[i]!.v}" after the expression`);
  return n;
}

// ------------------------------------------------------------------------------------------------------ evaluator
export interface ArmScope {
  /** Evaluated value of parameter `name` (case-insensitive); throws ArmExprError when it has none. */
  parameter(name: string): unknown;
  variable(name: string): unknown;
  deployment: ArmDeployment;
  /** Index of the current resource copy loop, undefined outside one. */
  copyIndex?: number;
  /** Indexes of the property copy loops being expanded, by loop name (`copyIndex('subnets')`). */
  namedCopyIndex?: Record<string, number>;
  /** Called when a value had to be assumed (resourceGroup().location), to warn once. */
  assumed?(what: string): void;
}

/** True for a string ARM evaluates (`[...]`, but not the `[[` escape). */
export function isExpression(s: string): boolean {
  return s.length >= 2 && s.startsWith('[') && s.endsWith(']') && !s.startsWith('[[');
}

/** Evaluates one JSON string value: an expression, an escaped `[[...` literal, or a plain string. */
export function evaluateString(s: string, scope: ArmScope): unknown {
  if (s.startsWith('[[')) return s.slice(1);
  if (!isExpression(s)) return s;
  return evalNode(parse(s.slice(1, -1)), scope);
}

/** Evaluates a JSON value deeply (objects and arrays element by element). */
export function evaluateValue(v: unknown, scope: ArmScope, depth = 0): unknown {
  if (depth > 200) throw new ArmExprError('nested more than 200 deep');
  if (typeof v === 'string') return evaluateString(v, scope);
  if (Array.isArray(v)) return v.map((x) => evaluateValue(x, scope, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = evaluateValue(x, scope, depth + 1);
    return out;
  }
  return v;
}

const str = (v: unknown, what: string): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ArmExprError(`${what}: expected a string, found ${show(v)}`);
};

function evalNode(n: Node, scope: ArmScope): unknown {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'prop': {
      const of = evalNode(n.of, scope);
      if (of === null || typeof of !== 'object' || Array.isArray(of)) throw new ArmExprError(`.${n.name}: not an object`);
      return property(of, n.name);
    }
    case 'index': {
      const of = evalNode(n.of, scope);
      const at = evalNode(n.at, scope);
      if (Array.isArray(of) && typeof at === 'number') {
        if (at < 0 || at >= of.length) throw new ArmExprError(`[${at}]: index out of range (length ${of.length})`);
        return of[at];
      }
      if (of !== null && typeof of === 'object' && !Array.isArray(of) && typeof at === 'string') return property(of, at);
      throw new ArmExprError(`[${show(at)}]: cannot index ${show(of)}`);
    }
    case 'call':
      return call(n.name, n.args, scope);
  }
}

/** ARM property names are case-insensitive. */
function property(of: object, name: string): unknown {
  const key = Object.keys(of).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw new ArmExprError(`.${name}: no such property`);
  return (of as Record<string, unknown>)[key];
}

function call(name: string, argNodes: Node[], scope: ArmScope): unknown {
  const fn = name.toLowerCase();
  const args = () => argNodes.map((a) => evalNode(a, scope));
  const more = moreFunctions(fn, argNodes, scope, args);
  if (more !== NOT_HANDLED) return more;
  switch (fn) {
    case 'parameters': {
      const [p] = args();
      return scope.parameter(str(p, 'parameters()'));
    }
    case 'variables': {
      const [p] = args();
      return scope.variable(str(p, 'variables()'));
    }
    case 'concat': {
      const a = args();
      if (a.length > 0 && a.every(Array.isArray)) return (a as unknown[][]).flat();
      return a.map((x, i) => str(x, `concat() argument ${i + 1}`)).join('');
    }
    case 'format': {
      const [f, ...rest] = args();
      return str(f, 'format()').replace(/\{(\d+)(:[^}]*)?\}/g, (_, i: string, spec: string | undefined) => {
        if (spec !== undefined) throw new ArmExprError(`format(): format specifier "${spec}" is not supported`);
        const v = rest[Number(i)];
        if (v === undefined) throw new ArmExprError(`format(): no argument {${i}}`);
        return str(v, `format() argument {${i}}`);
      });
    }
    case 'resourceid':
      return resourceId(args().map((a, i) => str(a, `resourceId() argument ${i + 1}`)), scope.deployment);
    case 'subscription': {
      const d = scope.deployment;
      return { id: `/subscriptions/${d.subscriptionId}`, subscriptionId: d.subscriptionId, tenantId: d.tenantId, displayName: d.subscriptionId };
    }
    case 'resourcegroup': {
      const d = scope.deployment;
      const rg = { id: `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}`, name: d.resourceGroup, properties: {} };
      // The location is only known at deployment: report that it was assumed when something reads it.
      return Object.defineProperty(rg, 'location', {
        enumerable: true,
        get() {
          scope.assumed?.(`resourceGroup().location is known only at deployment; assumed "${d.location}" (set it with --location)`);
          return d.location;
        },
      });
    }
    case 'copyindex': {
      // copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset).
      const a = args();
      const loop = typeof a[0] === 'string' ? a[0] : undefined;
      const offset = typeof a[a.length - 1] === 'number' ? (a[a.length - 1] as number) : 0;
      if (loop !== undefined) {
        const hit = Object.keys(scope.namedCopyIndex ?? {}).find((k) => k.toLowerCase() === loop.toLowerCase());
        if (hit !== undefined) return scope.namedCopyIndex![hit]! + offset;
        if (scope.copyIndex === undefined) throw new ArmExprError(`copyIndex('${loop}') outside the copy loop "${loop}"`);
      }
      if (scope.copyIndex === undefined) throw new ArmExprError('copyIndex() outside a resource copy loop');
      return scope.copyIndex + offset;
    }
    default:
      throw new ArmExprError(`${name}() is not supported (vnetsim evaluates only ${SUPPORTED_FUNCTIONS.map((f) => `${f}()`).join(', ')})`);
  }
}

/** ARM resourceId([subscriptionId], [resourceGroupName], type, name1, name2...). */
export function resourceId(args: string[], d: ArmDeployment): string {
  const ti = args.findIndex((a) => /^[A-Za-z0-9.]+\/[A-Za-z]/.test(a));
  if (ti < 0) throw new ArmExprError('resourceId(): no resource type argument (like Microsoft.Network/virtualNetworks)');
  const before = args.slice(0, ti);
  if (before.length > 2) throw new ArmExprError('resourceId(): too many arguments before the resource type');
  const sub = before.length === 2 ? before[0]! : d.subscriptionId;
  const rg = before.length >= 1 ? before[before.length - 1]! : d.resourceGroup;
  const type = args[ti]!.replace(/\/+$/, '');
  const [ns, ...types] = type.split('/');
  const names = args.slice(ti + 1);
  if (names.length !== types.length)
    throw new ArmExprError(`resourceId(): type ${type} needs ${types.length} name${types.length === 1 ? '' : 's'}, found ${names.length}`);
  const parts = types.map((t, i) => `${t}/${names[i]}`).join('/');
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/${parts}`;
}

/** A resource id's provider part: `Microsoft.Network/virtualNetworks/subnets` and names [`vnet`, `subnet`]. */
export interface ParsedResourceId {
  subscription?: string;
  resourceGroup?: string;
  type: string;
  names: string[];
}

/** Parses `/subscriptions/s/resourceGroups/rg/providers/ns/t1/n1/t2/n2` (also a bare `/subscriptions/s[/resourceGroups/rg]`). */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?(?:\/providers\/([^/]+)\/(.+))?\/?$/i.exec(id);
  if (m === null) return undefined;
  const out: ParsedResourceId = { subscription: m[1]!, type: '', names: [] };
  if (m[2] !== undefined) out.resourceGroup = m[2];
  if (m[3] !== undefined) {
    const segs = m[4]!.split('/');
    if (segs.length % 2 !== 0) return undefined;
    const types = [m[3]];
    for (let i = 0; i < segs.length; i += 2) {
      if (i > 0) types.push(segs[i]!);
      else types[0] = `${m[3]}/${segs[0]}`;
      out.names.push(segs[i + 1]!);
    }
    out.type = types.join('/');
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ more functions
const NOT_HANDLED = Symbol('not handled');

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function num(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw new ArmExprError(`${what}: expected an integer, found ${show(v)}`);
}

function bool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw new ArmExprError(`${what}: expected true or false, found ${show(v)}`);
}

/** ARM equality: case-sensitive strings, deep arrays and objects. */
function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 200) throw new ArmExprError('equals(): values nested more than 200 deep');
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i], depth + 1));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k], depth + 1));
  }
  return false;
}

function arity(fn: string, n: number, min: number, max = min): void {
  if (n < min || n > max) throw new ArmExprError(`${fn}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, found ${n}`);
}

function moreFunctions(fn: string, argNodes: Node[], scope: ArmScope, args: () => unknown[]): unknown {
  switch (fn) {
    case 'if': {
      // Only the branch the condition picks is evaluated (ARM).
      arity('if', argNodes.length, 3);
      return bool(evalNode(argNodes[0]!, scope), 'if() condition') ? evalNode(argNodes[1]!, scope) : evalNode(argNodes[2]!, scope);
    }
    case 'and':
    case 'or': {
      const a = args().map((x, i) => bool(x, `${fn}() argument ${i + 1}`));
      if (a.length < 2) throw new ArmExprError(`${fn}() takes at least 2 arguments`);
      return fn === 'and' ? a.every(Boolean) : a.some(Boolean);
    }
    case 'not': {
      const a = args();
      arity('not', a.length, 1);
      return !bool(a[0], 'not()');
    }
    case 'equals': {
      const a = args();
      arity('equals', a.length, 2);
      return deepEqual(a[0], a[1]);
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    case 'length': {
      const [v] = args();
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (isObj(v)) return Object.keys(v).length;
      throw new ArmExprError(`length(): expected a string, array or object, found ${show(v)}`);
    }
    case 'empty': {
      const [v] = args();
      if (v === null || v === undefined) return true;
      if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
      if (isObj(v)) return Object.keys(v).length === 0;
      throw new ArmExprError(`empty(): expected a string, array or object, found ${show(v)}`);
    }
    case 'createarray':
      return args();
    case 'createobject': {
      const a = args();
      if (a.length % 2 !== 0) throw new ArmExprError('createObject(): expects key, value pairs');
      const o: Record<string, unknown> = {};
      for (let i = 0; i < a.length; i += 2) o[str(a[i], `createObject() key ${i / 2 + 1}`)] = a[i + 1];
      return o;
    }
    case 'union': {
      const a = args();
      if (a.length === 0) throw new ArmExprError('union() takes at least 1 argument');
      if (a.every(Array.isArray)) {
        const out: unknown[] = [];
        for (const x of (a as unknown[][]).flat()) if (!out.some((y) => deepEqual(x, y))) out.push(x);
        return out;
      }
      if (a.every(isObj)) return Object.assign({}, ...a);
      throw new ArmExprError('union(): expected all arrays or all objects');
    }
    case 'contains': {
      const a = args();
      arity('contains', a.length, 2);
      const [c, v] = a;
      if (typeof c === 'string') return c.toLowerCase().includes(str(v, 'contains() value').toLowerCase());
      if (Array.isArray(c)) return c.some((x) => deepEqual(x, v));
      if (isObj(c)) return Object.keys(c).some((k) => k.toLowerCase() === str(v, 'contains() key').toLowerCase());
      throw new ArmExprError(`contains(): expected a string, array or object, found ${show(c)}`);
    }
    case 'tolower':
      return str(args()[0], 'toLower()').toLowerCase();
    case 'toupper':
      return str(args()[0], 'toUpper()').toUpperCase();
    case 'uniquestring': {
      const a = args();
      if (a.length === 0) throw new ArmExprError('uniqueString() takes at least 1 argument');
      return uniqueString(...a.map((x, i) => str(x, `uniqueString() argument ${i + 1}`)));
    }
    case 'string': {
      const [v] = args();
      if (typeof v === 'string') return v;
      try {
        return JSON.stringify(v);
      } catch {
        throw new ArmExprError('string(): the value is nested too deep');
      }
    }
    case 'int':
      return num(args()[0], 'int()');
    case 'bool':
      return bool(args()[0], 'bool()');
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'mod': {
      const [x, y] = args().map((v, i) => num(v, `${fn}() argument ${i + 1}`)) as [number, number];
      if ((fn === 'div' || fn === 'mod') && y === 0) throw new ArmExprError(`${fn}(): division by zero`);
      return fn === 'add' ? x + y : fn === 'sub' ? x - y : fn === 'mul' ? x * y : fn === 'div' ? Math.trunc(x / y) : x % y;
    }
    case 'greater':
    case 'greaterorequals':
    case 'less':
    case 'lessorequals': {
      const [x, y] = args();
      const c = typeof x === 'string' && typeof y === 'string' ? (x < y ? -1 : x > y ? 1 : 0) : num(x, fn) - num(y, fn);
      return fn === 'greater' ? c > 0 : fn === 'greaterorequals' ? c >= 0 : fn === 'less' ? c < 0 : c <= 0;
    }
    case 'first':
    case 'last': {
      const [v] = args();
      if (typeof v !== 'string' && !Array.isArray(v)) throw new ArmExprError(`${fn}(): expected a string or array`);
      return v.length === 0 ? (typeof v === 'string' ? '' : null) : fn === 'first' ? v[0] : v[v.length - 1];
    }
    case 'substring': {
      const a = args();
      const s = str(a[0], 'substring()');
      const start = num(a[1] ?? 0, 'substring() start');
      const len = a.length > 2 ? num(a[2], 'substring() length') : s.length - start;
      if (start < 0 || len < 0 || start + len > s.length) throw new ArmExprError('substring(): index and length must lie within the string');
      return s.substring(start, start + len);
    }
    case 'replace': {
      const a = args();
      arity('replace', a.length, 3);
      return str(a[0], 'replace()').split(str(a[1], 'replace() old')).join(str(a[2], 'replace() new'));
    }
    case 'split': {
      const a = args();
      const s = str(a[0], 'split()');
      const seps = Array.isArray(a[1]) ? a[1].map((x) => str(x, 'split() delimiter')) : [str(a[1], 'split() delimiter')];
      let parts = [s];
      for (const d of seps) parts = parts.flatMap((p) => p.split(d));
      return parts;
    }
    case 'join': {
      const a = args();
      if (!Array.isArray(a[0])) throw new ArmExprError('join(): expected an array');
      return a[0].map((x, i) => str(x, `join() item ${i}`)).join(str(a[1], 'join() delimiter'));
    }
    case 'range': {
      const [start, count] = args().map((v, i) => num(v, `range() argument ${i + 1}`)) as [number, number];
      if (count < 0 || count > 10000) throw new ArmExprError('range(): count must be from 0 to 10000');
      return Array.from({ length: count }, (_, i) => start + i);
    }
    case 'coalesce':
      return args().find((v) => v !== null && v !== undefined) ?? null;
    case 'subscriptionresourceid': {
      const a = args().map((x, i) => str(x, `subscriptionResourceId() argument ${i + 1}`));
      const ti = a.findIndex((x) => /^[A-Za-z0-9.]+\/[A-Za-z]/.test(x));
      const sub = ti === 1 ? a[0]! : scope.deployment.subscriptionId;
      const [ns, ...types] = a[ti]!.split('/');
      return `/subscriptions/${sub}/providers/${ns}/${types.map((t, i) => `${t}/${a[ti + 1 + i] ?? ''}`).join('/')}`;
    }
    case 'tenantresourceid': {
      const a = args().map((x, i) => str(x, `tenantResourceId() argument ${i + 1}`));
      const [ns, ...types] = a[0]!.split('/');
      return `/providers/${ns}/${types.map((t, i) => `${t}/${a[1 + i] ?? ''}`).join('/')}`;
    }
    case 'guid':
      throw new ArmExprError('guid() is not supported (its algorithm is a name-based UUID vnetsim does not reproduce)');
    default:
      return NOT_HANDLED;
  }
}

// ------------------------------------------------------------------------------------------------------ uniqueString
/**
 * Azure's uniqueString(): the arguments joined with '-', UTF-8, hashed by the 64-bit Murmur variant of Azure's
 * ResourceStack (two 32-bit lanes, MurmurHash3 x86 constants, seed 0), the hash's 64 bits written as 13 base-32
 * characters (a-z2-7) from the top, 5 bits each. Names in a template then match the deployed ones.
 */
export function uniqueString(...parts: string[]): string {
  let h = murmurHash64(new TextEncoder().encode(parts.join('-')));
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += alphabet[Number(h >> 59n)];
    h = (h << 5n) & 0xffff_ffff_ffff_ffffn;
  }
  return out;
}

const rotl32 = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const fmix32 = (h: number) => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** The 64-bit Murmur hash behind uniqueString() (ResourceStack's ComputeMurmurHash64, seed 0). */
export function murmurHash64(data: Uint8Array): bigint {
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789;
  const n = data.length;
  const u32 = (j: number, len: number) => {
    let v = 0;
    for (let k = 0; k < len; k++) v |= data[j + k]! << (8 * k);
    return v >>> 0;
  };
  let h1 = 0;
  let h2 = 0;
  let i = 0;
  for (; i + 7 < n; i += 8) {
    let k1 = u32(i, 4);
    let k2 = u32(i + 4, 4);
    k1 = Math.imul(rotl32(Math.imul(k1, c1), 15), c2);
    h1 = rotl32((h1 ^ k1) >>> 0, 19);
    h1 = (Math.imul((h1 + h2) >>> 0, 5) + 0x561ccd1b) >>> 0;
    k2 = Math.imul(rotl32(Math.imul(k2, c2), 17), c1);
    h2 = rotl32((h2 ^ k2) >>> 0, 13);
    h2 = (Math.imul((h2 + h1) >>> 0, 5) + 0x0bcaa747) >>> 0;
  }
  const tail = n - i;
  if (tail > 0) {
    const k1 = Math.imul(rotl32(Math.imul(u32(i, Math.min(4, tail)), c1), 15), c2);
    h1 = (h1 ^ k1) >>> 0;
    if (tail > 4) {
      const k2 = Math.imul(rotl32(Math.imul(u32(i + 4, tail - 4), c2), 17), c1);
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h1 = (h1 ^ n) >>> 0;
  h2 = (h2 ^ n) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}
