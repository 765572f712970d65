// `vnetsim run --junit FILE`: JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters). One <testsuite> per
// scenario, one <testcase> per step; a failed step is a <failure> whose body holds each expectation with the value
// found, the step's result and the trace of the packet that differed. Scenarios skipped because their public data is
// absent are one skipped testcase, so the counts a CI shows never silently shrink.

import type { ScenarioResult, StepResult } from '@vnetsim/scenario';
import { xmlAttr, xmlText } from './xml.js';

export interface SkippedScenario {
  file: string;
  reason: string;
}

/** The name a step gets in JUnit and TAP: `step 3: connect (line 12)`, its 0-based index as `run` prints it. */
export function stepTitle(st: StepResult): string {
  return `step ${st.index}: ${st.kind} (line ${st.line})`;
}

/** The failure text of a step: what was expected and found, the step's result, the trace (plain text). */
export function failureBody(st: StepResult): string {
  const lines = st.failures.map((f) => `- ${f}`);
  if (Object.keys(st.result).length > 0) lines.push('', `result: ${JSON.stringify(st.result)}`);
  if (st.trace !== undefined) {
    lines.push('', `trace of ${st.trace.packet}: ${st.trace.disposition}${st.trace.reason ? ` (${st.trace.reason})` : ''}`);
    st.trace.steps.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${s.stage.padEnd(11)} ${s.text}`));
  }
  return lines.join('\n');
}

/** The JUnit XML document of a run. Times are omitted: the document is a pure function of the results. */
export function junitXml(results: readonly ScenarioResult[], skipped: readonly SkippedScenario[] = []): string {
  const tests = results.reduce((a, r) => a + r.steps.length, 0) + skipped.length;
  const failures = results.reduce((a, r) => a + r.steps.filter((s) => !s.passed).length, 0);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vnetsim" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped.length}">`,
  ];
  for (const r of results) {
    const failed = r.steps.filter((s) => !s.passed).length;
    out.push(`  <testsuite name="${xmlAttr(r.name)}" file="${xmlAttr(r.file)}" tests="${r.steps.length}" failures="${failed}" errors="0" skipped="0">`);
    out.push('    <properties>');
    out.push(`      <property name="packets" value="${r.counters.packetsIn}"/>`);
    for (const [d, n] of Object.entries(r.counters.dispositions)) if (n > 0) out.push(`      <property name="disposition.${xmlAttr(d)}" value="${n}"/>`);
    out.push('    </properties>');
    for (const st of r.steps) {
      const head = `    <testcase classname="${xmlAttr(r.name)}" name="${xmlAttr(stepTitle(st))}" file="${xmlAttr(r.file)}" line="${st.line}"`;
      if (st.passed) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      out.push(`      <failure message="${xmlAttr(st.failures[0] ?? 'failed')}" type="ExpectationFailed">${xmlText(failureBody(st))}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  for (const sk of skipped) {
    out.push(`  <testsuite name="${xmlAttr(sk.file)}" file="${xmlAttr(sk.file)}" tests="1" failures="0" errors="0" skipped="1">`);
    out.push(`    <testcase classname="${xmlAttr(sk.file)}" name="scenario" file="${xmlAttr(sk.file)}"><skipped message="${xmlAttr(sk.reason)}"/></testcase>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
