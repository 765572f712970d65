// The ordered control-plane changes of a replay: one Redis Stream per run, entries in order, each epoch closed by a
// seal entry. A shard applies epoch e's changes only once e is sealed, so no shard can run ahead of a change.
import type { Redis } from 'ioredis';
import type { Step } from '@vnetsim/scenario';
import type { ReplayChange } from '../replay/changes.js';
import { KEEP_SECONDS, replayKeys } from './connection.js';

/** Writes the changes of every epoch and seals each (once per run: a second coordinator of the same run adds nothing). */
export async function publishChanges(redis: Redis, run: string, epochs: number, changes: readonly ReplayChange[]): Promise<void> {
  const k = replayKeys(run);
  if ((await redis.set(k.written, '1', 'EX', KEEP_SECONDS, 'NX')) !== 'OK') return;
  const m = redis.multi();
  for (let e = 1; e < epochs; e++) {
    for (const c of changes.filter((x) => x.epoch === e)) m.xadd(k.changes, '*', 'epoch', String(e), 'step', JSON.stringify(c.step));
    m.xadd(k.changes, '*', 'epoch', String(e), 'seal', '1');
  }
  m.expire(k.changes, KEEP_SECONDS);
  await m.exec();
}

/** The changes of epoch e, in stream order, once the epoch is sealed (polls until then). */
export async function epochChanges(redis: Redis, run: string, epoch: number, signal?: { aborted: boolean }): Promise<Step[]> {
  const k = replayKeys(run);
  for (;;) {
    const entries = await redis.xrange(k.changes, '-', '+');
    const steps: Step[] = [];
    let sealed = false;
    for (const [, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      if (Number(f['epoch']) !== epoch) continue;
      if (f['seal'] === '1') sealed = true;
      else if (f['step'] !== undefined) steps.push(JSON.parse(f['step']) as Step);
    }
    if (sealed) return steps;
    if (signal?.aborted) throw new Error(`epoch ${epoch} of run ${run} was never sealed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
