// What the engine commands share: loading the scenario, the Network with its logger, --format azure, JSON output,
// progress on a terminal.
import { pino } from 'pino';
import { Network } from '@vnetsim/dataplane';
import { loadScenarioFile, type Scenario } from '@vnetsim/scenario';
import { oneFile, UsageError, type CommandContext } from '../command.js';

export function load(ctx: CommandContext): Scenario {
  return loadScenarioFile(oneFile(ctx), ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
}

export function logger(ctx: CommandContext) {
  // Silent (the default): no logger at all; the Network makes its own silent one when it needs it.
  return ctx.flags.logLevel === 'silent' ? undefined : pino({ level: ctx.flags.logLevel }, pino.destination(2));
}

export function networkOf(ctx: CommandContext, s: Scenario): Network {
  return new Network(s.network, s.serviceTags, s.options, { logger: logger(ctx), snatPortsPerIp: s.options.snatPortsPerIp });
}

export const FORMAT_OPTION = { format: { type: 'string' } } as const;
export const FORMAT_HELP = "--format azure   print Azure's JSON shape (the REST API's / az's answer) instead of vnetsim's";

/** `--format azure`: Azure's REST shape; anything else is an error. */
export function azureFormat(ctx: CommandContext): boolean {
  const f = ctx.values['format'];
  if (f === undefined) return false;
  if (f !== 'azure') throw new UsageError(`--format ${String(f)}: expected azure`);
  return true;
}

export function json(ctx: CommandContext, value: unknown): void {
  ctx.io.out(JSON.stringify(value, null, 2));
}

/** Progress on an interactive terminal only (never in --json or CI logs). */
export function progressReporter(ctx: CommandContext): ((step: number, done: number, total: number) => void) | undefined {
  if (ctx.flags.json || !process.stderr.isTTY || process.env['CI']) return undefined;
  let last = 0;
  return (step, done, total) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    process.stderr.write(`\r  step ${step}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} packets${done >= total ? '\n' : ''}`);
  };
}

export function vmExists(s: Scenario, vm: string, flag: string): void {
  if (!s.network.vms.some((v) => v.name === vm)) throw new UsageError(`--${flag} ${vm}: no such VM in ${s.file}`);
}
