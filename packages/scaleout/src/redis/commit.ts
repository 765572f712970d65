// Exactly-once counting: a (shard, epoch) slice is committed by one atomic script. The first commit stores the digest
// and the counts; a second with the same digest (a worker that re-ran the slice after a takeover) is a no-op; a second
// with another digest is nondeterminism, recorded for the coordinator and refused.
import type { Redis } from 'ioredis';
import type { CommitOutcome, SliceCount } from '../replay/shard.js';
import { KEEP_SECONDS, replayKeys } from './connection.js';

const COMMIT = `
local prior = redis.call('HGET', KEYS[1], ARGV[1])
if prior then
  if prior == ARGV[2] then
    redis.call('HINCRBY', KEYS[4], 'duplicates', 1)
    return 0
  end
  redis.call('RPUSH', KEYS[3], ARGV[1] .. ' committed ' .. prior .. ', rerun gave ' .. ARGV[2])
  return -1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[4], 'commits', 1)
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return 1
`;

export async function commitSlice(redis: Redis, run: string, s: SliceCount): Promise<CommitOutcome> {
  const k = replayKeys(run);
  const r = (await redis.eval(COMMIT, 4, k.digests, k.counts, k.nondeterminism, k.stats,
    `${s.shard}:${s.epoch}`, s.digest, JSON.stringify({ packets: s.packets, counts: s.counts }), KEEP_SECONDS)) as number;
  return r === 1 ? 'new' : r === 0 ? 'dup' : 'nondeterministic';
}

/** Every committed slice of a run. */
export async function committedSlices(redis: Redis, run: string): Promise<SliceCount[]> {
  const k = replayKeys(run);
  const [counts, digests] = await Promise.all([redis.hgetall(k.counts), redis.hgetall(k.digests)]);
  return Object.entries(counts).map(([field, v]) => {
    const [shard, epoch] = field.split(':').map(Number) as [number, number];
    const c = JSON.parse(v) as { packets: number; counts: number[] };
    return { shard, epoch, packets: c.packets, counts: c.counts, digest: digests[field] ?? '' };
  });
}
