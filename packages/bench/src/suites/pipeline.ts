// The whole packet pipeline, one question: how many packets per second go through `Network.process` (flow lookup,
// NSGs, route, translation, service firewall, flow commit) on a realistic network, for established flows (flow-table
// hits) and for new flows (every packet a new 5-tuple); how long does toggling a service endpoint take on a subnet with
// 100,000 open flows; how does the worker_threads pipeline scale? (DESIGN.md "Figures to reach": >= 5 M/s established,
// >= 1 M/s new, toggle < 50 ms, >= 1.7x one core on 2 cores.)
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

async function parallel(ctx: SuiteContext, rows: ResultRow[], notes: string[], est: PacketBatch[], estN: number): Promise<void> {
  const s = benchScenario();
  const cap = BATCH;
  const opts = ctx.quick ? { minRuns: 5, minMs: 150 } : { minRuns: 7, minMs: 400 };
  const inThread = benchNetwork({ flowCapacity: 1 << 20, batchCapacity: cap });
  const configs = [
    { impl: 'vnetsim 1 worker', o: { workers: 1 } },
    { impl: 'vnetsim 2 workers', o: { workers: 2 } },
    { impl: 'vnetsim caller + 1 worker', o: { workers: 1, callerShard: true } },
  ];
  const pipes: ParallelPipeline[] = [];
  try {
    for (const c of configs) pipes.push(await ParallelPipeline.create(s.network, s.serviceTags, s.options, { ...c.o, batchCapacity: cap, flowCapacity: 1 << 20 }));
    // Warm: record the flows everywhere; check that the results agree with the single thread.
    runAll(inThread, est);
    const ref = est.map((b) => b.disposition.slice(0, b.count));
    for (let p = 0; p < pipes.length; p++) {
      runAll(pipes[p]!, est);
      let diff = 0;
      est.forEach((b, k) => {
        for (let i = 0; i < b.count; i++) if (b.disposition[i] !== ref[k]![i]) diff++;
      });
      if (diff > 0) notes.push(`MISMATCH: ${configs[p]!.impl} disagrees with the single thread on ${diff} packets.`);
    }
    const loadBefore = load();
    const ms = measureInterleaved([inThread, ...pipes].map((p) => ({ fn: () => runAll(p, est), opsPerCall: estN })), opts);
    const loadAfter = load();
    const kase = `established flows, threads (load ${loadBefore}->${loadAfter})`;
    rows.push(row(kase, 'vnetsim in-thread', ms[0]!, { extra: { load1m: loadAfter } }));
    configs.forEach((c, i) => rows.push(row(kase, c.impl, ms[i + 1]!, { extra: { load1m: loadAfter, speedup: Math.round((ms[i + 1]!.opsPerSec / ms[0]!.opsPerSec) * 100) / 100 } })));
    const best = Math.max(ms[2]!.opsPerSec, ms[3]!.opsPerSec) / ms[0]!.opsPerSec;
    notes.push(`threads: ${os.cpus().length} cores, 1-minute load average ${loadBefore} before and ${loadAfter} after (other processes share the cores); ` +
      `runs interleaved. Packets sharded by a symmetric 5-tuple hash, one flow table per shard, the batch in SharedArrayBuffer columns; ` +
      `each worker compiles the same spec itself (the compiled tables are not yet SharedArrayBuffer-backed). Best 2-core speedup over one core: ${best.toFixed(2)}x (target 1.7x).`);
  } finally {
    for (const p of pipes) await p.close();
  }
}
