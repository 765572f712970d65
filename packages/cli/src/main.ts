#!/usr/bin/env node
// `vnetsim`: the command line. Parses arguments (node:util parseArgs), dispatches to a command of commands/, and turns
// errors into messages without stack traces: exit 2 for invalid input, 1 for failed expectations, 3 for a bug.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ScenarioError } from '@vnetsim/scenario';
import { EXIT, LOG_LEVELS, UsageError, type CliIo, type Command, type LogLevel } from './command.js';
import {
  benchCommand,
  effectiveNsgCommand,
  nextHopCommand,
  pipelineCommand,
  routesCommand,
  runCommand,
  traceCommand,
  verifyCommand,
} from './commands/engine.js';
import { validateCommand } from './commands/validate.js';
import { importCommand } from './commands/import.js';
import { tagsCommand } from './commands/tags.js';
import { schemaCommand } from './commands/schema.js';
import { diagramCommand } from './commands/diagram.js';
import { reportCommand } from './commands/report.js';
import { formatScenarioError } from './format-errors.js';

export const COMMANDS: readonly Command[] = [
  runCommand,
  validateCommand,
  routesCommand,
  nextHopCommand,
  verifyCommand,
  traceCommand,
  effectiveNsgCommand,
  benchCommand,
  pipelineCommand,
  importCommand,
  tagsCommand,
  schemaCommand,
  diagramCommand,
  reportCommand,
];

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  'service-tags': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
const GLOBAL_HELP = [
  '--json                 print one JSON document instead of tables',
  `--log-level LEVEL      ${LOG_LEVELS.join('|')} (default silent)`,
  '--service-tags FILE    a ServiceTags_Public JSON file; wins over the scenario\'s serviceTags:',
  '-h, --help             help for a command',
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'vnetsim: a packet-level emulator of Azure virtual networks with service endpoints',
    '',
    'Usage: vnetsim COMMAND [ARGS] [--json] [--log-level LEVEL] [--service-tags FILE]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...GLOBAL_HELP.map((l) => `  ${l}`),
    '',
    "Run 'vnetsim COMMAND --help' for a command's options and examples.",
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `vnetsim ${c.name}: ${c.summary}`,
    '',
    `Usage: ${c.usage}`,
    ...(c.optionHelp.length > 0 ? ['', 'Options:', ...c.optionHelp.map((l) => `  ${l}`)] : []),
    '',
    'Global options:',
    ...GLOBAL_HELP.map((l) => `  ${l}`),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Runs the CLI on `argv` (without node and script) and returns the exit status. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? EXIT.invalid : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`vnetsim: unknown command "${name}"; expected one of ${COMMANDS.map((c) => c.name).join(', ')}`);
    io.err("Run 'vnetsim --help' for usage.");
    return EXIT.invalid;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
    }
    const v = parsed.values as Record<string, string | boolean | undefined>;
    if (v['help'] === true) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const logLevel = (v['log-level'] ?? 'silent') as string;
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level ${logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
    const flags = { json: v['json'] === true, logLevel: logLevel as LogLevel, ...(typeof v['service-tags'] === 'string' ? { serviceTags: v['service-tags'] } : {}) };
    return await command.run({ io, flags, positionals: parsed.positionals, values: v });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`vnetsim ${name}: ${e.message}`);
      io.err(`Run 'vnetsim ${name} --help' for usage.`);
      return EXIT.invalid;
    }
    if (e instanceof ScenarioError) {
      io.err(formatScenarioError(e));
      return EXIT.invalid;
    }
    // A bug, not bad input: say so briefly; VNETSIM_DEBUG=1 shows the stack.
    io.err(`vnetsim ${name}: internal error: ${(e as Error)?.message ?? String(e)}`);
    if (process.env['VNETSIM_DEBUG']) io.err(String((e as Error)?.stack));
    return EXIT.internal;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // `vnetsim ... | head`: the reader went away; stop quietly instead of dying on EPIPE.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
