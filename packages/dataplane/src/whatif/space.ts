// Address spaces as bigint intervals [lo, end): IPv4 in [0, 2^32), IPv6 in [0, 2^128). Compile-time code of what-if
// (classes are found once per source, not per packet), so bigint is fine here; packets get numbers and words.
import { formatIpv4Cidr, formatIpv6Cidr, parseCidr } from '@vnetsim/core';

export type Family = 4 | 6;
export type Interval = [lo: bigint, end: bigint];

export const SPACE_END: Record<Family, bigint> = { 4: 1n << 32n, 6: 1n << 128n };

/** The interval of a prefix (or bare address) text, with its family. */
export function prefixInterval(text: string): { family: Family; range: Interval } {
  const c = parseCidr(text, true);
  if (c.family === 4) {
    const lo = BigInt(c.prefix >>> 0);
    return { family: 4, range: [lo, lo + (1n << BigInt(32 - c.length))] };
  }
  const lo = wordsToBig(c.words);
  return { family: 6, range: [lo, lo + (1n << BigInt(128 - c.length))] };
}

export function wordsToBig(w: ArrayLike<number>): bigint {
  return (BigInt(w[0]! >>> 0) << 96n) | (BigInt(w[1]! >>> 0) << 64n) | (BigInt(w[2]! >>> 0) << 32n) | BigInt(w[3]! >>> 0);
}

export function bigToWords(v: bigint, out: Uint32Array, off = 0): void {
  out[off] = Number((v >> 96n) & 0xffffffffn);
  out[off + 1] = Number((v >> 64n) & 0xffffffffn);
  out[off + 2] = Number((v >> 32n) & 0xffffffffn);
  out[off + 3] = Number(v & 0xffffffffn);
}

/** Sorted, disjoint union of intervals (touching ones merge). */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Interval[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

/** Minimal list of canonical CIDRs covering exactly the (merged) intervals. */
export function intervalsToCidrs(family: Family, list: readonly Interval[]): string[] {
  const bits = family === 4 ? 32 : 128;
  const out: string[] = [];
  for (const [lo0, end] of list) {
    let lo = lo0;
    while (lo < end) {
      let len = bits;
      while (len > 0) {
        const size = 1n << BigInt(bits - len + 1);
        if (lo % size !== 0n || lo + size > end) break;
        len--;
      }
      if (family === 4) out.push(formatIpv4Cidr(Number(lo), len));
      else {
        const w = new Uint32Array(4);
        bigToWords(lo, w);
        out.push(formatIpv6Cidr(w, len));
      }
      lo += 1n << BigInt(bits - len);
    }
  }
  return out;
}

/** Total size of merged intervals. */
export function intervalsSize(list: readonly Interval[]): bigint {
  let n = 0n;
  for (const [lo, end] of list) n += end - lo;
  return n;
}

/** True when `inner` (merged) lies inside `outer` (merged). */
export function intervalsContain(outer: readonly Interval[], inner: readonly Interval[]): boolean {
  let j = 0;
  for (const [lo, end] of inner) {
    while (j < outer.length && outer[j]![1] <= lo) j++;
    const o = outer[j];
    if (o === undefined || o[0] > lo || o[1] < end) return false;
  }
  return true;
}

/**
 * Sorted unique cut points of a space: 0, every interval's ends inside the space, and the space's end. Consecutive
 * points bound the elementary classes: no interval given starts or ends inside one.
 */
export class Cuts {
  private readonly set = new Set<bigint>();
  /** IPv4 points as numbers (exact below 2^53): no bigint per prefix on the common path. */
  private readonly nums: number[] = [];
  constructor(readonly family: Family) {
    if (family === 4) this.nums.push(0, 2 ** 32);
    else (this.set.add(0n), this.set.add(SPACE_END[family]));
  }
  add(lo: bigint, end: bigint): void {
    if (this.family === 4) this.nums.push(Number(lo), Number(end));
    else (this.set.add(lo), this.set.add(end));
  }
  /** IPv4 only: points as numbers. */
  addNumbers(lo: number, end: number): void {
    this.nums.push(lo, end);
  }
  addPrefix(text: string): void {
    const c = parseCidr(text, true);
    if (c.family !== this.family) return;
    if (c.family === 4) this.nums.push(c.prefix >>> 0, (c.prefix >>> 0) + 2 ** (32 - c.length));
    else {
      const lo = wordsToBig(c.words);
      this.set.add(lo);
      this.set.add(lo + (1n << BigInt(128 - c.length)));
    }
  }
  /** The cut points, ascending (first 0, last the space's end). */
  points(): bigint[] {
    if (this.family === 4) {
      const a = Float64Array.from(this.nums).sort();
      const out: bigint[] = [];
      for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) out.push(BigInt(a[i]!));
      return out;
    }
    return [...this.set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** `a` minus `b`, both merged. */
export function subtractIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [lo0, end] of a) {
    let lo = lo0;
    while (j < b.length && b[j]![1] <= lo) j++;
    let k = j;
    while (lo < end && k < b.length && b[k]![0] < end) {
      const m = b[k]!;
      if (m[0] > lo) out.push([lo, m[0]]);
      if (m[1] > lo) lo = m[1];
      k++;
    }
    if (lo < end) out.push([lo, end]);
  }
  return out;
}

/** Whether sorted disjoint intervals hold address a (binary search). */
export function covers(list: readonly Interval[], a: bigint): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = list[mid]!;
    if (a < r[0]) hi = mid - 1;
    else if (a >= r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}
