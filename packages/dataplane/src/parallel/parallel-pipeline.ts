// The pipeline on several cores (DESIGN.md "Scale"): packets are sharded by a symmetric 5-tuple hash (both
// directions of a flow land on one worker, like RSS), each worker has its own flow table and its own compiled tables
// (it compiles the same spec: the compiled forms are class instances over typed arrays, not yet SharedArrayBuffer-
// backed), the batch travels in SharedArrayBuffer-backed PacketBatch columns (bulk copies in and out, no structured
// clone), every worker picks its own rows and writes their results back in place. Counters are per worker, summed.
//
// SNAT ports: each worker gets 1/N of every public address's ports; the port a worker hands out is mapped back to a
// disjoint global port (1024 + local * N + worker), so no two workers ever give out the same public address:port.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { NetworkSpec, ScenarioOptions, ServiceTagSet } from '@vnetsim/core';
import { PacketBatch } from '../packet/batch.js';
import { Network } from '../network.js';
import { Counters } from '../stages/context.js';
import { Cnt, Ctl, waitFor, type WorkerSetup } from './protocol.js';
import { ShardRunner } from './shard.js';

/** Ports per public address (R-SNAT-1). */
const MAX_SNAT_PORTS = 64512;

export interface ParallelOptions {
  /** Worker threads (default 2). */
  workers?: number;
  /** The calling thread runs a shard too, while it waits (default false): N workers + 1 shards. */
  callerShard?: boolean;
  /** Largest batch `process` accepts (default 4096). */
  batchCapacity?: number;
  /** Flow table capacity of each worker, a power of two (default 2^17). */
  flowCapacity?: number;
  idleTimeoutSeconds?: number;
  /** SNAT ports per public address over all workers (default 64,512). */
  snatPortsPerIp?: number;
  /** The worker script (default: worker.js next to this module; from sources, the built one in dist/). */
  workerUrl?: URL;
}

/** worker.js beside this module; when running from src/ (vitest), the compiled one in dist/. */
function defaultWorkerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  const p = fileURLToPath(here);
  return p.includes('/src/parallel/') && import.meta.url.endsWith('.ts') ? new URL(`file://${p.replace('/src/parallel/', '/dist/parallel/')}`) : here;
}

interface Shard {
  worker: Worker;
  errors: MessagePort;
  ctl: Int32Array;
  counters: Float64Array;
}

export class ParallelPipeline {
  readonly workers: number;
  readonly batchCapacity: number;
  /** The shared input batch: fill it directly to skip the copy in `process`. */
  readonly input: PacketBatch;
  /** Shards: workers, plus the caller's when it runs one. */
  readonly shardCount: number;
  private readonly shards: Shard[];
  private readonly own: ShardRunner | null;
  private seq = 0;
  private closed = false;

  private constructor(shards: Shard[], input: PacketBatch, batchCapacity: number, own: ShardRunner | null) {
    this.shards = shards;
    this.own = own;
    this.shardCount = shards.length + (own === null ? 0 : 1);
    this.input = input;
    this.workers = shards.length;
    this.batchCapacity = batchCapacity;
  }

  /** Starts the workers; each compiles `spec` (validation errors reject the promise). */
  static async create(spec: NetworkSpec, tags: ServiceTagSet, options: ScenarioOptions = { endpointPrecedence: 'override' }, opts: ParallelOptions = {}): Promise<ParallelPipeline> {
    const n = opts.workers ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`workers: expected an integer from 1 to 64, got ${n}`);
    const capacity = opts.batchCapacity ?? 4096;
    const ports = opts.snatPortsPerIp ?? MAX_SNAT_PORTS;
    const caller = opts.callerShard ?? false;
    const shardCount = n + (caller ? 1 : 0);
    const first = caller ? 1 : 0;
    if (Math.floor(ports / shardCount) < 1) throw new RangeError(`snatPortsPerIp: ${ports} ports cannot be shared by ${shardCount} shards`);
    const flowCapacity = opts.flowCapacity ?? 1 << 17;
    const netOptions = { flowCapacity, idleTimeoutSeconds: opts.idleTimeoutSeconds, snatPortsPerIp: Math.floor(ports / shardCount), batchCapacity: capacity };
    const url = opts.workerUrl ?? defaultWorkerUrl();
    const tagData = { source: tags.source, changeNumber: tags.changeNumber, cloud: tags.cloud, tags: tags.all() };
    const shards: Shard[] = [];
    const ready: Promise<void>[] = [];
    const batch = new SharedArrayBuffer(PacketBatch.byteLength(capacity));
    for (let w = 0; w < n; w++) {
      const control = new SharedArrayBuffer(Ctl.SLOTS * 4);
      const counters = new SharedArrayBuffer(Cnt.SLOTS * 8);
      const channel = new MessageChannel();
      const setup: WorkerSetup & { errors: MessagePort } = {
        index: first + w, shards: shardCount, network: spec, tags: tagData, options, ...netOptions,
        control, batch, counters, errors: channel.port2,
      };
      const worker = new Worker(url, { workerData: setup, transferList: [channel.port2] });
      ready.push(new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`pipeline worker ${w} exited (${code}) before it was ready`)));
      }));
      shards.push({ worker, errors: channel.port1, ctl: new Int32Array(control), counters: new Float64Array(counters) });
    }
    const input = new PacketBatch(capacity, batch);
    const own = caller ? new ShardRunner(new Network(spec, tags, options, netOptions), input, 0, shardCount) : null;
    const p = new ParallelPipeline(shards, input, capacity, own);
    try {
      await Promise.all(ready);
    } catch (e) {
      await p.close();
      throw e;
    }
    for (const s of shards) s.worker.removeAllListeners('exit').removeAllListeners('error').removeAllListeners('message');
    return p;
  }

  /** Runs the batch on the workers (synchronously: returns when every worker is done); results land in `b`'s rows. */
  process(b: PacketBatch): void {
    if (this.closed) throw new Error('the parallel pipeline is closed');
    if (b.count > this.batchCapacity) throw new RangeError(`batch of ${b.count} packets exceeds the parallel pipeline's capacity (${this.batchCapacity})`);
    const count = b.count;
    if (count === 0) return;
    const x = this.input;
    if (b !== x) copyInput(b, x, count);
    x.count = count;
    const shards = this.shards;
    const seq = ++this.seq;
    for (let w = 0; w < shards.length; w++) {
      const s = shards[w]!;
      Atomics.store(s.ctl, Ctl.COUNT, count);
      Atomics.store(s.ctl, Ctl.START, seq);
      Atomics.notify(s.ctl, Ctl.START);
    }
    if (this.own !== null) this.own.run(count);
    for (let w = 0; w < shards.length; w++) {
      const s = shards[w]!;
      let done = Atomics.load(s.ctl, Ctl.DONE);
      while (done !== seq) done = waitFor(s.ctl, Ctl.DONE, done);
    }
    for (let w = 0; w < shards.length; w++) {
      const s = shards[w]!;
      if (s.ctl[Ctl.ERROR] !== 0) {
        const m = receiveMessageOnPort(s.errors);
        throw new Error(`pipeline worker ${w}: ${m === undefined ? 'failed' : String(m.message)}`);
      }
    }
    if (b !== x) copyResults(x, b, count);
  }

  /** Counters of every worker, summed. */
  counters(): Counters {
    const out = new Counters();
    if (this.own !== null) {
      const c = this.own.net.counters;
      out.packetsIn += c.packetsIn;
      out.flowsCreated += c.flowsCreated;
      out.flowHits += c.flowHits;
      out.snatPortsTaken += c.snatPortsTaken;
      for (let d = 0; d < out.byDisposition.length; d++) out.byDisposition[d]! += c.byDisposition[d]!;
      for (let r = 0; r < out.byReason.length; r++) out.byReason[r]! += c.byReason[r]!;
    }
    for (const s of this.shards) {
      const c = s.counters;
      out.packetsIn += c[Cnt.PACKETS_IN]!;
      out.flowsCreated += c[Cnt.FLOWS_CREATED]!;
      out.flowHits += c[Cnt.FLOW_HITS]!;
      out.snatPortsTaken += c[Cnt.SNAT_TAKEN]!;
      for (let d = 0; d < out.byDisposition.length; d++) out.byDisposition[d]! += c[Cnt.DISPOSITIONS + d]!;
      for (let r = 0; r < out.byReason.length; r++) out.byReason[r]! += c[Cnt.REASONS + r]!;
    }
    return out;
  }


  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.shards) {
      Atomics.store(s.ctl, Ctl.START, -1);
      Atomics.notify(s.ctl, Ctl.START);
      s.errors.close();
    }
    await Promise.all(this.shards.map((s) => s.worker.terminate()));
  }
}

/** Input columns of rows 0..count-1 (bulk copies). */
function copyInput(from: PacketBatch, to: PacketBatch, count: number): void {
  to.family.set(from.family.subarray(0, count));
  to.src.set(from.src.subarray(0, count));
  to.dst.set(from.dst.subarray(0, count));
  to.src6.set(from.src6.subarray(0, count * 4));
  to.dst6.set(from.dst6.subarray(0, count * 4));
  to.srcPort.set(from.srcPort.subarray(0, count));
  to.dstPort.set(from.dstPort.subarray(0, count));
  to.proto.set(from.proto.subarray(0, count));
  to.tcpFlags.set(from.tcpFlags.subarray(0, count));
  to.length.set(from.length.subarray(0, count));
  to.ingress.set(from.ingress.subarray(0, count));
  to.time.set(from.time.subarray(0, count));
  to.purpose.set(from.purpose.subarray(0, count));
}

/** Result columns (and flow ids) of rows 0..count-1. */
function copyResults(from: PacketBatch, to: PacketBatch, count: number): void {
  to.disposition.set(from.disposition.subarray(0, count));
  to.dropReason.set(from.dropReason.subarray(0, count));
  to.routeIndex.set(from.routeIndex.subarray(0, count));
  to.ruleIndex.set(from.ruleIndex.subarray(0, count));
  to.translatedSrc.set(from.translatedSrc.subarray(0, count));
  to.translatedSrcPort.set(from.translatedSrcPort.subarray(0, count));
  to.serviceError.set(from.serviceError.subarray(0, count));
  to.egressVm.set(from.egressVm.subarray(0, count));
  to.flowId.set(from.flowId.subarray(0, count));
}
