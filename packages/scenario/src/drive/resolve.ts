// Names in scenario steps -> addresses and ingress codes (SCENARIOS.md: sources are a VM, a vnet/subnet or an
// on-premises name; targets a VM, a service, an on-premises name, an address, or a prefix/tag).
import { StepError } from '../step-error.js';
import { formatIpv4, formatIpv6, parseCidr, parseIpv4, parseIpv6, resolveTagName, type Cidr } from '@vnetsim/core';
import type { Network } from '@vnetsim/dataplane';
import { Ingress } from '@vnetsim/dataplane';

export interface Source {
  /** IPv4 sources as uint32, with the ingress code of each. */
  addrs: number[];
  ingress: number[];
  label: string;
}

/** Address `offset` inside a prefix (offset 0 = the prefix's own address). */
function hostIn(c: Cidr & { family: 4 }, offset: number): number {
  return (c.prefix + offset) >>> 0;
}

/** How many source addresses a subnet lends to traffic (Azure reserves .0-.3 and the broadcast). */
const SUBNET_HOSTS = 16;

export function resolveSource(net: Network, name: string, forTraffic: boolean): Source {
  const t = net.tables;
  const vm = t.vmNames.indexOf(name);
  if (vm >= 0) return { addrs: [t.vmPrivate[vm]!], ingress: [vm], label: `VM ${name}` };
  const s = t.subnetNames.indexOf(name);
  if (s >= 0) {
    const vms = [...t.vmNames.keys()].filter((v) => t.vmSubnet[v] === s);
    const spec = net.spec.vnets.flatMap((v) => v.subnets.map((x) => ({ n: `${v.name}/${x.name}`, x }))).find((e) => e.n === name)!.x;
    const c = parseCidr(spec.prefix);
    if (c.family !== 4) throw new StepError(`subnet ${name}: IPv4 prefix expected`);
    if (!forTraffic && vms.length > 0) return { addrs: [t.vmPrivate[vms[0]!]!], ingress: [vms[0]!], label: `VM ${t.vmNames[vms[0]!]} of ${name}` };
    const size = 2 ** (32 - c.length);
    const addrs: number[] = [];
    const ingress: number[] = [];
    for (let k = 4; k < Math.min(size - 1, 4 + (forTraffic ? SUBNET_HOSTS : 1)); k++) {
      const a = hostIn(c, k);
      const owner = vms.find((v) => t.vmPrivate[v] === a);
      addrs.push(a);
      ingress.push(owner ?? Ingress.SUBNET + s);
    }
    for (const v of vms) if (!addrs.includes(t.vmPrivate[v]!)) (addrs.push(t.vmPrivate[v]!), ingress.push(v));
    return { addrs, ingress, label: `subnet ${name}` };
  }
  const o = t.onPremNames.indexOf(name);
  if (o >= 0) {
    const c = parseCidr(net.spec.onPrem[o]!.prefix);
    if (c.family !== 4) throw new StepError(`on-premises ${name}: IPv4 prefix expected`);
    return { addrs: [hostIn(c, c.length >= 31 ? 0 : 10)], ingress: [Ingress.ON_PREM + o], label: `on-premises ${name}` };
  }
  // An address: a host on the Internet.
  if (!/^[0-9.]+$/.test(name) && !name.includes(':'))
    throw new StepError(`"${name}" is not a VM, vnet/subnet, on-premises site or address of this scenario`);
  if (name.includes(':')) return { addrs: [], ingress: [], label: `Internet host ${name}` };
  return { addrs: [parseIpv4(name)], ingress: [Ingress.EXTERNAL], label: `Internet host ${name}` };
}

/** Destination prefixes (traffic draws addresses in them) and the single address a packet step uses. */
export function resolveTarget(net: Network, name: string): { prefixes: string[]; address: string } {
  const t = net.tables;
  const vm = t.vmNames.indexOf(name);
  if (vm >= 0) return one(formatIpv4(t.vmPrivate[vm]!));
  const svc = t.serviceNames.indexOf(name);
  if (svc >= 0) return one(net.spec.services[svc]!.address);
  const o = t.onPremNames.indexOf(name);
  if (o >= 0) {
    const c = parseCidr(net.spec.onPrem[o]!.prefix);
    const first = c.family === 4 ? formatIpv4(hostIn(c, c.length >= 31 ? 0 : 10)) : net.spec.onPrem[o]!.prefix.split('/')[0]!;
    return { prefixes: [net.spec.onPrem[o]!.prefix], address: first };
  }
  if (/^[0-9.]+$/.test(name) || name.includes(':') && !name.includes('/')) return one(name);
  if (name.includes('/') && /^[0-9a-fA-F.:]+\/\d+$/.test(name)) {
    const c = parseCidr(name);
    return { prefixes: [name], address: c.family === 4 ? formatIpv4(hostIn(c, c.length >= 31 ? 0 : 4)) : name.split('/')[0]! };
  }
  const tag = resolveTagName(net.tags, name);
  if (tag !== undefined && typeof tag !== 'string' && tag.v4.length > 0) {
    const c = parseCidr(tag.v4[0]!);
    return { prefixes: tag.v4, address: c.family === 4 ? formatIpv4(hostIn(c, c.length >= 31 ? 0 : 4)) : tag.v4[0]! };
  }
  throw new StepError(`"${name}" is not a VM, service, on-premises site, address, prefix or service tag of this scenario`);
}

function one(address: string): { prefixes: string[]; address: string } {
  return { prefixes: [address.includes(':') ? `${address}/128` : `${address}/32`], address };
}

/** IPv6 sources of `name`: a VM's privateIpV6; a subnet's VMs with one, else hosts of its prefixV6; an on-premises
 * IPv6 prefix; an IPv6 address (an Internet host). Empty when `name` has no IPv6 address. */
export function resolveSource6(net: Network, name: string, forTraffic: boolean): { addrs: string[]; ingress: number[] } {
  const t = net.tables;
  const spec = net.spec;
  const vm = t.vmNames.indexOf(name);
  if (vm >= 0) {
    const a = spec.vms[vm]!.privateIpV6;
    return a === undefined ? { addrs: [], ingress: [] } : { addrs: [a], ingress: [vm] };
  }
  const s = t.subnetNames.indexOf(name);
  if (s >= 0) {
    const vms = spec.vms.flatMap((v, i) => (v.subnet === name && v.privateIpV6 !== undefined ? [{ a: v.privateIpV6, i }] : []));
    if (!forTraffic && vms.length > 0) return { addrs: [vms[0]!.a], ingress: [vms[0]!.i] };
    const prefix = spec.vnets.flatMap((v) => v.subnets.map((x) => ({ n: `${v.name}/${x.name}`, x }))).find((e) => e.n === name)!.x.prefixV6;
    if (prefix === undefined) return { addrs: vms.map((v) => v.a), ingress: vms.map((v) => v.i) };
    const c = parseCidr(prefix);
    const addrs: string[] = [];
    const ingress: number[] = [];
    if (c.family === 6)
      for (let k = 4; k < 4 + (forTraffic ? SUBNET_HOSTS : 1); k++) {
        const w = Uint32Array.from(c.words);
        w[3] = (w[3]! + k) >>> 0;
        const text = formatIpv6(w);
        const owner = vms.find((v) => formatIpv6(parseIpv6(v.a)) === text);
        addrs.push(text);
        ingress.push(owner?.i ?? Ingress.SUBNET + s);
      }
    for (const v of vms) if (!addrs.includes(formatIpv6(parseIpv6(v.a)))) (addrs.push(v.a), ingress.push(v.i));
    return { addrs, ingress };
  }
  const o = t.onPremNames.indexOf(name);
  if (o >= 0) {
    const c = parseCidr(spec.onPrem[o]!.prefix);
    if (c.family !== 6) return { addrs: [], ingress: [] };
    const w = Uint32Array.from(c.words);
    w[3] = (w[3]! + 10) >>> 0;
    return { addrs: [formatIpv6(w)], ingress: [Ingress.ON_PREM + o] };
  }
  return name.includes(':') ? { addrs: [name], ingress: [Ingress.EXTERNAL] } : { addrs: [], ingress: [] };
}
