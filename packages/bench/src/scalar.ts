// One-address-per-call timing with the `benchmark` package (Benchmark.js): what a caller of lookup(addr) sees, as
// opposed to lookupBatch. Reported as the median of Benchmark.js's samples (>= 5).
import Benchmark from 'benchmark';
import { median } from './suite.js';
import type { Measurement } from './suite.js';

export function benchScalar(name: string, fn: () => void, opts: { maxTime: number; minSamples: number }): Measurement {
  const b = new Benchmark(name, fn, { maxTime: opts.maxTime, minSamples: Math.max(5, opts.minSamples) });
  b.run();
  if (b.error) throw b.error;
  // stats.sample holds seconds per call of each sample.
  const samples = b.stats.sample.map((secPerOp) => 1 / secPerOp);
  const opsPerSec = median(samples);
  return { opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: samples.length, samples };
}
