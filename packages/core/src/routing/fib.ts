// Compiles the Active effective routes of a subnet into a FIB: LPM tries whose values index a side table of routes
// with typed next-hop columns (DESIGN.md "Forwarding table"). Precedence was decided when the rows were made
// (R-RT-4, R-SE-ROUTE-2), so a lookup here is pure longest-prefix match.
import { Ipv4Trie, Ipv6Trie } from '../lpm/index.js';
import { NextHop } from '../dispositions.js';
import { ipv4InPrefix, ipv6InPrefix, parseAddress, parseCidr } from '../addr/index.js';
import type { EffectiveRoute, Fib } from './types.js';
import { RoutingError } from './errors.js';
import { prefixOfRow } from './prefix.js';

/** A Fib, plus the IPv6 next-hop IPs (4 words per route index, zero when none). */
export interface RoutingFib extends Fib {
  readonly nextHopIpV6: Uint32Array;
}

/** One Active row as a canonical string (every field that reaches the FIB or an explanation). */
function rowKey(r: EffectiveRoute): string {
  const off = r.inactivePrefixes === undefined ? '' : r.inactivePrefixes.map((x) => x.prefix).join(',');
  return [r.addressPrefixes.join(','), off, r.serviceTag ?? '', r.source, r.nextHopType, r.nextHopIpAddress.join(','), r.name ?? '', r.routeTable ?? '', r.service ?? ''].join('|');
}

/** Canonical key of a table's Active rows, independent of their order: equal keys => one shared Fib. */
export function fibKey(routes: readonly EffectiveRoute[]): string {
  return routes
    .filter((r) => r.state === 'Active')
    .map(rowKey)
    .sort()
    .join('\n');
}

/**
 * Builds the FIB of the Active rows of `routes` (Invalid rows are skipped). Two Active rows for one prefix are an
 * error: effectiveRoutes never makes them (R-RT-4).
 */
export function compileFib(routes: readonly EffectiveRoute[]): RoutingFib {
  const active: EffectiveRoute[] = [];
  const rowOf: number[] = [];
  routes.forEach((r, k) => {
    if (r.state === 'Active') {
      active.push(r);
      rowOf.push(k);
    }
  });
  const v4 = new Ipv4Trie();
  const v6 = new Ipv6Trie();
  const nextHop = new Uint8Array(active.length);
  const nextHopIp = new Uint32Array(active.length);
  const nextHopIpV6 = new Uint32Array(active.length * 4);
  const seen = new Map<string, number>();
  active.forEach((r, i) => {
    const at = `routes[${rowOf[i]}]`;
    nextHop[i] = NextHop[r.nextHopType];
    const ip = r.nextHopIpAddress[0];
    if (ip !== undefined) {
      const a = parseAddress(ip);
      if (a.family === 4) nextHopIp[i] = a.addr;
      else nextHopIpV6.set(a.words, i * 4);
    }
    const off = r.inactivePrefixes;
    for (const text of r.addressPrefixes) {
      // R-RT-8: a prefix of a tag route that another route carries stays out of the FIB.
      if (off !== undefined && off.some((x) => x.prefix === text)) continue;
      const p = prefixOfRow(r, text, `${at}.addressPrefixes`);
      const other = seen.get(p.text);
      if (other !== undefined)
        throw new RoutingError(at, `two Active routes for ${p.text} (the other is routes[${rowOf[other]}]); R-RT-4 keeps one`);
      seen.set(p.text, i);
      if (p.family === 4) v4.insert(p.v4, p.length, i);
      else v6.insert(p.words, p.length, i);
    }
  });
  return {
    v4: v4.compile(),
    v6: v6.compile(),
    routes: active,
    nextHop,
    nextHopIp,
    nextHopIpV6,
    key: fibKey(active),
  };
}

/** The Active route a FIB picks for `address` (text), or null when none covers it. For explanations, not packets. */
export function fibLookup(fib: Fib, address: string): EffectiveRoute | null {
  const a = parseAddress(address);
  const i = a.family === 4 ? fib.v4.lookup(a.addr) : fib.v6.lookup(a.words[0]!, a.words[1]!, a.words[2]!, a.words[3]!);
  return i < 0 ? null : fib.routes[i]!;
}

/**
 * The prefix of `route` that carries `address` (text): its only prefix, or for a service-tag route (R-RT-8) the longest
 * of its FIB prefixes containing the address. For explanations, not packets.
 */
export function matchedPrefix(route: EffectiveRoute, address: string): string {
  if (route.addressPrefixes.length === 1) return route.addressPrefixes[0]!;
  const a = parseAddress(address);
  let best = route.addressPrefixes[0]!;
  let bestLen = -1;
  for (const text of route.addressPrefixes) {
    if (route.inactivePrefixes?.some((x) => x.prefix === text)) continue;
    const c = parseCidr(text);
    const inside = c.family === 4 ? a.family === 4 && ipv4InPrefix(a.addr, c.prefix, c.length) : a.family === 6 && ipv6InPrefix(a.words, c.words, c.length);
    if (inside && c.length > bestLen) {
      best = text;
      bestLen = c.length;
    }
  }
  return best;
}
