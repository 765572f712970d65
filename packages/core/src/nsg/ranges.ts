// Address and port sets as sorted, disjoint, half-open ranges [lo, end). Compile time only: IPv4 and ports use
// numbers (end up to 2^32), IPv6 uses bigint (end up to 2^128). The classifier is built from these.
import { formatIpv4Cidr, formatIpv6Cidr, parseCidr } from '../addr/index.js';

export type Range<T extends number | bigint> = [lo: T, end: T];

export const V4_END = 2 ** 32;
export const V6_END = 1n << 128n;

function cmp<T extends number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts and unions ranges (touching ranges merge). */
export function mergeRanges<T extends number | bigint>(ranges: ReadonlyArray<Range<T>>): Range<T>[] {
  const sorted = ranges.map((r) => [r[0], r[1]] as Range<T>).sort((a, b) => cmp(a[0], b[0]));
  const out: Range<T>[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push(r);
  }
  return out;
}

/** `base` minus `minus`; both merged (sorted, disjoint). */
export function subtractRanges<T extends number | bigint>(base: ReadonlyArray<Range<T>>, minus: ReadonlyArray<Range<T>>): Range<T>[] {
  const out: Range<T>[] = [];
  let j = 0;
  for (const [lo0, end] of base) {
    let lo = lo0;
    while (j < minus.length && minus[j]![1] <= lo) j++;
    let k = j;
    while (lo < end && k < minus.length && minus[k]![0] < end) {
      const m = minus[k]!;
      if (m[0] > lo) out.push([lo, m[0]]);
      if (m[1] > lo) lo = m[1];
      k++;
    }
    if (lo < end) out.push([lo, end]);
  }
  return out;
}

/** A prefix (or bare address) text -> one range of its family. Throws AddressError on bad text. */
export function cidrRange(text: string): { family: 4; range: Range<number> } | { family: 6; range: Range<bigint> } {
  const c = parseCidr(text, true);
  if (c.family === 4) return { family: 4, range: [c.prefix, c.prefix + 2 ** (32 - c.length)] };
  const lo = words6ToBig(c.words);
  return { family: 6, range: [lo, lo + (1n << BigInt(128 - c.length))] };
}

export function words6ToBig(w: ArrayLike<number>): bigint {
  return (BigInt(w[0]! >>> 0) << 96n) | (BigInt(w[1]! >>> 0) << 64n) | (BigInt(w[2]! >>> 0) << 32n) | BigInt(w[3]! >>> 0);
}

export function bigToWords6(v: bigint, out: Uint32Array = new Uint32Array(4), off = 0): Uint32Array {
  out[off] = Number((v >> 96n) & 0xffffffffn);
  out[off + 1] = Number((v >> 64n) & 0xffffffffn);
  out[off + 2] = Number((v >> 32n) & 0xffffffffn);
  out[off + 3] = Number(v & 0xffffffffn);
  return out;
}

/** Minimal CIDR cover of IPv4 ranges (for display: effective security rules). */
export function rangesToCidrs4(ranges: ReadonlyArray<Range<number>>): string[] {
  const out: string[] = [];
  for (const [lo0, end] of ranges) {
    let lo = lo0;
    while (lo < end) {
      let len = 32;
      // Grow the block while it stays aligned at lo and inside [lo, end).
      while (len > 0) {
        const size = 2 ** (32 - len + 1);
        if (lo % size !== 0 || lo + size > end) break;
        len--;
      }
      out.push(formatIpv4Cidr(lo, len));
      lo += 2 ** (32 - len);
    }
  }
  return out;
}

/** Minimal CIDR cover of IPv6 ranges. */
export function rangesToCidrs6(ranges: ReadonlyArray<Range<bigint>>): string[] {
  const out: string[] = [];
  for (const [lo0, end] of ranges) {
    let lo = lo0;
    while (lo < end) {
      let len = 128;
      while (len > 0) {
        const size = 1n << BigInt(128 - len + 1);
        if (lo % size !== 0n || lo + size > end) break;
        len--;
      }
      out.push(formatIpv6Cidr(bigToWords6(lo), len));
      lo += 1n << BigInt(128 - len);
    }
  }
  return out;
}
