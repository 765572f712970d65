// Prefix tables and destination streams for the lpm suite: synthetic (seeded, BGP-like length mix) and the real
// table from ../shared/data. Tables are parallel typed arrays; value of prefix i is i.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseIpv4Cidr, parseIpv6Cidr } from '@vnetsim/core';
import { Rng } from './rng.js';

export interface Ipv4Table {
  prefixes: Uint32Array;
  lengths: Uint8Array;
  values: Int32Array;
  count: number;
}

export interface Ipv6Table {
  /** 4 words per prefix, most significant first. */
  words: Uint32Array;
  lengths: Uint8Array;
  values: Int32Array;
  count: number;
}

/**
 * Share of prefixes per length (percent), modelled on a full BGP table (the real iprbench table has /24 59.6%,
 * /22-/23 22.7%, /16-/21 17.1%, /8-/15 0.5%, /25-/32 0.1%); the brief's mix: /24 60, /22-/23 15, /16-/21 20,
 * /8-/15 1.5, /25-/32 3.5.
 */
export const BGP_LENGTH_MIX: ReadonlyArray<readonly [length: number, percent: number]> = [
  [8, 0.05], [9, 0.05], [10, 0.1], [11, 0.1], [12, 0.15], [13, 0.2], [14, 0.35], [15, 0.5],
  [16, 4], [17, 2], [18, 2.5], [19, 3], [20, 4], [21, 4.5], [22, 8], [23, 7], [24, 60],
  [25, 0.3], [26, 0.3], [27, 0.3], [28, 0.3], [29, 0.3], [30, 0.3], [31, 0.2], [32, 1.5],
];

export function describeMix(): string {
  return BGP_LENGTH_MIX.map(([l, p]) => `/${l} ${p}%`).join(', ');
}

function mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/**
 * `count` distinct IPv4 prefixes with the BGP length mix, in unicast space (1.0.0.0-223.255.255.255). About a third
 * are placed inside an earlier, shorter prefix so that the table nests like a real one (more-specifics of
 * allocations). Deterministic for a seed.
 */
export function syntheticIpv4(count: number, seed: number): Ipv4Table {
  const rng = new Rng(seed);
  const cum = new Float64Array(BGP_LENGTH_MIX.length);
  let total = 0;
  BGP_LENGTH_MIX.forEach(([, p], i) => (cum[i] = total += p));
  const prefixes = new Uint32Array(count);
  const lengths = new Uint8Array(count);
  const seen = new Set<number>(); // key: prefix * 64 + length, exact as a double
  let n = 0;
  while (n < count) {
    const r = rng.float() * total;
    let k = 0;
    while (cum[k] <= r) k++;
    const len = BGP_LENGTH_MIX[k][0];
    let addr: number;
    if (n > 0 && rng.float() < 0.35) {
      // Nest inside an earlier shorter prefix when the pick allows it; else fall back to anywhere.
      const j = rng.below(n);
      addr = lengths[j] < len ? ((prefixes[j] & mask(lengths[j])) | (rng.u32() & ~mask(lengths[j]))) >>> 0 : rng.u32();
    } else {
      addr = rng.u32();
    }
    const first = addr >>> 24;
    if (first === 0 || first >= 224 || first === 127) continue;
    const p = (addr & mask(len)) >>> 0;
    const key = p * 64 + len;
    if (seen.has(key)) continue;
    seen.add(key);
    prefixes[n] = p;
    lengths[n] = len;
    n++;
  }
  return { prefixes, lengths, values: iota(count), count };
}

function iota(n: number): Int32Array {
  const v = new Int32Array(n);
  for (let i = 0; i < n; i++) v[i] = i;
  return v;
}

/** The real table (one CIDR per line, IPv4 then IPv6), parsed with core's parsers. */
export function loadRealTable(path: string): { v4: Ipv4Table; v6: Ipv6Table } {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const v4p: number[] = [];
  const v4l: number[] = [];
  const v6w: number[] = [];
  const v6l: number[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.includes(':')) {
      const c = parseIpv6Cidr(line);
      v6w.push(c.words[0], c.words[1], c.words[2], c.words[3]);
      v6l.push(c.length);
    } else {
      const c = parseIpv4Cidr(line);
      v4p.push(c.prefix);
      v4l.push(c.length);
    }
  }
  return {
    v4: { prefixes: Uint32Array.from(v4p), lengths: Uint8Array.from(v4l), values: iota(v4p.length), count: v4p.length },
    v6: { words: Uint32Array.from(v6w), lengths: Uint8Array.from(v6l), values: iota(v6l.length), count: v6l.length },
  };
}

export type StreamKind = 'uniform' | 'hot' | 'inside';
export const STREAM_DESCRIPTIONS: Record<StreamKind, string> = {
  uniform: 'uniform random destinations',
  hot: '90% of lookups inside 1% of the prefixes (random hosts), 10% uniform random',
  inside: 'every destination inside a table prefix drawn uniformly (random host bits)',
};

/** `n` IPv4 destinations of the given kind. */
export function ipv4Stream(kind: StreamKind, table: Ipv4Table, n: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const out = new Uint32Array(n);
  const hot = Math.max(1, Math.floor(table.count / 100));
  const hotSet = new Uint32Array(hot);
  for (let i = 0; i < hot; i++) hotSet[i] = rng.below(table.count);
  for (let i = 0; i < n; i++) {
    let j = -1;
    if (kind === 'inside') j = rng.below(table.count);
    else if (kind === 'hot' && rng.float() < 0.9) j = hotSet[rng.below(hot)];
    if (j < 0) out[i] = rng.u32();
    else {
      const m = mask(table.lengths[j]);
      out[i] = ((table.prefixes[j] & m) | (rng.u32() & ~m)) >>> 0;
    }
  }
  return out;
}

/**
 * `n` IPv6 destinations (4 words each). "uniform" is uniform over global unicast 2000::/3 (uniform over all of
 * 2^128 would miss every prefix).
 */
export function ipv6Stream(kind: StreamKind, table: Ipv6Table, n: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const out = new Uint32Array(n * 4);
  const hot = Math.max(1, Math.floor(table.count / 100));
  const hotSet = new Uint32Array(hot);
  for (let i = 0; i < hot; i++) hotSet[i] = rng.below(table.count);
  for (let i = 0; i < n; i++) {
    let j = -1;
    if (kind === 'inside') j = rng.below(table.count);
    else if (kind === 'hot' && rng.float() < 0.9) j = hotSet[rng.below(hot)];
    if (j < 0) {
      out[i * 4] = ((rng.u32() & 0x1fffffff) | 0x20000000) >>> 0;
      for (let w = 1; w < 4; w++) out[i * 4 + w] = rng.u32();
    } else {
      const len = table.lengths[j];
      for (let w = 0; w < 4; w++) {
        const bits = Math.min(32, Math.max(0, len - w * 32));
        const m = mask(bits);
        out[i * 4 + w] = ((table.words[j * 4 + w] & m) | (rng.u32() & ~m)) >>> 0;
      }
    }
  }
  return out;
}
