// The coordinator side: queue the jobs of a command, wait for the workers, and assemble exactly the local result.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Scenario } from '@vnetsim/scenario';
import type { ReplayChange } from '../replay/changes.js';
import { checkSlices, type ReplayResult } from '../replay/local.js';
import { countsByName, type ReplayShape } from '../replay/shard.js';
import { VNETSIM_VERSION } from '../version.js';
import { putBlob, sha256 } from './blobs.js';
import { publishChanges } from './changes-stream.js';
import { committedSlices } from './commit.js';
import { connect, queueOf, replayKeys } from './connection.js';
import type { InputRef, ReplayJob, RunJob } from './jobs.js';
import type { RunJobResult } from './worker.js';

const KEEP_JOBS = { removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } };

export interface CoordinatorOptions {
  url: string;
  /** Waiting and progress notes (stderr in the CLI). */
  note?: (line: string) => void;
  /** Stamp jobs with this version instead of this build's (tests of the refusal). */
  version?: string;
}

/** Stores a scenario's text and its tag file (when not the built-in set) and names them by hash. */
async function inputOf(redis: Redis, file: string, text: string, tagsFile: string | null): Promise<InputRef> {
  const scenario = await putBlob(redis, text);
  const tags = tagsFile === null ? null : await putBlob(redis, readFileSync(tagsFile, 'utf8'));
  return { scenario, file, tags };
}

/** The tag file a loaded scenario uses, or null for the built-in set (its source is a label, not a path). */
export function tagsFileOf(s: Scenario): string | null {
  return path.isAbsolute(s.serviceTagsSource) && existsSync(s.serviceTagsSource) ? s.serviceTagsSource : null;
}

export function inputOfScenario(redis: Redis, s: Scenario): Promise<InputRef> {
  return inputOf(redis, s.file, readFileSync(s.file, 'utf8'), tagsFileOf(s));
}

function parsed<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * `run --redis`: one job per scenario (job id = hash of version, file name and contents, tags; a duplicate is the same
 * job), results handed to `onResult` in file order as soon as each and those before it are in.
 */
export async function runOnRedis(opts: CoordinatorOptions, scenarios: readonly Scenario[], onResult: (i: number, r: RunJobResult) => void): Promise<RunJobResult[]> {
  const redis = connect(opts.url);
  // BullMQ leaves connections it was given open on close(): they are closed here, in finally.
  const conns = [connect(opts.url), connect(opts.url)];
  const queue = new Queue(queueOf('run'), { connection: conns[0]! });
  const events = new QueueEvents(queueOf('run'), { connection: conns[1]! });
  try {
    await events.waitUntilReady();
    const version = opts.version ?? VNETSIM_VERSION;
    const jobs: Array<{ name: string; data: RunJob; opts: { jobId: string } & typeof KEEP_JOBS }> = [];
    for (const s of scenarios) {
      const input = await inputOfScenario(redis, s);
      const jobId = `run-${sha256(`${version}\n${input.file}\n${input.scenario}\n${input.tags}`).slice(0, 40)}`;
      jobs.push({ name: 'run', data: { kind: 'run', version, input }, opts: { jobId, ...KEEP_JOBS } });
    }
    const added = await queue.addBulk(jobs);
    const out: RunJobResult[] = [];
    for (let i = 0; i < added.length; i++) {
      let r: RunJobResult;
      try {
        r = parsed<RunJobResult>(await waitWithNote(added[i]!, events, opts, `scenario ${scenarios[i]!.file}`));
      } catch (e) {
        throw new Error(`${scenarios[i]!.file}: the worker failed: ${(e as Error).message}`);
      }
      out.push(r);
      onResult(i, r);
    }
    return out;
  } finally {
    await Promise.all([events.close(), queue.close()]);
    for (const c of conns) c.disconnect();
    redis.disconnect();
  }
}

async function waitWithNote(job: Job, events: QueueEvents, opts: CoordinatorOptions, what: string): Promise<unknown> {
  const timer = setInterval(() => opts.note?.(`waiting for a worker to run ${what} (is \`vnetsim worker --redis ${opts.url}\` running?)`), 15_000);
  try {
    return await job.waitUntilFinished(events);
  } finally {
    clearInterval(timer);
  }
}

export interface DistributedReplay extends ReplayResult {
  run: string;
  /** Slices committed a second time with the same digest (a shard re-run after a takeover): not counted. */
  duplicates: number;
}

/** `replay --redis`: one job per shard; waits for every (shard, epoch) slice, checks conservation, sums. */
export async function replayOnRedis(
  opts: CoordinatorOptions,
  input: { file: string; text: string; tagsFile: string | null },
  shape: ReplayShape,
  changes: readonly ReplayChange[],
  progress?: (slices: number, total: number) => void,
): Promise<DistributedReplay> {
  const started = performance.now();
  const redis = connect(opts.url);
  // BullMQ leaves connections it was given open on close(): they are closed here, in finally.
  const conns = [connect(opts.url), connect(opts.url)];
  const queue = new Queue(queueOf('replay'), { connection: conns[0]! });
  const events = new QueueEvents(queueOf('replay'), { connection: conns[1]! });
  let failure: string | null = null;
  try {
    await events.waitUntilReady();
    const version = opts.version ?? VNETSIM_VERSION;
    const ref = await inputOf(redis, input.file, input.text, input.tagsFile);
    const run = sha256(JSON.stringify({ version, ref, shape, changes: changes.map((c) => [c.epoch, c.step]) })).slice(0, 24);
    const k = replayKeys(run);
    events.on('failed', ({ jobId, failedReason }) => {
      if (jobId.startsWith(`replay-${run}-`)) failure = `job ${jobId}: ${failedReason}`;
    });
    await publishChanges(redis, run, shape.boundaries.length, changes);
    const jobs = Array.from({ length: shape.shards }, (_, shard) => ({
      name: 'replay',
      data: { kind: 'replay', version, run, shard, shape, input: ref } satisfies ReplayJob,
      opts: { jobId: `replay-${run}-${shard}`, ...KEEP_JOBS },
    }));
    await queue.addBulk(jobs);
    // A shard that failed in an earlier attempt of this same run keeps its id: give it another go.
    for (const j of await queue.getJobs(['failed'])) if (j.id?.startsWith(`replay-${run}-`)) await j.retry();
    const total = shape.shards * shape.boundaries.length;
    let lastChange = performance.now();
    let lastDone = -1;
    for (;;) {
      const [done, bad] = await Promise.all([redis.hlen(k.digests), redis.lrange(k.nondeterminism, 0, 4)]);
      if (bad.length > 0) throw new Error(`nondeterminism: a slice gave a different result when run again: ${bad.join('; ')}`);
      if (failure !== null) throw new Error(failure);
      if (done !== lastDone) {
        progress?.(done, total);
        lastDone = done;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > 15_000) {
        opts.note?.(`waiting for workers: ${done} of ${total} slices committed (is \`vnetsim worker --redis ${opts.url}\` running?)`);
        lastChange = performance.now();
      }
      if (done >= total) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const slices = await committedSlices(redis, run);
    const check = checkSlices(shape, slices);
    if (check.problems.length > 0) throw new Error(`replay conservation failed: ${check.problems.slice(0, 5).join('; ')}`);
    const duplicates = Number((await redis.hget(k.stats, 'duplicates')) ?? 0);
    return { packets: check.packets, counts: countsByName(check.counts), shards: shape.shards, seconds: (performance.now() - started) / 1000, run, duplicates };
  } finally {
    await Promise.all([events.close(), queue.close()]);
    for (const c of conns) c.disconnect();
    redis.disconnect();
  }
}
