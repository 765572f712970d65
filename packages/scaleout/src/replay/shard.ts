// One virtual shard of a replay, epoch by epoch: the same code in one process (replayInProcess) and in a BullMQ worker.
// A shard owns its Network (flow table, SNAT ports), so its result depends on (network, seed, shard, changes) only,
// never on which machine or in which order shards run: that is what makes the distributed total equal the local one.
import { createHash } from 'node:crypto';
import { DISPOSITION_NAMES } from '@vnetsim/core';
import { compileNetwork, Network, TrafficGenerator, type CompiledNetwork } from '@vnetsim/dataplane';
import type { Scenario, Step } from '@vnetsim/scenario';
import { applyChange } from './apply.js';
import { replayEndpoints, sliceTraffic, slicePackets } from './traffic.js';

export interface ReplayShape {
  seed: number;
  packets: number;
  shards: number;
  /** First packet of each epoch (boundaries[0] = 0). */
  boundaries: number[];
}

/** The counts of one (shard, epoch) slice: committed once. */
export interface SliceCount {
  shard: number;
  epoch: number;
  packets: number;
  /** Packets by disposition, indexed like DISPOSITION_NAMES. */
  counts: number[];
  digest: string;
}

export interface ShardIo {
  /** The changes of epoch e (e >= 1), in order; waits for the epoch to be sealed. */
  changes(epoch: number): Promise<Step[]> | Step[];
  /** Commits a slice; 'dup' when the same slice was committed before with the same digest. */
  commit(slice: SliceCount): Promise<CommitOutcome> | CommitOutcome;
  /** Called between batches: a worker yields to its event loop here (lock renewal, SIGTERM). */
  pause?(): Promise<void>;
}
export type CommitOutcome = 'new' | 'dup' | 'nondeterministic';

const BATCH = 4096;
// A shard holds 1/shards of the flows; a smaller table is also quicker to build, once per shard.
const FLOW_CAPACITY = 1 << 14;

export function sliceDigest(shard: number, epoch: number, packets: number, counts: readonly number[]): string {
  return createHash('sha256').update(`${shard}/${epoch}/${packets}/${counts.join(',')}`).digest('hex').slice(0, 32);
}

/**
 * Runs shard `shard` from epoch 0 to the last. Epochs already committed are regenerated too (their state, the open
 * flows, is what later epochs start from); their commit is then a checked no-op.
 */
export async function runShard(s: Scenario, shape: ReplayShape, shard: number, io: ShardIo): Promise<{ fresh: number; dup: number }> {
  const net = new Network(s.network, s.serviceTags, s.options, { snatPortsPerIp: s.options.snatPortsPerIp, flowCapacity: FLOW_CAPACITY, batchCapacity: BATCH, compiled: compiledOf(s) });
  const ep = replayEndpoints(net);
  const batch = net.newBatch(BATCH);
  const by = net.counters.byDisposition;
  const before = new Float64Array(by.length);
  let fresh = 0, dup = 0;
  for (let e = 0; e < shape.boundaries.length; e++) {
    if (e > 0) {
      for (const step of await io.changes(e)) {
        const r = applyChange(net, step);
        if (!r.ok) throw new Error(`change at line ${step.line} (${step.kind}) was refused: ${r.error!.code}: ${r.error!.message}`);
      }
    }
    const n = slicePackets(shape.boundaries, shape.packets, shape.shards, shard, e);
    before.set(by);
    const in0 = net.counters.packetsIn;
    const gen = new TrafficGenerator(sliceTraffic(ep, shape.seed, shape.shards, shard, e, n, shape.boundaries[e]!));
    let done = 0;
    while (done < n) {
      if (gen.fill(batch) === 0) break;
      if (done + batch.count > n) batch.count = n - done;
      net.process(batch);
      done += batch.count;
      if (io.pause !== undefined) await io.pause();
    }
    const counts = DISPOSITION_NAMES.map((_, i) => by[i]! - before[i]!);
    const packets = net.counters.packetsIn - in0;
    const outcome = await io.commit({ shard, epoch: e, packets, counts, digest: sliceDigest(shard, e, packets, counts) });
    if (outcome === 'nondeterministic') throw new Error(`shard ${shard} epoch ${e}: the slice was committed before with another result (nondeterminism)`);
    if (outcome === 'new') fresh++;
    else dup++;
  }
  return { fresh, dup };
}

// One compile per scenario, shared by its shards (a Network compiles its own copy on its first change).
const compiledCache = new WeakMap<Scenario, CompiledNetwork>();
function compiledOf(s: Scenario): CompiledNetwork {
  let c = compiledCache.get(s);
  if (c === undefined) compiledCache.set(s, (c = compileNetwork(structuredClone(s.network), s.serviceTags, s.options)));
  return c;
}

/** { Disposition: n } of a counts vector, only non-zero entries, in DISPOSITION_NAMES order. */
export function countsByName(counts: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  DISPOSITION_NAMES.forEach((name, i) => {
    if (counts[i]! > 0) out[name] = counts[i]!;
  });
  return out;
}
