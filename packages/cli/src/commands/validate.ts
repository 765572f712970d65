// `vnetsim validate FILE|DIR`: load and validate scenario files only (nothing runs). Exit 0 all valid, 2 otherwise.

import { loadScenarioFile, MissingDataError, ScenarioError, type Scenario, type ScenarioProblem } from '@vnetsim/scenario';
import { EXIT, scenarioFiles, type Command } from '../command.js';
import { formatScenarioError } from '../format-errors.js';

interface FileResult {
  file: string;
  valid: boolean;
  name?: string;
  steps?: number;
  problems: ScenarioProblem[];
  /** The absent data file, when the scenario could not be checked here. */
  skipped?: string;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check scenario files (strict: unknown keys, types, references, network rules) without running them',
  usage: 'vnetsim validate FILE|DIR... [--service-tags FILE] [--json]',
  options: {},
  optionHelp: [],
  examples: ['vnetsim validate scenarios/', 'vnetsim validate scenarios/service-endpoints/endpoint-switches-source-to-private.yaml --json'],
  run(ctx) {
    const files = scenarioFiles(ctx);
    const results: FileResult[] = [];
    for (const file of files) {
      try {
        const s: Scenario = loadScenarioFile(file, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
        results.push({ file, valid: true, name: s.name, steps: s.steps.length, problems: [] });
        if (!ctx.flags.json) ctx.io.out(`ok       ${file} (${s.name}: ${s.steps.length} step${s.steps.length === 1 ? '' : 's'})`);
      } catch (e) {
        if (e instanceof MissingDataError) {
          results.push({ file, valid: true, problems: [], skipped: e.missing });
          if (!ctx.flags.json) ctx.io.out(`skipped  ${file} (data absent: ${e.missing})`);
          continue;
        }
        if (!(e instanceof ScenarioError)) throw e;
        results.push({ file, valid: false, problems: e.problems });
        if (!ctx.flags.json) {
          ctx.io.out(`invalid  ${file} (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'})`);
          ctx.io.err(formatScenarioError(e));
        }
      }
    }
    const valid = results.every((r) => r.valid);
    if (ctx.flags.json) ctx.io.out(JSON.stringify({ files: results, valid }, null, 2));
    else if (files.length > 1) ctx.io.out(`${results.filter((r) => r.valid).length} of ${files.length} files valid`);
    return valid ? EXIT.ok : EXIT.invalid;
  },
};
