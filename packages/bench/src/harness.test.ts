import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Dir24_8 } from './reference/dir24-8.js';
import { NaiveIpv6Lpm } from './reference/ipv6-naive.js';
import { measureBatch, measureInterleaved, median } from './suite.js';
import { ipv4Stream, syntheticIpv4 } from './tables.js';
import { Rng } from './rng.js';
import { textTable } from './report.js';

function mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Naive LPM: scan every prefix, keep the longest match; later entries win at equal prefix and length. */
function naiveLookup(prefixes: Uint32Array, lengths: Uint8Array, values: Int32Array, addr: number): number {
  let best = -1;
  let bestLen = -1;
  for (let i = 0; i < prefixes.length; i++) {
    const m = mask(lengths[i]);
    if (((addr & m) >>> 0) === ((prefixes[i] & m) >>> 0) && lengths[i] >= bestLen) {
      best = values[i];
      bestLen = lengths[i];
    }
  }
  return best;
}

function table(entries: Array<[string, number, number]>) {
  const prefixes = Uint32Array.from(entries.map(([p]) => p.split('.').reduce((a, o) => a * 256 + Number(o), 0)));
  const lengths = Uint8Array.from(entries.map(([, l]) => l));
  const values = Int32Array.from(entries.map(([, , v]) => v));
  return { prefixes, lengths, values };
}

const ip = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);

describe('DIR-24-8 reference', () => {
  it('empty table answers -1 everywhere', () => {
    const d = Dir24_8.build(new Uint32Array(0), new Uint8Array(0), new Int32Array(0));
    expect(d.lookup(0)).toBe(-1);
    expect(d.lookup(0xffffffff)).toBe(-1);
  });

  it('more specific beats less specific across the /24 boundary, in any insertion order', () => {
    const t = table([['10.1.2.128', 25, 4], ['10.1.2.0', 24, 3], ['10.0.0.0', 8, 1], ['0.0.0.0', 0, 0], ['10.1.2.200', 32, 5]]);
    const d = Dir24_8.build(t.prefixes, t.lengths, t.values);
    expect(d.lookup(ip('11.0.0.1'))).toBe(0);
    expect(d.lookup(ip('10.9.9.9'))).toBe(1);
    expect(d.lookup(ip('10.1.2.1'))).toBe(3); // in the /24, outside the /25: the tbl8 group inherited the /24
    expect(d.lookup(ip('10.1.2.129'))).toBe(4);
    expect(d.lookup(ip('10.1.2.200'))).toBe(5);
    expect(d.lookup(ip('10.1.2.201'))).toBe(4);
    expect(d.groups).toBe(1);
  });

  it('a /25 alone leaves the rest of its /24 unrouted; /32 at 255.255.255.255', () => {
    const t = table([['192.168.0.0', 25, 7], ['255.255.255.255', 32, 9]]);
    const d = Dir24_8.build(t.prefixes, t.lengths, t.values);
    expect(d.lookup(ip('192.168.0.127'))).toBe(7);
    expect(d.lookup(ip('192.168.0.128'))).toBe(-1);
    expect(d.lookup(0xffffffff)).toBe(9);
    expect(d.lookup(0xfffffffe)).toBe(-1);
  });

  it('agrees with a naive linear scan on random nested tables (lookup and lookupBatch)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 300 }), (seed, n) => {
        const rng = new Rng(seed);
        const base = rng.u32() & 0xff000000; // one /8 so that prefixes nest
        const prefixes = new Uint32Array(n);
        const lengths = new Uint8Array(n);
        const values = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const len = rng.below(33);
          const a = len < 8 ? rng.u32() : (base | (rng.u32() & (rng.float() < 0.5 ? 0x0000ffff : 0x00ffffff))) >>> 0;
          prefixes[i] = (a & mask(len)) >>> 0;
          lengths[i] = len;
          values[i] = rng.below(1000);
        }
        const d = Dir24_8.build(prefixes, lengths, values);
        const addrs = new Uint32Array(1000);
        for (let i = 0; i < addrs.length; i++) {
          const j = rng.below(n);
          addrs[i] = i % 4 === 0 ? rng.u32() : ((prefixes[j] & mask(lengths[j])) | (rng.u32() & ~mask(lengths[j]) & (rng.float() < 0.5 ? 0xff : 0xffffffff))) >>> 0;
        }
        const out = new Int32Array(addrs.length);
        d.lookupBatch(addrs, out);
        for (let i = 0; i < addrs.length; i++) {
          const expected = naiveLookup(prefixes, lengths, values, addrs[i]);
          if (out[i] !== expected || d.lookup(addrs[i]) !== expected) return false;
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });
});

describe('naive IPv6 reference', () => {
  it('longest of /0, /32, /64, /128', () => {
    const n = new NaiveIpv6Lpm();
    n.insert([0, 0, 0, 0], 0, 0, 0);
    n.insert([0x20010db8, 0, 0, 0], 0, 32, 1);
    n.insert([0x20010db8, 1, 0, 0], 0, 64, 2);
    n.insert([0x20010db8, 1, 0, 5], 0, 128, 3);
    expect(n.lookup([0x30000000, 0, 0, 0], 0)).toBe(0);
    expect(n.lookup([0x20010db8, 2, 0, 0], 0)).toBe(1);
    expect(n.lookup([0x20010db8, 1, 7, 0], 0)).toBe(2);
    expect(n.lookup([0x20010db8, 1, 0, 5], 0)).toBe(3);
  });
});

describe('median and measureBatch', () => {
  it('median of odd and even lists, unsorted input untouched', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('measureBatch takes the median of at least 5 runs and reports ops per call', () => {
    let calls = 0;
    const m = measureBatch(() => { calls++; }, 1000, { minRuns: 3, minMs: 1 });
    expect(m.runs).toBe(5);
    expect(m.samples).toHaveLength(5);
    expect(m.opsPerSec).toBe(median(m.samples));
    expect(m.nsPerOp).toBeCloseTo(1e9 / m.opsPerSec);
    expect(calls).toBeGreaterThan(5);
  });

  it('measureInterleaved alternates the cases and gives each >= 5 runs', () => {
    const order: string[] = [];
    const [a, b] = measureInterleaved(
      [{ fn: () => { if (order.at(-1) !== 'a') order.push('a'); }, opsPerCall: 10 },
        { fn: () => { if (order.at(-1) !== 'b') order.push('b'); }, opsPerCall: 10 }],
      { minRuns: 5, minMs: 1, warmupCalls: 0 },
    );
    expect(a.runs).toBe(5);
    expect(b.runs).toBe(5);
    expect(order.join('')).toBe('ababababab');
  });
});

describe('tables and streams', () => {
  it('synthetic tables are deterministic, distinct, host bits zero, mostly /24', () => {
    const a = syntheticIpv4(5000, 7);
    const b = syntheticIpv4(5000, 7);
    expect(a.prefixes).toEqual(b.prefixes);
    const keys = new Set<string>();
    let n24 = 0;
    for (let i = 0; i < a.count; i++) {
      expect((a.prefixes[i] & ~mask(a.lengths[i])) >>> 0).toBe(0);
      keys.add(`${a.prefixes[i]}/${a.lengths[i]}`);
      if (a.lengths[i] === 24) n24++;
    }
    expect(keys.size).toBe(a.count);
    expect(n24 / a.count).toBeGreaterThan(0.55);
    expect(n24 / a.count).toBeLessThan(0.65);
  });

  it('the inside stream lands every destination inside some table prefix', () => {
    const t = syntheticIpv4(2000, 3);
    const d = Dir24_8.build(t.prefixes, t.lengths, t.values);
    const addrs = ipv4Stream('inside', t, 5000, 3);
    const out = new Int32Array(addrs.length);
    d.lookupBatch(addrs, out);
    expect(out.every((v) => v >= 0)).toBe(true);
  });
});

describe('report', () => {
  it('the ratio column compares each row with vnetsim on the same case', () => {
    const text = textTable({
      name: 'x',
      notes: [],
      rows: [
        { case: 'c', impl: 'vnetsim', opsPerSec: 4e7, nsPerOp: 25, runs: 5 },
        { case: 'c', impl: 'peer', opsPerSec: 1e7, nsPerOp: 100, runs: 5 },
      ],
    });
    expect(text).toMatch(/peer\s+10\.0\s+100\.0\s+-\s+-\s+0\.25x/);
  });
});
