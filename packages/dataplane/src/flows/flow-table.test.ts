import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskIpv4, parseIpv4, parseIpv4Cidr, parseIpv6, RowState } from '@vnetsim/core';
import type { CompiledIpv4Trie } from '@vnetsim/core';
import { PacketBatch, Proto, TcpFlag } from '../packet/batch.js';
import { TrafficGenerator } from '../packet/generate.js';
import { FlowTable, FlowVerdict, flowHash4, flowHash6 } from './flow-table.js';
import { Dir, FlowState } from './tcp-state.js';

/** A linear-scan stand-in for a compiled trie (the real one lives in core/lpm). */
function prefixSet(prefixes: string[]): CompiledIpv4Trie {
  const ps = prefixes.map((p) => parseIpv4Cidr(p));
  const lookup = (a: number) => ps.findIndex((p) => ((a & maskIpv4(p.length)) >>> 0) === p.prefix);
  return { lookup, lookupBatch: (addrs, out, n = addrs.length) => { for (let i = 0; i < n; i++) out[i] = lookup(addrs[i]); }, byteLength: 0 };
}

describe('FlowTable', () => {
  it('finds a flow from both directions (IPv4 and IPv6) and says which', () => {
    const t = new FlowTable({ capacity: 16 });
    const a = parseIpv4('10.0.0.4'), b = parseIpv4('20.1.2.3');
    const id = t.insert4(Proto.Tcp, a, b, 50000, 443, TcpFlag.SYN, 60, 1);
    expect(t.lookup4(Proto.Tcp, a, b, 50000, 443)).toBe(id);
    expect(t.lastDirection).toBe(Dir.Forward);
    expect(t.lookup4(Proto.Tcp, b, a, 443, 50000)).toBe(id);
    expect(t.lastDirection).toBe(Dir.Reverse);
    expect(t.lookup4(Proto.Udp, a, b, 50000, 443)).toBe(-1);
    expect(t.lookup4(Proto.Tcp, a, b, 443, 50000)).toBe(-1);
    const s6 = parseIpv6('fd00::4'), d6 = parseIpv6('2603:1000::9');
    const id6 = t.insert6(Proto.Udp, s6, 0, d6, 0, 4000, 53, 0, 80, 1);
    expect(t.lookup6(Proto.Udp, d6, 0, s6, 0, 53, 4000)).toBe(id6);
    expect(t.lastDirection).toBe(Dir.Reverse);
    expect(t.lookup6(Proto.Udp, s6, 0, d6, 0, 4000, 53)).toBe(id6);
    expect(t.lastDirection).toBe(Dir.Forward);
    expect(t.state[id6]).toBe(FlowState.Open);
    expect(flowHash4(6, a, b, 1, 2)).toBe(flowHash4(6, b, a, 2, 1));
    expect(flowHash6(17, s6, 0, d6, 0, 1, 2)).toBe(flowHash6(17, d6, 0, s6, 0, 2, 1));
    expect([t.hits, t.misses, t.inserts, t.size]).toEqual([4, 2, 2, 2]);
  });

  it('finds every flow of generated traffic by batch rows and counts packets both ways', () => {
    const t = new FlowTable({ capacity: 1024 });
    const g = new TrafficGenerator({ seed: 3, flows: 500, packetsPerFlow: 8, sources: ['10.0.0.4', '10.0.0.5', 'fd00::1'], destinations: ['52.0.0.0/8', '2603::/16'], protocol: { tcp: 2, udp: 1 } });
    const b = new PacketBatch(256);
    while (g.fill(b) > 0) {
      for (let i = 0; i < b.count; i++) {
        let id = t.lookupRow(b, i);
        if (id < 0) id = t.insertRow(b, i);
        else t.update(id, t.lastDirection, b.tcpFlags[i], b.length[i], b.time[i]);
      }
    }
    expect(t.inserts).toBe(500);
    expect(t.size).toBe(500);
    const ids = new Int32Array(1024);
    const n = t.ids(ids);
    expect(n).toBe(500);
    for (let k = 0; k < n; k++) {
      const id = ids[k];
      expect(t.packetsFwd[id] + t.packetsRev[id]).toBe(8);
      if (t.proto[id] === Proto.Tcp) {
        expect(t.packetsFwd[id]).toBe(5); // SYN, ACK, data, FIN, ACK
        expect(t.state[id]).toBe(FlowState.Closed);
      }
    }
  });

  it.each([
    { capacity: 512, addrs: 3, sports: 3, dports: 3 }, // 4^4 x 2 tuples: sparse table
    { capacity: 64, addrs: 1, sports: 3, dports: 1 }, // at most 64 flows in 128 slots: long runs, wrap-around shifts
  ])('matches a Map-based reference under random insert/lookup/remove/expire (fast-check, capacity $capacity)', ({ capacity, addrs, sports, dports }) => {
    type Op = { kind: 'insert' | 'lookup' | 'remove'; s: number; d: number; sp: number; dp: number; proto: number; rev: boolean } | { kind: 'advance'; dt: number };
    const tuple = { s: fc.integer({ min: 0, max: addrs }), d: fc.integer({ min: 0, max: addrs }), sp: fc.integer({ min: 0, max: sports }), dp: fc.integer({ min: 0, max: dports }), proto: fc.constantFrom(6, 17), rev: fc.boolean() };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('insert' as const, 'lookup' as const, 'remove' as const), ...tuple }),
      fc.record({ kind: fc.constant('advance' as const), dt: fc.integer({ min: 0, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new FlowTable({ capacity }); // every possible flow fits: no eviction here
        const ref = new Map<string, { id: number; fwd: string; last: number }>();
        const key = (p: number, a: number, b: number, x: number, y: number) => `${p}|${a}|${b}|${x}|${y}`;
        let now = 0;
        for (const o of ops) {
          if (o.kind === 'advance') {
            now += o.dt;
            const n = t.expire(now);
            const gone = new Set<number>();
            for (const [k, v] of ref) if (v.last <= now - 240) (ref.delete(k), gone.add(v.id));
            expect(n).toBe(gone.size);
            continue;
          }
          const [a, b, x, y] = o.rev ? [o.d + 1, o.s + 1, o.dp, o.sp] : [o.s + 1, o.d + 1, o.sp, o.dp];
          const k1 = key(o.proto, a, b, x, y), k2 = key(o.proto, b, a, y, x);
          const r = ref.get(k1) ?? ref.get(k2);
          const id = t.lookup4(o.proto, a, b, x, y);
          expect(id).toBe(r ? r.id : -1);
          if (r) expect(t.lastDirection).toBe(r.fwd === k1 ? Dir.Forward : Dir.Reverse);
          if (o.kind === 'insert') {
            if (r) {
              t.update(id, t.lastDirection, 0, 1, now);
              r.last = now;
            } else {
              const nid = t.insert4(o.proto, a, b, x, y, 0, 1, now);
              const rec = { id: nid, fwd: k1, last: now };
              ref.set(k1, rec);
              if (k2 !== k1) ref.set(k2, rec);
            }
          } else if (o.kind === 'remove' && r) {
            t.remove(r.id);
            ref.delete(k1);
            ref.delete(k2);
          }
          expect(t.size).toBe(new Set([...ref.values()].map((v) => v.id)).size);
        }
        expect(t.evictions).toBe(0);
        // Every remaining flow is still found after all the backward shifts.
        for (const [k, v] of ref) {
          const [p, a, b, x, y] = k.split('|').map(Number);
          expect(t.lookup4(p, a, b, x, y)).toBe(v.id);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('deletes by backward shift across the end of the index (no tombstones, every survivor still found)', () => {
    const t = new FlowTable({ capacity: 8 }); // 16 index slots
    const last: number[] = [];
    for (let port = 0; last.length < 4; port++) if ((flowHash4(Proto.Udp, 1, 2, port, 53) & 15) >= 14) last.push(port);
    const ids = last.map((p, k) => t.insert4(Proto.Udp, 1, 2, p, 53, 0, 40, k));
    for (let victim = 0; victim < 4; victim++) {
      const u = new FlowTable({ capacity: 8 });
      const uids = last.map((p, k) => u.insert4(Proto.Udp, 1, 2, p, 53, 0, 40, k));
      u.remove(uids[victim]);
      last.forEach((p, k) => expect(u.lookup4(Proto.Udp, 1, 2, p, 53)).toBe(k === victim ? -1 : uids[k]));
    }
    expect(ids.length).toBe(4);
  });

  it('evicts when full, counts it, and prefers the least recently seen flow', () => {
    const t = new FlowTable({ capacity: 8 });
    for (let i = 0; i < 8; i++) t.insert4(Proto.Udp, i + 1, 100, 1000, 53, 0, 40, i === 3 ? 0 : 10 + i);
    expect(t.evictions).toBe(0);
    const id = t.insert4(Proto.Udp, 99, 100, 1000, 53, 0, 40, 50);
    expect(t.evictions).toBe(1);
    expect(t.lastEvicted).toBe(3); // lastSeen 0: the oldest of the probed flows
    expect(id).toBe(3);
    expect(t.lookup4(Proto.Udp, 4, 100, 1000, 53)).toBe(-1);
    expect(t.lookup4(Proto.Udp, 99, 100, 1000, 53)).toBe(id);
    for (let i = 0; i < 100; i++) t.insert4(Proto.Udp, 1000 + i, 100, 1000, 53, 0, 40, 60 + i);
    expect(t.evictions).toBe(101);
    expect(t.size).toBe(8);
    for (let i = 92; i < 100; i++) expect(t.lookup4(Proto.Udp, 1000 + i, 100, 1000, 53)).toBeGreaterThanOrEqual(0);
  });

  it('expires idle flows after the idle timeout (default 240 s, configurable 4..30 min)', () => {
    const t = new FlowTable({ capacity: 16 });
    const a = t.insert4(Proto.Tcp, 1, 2, 3, 4, TcpFlag.SYN, 40, 0);
    t.insert4(Proto.Tcp, 5, 6, 7, 8, TcpFlag.SYN, 40, 0);
    t.update(a, Dir.Reverse, TcpFlag.SYN | TcpFlag.ACK, 40, 100);
    expect(t.expire(239)).toBe(0);
    expect(t.expire(240)).toBe(1);
    expect(t.lookup4(Proto.Tcp, 1, 2, 3, 4)).toBe(a);
    expect(t.expire(340)).toBe(1);
    expect([t.size, t.expired]).toEqual([0, 2]);
    expect(new FlowTable({ capacity: 16, idleTimeoutSeconds: 1800 }).idleTimeout).toBe(1800);
    expect(() => new FlowTable({ capacity: 16, idleTimeoutSeconds: 60 })).toThrow(/idleTimeoutSeconds: expected 240 to 1800/);
    expect(() => new FlowTable({ capacity: 12 })).toThrow(/capacity: expected a power of two/);
  });

  it('calls onRelease for removed, expired and evicted flows', () => {
    const released: number[] = [];
    const t = new FlowTable({ capacity: 2, onRelease: (id) => released.push(id) });
    const a = t.insert4(Proto.Udp, 1, 2, 3, 4, 0, 40, 0);
    const b = t.insert4(Proto.Udp, 5, 6, 7, 8, 0, 40, 1);
    t.insert4(Proto.Udp, 9, 6, 7, 8, 0, 40, 2); // evicts a
    t.remove(b);
    t.expire(1000);
    expect(released).toEqual([a, b, a]);
  });

  it('R-SNAT-1: a freed flow gives its SNAT port back to its pool once (remove, evict, or releasePort first)', () => {
    const given: Array<[number, number, number]> = [];
    const t = new FlowTable({ capacity: 2, ports: { give: (pool, port, address) => given.push([pool, port, address]) } });
    const a = t.insert4(Proto.Udp, 1, 2, 3, 4, 0, 40, 0);
    const b = t.insert4(Proto.Udp, 5, 6, 7, 8, 0, 40, 1);
    t.setPort(a, 3, 1, 0x14320002, 1024);
    t.setPort(b, 0, 0, 0x14320001, 1025);
    expect([t.natSrc[a], t.natPort[a], t.snatPool[a], t.snatAddress[a]]).toEqual([0x14320002, 1024, 3, 1]);
    t.releasePort(b); // a Reset tombstone gives its port back at once, the record stays
    t.insert4(Proto.Udp, 9, 6, 7, 8, 0, 40, 2); // evicts a (the least recently seen)
    t.remove(b);
    expect(given).toEqual([[0, 1025, 0], [3, 1024, 1]]);
    expect(t.snatPool[b]).toBe(-1);
  });

  it('invalidate marks a recorded result stale (RowState.Pending) without freeing the flow', () => {
    const t = new FlowTable({ capacity: 4 });
    const id = t.insert4(Proto.Tcp, 1, 2, 3, 4, TcpFlag.SYN, 60, 0);
    expect(t.isPending(id)).toBe(true); // a new flow has no result yet
    t.disposition[id] = 0;
    expect(t.isPending(id)).toBe(false);
    t.invalidate(id);
    expect([t.isPending(id), t.disposition[id], t.lookup4(Proto.Tcp, 1, 2, 3, 4)]).toEqual([true, RowState.Pending, id]);
  });

  it('a flow led by a row of the current batch is pinned against eviction', () => {
    const t = new FlowTable({ capacity: 2 });
    t.pinEpoch = 7;
    const a = t.insert4(Proto.Udp, 1, 2, 3, 4, 0, 40, 0); // oldest: the victim unless pinned
    const b = t.insert4(Proto.Udp, 5, 6, 7, 8, 0, 40, 1);
    t.lead(a, 0);
    expect([t.ledNow(a), t.ledNow(b), t.leadRow[a]]).toEqual([true, false, 0]);
    t.insert4(Proto.Udp, 9, 6, 7, 8, 0, 40, 2);
    expect(t.lastEvicted).toBe(b);
    t.pinEpoch = 8; // the next batch: nothing pinned
    expect(t.ledNow(a)).toBe(false);
  });

  it('R-NSG-5: the verdict recorded at creation serves later packets of both directions', () => {
    const t = new FlowTable({ capacity: 16 });
    const a = parseIpv4('10.0.0.4'), b = parseIpv4('10.1.0.4');
    const id = t.insert4(Proto.Tcp, a, b, 50000, 22, TcpFlag.SYN, 60, 0);
    t.verdict[id] = FlowVerdict.Allow;
    t.ruleIndex[id] = 7;
    // The reply comes in the other direction and must find the same record without an NSG evaluation.
    const r = t.lookup4(Proto.Tcp, b, a, 22, 50000);
    expect([r, t.lastDirection, t.verdict[r], t.ruleIndex[r]]).toEqual([id, Dir.Reverse, FlowVerdict.Allow, 7]);
  });

  it('R-SE-2: reset marks exactly the TCP flows of a subnet to the given prefixes; later packets see a Reset tombstone', () => {
    const t = new FlowTable({ capacity: 8192 });
    const svc = prefixSet(['20.38.0.0/16', '52.239.0.0/16']);
    const expected = new Set<number>();
    let n = 0;
    for (let i = 0; i < 4000; i++) {
      const subnet = i % 3;
      const dst = i % 2 === 0 ? parseIpv4('20.38.0.0') + i : parseIpv4('40.0.0.0') + i;
      const proto = i % 5 === 0 ? Proto.Udp : Proto.Tcp;
      const id = t.insert4(proto, parseIpv4('10.0.0.0') + subnet * 256 + (i % 200), dst, 1024 + i, 443, proto === Proto.Tcp ? TcpFlag.SYN : 0, 60, 0);
      t.subnet[id] = subnet;
      if (subnet === 1 && i % 2 === 0) expected.add(id);
      n++;
    }
    const out = new Int32Array(t.capacity);
    const found = t.findBySubnetAndDst(1, svc, out);
    expect(new Set(out.subarray(0, found))).toEqual(expected);
    let tcp = 0;
    for (const id of out.subarray(0, found)) if (t.markReset(id)) tcp++;
    expect(t.resets).toBe(tcp);
    expect(t.size).toBe(n - (found - tcp)); // UDP records removed, TCP kept as tombstones
    expect(t.findBySubnetAndDst(1, svc, out)).toBe(0); // nothing open is left to reset
    const id = [...expected].find((x) => t.inUse[x] && t.proto[x] === Proto.Tcp)!;
    const again = t.lookup4(Proto.Tcp, t.dst[id], t.src[id], t.dstPort[id], t.srcPort[id]);
    expect(again).toBe(id);
    expect(t.update(again, t.lastDirection, TcpFlag.ACK, 40, 1)).toBe(FlowState.Reset);
    // Other subnets' flows and other destinations are untouched.
    t.scan((x) => {
      if (!expected.has(x)) expect(t.state[x]).not.toBe(FlowState.Reset);
    });
    expect(t.ids(new Int32Array(8192))).toBe(n - found);
    expect(t.ids(new Int32Array(8192), true)).toBe(n - (found - tcp));
  });
});
