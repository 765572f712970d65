import { AddressError } from './errors.js';
import { formatIpv4Cidr, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from './ipv4.js';
import { formatIpv6Cidr, parseIpv6, parseIpv6Cidr, type Ipv6Cidr } from './ipv6.js';

/** A prefix of either family, as parsed at the edge. */
export type Cidr = ({ family: 4 } & Ipv4Cidr) | ({ family: 6 } & Ipv6Cidr);

/** Parses an IPv4 or IPv6 prefix (a bare address is a host prefix when `allowBare`). */
export function parseCidr(text: string, allowBare = false): Cidr {
  if (typeof text !== 'string') throw new AddressError(String(text), `expected an address or prefix string, got ${typeof text}`);
  if (text.includes(':')) return { family: 6, ...parseIpv6Cidr(text, allowBare) };
  return { family: 4, ...parseIpv4Cidr(text, allowBare) };
}

export function formatCidr(c: Cidr): string {
  return c.family === 4 ? formatIpv4Cidr(c.prefix, c.length) : formatIpv6Cidr(c.words, c.length);
}

/** Parses an address of either family. */
export function parseAddress(text: string): { family: 4; addr: number } | { family: 6; words: Uint32Array } {
  if (typeof text === 'string' && text.includes(':')) return { family: 6, words: parseIpv6(text) };
  return { family: 4, addr: parseIpv4(text) };
}
