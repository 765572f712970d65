import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIpv4, maskIpv6InPlace } from '../addr/index.js';
import { compileIpv4Multibit, compileIpv4Packed, compileIpv4Popcount, compileIpv4Ranges, compileIpv6, Ipv4Trie, Ipv6Trie } from './index.js';
import { RefV4, RefV6, rng } from './reference.test-util.js';

// Random nested tables: every prefix is a few random "seed" addresses cut at a random length, so prefixes nest and
// share paths; operations insert (often overwriting) and delete.
const opV4 = fc.record({
  del: fc.nat(9).map((x) => x < 3),
  seed: fc.nat(5),
  length: fc.nat(32),
  value: fc.nat(40),
});

function checkV4(trie: Ipv4Trie, ref: RefV4, seeds: number[], rand: () => number): void {
  const addrs: number[] = [];
  for (let i = 0; i < 1500; i++) addrs.push(rand());
  for (let i = 0; i < 1500; i++) {
    const s = seeds[i % seeds.length]!;
    const flip = rand() >>> (rand() & 31); // random low bits
    addrs.push((s ^ flip) >>> 0);
  }
  trie.walk((p, l) => {
    const last = (p + 2 ** (32 - l) - 1) >>> 0;
    addrs.push(p, last, (p - 1) >>> 0, (last + 1) >>> 0);
  });
  const input = Uint32Array.from(addrs);
  const expected = Int32Array.from(addrs, (a) => ref.lookup(a));
  for (const c of [trie.compile(), compileIpv4Multibit(trie, '20-4-8'), compileIpv4Popcount(trie), compileIpv4Packed(trie), compileIpv4Ranges(trie, 18)]) {
    const out = new Int32Array(input.length);
    c.lookupBatch(input, out);
    expect(out).toEqual(expected);
    for (let i = 0; i < input.length; i += 7) expect(c.lookup(input[i]!)).toBe(expected[i]);
  }
  for (let i = 0; i < input.length; i += 11) expect(trie.longestMatch(input[i]!)).toBe(expected[i]);
}

describe('LPM against a naive per-length Map reference (fast-check)', () => {
  it('IPv4: random nested tables with inserts, overwrites and deletes; snapshots unchanged by later mutations', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), fc.array(opV4, { maxLength: 120 }), fc.nat(), (rawSeeds, ops, seed) => {
        const seeds = rawSeeds.map((s) => (s * 2654435761) >>> 0);
        const rand = rng(seed);
        const trie = new Ipv4Trie();
        const ref = new RefV4();
        const half = ops.length >>> 1;
        let snap: ReturnType<Ipv4Trie['compile']> | undefined;
        let snapAddrs = new Uint32Array(0);
        let snapExpected = new Int32Array(0);
        ops.forEach((op, i) => {
          const prefix = (seeds[op.seed]! & maskIpv4(op.length)) >>> 0;
          if (op.del) expect(trie.delete(prefix, op.length)).toBe(ref.delete(prefix, op.length));
          else {
            trie.insert(prefix, op.length, op.value);
            ref.set(prefix, op.length, op.value);
          }
          expect(trie.size).toBe(ref.size);
          expect(trie.get(prefix, op.length)).toBe(ref.maps[op.length]!.get(prefix) ?? -1);
          if (i === half) {
            snap = trie.compile();
            snapAddrs = Uint32Array.from({ length: 500 }, (_, k) => (k & 1 ? rand() : seeds[k % 6]! ^ (rand() >>> 20)) >>> 0);
            snapExpected = Int32Array.from(snapAddrs, (a) => ref.lookup(a));
          }
        });
        checkV4(trie, ref, seeds, rand);
        if (snap) {
          const out = new Int32Array(snapAddrs.length);
          snap.lookupBatch(snapAddrs, out);
          expect(out).toEqual(snapExpected);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('IPv6: random nested tables with inserts, overwrites and deletes; snapshots unchanged by later mutations', () => {
    const opV6 = fc.record({ del: fc.nat(9).map((x) => x < 3), seed: fc.nat(3), length: fc.nat(128), value: fc.nat(40) });
    fc.assert(
      fc.property(fc.nat(), fc.array(opV6, { maxLength: 100 }), (seed, ops) => {
        const rand = rng(seed);
        // Seeds share their top bits often (like real allocations under 2000::/3) to build deep shared paths.
        const seeds = Array.from({ length: 4 }, (_, i) =>
          Uint32Array.of(i < 2 ? 0x20010db8 : rand(), i === 1 ? 0x00010000 : rand(), rand(), rand()),
        );
        const trie = new Ipv6Trie();
        const ref = new RefV6();
        const half = ops.length >>> 1;
        let snap: ReturnType<Ipv6Trie['compile']> | undefined;
        let snapAddrs = new Uint32Array(0);
        let snapExpected = new Int32Array(0);
        const addrsNear = (n: number): Uint32Array<ArrayBuffer> => {
          const a = new Uint32Array(4 * n);
          for (let i = 0; i < n; i++) {
            if (i % 4 === 3) for (let k = 0; k < 4; k++) a[4 * i + k] = rand();
            else {
              const s = seeds[i % 4]!;
              const cut = rand() % 129; // keep the first `cut` bits of a seed, randomize the rest
              for (let k = 0; k < 4; k++) {
                const bits = cut - 32 * k;
                const keep = bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
                a[4 * i + k] = ((s[k]! & keep) | (rand() & ~keep)) >>> 0;
              }
            }
          }
          return a;
        };
        const expectedOf = (a: Uint32Array) => Int32Array.from({ length: a.length / 4 }, (_, i) => ref.lookup(a.subarray(4 * i, 4 * i + 4)));
        ops.forEach((op, i) => {
          const w = maskIpv6InPlace(Uint32Array.from(seeds[op.seed]!), op.length);
          if (op.del) expect(trie.delete(w, op.length)).toBe(ref.delete(w, op.length));
          else {
            trie.insert(w, op.length, op.value);
            ref.set(w, op.length, op.value);
          }
          if (i === half) {
            snap = trie.compile();
            snapAddrs = addrsNear(300);
            snapExpected = expectedOf(snapAddrs);
          }
        });
        const addrs = addrsNear(2000);
        const expected = expectedOf(addrs);
        const out = new Int32Array(addrs.length / 4);
        for (const other of [compileIpv6(trie), compileIpv6(trie, { denseRuns8: 0, denseRuns16: 0 }), compileIpv6(trie, { denseRuns8: 256, denseRuns16: 65536 })]) {
          other.lookupBatch(addrs, out);
          expect(out).toEqual(expected);
        }
        const c = trie.compile();
        c.lookupBatch(addrs, out);
        expect(out).toEqual(expected);
        for (let i = 0; i < out.length; i += 5) {
          const [a, b, x, y] = addrs.subarray(4 * i, 4 * i + 4);
          expect(c.lookup(a!, b!, x!, y!)).toBe(expected[i]);
          expect(trie.longestMatch(a!, b!, x!, y!)).toBe(expected[i]);
        }
        if (snap) {
          const o = new Int32Array(snapAddrs.length / 4);
          snap.lookupBatch(snapAddrs, o);
          expect(o).toEqual(snapExpected);
        }
      }),
      { numRuns: 60 },
    );
  });
});
