// The shape of a `vnetsim` command and the helpers its handlers share. Handlers stay thin: check arguments, call the
// library, print.

import type { ParseArgsConfig } from 'node:util';
import { findScenarioFiles, splitIpPort } from '@vnetsim/scenario';

/** Where output goes (a terminal, or buffers in tests). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface GlobalFlags {
  json: boolean;
  logLevel: LogLevel;
  serviceTags?: string;
}
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CommandContext {
  io: CliIo;
  flags: GlobalFlags;
  positionals: string[];
  /** Command options as parsed (strings and booleans). */
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Options of this command (global flags are added by main). */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Lines describing each option, for --help. */
  optionHelp: string[];
  examples: string[];
  run(ctx: CommandContext): Promise<number> | number;
}

/** Exit statuses (SCENARIOS.md): 0 ok, 1 an expectation failed, 2 invalid input, 3 internal error. */
export const EXIT = { ok: 0, failed: 1, invalid: 2, internal: 3 } as const;

/** Bad arguments: printed with a hint to --help, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function oneFile(ctx: CommandContext, what = 'FILE'): string {
  if (ctx.positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${ctx.positionals.length === 0 ? 'none' : ctx.positionals.join(' ')}`);
  return ctx.positionals[0]!;
}

/** The scenario files named by the positionals: files as given, directories searched for *.yaml (run, validate). */
export function scenarioFiles(ctx: CommandContext): string[] {
  if (ctx.positionals.length === 0) throw new UsageError('expected a scenario FILE or DIR (or several)');
  const files: string[] = [];
  for (const target of ctx.positionals) {
    let found: string[];
    try {
      found = findScenarioFiles(target);
    } catch {
      throw new UsageError(`${target}: no such file or directory`);
    }
    if (found.length === 0) throw new UsageError(`no scenario files (*.yaml) in ${target}`);
    for (const f of found) if (!files.includes(f)) files.push(f);
  }
  return files;
}

export function required(ctx: CommandContext, name: string): string {
  const v = ctx.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing --${name}`);
  return v;
}

export function oneOf<T extends string>(ctx: CommandContext, name: string, values: readonly T[]): T {
  const v = required(ctx, name);
  const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (hit === undefined) throw new UsageError(`--${name} ${v}: expected one of ${values.join(', ')}`);
  return hit;
}

export function ipPort(ctx: CommandContext, name: string): { ip: string; port: number } {
  const v = required(ctx, name);
  const r = splitIpPort(v);
  if (r === null) throw new UsageError(`--${name} ${v}: expected IP:PORT (10.0.1.4:50000 or [2001:db8::4]:443)`);
  return r;
}

export function optionalPort(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`--${name} ${String(v)}: expected a port from 0 to 65535`);
  return Number(v);
}
