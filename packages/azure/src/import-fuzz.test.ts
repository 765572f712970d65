// The importers on mutated inputs (seeded): the hub-and-spoke fixture in each format with keys dropped, values of the
// wrong type, hostile keys, bad ids and deep nesting. Every case ends in a network and a report, or an
// ImportFormatError (no known format); never another exception. Every warning and every skipped resource names a
// JSON path that leads into the input; Object.prototype is untouched.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importNetwork, ImportFormatError, type ImportInput } from './import-network.js';
import type { ImportFormat } from './import-report.js';

const SEED = 14_0001;
const RUNS = 150;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../fixtures/import/hub-spoke');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const load = (f: string) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as Json;

function containers(x: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (x !== null && typeof x === 'object' && at.length < 14) {
    out.push(at);
    if (Array.isArray(x)) x.forEach((v, i) => containers(v, [...at, i], out));
    else for (const k of Object.keys(x)) containers(x[k]!, [...at, k], out);
  }
  return out;
}

const WRONG: Json[] = [null, true, 0, -1, 1.5, '', 'x', '[', '[concat(]', "[parameters('nope')]", '[copyIndex()]', [], {}, [1, 2], { a: 1 }, '10.0.0.1/24', '/subscriptions/x', '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets', 'Microsoft.Network/virtualNetworks'];
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'properties', 'copy', 'condition', 'existing', 'id', 'type', 'name', 'values', 'resources', 'child_modules', 'subnets', 'count', 'addressPrefix'];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat(), k: fc.nat() }),
  fc.record({ op: fc.constant('wrongType' as const), at: fc.nat(), k: fc.nat(), v: fc.constantFrom(...WRONG) }),
  fc.record({ op: fc.constant('addKey' as const), at: fc.nat(), k: fc.constantFrom(...KEYS), v: fc.constantFrom<Json>({ polluted: 1 }, 'constructor', 1, null, [], { name: 'x', count: 5000, input: '[copyIndex()]' }, "[length(parameters('spokeSubnets'))]") }),
  fc.record({ op: fc.constant('deep' as const), at: fc.nat(), k: fc.nat(), depth: fc.constantFrom(10, 500, 3_000) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(doc: Json, ms: Mutation[]): Json {
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  // Deep values last: the harness's own clone (duplicate) of a 3,000-deep value would overflow JSON.stringify.
  for (const m of [...ms.filter((x) => x.op !== 'deep'), ...ms.filter((x) => x.op === 'deep')]) {
    const cs = containers(copy);
    const at = cs[m.at % cs.length]!;
    let c: Json = copy;
    for (const k of at) c = (c as Record<string | number, Json>)[k]!;
    const keys = Array.isArray(c) ? c.map((_, i) => i) : Object.keys(c as object);
    const k = keys.length === 0 ? undefined : keys[('k' in m && typeof m.k === 'number' ? m.k : 0) % keys.length];
    const o = c as Record<string | number, Json>;
    switch (m.op) {
      case 'drop':
        if (k === undefined) break;
        if (Array.isArray(c)) c.splice(k as number, 1);
        else delete o[k];
        break;
      case 'wrongType':
        if (k !== undefined) o[k] = structuredClone(m.v); // never the arbitrary's own object: later mutations would change it
        break;
      case 'addKey':
        if (!Array.isArray(c)) Object.defineProperty(o, m.k, { value: structuredClone(m.v), enumerable: true, writable: true, configurable: true });
        break;
      case 'deep': {
        if (k === undefined) break;
        let v: Json = 1;
        for (let i = 0; i < m.depth; i++) v = [{ a: v }];
        o[k] = v;
        break;
      }
      case 'duplicate':
        if (Array.isArray(c) && c.length > 0) c.push(JSON.parse(JSON.stringify(c[0])) as Json);
        break;
    }
  }
  return copy;
}

/** Follows `a.b[2].c` (az paths start with the file's name) as far as the input goes; true when the first step exists. */
function leadsIntoInput(p: string, docs: Map<string, Json>, single: Json | undefined): boolean {
  if (p === '' || p.startsWith('--')) return true;
  let rest = p;
  let cur: Json | undefined = single;
  if (single === undefined) {
    const file = [...docs.keys()].find((f) => p === f || p.startsWith(`${f}[`) || p.startsWith(`${f}.`));
    if (file === undefined) return false;
    cur = docs.get(file);
    rest = p.slice(file.length);
  }
  const segs = [...rest.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
  // A one-step path may name a key the input lacks (`values`: expected here).
  if (segs.length <= 1) return true;
  const first = segs[0]!;
  return cur !== null && typeof cur === 'object' && (Array.isArray(cur) ? typeof first === 'number' && first < cur.length : Object.prototype.hasOwnProperty.call(cur, first));
}

function check(inputs: ImportInput[], from: ImportFormat | undefined): void {
  // A failure is rethrown with a short message: fast-check would print the (possibly 3,000-deep) input.
  try {
    checkImport(inputs, from);
  } catch (e) {
    throw new Error(`${(e as Error).name}: ${String((e as Error).message).slice(0, 600)}\n${String((e as Error).stack).split('\n').slice(1, 8).join('\n')}`);
  }
}

function checkImport(inputs: ImportInput[], from: ImportFormat | undefined): void {
  let r;
  try {
    r = importNetwork(inputs, from === undefined ? {} : { from });
  } catch (e) {
    if (e instanceof ImportFormatError) return;
    throw e;
  }
  const docs = new Map(inputs.map((i) => [path.basename(i.file), i.doc as Json]));
  const single = inputs.length === 1 && r.report.format !== 'az' ? (inputs[0]!.doc as Json) : undefined;
  for (const w of r.report.warnings) {
    expect(typeof w.message).toBe('string');
    expect(leadsIntoInput(w.path, docs, single), `warning path "${w.path}": ${w.message}`).toBe(true);
  }
  for (const s of r.report.skipped) expect(leadsIntoInput(s.path, docs, single), `skipped path "${s.path}"`).toBe(true);
  for (const p of r.report.placeholders) expect(leadsIntoInput(p.path, docs, single), `placeholder path "${p.path}"`).toBe(true);
  expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('import fuzz (seeded): no crash, every problem at a JSON path of the input', () => {
  it('ARM (Bicep-built, symbolic names)', () => {
    const doc = load('arm-template.json');
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (ms, force) => check([{ file: 'arm-template.json', doc: apply(doc, ms) }], force ? 'arm' : undefined)), { seed: SEED, numRuns: RUNS });
  });

  it('Terraform state', () => {
    const doc = load('terraform-state.json');
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (ms, force) => check([{ file: 'terraform-state.json', doc: apply(doc, ms) }], force ? 'terraform' : undefined)), { seed: SEED + 1, numRuns: RUNS });
  });

  it('Terraform plan (configuration references, module outputs and arguments)', () => {
    const doc = load('terraform-plan.json');
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (ms, force) => check([{ file: 'terraform-plan.json', doc: apply(doc, ms) }], force ? 'terraform' : undefined)), { seed: SEED + 3, numRuns: RUNS });
  });

  it('az exports', () => {
    const files = readdirSync(path.join(FIXTURES, 'az')).sort();
    const docs = files.map((f) => load(`az/${f}`));
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (which, ms, force) =>
        check(files.map((f, i) => ({ file: `az/${f}`, doc: i === which ? apply(docs[i]!, ms) : docs[i] })), force ? 'az' : undefined),
      ),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it('any format forced on any other format', () => {
    const all: Array<[string, Json]> = [['arm-template.json', load('arm-template.json')], ['terraform-state.json', load('terraform-state.json')], ['vnets.json', load('az/vnets.json')]];
    for (const [file, doc] of all) for (const from of ['arm', 'terraform', 'az'] as const) check([{ file, doc }], from);
  });
});
