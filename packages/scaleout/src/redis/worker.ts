// `vnetsim worker`: BullMQ workers for the run and replay queues. A job names its inputs by hash; the worker fetches
// and verifies them, refuses a job of another vnetsim version, runs it with the same code as a local run, and returns
// results (run) or commits counts (replay). SIGTERM: close() lets the jobs in hand finish, then disconnects.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseScenario, runScenario, type Scenario, type ScenarioResult } from '@vnetsim/scenario';
import { runShard } from '../replay/shard.js';
import { VNETSIM_VERSION } from '../version.js';
import { blobFile, getBlob } from './blobs.js';
import { epochChanges } from './changes-stream.js';
import { commitSlice } from './commit.js';
import { connect, queueOf, type QueueName } from './connection.js';
import { versionMismatch, type InputRef, type ReplayJob, type RunJob } from './jobs.js';

export interface WorkerOptions {
  url: string;
  /** Jobs in flight per queue in this process (one process uses one core: run one worker process per core). */
  concurrency?: number;
  queues?: readonly QueueName[];
  /** BullMQ lock: a job whose worker stops renewing it for this long is handed to another worker (default 30 s). */
  lockSeconds?: number;
  /** Where the worker reports what it does (stderr in the CLI). */
  log?: (line: string) => void;
  /** The version this worker claims (tests of the refusal); default this build's. */
  version?: string;
}

export interface RunJobResult {
  result: ScenarioResult;
  /** Traffic steps: packets and wall-clock seconds (printed as the local run prints them; not part of the result). */
  speeds: Array<{ step: number; packets: number; seconds: number }>;
}

export interface WorkerHandle {
  workers: Worker[];
  close(): Promise<void>;
}

/** Yield to the event loop this often while a shard runs: lock renewal and signals need it. */
const YIELD_MS = 20;

export async function startWorkers(opts: WorkerOptions): Promise<WorkerHandle> {
  const version = opts.version ?? VNETSIM_VERSION;
  const log = opts.log ?? (() => {});
  const data = connect(opts.url);
  await data.ping();
  const cache = new Map<string, Scenario>();
  const queues = opts.queues ?? (['run', 'replay'] as const);
  const lock = (opts.lockSeconds ?? 30) * 1000;

  const checkVersion = (job: Job): void => {
    const v = (job.data as { version?: unknown }).version;
    if (v !== version) {
      const msg = versionMismatch(job.id, v, version);
      log(`refused: ${msg}`);
      throw new UnrecoverableError(msg);
    }
  };

  const processors: Partial<Record<QueueName, (job: Job) => Promise<unknown>>> = {
    run: async (job) => {
      checkVersion(job);
      const d = job.data as RunJob;
      const s = await loadInput(data, d.input, cache);
      const speeds: RunJobResult['speeds'] = [];
      const result = runScenario(s, { onTraffic: (step, packets, seconds) => speeds.push({ step, packets, seconds }) });
      log(`run ${d.input.file}: ${result.passed ? 'PASS' : 'FAIL'}`);
      return { result, speeds } satisfies RunJobResult;
    },
    replay: async (job) => {
      checkVersion(job);
      const d = job.data as ReplayJob;
      const t0 = performance.now();
      const s = await loadInput(data, d.input, cache);
      let last = performance.now();
      const r = await runShard(s, d.shape, d.shard, {
        changes: (e) => epochChanges(data, d.run, e),
        commit: (slice) => commitSlice(data, d.run, slice),
        pause: async () => {
          const now = performance.now();
          if (now - last < YIELD_MS) return;
          await new Promise((res) => setImmediate(res));
          last = performance.now();
        },
      });
      log(`replay ${d.run.slice(0, 8)} shard ${d.shard}: ${r.fresh} slices committed, ${r.dup} already committed, ${(performance.now() - t0).toFixed(0)} ms`);
      return r;
    },
  };

  const workers: Worker[] = [];
  const conns = [data];
  for (const q of queues) {
    const fn = processors[q];
    if (fn === undefined) {
      log(`queue ${q}: not served by this worker version (no engine for it yet)`);
      continue;
    }
    const conn = connect(opts.url);
    conns.push(conn);
    const w = new Worker(queueOf(q), fn, {
      connection: conn,
      concurrency: opts.concurrency ?? 1,
      lockDuration: lock,
      stalledInterval: lock,
      // A worker killed more than once on the same job is not the job's fault: keep handing it on.
      maxStalledCount: 10,
      autorun: true,
    });
    w.on('failed', (job, err) => log(`job ${job?.id ?? '?'} failed: ${err.message}`));
    w.on('error', (err) => log(`worker error: ${err.message}`));
    workers.push(w);
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      for (const c of conns) c.disconnect();
    },
  };
}

async function loadInput(redis: Redis, input: InputRef, cache: Map<string, Scenario>): Promise<Scenario> {
  const key = `${input.scenario}:${input.tags}:${input.file}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const text = await getBlob(redis, input.scenario);
  const tags = input.tags === null ? {} : { serviceTagsFile: await blobFile(redis, input.tags, '.json') };
  const s = parseScenario(text, input.file, tags);
  if (cache.size > 64) cache.clear();
  cache.set(key, s);
  return s;
}
