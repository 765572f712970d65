#!/usr/bin/env node
// `vnetsim`: the command line. Parses arguments (node:util parseArgs), dispatches to a command of commands/, and turns
// errors into messages without stack traces: exit 2 for invalid input, 1 for failed expectations, 3 for a bug.

import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ScenarioError, StepBugError, StepError, suggest } from '@vnetsim/scenario';
import { EXIT, LOG_LEVELS, UsageError, type CliIo, type Command, type LogLevel } from './command.js';
import { runCommand } from './commands/run.js';
import { routesCommand } from './commands/routes.js';
import { nextHopCommand } from './commands/next-hop.js';
import { verifyCommand } from './commands/verify.js';
import { traceCommand } from './commands/trace.js';
import { effectiveNsgCommand } from './commands/effective-nsg.js';
import { benchCommand } from './commands/bench.js';
import { pipelineCommand } from './commands/pipeline.js';
import { validateCommand } from './commands/validate.js';
import { importCommand } from './commands/import.js';
import { tagsCommand } from './commands/tags.js';
import { replayCommand, workerCommand } from './commands/scaleout.js';
import { schemaCommand } from './commands/schema.js';
import { diagramCommand } from './commands/diagram.js';
import { reportCommand } from './commands/report.js';
import { whatifCommand } from './commands/whatif.js';
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
  replayCommand,
  workerCommand,
  schemaCommand,
  diagramCommand,
  reportCommand,
  whatifCommand,
];

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  'service-tags': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};
const GLOBAL_HELP = [
  '--json                 print one JSON document instead of tables',
  `--log-level LEVEL      ${LOG_LEVELS.join('|')} (default silent)`,
  '--service-tags FILE    a ServiceTags_Public JSON file; wins over the scenario\'s serviceTags:',
  '-h, --help             help for a command',
  '--version              print the version of vnetsim',
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'vnetsim: a packet-level emulator of Azure virtual networks with service endpoints',
    '',
    'Usage: vnetsim [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]',
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

/** The version of the `vnetsim` package (packages/cli/package.json). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

/** Global options given before the command (`vnetsim --json run x.yaml`) move behind it; the command is the first
 * word that is not an option or a global option's value. */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const before: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) return { name: a, rest: [...before, ...argv.slice(i + 1)] };
    before.push(a);
    const opt = GLOBAL_OPTIONS[a.replace(/^--?/, '').split('=')[0]!];
    if (opt?.type === 'string' && !a.includes('=') && i + 1 < argv.length) before.push(argv[++i]!);
  }
  return { name: undefined, rest: before };
}

/** parseArgs' message for an unknown option, with the nearest option of the command (the loader's suggester). */
function unknownOption(message: string, options: Record<string, unknown>): string {
  const m = /Unknown option '(-{1,2}[^']+)'/.exec(message);
  if (m === null) return message;
  const found = m[1]!.replace(/^-+/, '');
  const hint = suggest(found, Object.keys(options));
  return `unknown option ${m[1]}${hint === undefined ? '' : `; did you mean --${hint}?`}`;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit status. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const { name, rest } = splitCommand(argv);
  if (name === undefined && rest.some((a) => a === '--version' || a === '-v')) {
    io.out(version());
    return EXIT.ok;
  }
  if (name === undefined || name === 'help') {
    io.out(usage());
    return name === 'help' || rest.includes('--help') || rest.includes('-h') ? EXIT.ok : EXIT.invalid;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    const hint = suggest(name, COMMANDS.map((c) => c.name));
    io.err(`vnetsim: unknown command "${name}"${hint === undefined ? '' : ` (did you mean ${hint}?)`}; expected one of ${COMMANDS.map((c) => c.name).join(', ')}`);
    io.err("Run 'vnetsim --help' for usage.");
    return EXIT.invalid;
  }
  let logLevel: LogLevel = 'silent';
  try {
    let parsed;
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(unknownOption((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''), options));
    }
    const v = parsed.values as Record<string, string | boolean | undefined>;
    if (v['version'] === true) {
      io.out(version());
      return EXIT.ok;
    }
    if (v['help'] === true) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const level = (v['log-level'] ?? 'silent') as string;
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level ${level}: expected one of ${LOG_LEVELS.join(', ')}`);
    logLevel = level as LogLevel;
    const flags = { json: v['json'] === true, logLevel, ...(typeof v['service-tags'] === 'string' ? { serviceTags: v['service-tags'] } : {}) };
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
    if (e instanceof StepError) {
      io.err(`vnetsim ${name}: ${e.message}`);
      return EXIT.invalid;
    }
    // A bug, not bad input: say so briefly; --log-level debug shows the stack.
    const bug = e instanceof StepBugError ? (e.cause as Error) : (e as Error);
    io.err(`vnetsim ${name}: internal error (a bug in vnetsim): ${(e as Error)?.message ?? String(e)}`);
    if (logLevel === 'debug' || logLevel === 'trace') io.err(String(bug?.stack ?? bug));
    else io.err('Run again with --log-level debug for the stack trace.');
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
