import { fileURLToPath } from 'node:url';
// Issue 7: the service-tag loader on mutated JSON (the builtin sample and tags of Microsoft's real file). Every case
// ends in a tag set or a ServiceTagError naming a JSON path, never another exception; Object.prototype is untouched;
// a loaded set only holds canonical prefixes and string fields.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr, formatCidr } from '../../addr/index.js';
import { builtinServiceTagsJson } from './builtin.js';
import { ServiceTagError } from './errors.js';
import { loadServiceTags } from './load.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

const SEED = 7_0002;
const REAL = path.resolve(ROOT, '../shared/data/service-tags/ServiceTags_Public.cn376.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every container path in a JSON tree (a path is a list of keys / indices). */
function containers(x: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (x !== null && typeof x === 'object' && at.length < 12) {
    out.push(at);
    if (Array.isArray(x)) x.forEach((v, i) => containers(v, [...at, i], out));
    else for (const k of Object.keys(x)) containers(x[k]!, [...at, k], out);
  }
  return out;
}

// Deep nesting is spliced into the text (a 20,000-deep tree would overflow JSON.stringify, not the loader).
const DEEP = /"@deep(\d+)@"/g;
const nested = (depth: number): string => '[{"a":'.repeat(depth) + '1' + '}]'.repeat(depth);

const WRONG: Json[] = [null, true, 0, -1, 1.5, 1e308, '', 'x', [], {}, [1, 2], { a: 1 }, '10.0.0.1/24', '::1/200'];
const BAD_PREFIXES = [
  '10.0.0.1/24', '52.239.0.0/33', '52.239.0.0/', '52.239.0.0', '2603:1020::1/48', '2603:1020::/129', '::g/1',
  '01.2.3.0/24', ' 1.2.3.0/24', '1.2.3.0/24 ', '', '/', '0.0.0.0/0', '::/0', '255.255.255.255/32',
];
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'name', 'properties', 'addressPrefixes', 'region', 'values', 'changeNumber'];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat(), k: fc.nat() }),
  fc.record({ op: fc.constant('wrongType' as const), at: fc.nat(), k: fc.nat(), v: fc.constantFrom(...WRONG) }),
  fc.record({ op: fc.constant('badPrefix' as const), at: fc.nat(), k: fc.nat(), v: fc.constantFrom(...BAD_PREFIXES) }),
  fc.record({ op: fc.constant('addKey' as const), at: fc.nat(), k: fc.constantFrom(...KEYS), v: fc.constantFrom<Json>({ polluted: 1 }, 'constructor', 'westeurope', 1, ['10.0.0.0/8']) }),
  fc.record({ op: fc.constant('hugeArray' as const), at: fc.nat(), k: fc.nat(), n: fc.constantFrom(500, 5_000) }),
  fc.record({ op: fc.constant('deep' as const), at: fc.nat(), k: fc.nat(), depth: fc.constantFrom(10, 1_000, 20_000) }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), k: fc.nat(), v: fc.constantFrom('constructor', '__proto__', 'toString', 'Storage', 'storage', ' ', 'Storage.WestEurope') }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** Applies mutations to a JSON text; the result is re-serialized and JSON.parse'd, as a file would be (`__proto__` stays an own key). */
function mutate(doc: Json, ms: Mutation[]): string {
  const root = structuredClone(doc);
  for (const m of ms) {
    const paths = containers(root);
    const p = paths[m.at % paths.length]!;
    let c: any = root;
    for (const k of p) c = c[k];
    const keys: (string | number)[] = Array.isArray(c) ? c.map((_: unknown, i: number) => i) : Object.keys(c);
    const key = keys.length === 0 ? 0 : keys[(typeof m.k === 'number' ? m.k : 0) % keys.length]!;
    switch (m.op) {
      case 'drop': if (Array.isArray(c)) c.splice(Number(key), 1); else delete c[key]; break;
      case 'wrongType': c[key] = m.v; break;
      case 'badPrefix': c[key] = m.v; break;
      case 'addKey': if (!Array.isArray(c)) Object.defineProperty(c, m.k, { value: m.v, enumerable: true, writable: true, configurable: true }); break;
      case 'hugeArray': c[key] = Array.from({ length: m.n }, (_, i) => `20.${(i >> 8) & 255}.${i & 255}.0/24`); break;
      case 'deep': c[key] = `@deep${m.depth}@`; break;
      case 'rename': if (!Array.isArray(c) && 'name' in c) c.name = m.v; else c[key] = m.v; break;
    }
  }
  return JSON.stringify(root).replace(DEEP, (_, n: string) => nested(Number(n)));
}

/** Loads JSON text; checks the properties of issue 7; returns 'ok' or 'error'. */
function check(text: string): 'ok' | 'error' {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'error'; // a nesting too deep for JSON.parse is the caller's file error, not the loader's
  }
  try {
    const set = loadServiceTags(json, 'fuzz');
    // Plain comparisons per field (an expect per prefix is slow on 10,000-prefix tags); one expect per set.
    const wrong: string[] = [];
    for (const t of set.all()) {
      for (const f of [t.name, t.region, t.systemService, ...t.networkFeatures]) if (typeof f !== 'string') wrong.push(`${t.name}: ${typeof f}`);
      for (const p of [...t.v4, ...t.v6]) if (formatCidr(parseCidr(p)) !== p) wrong.push(`${t.name}: ${p}`);
      if (set.get(t.name) !== t) wrong.push(`${t.name}: not found by name`);
    }
    expect(wrong).toEqual([]);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ServiceTagError)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
    // The path names where: '' only for a document that is not an object at all.
    if (e.path === '') expect(json !== null && typeof json === 'object' && !Array.isArray(json)).toBe(false);
    else expect(e.path).toMatch(/^(changeNumber|cloud|values)(\[\d+\]|\.[A-Za-z]+)*$/);
    return 'error';
  } finally {
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  }
}

function fuzz(base: Json, seed: number, numRuns: number): { ok: number; error: number } {
  const tally = { ok: 0, error: 0 };
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      tally[check(mutate(base, ms))]++;
    }),
    { seed, numRuns },
  );
  expect(tally.ok + tally.error).toBe(numRuns);
  expect(tally.error).toBeGreaterThan(0);
  return tally;
}

describe('service-tag loader under fuzzing (issue 7)', () => {
  it('R-NSG-6: mutated builtin JSON loads or fails with a located ServiceTagError (fast-check, seeded)', () => {
    fuzz(builtinServiceTagsJson() as unknown as Json, SEED, 500);
  });

  it.skipIf(!existsSync(REAL))('R-NSG-6: mutated real tags load or fail with a located ServiceTagError (reads ../shared/data/service-tags/ServiceTags_Public.cn376.json)', () => {
    const full = JSON.parse(readFileSync(REAL, 'utf8')) as { changeNumber: number; cloud: string; values: Json[] };
    expect(loadServiceTags(full).all().length).toBe(full.values.length);
    // A sample of 16 real tags (every 190th) keeps each case small; the whole file loads once above.
    const sample = { changeNumber: full.changeNumber, cloud: full.cloud, values: full.values.filter((_, i) => i % 190 === 0) };
    fuzz(sample, SEED + 1, 200);
  });

  it('R-NSG-6: hostile documents: prototype keys, tag names and regions named after Object members, non-objects', () => {
    const tag = (name: string, region: string) => ({ name, id: name, properties: { region, addressPrefixes: ['20.0.0.0/24'] } });
    const docs = [
      '{"__proto__": {"polluted": 1}, "changeNumber": 1, "values": []}',
      '{"changeNumber": 1, "values": [{"name": "x", "__proto__": {"polluted": 1}, "properties": {"__proto__": {"polluted": 1}, "addressPrefixes": []}}]}',
      JSON.stringify({ changeNumber: 1, values: ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'].map((r, i) => tag(`${r}-${i}`, r)) }),
      JSON.stringify({ changeNumber: 1, values: ['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((n) => tag(n, '')) }),
      'null', '[]', '"values"', '42', 'true', '{}', '{"changeNumber": 1}', '{"changeNumber": 1.5, "values": []}',
    ];
    for (const d of docs) check(d);
    const set = loadServiceTags(JSON.parse(docs[2]!));
    expect(set.all().map((t) => t.region)).toEqual(['constructor', 'tostring', 'proto', 'hasownproperty', 'valueof']);
    const names = loadServiceTags(JSON.parse(docs[3]!));
    expect(names.get('constructor')?.name).toBe('constructor');
    expect(names.has('valueOf')).toBe(false);
  });
});
