import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../addr/index.js';
import { compileIpv4Packed, Ipv4MultibitTable, Ipv4Trie, Ipv6PopcountTable, Ipv6Trie } from './index.js';
import { RefV4, rng } from './reference.test-util.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const file = path.resolve(ROOT, '../shared/data/routing-tables/iprbench_prefixes.txt.gz');

describe('the real table (reads ../shared/data/routing-tables/iprbench_prefixes.txt.gz)', () => {
  it.skipIf(!existsSync(file))('R-ADDR-1: every line parses; the whole IPv4 and IPv6 tables compile and agree with the references on random and in-prefix addresses', () => {
    const lines = gunzipSync(readFileSync(file)).toString('latin1').split('\n');
    const v4 = new Ipv4Trie();
    const v6 = new Ipv6Trie();
    const ref4 = new RefV4();
    const p4: number[] = [];
    const l4: number[] = [];
    const p6: Uint32Array[] = [];
    const l6: number[] = [];
    for (const line of lines) {
      const text = line.trim();
      if (text === '') continue;
      const c = parseCidr(text);
      // Value = insertion index, so that every prefix is distinguishable (the worst case for merging runs).
      if (c.family === 4) {
        v4.insert(c.prefix, c.length, p4.length);
        ref4.set(c.prefix, c.length, p4.length);
        p4.push(c.prefix);
        l4.push(c.length);
      } else {
        v6.insert(c.words, c.length, p6.length);
        p6.push(c.words);
        l6.push(c.length);
      }
    }
    expect(v4.size).toBe(901_899);
    expect(v6.size).toBe(160_147);
    const c4 = v4.compile();
    const c6 = v6.compile();
    // A full table gets the 20-4-8 layout, within a quarter of DIR-24-8's 64 MiB.
    expect(c4).toBeInstanceOf(Ipv4MultibitTable);
    expect(c4.byteLength).toBeLessThan(16 * 2 ** 20);
    // IPv6: the popcount layout, at most 64 bytes a prefix (issue 16; measured ~25).
    expect(c6).toBeInstanceOf(Ipv6PopcountTable);
    expect(c6.byteLength).toBeLessThanOrEqual(64 * 160_147);

    const rand = rng(20240601);
    // IPv4: 100k uniform random + 100k inside random prefixes (a random host of each).
    const n = 100_000;
    const a4 = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) a4[i] = rand();
    for (let i = 0; i < n; i++) {
      const k = rand() % p4.length;
      const host = l4[k] === 32 ? 0 : rand() >>> l4[k]!;
      a4[n + i] = (p4[k]! | host) >>> 0;
    }
    const out4 = new Int32Array(a4.length);
    c4.lookupBatch(a4, out4);
    let mismatches = 0;
    let matched = 0;
    for (let i = 0; i < a4.length; i++) {
      const want = v4.longestMatch(a4[i]!);
      if (out4[i] !== want || (i % 4 === 0 && ref4.lookup(a4[i]!) !== want)) mismatches++;
      if (want >= 0) matched++;
    }
    expect(mismatches).toBe(0);
    expect(matched).toBeGreaterThan(n); // the in-prefix half always matches
    for (let i = 0; i < a4.length; i += 97) expect(c4.lookup(a4[i]!)).toBe(out4[i]);
    // The packed layout: the same answers in at most 8 MiB (issue 16).
    const packed = compileIpv4Packed(v4);
    expect(packed.byteLength).toBeLessThanOrEqual(8 * 2 ** 20);
    const outPacked = new Int32Array(a4.length);
    packed.lookupBatch(a4, outPacked);
    expect(outPacked).toEqual(out4);
    for (let i = 0; i < a4.length; i += 97) expect(packed.lookup(a4[i]!)).toBe(out4[i]);

    // IPv6: 100k uniform random under 2000::/3 (where the table lives) + 100k inside random prefixes.
    const a6 = new Uint32Array(8 * n);
    for (let i = 0; i < n; i++) {
      a6[4 * i] = ((rand() & 0x1fffffff) | 0x20000000) >>> 0;
      for (let k = 1; k < 4; k++) a6[4 * i + k] = rand();
    }
    for (let i = 0; i < n; i++) {
      const k = rand() % p6.length;
      const w = p6[k]!;
      const len = l6[k]!;
      for (let j = 0; j < 4; j++) {
        const bits = len - 32 * j;
        const keep = bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        a6[4 * (n + i) + j] = (w[j]! | (rand() & ~keep)) >>> 0;
      }
    }
    const out6 = new Int32Array(2 * n);
    c6.lookupBatch(a6, out6);
    mismatches = 0;
    matched = 0;
    for (let i = 0; i < 2 * n; i++) {
      const want = v6.longestMatch(a6[4 * i]!, a6[4 * i + 1]!, a6[4 * i + 2]!, a6[4 * i + 3]!);
      if (out6[i] !== want) mismatches++;
      if (want >= 0) matched++;
    }
    expect(mismatches).toBe(0);
    expect(matched).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < 2 * n; i += 97) expect(c6.lookup(a6[4 * i]!, a6[4 * i + 1]!, a6[4 * i + 2]!, a6[4 * i + 3]!)).toBe(out6[i]);
  });
});
