import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyNetwork, type NetworkSpec, type RouteSpec, type ScenarioOptions } from '../model/types.js';
import { loadServiceTags } from '../model/service-tags/load.js';
import { builtinServiceTags } from '../model/service-tags/builtin.js';
import { NextHop } from '../dispositions.js';
import { parseIpv4, parseIpv4Cidr, formatIpv4, ipv4InPrefix } from '../addr/index.js';
import { effectiveRoutes } from './effective.js';
import { compileFib, fibKey, fibLookup } from './fib.js';
import type { EffectiveRoute } from './types.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function net(routes: RouteSpec[], endpoints: string[]): NetworkSpec {
  const n = emptyNetwork();
  n.vnets.push({
    name: 'hub', region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager',
    addressSpace: ['10.0.0.0/16'], peerings: [], gateway: { onPremPrefixes: ['10.10.0.0/16', '52.239.0.0/24', '52.239.2.0/23', '40.68.0.0/23'], natIps: [] },
    subnets: [{ name: 'a', prefix: '10.0.1.0/24', routeTable: 'rt', serviceEndpoints: endpoints.map((service) => ({ service })), endpointPolicies: [] }],
  });
  n.routeTables.push({ name: 'rt', disableBgpRoutePropagation: false, routes });
  return n;
}

/** Naive: the longest Active IPv4 prefix containing `addr`, by linear scan. */
function naiveActive(rows: EffectiveRoute[], addr: number): EffectiveRoute | null {
  let best: EffectiveRoute | null = null;
  let bestLen = -1;
  for (const r of rows) {
    if (r.state !== 'Active' || r.addressPrefixes[0]!.includes(':')) continue;
    const c = parseIpv4Cidr(r.addressPrefixes[0]!);
    if (c.length > bestLen && ipv4InPrefix(addr, c.prefix, c.length)) {
      best = r;
      bestLen = c.length;
    }
  }
  return best;
}

/** The rule straight from SEMANTICS.md, ignoring the computed states: R-RT-4 and R-SE-ROUTE-2 on all valid rows. */
function semantic(rows: EffectiveRoute[], addr: number, mode: ScenarioOptions['endpointPrecedence']): EffectiveRoute | null {
  const valid = rows.filter((r) => !r.addressPrefixes[0]!.includes(':') && !(r.invalidReason ?? '').includes('R-RT-3'));
  const covering = valid.filter((r) => {
    const c = parseIpv4Cidr(r.addressPrefixes[0]!);
    return ipv4InPrefix(addr, c.prefix, c.length);
  });
  const isEp = (r: EffectiveRoute) => r.nextHopType === 'VirtualNetworkServiceEndpoint';
  const isUdrOrBgp = (r: EffectiveRoute) => r.source === 'User' || r.source === 'VirtualNetworkGateway';
  const isBgp = (r: EffectiveRoute) => r.source === 'VirtualNetworkGateway';
  const isVnetOrPeer = (r: EffectiveRoute) => r.source === 'Default' && (r.nextHopType === 'VnetLocal' || r.nextHopType === 'VNetPeering');
  // override: inside an endpoint prefix, UDR/BGP routes are out of the running. R-RT-7 (both modes): so are BGP
  // routes inside an endpoint prefix or a VNet / peered range, however specific.
  let pool = mode === 'override' && covering.some(isEp) ? covering.filter((r) => !isUdrOrBgp(r)) : covering;
  if (covering.some((r) => isEp(r) || isVnetOrPeer(r))) pool = pool.filter((r) => !isBgp(r));
  const rank = (r: EffectiveRoute) =>
    r.source === 'User' ? (mode === 'lpm' ? 4 : 3) : isEp(r) ? (mode === 'lpm' ? 3 : 4) : r.source === 'VirtualNetworkGateway' ? 2 : 1;
  let best: EffectiveRoute | null = null;
  let bestLen = -1;
  for (const r of pool) {
    const len = parseIpv4Cidr(r.addressPrefixes[0]!).length;
    if (len > bestLen || (len === bestLen && rank(r) > rank(best!))) {
      best = r;
      bestLen = len;
    }
  }
  return best;
}

const arbRoute = fc
  .record({
    base: fc.constantFrom(0x0a000000, 0x34ef0000, 0x28440000, 0x0a0a0000, 0x08080000, 0),
    bits: fc.integer({ min: 0, max: 0xffffffff }),
    length: fc.integer({ min: 0, max: 28 }),
    type: fc.constantFrom('VirtualAppliance', 'Internet', 'None', 'VnetLocal', 'VirtualNetworkGateway') as fc.Arbitrary<RouteSpec['nextHopType']>,
    nva: fc.constantFrom('10.0.2.4', '10.9.9.9'),
  })
  .map(({ base, bits, length, type, nva }) => {
    const near = length >= 16 ? (base | (bits & 0xffff)) >>> 0 : bits >>> 0; // many routes near interesting ranges
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    return { prefix: `${formatIpv4((near & mask) >>> 0)}/${length}`, nextHopType: type, ...(type === 'VirtualAppliance' ? { nextHopIp: nva } : {}) };
  });

describe('compileFib', () => {
  it('R-RT-4, R-SE-ROUTE-2: fib.v4.lookup agrees with the longest Active row and with the rule itself on random UDR sets', () => {
    const tags = builtinServiceTags();
    const dests = [0x34ef0000, 0x28440000, 0x0a000000, 0x0a0a0000, 0];
    fc.assert(
      fc.property(
        fc.uniqueArray(arbRoute, { selector: (r) => r.prefix, maxLength: 30 }),
        fc.array(fc.tuple(fc.constantFrom(...dests), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean()), { minLength: 40, maxLength: 40 }),
        fc.constantFrom<ScenarioOptions['endpointPrecedence']>('override', 'lpm'),
        fc.subarray(['Microsoft.Storage', 'Microsoft.Sql']),
        (routes, probes, mode, endpoints) => {
          const udrs = routes.map((r, i) => ({ name: `r${i}`, ...r }));
          const rows = effectiveRoutes(net(udrs, endpoints), tags, 'hub/a', { endpointPrecedence: mode });
          const fib = compileFib(rows);
          for (const [base, bits, near] of probes) {
            const addr = near ? (base | (bits & 0x3ffff)) >>> 0 : bits >>> 0;
            const i = fib.v4.lookup(addr);
            const got = i < 0 ? null : fib.routes[i]!;
            expect(got).toBe(naiveActive(rows, addr));
            expect(got).toBe(semantic(rows, addr, mode));
            if (got !== null) expect(fib.nextHop[i]).toBe(NextHop[got.nextHopType]);
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('R-RT-4: only Active rows reach the FIB; typed columns hold the next hop and its IP', () => {
    const rows = effectiveRoutes(net([{ name: 'nva', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' }], []), builtinServiceTags(), 'hub/a', { endpointPrecedence: 'override' });
    const fib = compileFib(rows);
    expect(fib.routes.every((r) => r.state === 'Active')).toBe(true);
    expect(fib.routes.length).toBe(rows.filter((r) => r.state === 'Active').length);
    const i = fib.v4.lookup(parseIpv4('8.8.8.8'));
    expect(fib.routes[i]!.name).toBe('nva');
    expect(fib.nextHop[i]).toBe(NextHop.VirtualAppliance);
    expect(formatIpv4(fib.nextHopIp[i]!)).toBe('10.0.2.4');
    expect(fib.nextHop[fib.v4.lookup(parseIpv4('10.0.0.9'))]).toBe(NextHop.VnetLocal);
  });

  it('R-RT-4: the key ignores row order and Invalid rows, and changes with any Active field', () => {
    const rows = effectiveRoutes(net([{ name: 'x', prefix: '20.0.0.0/8', nextHopType: 'None' }], []), builtinServiceTags(), 'hub/a', { endpointPrecedence: 'override' });
    const reversed = [...rows].reverse();
    expect(fibKey(reversed)).toBe(fibKey(rows));
    const extraInvalid = rows.concat({ ...rows[0]!, state: 'Invalid', invalidReason: 'test' , name: 'zzz' });
    expect(fibKey(extraInvalid)).toBe(fibKey(rows));
    const renamed = rows.map((r) => (r.name === 'x' ? { ...r, name: 'y' } : r));
    expect(fibKey(renamed)).not.toBe(fibKey(rows));
  });

  it('R-RT-4: two Active rows for one prefix are refused', () => {
    const rows = effectiveRoutes(net([], []), builtinServiceTags(), 'hub/a', { endpointPrecedence: 'override' });
    expect(() => compileFib(rows.concat({ ...rows[0]! }))).toThrow(/two Active routes for 10\.0\.0\.0\/16/);
  });
});

const realTags = path.resolve(ROOT, '../shared/data/service-tags/ServiceTags_Public.cn376.json');

describe('real service tags (reads ../shared/data/service-tags/ServiceTags_Public.cn376.json)', () => {
  it.skipIf(!existsSync(realTags))('R-SE-REGION, R-SE-ROUTE-1: Storage + Sql endpoints in westeurope: rows and FIB agree', () => {
    const tags = loadServiceTags(JSON.parse(readFileSync(realTags, 'utf8')), realTags);
    const routes: RouteSpec[] = [
      { name: 'forced', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' },
      { name: 'inside-storage', prefix: tags.get('Storage.WestEurope')!.v4[0]!, nextHopType: 'None' },
    ];
    for (const mode of ['override', 'lpm'] as const) {
      const rows = effectiveRoutes(net(routes, ['Microsoft.Storage', 'Microsoft.Sql']), tags, 'hub/a', { endpointPrecedence: mode });
      const ep = rows.filter((r) => r.nextHopType === 'VirtualNetworkServiceEndpoint');
      const scope = new Set([
        ...tags.get('Storage.WestEurope')!.v4, ...tags.get('Storage.WestEurope')!.v6,
        ...tags.get('Storage.NorthEurope')!.v4, ...tags.get('Storage.NorthEurope')!.v6,
        ...tags.get('Sql.WestEurope')!.v4, ...tags.get('Sql.WestEurope')!.v6,
      ]);
      expect(new Set(ep.map((r) => r.addressPrefixes[0]))).toEqual(scope);
      expect(ep.length).toBeGreaterThan(50);
      const fib = compileFib(rows);
      // Every endpoint row: its first address and its last address go where the rows say.
      for (const r of rows) {
        const p = r.addressPrefixes[0]!;
        if (p.includes(':')) {
          const hit = fibLookup(fib, p.split('/')[0]!);
          if (r.state === 'Active') expect(hit?.addressPrefixes[0]).toBe(p);
          continue;
        }
        const c = parseIpv4Cidr(p);
        const last = (c.prefix | (c.length === 0 ? 0xffffffff : ~(0xffffffff << (32 - c.length)))) >>> 0;
        for (const a of [c.prefix, last]) {
          const i = fib.v4.lookup(a);
          expect(fib.routes[i]).toBe(naiveActive(rows, a));
        }
      }
      const storageAddr = tags.get('Storage.WestEurope')!.v4[0]!.split('/')[0]!;
      expect(fibLookup(fib, storageAddr)!.nextHopType).toBe(mode === 'override' ? 'VirtualNetworkServiceEndpoint' : 'None');
      const eastUs = tags.get('Storage.EastUS')!.v4.find((p) => !naiveActive(rows, parseIpv4Cidr(p).prefix)?.service)!;
      expect(fibLookup(fib, eastUs.split('/')[0]!)!.name).toBe('forced');
    }
  });
});
