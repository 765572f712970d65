// Issue 13 with a real redis-server: each test starts its own on a free port (no persistence) and real worker
// processes (the built CLI, `pnpm test` builds first). Skipped only where no redis-server binary exists.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSlices, committedSlices, connect, replayKeys, runOnRedis } from '@vnetsim/scaleout';
import { loadScenarioFile } from '@vnetsim/scenario';
import { main } from '../main.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = path.join(ROOT, 'packages/cli/dist/main.js');
const REDIS_BIN = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p))
  ?? (spawnSync('sh', ['-c', 'command -v redis-server']).stdout?.toString().trim() || undefined);
// Never skipped in CI (.ci/run installs redis-server and `pnpm test` builds the CLI): there a missing piece fails.
const skip = !process.env['CI'] && (REDIS_BIN === undefined || !existsSync(CLI));
const reason = REDIS_BIN === undefined ? 'no redis-server binary on this machine' : 'the CLI is not built (pnpm test builds it)';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let server: ChildProcess | undefined;
let url = '';
const workers: ChildProcess[] = [];

function worker(...args: string[]): ChildProcess {
  const w = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--lock-seconds', '4', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, VNETSIM_REDIS: '' } });
  let log = '';
  w.stderr!.on('data', (d) => (log += String(d)));
  (w as ChildProcess & { log: () => string }).log = () => log;
  workers.push(w);
  return w;
}
const logOf = (w: ChildProcess) => (w as ChildProcess & { log: () => string }).log();

async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => new Promise<void>((resolve) => {
    if (w.exitCode !== null || w.signalCode !== null) return resolve();
    w.once('exit', () => resolve());
    w.kill('SIGTERM');
  })));
}

describe.skipIf(skip)(`scale-out on a real Redis (skipped: ${reason})`, () => {
  beforeAll(async () => {
    delete process.env['VNETSIM_REDIS']; // the local halves of each comparison run in this process
    const port = await freePort();
    server = spawn(REDIS_BIN!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    const r = connect(url);
    for (let i = 0; i < 100; i++) {
      try {
        await r.ping();
        break;
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    r.disconnect();
  });
  afterAll(async () => {
    await stopWorkers();
    server?.kill('SIGTERM');
  });

  it('run of the scenario library through 2 workers equals the local run (--json byte for byte, exit code)', async () => {
    const local = await cli('run', path.join(ROOT, 'scenarios'), '--json');
    worker('--queues', 'run');
    worker('--queues', 'run');
    const remote = await cli('run', path.join(ROOT, 'scenarios'), '--json', '--redis', url);
    expect(remote.code).toBe(local.code);
    expect(remote.out).toBe(local.out);
    // Human output too, timings aside.
    const strip = (t: string) => t.split('\n').filter((l) => !/packets\/s$/.test(l)).join('\n').replace(/packets in [\d.]+ s/, 'packets in T s');
    const localText = await cli('run', path.join(ROOT, 'scenarios/quickstart.yaml'));
    const remoteText = await cli('run', path.join(ROOT, 'scenarios/quickstart.yaml'), '--redis', url);
    expect(strip(remoteText.out)).toBe(strip(localText.out));
    await stopWorkers();
  });

  it('a worker refuses a job built by another vnetsim version, with a clear message', async () => {
    const w = worker('--queues', 'run');
    const s = loadScenarioFile(path.join(ROOT, 'scenarios/quickstart.yaml'));
    await expect(runOnRedis({ url, version: '0.0.0-other/p0' }, [s], () => {})).rejects.toThrow(/was built by vnetsim 0\.0\.0-other\/p0, this worker is vnetsim .*refusing it/);
    expect(logOf(w)).toMatch(/refused: job run-\w+ was built by vnetsim 0\.0\.0-other/);
    await stopWorkers();
  });

  it('replay of 10^7 packets through 3 workers, one killed with SIGKILL mid-run: completes, equals the in-process replay, conservation, no slice twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-scaleout-'));
    const changes = path.join(dir, 'changes.yaml');
    writeFileSync(changes, 'changes:\n  - atPacket: 5000000\n    disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }\n');
    const net = path.join(ROOT, 'scenarios/quickstart.yaml');
    const args = ['replay', net, '--packets', '10000000', '--seed', '7', '--shards', '256', '--changes', changes, '--json'];
    const local = await cli(...args);
    expect(local.code).toBe(0);
    const [w1] = [worker('--queues', 'replay'), worker('--queues', 'replay'), worker('--queues', 'replay')];
    const remoteP = cli(...args, '--redis', url);
    // Kill one worker once it has committed something (mid-run).
    const r = connect(url);
    for (let i = 0; i < 3000 && !/slices committed/.test(logOf(w1!)); i++) await new Promise((res) => setTimeout(res, 50));
    w1!.kill('SIGKILL');
    const remote = await remoteP;
    expect(remote.code).toBe(0);
    const a = JSON.parse(local.out), b = JSON.parse(remote.out);
    expect(b.packets).toBe(10_000_000);
    expect(b.packets).toBe(a.packets);
    expect(b.counts).toEqual(a.counts);
    expect(b.shards).toBe(256);
    // Every slice once, conservation per slice, per shard and in total (checked again here from Redis).
    const runs = (await r.keys('vnetsim:replay:{*}:digests')).map((k) => /\{(\w+)\}/.exec(k)![1]!);
    expect(runs).toHaveLength(1);
    const slices = await committedSlices(r, runs[0]!);
    const check = checkSlices({ seed: 7, packets: 10_000_000, shards: 256, boundaries: [0, 5_000_000] }, slices);
    expect(check.problems).toEqual([]);
    expect(slices).toHaveLength(512);
    expect(Number(await r.hget(replayKeys(runs[0]!).stats, 'commits'))).toBe(512);
    expect(await r.llen(replayKeys(runs[0]!).nondeterminism)).toBe(0);
    r.disconnect();
    await stopWorkers();
  });
});
