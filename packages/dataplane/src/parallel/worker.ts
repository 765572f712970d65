// A pipeline worker: builds its own Network from the spec it was given (the same compile as the main thread's), then
// runs its shard of the shared input batch each time the main thread bumps START (ShardRunner).
import { workerData, parentPort, type MessagePort } from 'node:worker_threads';
import { ServiceTagMap } from '@vnetsim/core';
import { Network } from '../network.js';
import { PacketBatch } from '../packet/batch.js';
import { Cnt, Ctl, waitFor, type WorkerSetup } from './protocol.js';
import { ShardRunner } from './shard.js';

const setup = workerData as WorkerSetup & { errors: MessagePort };
const tags = new ServiceTagMap(setup.tags.source, setup.tags.changeNumber, setup.tags.cloud, setup.tags.tags);
const net = new Network(setup.network, tags, setup.options, {
  flowCapacity: setup.flowCapacity,
  idleTimeoutSeconds: setup.idleTimeoutSeconds,
  snatPortsPerIp: setup.snatPortsPerIp,
  batchCapacity: setup.batchCapacity,
});
const ctl = new Int32Array(setup.control);
const counters = new Float64Array(setup.counters);
const runner = new ShardRunner(net, new PacketBatch(setup.batchCapacity, setup.batch), setup.index, setup.shards);

function publishCounters(): void {
  const c = net.counters;
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
      runner.run(ctl[Ctl.COUNT]!);
      publishCounters();
    } catch (e) {
      // Once per failed batch, not per packet: the main thread rethrows it.
      Atomics.store(ctl, Ctl.ERROR, 1);
      setup.errors.postMessage((e as Error).stack ?? String(e));
    }
    Atomics.store(ctl, Ctl.DONE, seq);
    Atomics.notify(ctl, Ctl.DONE);
  }
}

parentPort?.postMessage({ ready: true });
serve();
