// `vnetsim report`: runs a scenario and writes one self-contained HTML page about it.
import { writeFileSync } from 'node:fs';
import { loadScenarioFile, runScenario, whatIfScenario, type Scenario, type WhatIfStep } from '@vnetsim/scenario';
import type { WhatIfAnswer } from '../render/report.js';
import { EXIT, oneFile, required, UsageError, type Command } from '../command.js';
import { reportHtml } from '../render/report.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'run a scenario and write one self-contained HTML report (network picture, verdicts, traces, counters)',
  usage: 'vnetsim report FILE -o REPORT.html',
  options: { output: { type: 'string', short: 'o' } },
  optionHelp: [
    '-o, --output F   the HTML file to write: inline CSS and SVG, no scripts, nothing fetched (open it offline)',
    'Exit status as for run: 0 every expectation held, 1 one failed (the report is written either way).',
  ],
  examples: ['vnetsim report scenarios/quickstart.yaml -o report.html'],
  run(ctx) {
    const file = oneFile(ctx);
    const out = required(ctx, 'output');
    if (ctx.flags.json) throw new UsageError('report writes HTML; use run --json for JSON');
    const scenario = loadScenarioFile(file, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
    const result = runScenario(scenario);
    try {
      writeFileSync(out, reportHtml({ scenario, result, whatif: whatIfAnswers(scenario) }));
    } catch (e) {
      throw new UsageError(`--output ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    ctx.io.out(`${result.passed ? 'PASS' : 'FAIL'}  ${result.name}: ${result.steps.length} steps, ${result.steps.filter((s) => !s.passed).length} failed; report written to ${out}`);
    return result.passed ? EXIT.ok : EXIT.failed;
  },
};

/** Each whatif step's answer, over the network as the steps before it left it (what `run` checked it against). */
function whatIfAnswers(s: Scenario): WhatIfAnswer[] {
  return s.steps
    .filter((st): st is WhatIfStep => st.kind === 'whatif')
    .map((st) => {
      const { report } = whatIfScenario({ ...s, steps: s.steps.slice(0, st.index) }, { changes: st.changes });
      return { index: st.index, line: st.line, changes: report.changes as unknown as Array<Record<string, unknown>>, resetConnections: report.resetConnections };
    });
}
