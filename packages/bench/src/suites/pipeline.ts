// The whole packet pipeline, one question: how many packets per second go through `Network.process` (flow lookup,
// NSGs, route, translation, service firewall, flow commit) on a realistic network, for established flows (flow-table
// hits) and for new flows (every packet a new 5-tuple); how long does toggling a service endpoint take on a subnet with
// 100,000 open flows; how does the worker_threads pipeline scale (tables shared in SharedArrayBuffers; mixed batches
// through process(), run in place by every shard, or packets steered per shard like RSS queues)? (DESIGN.md "Figures to reach": >= 5 M/s
// established, >= 1 M/s new, toggle < 50 ms, >= 1.7x one core on 2 cores.)
import os from 'node:os';
import { PacketBatch, ParallelPipeline } from '@vnetsim/dataplane';
import type { Network, TrafficSpec } from '@vnetsim/dataplane';
import { heapAvailable, heapUsed } from '../heap.js';
import type { Measurement, ResultRow, Suite, SuiteContext, SuiteResult } from '../suite.js';
import { measureBatch, measureInterleaved, median, row } from '../suite.js';
import { benchNetwork, benchScenario, mixedTraffic, pregenerate } from './pipeline-network.js';

const BATCH = 4096;

function load(): string {
  return os.loadavg()[0]!.toFixed(2);
}

function totalPackets(batches: readonly PacketBatch[]): number {
  let n = 0;
  for (const b of batches) n += b.count;
  return n;
}

/** One pass over pre-generated batches (result columns reset: a run reuses its batches). */
function runAll(p: { process(b: PacketBatch): void }, batches: readonly PacketBatch[]): void {
  for (let k = 0; k < batches.length; k++) {
    const b = batches[k]!;
    b.resetResults();
    p.process(b);
  }
}

function dispositionMix(net: Network): string {
  const d = net.counters.dispositions();
  const total = net.counters.packetsIn;
  return Object.entries(d).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`).join(', ');
}

function fromSamples(samples: number[]): Measurement {
  const opsPerSec = median(samples);
  return { opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: samples.length, samples };
}

export const pipelineSuite: Suite = {
  name: 'pipeline',
  description: 'whole pipeline packets/s (established and new flows), endpoint toggle with 100k open flows, worker_threads scaling',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const rows: ResultRow[] = [];
    const notes: string[] = [];
    const q = ctx.quick;
    const opts = q ? { minRuns: 5, minMs: 150 } : { minRuns: 7, minMs: 400 };
    notes.push('Network: 2 peered VNets, 4 subnets, 8 VMs (one appliance), 3 NSGs with 25 rules (service tags, lists, ranges), ' +
      'a UDR table (appliance + null route), Storage and Sql endpoints on one subnet, a NAT gateway, a storage account with ' +
      'defaultAction Deny, a VNet rule and IP rules; sample (builtin) service tags. Traffic: seeded TCP/UDP/ICMP mix from 7 VMs to ' +
      'the storage account, its front ends, Sql, Key Vault, VMs of both VNets, Internet hosts (SNAT), hosts behind the appliance, a null route.');

    // (a) established flows: the packets are generated once, a first pass records the flows, then timed passes hit them.
    const flows = q ? 8192 : 16384;
    const net = benchNetwork({ flowCapacity: 1 << 20, batchCapacity: BATCH });
    const est = pregenerate(mixedTraffic(ctx.seed, flows, 32), BATCH, (c) => new PacketBatch(c));
    const estN = totalPackets(est);
    runAll(net, est);
    const mEst = measureBatch(() => runAll(net, est), estN, opts);
    rows.push(row(`established flows (${flows} flows, ${estN} pkts)`, 'vnetsim', mEst, { extra: { load1m: load() } }));
    notes.push(`established: ${flows.toLocaleString('en-US')} flows x 32 packets in ${est.length} batches of ${BATCH}, every packet a flow-table hit after the first pass; ` +
      `load average ${load()} after the measurement; dispositions: ${dispositionMix(net)}.`);

    // (b) new flows: every packet a new 5-tuple; the flow table is emptied (untimed) before each timed pass.
    const newCount = q ? 1 << 16 : 1 << 17;
    const netNew = benchNetwork({ flowCapacity: 1 << 18, batchCapacity: BATCH });
    const fresh = pregenerate(mixedTraffic(ctx.seed + 1, newCount, 1), BATCH, (c) => new PacketBatch(c));
    const samples: number[] = [];
    for (let r = -1; r < opts.minRuns; r++) {
      netNew.flows.clear();
      const t0 = performance.now();
      runAll(netNew, fresh);
      const dt = performance.now() - t0;
      if (r >= 0) samples.push((newCount * 1000) / dt);
    }
    rows.push(row(`new flows (${newCount} 5-tuples)`, 'vnetsim', fromSamples(samples), { extra: { load1m: load() } }));
    notes.push(`new flows: ${newCount.toLocaleString('en-US')} packets, each a new 5-tuple (SYN / first UDP / ICMP packet): NSG evaluation, ` +
      `route, SNAT port, flow insert; flow table emptied between passes (untimed); load ${load()}.`);

    // (c) toggle: a subnet with 100,000 open flows (most to Storage), enableServiceEndpoint = recompile + resets.
    toggle(ctx, rows, notes);

    // Constant memory: heap before and after a long run over the same batches.
    if (heapAvailable()) {
      const before = heapUsed();
      const until = performance.now() + (q ? 1000 : 4000);
      let passes = 0;
      while (performance.now() < until) {
        runAll(net, est);
        passes++;
      }
      const after = heapUsed();
      notes.push(`memory: JS heap + array buffers ${(before / 2 ** 20).toFixed(1)} MiB before and ${(after / 2 ** 20).toFixed(1)} MiB after ` +
        `${(passes * estN).toLocaleString('en-US')} more packets (${(after - before >= 0 ? '+' : '') + ((after - before) / 1024).toFixed(0)} KiB): nothing is allocated per packet.`);
    }

    await parallel(ctx, rows, notes, est, estN);
    return { name: 'pipeline', rows, notes };
  },
};

function toggle(ctx: SuiteContext, rows: ResultRow[], notes: string[]): void {
  const runs = ctx.quick ? 5 : 9;
  const net = benchNetwork({ flowCapacity: 1 << 18, batchCapacity: BATCH });
  const spec: TrafficSpec = {
    seed: ctx.seed + 2, flows: 100_000, packetsPerFlow: 3, protocol: 'tcp', dstPorts: [443], concurrentFlows: 4096,
    sources: ['10.0.1.4', '10.0.1.5', '10.0.1.6', '10.0.1.7'], ingress: [0, 1, 2, 3],
    destinations: ['52.239.0.0/23', '52.239.136.0/22', '8.8.8.0/24'],
  };
  const batches = pregenerate(spec, BATCH, (c) => new PacketBatch(c));
  const ms: number[] = [];
  let resets = 0;
  let open = 0;
  for (let r = -1; r < runs; r++) {
    net.flows.clear();
    runAll(net, batches); // SYN, SYN-ACK, ACK: 100,000 established connections
    open = net.flows.size;
    const t0 = performance.now();
    const res = net.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    const dt = performance.now() - t0;
    if (!res.ok) throw new Error(`toggle refused: ${res.error?.message}`);
    resets = res.resets.length;
    if (r >= 0) ms.push(dt);
    net.disableServiceEndpoint('hub/app', 'Microsoft.Storage');
  }
  const m = median(ms);
  rows.push(row(`toggle endpoint, ${open} open flows`, 'vnetsim', { opsPerSec: 1000 / m, nsPerOp: m * 1e6, runs: ms.length, samples: ms.map((x) => 1000 / x) },
    { extra: { medianMs: Math.round(m * 10) / 10, resets, load1m: load() } }));
  notes.push(`toggle: enableServiceEndpoint(hub/app, Microsoft.Storage) with ${open.toLocaleString('en-US')} open flows of that subnet: ` +
    `validate + recompile routes and tables + find and reset ${resets.toLocaleString('en-US')} TCP flows to the Storage prefixes (RST events); ` +
    `median ${m.toFixed(1)} ms of ${ms.length} runs (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}); "ns/op" is the toggle time; load ${load()}.`);
}

/** Shared-memory batches of `capacity` (a SharedArrayBuffer each), so that pipelines run them in place. */
function sharedBatch(capacity: number): PacketBatch {
  return new PacketBatch(capacity, new SharedArrayBuffer(PacketBatch.byteLength(capacity)));
}

/** Steers every packet of `batches` to its shard's batch (the RSS step): sets of per-shard batches of `capacity`. */
function steerAll(p: ParallelPipeline, batches: readonly PacketBatch[], capacity: number): PacketBatch[][] {
  const sets: PacketBatch[][] = [];
  let cur = p.newSteeredBatches(capacity);
  for (const b of batches) {
    let i = 0;
    while ((i = p.steer(b, cur, i)) < b.count) {
      sets.push(cur);
      cur = p.newSteeredBatches(capacity);
    }
  }
  sets.push(cur);
  return sets;
}

/** Steady-state cost of the steering step (ns per packet): one registered set, refilled from every batch. */
function steerCost(p: ParallelPipeline, batches: readonly PacketBatch[], packets: number): number {
  const set = p.newSteeredBatches(BATCH);
  const pass = () => {
    for (const b of batches) {
      for (const x of set) x.count = 0;
      p.steer(b, set);
    }
  };
  pass();
  const t0 = performance.now();
  let n = 0;
  do {
    pass();
    n++;
  } while (performance.now() - t0 < 300);
  return ((performance.now() - t0) * 1e6) / (n * packets);
}

/** process() on shared batches: every shard runs each batch where it is, and overwrites its rows' results (no reset). */
function runShared(p: ParallelPipeline, batches: readonly PacketBatch[]): void {
  for (let k = 0; k < batches.length; k++) p.process(batches[k]!);
}

function runSteered(p: ParallelPipeline, sets: readonly PacketBatch[][]): void {
  for (const set of sets) {
    for (const b of set) b.resetResults();
    p.processSteered(set);
  }
}

/** Something that runs a pass of packets, and forgets its flows between passes (new-flow runs). */
interface ThreadCase {
  impl: string;
  est: () => void;
  fresh: () => void;
  clear: () => void;
  mode: 'in-thread' | 'process' | 'steered';
}

async function parallel(ctx: SuiteContext, rows: ResultRow[], notes: string[], est: PacketBatch[], estN: number): Promise<void> {
  const s = benchScenario();
  const q = ctx.quick;
  const opts = q ? { minRuns: 5, minMs: 150 } : { minRuns: 7, minMs: 400 };
  const PAR = 8192; // process(): every shard runs its rows of the batch, about 4096 packets a round at 2 shards
  const newCount = q ? 1 << 16 : 1 << 17;
  const spec = mixedTraffic(ctx.seed, q ? 8192 : 16384, 32);
  const freshSpec = mixedTraffic(ctx.seed + 3, newCount, 1);
  // One core, at both batch sizes used below; the faster is the baseline.
  const in4k = benchNetwork({ flowCapacity: 1 << 20, batchCapacity: BATCH });
  const in8k = benchNetwork({ flowCapacity: 1 << 20, batchCapacity: PAR });
  const estShared = pregenerate(spec, PAR, sharedBatch);
  const fresh4k = pregenerate(freshSpec, BATCH, (c) => new PacketBatch(c));
  const freshShared = pregenerate(freshSpec, PAR, sharedBatch);
  const cases: ThreadCase[] = [
    { impl: `in-thread, batches of ${BATCH}`, mode: 'in-thread', est: () => runAll(in4k, est), fresh: () => runAll(in4k, fresh4k), clear: () => in4k.flows.clear() },
    { impl: `in-thread, batches of ${PAR}`, mode: 'in-thread', est: () => runAll(in8k, estShared), fresh: () => runAll(in8k, freshShared), clear: () => in8k.flows.clear() },
  ];
  const configs = [
    { name: 'caller + 1 worker', o: { workers: 1, callerShard: true } },
    { name: '2 workers', o: { workers: 2 } },
  ];
  const pipes: ParallelPipeline[] = [];
  let steerNs = 0;
  try {
    for (const c of configs) {
      const p = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { ...c.o, batchCapacity: PAR, flowCapacity: 1 << 20 });
      pipes.push(p);
      for (const b of estShared) p.share(b);
      for (const b of freshShared) p.share(b);
      cases.push({ impl: `${c.name}, process(${PAR}) in place`, mode: 'process', est: () => runShared(p, estShared), fresh: () => runShared(p, freshShared), clear: () => p.clearFlows() });
      const estSets = steerAll(p, est, BATCH);
      steerNs = Math.max(steerNs, steerCost(p, est, estN));
      const freshSets = steerAll(p, fresh4k, BATCH);
      cases.push({ impl: `${c.name}, steered`, mode: 'steered', est: () => runSteered(p, estSets), fresh: () => runSteered(p, freshSets), clear: () => p.clearFlows() });
    }
    // Warm: record the flows everywhere; check that every configuration agrees with the single thread.
    for (const c of cases) c.est();
    const ref = est.map((b) => Array.from(b.disposition.subarray(0, b.count)));
    const counts = (xs: readonly number[][]) => xs.flat().reduce((m, d) => m.set(d, (m.get(d) ?? 0) + 1), new Map<number, number>());
    const want = JSON.stringify([...counts(ref)].sort());
    for (const [k, p] of pipes.entries()) {
      // process() on plain batches (input copied in, results copied out) and on shared ones (in place): row by row.
      runAll(p, est);
      let diff = 0;
      est.forEach((b, j) => {
        for (let i = 0; i < b.count; i++) if (b.disposition[i] !== ref[j]![i]) diff++;
      });
      // The shared batches hold the same packet stream in batches of ${PAR}.
      const copied = p.copiedRows;
      runShared(p, estShared);
      if (p.copiedRows !== copied) notes.push(`UNEXPECTED: ${configs[k]!.name} copied rows of shared batches.`);
      const flat = ref.flat();
      let r = 0;
      for (const b of estShared) for (let i = 0; i < b.count; i++) if (b.disposition[i] !== flat[r++]) diff++;
      if (diff > 0) notes.push(`MISMATCH: ${configs[k]!.name} disagrees with the single thread on ${diff} packets.`);
    }
    for (const c of cases.filter((x) => x.mode === 'steered')) {
      // Steered rows are reordered by shard: compare the disposition counts.
      const p = pipes[cases.filter((x) => x.mode === 'steered').indexOf(c)]!;
      const sets = steerAll(p, est, BATCH);
      runSteered(p, sets);
      const got = JSON.stringify([...counts(sets.flat().map((b) => Array.from(b.disposition.subarray(0, b.count))))].sort());
      if (got !== want) notes.push(`MISMATCH: ${c.impl} disposition counts differ from the single thread's.`);
    }

    // Established flows: interleaved runs, median.
    const loadBefore = load();
    const ms = measureInterleaved(cases.map((c) => ({ fn: c.est, opsPerCall: estN })), opts);
    const loadAfter = load();
    report(rows, `established flows, threads (load ${loadBefore}->${loadAfter})`, cases, ms, loadAfter);
    const bestEst = speedups(cases, ms);

    // New flows: every packet a new 5-tuple; flow tables emptied (untimed) before each timed pass, runs interleaved.
    const samples = cases.map(() => [] as number[]);
    const loadBeforeNew = load();
    for (let r = -1; r < opts.minRuns; r++) {
      cases.forEach((c, k) => {
        c.clear();
        const t0 = performance.now();
        c.fresh();
        const dt = performance.now() - t0;
        if (r >= 0) samples[k]!.push((newCount * 1000) / dt);
      });
    }
    const loadAfterNew = load();
    const msNew = samples.map(fromSamples);
    report(rows, `new flows, threads (load ${loadBeforeNew}->${loadAfterNew})`, cases, msNew, loadAfterNew);
    const bestNew = speedups(cases, msNew);

    notes.push(`threads: ${os.cpus().length} cores; compiled tables compiled once in the main thread and moved to SharedArrayBuffers ` +
      `(shareTables); every worker rebuilds them around the same memory (tablesFromData, nothing compiled) and runs its own flow table ` +
      `and SNAT port share; packets sharded by a symmetric 5-tuple hash. "process(${PAR}) in place": the caller hands over a shared ` +
      `batch of mixed packets and every shard runs it where it is: its ingress hashes every row and lists its own (~3 ns a row), the ` +
      `other stages visit only those, results go to the shard's own columns and one pass writes them to its rows; no row is copied ` +
      `(copiedRows stays 0; a plain batch would have its input columns copied in and results out, bulk). "steered": packets arrive ` +
      `already in per-shard shared batches, like a NIC's RSS queues, and each shard runs its batch with no hash and no foreign rows; the ` +
      `steering step (steer(): hash + copy into the shard's batch) is NOT in the timed region, as generating the packets is not for any ` +
      `row: it costs ${steerNs.toFixed(1)} ns per packet in the caller, measured apart, so a caller holding mixed batches should use ` +
      `process(); the steered figure is for a producer that writes each packet to its shard's batch as it makes it (one hash). ` +
      `Baseline: the faster in-thread row. Runs interleaved, median of ${opts.minRuns}; 1-minute load ` +
      `${loadBefore} -> ${loadAfter} (established), ${loadBeforeNew} -> ${loadAfterNew} (new flows).`);
    notes.push(`threads, best 2-core speedup over one core: established ${bestEst.process.toFixed(2)}x with process(), ${bestEst.steered.toFixed(2)}x steered; ` +
      `new flows ${bestNew.process.toFixed(2)}x with process(), ${bestNew.steered.toFixed(2)}x steered (target 1.7x).`);
  } finally {
    for (const p of pipes) await p.close();
  }
}

/** Rows of a threads case; speedup against the faster in-thread measurement. */
function report(rows: ResultRow[], kase: string, cases: readonly ThreadCase[], ms: readonly Measurement[], loadNow: string): void {
  const base = Math.max(...ms.filter((_, k) => cases[k]!.mode === 'in-thread').map((m) => m.opsPerSec));
  cases.forEach((c, k) => rows.push(row(kase, `vnetsim ${c.impl}`, ms[k]!, { extra: { load1m: loadNow, speedup: Math.round((ms[k]!.opsPerSec / base) * 100) / 100 } })));
}

function speedups(cases: readonly ThreadCase[], ms: readonly Measurement[]): { process: number; steered: number } {
  const base = Math.max(...ms.filter((_, k) => cases[k]!.mode === 'in-thread').map((m) => m.opsPerSec));
  const best = (mode: ThreadCase['mode']) => Math.max(...ms.filter((_, k) => cases[k]!.mode === mode).map((m) => m.opsPerSec)) / base;
  return { process: best('process'), steered: best('steered') };
}
