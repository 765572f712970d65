// SVG charts of a benchmark run, written beside RESULTS.md and embedded in it: LPM lookups/s against table size for
// vnetsim, DIR-24-8 and the npm peers (log-log: the peers are orders of magnitude apart), and pipeline packets/s by
// case and thread layout (bars). Drawn from the run's result rows only, as plain SVG text: no plotting library.

import type { SuiteResult } from './suite.js';

export interface Chart {
  /** The suite whose section of RESULTS.md shows it. */
  suite: string;
  /** File name inside the charts folder, e.g. `lpm-scaling.svg`. */
  file: string;
  /** Alt text and caption. */
  title: string;
  svg: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** `1k` -> 1000, `100k` -> 100000, `1M` -> 1e6, `902k` -> 902000. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKM]?)$/.exec(s);
  if (m === null) return Number.NaN;
  return Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === '' ? 1 : 1e3);
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${n / 1e9}G`;
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return n >= 1 ? String(n) : n.toExponential(0);
}

/**
 * Lookups/s against the number of prefixes, one line per implementation, on the synthetic tables with uniform
 * destinations (cases `synthetic SIZE / uniform`), both axes log10. Null when the run has no such rows.
 */
export function lpmScalingChart(lpm: SuiteResult | undefined): Chart | null {
  if (lpm === undefined) return null;
  const series = new Map<string, Array<[number, number]>>();
  for (const r of lpm.rows) {
    const m = /^synthetic (\S+) \/ uniform$/.exec(r.case);
    if (m === null || !(r.opsPerSec > 0)) continue;
    const size = parseSize(m[1]!);
    if (!Number.isFinite(size)) continue;
    if (!series.has(r.impl)) series.set(r.impl, []);
    series.get(r.impl)!.push([size, r.opsPerSec]);
  }
  if (series.size === 0) return null;
  for (const pts of series.values()) pts.sort((a, b) => a[0] - b[0]);
  const all = [...series.values()].flat();
  const xs = [Math.floor(Math.log10(Math.min(...all.map((p) => p[0])))), Math.ceil(Math.log10(Math.max(...all.map((p) => p[0]))))];
  const ys = [Math.floor(Math.log10(Math.min(...all.map((p) => p[1])))), Math.ceil(Math.log10(Math.max(...all.map((p) => p[1]))))];
  if (xs[0] === xs[1]) xs[1]! += 1;
  if (ys[0] === ys[1]) ys[1]! += 1;
  const W = 760;
  const H = 440;
  const L = 80;
  const R = 230;
  const T = 40;
  const B = 60;
  const pw = W - L - R;
  const ph = H - T - B;
  const sx = (v: number) => L + ((Math.log10(v) - xs[0]!) / (xs[1]! - xs[0]!)) * pw;
  const sy = (v: number) => T + ph - ((Math.log10(v) - ys[0]!) / (ys[1]! - ys[0]!)) * ph;
  const title = 'LPM lookups/s against table size (synthetic tables, uniform destinations; log-log)';
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${L}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let e = xs[0]!; e <= xs[1]!; e++) {
    const x = sx(10 ** e).toFixed(1);
    out.push(`<line class="grid" x1="${x}" y1="${T}" x2="${x}" y2="${T + ph}" stroke="#e5e8e8"/>`, `<text class="xtick" x="${x}" y="${T + ph + 18}" text-anchor="middle">${formatCount(10 ** e)}</text>`);
  }
  for (let e = ys[0]!; e <= ys[1]!; e++) {
    const y = sy(10 ** e).toFixed(1);
    out.push(`<line class="grid" x1="${L}" y1="${y}" x2="${L + pw}" y2="${y}" stroke="#e5e8e8"/>`, `<text class="ytick" x="${L - 8}" y="${(Number(y) + 4).toFixed(1)}" text-anchor="end">${formatCount(10 ** e)}</text>`);
  }
  out.push(
    `<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#555"/>`,
    `<text x="${L + pw / 2}" y="${H - 18}" text-anchor="middle">prefixes in the table</text>`,
    `<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">lookups per second</text>`,
  );
  [...series.entries()].forEach(([impl, pts], i) => {
    const color = PALETTE[i % PALETTE.length]!;
    out.push(`<g class="series" data-impl="${esc(impl)}">`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${impl}: ${formatCount(x)} prefixes, ${y.toPrecision(3)} lookups/s`)}</title></circle>`);
    out.push('</g>');
    const ly = T + 10 + i * 20;
    out.push(`<g class="legend"><line x1="${L + pw + 16}" y1="${ly}" x2="${L + pw + 40}" y2="${ly}" stroke="${color}" stroke-width="2"/><text x="${L + pw + 46}" y="${ly + 4}">${esc(impl)}</text></g>`);
  });
  out.push('</svg>');
  return { suite: 'lpm', file: 'lpm-scaling.svg', title, svg: out.join('\n') };
}

/**
 * Packets/s of the pipeline suite, one bar per row, grouped by case (the thread layouts of a case side by side).
 * Rows that count something other than packets (the endpoint toggle) are left out. Null when there are none.
 */
export function pipelineChart(pipeline: SuiteResult | undefined): Chart | null {
  if (pipeline === undefined) return null;
  const rows = pipeline.rows.filter((r) => !/^toggle/.test(r.case) && r.opsPerSec > 0);
  if (rows.length === 0) return null;
  const cases = [...new Set(rows.map((r) => r.case))];
  const impls = [...new Set(rows.map((r) => r.impl))];
  const BAR = 18;
  const GROUP_GAP = 26;
  const L = 300;
  const W = 820;
  const T = 44;
  const pw = W - L - 90;
  const max = Math.max(...rows.map((r) => r.opsPerSec));
  const step = niceStep(max / 5);
  const top = Math.ceil(max / step) * step;
  const H = T + rows.length * (BAR + 4) + cases.length * GROUP_GAP + 40;
  const sx = (v: number) => L + (v / top) * pw;
  const title = 'Pipeline packets/s by case and thread layout';
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="16" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  const bottom = H - 34;
  for (let v = 0; v <= top + step / 2; v += step) {
    const x = sx(v).toFixed(1);
    out.push(`<line class="grid" x1="${x}" y1="${T - 6}" x2="${x}" y2="${bottom}" stroke="#e5e8e8"/>`, `<text class="xtick" x="${x}" y="${bottom + 16}" text-anchor="middle">${(v / 1e6).toFixed(step < 1e6 ? 1 : 0)}M</text>`);
  }
  out.push(`<text x="${L + pw / 2}" y="${H - 4}" text-anchor="middle">packets per second</text>`);
  let y = T;
  for (const c of cases) {
    out.push(`<text class="case" x="16" y="${y + 12}" font-weight="bold">${esc(c)}</text>`);
    y += 18;
    for (const r of rows.filter((x) => x.case === c)) {
      const color = PALETTE[impls.indexOf(r.impl) % PALETTE.length]!;
      const w = Math.max(1, sx(r.opsPerSec) - L);
      out.push(
        `<g class="bar" data-case="${esc(c)}" data-impl="${esc(r.impl)}"><text x="${L - 8}" y="${y + 13}" text-anchor="end">${esc(r.impl)}</text>` +
          `<rect x="${L}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${color}"><title>${esc(`${c}: ${r.impl}: ${(r.opsPerSec / 1e6).toFixed(2)} M packets/s`)}</title></rect>` +
          `<text x="${(L + w + 6).toFixed(1)}" y="${y + 13}">${(r.opsPerSec / 1e6).toFixed(1)}</text></g>`,
      );
      y += BAR + 4;
    }
    y += GROUP_GAP - 18;
  }
  out.push('</svg>');
  return { suite: 'pipeline', file: 'pipeline-throughput.svg', title, svg: out.join('\n') };
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Every chart the run's suites allow. */
export function chartsOf(suites: readonly SuiteResult[]): Chart[] {
  const by = (n: string) => suites.find((s) => s.name === n);
  return [lpmScalingChart(by('lpm')), pipelineChart(by('pipeline'))].filter((c): c is Chart => c !== null);
}
