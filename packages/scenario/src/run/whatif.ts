// `whatif` over a scenario: the network as its steps left it, the question (control-plane steps, or another version
// of the network), the answer of dataplane's whatif engine, the open connections it would reset named by their ids,
// and the checks of a `whatif` step's expect.
import { Network, prefixInterval, resetsOf, whatIf, type FlowResetEvent, type WhatIfChange, type WhatIfOptions, type WhatIfSummary } from '@vnetsim/dataplane';
import type { Scenario } from '../load/scenario-load.js';
import type { ChangeMatch, Expect, Step } from '../load/scenario-schema.js';
import { applyChange } from './apply-change.js';

/** The question: control-plane steps applied in order, or the network of another file (`--after`). */
export type WhatIfQuestion = { changes: Step[] } | { after: Scenario };

/** The answer (the JSON of `vnetsim whatif --json`: a contract). */
export interface WhatIfReport {
  changes: WhatIfChange[];
  resetConnections: string[];
  summary: WhatIfSummary;
}

/** A change the network refuses (or a step that is no change): invalid input, exit 2. */
export class WhatIfChangeError extends Error {
  override readonly name = 'WhatIfChangeError';
  constructor(readonly code: string, message: string, readonly line: number) {
    super(message);
  }
}

/**
 * Answers `question` for `live`, the network as the steps left it (its flows say what a change resets; nothing of it
 * changes). `nameResets` turns reset events into connection ids.
 */
export function whatIfOf(live: Network, question: WhatIfQuestion, nameResets: (r: FlowResetEvent[]) => string[], opts: WhatIfOptions = {}): WhatIfReport {
  const fresh = (spec = live.spec, tags = live.tags, options = live.options) =>
    new Network(spec, tags, options, { flowCapacity: 4096, batchCapacity: 4096, snatPortsPerIp: options.snatPortsPerIp });
  const before = fresh();
  let after: Network;
  if ('after' in question) after = fresh(question.after.network, question.after.serviceTags, question.after.options);
  else {
    after = fresh();
    for (const step of question.changes) {
      const r = applyChange(after, step);
      if (r === null) throw new WhatIfChangeError('InvalidRequest', `a ${step.kind} step is not a control-plane change`, step.line);
      if (!r.ok) throw new WhatIfChangeError(r.error!.code, `${step.kind}: ${r.error!.code}: ${r.error!.message}`, step.line);
    }
  }
  const resets = resetsOf(live, after);
  const result = whatIf(before, after, { ...opts, resets });
  return { changes: result.changes, resetConnections: nameResets(resets), summary: result.summary };
}

/** Checks a whatif step's expect: changes contains / notContains, resetConnections exactly. */
export function checkWhatIf(e: Expect, report: WhatIfReport, failures: string[]): void {
  for (const want of e.changes?.contains ?? [])
    if (!report.changes.some((c) => changeMatches(want, c))) failures.push(`changes.contains: no change matches ${JSON.stringify(want)}`);
  for (const bad of e.changes?.notContains ?? []) {
    const hit = report.changes.find((c) => changeMatches(bad, c));
    if (hit !== undefined) failures.push(`changes.notContains: ${JSON.stringify(bad)} matches the change of ${hit.source} to ${hit.destinations.slice(0, 3).join(', ')}${hit.destinations.length > 3 ? ', ...' : ''}`);
  }
  if (e.resetConnections !== undefined) {
    const want = [...e.resetConnections].sort();
    const got = [...report.resetConnections].sort();
    if (want.join(',') !== got.join(',')) failures.push(`resetConnections: expected [${want.join(', ')}], got [${got.join(', ')}]`);
  }
}

/** SCENARIOS.md: every key given matches; lists are subsets; `destination` lies inside the destinations. */
export function changeMatches(want: ChangeMatch, c: WhatIfChange): boolean {
  const have = c as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(want)) {
    if (k === 'destination') {
      if (!covers(c.destinations, String(v))) return false;
    } else if (k === 'before' || k === 'after') {
      const o = c[k] as unknown as Record<string, unknown>;
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) if (String(o[k2] ?? 'null') !== String(v2 ?? 'null')) return false;
    } else if (Array.isArray(v)) {
      const list = have[k];
      if (!Array.isArray(list) || !v.every((x) => list.map(String).includes(String(x)))) return false;
    } else if (String(have[k] ?? 'null') !== String(v ?? 'null')) return false;
  }
  return true;
}

function covers(destinations: readonly string[], text: string): boolean {
  const t = prefixInterval(text);
  return destinations.some((d) => {
    const r = prefixInterval(d);
    return r.family === t.family && r.range[0] <= t.range[0] && t.range[1] <= r.range[1];
  });
}
