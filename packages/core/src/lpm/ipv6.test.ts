import { describe, expect, it } from 'vitest';
import { maskIpv6InPlace, parseIpv6, parseIpv6Cidr } from '../addr/index.js';
import { compileIpv6, compileIpv6Popcount, IPV6_BATCH_BLOCK, Ipv6PopcountTable, Ipv6Trie, LpmArgumentError, LpmCapacityError } from './index.js';

const w6 = parseIpv6;
const cidr = (t: Ipv6Trie, text: string, value: number): void => {
  const c = parseIpv6Cidr(text);
  t.insert(c.words, c.length, value);
};
/**
 * The default layout (popcount), the direct/run-list layout, and that layout with every node direct and with every
 * node (but the root) a run list.
 */
const layouts = (t: Ipv6Trie) => [
  t.compile(),
  compileIpv6(t),
  compileIpv6(t, { denseRuns8: 0, denseRuns16: 0 }),
  compileIpv6(t, { denseRuns8: 256, denseRuns16: 65536 }),
];
const lookupBoth = (t: Ipv6Trie, w: Uint32Array): number[] => {
  const out = new Int32Array(1);
  const got = layouts(t).flatMap((c) => {
    c.lookupBatch(w, out);
    return [c.lookup(w[0]!, w[1]!, w[2]!, w[3]!), out[0]!];
  });
  return [...got, t.longestMatch(w[0]!, w[1]!, w[2]!, w[3]!)];
};
const expectLookup = (t: Ipv6Trie, addr: string | Uint32Array, value: number): void => {
  const w = typeof addr === 'string' ? w6(addr) : addr;
  expect(lookupBoth(t, w), String(addr)).toEqual(Array(9).fill(value));
};
/** First and last address of words/len, and their outside neighbours (or undefined at the ends of the space). */
const edges = (words: Uint32Array, len: number) => {
  const first = maskIpv6InPlace(Uint32Array.from(words), len);
  const big = (w: Uint32Array) => w.reduce((acc, x) => (acc << 32n) | BigInt(x), 0n);
  const words4 = (b: bigint) => Uint32Array.from([3, 2, 1, 0].map((i) => Number((b >> BigInt(32 * i)) & 0xffffffffn)));
  const lo = big(first);
  const hi = lo + (1n << BigInt(128 - len)) - 1n;
  const max = (1n << 128n) - 1n;
  return { first: words4(lo), last: words4(hi), before: lo > 0n ? words4(lo - 1n) : undefined, after: hi < max ? words4(hi + 1n) : undefined };
};

describe('Ipv6Trie and its compiled table (rte_lpm checklist)', () => {
  it('an empty table matches nothing', () => {
    const t = new Ipv6Trie();
    expectLookup(t, '::', -1);
    expectLookup(t, '2001:db8::1', -1);
    expectLookup(t, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', -1);
  });

  it('::/0 matches every address; /64 and /128 only their own', () => {
    const t = new Ipv6Trie();
    cidr(t, '::/0', 1);
    cidr(t, '2001:db8:1:2::/64', 2);
    cidr(t, '2001:db8:1:2::7/128', 3);
    expectLookup(t, '::', 1);
    expectLookup(t, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 1);
    expectLookup(t, '2001:db8:1:2:ffff:ffff:ffff:ffff', 2);
    expectLookup(t, '2001:db8:1:3::', 1);
    expectLookup(t, '2001:db8:1:2::7', 3);
    expectLookup(t, '2001:db8:1:2::6', 2);
    expectLookup(t, '2001:db8:1:2::8', 2);
  });

  // Layout: a 16-bit direct root, a 16-bit level (bits 16..32), then 8-bit strides (32, 40, ... 120); each node
  // below the root is direct or a run list (multibit), or bitmap-compressed in groups of 32 slots (popcount).
  for (const len of [1, 8, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 49, 56, 63, 64, 65, 96, 97, 119, 120, 121, 127, 128]) {
    it(`a /${len} covers exactly its range, around every stride boundary`, () => {
      const t = new Ipv6Trie();
      const words = maskIpv6InPlace(w6('2001:db8:aaaa:5555:8001:ffff:8000:ff7f'), len);
      t.insert(words, len, 9);
      const e = edges(words, len);
      expectLookup(t, e.first, 9);
      expectLookup(t, e.last, 9);
      if (e.before) expectLookup(t, e.before, -1);
      if (e.after) expectLookup(t, e.after, -1);
      expect(t.get(words, len)).toBe(9);
    });
  }

  it('more specific beats less specific at every length from /0 to /128; deletes restore the covering route', () => {
    const t = new Ipv6Trie();
    const addr = w6('2a01:111:f400:7c00:9d3e:14b2:c0a8:1fe1');
    for (let len = 0; len <= 128; len++) t.insert(maskIpv6InPlace(Uint32Array.from(addr), len), len, len);
    expect(t.size).toBe(129);
    const out = new Int32Array(1);
    for (let len = 128; len >= 0; len--) {
      const c = t.compile();
      c.lookupBatch(addr, out);
      expect([c.lookup(addr[0]!, addr[1]!, addr[2]!, addr[3]!), out[0]]).toEqual([len, len]);
      expect(t.delete(maskIpv6InPlace(Uint32Array.from(addr), len), len)).toBe(true);
    }
    expectLookup(t, addr, -1);
    expect(t.size).toBe(0);
  });

  it('delete, overwrite and snapshots behave as for IPv4', () => {
    const t = new Ipv6Trie();
    cidr(t, '2001:db8::/32', 1);
    cidr(t, '2001:db8:1::/48', 2);
    const snap = t.compile();
    cidr(t, '2001:db8:1::/48', 3);
    expect(t.size).toBe(2);
    expectLookup(t, '2001:db8:1::5', 3);
    expect(t.delete(w6('2001:db8:1::'), 48)).toBe(true);
    expect(t.delete(w6('2001:db8:1::'), 48)).toBe(false);
    expect(t.delete(w6('2001:db9::'), 32)).toBe(false);
    expectLookup(t, '2001:db8:1::5', 1);
    expect(snap.lookup(...(Array.from(w6('2001:db8:1::5')) as [number, number, number, number]))).toBe(2);
  });

  it('sparse and dense stride nodes: many siblings under one /32 (dense) and few (sparse)', () => {
    const t = new Ipv6Trie();
    for (let i = 0; i < 200; i++) t.insert(Uint32Array.of(0x20010db8, (i << 24) >>> 0, 0, 0), 40, i); // dense node
    t.insert(Uint32Array.of(0x20010db9, 0x00120000, 0, 0), 48, 500); // sparse chain
    t.insert(Uint32Array.of(0x20010db9, 0, 0, 0), 32, 501);
    for (let i = 0; i < 256; i += 37) expectLookup(t, Uint32Array.of(0x20010db8, (i << 24) >>> 0 | 5, 1, 1), i < 200 ? i : -1);
    expectLookup(t, '2001:db9:12::1', 500);
    expectLookup(t, '2001:db9:13::1', 501);
    expectLookup(t, '2001:db9:11:ffff::1', 501);
  });

  it('walk and entries list every prefix with its words, length and value', () => {
    const t = new Ipv6Trie();
    cidr(t, '2001:db8:1::/48', 2);
    cidr(t, '::/0', 0);
    cidr(t, '2001:db8::/32', 1);
    const seen = [...t.entries()].map(([w, l, v]) => [Array.from(w), l, v]);
    expect(seen).toEqual([
      [[0, 0, 0, 0], 0, 0],
      [Array.from(w6('2001:db8::')), 32, 1],
      [Array.from(w6('2001:db8:1::')), 48, 2],
    ]);
  });

  it('R-ADDR-1: a prefix with host bits set is rejected with its canonical form; bad arguments throw', () => {
    const t = new Ipv6Trie();
    expect(() => t.insert(w6('2001:db8::1'), 64, 1)).toThrow('did you mean 2001:db8::/64?');
    expect(() => t.insert(w6('2001:db8::'), 129, 1)).toThrow(LpmArgumentError);
    expect(() => t.insert([1, 2, 3], 0, 1)).toThrow(/expected 4 uint32 words/);
    expect(() => t.insert([0, 0, 0, -1], 128, 1)).toThrow(/word 3/);
    expect(() => t.insert([0, 0, 0, 0], 0, -3)).toThrow(LpmArgumentError);
    expect(t.size).toBe(0);
    const c = t.compile();
    expect(() => c.lookupBatch(new Uint32Array(8), new Int32Array(1))).toThrow(LpmArgumentError);
    expect(() => c.lookupBatch(new Uint32Array(7), new Int32Array(2), 2)).toThrow(LpmArgumentError);
  });

  it('capacity exhaustion is a named error and leaves the trie unchanged', () => {
    const t = new Ipv6Trie({ maxNodes: 1 + 64 });
    cidr(t, '2001:db8:1:2::/64', 1);
    expect(() => cidr(t, '2001:db8:1:3::/64', 2)).toThrow(LpmCapacityError);
    expect(t.size).toBe(1);
    expect(t.delete(w6('2001:db8:1:2::'), 64)).toBe(true);
    cidr(t, '2001:db8:1:3::/64', 2);
    expectLookup(t, '2001:db8:1:3::1', 2);
  });
});

describe('Ipv6PopcountTable (the default compiled layout)', () => {
  /** Every address of `addrs` looked up by lookupBatch, lookup and the builder; all three must agree. */
  const agree = (t: Ipv6Trie, addrs: Uint32Array): Int32Array => {
    const c = t.compile();
    expect(c).toBeInstanceOf(Ipv6PopcountTable);
    const n = addrs.length / 4;
    const out = new Int32Array(n);
    c.lookupBatch(addrs, out);
    for (let i = 0; i < n; i++) {
      const [a, b, x, y] = addrs.subarray(4 * i, 4 * i + 4) as unknown as [number, number, number, number];
      const want = t.longestMatch(a, b, x, y);
      expect([out[i], c.lookup(a, b, x, y)], `address ${i}`).toEqual([want, want]);
    }
    return out;
  };

  it('run starts on both sides of every 32-slot group edge of the bits 16..32 level', () => {
    const t = new Ipv6Trie();
    // /32s at slots 31, 32, 63, 64 and 65535 of 2001::/16 (group edges), and a /17 covering the upper half.
    for (const [slot, v] of [[31, 1], [32, 2], [63, 3], [64, 4], [65535, 5]] as const) t.insert([(0x20010000 | slot) >>> 0, 0, 0, 0], 32, v);
    t.insert([0x20018000, 0, 0, 0], 17, 6);
    const slots = [0, 30, 31, 32, 33, 62, 63, 64, 65, 32767, 32768, 65534, 65535];
    agree(t, Uint32Array.from(slots.flatMap((s) => [(0x20010000 | s) >>> 0, 0x12345678, 0, 1])));
  });

  it('a byte node with a run at every slot (per-group counts up to 224) and one with runs at group edges only', () => {
    const t = new Ipv6Trie();
    for (let b = 0; b < 256; b += 2) t.insert([0x20010db8, (b << 24) >>> 0, 0, 0], 40, b); // 256 runs: b and the gap after it
    for (const b of [0, 31, 32, 95, 96, 224, 255]) t.insert([0x20010db9, 0x00ab0000 | (b << 8), 0, 0], 56, 1000 + b);
    const a: number[] = [];
    for (let b = 0; b < 256; b++) a.push(0x20010db8, ((b << 24) | 0xabcdef) >>> 0, 7, 7);
    for (let b = 0; b < 256; b++) a.push(0x20010db9, 0x00ab0000 | (b << 8) | 0x42, 0, 0);
    const out = agree(t, Uint32Array.from(a));
    expect(out[254]).toBe(254);
    expect(out[255]).toBe(-1);
    expect(out[256 + 224]).toBe(1224);
  });

  it('lookupBatch over blocks: counts that are not a multiple of the block, count below the array, deep and shallow mixed', () => {
    const t = new Ipv6Trie();
    const addr = parseIpv6('2a01:111:f400:7c00:9d3e:14b2:c0a8:1fe1');
    for (let len = 0; len <= 128; len += 8) t.insert(maskIpv6InPlace(Uint32Array.from(addr), len), len, len);
    const n = 3 * IPV6_BATCH_BLOCK + 5;
    const a = new Uint32Array(4 * n);
    for (let i = 0; i < n; i++) {
      a.set(addr, 4 * i);
      // Address i leaves the chain after (i % 17) bytes: the block's addresses resolve at different levels.
      const cut = (i % 17) * 8;
      if (cut < 128) a[4 * i + (cut >>> 5)] = (a[4 * i + (cut >>> 5)]! ^ (0x80000000 >>> (cut & 31))) >>> 0;
    }
    const full = agree(t, a);
    const c = t.compile();
    const out = new Int32Array(n).fill(-7);
    c.lookupBatch(a, out, n - 2);
    expect(Array.from(out.subarray(0, n - 2))).toEqual(Array.from(full.subarray(0, n - 2)));
    expect(Array.from(out.subarray(n - 2))).toEqual([-7, -7]);
    expect(new Set(full).size).toBe(17);
  });

  it('compileIpv6Popcount is pure: later changes to the trie do not reach a compiled table', () => {
    const t = new Ipv6Trie();
    t.insert(parseIpv6('2001:db8::'), 32, 1);
    const c = compileIpv6Popcount(t);
    t.insert(parseIpv6('2001:db8:1::'), 48, 2);
    expect(c.lookup(...(Array.from(parseIpv6('2001:db8:1::5')) as [number, number, number, number]))).toBe(1);
  });
});
