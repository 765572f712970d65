// `vnetsim pipeline`: the stages in order with their exits, generated from the stage list.
import { exitsText, pipelineDiagram, STAGES } from '@vnetsim/dataplane';
import { json } from './common.js';
import { EXIT, UsageError, type Command } from '../command.js';

export const pipelineCommand: Command = {
  name: 'pipeline',
  summary: 'print the packet pipeline: its stages in order, with what each decides (generated from the stage list)',
  usage: 'vnetsim pipeline [--json]',
  options: {},
  optionHelp: [],
  examples: ['vnetsim pipeline'],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`pipeline takes no arguments, got ${ctx.positionals.join(' ')}`);
    if (ctx.flags.json) json(ctx, STAGES.map((s) => ({ name: s.name, exits: exitsText(s), does: s.does, exitList: s.exits, replays: s.replays })));
    else ctx.io.out(pipelineDiagram());
    return EXIT.ok;
  },
};
