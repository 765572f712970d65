// A pipeline worker: builds its Dataplane around the shared compiled tables it was given (tablesFromData: nothing is
// compiled or copied here), then runs its shard of a shared batch each time the main thread bumps START (ShardRunner).
import { receiveMessageOnPort, workerData, parentPort, type MessagePort } from 'node:worker_threads';
import { classifierCompiles, CompiledNsgClassifier } from '@vnetsim/core';
import { Dataplane } from '../dataplane.js';
import { PacketBatch } from '../packet/batch.js';
import { tableCompiles, tablesFromData } from '../tables.js';
import { Cnt, Ctl, Round, waitFor, type BatchMessage, type ReadyMessage, type WorkerSetup } from './protocol.js';
import { ShardRunner } from './shard.js';

const setup = workerData as WorkerSetup & { port: MessagePort };
const dp = new Dataplane(tablesFromData(setup.tables), {
  flowCapacity: setup.flowCapacity,
  idleTimeoutSeconds: setup.idleTimeoutSeconds,
  snatPortsPerIp: setup.snatPortsPerIp,
  batchCapacity: setup.batchCapacity,
});
const ctl = new Int32Array(setup.control);
const counters = new Float64Array(setup.counters);
const runner = new ShardRunner(dp, setup.index, setup.shards);
/** Shared batches by id (BatchMessage). */
const batches: Array<PacketBatch | undefined> = [];

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Takes batch registrations from the port until batch `id` is known (a registration round: nothing else runs, so
 * building the views, which resets their result columns, races with nothing). A message may land a little after the
 * round starts: look again (spinning a little, then every 0.1 ms), for up to 10 s.
 */
function register(id: number): void {
  for (let tries = 0; batches[id] === undefined; tries++) {
    const m = receiveMessageOnPort(setup.port);
    if (m !== undefined) {
      const b = m.message as BatchMessage;
      batches[b.batch] = new PacketBatch(b.capacity, b.buffer);
    } else if (tries > 100_000) throw new Error(`shared batch ${id}: its registration never arrived`);
    else if (tries > 1000) Atomics.wait(pause, 0, 0, 0.1);
  }
}

function batch(id: number): PacketBatch {
  const b = batches[id];
  if (b === undefined) throw new Error(`shared batch ${id} was never registered`);
  return b;
}

function publishCounters(): void {
  const c = dp.counters;
  counters[Cnt.PACKETS_IN] = c.packetsIn;
  counters[Cnt.FLOWS_CREATED] = c.flowsCreated;
  counters[Cnt.FLOW_HITS] = c.flowHits;
  counters[Cnt.SNAT_TAKEN] = c.snatPortsTaken;
  counters.set(c.byDisposition, Cnt.DISPOSITIONS);
  counters.set(c.byReason, Cnt.REASONS);
}

function serve(): void {
  let seen = 0;
  for (;;) {
    const seq = waitFor(ctl, Ctl.START, seen);
    if (seq < 0) return;
    seen = seq;
    try {
      const count = ctl[Ctl.COUNT]!;
      if (count === Round.REGISTER) register(ctl[Ctl.BATCH]!);
      else if (count === Round.CLEAR_FLOWS) {
        dp.flows.clear();
        publishCounters();
      } else {
        if (ctl[Ctl.IN_PLACE] === 1) runner.runInPlace(batch(ctl[Ctl.BATCH]!), count);
        else runner.run(batch(ctl[Ctl.BATCH]!), count);
        publishCounters();
      }
    } catch (e) {
      // Once per failed batch, not per packet: the main thread rethrows it.
      Atomics.store(ctl, Ctl.ERROR, 1);
      setup.port.postMessage((e as Error).stack ?? String(e));
    }
    Atomics.store(ctl, Ctl.DONE, seq);
    Atomics.notify(ctl, Ctl.DONE);
  }
}

// The arrays the worker's pipeline reads, sent back as views: the main thread can check they are its own memory.
const t = dp.tables;
const nsg = [...t.subnetNsgOut, ...t.vmNicOut].find((c) => c !== null);
const ready: ReadyMessage = {
  ready: true,
  compiles: { tables: tableCompiles.count, classifiers: classifierCompiles.count },
  probes: {
    serviceDeny: t.serviceDeny,
    vmPrivate: t.vmPrivate,
    fibNextHop: t.subnetFib[0]?.nextHop ?? null,
    nsgBits: nsg instanceof CompiledNsgClassifier ? nsg.bits : null,
  },
};
parentPort?.postMessage(ready);
serve();
