// The suite registry contract: a suite answers one question (STYLE 12) and returns rows; the CLI prints/publishes them.
import os from 'node:os';

export interface SuiteContext {
  /** Short run (the main job, `pnpm start`): fewer cases and runs, whole thing under ~60 s. */
  quick: boolean;
  /** Absolute path of ../shared/data (may be absent: say so in notes). */
  dataDir: string;
  /** Progress messages (stderr, only when it is a TTY). */
  log(msg: string): void;
  /** Seed for every generator of the suite. */
  seed: number;
}

export interface ResultRow {
  /** What was measured, e.g. "synthetic 100k / uniform". */
  case: string;
  /** Who was measured, e.g. "vnetsim", "dir-24-8", "longest-prefix-match". */
  impl: string;
  opsPerSec: number;
  nsPerOp: number;
  /** Memory of the measured structure, when known. */
  bytes?: number;
  /** Time to build/compile the structure, when measured. */
  buildMs?: number;
  /** Timed runs the median was taken over. */
  runs: number;
  extra?: Record<string, number | string>;
}

export interface SuiteResult {
  name: string;
  rows: ResultRow[];
  /** Plain sentences: what was skipped and why, what a row means, which peer failed to load. */
  notes: string[];
}

export interface Suite {
  name: string;
  description: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}

export interface MeasureOptions {
  /** At least this many timed runs (>= 5 enforced). */
  minRuns?: number;
  /** Each run calls fn until at least this many ms have passed. */
  minMs?: number;
  /** Untimed calls first (JIT warm-up). */
  warmupCalls?: number;
}

export interface Measurement {
  opsPerSec: number;
  nsPerOp: number;
  runs: number;
  /** ops/s of every run, for spread. */
  samples: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Times `fn` (which does `opsPerCall` operations per call) in >= 5 runs of >= minMs each and returns the MEDIAN
 * ops/s. A run repeats fn until minMs has passed, so short calls are still measured over a long enough interval.
 */
export function measureBatch(fn: () => void, opsPerCall: number, opts: MeasureOptions = {}): Measurement {
  const minRuns = Math.max(5, opts.minRuns ?? 5);
  const minMs = opts.minMs ?? 100;
  const warmup = opts.warmupCalls ?? 1;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  while (samples.length < minRuns) {
    let calls = 0;
    const t0 = performance.now();
    let t1 = t0;
    do {
      fn();
      calls++;
      t1 = performance.now();
    } while (t1 - t0 < minMs);
    samples.push((calls * opsPerCall * 1000) / (t1 - t0));
  }
  const opsPerSec = median(samples);
  return { opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: samples.length, samples };
}

/**
 * Like measureBatch for several functions at once, with their runs interleaved (A, B, A, B...) so that load from
 * other processes on a shared machine falls on all of them alike; the ratios stay meaningful.
 */
export function measureInterleaved(
  cases: ReadonlyArray<{ fn: () => void; opsPerCall: number }>,
  opts: MeasureOptions = {},
): Measurement[] {
  const minRuns = Math.max(5, opts.minRuns ?? 5);
  const minMs = opts.minMs ?? 100;
  const warmup = opts.warmupCalls ?? 1;
  for (const c of cases) for (let i = 0; i < warmup; i++) c.fn();
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < minRuns; r++) {
    cases.forEach((c, k) => {
      let calls = 0;
      const t0 = performance.now();
      let t1 = t0;
      do {
        c.fn();
        calls++;
        t1 = performance.now();
      } while (t1 - t0 < minMs);
      samples[k].push((calls * c.opsPerCall * 1000) / (t1 - t0));
    });
  }
  return samples.map((s) => {
    const opsPerSec = median(s);
    return { opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: s.length, samples: s };
  });
}

/** Wall time of one call in ms. */
export function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  platform: string;
  totalMemGiB: number;
  /** 1-minute load average when the run started: other processes on the machine skew the numbers. */
  loadAvg1m: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** A row from a measurement. */
export function row(
  kase: string,
  impl: string,
  m: Measurement,
  more: { bytes?: number; buildMs?: number; extra?: Record<string, number | string> } = {},
): ResultRow {
  const r: ResultRow = { case: kase, impl, opsPerSec: m.opsPerSec, nsPerOp: m.nsPerOp, runs: m.runs };
  if (more.bytes !== undefined) r.bytes = more.bytes;
  if (more.buildMs !== undefined) r.buildMs = more.buildMs;
  if (more.extra !== undefined) r.extra = more.extra;
  return r;
}
