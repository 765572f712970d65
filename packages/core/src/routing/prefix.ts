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

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.length === b.length && a.text === b.text;
}
