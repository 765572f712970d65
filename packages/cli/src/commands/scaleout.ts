// Commands beyond one machine (issue 13): `worker`, `replay`, and `run --redis`. Without --redis (and without
// VNETSIM_REDIS) everything runs in this process as before.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DISPOSITION_NAMES } from '@vnetsim/core';
import { loadScenarioFile, type Scenario, type ScenarioResult } from '@vnetsim/scenario';
import {
  loadChanges, QUEUE_NAMES, reachable, replayInProcess, replayOnRedis, runOnRedis, startWorkers, tagsFileOf, VNETSIM_VERSION,
  type QueueName, type ReplayChange, type ReplayShape,
} from '@vnetsim/scaleout';
import { EXIT, oneFile, UsageError, type Command, type CommandContext } from '../command.js';
import { renderTable } from '../table.js';

export const REDIS_OPTION = { redis: { type: 'string' } } as const;
export const REDIS_HELP = '--redis URL       run on `vnetsim worker`s through this Redis (default $VNETSIM_REDIS; neither: in this process)';

/** --redis, else VNETSIM_REDIS, else undefined (in-process). */
export function redisUrl(ctx: CommandContext): string | undefined {
  const v = ctx.values['redis'];
  if (typeof v === 'string') {
    if (v === '') throw new UsageError('--redis: expected a URL like redis://127.0.0.1:6379');
    return v;
  }
  const env = process.env['VNETSIM_REDIS'];
  return env === undefined || env === '' ? undefined : env;
}

async function mustReach(url: string): Promise<void> {
  try {
    await reachable(url);
  } catch (e) {
    throw new UsageError(`--redis ${url}: ${(e as Error).message}`);
  }
}

/** `run --redis`: the scenarios as jobs; results printed in file order, then the same table and status as a local run. */
export async function runOnWorkers(
  ctx: CommandContext,
  url: string,
  scenarios: readonly Scenario[],
  finish: (results: ScenarioResult[], started: number) => number,
  print: (ctx: CommandContext, r: ScenarioResult, speeds: ReadonlyArray<{ step: number; packets: number; seconds: number }>) => void,
): Promise<number> {
  await mustReach(url);
  const started = performance.now();
  const out = await runOnRedis({ url, note: (l) => ctx.io.err(l) }, scenarios, (_, r) => print(ctx, r.result, r.speeds));
  return finish(out.map((r) => r.result), started);
}

function positiveInt(ctx: CommandContext, name: string, fallback: number | undefined, max = Number.MAX_SAFE_INTEGER): number {
  const v = ctx.values[name];
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${name}`);
    return fallback;
  }
  const n = typeof v === 'string' && /^\d+(\.\d+)?(e\d+)?$/i.test(v.replace(/_/g, '')) ? Number(v.replace(/_/g, '')) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} ${String(v)}: expected an integer from 1 to ${max} (1e7 and 10_000_000 are fine)`);
  return n;
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'serve run and replay jobs from Redis (BullMQ) until SIGTERM',
  usage: 'vnetsim worker --redis URL [--concurrency N] [--queues run,whatif,replay] [--lock-seconds N]',
  options: { ...REDIS_OPTION, concurrency: { type: 'string' }, queues: { type: 'string' }, 'lock-seconds': { type: 'string' } },
  optionHelp: [
    '--redis URL          the Redis of the coordinators (default $VNETSIM_REDIS)',
    '--concurrency N      jobs at once in this process (default 1; a process uses one core: start one per core)',
    `--queues LIST        which queues to serve, of ${QUEUE_NAMES.join(',')} (default all this version serves)`,
    "--lock-seconds N     a job whose worker went silent this long goes to another worker (default 30)",
  ],
  examples: ['vnetsim worker --redis redis://127.0.0.1:6379', 'VNETSIM_REDIS=redis://redis:6379 vnetsim worker --queues replay --concurrency 1'],
  async run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`worker takes no arguments, got ${ctx.positionals.join(' ')}`);
    const url = redisUrl(ctx);
    if (url === undefined) throw new UsageError('missing --redis (or VNETSIM_REDIS)');
    const concurrency = positiveInt(ctx, 'concurrency', 1, 1024);
    const lockSeconds = positiveInt(ctx, 'lock-seconds', 30, 3600);
    const q = ctx.values['queues'];
    let queues: QueueName[] = [...QUEUE_NAMES];
    if (typeof q === 'string') {
      queues = q.split(',').map((x) => x.trim()).filter((x) => x !== '') as QueueName[];
      const bad = queues.find((x) => !(QUEUE_NAMES as readonly string[]).includes(x));
      if (bad !== undefined || queues.length === 0) throw new UsageError(`--queues ${q}: expected a comma-separated list of ${QUEUE_NAMES.join(', ')}`);
    }
    await mustReach(url);
    const stamp = () => new Date().toISOString();
    const log = (line: string) => ctx.io.err(`${stamp()} ${line}`);
    const handle = await startWorkers({ url, concurrency, queues, lockSeconds, log });
    log(`vnetsim ${VNETSIM_VERSION} worker ${process.pid}: serving ${handle.workers.map((w) => w.name).join(', ')} on ${url} (concurrency ${concurrency})`);
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        log(`${sig}: finishing the jobs in hand, then stopping`);
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        handle.close().then(resolve, (e) => {
          log(`closing: ${(e as Error).message}`);
          resolve();
        });
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    log('stopped');
    return EXIT.ok;
  },
};

export const replayCommand: Command = {
  name: 'replay',
  summary: "replay seeded traffic (the benchmark's mix) through a network, in this process or on workers",
  usage: 'vnetsim replay NETWORK.yaml --packets N --seed S [--shards 256] [--changes FILE] [--redis URL] [--json]',
  options: { packets: { type: 'string' }, seed: { type: 'string' }, shards: { type: 'string' }, changes: { type: 'string' }, ...REDIS_OPTION },
  optionHelp: [
    '--packets N      packets to replay (1e9 is fine)',
    '--seed S         the traffic seed: the same seed gives the same counts, here or on workers',
    '--shards N       virtual shards of flow-hash space, one job each (default 256; part of what the seed means)',
    '--changes FILE   control-plane steps in scenario syntax, each with atPacket: N (they cut the replay into epochs)',
    REDIS_HELP,
  ],
  examples: [
    'vnetsim replay scenarios/quickstart.yaml --packets 1e7 --seed 7',
    'vnetsim replay scenarios/quickstart.yaml --packets 1e9 --seed 7 --redis redis://127.0.0.1:6379 --json',
    'vnetsim replay NETWORK.yaml --packets 1e8 --seed 7 --changes CHANGES.yaml',
  ],
  async run(ctx) {
    const file = oneFile(ctx, 'NETWORK.yaml');
    const packets = positiveInt(ctx, 'packets', undefined);
    const seedText = ctx.values['seed'];
    if (typeof seedText !== 'string') throw new UsageError('missing --seed');
    if (!/^\d+$/.test(seedText) || Number(seedText) > 0xffffffff) throw new UsageError(`--seed ${seedText}: expected an integer from 0 to 4294967295`);
    const seed = Number(seedText);
    const shards = positiveInt(ctx, 'shards', 256, 4096);
    const tagsOverride = ctx.flags.serviceTags;
    const s = loadScenarioFile(file, tagsOverride === undefined ? {} : { serviceTagsFile: tagsOverride });
    const text = readFileSync(file, 'utf8');
    const changesFile = ctx.values['changes'];
    let boundaries = [0];
    let changes: ReplayChange[] = [];
    if (typeof changesFile === 'string') ({ boundaries, changes } = loadChanges(changesFile, text, file, packets, tagsOverride));
    const shape: ReplayShape = { seed, packets, shards, boundaries };
    const url = redisUrl(ctx);
    const progress = ctx.flags.json || !process.stderr.isTTY || process.env['CI'] ? undefined : (done: number, total: number) => {
      process.stderr.write(`\r  ${done} / ${total} slices committed${done >= total ? '\n' : ''}`);
    };
    let r;
    if (url === undefined) r = await replayInProcess(s, shape, changes);
    else {
      await mustReach(url);
      const tagsFile = tagsOverride !== undefined ? path.resolve(tagsOverride) : tagsFileOf(s);
      r = await replayOnRedis({ url, note: (l) => ctx.io.err(l) }, { file, text, tagsFile }, shape, changes, progress);
    }
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify({ packets: r.packets, counts: r.counts, shards: r.shards, seconds: Number(r.seconds.toFixed(3)) }, null, 2));
      return EXIT.ok;
    }
    const where = url === undefined ? 'in this process' : `on workers via ${url}`;
    ctx.io.out(`replay of ${file}: ${packets.toLocaleString('en-US')} packets, seed ${seed}, ${shards} shards, ${boundaries.length} epoch${boundaries.length > 1 ? 's' : ''}, ${where}\n`);
    const rows = DISPOSITION_NAMES.filter((d) => (r.counts[d] ?? 0) > 0).map((d) => [d, r.counts[d]!.toLocaleString('en-US'), `${((100 * r.counts[d]!) / r.packets).toFixed(2)}%`]);
    ctx.io.out(renderTable(['disposition', 'packets', 'share'], rows, { right: [1, 2] }));
    ctx.io.out(`\nconservation: ${r.packets.toLocaleString('en-US')} packets in = the sum of dispositions, in every shard and epoch`);
    ctx.io.out(`${r.packets.toLocaleString('en-US')} packets in ${r.seconds.toFixed(2)} s (${((r.packets / Math.max(r.seconds, 1e-9)) / 1e6).toFixed(2)} M packets/s)`);
    return EXIT.ok;
  },
};
