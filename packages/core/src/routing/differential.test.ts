import { fileURLToPath } from 'node:url';
// Issue 7, differential test at scale: a subnet with Microsoft's real service tags (Storage + Sql endpoints in
// westeurope), BGP prefixes and UDRs inside, equal to and around service prefixes. In both precedence modes
// (R-SE-ROUTE-2) the compiled FIB must pick, for 10^6 random destinations, the same route as a naive longest-prefix
// match over the Active rows of the effective routes (R-RT-4).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIpv4, maskIpv4, parseIpv4Cidr } from '../addr/index.js';
import { emptyNetwork, type EndpointPrecedence, type NetworkSpec, type RouteSpec } from '../model/types.js';
import { loadServiceTags } from '../model/service-tags/load.js';
import type { ServiceTagSet } from '../model/service-tags/types.js';
import { NetworkRouting } from './network-routing.js';
import type { EffectiveRoute } from './types.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const REAL = path.resolve(ROOT, '../shared/data/service-tags/ServiceTags_Public.cn376.json');
const DESTINATIONS = 1_000_000;
const SEED = 0x7ee7;

/** xorshift32: a fixed seed gives the same destinations on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

const cidr = (text: string) => parseIpv4Cidr(text);
const text = (prefix: number, length: number) => `${formatIpv4((prefix & maskIpv4(length)) >>> 0)}/${length}`;

/** The network: hub/app with Storage + Sql endpoints, a gateway with BGP prefixes, and a route table of UDRs around service prefixes. */
function network(tags: ServiceTagSet): NetworkSpec {
  const next = rng(SEED + 1);
  const storage = tags.get('Storage.WestEurope')!.v4;
  const sql = tags.get('Sql.WestEurope')!.v4;
  const routes: RouteSpec[] = [{ name: 'default-nva', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }];
  const bgp: string[] = [];
  const seen = new Set<string>(['0.0.0.0/0']);
  const add = (p: string, kind: number) => {
    if (seen.has(p)) return;
    seen.add(p);
    const types = ['Internet', 'None', 'VirtualNetworkGateway', 'VirtualAppliance'] as const;
    const t = types[kind % 4]!;
    routes.push({ name: `udr-${routes.length}`, prefix: p, nextHopType: t, ...(t === 'VirtualAppliance' ? { nextHopIp: '10.0.2.4' } : {}) });
  };
  // Around every 8th service prefix: the prefix itself, one inside it, one containing it (R-SE-ROUTE-2's cases).
  [...storage, ...sql].forEach((p, i) => {
    if (i % 8 !== 0 || routes.length > 380) return;
    const c = cidr(p);
    add(p, i);
    if (c.length < 32) add(text(c.prefix | (next() & ~maskIpv4(c.length)), Math.min(32, c.length + 1 + (next() % 6))), i + 1);
    if (c.length > 8) add(text(c.prefix, c.length - 1 - (next() % 6)), i + 2);
    if (i % 16 === 0) bgp.push(text(c.prefix, Math.max(8, c.length - 2)));
  });
  // Random UDRs and BGP prefixes elsewhere, some inside the reserved ranges (R-RT-1, R-RT-5).
  while (routes.length < 400) add(text(next(), 8 + (next() % 25)), next());
  for (let k = 0; k < 60; k++) bgp.push(text(next(), 8 + (next() % 17)));
  bgp.push('192.168.0.0/16', '10.200.0.0/16');

  const net = emptyNetwork();
  net.vnets.push({
    name: 'hub', region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager',
    addressSpace: ['10.0.0.0/16', '172.16.0.0/12'], peerings: ['spoke'], gateway: { onPremPrefixes: [...new Set(bgp)], natIps: [] },
    subnets: [
      { name: 'app', prefix: '10.0.1.0/24', routeTable: 'udrs', serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.Sql' }], endpointPolicies: [] },
      { name: 'dmz', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] },
    ],
  });
  net.vnets.push({
    name: 'spoke', region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager',
    addressSpace: ['10.1.0.0/16'], peerings: [], subnets: [{ name: 'x', prefix: '10.1.0.0/24', serviceEndpoints: [], endpointPolicies: [] }],
  });
  net.routeTables.push({ name: 'udrs', disableBgpRoutePropagation: false, routes });
  return net;
}

/** Naive LPM over the Active IPv4 rows: one Map per prefix length, probed from /32 down. */
class NaiveLpm {
  private readonly byLength: Map<number, number>[] = Array.from({ length: 33 }, () => new Map());
  private readonly lengths: number[];
  readonly prefixes: { prefix: number; length: number }[] = [];

  constructor(rows: readonly EffectiveRoute[], id: (r: EffectiveRoute) => number) {
    for (const r of rows) {
      for (const p of r.addressPrefixes) {
        if (p.includes(':')) continue;
        const c = cidr(p);
        this.prefixes.push(c);
        if (r.state !== 'Active') continue;
        const m = this.byLength[c.length]!;
        if (m.has(c.prefix)) throw new Error(`two Active rows for ${p}`);
        m.set(c.prefix, id(r));
      }
    }
    this.lengths = [...this.byLength.keys()].filter((l) => this.byLength[l]!.size > 0).sort((a, b) => b - a);
  }

  lookup(addr: number): number {
    for (const l of this.lengths) {
      const hit = this.byLength[l]!.get((addr & maskIpv4(l)) >>> 0);
      if (hit !== undefined) return hit;
    }
    return -1;
  }
}

/** One integer per distinct route (prefix, source, next hop, name), shared by both sides. */
function routeIds(): (r: EffectiveRoute) => number {
  const ids = new Map<string, number>();
  return (r) => {
    const k = [r.addressPrefixes.join(','), r.source, r.nextHopType, r.nextHopIpAddress.join(','), r.name ?? '', r.service ?? ''].join('|');
    let i = ids.get(k);
    if (i === undefined) ids.set(k, (i = ids.size));
    return i;
  };
}

function differential(tags: ServiceTagSet, precedence: EndpointPrecedence): { rows: number; active: number; endpointRows: number; invalid: number } {
  const routing = new NetworkRouting(network(tags), tags, { endpointPrecedence: precedence });
  const rows = routing.effectiveRoutesOf('hub/app');
  const fib = routing.fibOf('hub/app');
  const id = routeIds();
  const naive = new NaiveLpm(rows, id);
  const fibIds = Int32Array.from(fib.routes, id);

  const next = rng(SEED);
  const dst = new Uint32Array(DESTINATIONS);
  const ps = naive.prefixes;
  for (let i = 0; i < DESTINATIONS; i++) {
    // A quarter inside a route prefix (Active or Invalid), the rest uniform over the address space.
    if ((i & 3) === 0) {
      const p = ps[next() % ps.length]!;
      dst[i] = (p.prefix | (next() & ~maskIpv4(p.length))) >>> 0;
    } else dst[i] = next();
  }
  const out = new Int32Array(DESTINATIONS);
  fib.v4.lookupBatch(dst, out);
  const mismatches: string[] = [];
  for (let i = 0; i < DESTINATIONS && mismatches.length < 5; i++) {
    const want = naive.lookup(dst[i]!);
    const got = out[i]! < 0 ? -1 : fibIds[out[i]!]!;
    const scalar = fib.v4.lookup(dst[i]!);
    if (got !== want || scalar !== out[i]) mismatches.push(`${formatIpv4(dst[i]!)}: fib route ${got} (scalar ${scalar}), naive ${want}`);
  }
  expect(mismatches).toEqual([]);
  return {
    rows: rows.length,
    active: rows.filter((r) => r.state === 'Active').length,
    endpointRows: rows.filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint').length,
    invalid: rows.filter((r) => r.state === 'Invalid').length,
  };
}

describe('FIB against a naive evaluation of the effective routes, 10^6 destinations (issue 7)', () => {
  const absent = () => !existsSync(REAL);
  let tags: ServiceTagSet | undefined;
  const realTags = () => (tags ??= loadServiceTags(JSON.parse(readFileSync(REAL, 'utf8')), REAL));

  it.skipIf(absent())('R-RT-4, R-SE-ROUTE-2 (override): real tags, Storage + Sql endpoints, 400 UDRs around service prefixes (reads ../shared/data/service-tags/ServiceTags_Public.cn376.json)', () => {
    const s = differential(realTags(), 'override');
    // The scenario is the interesting one: endpoint rows, and UDRs inside endpoint prefixes shown Invalid.
    expect(s.endpointRows).toBeGreaterThan(100);
    expect(s.invalid).toBeGreaterThan(10);
  });

  it.skipIf(absent())('R-RT-4, R-SE-ROUTE-2 (lpm): the same network in lpm precedence (reads ../shared/data/service-tags/ServiceTags_Public.cn376.json)', () => {
    const s = differential(realTags(), 'lpm');
    expect(s.endpointRows).toBeGreaterThan(100);
    expect(s.active).toBeGreaterThan(400);
  });
});
