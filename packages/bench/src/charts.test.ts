// The chart generator on fixed result rows: SVG read back by a strict XML parser (saxes), one series per
// implementation with its points placed on log axes, one bar per pipeline row grouped by case, and RESULTS.md
// embedding the charts; --from-json redraws both from a saved report.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { chartsOf, lpmScalingChart, parseSize, pipelineChart } from './charts.js';
import { markdownReport, type RunReport } from './report.js';
import { runBenchCli } from './run.js';
import type { ResultRow, SuiteResult } from './suite.js';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
}
function parse(xml: string): El {
  const p = new SaxesParser();
  const root: El = { name: '#', attrs: {}, children: [] };
  const stack = [root];
  p.on('error', (e) => {
    throw e;
  });
  p.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: { ...(t.attributes as Record<string, string>) }, children: [] };
    stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  });
  p.on('closetag', () => void stack.pop());
  p.write(xml).close();
  return root.children[0]!;
}
function all(el: El, pred: (e: El) => boolean): El[] {
  return el.children.flatMap((c) => [...(pred(c) ? [c] : []), ...all(c, pred)]);
}

const row = (kase: string, impl: string, opsPerSec: number): ResultRow => ({ case: kase, impl, opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: 5 });
const LPM: SuiteResult = {
  name: 'lpm',
  notes: [],
  rows: [
    row('synthetic 1k / uniform', 'vnetsim', 3e8),
    row('synthetic 1k / uniform', 'dir-24-8', 2e8),
    row('synthetic 1k / uniform', 'longest-prefix-match', 1e6),
    row('synthetic 1k / hot', 'vnetsim', 1e8), // another distribution: not on the chart
    row('synthetic 1k / uniform / lookup()', 'vnetsim', 1e8), // another API: not on the chart
    row('synthetic 100k / uniform', 'vnetsim', 1e8),
    row('synthetic 100k / uniform', 'dir-24-8', 5e7),
    row('synthetic 100k / uniform', 'longest-prefix-match', 1e6),
    row('synthetic 1M / uniform', 'vnetsim', 3e7),
    row('synthetic 1M / uniform', 'dir-24-8', 4e7),
    row('synthetic 1M / uniform', 'longest-prefix-match', 1e5),
  ],
};
const PIPELINE: SuiteResult = {
  name: 'pipeline',
  notes: [],
  rows: [
    row('established flows (16384 flows, 524288 pkts)', 'vnetsim', 8e6),
    row('toggle endpoint, 100000 open flows', 'vnetsim', 60), // toggles, not packets
    row('established flows, threads', 'vnetsim in-thread', 9e6),
    row('established flows, threads', 'vnetsim 2 workers, steered', 1.5e7),
    row('new flows, threads', 'vnetsim in-thread', 3e6),
    row('new flows, threads', 'vnetsim 2 workers, steered', 5e6),
  ],
};

describe('benchmark charts', () => {
  it('parseSize reads the table sizes of case names', () => {
    expect([parseSize('1k'), parseSize('100k'), parseSize('1M'), parseSize('902k'), parseSize('x')]).toEqual([1e3, 1e5, 1e6, 902e3, Number.NaN]);
  });

  it('LPM: one series per implementation over the uniform synthetic cases, points ordered by size on log axes', () => {
    const c = lpmScalingChart(LPM)!;
    const svg = parse(c.svg);
    expect(svg.name).toBe('svg');
    const series = all(svg, (e) => e.name === 'g' && e.attrs['class'] === 'series');
    expect(series.map((s) => s.attrs['data-impl'])).toEqual(['vnetsim', 'dir-24-8', 'longest-prefix-match']);
    const pts = (impl: string) =>
      all(series.find((s) => s.attrs['data-impl'] === impl)!, (e) => e.name === 'circle').map((e) => [Number(e.attrs['cx']), Number(e.attrs['cy'])] as const);
    const v = pts('vnetsim');
    expect(v).toHaveLength(3);
    // Log x: 1k -> 100k is twice the distance of 100k -> 1M.
    expect(v[1]![0] - v[0]![0]).toBeCloseTo(2 * (v[2]![0] - v[1]![0]), 0);
    // Faster is higher (smaller y); vnetsim 3e8 at 1k is above longest-prefix-match 1e6 at 1k by 2.48 decades.
    const lpm = pts('longest-prefix-match');
    const decade = (lpm[0]![1] - v[0]![1]) / Math.log10(3e8 / 1e6);
    expect(decade).toBeGreaterThan(0);
    expect(lpm[2]![1] - lpm[1]![1]).toBeCloseTo(decade, 0); // 1e6 -> 1e5: one decade down
    // Ticks: decades from 1k to 1M on x, 100k to 1G on y.
    const xt = all(svg, (e) => e.attrs['class'] === 'xtick');
    expect(xt).toHaveLength(4);
    expect(all(svg, (e) => e.attrs['class'] === 'ytick')).toHaveLength(5);
  });

  it('pipeline: one bar per packet row, grouped by case, widths proportional to packets/s', () => {
    const c = pipelineChart(PIPELINE)!;
    const svg = parse(c.svg);
    const bars = all(svg, (e) => e.name === 'g' && e.attrs['class'] === 'bar');
    expect(bars).toHaveLength(5);
    expect(bars.some((b) => b.attrs['data-case']!.startsWith('toggle'))).toBe(false);
    expect(all(svg, (e) => e.attrs['class'] === 'case')).toHaveLength(3);
    const width = (impl: string, kase: string) => Number(all(bars.find((b) => b.attrs['data-impl'] === impl && b.attrs['data-case'] === kase)!, (e) => e.name === 'rect')[0]!.attrs['width']);
    expect(width('vnetsim 2 workers, steered', 'established flows, threads') / width('vnetsim in-thread', 'new flows, threads')).toBeCloseTo(5, 1);
  });

  it('no rows, no chart', () => {
    expect(lpmScalingChart({ name: 'lpm', rows: [], notes: [] })).toBeNull();
    expect(pipelineChart(undefined)).toBeNull();
    expect(chartsOf([LPM, PIPELINE]).map((c) => c.file)).toEqual(['lpm-scaling.svg', 'pipeline-throughput.svg']);
  });

  const report: RunReport = {
    date: '2026-01-01T00:00:00.000Z',
    command: 'node packages/bench/dist/cli.js',
    seed: 1,
    quick: false,
    machine: { cpu: 'test cpu', cores: 2, totalMemGiB: 8, node: 'v20', v8: '11', platform: 'linux', loadAvg1m: 0 } as RunReport['machine'],
    totalSeconds: 1,
    suites: [LPM, PIPELINE],
  };

  it('RESULTS.md embeds each chart under its suite heading', () => {
    const md = markdownReport(report, [{ suite: 'lpm', title: 'LPM chart', path: 'charts/lpm-scaling.svg' }]);
    const lines = md.split('\n');
    const at = lines.indexOf('![LPM chart](charts/lpm-scaling.svg)');
    expect(at).toBeGreaterThan(lines.indexOf('## lpm'));
    expect(at).toBeLessThan(lines.indexOf('## pipeline'));
  });

  it('--from-json --markdown redraws RESULTS.md and charts/ from a saved report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-charts-'));
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(report));
    const out: string[] = [];
    const code = await runBenchCli(['--from-json', path.join(dir, 'run.json'), '--markdown', path.join(dir, 'RESULTS.md')], { out: (t) => out.push(t), err: () => {}, tty: false });
    expect(code).toBe(0);
    const md = readFileSync(path.join(dir, 'RESULTS.md'), 'utf8');
    expect(md).toContain('](charts/lpm-scaling.svg)');
    expect(md).toContain('](charts/pipeline-throughput.svg)');
    expect(parse(readFileSync(path.join(dir, 'charts/lpm-scaling.svg'), 'utf8')).name).toBe('svg');
    expect(parse(readFileSync(path.join(dir, 'charts/pipeline-throughput.svg'), 'utf8')).name).toBe('svg');
    expect(await runBenchCli(['--from-json', path.join(dir, 'nope.json')], { out: () => {}, err: () => {}, tty: false })).toBe(2);
  });
});
