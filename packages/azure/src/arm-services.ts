// Storage accounts, SQL servers and Key Vaults of an ARM template -> network.services (with their firewalls), and
// service endpoint policies -> network.endpointPolicies. ARM has no address for a service: one is picked inside the
// service's regional tag, deterministically from its name, and said in a warning.

import {
  canonicalRegion,
  endpointService,
  formatIpv4,
  parseIpv4,
  parseIpv4Cidr,
  rangesToCidrs4,
  regionalTag,
  type EndpointPolicySpec,
  type ServiceSpec,
} from '@vnetsim/core';
import { parseResourceId } from './arm-expr.js';
import type { Val } from './arm-reader.js';
import { refNames, type ArmResource } from './arm-resources.js';
import { givenAddress, placeholder, T, type ImportContext } from './arm-context.js';
import { subscriptionOf } from './arm-subscription.js';

const HOST_SUFFIX: Record<string, string> = {
  'Microsoft.Storage': 'blob.core.windows.net',
  'Microsoft.Sql': 'database.windows.net',
  'Microsoft.KeyVault': 'vault.azure.net',
};

/** FNV-1a, 32 bits: a stable offset from a name. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A deterministic address for service `name` of `type` in `region`, inside the regional tag; undefined (warned) if none. */
export function pickServiceAddress(ctx: ImportContext, type: string, name: string, region: string, used: Set<string>, at: Val): string | undefined {
  const given = givenAddress(ctx, name);
  if (given !== undefined) {
    used.add(given);
    return given;
  }
  const info = endpointService(type)!;
  const tag = regionalTag(ctx.tags, info.tag, region) ?? ctx.tags.get(info.tag);
  const prefix = tag?.v4[0];
  if (tag === undefined || prefix === undefined) {
    at.warn(`${type} "${name}": the tag set "${ctx.tags.source}" has no IPv4 prefix of ${info.tag} for ${region} to place it in; left out (load a ServiceTags_Public file)`);
    return undefined;
  }
  const c = parseIpv4Cidr(prefix);
  const size = 2 ** (32 - c.length);
  const usable = Math.max(1, size - 2);
  let off = (fnv1a(name) % usable) + (size > 2 ? 1 : 0);
  for (let tries = 0; tries < usable; tries++) {
    const a = formatIpv4((c.prefix + off) >>> 0);
    if (!used.has(a)) {
      used.add(a);
      placeholder(ctx, name, 'serviceAddress', a, at,
        `${type} "${name}": ${ctx.inputName} has no address for the service; picked ${a} inside ${tag.name} (${prefix}) of the tag set "${ctx.tags.source}", deterministically from the name (give the real one with --addresses)`);
      return a;
    }
    off = size > 2 ? (off % usable) + 1 : 0;
  }
  at.warn(`${type} "${name}": no free address left in ${prefix}; left out`);
  return undefined;
}

function subnetRule(v: Val | undefined, vnets: Map<string, Set<string>>): string | undefined {
  const names = refNames(v, 'Microsoft.Network/virtualNetworks/subnets');
  if (names === undefined || v === undefined) return undefined;
  const [vnet, subnet] = names as [string, string];
  if (!vnets.get(vnet)?.has(subnet)) {
    v.warn(`virtual network rule for subnet ${vnet}/${subnet}, which is not defined in the input; left out`);
    return undefined;
  }
  return `${vnet}/${subnet}`;
}

/** ARM networkAcls (Storage, Key Vault): defaultAction, virtualNetworkRules[].id, ipRules[].value. */
function networkAcls(acls: Val | undefined, vnets: Map<string, Set<string>>): ServiceSpec['firewall'] {
  const fw: ServiceSpec['firewall'] = { defaultAction: 'Allow', virtualNetworkRules: [], ipRules: [] };
  if (acls === undefined) return fw;
  const d = acls.get('defaultAction')?.str();
  if (d !== undefined) {
    if (d.toLowerCase() === 'deny') fw.defaultAction = 'Deny';
    else if (d.toLowerCase() !== 'allow') acls.get('defaultAction')!.warn(`expected Allow or Deny, found "${d}"; assumed Allow`);
  }
  for (const r of acls.get('virtualNetworkRules')?.items() ?? []) {
    const ref = subnetRule(r.get('id') ?? r.get('virtualNetworkResourceId'), vnets);
    if (ref !== undefined && !fw.virtualNetworkRules.includes(ref)) fw.virtualNetworkRules.push(ref);
  }
  for (const r of acls.get('ipRules')?.items() ?? []) {
    const ip = (r.get('value') ?? r.get('ipAddressOrRange'))?.str();
    if (ip !== undefined) fw.ipRules.push(ip);
  }
  const bypass = acls.get('bypass')?.str();
  if (bypass !== undefined && bypass.toLowerCase() !== 'none') acls.get('bypass')!.warn(`bypass "${bypass}" (trusted Azure services) is not modelled`);
  return fw;
}

export function importServices(ctx: ImportContext): void {
  const vnets = new Map(ctx.net.vnets.map((v) => [v.name, new Set(v.subnets.map((s) => s.name))]));
  const used = new Set<string>();
  const service = (r: ArmResource, type: string, firewall: ServiceSpec['firewall']) => {
    const name = r.names[0]!;
    const location = r.res.get('location')?.str();
    const region = canonicalRegion(location ?? ctx.deployment.location);
    if (location === undefined) placeholder(ctx, name, 'region', region, r.res, `${type} "${name}" has no location; assumed ${region} (set it with --location)`);
    const address = pickServiceAddress(ctx, type, name, region, used, r.res);
    if (address === undefined) {
      ctx.skip(r, `no address for ${type} "${name}" (give it with --addresses)`);
      return false;
    }
    const access = r.res.at('properties.publicNetworkAccess')?.str();
    if (access !== undefined && access.toLowerCase() === 'disabled')
      r.res.at('properties.publicNetworkAccess')!.warn('publicNetworkAccess Disabled (private endpoints only) is not modelled; the firewall below applies');
    ctx.net.services.push({
      name,
      type,
      region,
      subscription: subscriptionOf(r, ctx),
      tenant: ctx.deployment.tenantId,
      address,
      hostname: `${name.toLowerCase()}.${HOST_SUFFIX[type]}`,
      resourceGroup: r.resourceGroup ?? ctx.deployment.resourceGroup,
      firewall,
    });
    ctx.done(r);
    return true;
  };
  // az prints a storage account's networkAcls as networkRuleSet.
  const acls = (r: ArmResource) => r.res.at('properties.networkAcls') ?? r.res.at('properties.networkRuleSet');
  for (const r of ctx.byType(T.storage)) service(r, 'Microsoft.Storage', networkAcls(acls(r), vnets));
  for (const r of ctx.byType(T.vault)) service(r, 'Microsoft.KeyVault', networkAcls(acls(r), vnets));
  for (const r of ctx.byType(T.sql)) {
    // An Azure SQL server refuses whatever no rule allows.
    const fw: ServiceSpec['firewall'] = { defaultAction: 'Deny', virtualNetworkRules: [], ipRules: [] };
    const taken: ArmResource[] = [];
    for (const c of ctx.byType(T.sqlVnetRule).filter((c) => c.names[0] === r.names[0])) {
      const ref = subnetRule(c.res.at('properties.virtualNetworkSubnetId'), vnets);
      if (ref === undefined) continue;
      if (!fw.virtualNetworkRules.includes(ref)) fw.virtualNetworkRules.push(ref);
      taken.push(c);
    }
    for (const c of ctx.byType(T.sqlFirewallRule).filter((c) => c.names[0] === r.names[0])) {
      const ips = sqlFirewallRule(c);
      if (ips.length === 0) continue;
      fw.ipRules.push(...ips);
      taken.push(c);
    }
    if (service(r, 'Microsoft.Sql', fw)) for (const c of taken) ctx.done(c);
  }
  for (const t of [T.sqlVnetRule, T.sqlFirewallRule])
    for (const c of ctx.byType(t))
      if (!ctx.byType(T.sql).some((r) => r.names[0] === c.names[0])) ctx.skip(c, `rule of SQL server "${c.names[0]}", which is not defined in ${ctx.inputName}`);
}

/** startIpAddress..endIpAddress -> prefixes. 0.0.0.0-0.0.0.0 ("allow Azure services") is not modelled. */
function sqlFirewallRule(c: ArmResource): string[] {
  const start = c.res.at('properties.startIpAddress')?.str();
  const end = c.res.at('properties.endIpAddress')?.str();
  if (start === undefined || end === undefined) {
    c.res.warn('a SQL firewall rule needs startIpAddress and endIpAddress; left out');
    return [];
  }
  if (start === '0.0.0.0' && end === '0.0.0.0') {
    c.res.warn('0.0.0.0-0.0.0.0 ("allow Azure services and resources") is not modelled; left out');
    return [];
  }
  let lo: number, hi: number;
  try {
    lo = parseIpv4(start);
    hi = parseIpv4(end);
  } catch {
    c.res.warn(`firewall rule ${start}-${end}: expected two IPv4 addresses; left out`);
    return [];
  }
  if (hi < lo) {
    c.res.warn(`firewall rule ${start}-${end}: the end is before the start; left out`);
    return [];
  }
  return rangesToCidrs4([[lo, hi + 1]]).map((p) => (p.endsWith('/32') ? p.slice(0, -3) : p));
}

export function importEndpointPolicies(ctx: ImportContext): void {
  const defsOf = (r: ArmResource): Array<{ p: Val | undefined; at: Val }> => [
    ...(r.res.at('properties.serviceEndpointPolicyDefinitions')?.items() ?? []).map((d) => ({ p: d.get('properties'), at: d })),
    ...ctx.byType(T.policyDef).filter((d) => d.names[0] === r.names[0]).map((d) => ({ p: d.res.get('properties'), at: d.res })),
  ];
  for (const r of ctx.byType(T.policy)) {
    const pol: EndpointPolicySpec = { name: r.names[0]!, service: 'Microsoft.Storage', resources: [] };
    for (const { p, at } of defsOf(r)) {
      const svc = p?.get('service')?.str();
      if (svc !== undefined && svc.toLowerCase() !== 'microsoft.storage') {
        at.warn(`policy definitions for ${svc} are not modelled (endpoint policies here are for Microsoft.Storage); left out`);
        continue;
      }
      for (const res of p?.get('serviceResources')?.items() ?? []) {
        const id = res.str();
        const parsed = id === undefined ? undefined : parseResourceId(id);
        if (parsed === undefined) {
          if (id !== undefined) res.warn(`expected a subscription, resource group or storage account id, found "${id}"; left out`);
        } else if (parsed.type.toLowerCase() === 'microsoft.storage/storageaccounts') pol.resources.push(parsed.names[0]!);
        else if (parsed.type === '' && parsed.resourceGroup !== undefined) (pol.resourceGroups ??= []).push(parsed.resourceGroup);
        else if (parsed.type === '' && parsed.subscription !== undefined) (pol.subscriptions ??= []).push(parsed.subscription);
        else res.warn(`"${id}" is not a subscription, resource group or storage account; left out`);
      }
    }
    ctx.net.endpointPolicies.push(pol);
    ctx.done(r);
    for (const d of ctx.byType(T.policyDef)) if (d.names[0] === r.names[0]) ctx.done(d);
  }
}
