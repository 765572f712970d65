// ARM template (deploymentTemplate schema) -> scenario network. Only what the template states is imported; what ARM
// leaves to deployment (dynamic addresses, service addresses) is chosen deterministically and said in a warning;
// everything vnetsim cannot evaluate or does not model is reported with its JSON path and left out.

import {
  builtinServiceTags,
  canonicalRegion,
  emptyNetwork,
  isKnownRegion,
  isServiceTagName,
  type NetworkSpec,
  type NextHopType,
  type NsgSpec,
  type RouteTableSpec,
  type RuleProtocol,
  type SecurityRuleSpec,
  type ServiceTagSet,
  type SubnetSpec,
  type VnetSpec,
} from '@vnetsim/core';
import { ruleProtocolOf } from '@vnetsim/core';
import { DEFAULT_DEPLOYMENT, type ArmDeployment } from './arm-expr.js';
import { Warnings, type ImportWarning, type Val } from './arm-reader.js';
import { collectResources, refNames, type ArmResource } from './arm-resources.js';
import { refTo, T, type ImportContext } from './arm-context.js';
import { readParameterValues, templateScope } from './arm-scope.js';
import { importServices, importEndpointPolicies } from './arm-services.js';
import { importVms } from './arm-vms.js';

export type { ImportWarning } from './arm-reader.js';

export interface ArmImportOptions {
  /** subscription(), resourceGroup() and resourceGroup().location at "deployment". */
  deployment?: Partial<ArmDeployment>;
  /** Tag set in which service addresses are picked (default: the built-in sample set). */
  tags?: ServiceTagSet;
}

export interface ArmImportResult {
  network: NetworkSpec;
  warnings: ImportWarning[];
  /** The tag set service addresses were picked in (`builtin (sample)` or a file). */
  serviceTags: string;
}

const HANDLED = new Set<string>(Object.values(T));

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A resource with `condition: false` is not deployed; one whose condition cannot be evaluated is imported, and said. */
function conditionHolds(r: ArmResource): boolean {
  const c = r.res.get('condition');
  if (c === undefined) return true;
  const v = c.bool();
  if (v === undefined) c.warn('the condition could not be evaluated; the resource is imported as if it held');
  return v !== false;
}

/** Imports an ARM template (and optionally a deploymentParameters document) as a scenario network. */
export function importArmTemplate(template: unknown, parameters?: unknown, options: ArmImportOptions = {}): ArmImportResult {
  const w = new Warnings();
  const net = emptyNetwork();
  const tags = options.tags ?? builtinServiceTags();
  const result = (): ArmImportResult => ({ network: net, warnings: w.list, serviceTags: tags.source });
  if (!isObject(template)) {
    w.add('', 'expected an ARM template (a JSON object with resources); nothing imported');
    return result();
  }
  const deployment: ArmDeployment = { ...DEFAULT_DEPLOYMENT, ...options.deployment };
  const given = readParameterValues(parameters);
  for (const p of given.problems) w.add('--parameters', p);
  const scope = templateScope(template, given.values, deployment, (what) => w.add('', what));
  const all = collectResources(template, scope, w).filter(conditionHolds);
  for (const r of all) if (!HANDLED.has(r.type)) w.add(r.path, `resource type ${r.res.get('type')?.str() ?? r.type} is not modelled by vnetsim; left out`);
  const ctx: ImportContext = { w, net, deployment, tags, byType: (type) => all.filter((r) => r.type === type) };

  importNsgs(ctx);
  importRouteTables(ctx);
  const natIps = importNatGateways(ctx, importPublicIps(ctx));
  importVnets(ctx, natIps);
  importServices(ctx);
  importEndpointPolicies(ctx);
  importVms(ctx, importPublicIps(ctx, true));
  return result();
}

// ------------------------------------------------------------------------------------------------------ NSGs
function importNsgs(ctx: ImportContext): void {
  for (const r of ctx.byType(T.nsg)) {
    const nsg: NsgSpec = { name: r.names[0]!, rules: [] };
    for (const rv of r.res.at('properties.securityRules')?.items() ?? []) {
      const rule = securityRule(rv.get('name')?.str(), rv.get('properties'), rv);
      if (rule !== undefined) nsg.rules.push(rule);
    }
    ctx.net.nsgs.push(nsg);
  }
  for (const r of ctx.byType(T.rule)) {
    const nsg = ctx.net.nsgs.find((n) => n.name === r.names[0]);
    if (nsg === undefined) {
      r.res.warn(`security rule of NSG "${r.names[0]}", which is not defined in this template; left out`);
      continue;
    }
    const rule = securityRule(r.names[1], r.res.get('properties'), r.res);
    if (rule !== undefined) nsg.rules.push(rule);
  }
}

function securityRule(name: string | undefined, p: Val | undefined, at: Val): SecurityRuleSpec | undefined {
  if (name === undefined || p === undefined) {
    at.warn('a security rule needs a name and properties; left out');
    return undefined;
  }
  const priority = p.get('priority')?.num();
  const direction = p.get('direction')?.str();
  const access = p.get('access')?.str();
  const protocol = ruleProtocolOf(p.get('protocol')?.str() ?? '', { any: false });
  const dir = direction?.toLowerCase() === 'inbound' ? 'Inbound' : direction?.toLowerCase() === 'outbound' ? 'Outbound' : undefined;
  const acc = access?.toLowerCase() === 'allow' ? 'Allow' : access?.toLowerCase() === 'deny' ? 'Deny' : undefined;
  if (priority === undefined || dir === undefined || acc === undefined || protocol === undefined) {
    at.warn(`security rule "${name}": priority, direction (Inbound|Outbound), access (Allow|Deny) and protocol are required; rule left out`);
    return undefined;
  }
  const side = (one: string, many: string): string | string[] | undefined => {
    const list = p.get(many)?.strs() ?? [];
    if (list.length > 0) return list.length === 1 ? list[0]! : list;
    return p.get(one)?.str();
  };
  const asgs = (key: string) =>
    (p.get(key)?.items() ?? []).flatMap((a) => {
      const n = refNames(a, 'Microsoft.Network/applicationSecurityGroups');
      return n === undefined ? [] : [n[n.length - 1]!];
    });
  const rule: SecurityRuleSpec = {
    name,
    priority,
    direction: dir,
    access: acc,
    protocol,
    source: side('sourceAddressPrefix', 'sourceAddressPrefixes') ?? '*',
    sourcePorts: side('sourcePortRange', 'sourcePortRanges') ?? '*',
    destination: side('destinationAddressPrefix', 'destinationAddressPrefixes') ?? '*',
    destinationPorts: side('destinationPortRange', 'destinationPortRanges') ?? '*',
  };
  const sAsgs = asgs('sourceApplicationSecurityGroups');
  const dAsgs = asgs('destinationApplicationSecurityGroups');
  if (sAsgs.length > 0) rule.sourceAsgs = sAsgs;
  if (dAsgs.length > 0) rule.destinationAsgs = dAsgs;
  const description = p.get('description')?.str();
  if (description !== undefined) rule.description = description;
  return rule;
}

// ------------------------------------------------------------------------------------------------------ routes
const NEXT_HOPS: Record<string, NextHopType> = {
  virtualnetworkgateway: 'VirtualNetworkGateway',
  vnetlocal: 'VnetLocal',
  internet: 'Internet',
  virtualappliance: 'VirtualAppliance',
  none: 'None',
};
const CIDR = /^[0-9a-fA-F.:]+\/\d{1,3}$/;

function importRouteTables(ctx: ImportContext): void {
  const route = (rt: RouteTableSpec, name: string | undefined, p: Val | undefined, at: Val) => {
    const prefix = p?.get('addressPrefix')?.str();
    const hop = NEXT_HOPS[(p?.get('nextHopType')?.str() ?? '').toLowerCase()];
    if (name === undefined || prefix === undefined || hop === undefined) {
      at.warn('a route needs name, addressPrefix and nextHopType; left out');
      return;
    }
    if (isServiceTagName(prefix)) {
      // R-RT-8: a route's addressPrefix may name a service tag; one the tag set does not know is left out.
      if (!ctx.tags.has(prefix)) {
        p!.get('addressPrefix')!.warn(`route "${name}": service tag "${prefix}" is not in the tag set "${ctx.tags.source}"; route left out`);
        return;
      }
    } else if (!CIDR.test(prefix)) {
      p!.get('addressPrefix')!.warn(`route "${name}": address prefix "${prefix}" is neither a prefix nor a service tag name; route left out`);
      return;
    }
    const ip = p?.get('nextHopIpAddress')?.str();
    rt.routes.push({ name, prefix, nextHopType: hop, ...(ip !== undefined && ip !== '' ? { nextHopIp: ip } : {}) });
  };
  for (const r of ctx.byType(T.routeTable)) {
    const rt: RouteTableSpec = {
      name: r.names[0]!,
      disableBgpRoutePropagation: r.res.at('properties.disableBgpRoutePropagation')?.bool() ?? false,
      routes: [],
    };
    for (const rv of r.res.at('properties.routes')?.items() ?? []) route(rt, rv.get('name')?.str(), rv.get('properties'), rv);
    ctx.net.routeTables.push(rt);
  }
  for (const r of ctx.byType(T.route)) {
    const rt = ctx.net.routeTables.find((t) => t.name === r.names[0]);
    if (rt === undefined) r.res.warn(`route of route table "${r.names[0]}", which is not defined in this template; left out`);
    else route(rt, r.names[1], r.res.get('properties'), r.res);
  }
}

// ------------------------------------------------------------------------------------------------------ public IPs, NAT
/** Documentation range (RFC 5737) for public addresses ARM leaves to deployment. */
const PLACEHOLDER_BASE = '198.51.100.';

/** Public IP name -> address. `quiet`: the second call (for NICs) does not repeat the warnings. */
function importPublicIps(ctx: ImportContext, quiet = false): Map<string, string> {
  const out = new Map<string, string>();
  let next = 10;
  for (const r of ctx.byType(T.pip)) {
    const version = r.res.at('properties.publicIPAddressVersion')?.str();
    if (version?.toLowerCase() === 'ipv6') {
      if (!quiet) r.res.warn('IPv6 public addresses are not modelled; left out');
      continue;
    }
    const given = r.res.at('properties.ipAddress')?.str();
    if (given !== undefined) {
      out.set(r.names[0]!, given);
      continue;
    }
    const placeholder = `${PLACEHOLDER_BASE}${next++}`;
    out.set(r.names[0]!, placeholder);
    if (!quiet)
      r.res.warn(`public IP "${r.names[0]}": ARM gives no address before deployment; placeholder ${placeholder} (documentation range ${PLACEHOLDER_BASE}0/24)`);
  }
  return out;
}

function importNatGateways(ctx: ImportContext, pips: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of ctx.byType(T.nat)) {
    const ips: string[] = [];
    for (const v of r.res.at('properties.publicIpAddresses')?.items() ?? []) {
      const n = refTo(ctx, v, 'Microsoft.Network/publicIPAddresses', new Set(pips.keys()), 'public IP');
      if (n !== undefined) ips.push(pips.get(n)!);
    }
    if (r.res.at('properties.publicIpPrefixes') !== undefined) r.res.at('properties.publicIpPrefixes')!.warn('public IP prefixes on a NAT gateway are not modelled; left out');
    if (ips.length === 0) r.res.warn(`NAT gateway "${r.names[0]}" has no public IP vnetsim knows; left out`);
    else out.set(r.names[0]!, ips);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ VNets
function importVnets(ctx: ImportContext, natIps: Map<string, string[]>): void {
  const nsgs = new Set(ctx.net.nsgs.map((n) => n.name));
  const tables = new Set(ctx.net.routeTables.map((t) => t.name));
  const policyNames = new Set(ctx.byType(T.policy).map((r) => r.names[0]!));
  const vnetNames = new Set(ctx.byType(T.vnet).map((r) => r.names[0]!));
  const subnet = (name: string | undefined, p: Val | undefined, at: Val): SubnetSpec | undefined => {
    const prefixes = [...(p?.get('addressPrefixes')?.strs() ?? []), ...(p?.get('addressPrefix') ? [p.get('addressPrefix')!.str()] : [])].filter(
      (x): x is string => x !== undefined,
    );
    const v4 = prefixes.filter((x) => !x.includes(':'));
    const v6 = prefixes.filter((x) => x.includes(':'));
    if (name === undefined || v4.length === 0) {
      at.warn(`subnet ${name ?? ''}: needs a name and an IPv4 address prefix; left out`);
      return undefined;
    }
    if (v4.length > 1 || v6.length > 1) at.warn(`subnet "${name}": only the first IPv4 and IPv6 prefixes are modelled (${prefixes.join(', ')})`);
    const s: SubnetSpec = { name, prefix: v4[0]!, serviceEndpoints: [], endpointPolicies: [] };
    if (v6.length > 0) s.prefixV6 = v6[0]!;
    const nsg = refTo(ctx, p?.get('networkSecurityGroup'), 'Microsoft.Network/networkSecurityGroups', nsgs, 'NSG');
    if (nsg !== undefined) s.nsg = nsg;
    const rt = refTo(ctx, p?.get('routeTable'), 'Microsoft.Network/routeTables', tables, 'route table');
    if (rt !== undefined) s.routeTable = rt;
    const nat = refTo(ctx, p?.get('natGateway'), 'Microsoft.Network/natGateways', new Set(natIps.keys()), 'NAT gateway');
    if (nat !== undefined) s.natGateway = { publicIps: natIps.get(nat)! };
    for (const e of p?.get('serviceEndpoints')?.items() ?? []) {
      const service = e.get('service')?.str();
      if (service === undefined) continue;
      const locations = e.get('locations')?.strs().map((l) => (l === '*' ? l : canonicalRegion(l)));
      s.serviceEndpoints.push(locations !== undefined && locations.length > 0 ? { service, locations } : { service });
    }
    for (const pol of p?.get('serviceEndpointPolicies')?.items() ?? []) {
      const n = refTo(ctx, pol, 'Microsoft.Network/serviceEndpointPolicies', policyNames, 'service endpoint policy');
      if (n !== undefined) s.endpointPolicies.push(n);
    }
    if (p?.get('delegations') !== undefined && (p.get('delegations')!.items().length ?? 0) > 0) p.get('delegations')!.warn('subnet delegations are not modelled; left out');
    return s;
  };

  for (const r of ctx.byType(T.vnet)) {
    const name = r.names[0]!;
    const location = r.res.get('location')?.str();
    const region = canonicalRegion(location ?? ctx.deployment.location);
    if (location === undefined) r.res.warn(`VNet "${name}" has no location; assumed ${region}`);
    else if (!isKnownRegion(region)) r.res.get('location')!.warn(`unknown region "${location}"`);
    const vnet: VnetSpec = {
      name,
      region,
      subscription: ctx.deployment.subscriptionId,
      tenant: ctx.deployment.tenantId,
      deploymentModel: 'ResourceManager',
      addressSpace: r.res.at('properties.addressSpace.addressPrefixes')?.strs() ?? [],
      peerings: [],
      subnets: [],
    };
    if (vnet.addressSpace.length === 0) r.res.warn(`VNet "${name}" has no properties.addressSpace.addressPrefixes`);
    for (const sv of r.res.at('properties.subnets')?.items() ?? []) {
      const s = subnet(sv.get('name')?.str(), sv.get('properties'), sv);
      if (s !== undefined) vnet.subnets.push(s);
    }
    for (const pv of r.res.at('properties.virtualNetworkPeerings')?.items() ?? []) {
      const peer = refTo(ctx, pv.at('properties.remoteVirtualNetwork'), 'Microsoft.Network/virtualNetworks', vnetNames, 'VNet');
      if (peer !== undefined && !vnet.peerings.includes(peer)) vnet.peerings.push(peer);
    }
    ctx.net.vnets.push(vnet);
  }
  for (const r of ctx.byType(T.subnet)) {
    const vnet = ctx.net.vnets.find((v) => v.name === r.names[0]);
    if (vnet === undefined) {
      r.res.warn(`subnet of VNet "${r.names[0]}", which is not defined in this template; left out`);
      continue;
    }
    const s = subnet(r.names[1], r.res.get('properties'), r.res);
    if (s === undefined) continue;
    const i = vnet.subnets.findIndex((x) => x.name === s.name);
    if (i >= 0) vnet.subnets[i] = s; // a child resource redeclares an inline subnet: the later declaration wins
    else vnet.subnets.push(s);
  }
  for (const r of ctx.byType(T.peering)) {
    const vnet = ctx.net.vnets.find((v) => v.name === r.names[0]);
    const peer = refTo(ctx, r.res.at('properties.remoteVirtualNetwork'), 'Microsoft.Network/virtualNetworks', vnetNames, 'VNet');
    if (vnet !== undefined && peer !== undefined && !vnet.peerings.includes(peer)) vnet.peerings.push(peer);
  }
  // Peering is symmetric in the model: list each pair once (on the first VNet).
  for (const v of ctx.net.vnets) v.peerings = v.peerings.filter((p) => !ctx.net.vnets.some((o) => o.name === p && o.peerings.includes(v.name) && ctx.net.vnets.indexOf(o) < ctx.net.vnets.indexOf(v)));
}
