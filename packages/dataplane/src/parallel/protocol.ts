// What the main thread and the pipeline workers share (DESIGN.md "Scale"): the compiled tables (SharedTablesData:
// every typed array in a SharedArrayBuffer, posted once at start), a control word block per worker (Int32Array over a
// SharedArrayBuffer, Atomics.wait/notify), SharedArrayBuffer-backed PacketBatches (registered once, then named by id)
// and the worker's counters (Float64Array over a SharedArrayBuffer). Nothing is structured-cloned per batch.
import { DISPOSITION_NAMES, DROP_REASON_NAMES } from '@vnetsim/core';
import type { SharedTablesData } from '../tables.js';

/** Int32 slots of a worker's control block. */
export const Ctl = {
  /** Sequence number of the batch to process; the main thread bumps it (-1: exit). */
  START: 0,
  /** Sequence number of the last batch done (or failed). */
  DONE: 1,
  /** Rows in the worker's batch. */
  COUNT: 2,
  /** 1 after a failure (the message comes by postMessage). */
  ERROR: 3,
  /** Id of the shared batch to process (registered by a BatchMessage before its first use). */
  BATCH: 4,
  /** 1: the batch holds only this shard's packets (processSteered): run it in place, no pick. */
  IN_PLACE: 5,
  SLOTS: 6,
} as const;

/** Control rounds: negative COUNT values. */
export const Round = {
  /** Take the batch registrations waiting on the port, up to the id in BATCH. */
  REGISTER: -1,
  /** Empty the flow table. */
  CLEAR_FLOWS: -2,
} as const;

/** Float64 slots of a worker's counters: packetsIn, flowsCreated, flowHits, snatPortsTaken, dispositions, reasons. */
export const Cnt = {
  PACKETS_IN: 0,
  FLOWS_CREATED: 1,
  FLOW_HITS: 2,
  SNAT_TAKEN: 3,
  DISPOSITIONS: 4,
  REASONS: 4 + DISPOSITION_NAMES.length,
  SLOTS: 4 + DISPOSITION_NAMES.length + DROP_REASON_NAMES.length,
} as const;

/** What a worker needs to build its Dataplane: the shared compiled tables, never the spec (workers compile nothing). */
export interface WorkerSetup {
  /** Shard index of this worker (0 is the calling thread's when it runs a shard) and number of shards. */
  index: number;
  shards: number;
  tables: SharedTablesData;
  flowCapacity: number;
  idleTimeoutSeconds: number | undefined;
  /** This worker's share of each public address's SNAT ports (the main thread maps them back to disjoint ports). */
  snatPortsPerIp: number;
  batchCapacity: number;
  control: SharedArrayBuffer;
  counters: SharedArrayBuffer;
}

/** Main -> worker (on the worker's port): a shared batch the worker may be asked to process, by id. */
export interface BatchMessage {
  batch: number;
  capacity: number;
  buffer: SharedArrayBuffer;
}

/** Worker -> main once built: what it compiled (nothing, when tables came shared) and the tables it reads. */
export interface ReadyMessage {
  ready: true;
  /** compileTables and NSG classifier compiles in the worker thread. */
  compiles: { tables: number; classifiers: number };
  /** Arrays the worker's pipeline reads (views of the main thread's SharedArrayBuffers when shared as designed). */
  probes: { serviceDeny: Uint8Array; vmPrivate: Uint32Array; fibNextHop: Uint8Array | null; nsgBits: Uint32Array | null };
}

export { shardOf4, shardOf6 } from '../packet/shard-hash.js';

/**
 * How long a thread that waits for a batch (a worker) or for the other shards (a caller running a shard itself) spins
 * before it sleeps: consecutive batches follow closely, and a sleeping thread wakes tens of microseconds late (with
 * 2,000 spins, a few microseconds, a worker done first slept through most hand-offs: ~25 ns per packet lost at 2 shards).
 */
export const SPIN_MS = 2;
/** A caller that runs no shard spins only briefly: on 2 cores it would take a core from a worker. */
export const SPIN_MS_IDLE_CALLER = 0.005;

/** Waits until ctl[slot] differs from `old`, spinning up to `spinMs` before sleeping; returns the new value. */
export function waitFor(ctl: Int32Array, slot: number, old: number, spinMs = SPIN_MS): number {
  let v = Atomics.load(ctl, slot);
  if (v !== old) return v;
  const t0 = performance.now();
  for (let k = 1; ; k++) {
    v = Atomics.load(ctl, slot);
    if (v !== old) return v;
    if ((k & 255) === 0 && performance.now() - t0 > spinMs) break;
  }
  for (;;) {
    Atomics.wait(ctl, slot, old, 1000);
    v = Atomics.load(ctl, slot);
    if (v !== old) return v;
  }
}
