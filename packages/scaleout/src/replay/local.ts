// In-process replay (no --redis): every shard in turn, in this process, with the same slice arithmetic and commit rules
// as the workers, so the two give equal packets and counts for the same seed.
import type { Scenario } from '@vnetsim/scenario';
import type { ReplayChange } from './changes.js';
import { countsByName, runShard, type ReplayShape, type SliceCount } from './shard.js';

export interface ReplayResult {
  packets: number;
  counts: Record<string, number>;
  shards: number;
  seconds: number;
}

/** What the coordinator checks before it reports: every slice once, and packets in = dispositions out everywhere. */
export function checkSlices(shape: ReplayShape, slices: readonly SliceCount[]): { packets: number; counts: number[]; problems: string[] } {
  const problems: string[] = [];
  const epochs = shape.boundaries.length;
  const seen = new Set<string>();
  const perShardIn = new Float64Array(shape.shards);
  const perShardOut = new Float64Array(shape.shards);
  let counts: number[] = [];
  let packets = 0;
  for (const s of slices) {
    const key = `${s.shard}:${s.epoch}`;
    if (seen.has(key)) problems.push(`slice ${key} counted twice`);
    seen.add(key);
    const out = s.counts.reduce((a, b) => a + b, 0);
    if (out !== s.packets) problems.push(`slice ${key}: ${s.packets} packets in, ${out} with a disposition`);
    perShardIn[s.shard] += s.packets;
    perShardOut[s.shard] += out;
    packets += s.packets;
    if (counts.length === 0) counts = s.counts.map(() => 0);
    s.counts.forEach((n, i) => (counts[i]! += n));
  }
  for (let sh = 0; sh < shape.shards; sh++) {
    for (let e = 0; e < epochs; e++) if (!seen.has(`${sh}:${e}`)) problems.push(`slice ${sh}:${e} missing`);
    if (perShardIn[sh] !== perShardOut[sh]) problems.push(`shard ${sh}: ${perShardIn[sh]} packets in, ${perShardOut[sh]} with a disposition`);
  }
  if (packets !== shape.packets) problems.push(`${packets} packets replayed, ${shape.packets} asked for`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== packets) problems.push(`total: ${packets} packets in, ${total} with a disposition`);
  return { packets, counts, problems };
}

export async function replayInProcess(s: Scenario, shape: ReplayShape, changes: readonly ReplayChange[]): Promise<ReplayResult> {
  const started = performance.now();
  const committed = new Map<string, SliceCount>();
  for (let shard = 0; shard < shape.shards; shard++) {
    await runShard(s, shape, shard, {
      changes: (e) => changes.filter((c) => c.epoch === e).map((c) => c.step),
      commit: (slice) => {
        const key = `${slice.shard}:${slice.epoch}`;
        const prior = committed.get(key);
        if (prior !== undefined) return prior.digest === slice.digest ? 'dup' : 'nondeterministic';
        committed.set(key, slice);
        return 'new';
      },
    });
  }
  const check = checkSlices(shape, [...committed.values()]);
  if (check.problems.length > 0) throw new Error(`replay conservation failed: ${check.problems.slice(0, 5).join('; ')}`);
  return { packets: check.packets, counts: countsByName(check.counts), shards: shape.shards, seconds: (performance.now() - started) / 1000 };
}
