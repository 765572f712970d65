// The reference documents stay complete: every rule id the code, traces, tests and scenarios cite is explained in
// docs/rules.md, and every key the scenario loader accepts is documented in docs/scenario-format.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { expectSchema, NETWORK_SCHEMA, STEP_ARGS, STEP_KINDS, TOP_FIELDS } from './scenario-schema.js';
import type { Schema } from './scenario-read.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

function filesUnder(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

/** Rule ids as SEMANTICS.md writes them: R-NSG-4, R-SE-ROUTE-2, R-SE-REGION, and family names like R-SNAT. */
const RULE_ID = /\bR-[A-Z]+(?:-[A-Z0-9]+)*/g;

describe('docs/rules.md', () => {
  it('explains every rule id cited anywhere in packages/ and scenarios/', () => {
    const doc = read('docs/rules.md');
    const entries = new Set([...doc.matchAll(/^#{2,3} (R-[A-Z0-9-]+)/gm)].map((m) => m[1]!));
    // A family heading may name two families ("R-SE-ROUTE and R-SE-REGION").
    for (const m of doc.matchAll(/^## .*$/gm)) for (const id of m[0].match(RULE_ID) ?? []) entries.add(id);
    const cited = new Map<string, string>();
    const files = [
      ...filesUnder(path.join(root, 'packages'), ['.ts']).filter((f) => f.includes(`${path.sep}src${path.sep}`)),
      ...filesUnder(path.join(root, 'scenarios'), ['.yaml', '.md', '.ts']),
    ];
    for (const f of files) for (const id of readFileSync(f, 'utf8').match(RULE_ID) ?? []) if (!cited.has(id)) cited.set(id, path.relative(root, f));
    expect(cited.size).toBeGreaterThan(30);
    const missing = [...cited].filter(([id]) => !entries.has(id)).map(([id, f]) => `${id} (cited in ${f})`);
    expect(missing).toEqual([]);
  });

  it('every test file and scenario it names as proof exists', () => {
    const missing: string[] = [];
    // A bare `x/y.test.ts` is relative to the last `packages/<pkg>/src/` named in its paragraph; a bare `.yaml` to scenarios/.
    for (const para of read('docs/rules.md').split('\n\n')) {
      let base = '';
      for (const m of para.matchAll(/`([A-Za-z0-9_./-]+\.(?:ts|yaml))`/g)) {
        const f = m[1]!;
        let p: string;
        if (f.startsWith('packages/')) {
          base = f.slice(0, f.indexOf('/src/') + 5);
          p = f;
        } else p = f.endsWith('.yaml') ? `scenarios/${f}` : `${base}${f}`;
        try {
          statSync(path.join(root, p));
        } catch {
          missing.push(p);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('has an entry for every rule id of SEMANTICS.md (the project copy of the rules: docs/rules.md itself)', () => {
    const doc = read('docs/rules.md');
    for (const id of ['R-ADDR-3', 'R-RT-7', 'R-RT-8', 'R-NSG-6', 'R-SVC-4', 'R-POL-2', 'R-SE-ROUTE-3', 'R-SE-REGION'])
      expect(doc, id).toMatch(new RegExp(`^### ${id}$`, 'm'));
  });
});

/** Every key of a schema, with its path, walking objects, lists and both forms of alternatives. */
function keysOf(s: Schema, at: string, out: Map<string, string>): void {
  switch (s.k) {
    case 'obj':
      for (const [k, f] of Object.entries(s.fields)) {
        if (!out.has(k)) out.set(k, `${at}.${k}`);
        keysOf(f.s, `${at}.${k}`, out);
      }
      return;
    case 'list':
      return keysOf(s.of, `${at}[]`, out);
    case 'alt':
      // Both forms: a map (with and without `flow`, for send) and a scalar.
      for (const text of ['{ flow: x }', '{ a: 1 }', 'x']) keysOf(s.pick(parseDocument(text).contents as never), at, out);
      return;
    case 'map':
      for (const k of s.keys) if (!out.has(k)) out.set(k, `${at}.${k}`);
      return;
    default:
      return;
  }
}

describe('docs/scenario-format.md', () => {
  it('documents every key the loader accepts (top level, network, steps, expect and their rows)', () => {
    const doc = read('docs/scenario-format.md');
    const keys = new Map<string, string>();
    for (const [k, f] of Object.entries(TOP_FIELDS)) {
      keys.set(k, k);
      keysOf(f.s, k, keys);
    }
    keysOf(NETWORK_SCHEMA, 'network', keys);
    for (const kind of STEP_KINDS) {
      keys.set(kind, `steps[].${kind}`);
      keysOf(STEP_ARGS[kind], `steps[].${kind}`, keys);
      keysOf(expectSchema(kind), `steps[].expect`, keys);
    }
    keys.set('steps', 'steps');
    keys.set('expect', 'steps[].expect');
    expect(keys.size).toBeGreaterThan(80);
    const documented = (k: string) => doc.includes(`\`${k}\``) || new RegExp(`(^|[\\s{,])${k}:`, 'm').test(doc);
    const missing = [...keys].filter(([k]) => !documented(k)).map(([k, p]) => `${k} (${p})`);
    expect(missing).toEqual([]);
  });

  it('names the rows of effective security rules securityRules/<name> and defaultSecurityRules/<name>', () => {
    const doc = read('docs/scenario-format.md');
    expect(doc).toContain('securityRules/<name>');
    expect(doc).toContain('defaultSecurityRules/<name>');
  });
});
