// Checks of single items (a security rule, a route) and the address helpers the network validation shares.
// Each check appends Problems ({ path, message: what was found, what was expected }) and never throws.

import { AddressError } from '../addr/errors.js';
import { parseCidr, type Cidr } from '../addr/cidr.js';
import { ipv4InPrefix, ipv4PrefixesOverlap } from '../addr/ipv4.js';
import { ipv6InPrefix, ipv6PrefixContains } from '../addr/ipv6.js';
import { parsePorts, PortSpecError } from './ports.js';
import { RULE_PROTOCOLS } from './protocols.js';
import { INTERNET_EXCLUDED_V4, resolveTagName } from './service-tags/derived.js';
import type { ServiceTagSet } from './service-tags/types.js';
import { isServiceTagName } from './services.js';
import type { NetworkSpec, Problem, RouteSpec, SecurityRuleSpec } from './types.js';

export const RULE_PRIORITY_MIN = 100;
export const RULE_PRIORITY_MAX = 4096;
export const RULE_NAME_MAX = 80;
export const MAX_RULES_PER_NSG = 1000;
export const MAX_ROUTES_PER_TABLE = 400;

const DIRECTIONS = ['Inbound', 'Outbound'];
const ACCESSES = ['Allow', 'Deny'];
const UDR_NEXT_HOPS = ['VirtualNetworkGateway', 'VnetLocal', 'Internet', 'VirtualAppliance', 'None'];

export const show = (x: unknown): string =>
  x === undefined ? 'nothing' : x === null ? 'null' : typeof x === 'string' ? `"${x}"` : Array.isArray(x) ? `[${x.map(show).join(', ')}]` : typeof x === 'object' ? 'an object' : String(x);

export function isNonEmptyString(x: unknown): x is string {
  return typeof x === 'string' && x.trim() !== '';
}

/** A prefix (`a.b.c.d/n`, `x::/n`), or a bare address when `allowBare`; problems use addr's messages (R-ADDR-1). */
export function checkCidr(text: unknown, path: string, out: Problem[], what = 'an IPv4 or IPv6 prefix', allowBare = false): Cidr | undefined {
  if (typeof text !== 'string') {
    out.push({ path, message: `found ${show(text)}, expected ${what}` });
    return undefined;
  }
  try {
    return parseCidr(text, allowBare);
  } catch (e) {
    if (e instanceof AddressError) {
      out.push({ path, message: `${e.message} (expected ${what})` });
      return undefined;
    }
    throw e;
  }
}

/** An address, as a host prefix (/32 or /128). */
export function checkAddress(text: unknown, path: string, out: Problem[], what = 'an IPv4 or IPv6 address'): Cidr | undefined {
  if (typeof text === 'string' && text.includes('/')) {
    out.push({ path, message: `found prefix "${text}", expected ${what} (no /length)` });
    return undefined;
  }
  return checkCidr(text, path, out, what, true);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family === 4 && inner.family === 4)
    return inner.length >= outer.length && ipv4InPrefix(inner.prefix, outer.prefix, outer.length);
  if (outer.family === 6 && inner.family === 6) return ipv6PrefixContains(outer, inner);
  return false;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family === 4 && b.family === 4) return ipv4PrefixesOverlap(a, b);
  return cidrContains(a, b) || cidrContains(b, a);
}

const EXCLUDED_V4 = INTERNET_EXCLUDED_V4.map((p) => parseCidr(p));
const NON_PUBLIC_V6 = ['fc00::/7', 'fe80::/10', '::1/128', '::/128', 'ff00::/8'].map((p) => parseCidr(p));

/** R-ADDR-2 / R-SVC-1: true when any part of the prefix is private, reserved or otherwise not public. */
export function touchesNonPublic(c: Cidr): boolean {
  const ranges = c.family === 4 ? EXCLUDED_V4 : NON_PUBLIC_V6;
  return ranges.some((r) => cidrsOverlap(r, c));
}

/** True when address `a` (host prefix) lies in any of `prefixes` (canonical strings of a tag). */
export function addressInPrefixes(a: Cidr, v4: readonly string[], v6: readonly string[]): boolean {
  if (a.family === 4) {
    for (const p of v4) {
      const c = parseCidr(p);
      if (c.family === 4 && ipv4InPrefix(a.prefix, c.prefix, c.length)) return true;
    }
    return false;
  }
  for (const p of v6) {
    const c = parseCidr(p);
    if (c.family === 6 && ipv6InPrefix(a.words, c.words, c.length)) return true;
  }
  return false;
}

function checkPorts(spec: unknown, path: string, out: Problem[]): void {
  try {
    if (typeof spec !== 'string' && typeof spec !== 'number' && !Array.isArray(spec)) throw new PortSpecError(`found ${show(spec)}`);
    parsePorts(spec as string | number | string[]);
  } catch (e) {
    if (!(e instanceof PortSpecError)) throw e;
    out.push({ path, message: `${e.message} (expected *, a port 0-65535, a range a-b, or a list of those)` });
  }
}

/** `*`, an address, a prefix, a list of addresses/prefixes, or one service tag (R-NSG-1, R-NSG-6). */
function checkEndpoint(value: unknown, path: string, tags: ServiceTagSet, out: Problem[], hasAsgs: boolean, families: Set<number>): void {
  const what = '*, an address, a prefix, a list of addresses/prefixes, or one service tag';
  if (hasAsgs) {
    // R-NSG-1: application security groups replace the address field.
    if (value !== undefined && value !== '*' && value !== '' && !(Array.isArray(value) && value.length === 0))
      out.push({ path, message: `found ${show(value)} together with application security groups, expected * (use one or the other)` });
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    out.push({ path, message: `found an empty list, expected ${what}` });
    return;
  }
  items.forEach((item, i) => {
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    if (typeof item !== 'string' || item.trim() === '') {
      out.push({ path: at, message: `found ${show(item)}, expected ${what}` });
      return;
    }
    if (item === '*') {
      if (items.length > 1) out.push({ path: at, message: 'found * inside a list, expected * alone' });
      return;
    }
    if (/^[0-9.]+(\/\d+)?$/.test(item) || item.includes(':')) {
      const c = checkCidr(item, at, out, 'an address or a prefix', true);
      if (c !== undefined) families.add(c.family);
      return;
    }
    // R-NSG-6: an unknown tag is an error, never an empty match.
    if (resolveTagName(tags, item) === undefined) {
      out.push({ path: at, message: `unknown service tag "${item}" (expected VirtualNetwork, Internet, AzureLoadBalancer or a tag of "${tags.source}", e.g. Storage or Storage.WestEurope)` });
      return;
    }
    if (items.length > 1) out.push({ path: at, message: `found service tag "${item}" inside a list, expected a service tag alone` });
  });
}

/** ASG names assigned to some VM (ASGs exist through `vms[].asgs`). */
export function asgNames(net: NetworkSpec): Set<string> {
  return new Set((Array.isArray(net.vms) ? net.vms : []).flatMap((v) => (Array.isArray(v?.asgs) ? v.asgs : [])));
}

/** Every problem of one security rule (R-NSG-1). With `net`, ASG names must be assigned to some VM. */
export function validateRule(rule: SecurityRuleSpec, path: string, tags: ServiceTagSet, net?: NetworkSpec): Problem[] {
  return checkRule(rule, path, tags, net === undefined ? undefined : asgNames(net));
}

/** validateRule with the network's ASG names computed once by the caller. */
export function checkRule(rule: SecurityRuleSpec, path: string, tags: ServiceTagSet, asgs: Set<string> | undefined): Problem[] {
  const out: Problem[] = [];
  if (typeof rule !== 'object' || rule === null) return [{ path, message: `found ${show(rule)}, expected a security rule object` }];
  if (!isNonEmptyString(rule.name)) out.push({ path: `${path}.name`, message: `found ${show(rule.name)}, expected a rule name` });
  else if (rule.name.length > RULE_NAME_MAX)
    out.push({ path: `${path}.name`, message: `rule name "${rule.name.slice(0, 20)}..." has ${rule.name.length} characters, expected at most ${RULE_NAME_MAX}` });
  if (typeof rule.priority !== 'number' || !Number.isInteger(rule.priority) || rule.priority < RULE_PRIORITY_MIN || rule.priority > RULE_PRIORITY_MAX)
    out.push({ path: `${path}.priority`, message: `found ${show(rule.priority)}, expected an integer from ${RULE_PRIORITY_MIN} to ${RULE_PRIORITY_MAX}` });
  if (!DIRECTIONS.includes(rule.direction)) out.push({ path: `${path}.direction`, message: `found ${show(rule.direction)}, expected Inbound or Outbound` });
  if (!ACCESSES.includes(rule.access)) out.push({ path: `${path}.access`, message: `found ${show(rule.access)}, expected Allow or Deny` });
  if (!RULE_PROTOCOLS.includes(rule.protocol))
    out.push({ path: `${path}.protocol`, message: `found ${show(rule.protocol)}, expected one of Tcp, Udp, Icmp, Esp, Ah, *` });
  checkPorts(rule.sourcePorts, `${path}.sourcePorts`, out);
  checkPorts(rule.destinationPorts, `${path}.destinationPorts`, out);
  const srcAsgs = rule.sourceAsgs ?? [];
  const dstAsgs = rule.destinationAsgs ?? [];
  const families = new Set<number>();
  checkEndpoint(rule.source, `${path}.source`, tags, out, srcAsgs.length > 0, families);
  checkEndpoint(rule.destination, `${path}.destination`, tags, out, dstAsgs.length > 0, families);
  if (families.size > 1)
    out.push({ path: `${path}.destination`, message: 'the rule mixes IPv4 and IPv6 addresses in source/destination, expected one address family per rule' });
  if (asgs !== undefined) {
    const known = asgs;
    const asgCheck = (list: string[], field: string) =>
      list.forEach((a, i) => {
        if (!known.has(a)) out.push({ path: `${path}.${field}[${i}]`, message: `unknown application security group "${a}" (no VM has it in asgs)` });
      });
    asgCheck(srcAsgs, 'sourceAsgs');
    asgCheck(dstAsgs, 'destinationAsgs');
  }
  if (rule.description !== undefined && String(rule.description).length > 140)
    out.push({ path: `${path}.description`, message: `description has ${String(rule.description).length} characters, expected at most 140` });
  return out;
}

/** Every problem of one user-defined route (R-RT-3). */
/**
 * Checks one route. Its prefix is a CIDR or (R-RT-8) a service tag name; with `tags`, an unknown tag is a problem,
 * without them only the tag name's shape is checked.
 */
export function validateRoute(route: RouteSpec, path: string, tags?: ServiceTagSet): Problem[] {
  const out: Problem[] = [];
  if (typeof route !== 'object' || route === null) return [{ path, message: `found ${show(route)}, expected a route object` }];
  if (!isNonEmptyString(route.name)) out.push({ path: `${path}.name`, message: `found ${show(route.name)}, expected a route name` });
  if (typeof route.prefix === 'string' && isServiceTagName(route.prefix)) {
    if (tags !== undefined && !tags.has(route.prefix))
      out.push({ path: `${path}.prefix`, message: `unknown service tag "${route.prefix}" (tag set "${tags.source}"), expected an IPv4 or IPv6 prefix or a service tag such as Storage or Storage.WestEurope (R-RT-8)` });
  } else checkCidr(route.prefix, `${path}.prefix`, out, 'an IPv4 or IPv6 prefix or a service tag name (R-RT-8)');
  const t = route.nextHopType as string;
  if (t === 'VNetPeering' || t === 'VirtualNetworkServiceEndpoint')
    out.push({ path: `${path}.nextHopType`, message: `next hop type ${t} is refused in a user-defined route (R-RT-3), expected one of ${UDR_NEXT_HOPS.join(', ')}` });
  else if (!UDR_NEXT_HOPS.includes(t))
    out.push({ path: `${path}.nextHopType`, message: `found ${show(t)}, expected one of ${UDR_NEXT_HOPS.join(', ')}` });
  const hasIp = route.nextHopIp !== undefined && route.nextHopIp !== null && route.nextHopIp !== '';
  if (t === 'VirtualAppliance') {
    if (!hasIp) out.push({ path: `${path}.nextHopIp`, message: 'next hop type VirtualAppliance needs nextHopIp (the appliance\'s private address)' });
    else checkAddress(route.nextHopIp, `${path}.nextHopIp`, out, 'the appliance\'s IP address');
  } else if (hasIp && UDR_NEXT_HOPS.includes(t)) {
    out.push({ path: `${path}.nextHopIp`, message: `found nextHopIp ${show(route.nextHopIp)} with next hop type ${t}, expected nextHopIp only with VirtualAppliance` });
  }
  return out;
}
