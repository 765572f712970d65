// Redis connections, queue names and key names shared by coordinators and workers.
import { Redis } from 'ioredis';

export const QUEUE_NAMES = ['run', 'whatif', 'replay'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
/** BullMQ queue of each kind of job (queue names cannot contain ':'). */
export const queueOf = (name: QueueName): string => `vnetsim-${name}`;
/** How long run state (blobs, slices, change streams) stays in Redis. */
export const KEEP_SECONDS = 7 * 24 * 3600;

/** A connection fit for BullMQ (maxRetriesPerRequest null: a blocked worker waits instead of failing). */
export function connect(url: string): Redis {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis ${url}: expected a URL like redis://127.0.0.1:6379`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--redis ${url}: expected a redis:// or rediss:// URL`);
  const r = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // ioredis reconnects by itself; reachability is checked once up front (reachable) with a clear message instead.
  r.on('error', () => {});
  return r;
}

/** Throws a clear error when no Redis answers at `url` within `ms`. */
export async function reachable(url: string, ms = 5000): Promise<void> {
  const r = connect(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      r.ping(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no Redis answered at ${url} within ${ms / 1000} s`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

/** Keys of one replay run; the hash tag keeps them in one slot on a Redis Cluster (the commit script needs that). */
export function replayKeys(run: string) {
  const p = `vnetsim:replay:{${run}}`;
  return { digests: `${p}:digests`, counts: `${p}:counts`, nondeterminism: `${p}:nondeterminism`, stats: `${p}:stats`, changes: `${p}:changes`, written: `${p}:changes-written` };
}
