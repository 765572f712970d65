// ARM template expressions (`"[concat(parameters('a'), '-x')]"`), evaluated only as far as they are static: string and
// number literals, nested calls, property access and indexing, and the functions parameters, variables, concat, format,
// resourceId, subscription, resourceGroup (plus copyIndex inside a resource copy loop). Anything else is an ArmExprError
// that the importer reports with the JSON path of the value and leaves out: vnetsim never guesses a value.
// Edge code (import time), not a hot path.

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

export const SUPPORTED_FUNCTIONS = ['parameters', 'variables', 'concat', 'format', 'resourceId', 'subscription', 'resourceGroup', 'copyIndex'];

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
export function evaluateValue(v: unknown, scope: ArmScope): unknown {
  if (typeof v === 'string') return evaluateString(v, scope);
  if (Array.isArray(v)) return v.map((x) => evaluateValue(x, scope));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = evaluateValue(x, scope);
    return out;
  }
  return v;
}

const str = (v: unknown, what: string): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ArmExprError(`${what}: expected a string, found ${JSON.stringify(v)}`);
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
      throw new ArmExprError(`[${JSON.stringify(at)}]: cannot index ${JSON.stringify(of)}`);
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
