// Rule expansion at compile time (R-NSG-1, R-NSG-6): every source/destination form (`*`, address, prefix, list,
// service tag incl. regional forms, VirtualNetwork, AzureLoadBalancer, Internet, ASGs) becomes merged IPv4 and IPv6
// ranges; ports become merged port ranges; the protocol an IANA number (-1 = any).
import { AddressError } from '../addr/index.js';
import { parsePorts, PortSpecError } from '../model/ports.js';
import { PROTOCOL_NUMBER, ruleProtocolOf } from '../model/protocols.js';
import {
  azureLoadBalancerTagPrefixes,
  INTERNET_EXCLUDED_V4,
  resolveTagName,
  internetExcludedNetworkPrefixes,
  virtualNetworkTagPrefixes,
} from '../model/service-tags/index.js';
import type { ServiceTagSet } from '../model/service-tags/types.js';
import type { NetworkSpec, RuleProtocol, SecurityRuleSpec } from '../model/types.js';
import { DEFAULT_RULE_PREFIX, USER_RULE_PREFIX } from './defaults.js';
import { cidrRange, mergeRanges, rangesToCidrs4, rangesToCidrs6, subtractRanges, V4_END, V6_END, type Range } from './ranges.js';
import type { CompiledRuleInfo } from './types.js';

/** A bad rule field: `path` says where (`network.nsgs[0].rules[2].source`), the message what was expected. */
export class NsgError extends Error {
  override readonly name = 'NsgError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

export interface AddressSet {
  v4: Range<number>[];
  v6: Range<bigint>[];
}

/** A rule ready for the classifier (and for a reference scan): its display info plus its match sets. */
export interface ExpandedRule {
  info: CompiledRuleInfo;
  allow: boolean;
  /** IANA number, -1 for any. */
  proto: number;
  src: AddressSet;
  dst: AddressSet;
  /** Merged inclusive-exclusive port ranges [lo, end). */
  srcPorts: Range<number>[];
  dstPorts: Range<number>[];
}

const ANY: AddressSet = Object.freeze({ v4: [[0, V4_END]], v6: [[0n, V6_END]] }) as AddressSet;
/** IPv6 Internet: global unicast 2000::/3 (R-ADDR-2 lists only IPv4 ranges; v6 private/link-local/multicast lie outside). */
const V6_GLOBAL_UNICAST: Range<bigint> = [1n << 125n, 2n << 125n];

function setOf(prefixes: readonly string[]): AddressSet {
  const v4: Range<number>[] = [];
  const v6: Range<bigint>[] = [];
  for (const p of prefixes) {
    const r = cidrRange(p);
    if (r.family === 4) v4.push(r.range);
    else v6.push(r.range);
  }
  return { v4: mergeRanges(v4), v6: mergeRanges(v6) };
}

function unionSets(sets: readonly AddressSet[]): AddressSet {
  return { v4: mergeRanges(sets.flatMap((s) => s.v4)), v6: mergeRanges(sets.flatMap((s) => s.v6)) };
}

const PUBLISHED = new WeakMap<ServiceTagSet, Map<string, AddressSet>>();
const DISPLAY = new WeakMap<AddressSet, string[]>();

/** The CIDRs of a set, for display (memoized: tag sets are shared). */
function displayPrefixes(set: AddressSet): string[] {
  let d = DISPLAY.get(set);
  if (d === undefined) DISPLAY.set(set, (d = [...rangesToCidrs4(set.v4), ...rangesToCidrs6(set.v6)]));
  return d;
}

/** Resolves tags and ASGs for the rules of NSGs applied inside one VNet (VirtualNetwork depends on it, R-NSG-6). */
export class AddressResolver {
  private readonly cache = new Map<string, AddressSet>();

  constructor(
    readonly net: NetworkSpec,
    readonly tags: ServiceTagSet,
    readonly vnet: string,
  ) {}

  /** R-NSG-6: VirtualNetwork = own space + peers + on-premises + the VNet's UDR prefixes + 168.63.129.16. */
  virtualNetwork(): AddressSet {
    return this.cached('tag:virtualnetwork', () => setOf(virtualNetworkTagPrefixes(this.net, this.vnet)));
  }

  /**
   * R-NSG-6: Internet = public space outside the VNet's own, peered and on-premises prefixes and outside the R-ADDR-2
   * reserved ranges; UDR prefixes are not taken out (they are in VirtualNetwork and Internet both).
   */
  internet(): AddressSet {
    return this.cached('tag:internet', () => {
      const vn = setOf(internetExcludedNetworkPrefixes(this.net, this.vnet));
      const excluded4 = mergeRanges([...vn.v4, ...setOf(INTERNET_EXCLUDED_V4).v4]);
      return { v4: subtractRanges([[0, V4_END]], excluded4), v6: subtractRanges([V6_GLOBAL_UNICAST], vn.v6) };
    });
  }

  /** A service tag by name (any case, regional forms), or undefined when unknown. */
  tag(name: string): AddressSet | undefined {
    const t = resolveTagName(this.tags, name);
    if (t === undefined) return undefined;
    if (t === 'VirtualNetwork') return this.virtualNetwork();
    if (t === 'Internet') return this.internet();
    if (t === 'AzureLoadBalancer') return this.cached('tag:azureloadbalancer', () => setOf(azureLoadBalancerTagPrefixes()));
    // Published tags do not depend on the network: their sets are shared by every resolver of this tag set.
    let perSet = PUBLISHED.get(this.tags);
    if (perSet === undefined) PUBLISHED.set(this.tags, (perSet = new Map()));
    let set = perSet.get(t.name);
    if (set === undefined) perSet.set(t.name, (set = setOf([...t.v4, ...t.v6])));
    return set;
  }

  /** R-NSG-1: an ASG = the private IPs (v4 and v6) of the VMs whose NIC carries it; no member = empty. */
  asg(name: string): AddressSet {
    return this.cached(`asg:${name}`, () => {
      const ips: string[] = [];
      for (const vm of this.net.vms) {
        if (!vm.asgs.includes(name)) continue;
        ips.push(vm.privateIp);
        if (vm.privateIpV6 !== undefined) ips.push(vm.privateIpV6);
      }
      return setOf(ips);
    });
  }

  private cached(key: string, make: () => AddressSet): AddressSet {
    let s = this.cache.get(key);
    if (s === undefined) {
      s = make();
      this.cache.set(key, s);
    }
    return s;
  }
}

const asList = (x: string | string[]): string[] => (Array.isArray(x) ? x : [x]);

/** `*`, an address, a prefix, a tag or a list of addresses/prefixes (R-NSG-1), or ASGs. */
function expandAddress(
  field: string | string[],
  asgs: string[] | undefined,
  resolver: AddressResolver,
  path: string,
): { set: AddressSet; text: string } {
  if (asgs !== undefined && asgs.length > 0) {
    const items = asList(field);
    if (!(items.length === 0 || (items.length === 1 && (items[0] === '*' || items[0] === ''))))
      throw new NsgError(path, 'both addresses and application security groups are given; use one of them');
    return { set: unionSets(asgs.map((a) => resolver.asg(a))), text: asgs.join(',') };
  }
  const items = asList(field);
  if (items.length === 0) throw new NsgError(path, 'expected `*`, an address, a prefix, a service tag or a list of addresses');
  const text = items.join(',');
  if (items.length === 1) {
    const one = items[0]!.trim();
    if (one === '*' || one.toLowerCase() === 'any') return { set: ANY, text };
    // Addresses are digits, dots and a slash (IPv4) or contain ':' (IPv6); anything else names a tag.
    if (!/^[\d./]+$/.test(one) && !one.includes(':')) {
      const t = resolver.tag(one);
      // R-NSG-6: an unknown tag is an error, never an empty match.
      if (t === undefined) throw new NsgError(path, `unknown service tag "${one}" (expected an address, a prefix, * or a service tag)`);
      return { set: t, text };
    }
  }
  const sets: AddressSet[] = [];
  items.forEach((item, k) => {
    const at = items.length === 1 ? path : `${path}[${k}]`;
    try {
      sets.push(setOf([item.trim()]));
    } catch (e) {
      if (e instanceof AddressError) throw new NsgError(at, `expected an address or prefix in a list: ${e.message}`);
      throw e;
    }
  });
  return { set: unionSets(sets), text };
}

function expandPorts(spec: string | string[], path: string): { ranges: Range<number>[]; text: string[] } {
  try {
    const merged = parsePorts(spec);
    return { ranges: merged.map(([lo, hi]) => [lo, hi + 1]), text: merged.map(([lo, hi]) => `${lo}-${hi}`) };
  } catch (e) {
    if (e instanceof PortSpecError) throw new NsgError(path, e.message);
    throw e;
  }
}

/** A rule protocol as written (any case, `Any` = `*`) -> its canonical name, or undefined. */
export function canonicalProtocol(p: string): RuleProtocol | undefined {
  return ruleProtocolOf(p);
}

/** Expands one rule spec. `path` is the rule's path (`network.nsgs[0].rules[3]`); `isDefault` picks the name prefix. */
export function expandRule(spec: SecurityRuleSpec, resolver: AddressResolver, path: string, isDefault: boolean): ExpandedRule {
  const protocol = canonicalProtocol(spec.protocol);
  if (protocol === undefined) throw new NsgError(`${path}.protocol`, `"${spec.protocol}" is not one of Tcp, Udp, Icmp, Esp, Ah, *`);
  const src = expandAddress(spec.source, spec.sourceAsgs, resolver, `${path}.source`);
  const dst = expandAddress(spec.destination, spec.destinationAsgs, resolver, `${path}.destination`);
  const sp = expandPorts(spec.sourcePorts, `${path}.sourcePorts`);
  const dp = expandPorts(spec.destinationPorts, `${path}.destinationPorts`);
  const info: CompiledRuleInfo = {
    name: (isDefault ? DEFAULT_RULE_PREFIX : USER_RULE_PREFIX) + spec.name,
    priority: spec.priority,
    direction: spec.direction,
    access: spec.access,
    protocol,
    sourceAddressPrefixes: displayPrefixes(src.set),
    destinationAddressPrefixes: displayPrefixes(dst.set),
    sourcePortRanges: sp.text,
    destinationPortRanges: dp.text,
    sourceText: src.text,
    destinationText: dst.text,
  };
  return {
    info,
    allow: spec.access === 'Allow',
    proto: PROTOCOL_NUMBER[protocol],
    src: src.set,
    dst: dst.set,
    srcPorts: sp.ranges,
    dstPorts: dp.ranges,
  };
}
