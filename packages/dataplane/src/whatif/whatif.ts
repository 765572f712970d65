// `whatif` as a library: two networks (as the steps left them, and with the change) -> the plan of every changed
// (source, destination, protocol, port), the connections the change resets, and a summary. Slices of the work can run
// anywhere (a later distributed engine) and merge into the same result: mergeWhatIf(engine, results) is the answer.
import type { FlowResetEvent, Network } from '../network.js';
import { WhatIfEngine, type ChangedCell, type SliceResult, type WhatIfSlice } from './engine.js';
import { groupChanges, type WhatIfChange } from './group.js';

export interface WhatIfSummary {
  /** Every source considered (VMs, on-premises sites, the Internet). */
  sources: number;
  /** Cells evaluated: (source, destination class, source class, protocol/port class); one packet per network each. */
  classes: number;
  changedClasses: number;
  seconds: number;
  /** Sources evaluated and those proved unaffected (nothing they can read differs). */
  evaluatedSources: number;
  skippedSources: number;
  destinationClasses: number;
  packets: number;
  packetsPerSecond: number;
  /** Where the time went: classes (cut points), evaluate (pipeline runs and comparison), group (plan). */
  split: { classes: number; evaluate: number; group: number };
}

export interface WhatIfResult {
  changes: WhatIfChange[];
  /** Connections the change resets (R-SE-2): the caller names them (scenario connection ids) from `resets`. */
  resets: FlowResetEvent[];
  summary: WhatIfSummary;
}

export interface WhatIfOptions {
  /** Open connections (of the network the steps left) the change resets; computed by the caller. */
  resets?: FlowResetEvent[];
  /** Classes per slice (a unit of work of the distributed engine). */
  classesPerSlice?: number;
  /** Called after each slice with slices done and total. */
  progress?: (done: number, total: number) => void;
}

/** The whole answer on this thread: plan the slices, run them, merge. */
export function whatIf(before: Network, after: Network, opts: WhatIfOptions = {}): WhatIfResult {
  const t0 = performance.now();
  const engine = new WhatIfEngine(before, after);
  const slices = engine.plan(opts.classesPerSlice);
  const t1 = performance.now();
  const results: SliceResult[] = [];
  slices.forEach((s, i) => {
    results.push(engine.runSlice(s));
    opts.progress?.(i + 1, slices.length);
  });
  const t2 = performance.now();
  return mergeWhatIf(engine, results, opts.resets ?? [], { classes: (t1 - t0) / 1000, evaluate: (t2 - t1) / 1000, start: t0 });
}

/** Merges slice results (any order, from anywhere) into the answer; every planned slice must be there once. */
export function mergeWhatIf(
  engine: WhatIfEngine,
  results: readonly SliceResult[],
  resets: FlowResetEvent[] = [],
  timing: { classes: number; evaluate: number; start: number } = { classes: 0, evaluate: 0, start: performance.now() },
): WhatIfResult {
  checkCoverage(engine, results.map((r) => r.slice));
  const g0 = performance.now();
  const cells: ChangedCell[] = results.flatMap((r) => r.changed);
  const changes = groupChanges(cells, engine.sources, engine.before.tags);
  const group = (performance.now() - g0) / 1000;
  const evaluated = engine.skipped.filter((x) => !x).length;
  const classes = results.reduce((n, r) => n + r.cells, 0);
  const evaluate = timing.evaluate > 0 ? timing.evaluate : results.reduce((n, r) => n + r.seconds, 0);
  return {
    changes,
    resets,
    summary: {
      sources: engine.sources.length,
      classes,
      changedClasses: cells.length,
      seconds: (performance.now() - timing.start) / 1000,
      evaluatedSources: evaluated,
      skippedSources: engine.sources.length - evaluated,
      destinationClasses: results.reduce((n, r) => n + r.classes, 0),
      packets: 2 * classes,
      packetsPerSecond: evaluate > 0 ? Math.round((2 * classes) / evaluate) : 0,
      split: { classes: timing.classes, evaluate, group },
    },
  };
}

/**
 * The connections open in `live` (the network as the steps left it) that turning it into `afterSpec`'s endpoints would
 * reset (R-SE-2): every endpoint added or removed on a subnet, asked of the live flow table without changing it.
 */
export function resetsOf(live: Network, after: Network): FlowResetEvent[] {
  const out: FlowResetEvent[] = [];
  const seen = new Set<number>();
  for (const v of live.spec.vnets)
    for (const s of v.subnets) {
      const name = `${v.name}/${s.name}`;
      const other = after.spec.vnets.find((x) => x.name === v.name)?.subnets.find((x) => x.name === s.name);
      if (other === undefined) continue;
      const had = new Map(s.serviceEndpoints.map((e) => [e.service, e]));
      const has = new Map(other.serviceEndpoints.map((e) => [e.service, e]));
      const toggles: Array<[string, boolean, string[] | undefined]> = [];
      for (const [svc, e] of has) if (!had.has(svc)) toggles.push([svc, true, e.locations]);
      for (const [svc] of had) if (!has.has(svc)) toggles.push([svc, false, undefined]);
      for (const [svc, enable, locations] of toggles)
        for (const e of live.previewEndpointResets(name, svc, enable, locations))
          if (!seen.has(e.flowId)) (seen.add(e.flowId), out.push(e));
    }
  return out;
}

/** Every (source, family) not skipped is covered by the slices exactly once, whatever their size and order. */
function checkCoverage(engine: WhatIfEngine, slices: readonly WhatIfSlice[]): void {
  const by = new Map<string, WhatIfSlice[]>();
  for (const s of slices) {
    const k = `${s.source}/${s.family}`;
    let l = by.get(k);
    if (l === undefined) by.set(k, (l = []));
    l.push(s);
  }
  const want = new Set(engine.plan(Number.MAX_SAFE_INTEGER).map((s) => `${s.source}/${s.family}`));
  for (const k of want) {
    const l = (by.get(k) ?? []).sort((a, b) => a.from - b.from);
    const [source, family] = k.split('/').map(Number) as [number, 4 | 6];
    const n = engine.classPoints(source, family).length - 1;
    let at = 0;
    for (const s of l) {
      if (s.from !== at) throw new Error(`whatif: slices of source ${source} IPv${family} leave classes ${at}..${s.from} out or overlap`);
      at = s.to;
    }
    if (at !== n) throw new Error(`whatif: slices of source ${source} IPv${family} cover ${at} of ${n} classes`);
  }
  for (const k of by.keys()) if (!want.has(k)) throw new Error(`whatif: slice of ${k}, which has nothing to evaluate`);
}
