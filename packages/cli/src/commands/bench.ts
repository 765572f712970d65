// `vnetsim bench`: the benchmark harness of @vnetsim/bench, through its exported runBenchCli.
import { runBenchCli } from '@vnetsim/bench';
import { json } from './common.js';
import { UsageError, type Command } from '../command.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suites (LPM, NSG classifier, pipeline, control plane) and print a report',
  usage: 'vnetsim bench [--quick] [--suite NAME]... [--json]',
  options: { quick: { type: 'boolean' }, suite: { type: 'string', multiple: true } },
  optionHelp: ['--quick        a short run on the built-in defaults', '--suite NAME   only this suite (lpm, nsg, pipeline, control); repeatable'],
  examples: ['vnetsim bench --quick', 'vnetsim bench --suite lpm --suite nsg'],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`bench takes no arguments, got ${ctx.positionals.join(' ')}`);
    const suite = ctx.values['suite'];
    const suites = Array.isArray(suite) ? suite : [];
    const args = [...(ctx.values['quick'] === true ? ['--quick'] : []), ...suites.flatMap((x) => ['--suite', x]), ...(ctx.flags.json ? ['--json'] : [])];
    return runBenchCli(args);
  },
};
