// `vnetsim schema`: the JSON Schema of the scenario format, generated from the loader's own definitions.
import { scenarioJsonSchema } from '@vnetsim/scenario';
import { EXIT, UsageError, type Command } from '../command.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema (draft 2020-12) of the scenario format, for editors and validators',
  usage: 'vnetsim schema',
  options: {},
  optionHelp: [
    'Editors: docs/scenario.schema.json is this output; a scenario whose first line is',
    '  # yaml-language-server: $schema=<path to docs/scenario.schema.json>',
    'gets completion and checks in editors with yaml-language-server (the YAML extension of VS Code, and others).',
  ],
  examples: ['vnetsim schema > docs/scenario.schema.json'],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`schema takes no arguments, got ${ctx.positionals.join(' ')}`);
    ctx.io.out(JSON.stringify(scenarioJsonSchema(), null, 2));
    return EXIT.ok;
  },
};
