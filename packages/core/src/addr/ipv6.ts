import { AddressError } from './errors.js';

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** IPv6 text -> 4 uint32 words, most significant first. Accepts `::` compression and a trailing dotted IPv4. */
export function parseIpv6(text: string): Uint32Array {
  if (typeof text !== 'string') throw new AddressError(String(text), `expected an IPv6 address string, got ${typeof text}`);
  const bad = (why: string): never => {
    throw new AddressError(text, `"${text}" is not an IPv6 address: ${why}`);
  };
  if (text.length === 0) bad('empty');
  const halves = text.split('::');
  if (halves.length > 2) bad('"::" appears more than once');
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes('.')) {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(g);
        if (m === null) bad(`"${g}" is not a dotted IPv4 tail`);
        const o = m!.slice(1).map(Number);
        if (o.some((x) => x > 255)) bad(`"${g}" has an octet above 255`);
        out.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
      } else {
        if (!HEX_GROUP.test(g)) bad(g === '' ? 'empty group' : `"${g}" is not a group of 1 to 4 hex digits`);
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  let all: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) bad('too many groups around "::"');
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) bad(`expected 8 groups, found ${head.length}`);
    all = head;
  }
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((all[2 * i]! << 16) | all[2 * i + 1]!) >>> 0;
  return w;
}

/** 4 words -> RFC 5952 text (lower case, longest zero run compressed). */
export function formatIpv6(words: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = words[i]! >>> 0;
    g.push(w >>> 16, w & 0xffff);
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Mask `words` in place to `length` bits. */
export function maskIpv6InPlace(words: Uint32Array, length: number): Uint32Array {
  for (let i = 0; i < 4; i++) {
    const bits = length - 32 * i;
    if (bits >= 32) continue;
    words[i] = bits <= 0 ? 0 : (words[i]! & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
  }
  return words;
}

export interface Ipv6Cidr {
  words: Uint32Array;
  length: number;
}

/** `x::/n` -> { words, length }; host bits set is an error that shows the canonical form (R-ADDR-1). */
export function parseIpv6Cidr(text: string, allowBare = false): Ipv6Cidr {
  if (typeof text !== 'string') throw new AddressError(String(text), `expected an IPv6 prefix string, got ${typeof text}`);
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (allowBare) return { words: parseIpv6(text), length: 128 };
    throw new AddressError(text, `"${text}" is not an IPv6 prefix (expected address/n)`);
  }
  const words = parseIpv6(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(lenText) || Number(lenText) > 128)
    throw new AddressError(text, `"${text}": prefix length "${lenText}" is not a number from 0 to 128`);
  const length = Number(lenText);
  const masked = maskIpv6InPlace(Uint32Array.from(words), length);
  for (let i = 0; i < 4; i++)
    if (masked[i] !== words[i])
      throw new AddressError(text, `"${text}" has host bits set: did you mean ${formatIpv6(masked)}/${length}?`);
  return { words, length };
}

export function formatIpv6Cidr(words: ArrayLike<number>, length: number): string {
  return `${formatIpv6(words)}/${length}`;
}

/** True when `addr` (4 words) lies inside prefix/length. */
export function ipv6InPrefix(addr: ArrayLike<number>, prefix: ArrayLike<number>, length: number): boolean {
  for (let i = 0; i < 4; i++) {
    const bits = length - 32 * i;
    if (bits <= 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((addr[i]! & mask) >>> 0) !== ((prefix[i]! & mask) >>> 0)) return false;
  }
  return true;
}

export function ipv6PrefixContains(outer: Ipv6Cidr, inner: Ipv6Cidr): boolean {
  return inner.length >= outer.length && ipv6InPrefix(inner.words, outer.words, outer.length);
}
