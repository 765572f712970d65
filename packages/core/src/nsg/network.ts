// The NSGs of a network: compiled classifiers per (NSG, direction, VNet), memoized and recompiled only when what they
// depend on changes; R-NSG-4 evaluation across NIC and subnet; IP flow verify and effective security rules.
import { parseAddress } from '../addr/index.js';
import { PROTOCOL_NUMBER } from '../model/protocols.js';
import { virtualNetworkTagPrefixes } from '../model/service-tags/index.js';
import type { ServiceTagSet } from '../model/service-tags/types.js';
import type { Access, Direction, NetworkSpec, NsgSpec, SecurityRuleSpec, VmSpec } from '../model/types.js';
import { compileClassifier, type CompiledNsgClassifier } from './classifier.js';
import { DEFAULT_RULE_PREFIX, DEFAULT_SECURITY_RULES, isDefaultRuleName, USER_RULE_PREFIX } from './defaults.js';
import { AddressResolver, canonicalProtocol, expandRule, NsgError } from './expand.js';
import { NSG_LEVEL_ORDER, type CompiledRuleInfo, type IpFlowVerifyResult, type NsgClassifier, type NsgLevel } from './types.js';
import { validateNsgSpec } from './validate.js';

export type { NsgLevel } from './types.js';

/** The NSGs that apply to a VM's traffic (R-NSG-4), and the VNet whose VirtualNetwork tag they use. */
export interface VmNsgs {
  vm: string;
  vnet: string;
  subnet: string;
  nic: string | null;
  subnetNsg: string | null;
}

/** A classifier that was recompiled (or dropped: its NSG is gone) by `update`. */
export interface ClassifierChange {
  nsg: string;
  direction: Direction;
  vnet: string;
  removed: boolean;
}

export interface NetworkNsgs {
  /** Memoized compiled rules of one NSG and direction, for NICs/subnets of `vnet` (R-NSG-6 VirtualNetwork). */
  classifier(nsg: string, direction: Direction, vnet: string): NsgClassifier;
  /** The NSGs on a VM's NIC and subnet. */
  vmNsgs(vm: string): VmNsgs;
  /** Network Watcher IP flow verify: `local`/`remote` as `ip:port` (`[v6]:port` for IPv6). */
  ipFlowVerify(vm: string, direction: Direction, protocol: string | number, local: string, remote: string): IpFlowVerifyResult;
  /** Same as ipFlowVerify with numbers: protocol IANA number, addresses uint32 or 4-word Uint32Array (IPv6). */
  evaluate(
    vm: string,
    direction: Direction,
    proto: number,
    src: number | Uint32Array,
    srcPort: number,
    dst: number | Uint32Array,
    dstPort: number,
  ): IpFlowVerifyResult;
  /** Effective security rules of a VM's NIC and subnet NSGs, tags expanded (both directions, by priority). */
  effectiveSecurityRules(vm: string): Array<{ level: NsgLevel; nsg: string; rules: CompiledRuleInfo[] }>;
  /** Takes a changed network (and tag set); recompiles only the classifiers whose inputs changed. */
  update(net: NetworkSpec, tags?: ServiceTagSet): ClassifierChange[];
}

interface CacheEntry {
  classifier: CompiledNsgClassifier;
  fingerprint: string;
}

const cacheKey = (nsg: string, direction: Direction, vnet: string) => `${nsg}\u0000${direction}\u0000${vnet}`;

class NsgNetwork implements NetworkNsgs {
  private net!: NetworkSpec;
  private nsgs = new Map<string, { spec: NsgSpec; index: number }>();
  private vms = new Map<string, VmNsgs>();
  private resolvers = new Map<string, AddressResolver>();
  private readonly cache = new Map<string, CacheEntry>();
  private readonly scratch6 = new Uint32Array(8);

  constructor(
    net: NetworkSpec,
    private tags: ServiceTagSet,
  ) {
    this.load(net);
  }

  private load(net: NetworkSpec): void {
    this.net = net;
    this.nsgs = new Map(net.nsgs.map((spec, index) => [spec.name, { spec, index }]));
    this.resolvers = new Map();
    this.vms = new Map();
    for (const vm of net.vms) this.vms.set(vm.name, this.levelsOf(vm));
  }

  private levelsOf(vm: VmSpec): VmNsgs {
    const slash = vm.subnet.indexOf('/');
    const vnetName = vm.subnet.slice(0, slash);
    const subnetName = vm.subnet.slice(slash + 1);
    const vnet = this.net.vnets.find((v) => v.name === vnetName);
    const subnet = vnet?.subnets.find((s) => s.name === subnetName);
    if (vnet === undefined || subnet === undefined)
      throw new NsgError(`network.vms[${this.net.vms.indexOf(vm)}].subnet`, `"${vm.subnet}" is not an existing vnet/subnet`);
    return { vm: vm.name, vnet: vnetName, subnet: subnetName, nic: vm.nsg ?? null, subnetNsg: subnet.nsg ?? null };
  }

  private resolver(vnet: string): AddressResolver {
    let r = this.resolvers.get(vnet);
    if (r === undefined) {
      r = new AddressResolver(this.net, this.tags, vnet);
      this.resolvers.set(vnet, r);
    }
    return r;
  }

  private nsgSpec(nsg: string): { spec: NsgSpec; index: number } {
    const found = this.nsgs.get(nsg);
    if (found === undefined) throw new NsgError('network.nsgs', `no NSG named "${nsg}"`);
    return found;
  }

  /** What a classifier depends on: its rules, the VNet's VirtualNetwork prefixes, the members of the ASGs it names. */
  private fingerprint(spec: NsgSpec, direction: Direction, vnet: string): string {
    const rules = spec.rules.filter((r) => r.direction === direction);
    const asgs = new Set(rules.flatMap((r) => [...(r.sourceAsgs ?? []), ...(r.destinationAsgs ?? [])]));
    const members = [...asgs].sort().map((a) =>
      this.net.vms.filter((vm) => vm.asgs.includes(a)).map((vm) => `${vm.privateIp} ${vm.privateIpV6 ?? ''}`).join(','),
    );
    return JSON.stringify([rules, virtualNetworkTagPrefixes(this.net, vnet), members]);
  }

  private compile(nsg: string, direction: Direction, vnet: string): CacheEntry {
    const { spec, index } = this.nsgSpec(nsg);
    const path = `network.nsgs[${index}]`;
    const problems = validateNsgSpec(spec, path);
    if (problems.length > 0) throw new NsgError(problems[0]!.path, problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    const resolver = this.resolver(vnet);
    const expanded = spec.rules.flatMap((r, i) => (r.direction === direction ? [expandRule(r, resolver, `${path}.rules[${i}]`, false)] : []));
    // R-NSG-3: the default rules are always appended, whatever the spec holds.
    for (const d of DEFAULT_SECURITY_RULES)
      if (d.direction === direction) expanded.push(expandRule(d, resolver, `${path}.defaultSecurityRules.${d.name}`, true));
    return { classifier: compileClassifier(nsg, direction, expanded), fingerprint: this.fingerprint(spec, direction, vnet) };
  }

  classifier(nsg: string, direction: Direction, vnet: string): CompiledNsgClassifier {
    const key = cacheKey(nsg, direction, vnet);
    let e = this.cache.get(key);
    if (e === undefined) {
      e = this.compile(nsg, direction, vnet);
      this.cache.set(key, e);
    }
    return e.classifier;
  }

  vmNsgs(vm: string): VmNsgs {
    const l = this.vms.get(vm);
    if (l === undefined) throw new NsgError('network.vms', `no VM named "${vm}"`);
    return l;
  }

  evaluate(
    vm: string,
    direction: Direction,
    proto: number,
    src: number | Uint32Array,
    srcPort: number,
    dst: number | Uint32Array,
    dstPort: number,
  ): IpFlowVerifyResult {
    const l = this.vmNsgs(vm);
    if (typeof src !== typeof dst) throw new NsgError('evaluate', 'source and destination must be of one address family');
    const evaluated: IpFlowVerifyResult['evaluated'] = [];
    for (const level of NSG_LEVEL_ORDER[direction]) {
      const nsg = level === 'nic' ? l.nic : l.subnetNsg;
      if (nsg === null) continue; // R-NSG-4: a level without an NSG allows.
      const c = this.classifier(nsg, direction, l.vnet);
      let i: number;
      if (typeof src === 'number') i = c.classify4(proto, src, srcPort, dst as number, dstPort);
      else {
        this.scratch6.set(src, 0);
        this.scratch6.set(dst as Uint32Array, 4);
        i = c.classify6(proto, this.scratch6, 0, srcPort, 4, dstPort);
      }
      const rule = c.rules[i]!;
      const access: Access = c.allow[i] === 1 ? 'Allow' : 'Deny';
      evaluated.push({ level, nsg, rule: rule.name, access });
      // R-NSG-4: a Deny at any level ends the evaluation.
      if (access === 'Deny') return { access, ruleName: rule.name, nsg, evaluated };
    }
    const last = evaluated[evaluated.length - 1];
    return { access: 'Allow', ruleName: last?.rule ?? null, nsg: last?.nsg ?? null, evaluated };
  }

  ipFlowVerify(vm: string, direction: Direction, protocol: string | number, local: string, remote: string): IpFlowVerifyResult {
    const proto = protocolNumber(protocol);
    const l = parseEndpoint(local, 'local');
    const r = parseEndpoint(remote, 'remote');
    // Azure refuses an IP flow verify whose local address is not one of the VM's NIC addresses.
    const spec = this.net.vms.find((v) => v.name === vm);
    const localIp = local.replace(/^\[?(.*?)\]?:\d+$/, '$1');
    if (spec !== undefined && !vmOwnsAddress(spec, l.addr))
      throw new NsgError(
        'local',
        `${localIp} is not an address of VM ${vm} (its addresses: ${[spec.privateIp, ...(spec.privateIpV6 === undefined ? [] : [spec.privateIpV6])].join(', ')})`,
      );
    const [s, d] = direction === 'Outbound' ? [l, r] : [r, l];
    return this.evaluate(vm, direction, proto, s.addr, s.port, d.addr, d.port);
  }

  effectiveSecurityRules(vm: string): Array<{ level: NsgLevel; nsg: string; rules: CompiledRuleInfo[] }> {
    const l = this.vmNsgs(vm);
    const out: Array<{ level: NsgLevel; nsg: string; rules: CompiledRuleInfo[] }> = [];
    for (const [level, nsg] of [['nic', l.nic], ['subnet', l.subnetNsg]] as Array<[NsgLevel, string | null]>) {
      if (nsg === null) continue;
      const rules = [...this.classifier(nsg, 'Inbound', l.vnet).rules, ...this.classifier(nsg, 'Outbound', l.vnet).rules];
      out.push({ level, nsg, rules });
    }
    return out;
  }

  update(net: NetworkSpec, tags?: ServiceTagSet): ClassifierChange[] {
    const tagsChanged = tags !== undefined && tags !== this.tags;
    if (tags !== undefined) this.tags = tags;
    this.load(net);
    const changes: ClassifierChange[] = [];
    for (const [key, entry] of [...this.cache]) {
      const [nsg, direction, vnet] = key.split('\u0000') as [string, Direction, string];
      const found = this.nsgs.get(nsg);
      if (found === undefined || !net.vnets.some((v) => v.name === vnet)) {
        this.cache.delete(key);
        changes.push({ nsg, direction, vnet, removed: true });
        continue;
      }
      if (!tagsChanged && this.fingerprint(found.spec, direction, vnet) === entry.fingerprint) continue;
      this.cache.set(key, this.compile(nsg, direction, vnet));
      changes.push({ nsg, direction, vnet, removed: false });
    }
    return changes;
  }
}

function vmOwnsAddress(vm: VmSpec, addr: number | Uint32Array): boolean {
  const own = typeof addr === 'number' ? vm.privateIp : vm.privateIpV6;
  if (own === undefined) return false;
  const a = parseAddress(own);
  if (typeof addr === 'number') return a.family === 4 && a.addr === addr;
  return a.family === 6 && a.words.every((w, i) => w === addr[i]);
}

/** `Tcp`/`Udp`/`Icmp`/`Esp`/`Ah` (any case) or an IANA number. */
export function protocolNumber(protocol: string | number): number {
  if (typeof protocol === 'number') {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) throw new NsgError('protocol', `${protocol} is not 0..255`);
    return protocol;
  }
  const p = canonicalProtocol(protocol);
  if (p === undefined || p === '*') throw new NsgError('protocol', `"${protocol}" is not one of Tcp, Udp, Icmp, Esp, Ah`);
  return PROTOCOL_NUMBER[p];
}

/** `10.0.0.4:80` or `[2001:db8::4]:80` -> address (uint32 or 4 words) and port. */
export function parseEndpoint(text: string, what: string): { addr: number | Uint32Array; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  if (m === null || Number(m[2]) > 65535) throw new NsgError(what, `"${text}" is not ip:port (IPv6: [address]:port)`);
  const a = parseAddress(m[1]!);
  return { addr: a.family === 4 ? a.addr : a.words, port: Number(m[2]) };
}

/** Compiles the NSGs of a network lazily: classifiers are built on first use and memoized. */
export function compileNsgs(net: NetworkSpec, tags: ServiceTagSet): NetworkNsgs {
  return new NsgNetwork(net, tags);
}

/** A copy of `net` with `rule` added to NSG `nsg`, replacing a user rule of the same name (control-plane edit). */
export function setRule(net: NetworkSpec, nsg: string, rule: SecurityRuleSpec): NetworkSpec {
  const i = net.nsgs.findIndex((n) => n.name === nsg);
  if (i < 0) throw new NsgError('network.nsgs', `no NSG named "${nsg}"`);
  if (isDefaultRuleName(rule.name) && rule.name.startsWith(DEFAULT_RULE_PREFIX))
    throw new NsgError(`network.nsgs[${i}].rules`, `${rule.name} is a default rule: default rules cannot be changed (R-NSG-3)`);
  const rules = net.nsgs[i]!.rules.filter((r) => r.name !== rule.name);
  rules.push(rule);
  const nsgs = net.nsgs.map((n, k) => (k === i ? { ...n, rules } : n));
  return { ...net, nsgs };
}

/** A copy of `net` without user rule `name` (with or without `securityRules/`). Default rules cannot be removed (R-NSG-3). */
export function removeRule(net: NetworkSpec, nsg: string, name: string): NetworkSpec {
  const i = net.nsgs.findIndex((n) => n.name === nsg);
  if (i < 0) throw new NsgError('network.nsgs', `no NSG named "${nsg}"`);
  const bare = name.startsWith(USER_RULE_PREFIX) ? name.slice(USER_RULE_PREFIX.length) : name;
  const rules = net.nsgs[i]!.rules;
  if (!rules.some((r) => r.name === bare)) {
    if (isDefaultRuleName(name))
      throw new NsgError(`network.nsgs[${i}].rules`, `${name} is a default rule: default rules cannot be removed (R-NSG-3)`);
    throw new NsgError(`network.nsgs[${i}].rules`, `no rule named "${name}"`);
  }
  const nsgs = net.nsgs.map((n, k) => (k === i ? { ...n, rules: rules.filter((r) => r.name !== bare) } : n));
  return { ...net, nsgs };
}
