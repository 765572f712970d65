// `vnetsim report`: one self-contained HTML page of a scenario run: the network picture, each step's verdict, the
// failing steps with their expectations and traces (text and picture), the what-if answers of `whatif` steps, and
// the run's counters. Everything is inline (CSS, SVG); there are no scripts, and a Content-Security-Policy that
// forbids any fetch makes that a property a browser enforces, not a promise.

import type { Scenario, ScenarioResult, StepResult } from '@vnetsim/scenario';
import { toSvg } from './svg.js';
import { topologyGraph } from './topology.js';
import { traceGraph } from './trace-graph.js';
import { xmlText as esc } from './xml.js';

const CSS = `
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1c2833; margin: 0; background: #fdfefe; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d5d8dc; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: bold; color: #fff; }
.pass { background: #1e8449; } .fail { background: #c0392b; }
table { border-collapse: collapse; margin: 6px 0 12px; } th, td { border: 1px solid #d5d8dc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f3f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fdedec; }
.picture { overflow-x: auto; border: 1px solid #e5e8e8; border-radius: 6px; padding: 6px; background: #fff; }
pre { background: #f8f9f9; border: 1px solid #e5e8e8; padding: 8px; overflow-x: auto; font-size: 12px; }
.muted { color: #707b7c; } ul.failures { margin: 4px 0; } code { font-size: 12px; }
`;

/** The answer to a `whatif` step: what would change (one row per change, as `vnetsim whatif --json` names them). */
export interface WhatIfAnswer {
  index: number;
  line: number;
  changes: ReadonlyArray<Record<string, unknown>>;
  resetConnections: readonly string[];
}

export interface ReportInput {
  scenario: Scenario;
  result: ScenarioResult;
  /** The answers of the scenario's whatif steps, in step order. */
  whatif?: readonly WhatIfAnswer[];
  /** Shown in the footer; omit for byte-identical reports. */
  generatedAt?: string;
}

function stepSummary(st: StepResult): string {
  const r = st.result;
  const pick = (k: string) => (r[k] === undefined || r[k] === null ? undefined : String(r[k]));
  const parts = [pick('disposition'), pick('reason') !== 'None' ? pick('reason') : undefined, pick('rule'), pick('nextHopType'), pick('access'), pick('address'), pick('error')].filter((x) => x !== undefined);
  if (r['counts'] !== null && typeof r['counts'] === 'object') parts.push(cell(r['counts']));
  return parts.join(', ');
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.length > 4 ? `${v.slice(0, 4).map(String).join(', ')}, ... (${v.length})` : v.map(String).join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined && x !== 'None')
      .map(([k, x]) => `${k}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
      .join('; ');
  return String(v);
}

/** The table of a whatif step's answer: one row per change, its columns as the answer names them. */
function whatIfTable(a: WhatIfAnswer): string {
  const rows = a.changes;
  const head = `<h3>Step ${a.index}: what if (line ${a.line}): ${rows.length} change${rows.length === 1 ? '' : 's'}</h3>`;
  if (rows.length === 0) return `${head}<p class="muted">No packet would be treated differently.</p>`;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return `${head}<table class="whatif"><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${esc(cell(r[c]))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>${a.resetConnections.length > 0 ? `<p>Connections it would reset: ${esc(a.resetConnections.join(', '))}</p>` : ''}`;
}

function countsTable(title: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts).filter(([, n]) => n > 0);
  if (rows.length === 0) return '';
  return `<table class="counts"><thead><tr><th>${esc(title)}</th><th>packets</th></tr></thead><tbody>${rows
    .map(([k, n]) => `<tr><td>${esc(k)}</td><td class="num">${n.toLocaleString('en-US')}</td></tr>`)
    .join('')}</tbody></table>`;
}

export function reportHtml({ scenario, result, whatif = [], generatedAt }: ReportInput): string {
  const failed = result.steps.filter((s) => !s.passed);
  const c = result.counters;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No fetch of any kind: the page is complete as it is.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`vnetsim report: ${result.name}`)}</title>`,
    `<style>${CSS}</style></head><body><main>`,
    `<h1>${esc(result.name)} <span class="verdict ${result.passed ? 'pass' : 'fail'}">${result.passed ? 'PASS' : 'FAIL'}</span></h1>`,
    `<p class="muted">${esc(result.file)}: ${result.steps.length} steps, ${failed.length} failed; ${c.packetsIn.toLocaleString('en-US')} packets</p>`,
    ...(scenario.description ? [`<p>${esc(scenario.description)}</p>`] : []),
    '<h2 id="topology">Network</h2>',
    `<div class="picture">${toSvg(topologyGraph(scenario.network, `network of ${result.name}`))}</div>`,
    '<h2 id="steps">Steps</h2>',
    '<table class="steps"><thead><tr><th>#</th><th>step</th><th>line</th><th>verdict</th><th>result</th></tr></thead><tbody>',
    ...result.steps.map(
      (st) =>
        `<tr class="${st.passed ? 'passed' : 'failed'}" id="step-${st.index}"><td class="num">${st.index}</td><td>${esc(st.kind)}</td><td class="num">${st.line}</td><td>${
          st.passed ? 'pass' : `<a href="#failure-${st.index}">FAIL</a>`
        }</td><td>${esc(stepSummary(st))}</td></tr>`,
    ),
    '</tbody></table>',
  ];
  if (failed.length > 0) {
    out.push('<h2 id="failures">Failing steps</h2>');
    for (const st of failed) {
      out.push(`<section class="failure" id="failure-${st.index}"><h3>Step ${st.index}: ${esc(st.kind)} (line ${st.line})</h3>`);
      out.push(`<ul class="failures">${st.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`);
      if (st.trace !== undefined) {
        const t = st.trace;
        out.push(`<pre>${esc([`${t.packet}: ${t.disposition}${t.reason ? ` (${t.reason})` : ''}`, ...t.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s.stage.padEnd(11)} ${s.text}`)].join('\n'))}</pre>`);
        out.push(`<div class="picture">${toSvg(traceGraph(t))}</div>`);
      }
      out.push('</section>');
    }
  }
  if (whatif.length > 0) {
    out.push('<h2 id="whatif">What if</h2>');
    for (const a of whatif) out.push(whatIfTable(a));
  }
  out.push('<h2 id="counts">Counters</h2>');
  out.push(countsTable('disposition', c.dispositions));
  out.push(countsTable('drop reason', c.dropReasons));
  out.push(
    `<table class="flows"><thead><tr><th>flows</th><th>count</th></tr></thead><tbody>${(
      [
        ['created', c.flows.created],
        ['open at the end', c.flows.open],
        ['evicted', c.flows.evictions],
        ['reset', c.flows.resets],
        ['SNAT ports taken', c.snatPortsTaken],
      ] as const
    )
      .map(([k, n]) => `<tr><td>${k}</td><td class="num">${n.toLocaleString('en-US')}</td></tr>`)
      .join('')}</tbody></table>`,
  );
  out.push(`<p class="muted">vnetsim report${generatedAt ? `, ${esc(generatedAt)}` : ''}. Service tags: ${esc(scenario.serviceTagsSource === 'builtin' ? 'builtin' : (scenario.serviceTagsSource.split(/[\\/]/).pop() ?? ''))}.</p>`);
  out.push('</main></body></html>');
  return `${out.join('\n')}\n`;
}
