// `vnetsim schema`: the JSON Schema of the scenario format, generated from the loader's own definitions.
import { scenarioJsonSchema } from '@vnetsim/scenario';
import { EXIT, UsageError, type Command } from '../command.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema (draft 2020-12) of the scenario format, for editors and validators',
  usage: 'vnetsim schema',
  options: {},
  optionHelp: [],
  examples: [
    'vnetsim schema > scenario.schema.json',
    'then, as the first line of a scenario: # yaml-language-server: $schema=./scenario.schema.json',
  ],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`schema takes no arguments, got ${ctx.positionals.join(' ')}`);
    ctx.io.out(JSON.stringify(scenarioJsonSchema(), null, 2));
    return EXIT.ok;
  },
};
