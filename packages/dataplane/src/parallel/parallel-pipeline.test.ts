import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISPOSITION_NAMES } from '@vnetsim/core';
import { parseScenario } from '@vnetsim/scenario';
import { Network } from '../network.js';
import { PacketBatch } from '../packet/batch.js';
import { TrafficGenerator, type TrafficSpec } from '../packet/generate.js';
import { Dataplane } from '../dataplane.js';
import { compileNetwork } from '../network.js';
import { shareTables, tablesFromData } from '../tables.js';
import { ParallelPipeline } from './parallel-pipeline.js';
import { shardOf4 } from './protocol.js';
import { ShardRunner } from './shard.js';

// The workers run the compiled worker (dist/): `npx tsc -b` first (the root `test` script does).
const WORKER = fileURLToPath(new URL('../../dist/parallel/worker.js', import.meta.url));

const YAML = `
name: parallel-mixed
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, routeTable: rt }
        - { name: data, prefix: 10.0.2.0/24, serviceEndpoints: [Microsoft.Storage] }
  nsgs:
    - name: app-nsg
      rules:
        - { name: deny-sql, priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: Sql, destinationPorts: '*' }
        - { name: deny-ssh-in, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: '*', destinationPorts: '22' }
  routeTables:
    - name: rt
      routes:
        - { name: blackhole, prefix: 198.51.100.0/24, nextHopType: None }
  vms:
    - { name: a1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
    - { name: a2, subnet: hub/app, privateIp: 10.0.1.5 }
    - { name: d1, subnet: hub/data, privateIp: 10.0.2.4 }
  services:
    - name: st
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.1.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/data], ipRules: [51.105.0.1] }
    - { name: sql, type: Microsoft.Sql, region: westeurope, address: 40.68.0.10 }
steps: []
`;

const TRAFFIC: TrafficSpec = {
  seed: 11, flows: 3000, packetsPerFlow: 7,
  sources: ['10.0.1.4', '10.0.1.5', '10.0.2.4'], ingress: [0, 1, 2],
  destinations: ['52.239.1.10', '40.68.0.10', '10.0.1.4', '10.0.2.4', '8.8.8.0/30', '198.51.100.0/30', '52.239.0.0/31'],
  protocol: { tcp: 0.7, udp: 0.2, icmp: 0.1 }, dstPorts: [443, 22, 1433, 53], concurrentFlows: 512,
};

function batches(): PacketBatch[] {
  const gen = new TrafficGenerator(TRAFFIC);
  const out: PacketBatch[] = [];
  for (;;) {
    const b = new PacketBatch(1024);
    if (gen.fill(b) === 0) return out;
    out.push(b);
  }
}

const COLUMNS = ['disposition', 'dropReason', 'routeIndex', 'ruleIndex', 'translatedSrc', 'serviceError', 'egressVm'] as const;

describe('ParallelPipeline', () => {
  it('shards both directions of a flow to the same worker (symmetric hash)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 255 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 65535 }), fc.nat({ max: 65535 }), fc.integer({ min: 1, max: 8 }),
      (p, s, d, sp, dp, n) => shardOf4(p, s, d, sp, dp, n) === shardOf4(p, d, s, dp, sp, n),
    ));
  });

  for (const opts of [{ workers: 2 }, { workers: 1, callerShard: true }]) {
    it.skipIf(!existsSync(WORKER))(`gives the single-threaded per-packet results on a mixed run (${JSON.stringify(opts)}) (reads dist/parallel/worker.js)`, async () => {
      const s = parseScenario(YAML, 'parallel.yaml');
      const single = new Network(s.network, s.serviceTags, s.options, { batchCapacity: 1024 });
      const pp = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { ...opts, batchCapacity: 1024 });
      try {
        const a = batches();
        const b = batches();
        for (let k = 0; k < a.length; k++) {
          single.process(a[k]!);
          pp.process(b[k]!);
        }
        let compared = 0;
        for (let k = 0; k < a.length; k++) {
          for (const col of COLUMNS) expect(Array.from(b[k]![col].subarray(0, b[k]!.count)), `${col} of batch ${k}`).toEqual(Array.from(a[k]![col].subarray(0, a[k]!.count)));
          // Translated packets carry a port in both; the parallel one comes from the worker's disjoint share.
          for (let i = 0; i < a[k]!.count; i++) expect(b[k]!.translatedSrcPort[i] === 0).toBe(a[k]!.translatedSrcPort[i] === 0);
          compared += a[k]!.count;
        }
        expect(compared).toBe(TRAFFIC.flows * TRAFFIC.packetsPerFlow);
        const c = pp.counters();
        expect(c.dispositions()).toEqual(single.counters.dispositions());
        expect(c.reasons()).toEqual(single.counters.reasons());
        expect(c.packetsIn).toBe(compared);
        // The run is mixed: several dispositions occur.
        expect(Object.keys(c.dispositions()).length).toBeGreaterThanOrEqual(4);
      } finally {
        await pp.close();
      }
    });
  }

  it.skipIf(!existsSync(WORKER))('workers compile nothing and read the tables the main thread shared (same memory) (reads dist/parallel/worker.js)', async () => {
    const s = parseScenario(YAML, 'parallel.yaml');
    const pp = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { workers: 2, batchCapacity: 1024 });
    try {
      const t = pp.tables;
      const firstNsg = [...t.subnetNsgOut, ...t.vmNicOut].find((k) => k >= 0)!;
      for (const r of pp.workerReports()) {
        expect(r.compiles).toEqual({ tables: 0, classifiers: 0 });
        // Each view the worker's pipeline reads: a write here is seen there (the same SharedArrayBuffer).
        const pairs: Array<[Uint8Array | Uint32Array, Uint8Array | Uint32Array | null]> = [
          [t.serviceDeny, r.probes.serviceDeny], [t.vmPrivate, r.probes.vmPrivate],
          [t.fibs[t.subnetFib[0]!]!.nextHop, r.probes.fibNextHop], [t.classifiers[firstNsg]!.bits, r.probes.nsgBits],
        ];
        for (const [mine, theirs] of pairs) {
          expect(theirs!.buffer).toBeInstanceOf(SharedArrayBuffer);
          const v = mine[0]!;
          mine[0] = v ^ 1;
          expect(theirs![0]).toBe(v ^ 1);
          mine[0] = v;
        }
      }
      // And the workers decide with it: the storage account's defaultAction, flipped in the shared table, applies to
      // new flows on both workers (a2 has no instance IP: its SNAT address is not in the account's ipRules).
      const st = s.network.services.findIndex((x) => x.name === 'st');
      const run = (seed: number) => {
        // New flows each run (another destination port): a recorded flow would keep its first verdict.
        const gen = new TrafficGenerator({ seed, flows: 200, packetsPerFlow: 1, sources: ['10.0.1.5'], ingress: [1], destinations: ['52.239.1.10'], dstPorts: [8000 + seed] });
        const b = new PacketBatch(1024);
        gen.fill(b);
        pp.process(b);
        return new Set(Array.from(b.disposition.subarray(0, b.count)));
      };
      const denied = run(1);
      t.serviceDeny[st] = 0;
      const allowed = run(2);
      t.serviceDeny[st] = 1;
      expect(denied.size).toBe(1);
      expect(allowed.size).toBe(1);
      expect(DISPOSITION_NAMES[[...denied][0]!]).toBe('ServiceDenied');
      expect(DISPOSITION_NAMES[[...allowed][0]!]).toBe('Delivered');
    } finally {
      await pp.close();
    }
  });

  it.skipIf(!existsSync(WORKER))('runs shared batches in place, the same as copied ones (reads dist/parallel/worker.js)', async () => {
    const s = parseScenario(YAML, 'parallel.yaml');
    const a = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { workers: 1, callerShard: true, batchCapacity: 1024 });
    const b = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { workers: 1, callerShard: true, batchCapacity: 1024 });
    try {
      const plain = batches();
      const shared = batches().map((x) => {
        const y = b.newBatch();
        for (let i = 0; i < x.count; i++) y.pushRow(x, i);
        return y;
      });
      for (let k = 0; k < plain.length; k++) {
        a.process(plain[k]!);
        b.process(shared[k]!);
        for (const col of COLUMNS) expect(Array.from(shared[k]![col].subarray(0, shared[k]!.count)), `${col} of batch ${k}`).toEqual(Array.from(plain[k]![col].subarray(0, plain[k]!.count)));
      }
      expect(() => b.share(new PacketBatch(16))).toThrow(/SharedArrayBuffer/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  for (const opts of [{ workers: 2 }, { workers: 1, callerShard: true }]) {
    it.skipIf(!existsSync(WORKER))(`steered batches (one per shard, like RSS queues) give the single-threaded results (${JSON.stringify(opts)}) (reads dist/parallel/worker.js)`, async () => {
      const s = parseScenario(YAML, 'parallel.yaml');
      const single = new Network(s.network, s.serviceTags, s.options, { batchCapacity: 1024 });
      const pp = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { ...opts, batchCapacity: 1024 });
      try {
        let compared = 0;
        for (const b of batches()) {
          const set = pp.newSteeredBatches();
          expect(pp.steer(b, set)).toBe(b.count);
          expect(set.reduce((n, x) => n + x.count, 0)).toBe(b.count);
          single.process(b);
          pp.processSteered(set);
          // Row j of shard s's batch is the j-th row of b that hashes to s.
          const next = new Array<number>(set.length).fill(0);
          for (let i = 0; i < b.count; i++) {
            const sh = pp.shardOf(b, i);
            const j = next[sh]!++;
            const x = set[sh]!;
            expect(x.src[j]).toBe(b.src[i]);
            for (const col of ['disposition', 'dropReason', 'routeIndex', 'ruleIndex', 'translatedSrc', 'serviceError', 'egressVm'] as const)
              expect(x[col][j], `${col} of row ${i}`).toBe(b[col][i]);
            expect(x.translatedSrcPort[j] === 0).toBe(b.translatedSrcPort[i] === 0);
            compared++;
          }
        }
        expect(compared).toBe(TRAFFIC.flows * TRAFFIC.packetsPerFlow);
        expect(pp.counters().dispositions()).toEqual(single.counters.dispositions());
        pp.clearFlows();
        expect(pp.counters().packetsIn).toBe(compared);
      } finally {
        await pp.close();
      }
    });
  }

  it('a shard runs its rows of a shared batch where they are and writes no other row', () => {
    const s = parseScenario(YAML, 'parallel.yaml');
    const single = new Network(s.network, s.serviceTags, s.options, { batchCapacity: 1024 });
    const tables = tablesFromData(shareTables(compileNetwork(s.network, s.serviceTags, s.options).tables));
    const shards = [0, 1].map((k) => new ShardRunner(new Dataplane(tables, { batchCapacity: 1024 }), k, 2));
    const SENTINEL = { disposition: 77, dropReason: 77, routeIndex: 7777, ruleIndex: 7777, translatedSrc: 7777, serviceError: 7777, egressVm: 7777 } as const;
    let foreign = 0;
    let packets = 0;
    for (const x of batches()) {
      const b = new PacketBatch(1024, new SharedArrayBuffer(PacketBatch.byteLength(1024)));
      for (let i = 0; i < x.count; i++) b.pushRow(x, i);
      single.process(x);
      for (const col of COLUMNS) b[col].fill(SENTINEL[col]);
      const owner = (i: number) => shardOf4(b.proto[i]!, b.src[i]!, b.dst[i]!, b.srcPort[i]!, b.dstPort[i]!, 2);
      shards[0]!.run(b, b.count);
      for (let i = 0; i < b.count; i++) {
        if (owner(i) === 0) expect(b.disposition[i], `row ${i}`).toBe(x.disposition[i]);
        else {
          for (const col of COLUMNS) expect(b[col][i], `${col} of shard 1's row ${i}`).toBe(SENTINEL[col]);
          foreign++;
        }
      }
      shards[1]!.run(b, b.count);
      for (const col of COLUMNS) expect(Array.from(b[col].subarray(0, b.count)), col).toEqual(Array.from(x[col].subarray(0, x.count)));
      for (let i = 0; i < b.count; i++) expect(b.translatedSrcPort[i] === 0).toBe(x.translatedSrcPort[i] === 0);
      packets += b.count;
    }
    // Both shards had rows, and each counted only its own.
    expect(foreign).toBeGreaterThan(packets / 4);
    expect(foreign).toBeLessThan((packets * 3) / 4);
    expect(shards[1]!.dp.counters.packetsIn).toBe(foreign);
    expect(shards[0]!.dp.counters.packetsIn + shards[1]!.dp.counters.packetsIn).toBe(packets);
  });

  it.skipIf(!existsSync(WORKER))('process() runs shared batches in place: no row is copied in or out (reads dist/parallel/worker.js)', async () => {
    const s = parseScenario(YAML, 'parallel.yaml');
    const single = new Network(s.network, s.serviceTags, s.options, { batchCapacity: 1024 });
    const pp = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { workers: 1, callerShard: true, batchCapacity: 1024 });
    try {
      const b = pp.newBatch();
      for (const x of batches()) {
        b.clear();
        for (let i = 0; i < x.count; i++) b.pushRow(x, i);
        single.process(x);
        for (const col of COLUMNS) b[col].fill(99); // stale results: process() overwrites them, no reset needed
        pp.process(b);
        for (const col of COLUMNS) expect(Array.from(b[col].subarray(0, b.count)), col).toEqual(Array.from(x[col].subarray(0, x.count)));
      }
      expect(pp.copiedRows).toBe(0);
      const plain = batches()[0]!;
      pp.process(plain);
      expect(pp.copiedRows).toBe(plain.count);
    } finally {
      await pp.close();
    }
  });

  it.skipIf(!existsSync(WORKER))('gives out disjoint SNAT ports across workers (R-SNAT-1) (reads dist/parallel/worker.js)', async () => {
    const s = parseScenario(YAML, 'parallel.yaml');
    const pp = await ParallelPipeline.create(s.network, s.serviceTags, s.options, { workers: 2, batchCapacity: 1024 });
    try {
      const gen = new TrafficGenerator({ seed: 5, flows: 2000, packetsPerFlow: 1, sources: ['10.0.1.4'], ingress: [0], destinations: ['8.8.8.0/24'], dstPorts: [443] });
      const seen = new Set<number>();
      const b = new PacketBatch(1024);
      while (gen.fill(b) > 0) {
        pp.process(b);
        for (let i = 0; i < b.count; i++) {
          const port = b.translatedSrcPort[i]!;
          expect(port).toBeGreaterThanOrEqual(1024);
          expect(seen.has(port)).toBe(false);
          seen.add(port);
        }
      }
      expect(seen.size).toBe(2000);
    } finally {
      await pp.close();
    }
  });
});
