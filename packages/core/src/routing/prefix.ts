// Parsed prefixes of either family, the one representation the route compiler compares (strings only at the edge).
import { parseCidr, formatCidr, AddressError } from '../addr/index.js';
import { RoutingError } from './errors.js';

export interface Prefix {
  family: 4 | 6;
  /** IPv4 network as uint32 (0 for IPv6). */
  v4: number;
  /** IPv6 network words (empty for IPv4). */
  words: Uint32Array;
  length: number;
  /** Canonical text. */
  text: string;
}

const NO_WORDS = new Uint32Array(0);

/** Parses a prefix; a bad one is a RoutingError naming `path`. */
export function toPrefix(text: string, path: string): Prefix {
  try {
    const c = parseCidr(text);
    if (c.family === 4) return { family: 4, v4: c.prefix >>> 0, words: NO_WORDS, length: c.length, text: formatCidr(c) };
    return { family: 6, v4: 0, words: c.words, length: c.length, text: formatCidr(c) };
  } catch (e) {
    if (e instanceof AddressError) throw new RoutingError(path, e.message);
    throw e;
  }
}

/** True when `inner` lies inside (or equals) `outer`. */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.length < outer.length) return false;
  return addrInPrefix(outer, inner.family === 4 ? inner.v4 : 0, inner.words);
}

/** True when the address (v4 uint32, or 4 words for IPv6) lies inside `p`. */
export function addrInPrefix(p: Prefix, v4: number, words: ArrayLike<number>): boolean {
  if (p.family === 4) {
    const mask = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0;
    return ((v4 & mask) >>> 0) === p.v4;
  }
  for (let i = 0; i < 4; i++) {
    const bits = p.length - 32 * i;
    if (bits <= 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((words[i]! & mask) >>> 0) !== ((p.words[i]! & mask) >>> 0)) return false;
  }
  return true;
}

/** Prefixes of rows made by effectiveRoutes, so compileFib does not parse them again. */
const rowPrefixes = new WeakMap<object, Prefix>();

export function rememberPrefix(row: object, p: Prefix): void {
  rowPrefixes.set(row, p);
}

/** The parsed single prefix of `row` when its text is still `text`, else a fresh parse. */
export function prefixOfRow(row: object, text: string, path: string): Prefix {
  const p = rowPrefixes.get(row);
  return p !== undefined && p.text === text ? p : toPrefix(text, path);
}

/** Parsed service-tag prefixes, per tag set (the same prefixes recur in every subnet with the endpoint). */
const tagPrefixes = new WeakMap<object, Map<string, Prefix>>();

export function tagPrefix(tags: object, text: string, path: string): Prefix {
  let m = tagPrefixes.get(tags);
  if (m === undefined) tagPrefixes.set(tags, (m = new Map()));
  let p = m.get(text);
  if (p === undefined) m.set(text, (p = toPrefix(text, path)));
  return p;
}

/**
 * A set of prefixes answering "does any member contain this prefix?" in one probe per distinct member length
 * (R-SE-ROUTE-2 override checks every UDR against thousands of endpoint prefixes).
 */
export class CoveringSet<T> {
  private readonly v4 = new Map<number, Map<number, T>>();
  private readonly v6: { p: Prefix; value: T }[] = [];
  private v4Lengths: number[] = [];

  add(p: Prefix, value: T): void {
    if (p.family === 6) {
      this.v6.push({ p, value });
      return;
    }
    let m = this.v4.get(p.length);
    if (m === undefined) {
      this.v4.set(p.length, (m = new Map()));
      this.v4Lengths = [...this.v4.keys()].sort((a, b) => a - b);
    }
    if (!m.has(p.v4)) m.set(p.v4, value);
  }

  /** The value of the shortest member containing (or equal to) `p`, or undefined. */
  containing(p: Prefix): T | undefined {
    if (p.family === 6) {
      let best: { p: Prefix; value: T } | undefined;
      for (const e of this.v6) if (prefixContains(e.p, p) && (best === undefined || e.p.length < best.p.length)) best = e;
      return best?.value;
    }
    for (const len of this.v4Lengths) {
      if (len > p.length) break;
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      const hit = this.v4.get(len)!.get((p.v4 & mask) >>> 0);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
