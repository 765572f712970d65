// `replay --changes FILE`: control-plane steps in scenario syntax, each with `atPacket: N`. The steps are checked by
// the scenario loader against the replayed network (a synthetic scenario whose steps they are), so a change file is
// held to the same rules and messages as a scenario; atPacket values define the epochs.
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import { parseScenario, ScenarioError, type Scenario, type Step } from '@vnetsim/scenario';

/** Step kinds a replay can apply between epochs (the control plane; no packets, no questions). */
export const CHANGE_KINDS = [
  'enableServiceEndpoint', 'disableServiceEndpoint', 'addVirtualNetworkRule', 'removeVirtualNetworkRule',
  'addIpRule', 'removeIpRule', 'setRule', 'removeRule', 'setRoute', 'removeRoute',
] as const;

export interface ReplayChange {
  atPacket: number;
  /** The epoch it opens (1-based: epoch 0 runs before any change). */
  epoch: number;
  step: Step;
}

export interface Epochs {
  /** First packet (global count) of each epoch; boundaries[0] = 0. */
  boundaries: number[];
  changes: ReplayChange[];
}

function problem(file: string, line: number, path: string, message: string): never {
  throw new ScenarioError([{ file, line, column: 1, path, message }]);
}

/** Reads a changes file; `networkText` is the replayed scenario (its network is what the steps must name). */
export function loadChanges(file: string, networkText: string, networkFile: string, totalPackets: number, serviceTagsFile?: string): Epochs {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return problem(file, 0, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) return problem(file, doc.errors[0]!.linePos?.[0]?.line ?? 0, '', `YAML syntax: ${doc.errors[0]!.message.split('\n')[0]}`);
  const root = doc.contents;
  const seq = isMap(root) ? root.get('changes', true) : root;
  if (!isSeq(seq)) return problem(file, 1, 'changes', 'expected a list `changes:` of control-plane steps, each with atPacket: N');
  const lineOf = (i: number) => lc.linePos(seq.items[i]?.range?.[0] ?? 0).line;
  const raw = seq.toJSON() as Array<Record<string, unknown>>;
  const steps: Array<Record<string, unknown>> = [];
  const at: number[] = [];
  raw.forEach((item, i) => {
    const where = `changes[${i}]`;
    if (item === null || typeof item !== 'object') problem(file, lineOf(i), where, 'expected a map: a control-plane step with atPacket: N');
    const n = item['atPacket'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n >= totalPackets)
      problem(file, lineOf(i), `${where}.atPacket`, `expected an integer from 1 to ${totalPackets - 1} (the replay has ${totalPackets} packets), got ${JSON.stringify(n)}`);
    if (at.length > 0 && n < at[at.length - 1]!) problem(file, lineOf(i), `${where}.atPacket`, `changes must be in packet order: ${n} after ${at[at.length - 1]}`);
    const { atPacket: _, ...step } = item;
    const kind = Object.keys(step).find((k) => k !== 'expect');
    if (kind === undefined || !(CHANGE_KINDS as readonly string[]).includes(kind))
      problem(file, lineOf(i), where, `expected one control-plane step (${CHANGE_KINDS.join(', ')}), got ${kind ?? 'none'}`);
    at.push(n);
    steps.push(step);
  });
  // The network's own steps are replaced by the changes; the loader checks their fields and references.
  const net = parseDocument(networkText).toJSON() as Record<string, unknown>;
  let parsed: Scenario;
  try {
    parsed = parseScenario(stringify({ ...net, steps }), networkFile, serviceTagsFile === undefined ? {} : { serviceTagsFile });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const p = e.problems.find((x) => x.path.startsWith('steps')) ?? e.problems[0]!;
    const m = /^steps\[(\d+)\](.*)$/.exec(p.path);
    if (m === null) throw e;
    return problem(file, lineOf(Number(m[1])), `changes[${m[1]}]${m[2]}`, p.message);
  }
  const boundaries = [0];
  const changes: ReplayChange[] = [];
  parsed.steps.forEach((step, i) => {
    if (at[i]! !== boundaries[boundaries.length - 1]) boundaries.push(at[i]!);
    changes.push({ atPacket: at[i]!, epoch: boundaries.length - 1, step });
  });
  return { boundaries, changes };
}
