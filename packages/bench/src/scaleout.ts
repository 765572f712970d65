// Scale-out figures (issue 13), one run: replay throughput in this process against 1 and 2 local worker processes
// through a local redis-server (same network, seed and shards, so the counts must be equal too), and `run` of the
// scenario library through 2 workers: jobs/s and time to the first result. Starts its own redis-server on a free port
// (no persistence) and stops it by PID. Usage: pnpm bench:scaleout [-- --packets N --shards S]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, replayInProcess, replayOnRedis, runOnRedis, type ReplayShape } from '@vnetsim/scaleout';
import { findScenarioFiles, loadScenarioFile, MissingDataError, type Scenario } from '@vnetsim/scenario';
import { benchScenario, BENCH_SCENARIO } from './suites/pipeline-network.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/dist/main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startWorker(url: string, queue: string): Promise<ChildProcess> {
  const w = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--queues', queue, '--concurrency', process.env['BENCH_CONCURRENCY'] ?? '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    w.stderr!.on('data', (d) => {
      log += String(d);
      if (log.includes('serving')) resolve(w);
    });
    w.once('exit', () => reject(new Error(`worker exited: ${log}`)));
  });
}

async function stop(ps: ChildProcess[]): Promise<void> {
  await Promise.all(ps.map((p) => new Promise<void>((r) => {
    if (p.exitCode !== null) return r();
    p.once('exit', () => r());
    p.kill('SIGTERM');
  })));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { packets: { type: 'string' }, shards: { type: 'string' }, json: { type: 'boolean' } } });
  const packets = Number(values.packets ?? 2e7);
  const shards = Number(values.shards ?? 256);
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (bin === undefined || !existsSync(CLI)) {
    console.log(`scale-out bench skipped: ${bin === undefined ? 'no redis-server binary' : 'the CLI is not built'}`);
    return;
  }
  const port = await freePort();
  const server = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const redis = connect(url);
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await redis.ping();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const s = benchScenario();
    const shape: ReplayShape = { seed: 7, packets, shards, boundaries: [0] };
    const input = { file: 'bench.yaml', text: BENCH_SCENARIO, tagsFile: null };
    const local = await replayInProcess(s, shape, []);
    const rows: Array<{ case: string; seconds: number; mpps: number; vs: string }> = [];
    const mpps = (p: number, sec: number) => p / sec / 1e6;
    rows.push({ case: 'replay in-process', seconds: local.seconds, mpps: mpps(local.packets, local.seconds), vs: '1.00x' });
    const remote = async (label: string, base: number) => {
      await redis.flushall();
      const r = await replayOnRedis({ url }, input, shape, []);
      if (JSON.stringify(r.counts) !== JSON.stringify(local.counts)) throw new Error(`${label}: counts differ from the in-process replay`);
      rows.push({ case: label, seconds: r.seconds, mpps: mpps(r.packets, r.seconds), vs: `${(mpps(r.packets, r.seconds) / base).toFixed(2)}x` });
      return mpps(r.packets, r.seconds);
    };
    workers.push(await startWorker(url, 'replay'));
    const one = await remote('replay 1 worker process', mpps(local.packets, local.seconds));
    workers.push(await startWorker(url, 'replay'));
    await remote('replay 2 worker processes', one);
    await stop(workers.splice(0));

    // `run` of the scenario library through 2 workers.
    const scenarios: Scenario[] = [];
    for (const f of findScenarioFiles(path.join(ROOT, 'scenarios'))) {
      try {
        scenarios.push(loadScenarioFile(path.relative(process.cwd(), f) || f));
      } catch (e) {
        if (!(e instanceof MissingDataError)) throw e;
      }
    }
    workers.push(await startWorker(url, 'run'), await startWorker(url, 'run'));
    await redis.flushall();
    const t0 = performance.now();
    let first = 0;
    await runOnRedis({ url }, scenarios, () => {
      if (first === 0) first = performance.now() - t0;
    });
    const runSeconds = (performance.now() - t0) / 1000;
    const out = {
      packets, shards, replay: rows,
      run: { scenarios: scenarios.length, seconds: runSeconds, jobsPerSecond: scenarios.length / runSeconds, firstResultMs: first },
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`replay of ${packets.toLocaleString('en-US')} packets (bench network, seed 7, ${shards} shards), redis-server ${url}`);
      for (const r of rows) console.log(`  ${r.case.padEnd(28)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.mpps.toFixed(2).padStart(6)} M packets/s  ${r.vs}`);
      console.log(`run of the library through 2 workers: ${scenarios.length} scenarios in ${runSeconds.toFixed(2)} s, ${out.run.jobsPerSecond.toFixed(1)} jobs/s, first result after ${first.toFixed(0)} ms`);
    }
  } finally {
    await stop(workers);
    redis.disconnect();
    server.kill('SIGTERM');
  }
}

await main();
