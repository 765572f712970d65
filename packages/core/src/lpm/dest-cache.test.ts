import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIpv4 } from '../addr/index.js';
import {
  compileIpv4Multibit, compileIpv4Packed, compileIpv4Popcount, compileIpv4Ranges, DEST_CACHE_MIN_BITS, Ipv4DestinationCache, Ipv4Trie,
  LpmArgumentError,
} from './index.js';
import type { CompiledIpv4Trie } from './index.js';
import { RefV4, rng } from './reference.test-util.js';

const layouts = (t: Ipv4Trie): CompiledIpv4Trie[] => [
  t.compile(), compileIpv4Multibit(t, '20-4-8'), compileIpv4Popcount(t), compileIpv4Packed(t), compileIpv4Ranges(t, 18),
];

/** Addresses whose slots collide in a cache of `bits`: `n` addresses that all map to the slot of `addr`. */
function collidingWith(cache: Ipv4DestinationCache, addr: number, n: number): number[] {
  const slot = cache.slotOf(addr);
  const found: number[] = [];
  for (let a = (addr + 1) >>> 0; found.length < n; a = (a + 1) >>> 0) if (cache.slotOf(a) === slot) found.push(a);
  return found;
}

describe('Ipv4DestinationCache: an exact-match cache in front of a compiled table', () => {
  it('answers like the wrapped table and the reference on random nested tables and streams with repeats (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
        fc.array(fc.record({ seed: fc.nat(4), length: fc.nat(32), value: fc.nat(30) }), { maxLength: 80 }),
        fc.nat(),
        fc.constantFrom(DEST_CACHE_MIN_BITS, 12),
        (rawSeeds, inserts, seed, bits) => {
          const seeds = rawSeeds.map((s) => (s * 2654435761) >>> 0);
          const trie = new Ipv4Trie();
          const ref = new RefV4();
          for (const op of inserts) {
            const prefix = (seeds[op.seed]! & maskIpv4(op.length)) >>> 0;
            trie.insert(prefix, op.length, op.value);
            ref.set(prefix, op.length, op.value);
          }
          // A stream with repeats: a small pool of addresses near the seeds and random ones, drawn with replacement,
          // plus the pool's slot-mates in a small cache so that hits, misses and evictions all happen.
          const rand = rng(seed);
          const pool: number[] = [0, 1, 0xffffffff];
          for (let i = 0; i < 300; i++) {
            pool.push(i % 3 === 0 ? rand() : (seeds[i % 5]! ^ (rand() >>> (rand() & 31))) >>> 0);
          }
          const stream = new Uint32Array(4000);
          for (let i = 0; i < stream.length; i++) stream[i] = pool[rand() % pool.length]!;
          const expected = Int32Array.from(stream, (a) => ref.lookup(a));
          for (const inner of layouts(trie)) {
            const single = new Ipv4DestinationCache(inner, { bits });
            for (let i = 0; i < stream.length; i++) {
              const a = stream[i]!;
              const v = single.lookup(a);
              if (v !== expected[i] || v !== inner.lookup(a)) expect([a, v]).toEqual([a, expected[i]]);
            }
            expect(single.hits + single.misses).toBe(stream.length);
            expect(single.hits).toBeGreaterThan(0);
            // Batches in pieces: a warm cache carries over between calls and count is honoured.
            const batched = new Ipv4DestinationCache(inner, { bits });
            const out = new Int32Array(stream.length).fill(-7);
            batched.lookupBatch(stream, out, 1000);
            expect(out[1000]).toBe(-7);
            batched.lookupBatch(stream.subarray(1000), out.subarray(1000));
            expect(out).toEqual(expected);
            // Same sequence of lookups, same cache: identical counters whether single or batched.
            expect([batched.hits, batched.misses]).toEqual([single.hits, single.misses]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('counts a first lookup as a miss and a repeat as a hit; hits + misses = lookups; clear() empties both', () => {
    const t = new Ipv4Trie();
    t.insert(0x0a000000, 8, 3);
    const c = new Ipv4DestinationCache(t.compile(), { bits: 10 });
    expect(c.lookup(0x0a010203)).toBe(3);
    expect([c.hits, c.misses]).toEqual([0, 1]);
    expect(c.lookup(0x0a010203)).toBe(3);
    expect([c.hits, c.misses]).toEqual([1, 1]);
    const addrs = Uint32Array.of(0x0a010203, 0x0b000000, 0x0b000000, 0x0a010203);
    const out = new Int32Array(4);
    c.lookupBatch(addrs, out);
    expect(Array.from(out)).toEqual([3, -1, -1, 3]);
    expect([c.hits, c.misses]).toEqual([4, 2]);
    c.clear();
    expect([c.hits, c.misses]).toEqual([0, 0]);
    expect(c.lookup(0x0a010203)).toBe(3);
    expect([c.hits, c.misses]).toEqual([0, 1]);
  });

  it('empty slots never answer: addresses 0 and 1 (the empty markers) miss on a fresh cache and get their own value', () => {
    const t = new Ipv4Trie();
    t.insert(0, 32, 5); // 0.0.0.0/32
    t.insert(0, 31, 6); // 0.0.0.1 falls under the /31 only
    for (const bits of [DEST_CACHE_MIN_BITS, 14, 20]) {
      const c = new Ipv4DestinationCache(t.compile(), { bits });
      expect(c.lookup(0)).toBe(5);
      expect(c.lookup(1)).toBe(6);
      expect(c.lookup(2)).toBe(-1);
      expect(c.misses).toBe(3);
      const out = new Int32Array(3);
      c.clear();
      c.lookupBatch(Uint32Array.of(1, 0, 1), out);
      expect(Array.from(out)).toEqual([6, 5, 6]);
      expect([c.hits, c.misses]).toEqual([1, 2]);
    }
  });

  it('addresses sharing a slot evict each other and every answer stays right', () => {
    const t = new Ipv4Trie();
    t.insert(0x0a000000, 8, 1);
    t.insert(0xc0a80000, 16, 2);
    t.insert(0xc0a80100, 24, 3);
    const inner = t.compile();
    const c = new Ipv4DestinationCache(inner, { bits: DEST_CACHE_MIN_BITS });
    const a = 0xc0a80105;
    const mates = collidingWith(c, a, 3);
    const addrs = Uint32Array.from([a, ...mates, a, a, mates[0]!, mates[0]!, a]);
    const out = new Int32Array(addrs.length);
    c.lookupBatch(addrs, out);
    expect(Array.from(out)).toEqual(Array.from(addrs, (x) => inner.lookup(x)));
    // a, 3 mates, a (evicted: miss), a (hit), mate (miss), mate (hit), a (miss)
    expect([c.hits, c.misses]).toEqual([2, 7]);
  });

  it('byteLength is the wrapped table plus 8 bytes a slot; bad sizes are rejected, not clamped', () => {
    const t = new Ipv4Trie();
    t.insert(0x0a000000, 8, 1);
    const inner = t.compile();
    const c = new Ipv4DestinationCache(inner, { bits: 12 });
    expect(c.entries).toBe(4096);
    expect(c.byteLength).toBe(inner.byteLength + 8 * 4096);
    expect(c.inner).toBe(inner);
    expect(new Ipv4DestinationCache(inner).entries).toBe(1 << 14);
    for (const bits of [8, 21, 12.5, Number.NaN]) {
      expect(() => new Ipv4DestinationCache(inner, { bits })).toThrow(LpmArgumentError);
    }
    expect(() => c.lookupBatch(new Uint32Array(2), new Int32Array(1))).toThrow(LpmArgumentError);
  });
});
