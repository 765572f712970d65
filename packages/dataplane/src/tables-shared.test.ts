// Compiled tables in SharedArrayBuffers (DESIGN.md "Scale"): shareTables moves them once, tablesFromData rebuilds
// them around the same memory without compiling, and a Dataplane over the rebuilt tables gives the Network's results.
import { classifierCompiles } from '@vnetsim/core';
import { describe, expect, it } from 'vitest';
import { Dataplane } from './dataplane.js';
import { PacketBatch } from './packet/batch.js';
import { TrafficGenerator, type TrafficSpec } from './packet/generate.js';
import { shareTables, tableCompiles, tablesFromData } from './tables.js';
import { networkOf, WORLD } from './testing/fixtures.js';

const VMS = ['10.0.1.4', '10.0.2.4', '10.0.3.4', '10.0.3.5', '10.0.5.4', '10.0.6.4', '10.0.7.4', '10.0.8.4', '10.1.1.4'];
const TRAFFIC: TrafficSpec = {
  seed: 3, flows: 4000, packetsPerFlow: 3, sources: VMS, ingress: [0, 1, 2, 3, 7, 8, 9, 10, 11],
  destinations: ['52.239.1.10', '52.239.0.20', '52.239.2.10', '40.68.0.10', '40.68.4.10', '10.0.1.4', '10.0.2.4', '10.1.1.4', '8.8.8.0/28', '8.8.4.0/30', '192.0.2.0/30', '198.51.100.0/30', '192.168.1.0/30'],
  protocol: { tcp: 0.6, udp: 0.3, icmp: 0.1 }, dstPorts: [443, 22, 53, 1433], concurrentFlows: 256,
};
const COLUMNS = ['disposition', 'dropReason', 'routeIndex', 'ruleIndex', 'translatedSrc', 'translatedSrcPort', 'serviceError', 'egressVm', 'flowId'] as const;

describe('shareTables / tablesFromData', () => {
  it('rebuilds the tables without compiling, and a Dataplane over them gives the Network\'s per-packet results', () => {
    const net = networkOf(WORLD);
    const data = structuredClone(shareTables(net.tables)); // what a worker receives
    const compiles = [tableCompiles.count, classifierCompiles.count];
    const dp = new Dataplane(tablesFromData(data), { batchCapacity: 1024 });
    expect([tableCompiles.count, classifierCompiles.count]).toEqual(compiles);
    const g1 = new TrafficGenerator(TRAFFIC);
    const g2 = new TrafficGenerator(TRAFFIC);
    const a = new PacketBatch(1024);
    const b = new PacketBatch(1024);
    let packets = 0;
    while (g1.fill(a) > 0) {
      g2.fill(b);
      net.process(a);
      dp.process(b);
      for (const col of COLUMNS) expect(Array.from(b[col].subarray(0, b.count)), col).toEqual(Array.from(a[col].subarray(0, a.count)));
      packets += a.count;
    }
    expect(packets).toBe(TRAFFIC.flows * TRAFFIC.packetsPerFlow);
    expect(dp.counters.dispositions()).toEqual(net.counters.dispositions());
    expect(Object.keys(net.counters.dispositions()).length).toBeGreaterThanOrEqual(5);
  });

  it('moves every typed array to a SharedArrayBuffer once and shares classifiers and FIBs by identity', () => {
    const net = networkOf(WORLD);
    const t = net.tables;
    const d = shareTables(t);
    const views: ArrayBufferView[] = [];
    const walk = (x: unknown): void => {
      if (ArrayBuffer.isView(x)) views.push(x);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (x !== null && typeof x === 'object' && x !== d.spec && x !== d.tags) Object.values(x).forEach(walk);
    };
    walk(d);
    expect(views.length).toBeGreaterThan(40);
    for (const v of views) expect(v.buffer).toBeInstanceOf(SharedArrayBuffer);
    // One entry per distinct classifier / FIB object of the compiled tables.
    const classifiers = new Set([...t.vmNicOut, ...t.vmNicIn, ...t.subnetNsgOut, ...t.subnetNsgIn].filter((c) => c !== null));
    expect(d.classifiers.length).toBe(classifiers.size);
    expect(d.fibs.length).toBe(new Set(t.subnetFib).size);
    const r = tablesFromData(d);
    // Subnets that shared a classifier or FIB still share one object; the arrays are the data's, not copies.
    t.subnetNsgOut.forEach((c, s) => t.subnetNsgOut.forEach((c2, s2) => expect(r.subnetNsgOut[s] === r.subnetNsgOut[s2]).toBe(c === c2)));
    t.subnetFib.forEach((f, s) => t.subnetFib.forEach((f2, s2) => expect(r.subnetFib[s] === r.subnetFib[s2]).toBe(f === f2)));
    expect(r.serviceDeny).toBe(d.serviceDeny);
    expect(r.subnetFib[0]!.nextHop).toBe(d.fibs[d.subnetFib[0]!]!.nextHop);
    // Sharing shared tables again copies nothing.
    expect(shareTables(r).vmPrivate).toBe(d.vmPrivate);
  });
});
