// Validation of a described network: every problem at once, each with the path of the offending value
// (`network.vnets[0].subnets[1].prefix`), what was found and what was expected. Never throws for bad input.

import type { Cidr } from '../addr/cidr.js';
import { formatCidr, parseCidr } from '../addr/cidr.js';
import { isKnownRegion, pairedRegion, canonicalRegion } from './regions.js';
import { endpointScope, endpointService, endpointServiceName, regionalTag } from './services.js';
import { ServiceTagError } from './service-tags/errors.js';
import type { ServiceTagSet } from './service-tags/types.js';
import type { NetworkSpec, Problem, SubnetSpec, ValidationProblem, VnetSpec } from './types.js';
import {
  addressInPrefixes,
  asgNames,
  checkAddress,
  checkRule,
  checkCidr,
  cidrContains,
  cidrsOverlap,
  isNonEmptyString,
  MAX_ROUTES_PER_TABLE,
  MAX_RULES_PER_NSG,
  show,
  touchesNonPublic,
  validateRoute,
} from './validate-items.js';

export { validateRule, validateRoute } from './validate-items.js';

const N = 'network';
const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);

/** Reports names that are missing or repeated in `items` (at `${base}[i].name`). */
function checkNames(items: Array<{ name: string }>, base: string, what: string, out: Problem[]): void {
  const first = new Map<string, number>();
  items.forEach((it, i) => {
    const path = `${base}[${i}].name`;
    if (!isNonEmptyString(it?.name)) {
      out.push({ path, message: `found ${show(it?.name)}, expected a ${what} name` });
      return;
    }
    const prev = first.get(it.name);
    if (prev !== undefined) out.push({ path, message: `duplicate ${what} name "${it.name}" (also at ${base}[${prev}]), expected unique names` });
    else first.set(it.name, i);
  });
}

function checkRegion(region: unknown, path: string, out: Problem[]): void {
  if (typeof region !== 'string' || !isKnownRegion(region))
    out.push({ path, message: `unknown region ${show(region)}, expected an Azure region such as westeurope or eastus` });
}

interface SubnetRef {
  vnet: VnetSpec;
  subnet: SubnetSpec;
}

/** Resolves `vnet/subnet`, reporting a malformed or unknown reference. */
function resolveSubnet(net: NetworkSpec, ref: unknown, path: string, out: Problem[]): SubnetRef | undefined {
  if (typeof ref !== 'string' || !/^[^/]+\/[^/]+$/.test(ref)) {
    out.push({ path, message: `found ${show(ref)}, expected a subnet reference "vnet/subnet"` });
    return undefined;
  }
  const [vn, sn] = ref.split('/') as [string, string];
  const vnet = arr(net.vnets).find((v) => v.name === vn);
  if (vnet === undefined) {
    out.push({ path, message: `unknown VNet "${vn}" in "${ref}", expected one of: ${arr(net.vnets).map((v) => v.name).join(', ') || '(no VNets)'}` });
    return undefined;
  }
  const subnet = arr(vnet.subnets).find((s) => s.name === sn);
  if (subnet === undefined) {
    out.push({ path, message: `unknown subnet "${sn}" in VNet "${vn}", expected one of: ${arr(vnet.subnets).map((s) => s.name).join(', ') || '(no subnets)'}` });
    return undefined;
  }
  return { vnet, subnet };
}

function checkRef(name: unknown, known: Set<string>, path: string, what: string, out: Problem[]): void {
  if (name === undefined || name === null) return;
  if (typeof name !== 'string' || !known.has(name))
    out.push({ path, message: `unknown ${what} ${show(name)}, expected one of: ${[...known].join(', ') || `(no ${what}s defined)`}` });
}

/** Azure reserves the network address, .1-.3 and the broadcast address of every IPv4 subnet. */
function reservedInSubnet(ip: Cidr, subnet: Cidr): boolean {
  if (ip.family !== 4 || subnet.family !== 4 || subnet.length > 29) return false;
  const offset = (ip.prefix - subnet.prefix) >>> 0;
  const last = 2 ** (32 - subnet.length) - 1;
  return offset <= 3 || offset === last;
}

/** R-ADDR-3: ranges no VNet address space may overlap. */
const NOT_DECLARABLE: ReadonlyArray<{ text: string; what: string; c: Cidr }> = [
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['168.63.129.16/32', 'the Azure platform address'],
].map(([text, what]) => ({ text: text!, what: what!, c: parseCidr(text!) }));

function validateVnets(net: NetworkSpec, tags: ServiceTagSet, out: Problem[]): Map<SubnetSpec, Cidr[]> {
  const vnets = arr(net.vnets);
  const nsgNames = new Set(arr(net.nsgs).map((n) => n.name));
  const rtNames = new Set(arr(net.routeTables).map((r) => r.name));
  const policyByName = new Map(arr(net.endpointPolicies).map((p) => [p.name, p]));
  const vnetNames = new Set(vnets.map((v) => v.name));
  const spaces = new Map<VnetSpec, Cidr[]>();
  const subnetPrefixes = new Map<SubnetSpec, Cidr[]>();
  checkNames(vnets, `${N}.vnets`, 'VNet', out);

  vnets.forEach((vnet, vi) => {
    const vp = `${N}.vnets[${vi}]`;
    checkRegion(vnet.region, `${vp}.region`, out);
    if (vnet.deploymentModel !== 'ResourceManager' && vnet.deploymentModel !== 'Classic')
      out.push({ path: `${vp}.deploymentModel`, message: `found ${show(vnet.deploymentModel)}, expected ResourceManager or Classic` });
    if (!isNonEmptyString(vnet.tenant)) out.push({ path: `${vp}.tenant`, message: `found ${show(vnet.tenant)}, expected a tenant name` });
    if (!isNonEmptyString(vnet.subscription)) out.push({ path: `${vp}.subscription`, message: `found ${show(vnet.subscription)}, expected a subscription name` });

    // Address space: valid, canonical prefixes that do not overlap each other.
    const space: Array<{ c: Cidr; i: number }> = [];
    if (arr(vnet.addressSpace).length === 0) out.push({ path: `${vp}.addressSpace`, message: 'found no address ranges, expected at least one prefix' });
    arr(vnet.addressSpace).forEach((p, i) => {
      const c = checkCidr(p, `${vp}.addressSpace[${i}]`, out, 'an address range prefix');
      if (c === undefined) return;
      // R-ADDR-3: ranges a VNet may not declare.
      const banned = NOT_DECLARABLE.find((b) => cidrsOverlap(b.c, c));
      if (banned !== undefined)
        out.push({
          path: `${vp}.addressSpace[${i}]`,
          message: `${p} overlaps ${banned.text} (${banned.what}), which a VNet may not declare (R-ADDR-3); expected a range outside ${NOT_DECLARABLE.map((b) => b.text).join(', ')}`,
        });
      const clash = space.find((s) => cidrsOverlap(s.c, c));
      if (clash !== undefined)
        out.push({ path: `${vp}.addressSpace[${i}]`, message: `${p} overlaps ${formatCidr(clash.c)} (addressSpace[${clash.i}]) of the same VNet, expected disjoint address ranges` });
      else space.push({ c, i });
    });
    spaces.set(vnet, space.map((s) => s.c));

    arr(vnet.peerings).forEach((peer, i) => {
      const at = `${vp}.peerings[${i}]`;
      if (peer === vnet.name) out.push({ path: at, message: `VNet "${peer}" peers with itself, expected another VNet's name` });
      else checkRef(peer, vnetNames, at, 'VNet', out);
    });
    if (vnet.gateway !== undefined) {
      arr(vnet.gateway.onPremPrefixes).forEach((p, i) => checkCidr(p, `${vp}.gateway.onPremPrefixes[${i}]`, out, 'an on-premises prefix'));
      arr(vnet.gateway.natIps).forEach((p, i) => checkAddress(p, `${vp}.gateway.natIps[${i}]`, out, 'a public NAT address'));
    }
    if (vnet.defaultOutboundIp !== undefined) checkAddress(vnet.defaultOutboundIp, `${vp}.defaultOutboundIp`, out, 'a public address');

    checkNames(arr(vnet.subnets), `${vp}.subnets`, 'subnet', out);
    const placed: Array<{ c: Cidr; path: string }> = [];
    arr(vnet.subnets).forEach((sub, si) => {
      const sp = `${vp}.subnets[${si}]`;
      const own: Cidr[] = [];
      const place = (text: unknown, path: string) => {
        const c = checkCidr(text, path, out, 'a subnet prefix');
        if (c === undefined) return;
        own.push(c);
        // R-ADDR-3: Azure's smallest IPv4 subnet is a /29; an IPv6 subnet is a /64.
        if (c.family === 4 && c.length > 29)
          out.push({ path, message: `subnet ${text} is a /${c.length}, smaller than Azure allows (R-ADDR-3); expected an IPv4 subnet of /29 or larger` });
        if (c.family === 6 && c.length !== 64)
          out.push({ path, message: `subnet ${text} is a /${c.length} (R-ADDR-3); expected an IPv6 subnet of exactly /64` });
        if (space.length > 0 && !space.some((s) => cidrContains(s.c, c)))
          out.push({ path, message: `subnet ${text} lies outside the address space of VNet "${vnet.name}" (${space.map((s) => formatCidr(s.c)).join(', ')}), expected a prefix inside it` });
        const clash = placed.find((p) => cidrsOverlap(p.c, c));
        if (clash !== undefined) out.push({ path, message: `subnet ${text} overlaps ${formatCidr(clash.c)} (${clash.path}), expected disjoint subnets` });
        placed.push({ c, path });
      };
      place(sub.prefix, `${sp}.prefix`);
      if (sub.prefixV6 !== undefined) place(sub.prefixV6, `${sp}.prefixV6`);
      subnetPrefixes.set(sub, own);
      checkRef(sub.nsg, nsgNames, `${sp}.nsg`, 'NSG', out);
      checkRef(sub.routeTable, rtNames, `${sp}.routeTable`, 'route table', out);
      arr(sub.natGateway?.publicIps).forEach((ip, i) => {
        const c = checkAddress(ip, `${sp}.natGateway.publicIps[${i}]`, out, 'a public address');
        if (c !== undefined && touchesNonPublic(c)) out.push({ path: `${sp}.natGateway.publicIps[${i}]`, message: `${ip} is not a public address, expected a public IP` });
      });
      validateEndpoints(vnet, sub, sp, tags, out);
      arr(sub.endpointPolicies).forEach((name, i) => {
        const at = `${sp}.endpointPolicies[${i}]`;
        const pol = policyByName.get(name);
        if (pol === undefined) {
          checkRef(name, new Set(policyByName.keys()), at, 'endpoint policy', out);
          return;
        }
        if (!arr(sub.serviceEndpoints).some((e) => endpointServiceName(e.service) === endpointServiceName(pol.service)))
          out.push({ path: at, message: `endpoint policy "${name}" is for ${pol.service}, but the subnet has no ${pol.service} endpoint; expected the endpoint enabled` });
      });
    });
  });

  // Peered VNets must not overlap.
  vnets.forEach((vnet, vi) =>
    arr(vnet.peerings).forEach((peerName, pi) => {
      const peer = vnets.find((v) => v.name === peerName);
      if (peer === undefined || peer === vnet) return;
      for (const a of spaces.get(vnet) ?? [])
        for (const b of spaces.get(peer) ?? [])
          if (cidrsOverlap(a, b))
            out.push({ path: `${N}.vnets[${vi}].peerings[${pi}]`, message: `VNet "${vnet.name}" (${formatCidr(a)}) overlaps peer "${peer.name}" (${formatCidr(b)}), expected disjoint address spaces to peer` });
    }),
  );
  return subnetPrefixes;
}

function validateEndpoints(vnet: VnetSpec, sub: SubnetSpec, sp: string, tags: ServiceTagSet, out: Problem[]): void {
  const seen = new Map<string, number>();
  arr(sub.serviceEndpoints).forEach((ep, i) => {
    const at = `${sp}.serviceEndpoints[${i}]`;
    const name = endpointServiceName(ep?.service);
    if (name === undefined) {
      out.push({ path: `${at}.service`, message: `unknown endpoint service ${show(ep?.service)}, expected e.g. Microsoft.Storage, Microsoft.Sql, Microsoft.KeyVault` });
      return;
    }
    // R-SE-6: service endpoints exist only on Resource Manager VNets.
    if (vnet.deploymentModel === 'Classic')
      out.push({ path: `${at}.service`, message: `service endpoint ${name} on Classic VNet "${vnet.name}" (R-SE-6), expected a ResourceManager VNet` });
    const prev = seen.get(name);
    if (prev !== undefined) out.push({ path: `${at}.service`, message: `${name} is enabled twice (also at serviceEndpoints[${prev}]), expected once` });
    seen.set(name, i);
    arr(ep.locations).forEach((l, li) => {
      if (l !== '*') checkRegion(l, `${at}.locations[${li}]`, out);
    });
    if (isKnownRegion(vnet.region)) {
      try {
        endpointScope(tags, name, vnet.region, ep.locations);
      } catch (e) {
        if (!(e instanceof ServiceTagError)) throw e;
        out.push({ path: `${at}.service`, message: e.message });
      }
    }
  });
  // R-SE-9: at most one of Microsoft.Storage / Microsoft.Storage.Global on a subnet.
  const g = seen.get('Microsoft.Storage.Global');
  if (seen.has('Microsoft.Storage') && g !== undefined)
    out.push({ path: `${sp}.serviceEndpoints[${g}].service`, message: 'Microsoft.Storage and Microsoft.Storage.Global on one subnet (R-SE-9), expected at most one of them' });
}

function validateNsgs(net: NetworkSpec, tags: ServiceTagSet, out: Problem[]): void {
  checkNames(arr(net.nsgs), `${N}.nsgs`, 'NSG', out);
  const asgs = asgNames(net);
  arr(net.nsgs).forEach((nsg, ni) => {
    const np = `${N}.nsgs[${ni}]`;
    const rules = arr(nsg.rules);
    if (rules.length > MAX_RULES_PER_NSG)
      out.push({ code: 'LimitExceeded', path: `${np}.rules`, message: `NSG "${nsg.name}" has ${rules.length} rules, expected at most ${MAX_RULES_PER_NSG} (R-NSG-1)` });
    checkNames(rules, `${np}.rules`, 'rule', out);
    const prio = new Map<string, number>();
    rules.forEach((rule, ri) => {
      const rp = `${np}.rules[${ri}]`;
      out.push(...checkRule(rule, rp, tags, asgs));
      const key = `${rule?.direction}/${rule?.priority}`;
      const prev = prio.get(key);
      if (prev !== undefined)
        out.push({ path: `${rp}.priority`, message: `priority ${rule.priority} is already used by ${rule.direction} rule "${rules[prev]!.name}" (rules[${prev}]), expected unique priorities per direction` });
      else prio.set(key, ri);
    });
  });
}

function validateRouteTables(net: NetworkSpec, tags: ServiceTagSet, out: Problem[]): void {
  checkNames(arr(net.routeTables), `${N}.routeTables`, 'route table', out);
  arr(net.routeTables).forEach((rt, ti) => {
    const tp = `${N}.routeTables[${ti}]`;
    const routes = arr(rt.routes);
    if (routes.length > MAX_ROUTES_PER_TABLE)
      out.push({ code: 'LimitExceeded', path: `${tp}.routes`, message: `route table "${rt.name}" has ${routes.length} routes, expected at most ${MAX_ROUTES_PER_TABLE} (R-RT-3)` });
    checkNames(routes, `${tp}.routes`, 'route', out);
    // R-RT-8: a service-tag route counts as one route, however many prefixes its tag has.
    routes.forEach((r, ri) => out.push(...validateRoute(r, `${tp}.routes[${ri}]`, tags)));
    // R-ADDR-3: one route per address prefix in a table (prefixes compared as written: a CIDR or a service tag).
    const first = new Map<string, number>();
    routes.forEach((r, ri) => {
      if (typeof r.prefix !== 'string') return;
      const key = r.prefix.trim();
      const at = first.get(key);
      if (at === undefined) first.set(key, ri);
      else
        out.push({
          path: `${tp}.routes[${ri}].prefix`,
          message: `route "${r.name}" has address prefix ${key}, as route "${routes[at]!.name}" (routes[${at}]) of the same table (R-ADDR-3); expected each address prefix once per route table`,
        });
    });
  });
}

function validateVms(net: NetworkSpec, subnetPrefixes: Map<SubnetSpec, Cidr[]>, out: Problem[]): void {
  const nsgNames = new Set(arr(net.nsgs).map((n) => n.name));
  checkNames(arr(net.vms), `${N}.vms`, 'VM', out);
  const usedIps = new Map<string, string>(); // `${vnet}|${ip}` -> path
  arr(net.vms).forEach((vm, i) => {
    const vp = `${N}.vms[${i}]`;
    const ref = resolveSubnet(net, vm.subnet, `${vp}.subnet`, out);
    const place = (ip: unknown, field: string, family: 4 | 6) => {
      const c = checkAddress(ip, `${vp}.${field}`, out, `a private IPv${family} address`);
      if (c === undefined || ref === undefined) return;
      const prefixes = (subnetPrefixes.get(ref.subnet) ?? []).filter((p) => p.family === c.family);
      const home = prefixes.find((p) => cidrContains(p, c));
      if (prefixes.length > 0 && home === undefined)
        out.push({ path: `${vp}.${field}`, message: `${ip} lies outside subnet ${vm.subnet} (${prefixes.map(formatCidr).join(', ')}), expected an address inside it` });
      else if (home !== undefined && reservedInSubnet(c, home))
        out.push({ path: `${vp}.${field}`, message: `${ip} is reserved by Azure in ${formatCidr(home)} (network address, .1-.3, broadcast), expected a usable address` });
      const key = `${ref.vnet.name}|${formatCidr(c)}`;
      const prev = usedIps.get(key);
      if (prev !== undefined) out.push({ path: `${vp}.${field}`, message: `private IP ${ip} is already used by ${prev} in VNet "${ref.vnet.name}", expected unique addresses` });
      else usedIps.set(key, `${vp}.${field}`);
    };
    place(vm.privateIp, 'privateIp', 4);
    if (vm.privateIpV6 !== undefined) place(vm.privateIpV6, 'privateIpV6', 6);
    const pub = (ip: unknown, path: string) => {
      const c = checkAddress(ip, path, out, 'a public address');
      if (c !== undefined && touchesNonPublic(c)) out.push({ path, message: `${ip} is not a public address, expected a public IP` });
    };
    if (vm.publicIp !== undefined) pub(vm.publicIp, `${vp}.publicIp`);
    checkRef(vm.nsg, nsgNames, `${vp}.nsg`, 'NSG', out);
    if (vm.appliance !== undefined) {
      if (!['Internet', 'OnPrem', 'Drop'].includes(vm.appliance.egress))
        out.push({ path: `${vp}.appliance.egress`, message: `found ${show(vm.appliance.egress)}, expected Internet, OnPrem or Drop` });
      if (vm.appliance.publicIp !== undefined) pub(vm.appliance.publicIp, `${vp}.appliance.publicIp`);
      if (vm.ipForwarding !== true)
        out.push({ path: `${vp}.ipForwarding`, message: `VM "${vm.name}" is an appliance but ipForwarding is ${show(vm.ipForwarding)}, expected true` });
    }
  });
}

function validateServices(net: NetworkSpec, tags: ServiceTagSet, out: Problem[]): void {
  checkNames(arr(net.services), `${N}.services`, 'service', out);
  const hostnames = new Map<string, string>();
  arr(net.services).forEach((svc, i) => {
    const sp = `${N}.services[${i}]`;
    const info = endpointService(svc.type);
    if (info === undefined)
      out.push({ path: `${sp}.type`, message: `unknown service type ${show(svc.type)}, expected e.g. Microsoft.Storage, Microsoft.Sql, Microsoft.AzureCosmosDB, Microsoft.KeyVault` });
    checkRegion(svc.region, `${sp}.region`, out);
    if (!isNonEmptyString(svc.tenant)) out.push({ path: `${sp}.tenant`, message: `found ${show(svc.tenant)}, expected a tenant name` });
    const addr = checkAddress(svc.address, `${sp}.address`, out, 'the public address of the service');
    // The address must lie in the service's tag for its region (regional tag, else the global tag).
    if (addr !== undefined && info !== undefined && typeof svc.region === 'string') {
      const tag = regionalTag(tags, info.tag, svc.region) ?? tags.get(info.tag);
      if (tag === undefined)
        out.push({ path: `${sp}.address`, message: `service tag ${info.tag} is not in the tag set "${tags.source}", expected it to check the address` });
      else if (!addressInPrefixes(addr, tag.v4, tag.v6))
        out.push({ path: `${sp}.address`, message: `${svc.address} is not in service tag ${tag.name} (${tag.v4.length + tag.v6.length} prefixes, e.g. ${[...tag.v4, ...tag.v6].slice(0, 3).join(', ')}), expected an address of ${svc.type} in ${svc.region}` });
    }
    if (svc.hostname !== undefined) {
      const prev = hostnames.get(String(svc.hostname).toLowerCase());
      if (prev !== undefined) out.push({ path: `${sp}.hostname`, message: `host name ${svc.hostname} is already used by ${prev}, expected unique host names` });
      else hostnames.set(String(svc.hostname).toLowerCase(), `${sp}.hostname`);
    }
    const fw = svc.firewall;
    if (fw === undefined || fw === null) {
      out.push({ path: `${sp}.firewall`, message: 'found nothing, expected { defaultAction, virtualNetworkRules, ipRules }' });
      return;
    }
    if (fw.defaultAction !== 'Allow' && fw.defaultAction !== 'Deny')
      out.push({ path: `${sp}.firewall.defaultAction`, message: `found ${show(fw.defaultAction)}, expected Allow or Deny` });
    const vnetRules = arr(fw.virtualNetworkRules);
    const ipRules = arr(fw.ipRules);
    // R-SVC-3: per-resource limits.
    if (info !== undefined && vnetRules.length > info.vnetRuleLimit)
      out.push({ code: 'LimitExceeded', path: `${sp}.firewall.virtualNetworkRules`, message: `${vnetRules.length} virtual network rules, expected at most ${info.vnetRuleLimit} for ${svc.type} (R-SVC-3)` });
    if (info?.ipRuleLimit !== undefined && ipRules.length > info.ipRuleLimit)
      out.push({ code: 'LimitExceeded', path: `${sp}.firewall.ipRules`, message: `${ipRules.length} IP rules, expected at most ${info.ipRuleLimit} for ${svc.type} (R-SVC-3)` });
    const seenRules = new Set<string>();
    vnetRules.forEach((ref, ri) => {
      const at = `${sp}.firewall.virtualNetworkRules[${ri}]`;
      if (seenRules.has(ref)) out.push({ path: at, message: `duplicate virtual network rule ${ref}, expected each subnet once` });
      seenRules.add(ref);
      const r = resolveSubnet(net, ref, at, out);
      if (r === undefined) return;
      // R-SE-6: the VNet and the service must share the Azure AD tenant (subscriptions may differ).
      if (r.vnet.tenant !== svc.tenant)
        out.push({ path: at, message: `VNet "${r.vnet.name}" is in tenant "${r.vnet.tenant}" but ${svc.name} is in tenant "${svc.tenant}" (R-SE-6), expected the same tenant` });
      if (r.vnet.deploymentModel === 'Classic')
        out.push({ path: at, message: `VNet "${r.vnet.name}" is Classic (R-SE-6), expected a ResourceManager VNet` });
      // R-SVC-2: SQL only its own region; Storage its region or the pair.
      const vr = canonicalRegion(r.vnet.region);
      const sr = canonicalRegion(svc.region);
      if (info?.scope === 'region' && vr !== sr)
        out.push({ path: at, message: `subnet ${ref} is in ${vr} but ${svc.name} is in ${sr} (R-SVC-2), expected a subnet in ${sr}` });
      // R-SVC-2: a subnet with a Microsoft.Storage.Global endpoint may be linked to an account in any region.
      const global = arr(r.subnet.serviceEndpoints).some((e) => endpointServiceName(e?.service) === 'Microsoft.Storage.Global');
      if (info?.scope === 'regionAndPair' && !global && vr !== sr && vr !== pairedRegion(sr))
        out.push({ path: at, message: `subnet ${ref} is in ${vr}, neither ${svc.name}'s region ${sr} nor its pair ${pairedRegion(sr) ?? '(none)'} (R-SVC-2), expected a subnet there or one with a Microsoft.Storage.Global endpoint` });
    });
    ipRules.forEach((ip, ri) => {
      const at = `${sp}.firewall.ipRules[${ri}]`;
      const c = checkCidr(ip, at, out, 'a public address or prefix', true);
      // R-ADDR-3: storage firewall IP rules are IPv4 only.
      if (c !== undefined && c.family === 6 && svc.type.startsWith('Microsoft.Storage')) {
        out.push({ path: at, message: `IP rule ${ip} is IPv6; a Storage account's IP rules are IPv4 only (R-ADDR-3), expected an IPv4 address or prefix` });
        return;
      }
      // R-SVC-1: IP rules name public addresses only.
      if (c !== undefined && touchesNonPublic(c))
        out.push({ path: at, message: `IP rule ${ip} is a private or reserved range (R-SVC-1), expected public addresses only (use a virtual network rule for VNet traffic)` });
    });
  });
}

function validateRest(net: NetworkSpec, out: Problem[]): void {
  const services = new Map(arr(net.services).map((s) => [s.name, s]));
  checkNames(arr(net.endpointPolicies), `${N}.endpointPolicies`, 'endpoint policy', out);
  arr(net.endpointPolicies).forEach((pol, i) => {
    const pp = `${N}.endpointPolicies[${i}]`;
    // R-POL-1: endpoint policies exist for Azure Storage.
    if (endpointServiceName(pol.service) !== 'Microsoft.Storage')
      out.push({ path: `${pp}.service`, message: `found ${show(pol.service)}, expected Microsoft.Storage (endpoint policies support Storage only)` });
    arr(pol.resources).forEach((name, ri) => {
      const at = `${pp}.resources[${ri}]`;
      const svc = services.get(name);
      if (svc === undefined) checkRef(name, new Set(services.keys()), at, 'service', out);
      else if (endpointServiceName(svc.type) !== endpointServiceName(pol.service))
        out.push({ path: at, message: `service "${name}" is a ${svc.type}, expected a ${pol.service} resource` });
    });
  });
  const vnets = new Map(arr(net.vnets).map((v) => [v.name, v]));
  checkNames(arr(net.onPrem), `${N}.onPrem`, 'on-premises site', out);
  arr(net.onPrem).forEach((site, i) => {
    const op = `${N}.onPrem[${i}]`;
    checkCidr(site.prefix, `${op}.prefix`, out, 'an on-premises prefix');
    const vnet = vnets.get(site.via);
    if (vnet === undefined) checkRef(site.via, new Set(vnets.keys()), `${op}.via`, 'VNet', out);
    else if (vnet.gateway === undefined)
      out.push({ path: `${op}.via`, message: `VNet "${site.via}" has no gateway, expected a VNet with a gateway to connect on-premises sites` });
  });
  checkNames(arr(net.principals), `${N}.principals`, 'principal', out);
  arr(net.principals).forEach((p, i) =>
    arr(p.permissions).forEach((perm, pi) => {
      if (!isNonEmptyString(perm)) out.push({ path: `${N}.principals[${i}].permissions[${pi}]`, message: `found ${show(perm)}, expected a permission such as Microsoft.Network/*` });
    }),
  );
}

/**
 * Every problem of a network at once (never throws for bad input): addresses (R-ADDR-1), VNets, subnets, endpoints
 * (R-SE-6, R-SE-9, R-SE-REGION tags present), NSG rules (R-NSG-1, R-NSG-6), routes (R-RT-3), VMs, services and their
 * firewalls (R-SVC-1..3, R-SE-6 tenancy), endpoint policies, on-premises sites, principals.
 */
export function validateNetwork(net: NetworkSpec, tags: ServiceTagSet): ValidationProblem[] {
  const out: Problem[] = [];
  const subnetPrefixes = validateVnets(net, tags, out);
  validateNsgs(net, tags, out);
  validateRouteTables(net, tags, out);
  validateVms(net, subnetPrefixes, out);
  validateServices(net, tags, out);
  validateRest(net, out);
  return out.map((p) => (p.code === undefined ? { ...p, code: 'InvalidRequest' } : (p as ValidationProblem)));
}
