import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Network, Proto, shardOf4, TrafficGenerator } from '@vnetsim/dataplane';
import { loadScenarioFile, ScenarioError } from '@vnetsim/scenario';
import { loadChanges } from './changes.js';
import { checkSlices, replayInProcess } from './local.js';
import { replayEndpoints, slicePackets, sliceTraffic } from './traffic.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const QUICKSTART = path.join(ROOT, 'scenarios/quickstart.yaml');

describe('replay slices', () => {
  it('a shard generator emits only flows of its shard, both directions', () => {
    const s = loadScenarioFile(QUICKSTART);
    const net = new Network(s.network, s.serviceTags, s.options);
    const ep = replayEndpoints(net);
    const b = net.newBatch(4096);
    for (const shard of [0, 5, 63]) {
      const gen = new TrafficGenerator(sliceTraffic(ep, 7, 64, shard, 0, 20_000, 0));
      let n = 0;
      let wrong = 0;
      while (gen.fill(b) > 0)
        for (let i = 0; i < b.count; i++, n++) if (shardOf4(b.proto[i]!, b.src[i]!, b.dst[i]!, b.srcPort[i]!, b.dstPort[i]!, 64) !== shard) wrong++;
      expect(n).toBeGreaterThanOrEqual(20_000);
      expect(wrong).toBe(0);
    }
    expect(Proto.Tcp).toBe(6);
  });

  it('epochs split over shards add up to the packets asked for', () => {
    const boundaries = [0, 1000, 1001, 5000];
    let total = 0;
    for (let e = 0; e < boundaries.length; e++) for (let s = 0; s < 7; s++) total += slicePackets(boundaries, 12_345, 7, s, e);
    expect(total).toBe(12_345);
  });

  it('the in-process replay conserves packets and is deterministic by seed', async () => {
    const s = loadScenarioFile(QUICKSTART);
    const shape = { seed: 3, packets: 50_000, shards: 8, boundaries: [0] };
    const a = await replayInProcess(s, shape, []);
    const b = await replayInProcess(s, shape, []);
    expect(a.packets).toBe(50_000);
    expect(Object.values(a.counts).reduce((x, y) => x + y, 0)).toBe(50_000);
    expect(b.counts).toEqual(a.counts);
    const c = await replayInProcess(s, { ...shape, seed: 4 }, []);
    expect(c.counts).not.toEqual(a.counts);
  });

  it('checkSlices names a missing slice, a slice counted twice and a broken conservation', () => {
    const shape = { seed: 1, packets: 10, shards: 2, boundaries: [0] };
    const ok = { shard: 0, epoch: 0, packets: 5, counts: [5], digest: 'a' };
    expect(checkSlices(shape, [ok, { ...ok, shard: 1 }]).problems).toEqual([]);
    expect(checkSlices(shape, [ok]).problems.join('; ')).toMatch(/slice 1:0 missing/);
    expect(checkSlices(shape, [ok, ok]).problems.join('; ')).toMatch(/slice 0:0 counted twice/);
    expect(checkSlices(shape, [ok, { ...ok, shard: 1, counts: [4] }]).problems.join('; ')).toMatch(/slice 1:0: 5 packets in, 4 with a disposition/);
  });

  it('a change applied at atPacket changes what follows; bad change files are refused with file, line and path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-changes-'));
    const f = path.join(dir, 'changes.yaml');
    const text = (await import('node:fs')).readFileSync(QUICKSTART, 'utf8');
    writeFileSync(f, 'changes:\n  - atPacket: 20000\n    disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }\n');
    const ep = loadChanges(f, text, QUICKSTART, 40_000);
    expect(ep.boundaries).toEqual([0, 20_000]);
    const s = loadScenarioFile(QUICKSTART);
    const shape = { seed: 3, packets: 40_000, shards: 4, boundaries: ep.boundaries };
    const without = await replayInProcess(s, { ...shape, boundaries: [0, 20_000] }, []);
    const withChange = await replayInProcess(s, shape, ep.changes);
    expect(withChange.packets).toBe(40_000);
    expect(withChange.counts).not.toEqual(without.counts);
    writeFileSync(f, 'changes:\n  - atPacket: 10\n    disableServiceEndpoint: { subnet: hub/nope, service: Microsoft.Storage }\n');
    expect(() => loadChanges(f, text, QUICKSTART, 100)).toThrow(ScenarioError);
    try {
      loadChanges(f, text, QUICKSTART, 100);
    } catch (e) {
      const p = (e as ScenarioError).problems[0]!;
      expect([p.file, p.line, p.path.startsWith('changes[0]')]).toEqual([f, 2, true]);
    }
    writeFileSync(f, 'changes:\n  - atPacket: 500\n    connect: { from: vm1, to: 8.8.8.8 }\n');
    expect(() => loadChanges(f, text, QUICKSTART, 100)).toThrow(/atPacket/);
    writeFileSync(f, 'changes:\n  - atPacket: 50\n    connect: { from: vm1, to: 8.8.8.8 }\n');
    expect(() => loadChanges(f, text, QUICKSTART, 100)).toThrow(/control-plane step/);
  });
});
