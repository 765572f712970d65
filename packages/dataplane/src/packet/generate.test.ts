import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '@vnetsim/core';
import { createHash } from 'node:crypto';
import { DISPOSITION_PENDING, PacketBatch, Proto, TcpFlag } from './batch.js';
import { TrafficGenerator, type TrafficSpec } from './generate.js';
import { Prng } from './prng.js';

function digest(spec: TrafficSpec, batchSize: number): { hash: string; packets: number } {
  const g = new TrafficGenerator(spec);
  const b = new PacketBatch(batchSize);
  const cols = () => [b.family, b.src, b.dst, b.src6, b.dst6, b.srcPort, b.dstPort, b.proto, b.tcpFlags, b.length, b.time, b.ingress];
  const hashes = cols().map(() => createHash('sha256'));
  let packets = 0;
  while (g.fill(b) > 0) {
    packets += b.count;
    cols().forEach((col, k) => {
      const per = col.length / b.capacity; // 4 words per packet for src6/dst6
      hashes[k].update(new Uint8Array(col.buffer, 0, b.count * per * col.BYTES_PER_ELEMENT));
    });
  }
  return { hash: hashes.map((h) => h.digest('hex')).join(''), packets };
}

const base: TrafficSpec = {
  seed: 42, flows: 300, packetsPerFlow: 8, sources: ['10.0.1.4', '10.0.1.5', 'fd00::4'],
  destinations: ['20.38.0.0/16', '52.239.1.1', '2603:1000::/32'], protocol: { tcp: 3, udp: 1, icmp: 1 },
};

describe('Prng', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = new Prng(7), b = new Prng(7), c = new Prng(8);
    const xa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xa);
    for (let i = 0; i < 1000; i++) {
      const v = a.nextInt(10);
      expect(v >= 0 && v < 10 && Number.isInteger(v)).toBe(true);
    }
  });
});

describe('TrafficGenerator', () => {
  it('same seed -> same bytes, whatever the batch size; another seed -> other bytes', () => {
    const a = digest(base, 64);
    expect(a.packets).toBe(300 * 8);
    expect(digest(base, 64).hash).toBe(a.hash);
    expect(digest(base, 1000).hash).toBe(a.hash);
    expect(digest({ ...base, seed: 43 }, 64).hash).not.toBe(a.hash);
  });

  it('writes exactly flows x packets, every flow has M packets, flows interleave', () => {
    const g = new TrafficGenerator({ ...base, protocol: 'tcp', concurrentFlows: 16 });
    const b = new PacketBatch(100);
    const perFlow = new Map<string, number>();
    let switches = 0, last = '';
    while (g.fill(b) > 0) {
      for (let i = 0; i < b.count; i++) {
        const a = b.family[i] === 4 ? `${b.src[i]}` : b.src6.slice(i * 4, i * 4 + 4).join(':');
        const d = b.family[i] === 4 ? `${b.dst[i]}` : b.dst6.slice(i * 4, i * 4 + 4).join(':');
        const fwd = a < d || (a === d && b.srcPort[i] <= b.dstPort[i]);
        const key = fwd ? `${a}|${b.srcPort[i]}|${d}|${b.dstPort[i]}` : `${d}|${b.dstPort[i]}|${a}|${b.srcPort[i]}`;
        perFlow.set(key, (perFlow.get(key) ?? 0) + 1);
        if (key !== last) switches++;
        last = key;
        expect(b.disposition[i]).toBe(DISPOSITION_PENDING);
        expect(b.flowId[i]).toBe(-1);
      }
    }
    expect(g.emitted).toBe(2400);
    expect(perFlow.size).toBe(300);
    for (const n of perFlow.values()) expect(n).toBe(8);
    expect(switches).toBeGreaterThan(1000);
  });

  it('TCP flow = SYN, SYN-ACK reversed, ACK, data both ways, FIN both ways, ACK', () => {
    const g = new TrafficGenerator({ seed: 1, flows: 1, packetsPerFlow: 8, sources: ['10.0.0.4'], destinations: ['1.2.3.4'], dstPorts: [443] });
    const b = new PacketBatch(16);
    expect(g.fill(b)).toBe(8);
    const s = parseIpv4('10.0.0.4'), d = parseIpv4('1.2.3.4');
    const { SYN, ACK, PSH, FIN } = TcpFlag;
    expect(Array.from(b.tcpFlags.subarray(0, 8))).toEqual([SYN, SYN | ACK, ACK, PSH | ACK, PSH | ACK, FIN | ACK, FIN | ACK, ACK]);
    const rev = [false, true, false, false, true, false, true, false];
    rev.forEach((r, i) => {
      expect([b.src[i], b.dst[i], b.srcPort[i], b.dstPort[i]]).toEqual(r ? [d, s, 443, 1024] : [s, d, 1024, 443]);
      expect(b.proto[i]).toBe(Proto.Tcp);
    });
    expect(b.length[0]).toBe(40);
    expect(b.length[3]).toBe(1040);
    expect(g.fill(b)).toBe(0);
  });

  it('destinations are uniform inside the prefixes (by size) and ICMP/UDP packets alternate directions', () => {
    const g = new TrafficGenerator({
      seed: 5, flows: 4000, packetsPerFlow: 2, sources: ['10.0.0.4'], destinations: ['40.0.0.0/8', '52.1.2.0/24'], protocol: 'udp', concurrentFlows: 1,
    });
    const b = new PacketBatch(8000);
    g.fill(b);
    let in8 = 0, in24 = 0;
    for (let i = 0; i < b.count; i += 2) {
      expect(b.dst[i + 1]).toBe(parseIpv4('10.0.0.4'));
      const d = b.dst[i];
      if (d >>> 24 === 40) in8++;
      else if (d >>> 8 === parseIpv4('52.1.2.0') >>> 8) in24++;
    }
    expect(in8 + in24).toBe(4000);
    expect(in24).toBeLessThan(20); // 256 / 2^24 of the space
    const icmp = new TrafficGenerator({ seed: 5, flows: 1, packetsPerFlow: 2, sources: ['fd00::4'], destinations: ['fd00::5'], protocol: 'icmp' });
    icmp.fill(b);
    expect([b.proto[0], b.family[0], b.srcPort[0], b.dstPort[0], b.srcPort[1], b.dstPort[1]]).toEqual([Proto.Icmpv6, 6, 1024, 0, 0, 1024]);
  });

  it('rejects bad specs with the field name', () => {
    expect(() => new TrafficGenerator({ ...base, destinations: ['10.0.0.1/24'] })).toThrow(/destinations\[0\].*10\.0\.0\.0\/24/);
    expect(() => new TrafficGenerator({ ...base, destinations: ['1.2.3.4'] })).toThrow(/sources\[2\]: IPv6 source/);
    expect(() => new TrafficGenerator({ ...base, packetsPerFlow: 0 })).toThrow(/packetsPerFlow/);
  });
});
