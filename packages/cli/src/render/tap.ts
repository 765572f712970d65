// `vnetsim run --format tap`: TAP version 14 (https://testanything.org/tap-version-14-specification.html). One test
// point per step, named by scenario and step; a failure carries a YAML diagnostic block with the expectations that
// failed and the trace. Skipped scenarios are `# SKIP` points.

import type { ScenarioResult } from '@vnetsim/scenario';
import { failureBody, stepTitle, type SkippedScenario } from './junit.js';

export function tapReport(results: readonly ScenarioResult[], skipped: readonly SkippedScenario[] = []): string {
  const total = results.reduce((a, r) => a + r.steps.length, 0) + skipped.length;
  const out = ['TAP version 14', `1..${total}`];
  let n = 0;
  for (const r of results) {
    out.push(`# ${r.name} (${r.file})`);
    for (const st of r.steps) {
      n++;
      const desc = `${r.name}: ${stepTitle(st)}`.replace(/#/g, '\\#');
      if (st.passed) {
        out.push(`ok ${n} - ${desc}`);
        continue;
      }
      out.push(`not ok ${n} - ${desc}`);
      out.push('  ---');
      out.push(`  message: ${JSON.stringify(st.failures[0] ?? 'failed')}`);
      out.push(`  at: ${JSON.stringify(`${r.file}:${st.line}`)}`);
      out.push('  detail: |');
      for (const line of failureBody(st).split('\n')) out.push(`    ${line}`);
      out.push('  ...');
    }
  }
  for (const sk of skipped) {
    n++;
    out.push(`ok ${n} - ${sk.file.replace(/#/g, '\\#')} # SKIP ${sk.reason}`);
  }
  return `${out.join('\n')}\n`;
}
