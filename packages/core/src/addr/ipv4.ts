import { AddressError } from './errors.js';

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `a.b.c.d` -> uint32. Strict: four decimal octets 0..255, no leading zeros (they mean octal to some tools). */
export function parseIpv4(text: string): number {
  if (typeof text !== 'string') throw new AddressError(String(text), `expected an IPv4 address string, got ${typeof text}`);
  const m = DOTTED.exec(text);
  if (m === null) throw new AddressError(text, `"${text}" is not an IPv4 address (expected four decimal octets a.b.c.d)`);
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part[0] === '0')
      throw new AddressError(text, `"${text}": octet "${part}" has a leading zero (ambiguous: octal or decimal?)`);
    const n = Number(part);
    if (n > 255) throw new AddressError(text, `"${text}": octet ${n} is greater than 255`);
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function formatIpv4(addr: number): string {
  const a = addr >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Network mask of a prefix length, as uint32 (0 for /0). */
export function maskIpv4(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export interface Ipv4Cidr {
  prefix: number;
  length: number;
}

/**
 * `a.b.c.d/n` -> { prefix, length }. A bare address is a /32 only when `allowBare` is set. Host bits set is an error
 * that shows the canonical form (R-ADDR-1).
 */
export function parseIpv4Cidr(text: string, allowBare = false): Ipv4Cidr {
  if (typeof text !== 'string') throw new AddressError(String(text), `expected an IPv4 prefix string, got ${typeof text}`);
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (allowBare) return { prefix: parseIpv4(text), length: 32 };
    throw new AddressError(text, `"${text}" is not an IPv4 prefix (expected a.b.c.d/n)`);
  }
  const addr = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  // No leading zeros (`/08`), as for octets: canonical text only.
  if (!/^(0|[1-9]\d?)$/.test(lenText) || Number(lenText) > 32)
    throw new AddressError(text, `"${text}": prefix length "${lenText}" is not a number from 0 to 32`);
  const length = Number(lenText);
  const prefix = (addr & maskIpv4(length)) >>> 0;
  if (prefix !== addr)
    throw new AddressError(text, `"${text}" has host bits set: did you mean ${formatIpv4(prefix)}/${length}?`);
  return { prefix, length };
}

export function formatIpv4Cidr(prefix: number, length: number): string {
  return `${formatIpv4(prefix)}/${length}`;
}

/** True when `addr` lies inside prefix/length. */
export function ipv4InPrefix(addr: number, prefix: number, length: number): boolean {
  return ((addr & maskIpv4(length)) >>> 0) === prefix >>> 0;
}

/** True when inner (prefix/len) lies inside outer. */
export function ipv4PrefixContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.length >= outer.length && ipv4InPrefix(inner.prefix, outer.prefix, outer.length);
}

export function ipv4PrefixesOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return ipv4PrefixContains(a, b) || ipv4PrefixContains(b, a);
}
