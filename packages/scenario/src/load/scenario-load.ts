// Loads a scenario file (SCENARIOS.md): YAML -> strict structural read (scenario-schema.ts) -> defaults -> step
// references -> validateNetwork (core) -> Scenario. Every problem of the file is collected and thrown at once as a
// ScenarioError whose problems name file, line, column and path. Bad input never escapes as another exception type.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { validateNetwork, type NetworkSpec, type Problem, type ScenarioOptions, type ServiceTagSet } from '@vnetsim/core';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { didYouMean, MissingDataError, ScenarioError, type ScenarioProblem } from './scenario-error.js';
import { locate } from './scenario-locate.js';
import { join, ReadBudgetError, Reader, type Schema, type YNode } from './scenario-read.js';
import { checkStepReferences } from './scenario-refs.js';
import { expectSchema, readChange, STEP_ARGS, STEP_KINDS, TOP_FIELDS, type Expect, type Step, type StepKind } from './scenario-schema.js';
import { builtinTags, tagsFromFile } from './scenario-tags.js';

export interface Scenario {
  name: string;
  description?: string;
  /** The file as given to the loader. */
  file: string;
  options: ScenarioOptions;
  /** 'builtin', or the absolute path of the service tags file in use. */
  serviceTagsSource: string;
  serviceTags: ServiceTagSet;
  network: NetworkSpec;
  steps: Step[];
}

export interface LoadOptions {
  /** A service tags file that wins over the scenario's `serviceTags:` (CLI `--service-tags`), relative to the cwd. */
  serviceTagsFile?: string;
  /** Refuse larger files (default 16 MiB). */
  maxBytes?: number;
  /** false: structure, types and defaults only; skip step references and validateNetwork (default true). */
  validate?: boolean;
}

export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;
/** yaml's guard against alias bombs: alias expansions allowed, weighted by what they expand to. */
const MAX_ALIAS_COUNT = 100;


/** Reads and loads a scenario file. Throws ScenarioError (also for a missing or oversized file). */
export function loadScenarioFile(file: string, opts: LoadOptions = {}): Scenario {
  const max = opts.maxBytes ?? MAX_SCENARIO_BYTES;
  const fail = (message: string): never => {
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message }]);
  };
  let size = 0;
  try {
    const st = statSync(file);
    if (!st.isFile()) fail('not a file');
    size = st.size;
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    fail(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (size > max) fail(`the file is ${size} bytes, more than the limit of ${max} bytes`);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseScenario(text, file, opts);
}

/** Parses scenario text; `file` names it in problems and anchors a relative `serviceTags:` path. */
export function parseScenario(text: string, file: string, opts: LoadOptions = {}): Scenario {
  const max = opts.maxBytes ?? MAX_SCENARIO_BYTES;
  const whole = (message: string): never => {
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message }], text.length <= max ? text : undefined);
  };
  if (text.length > max) whole(`the file is ${text.length} characters, more than the limit of ${max}`);

  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    return whole(`not readable as YAML: ${(e as Error).message}`);
  }
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      // The parser reports offsets (`pos`); the line counter turns them into the line and column a reader looks at.
      const p = lc.linePos(e.pos[0]);
      const msg = e.code === 'RESOURCE_EXHAUSTION' ? `${e.message} (nesting too deep)` : e.message;
      return { file, line: p.line, column: p.col, path: '', message: `YAML syntax: ${msg.split('\n')[0]}` };
    });
    throw new ScenarioError(problems, text);
  }
  try {
    // Issue 7: an alias bomb is refused here, before anything expands it.
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT, mapAsMap: true });
  } catch (e) {
    const msg = e instanceof ReferenceError ? 'too many alias expansions (a YAML alias bomb?)' : (e as Error).message;
    whole(`refused: ${msg}`);
  }

  const r = new Reader(file, doc, lc);
  let top: Record<string, unknown> | undefined;
  try {
    const root = doc.contents;
    if (!isMap(root)) {
      r.wrong(root, '', 'a map with name, network and steps');
    } else {
      top = r.read(root, { k: 'obj', what: 'the scenario', fields: { ...TOP_FIELDS, steps: { s: stepsSchema, def: () => [] } } }, '') as
        | Record<string, unknown>
        | undefined;
    }
  } catch (e) {
    if (!(e instanceof ReadBudgetError)) throw e;
    whole(`refused: ${e.message}`);
  }
  if (top === undefined || r.problems.length > 0) throw new ScenarioError(sortProblems(r.problems), text);

  // Service tags: the CLI override wins, else the file's `serviceTags:` (relative to the scenario file).
  const problems: ScenarioProblem[] = [];
  const at = (p: string, message: string) => problems.push({ file, ...locate(doc, lc, p), path: p, message });
  let tags: ServiceTagSet | undefined;
  const declared = top['serviceTags'] as string;
  if (opts.serviceTagsFile === undefined && declared !== 'builtin') {
    const wanted = path.resolve(path.dirname(file), declared);
    if (/[\\/]shared[\\/]data[\\/]/.test(wanted) && !existsSync(wanted)) throw new MissingDataError(file, wanted);
  }
  try {
    if (opts.serviceTagsFile !== undefined) tags = tagsFromFile(path.resolve(opts.serviceTagsFile));
    else if (declared === 'builtin') tags = builtinTags();
    else tags = tagsFromFile(path.resolve(path.dirname(file), declared));
  } catch (e) {
    at(opts.serviceTagsFile !== undefined ? '' : 'serviceTags', (e as Error).message);
  }

  const network = top['network'] as NetworkSpec;
  const steps = top['steps'] as Step[];
  const validate = opts.validate !== false;
  if (validate) for (const p of checkStepReferences(network, tags, steps)) at(p.path, p.message);
  if (validate && tags !== undefined) {
    let found: Problem[] = [];
    try {
      found = validateNetwork(network, tags);
    } catch (e) {
      at('network', `internal error while validating the network: ${(e as Error).message}`);
    }
    // One problem per path: the structural reader already said what was wrong there.
    const seen = new Set(problems.map((p) => p.path));
    for (const p of found) if (!seen.has(p.path)) at(p.path, p.message);
  }
  if (problems.length > 0) throw new ScenarioError(sortProblems(problems), text);

  const scenario: Scenario = {
    name: top['name'] as string,
    file,
    options: top['options'] as ScenarioOptions,
    serviceTagsSource: tags!.source,
    serviceTags: tags!,
    network,
    steps,
  };
  if (top['description'] !== undefined) scenario.description = top['description'] as string;
  return scenario;
}

/** `steps:` a list; each step one kind (+ optional expect). */
const stepsSchema: Schema = {
  k: 'custom',
  read: (node, r, p) => {
    const n = r.deref(node);
    if (!isSeq(n)) return r.wrong(n, p, 'a list of steps');
    const out: Step[] = [];
    let ok = true;
    n.items.forEach((item, i) => {
      const s = readStep(item, r, `${p}[${i}]`, i);
      if (s === undefined) ok = false;
      else out.push(s);
    });
    return ok ? out : undefined;
  },
};

const STEP_KEYS = [...STEP_KINDS, 'expect'];

function readStep(node: YNode, r: Reader, p: string, index: number): Step | undefined {
  const n = r.deref(node);
  if (!isMap(n)) return r.wrong(n, p, `a step: a map with one of ${STEP_KINDS.join(', ')} (and an optional expect)`);
  let kind: StepKind | undefined;
  let argsNode: YNode;
  let expectNode: YNode;
  let hasExpect = false;
  let ok = true;
  const seen = new Set<string>();
  for (const pair of n.items) {
    const key = r.key(pair.key, p, seen);
    if (key === undefined) {
      ok = false;
    } else if ((STEP_KINDS as string[]).includes(key)) {
      if (kind !== undefined) {
        r.report(pair.key, join(p, key), `a step has exactly one kind, found both "${kind}" and "${key}"`);
        ok = false;
      } else {
        kind = key as StepKind;
        argsNode = pair.value;
      }
    } else if (key === 'expect') {
      hasExpect = true;
      expectNode = pair.value;
    } else {
      r.report(pair.key, join(p, key), `unknown key "${key}" in a step, expected one step kind (${STEP_KINDS.join(', ')}) and optionally expect${didYouMean(key, STEP_KEYS)}`);
      ok = false;
    }
  }
  if (kind === undefined) {
    if (ok) r.report(n, p, `a step needs one of: ${STEP_KINDS.join(', ')}`);
    return undefined;
  }
  const args = r.read(argsNode, STEP_ARGS[kind], join(p, kind)) as Record<string, unknown> | undefined;
  const expect = hasExpect ? (r.read(expectNode, expectSchema(kind), join(p, 'expect')) as Expect | undefined) : {};
  if (!ok || args === undefined || expect === undefined) return undefined;
  const range = (n as { range?: [number, number, number] }).range;
  const line = range === undefined ? 0 : r.lc.linePos(range[0]).line;
  return { kind, index, line, ...args, expect } as Step;
}

function sortProblems(ps: ScenarioProblem[]): ScenarioProblem[] {
  return ps.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Control-plane changes for `vnetsim whatif` (`--change TEXT`, `--changes FILE`): one change (`KIND: {...}`), a list of
 * them, or a map with `changes:` (or `steps:`) holding the list; checked against `s`'s network like steps of its file.
 */
export function parseChanges(text: string, file: string, s: Scenario): Step[] {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message: `not readable as YAML: ${(e as Error).message}` }], text);
  }
  if (doc.errors.length > 0)
    throw new ScenarioError(doc.errors.map((e) => {
      const p = e.linePos?.[0] ?? { line: 1, col: 1 };
      return { file, line: p.line, column: p.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` };
    }), text);
  const r = new Reader(file, doc, lc);
  let root: YNode = doc.contents;
  let base = '';
  if (isMap(root) && root.items.length === 1) {
    const key = String((root.items[0]!.key as { value?: unknown })?.value ?? '');
    if (key === 'changes' || key === 'steps') (root = root.items[0]!.value), (base = key);
  }
  const steps: Step[] = [];
  if (isSeq(root)) {
    if (root.items.length === 0) r.wrong(root, base, 'a non-empty list of changes');
    root.items.forEach((item, i) => {
      const c = readChange(item, r, `${base}[${i}]`, i);
      if (c !== undefined) steps.push(c);
    });
  } else {
    const c = readChange(root, r, base, 0);
    if (c !== undefined) steps.push(c);
  }
  if (r.problems.length > 0) throw new ScenarioError(sortProblems(r.problems), text);
  const problems: ScenarioProblem[] = [];
  for (const p of checkStepReferences(s.network, s.serviceTags, steps)) {
    const single = steps.length === 1 && base === '' && !isSeq(root);
    const at = p.path.replace(/^steps\[(\d+)\]/, (_, j: string) => (single ? '' : `${base}[${j}]`));
    const where = at.replace(/^\./, '');
    problems.push({ file, ...locate(doc, lc, where), path: where, message: p.message });
  }
  if (problems.length > 0) throw new ScenarioError(sortProblems(problems), text);
  return steps;
}
