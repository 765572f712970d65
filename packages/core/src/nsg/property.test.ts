// The compiled classifier agrees with a plain first-match linear scan (R-NSG-2) written here independently:
// random rule sets (prefixes, lists, tags, ASG-free), random ports/protocols/priorities, random 5-tuples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, ipv4InPrefix, ipv6InPrefix, parseCidr, parseIpv4Cidr, parseIpv6 } from '../addr/index.js';
import { parsePorts } from '../model/ports.js';
import { PROTOCOL_NUMBER } from '../model/protocols.js';
import { builtinServiceTags } from '../model/service-tags/index.js';
import type { Direction, NetworkSpec, SecurityRuleSpec } from '../model/types.js';
import { oneNsgNetwork, rule, vnet } from './fixtures.test-util.js';
import { compileNsgs, DEFAULT_SECURITY_RULES } from './index.js';

const tags = builtinServiceTags();
const TAGS = ['VirtualNetwork', 'Internet', 'AzureLoadBalancer', 'Storage', 'Sql.WestEurope', 'AzureKeyVault.NorthEurope'];
const RESERVED_V4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4'];
const VNET_V4 = ['10.0.0.0/16', '10.1.0.0/16', '192.168.50.0/24', '168.63.129.16/32'];
const VNET_V6 = ['fd00:1::/48', 'fd00:2::/48'];

/** hub (10.0/16, fd00:1::/48) peered with spoke (10.1/16, fd00:2::/48), on-premises 192.168.50/24 via hub. */
function network(rules: SecurityRuleSpec[]): NetworkSpec {
  const net = oneNsgNetwork(rules);
  net.vnets[0]!.peerings = ['spoke'];
  net.vnets.push(vnet('spoke', ['10.1.0.0/16', 'fd00:2::/48'], [['s', '10.1.0.0/24']]));
  net.onPrem.push({ name: 'branch', prefix: '192.168.50.0/24', via: 'hub' });
  return net;
}

// ---- the reference: a first-match scan over the rule specs, membership tested prefix by prefix ----
type Addr = number | Uint32Array;
function inPrefixText(addr: Addr, text: string): boolean {
  const c = parseCidr(text, true);
  if (typeof addr === 'number') return c.family === 4 && ipv4InPrefix(addr, c.prefix, c.length);
  return c.family === 6 && ipv6InPrefix(addr, c.words, c.length);
}
const inAny = (addr: Addr, list: readonly string[]) => list.some((p) => inPrefixText(addr, p));
function inTag(addr: Addr, tag: string): boolean {
  const vn = inAny(addr, typeof addr === 'number' ? VNET_V4 : VNET_V6);
  switch (tag) {
    case 'VirtualNetwork': return vn;
    case 'Internet': return !vn && (typeof addr === 'number' ? !inAny(addr, RESERVED_V4) : inPrefixText(addr, '2000::/3'));
    case 'AzureLoadBalancer': return addr === 0xa83f8110;
    default: {
      const t = tags.get(tag)!;
      return inAny(addr, typeof addr === 'number' ? t.v4 : t.v6);
    }
  }
}
function fieldMatches(field: string | string[], addr: Addr): boolean {
  const items = Array.isArray(field) ? field : [field];
  if (items.length === 1 && items[0] === '*') return true;
  if (items.length === 1 && TAGS.includes(items[0]!)) return inTag(addr, items[0]!);
  return inAny(addr, items);
}
const portMatches = (spec: string | string[], port: number) => parsePorts(spec).some(([lo, hi]) => port >= lo && port <= hi);
function referenceScan(rules: SecurityRuleSpec[], dir: Direction, proto: number, src: Addr, sp: number, dst: Addr, dp: number): string {
  const ordered = [...rules.filter((r) => r.direction === dir).sort((a, b) => a.priority - b.priority), ...DEFAULT_SECURITY_RULES.filter((r) => r.direction === dir)];
  for (const r of ordered) {
    const p = PROTOCOL_NUMBER[r.protocol];
    if (p !== -1 && p !== proto) continue;
    if (!portMatches(r.sourcePorts, sp) || !portMatches(r.destinationPorts, dp)) continue;
    if (!fieldMatches(r.source, src) || !fieldMatches(r.destination, dst)) continue;
    return (DEFAULT_SECURITY_RULES.includes(r) ? 'defaultSecurityRules/' : 'securityRules/') + r.name;
  }
  return 'none';
}

// ---- generators ----
const prefix4 = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, len]) => {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${formatIpv4((a & mask) >>> 0)}/${len}`;
});
// Prefixes near the interesting places (the VNet, tags, reserved ranges) overlap often.
const nearPrefix4 = fc.tuple(fc.constantFrom('10.0.0.0', '10.1.0.0', '52.239.0.0', '168.63.129.16', '192.168.0.0', '100.64.0.0', '8.8.8.8'), fc.integer({ min: 8, max: 32 }))
  .map(([base, len]) => { const c = parseIpv4Cidr(`${base}/32`); const mask = (0xffffffff << (32 - len)) >>> 0; return `${formatIpv4((c.prefix & mask) >>> 0)}/${len}`; });
const prefix6 = fc.tuple(fc.constantFrom('fd00:1::', 'fd00:2::', '2603:1020:200::', '2001:db8::', '::', '2000::'), fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 0xffffffff }))
  .map(([base, len, noise]) => {
    const w = parseIpv6(base);
    w[1] = (w[1]! ^ (len > 40 ? noise & 0xffff : 0)) >>> 0;
    w[3] = (w[3]! ^ noise) >>> 0;
    for (let i = 0; i < 4; i++) {
      const bits = len - 32 * i;
      w[i] = bits <= 0 ? 0 : bits >= 32 ? w[i]! : (w[i]! & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
    }
    return `${formatIpv6(w)}/${len}`;
  });
const port = fc.oneof(fc.constantFrom(0, 22, 80, 443, 1000, 1023, 1024, 65535), fc.integer({ min: 0, max: 65535 }));
const portSpec = fc.oneof(
  fc.constant('*'),
  port.map(String),
  fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  fc.array(fc.oneof(port.map(String), fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`)), { minLength: 1, maxLength: 3 }),
);
const field = (pfx: fc.Arbitrary<string>) =>
  fc.oneof(fc.constant<string | string[]>('*'), fc.constantFrom<string | string[]>(...TAGS), pfx, fc.array(pfx, { minLength: 1, maxLength: 3 }));
const ruleSet = (pfx: fc.Arbitrary<string>, dir: Direction) =>
  fc.uniqueArray(fc.integer({ min: 100, max: 4096 }), { minLength: 0, maxLength: 40 }).chain((prios) =>
    fc.tuple(...prios.map((priority, i) =>
      fc.record({
        access: fc.constantFrom('Allow' as const, 'Deny' as const),
        protocol: fc.constantFrom('Tcp' as const, 'Udp' as const, 'Icmp' as const, '*' as const),
        source: field(pfx), destination: field(pfx), sourcePorts: portSpec, destinationPorts: portSpec,
      }).map((r) => rule(`r${i}`, priority, dir, r.access, r.source, r.destination, r)),
    )),
  );
const proto = fc.constantFrom(6, 17, 1, 50);

/** Addresses on and around every boundary of these prefix texts (tags expand to their IPv4 prefixes). */
function boundaries4(texts: ReadonlyArray<string>): number[] {
  const out: number[] = [];
  for (const t of texts) {
    if (t === '*' || t.includes(':')) continue;
    const list = TAGS.includes(t) ? (t === 'VirtualNetwork' || t === 'Internet' ? [...VNET_V4, ...RESERVED_V4] : t === 'AzureLoadBalancer' ? ['168.63.129.16/32'] : tags.get(t)!.v4) : [t];
    for (const p of list) {
      const c = parseIpv4Cidr(p, true);
      const end = c.prefix + 2 ** (32 - c.length);
      out.push(c.prefix, (c.prefix - 1) >>> 0, end - 1, end >>> 0, (c.prefix + Math.floor((end - c.prefix) / 2)) >>> 0);
    }
  }
  return out.length > 0 ? out : [0, 0xffffffff];
}
const texts = (f: string | string[]) => (Array.isArray(f) ? f : [f]);

/** Ports at and around the edges of a port spec. */
function portsOf(spec: string | string[]): number[] {
  return parsePorts(spec).flatMap(([lo, hi]) => [lo, hi, Math.max(0, lo - 1), Math.min(65535, hi + 1)]);
}

/**
 * A packet aimed at a rule (k >= 0: rule k mod n, its protocol, ports and prefix edges) so that specific rules
 * really decide, or a random packet (k < 0).
 */
interface Aim { k: number; p: number; s: number; d: number; sp: number; dp: number }
function aimed(rules: SecurityRuleSpec[], x: Aim): [number, number, number, number, number] {
  if (x.k < 0 || rules.length === 0) return [x.p, x.s >>> 0, x.sp, x.d >>> 0, x.dp];
  const r = rules[x.k % rules.length]!;
  const pick = <T,>(list: T[], i: number) => list[Math.abs(i) % list.length]!;
  const p = PROTOCOL_NUMBER[r.protocol] === -1 ? x.p : PROTOCOL_NUMBER[r.protocol];
  return [p, pick(boundaries4(texts(r.source)), x.s), pick(portsOf(r.sourcePorts), x.sp), pick(boundaries4(texts(r.destination)), x.d), pick(portsOf(r.destinationPorts), x.dp)];
}

describe('property: compiled classifier == first-match linear scan', () => {
  for (const dir of ['Outbound', 'Inbound'] as const) {
    it(`R-NSG-2: IPv4, ${dir}: random rule sets and 5-tuples give the reference's rule`, () => {
      const pkt = fc.record({
        k: fc.integer({ min: -20, max: 1000 }), p: proto, s: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        d: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), sp: port, dp: port,
      });
      fc.assert(
        fc.property(ruleSet(fc.oneof(prefix4, nearPrefix4), dir), fc.array(pkt, { minLength: 20, maxLength: 60 }), (rules, pkts) => {
          const c = compileNsgs(network(rules), tags).classifier('N', dir, 'hub');
          for (const k of pkts) {
            const [p, s, sp, d, dp] = aimed(rules, k);
            const got = c.rules[c.classify4(p, s, sp, d, dp)]!.name;
            expect(got, `${p} ${formatIpv4(s)}:${sp} -> ${formatIpv4(d)}:${dp}`).toBe(referenceScan(rules, dir, p, s, sp, d, dp));
          }
        }),
        { numRuns: 120 },
      );
    });
  }

  it('R-NSG-2: IPv6: random rule sets and 5-tuples give the reference\'s rule', () => {
    const addr6 = prefix6.map((t) => parseCidr(t) as { family: 6; words: Uint32Array });
    const pkt = fc.record({ p: proto, s: addr6, d: addr6, sp: port, dp: port, flip: fc.integer({ min: 0, max: 0xffffffff }) });
    fc.assert(
      fc.property(ruleSet(prefix6, 'Outbound'), fc.array(pkt, { minLength: 20, maxLength: 60 }), (rules, pkts) => {
        const c = compileNsgs(network(rules), tags).classifier('N', 'Outbound', 'hub');
        const addrs = new Uint32Array(8);
        for (const k of pkts) {
          addrs.set(k.s.words, 0);
          addrs.set(k.d.words, 4);
          addrs[7] = (addrs[7]! ^ (k.flip & 7)) >>> 0; // land just inside or beside the prefix start
          const got = c.rules[c.classify6(k.p, addrs, 0, k.sp, 4, k.dp)]!.name;
          const want = referenceScan(rules, 'Outbound', k.p, addrs.slice(0, 4), k.sp, addrs.slice(4, 8), k.dp);
          expect(got, `${formatIpv6(addrs.slice(0, 4))} -> ${formatIpv6(addrs.slice(4, 8))}`).toBe(want);
        }
      }),
      { numRuns: 80 },
    );
  });
});
