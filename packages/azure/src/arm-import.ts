// ARM template (deploymentTemplate schema) -> scenario network. Only what the template states is imported; what ARM
// leaves to deployment (dynamic addresses, service addresses) is chosen deterministically and said in a warning;
// everything vnetsim cannot evaluate or does not model is reported with its JSON path and left out.

import {
  builtinServiceTags,
  canonicalRegion,
  emptyNetwork,
  endpointService,
  pairedRegion,
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
import { givenAddress, isRelevantType, placeholder, refTo, T, type ImportContext } from './arm-context.js';
import type { ImportedResource, Placeholder, SkippedResource } from './import-report.js';
import { readParameterValues, templateScope, type TemplateScope } from './arm-scope.js';
import { importServices, importEndpointPolicies } from './arm-services.js';
import { importVms } from './arm-vms.js';
import { subscriptionOf } from './arm-subscription.js';

export type { ImportWarning } from './arm-reader.js';
export type { ImportedResource, Placeholder, SkippedResource } from './import-report.js';

export interface ArmImportOptions {
  /** subscription(), resourceGroup() and resourceGroup().location at "deployment". */
  deployment?: Partial<ArmDeployment>;
  /** Tag set in which service addresses are picked (default: the built-in sample set). */
  tags?: ServiceTagSet;
  /** Addresses the input lacks, by resource name (`--addresses`). */
  addresses?: ReadonlyMap<string, string>;
}

export interface ArmImportResult {
  network: NetworkSpec;
  warnings: ImportWarning[];
  /** The tag set service addresses were picked in (`builtin (sample)` or a file). */
  serviceTags: string;
  imported: ImportedResource[];
  skipped: SkippedResource[];
  placeholders: Placeholder[];
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
  const deployment: ArmDeployment = { ...DEFAULT_DEPLOYMENT, ...options.deployment };
  if (!isObject(template)) {
    w.add('', 'expected an ARM template (a JSON object with resources); nothing imported');
    return buildNetwork([], w, { ...options, deployment }, 'this template');
  }
  const given = readParameterValues(parameters);
  for (const p of given.problems) w.add('--parameters', p);
  const scope = templateScope(template, given.values, deployment, (what) => w.add('', what));
  const collected = collectResources(template, scope, w).filter(conditionHolds);
  const expanded: ArmResource[] = [];
  const notExpanded: SkippedResource[] = [];
  const all = expandDeployments(collected, deployment, w, 0, expanded, notExpanded);
  const result = buildNetwork(all.filter((r) => r.existing !== true), w, { ...options, deployment }, 'this template');
  for (const r of expanded) result.imported.push({ id: resourceIdOf(r, deployment), type: displayType(r), path: r.path });
  result.skipped.push(...notExpanded);
  for (const r of all.filter((x) => x.existing === true))
    result.skipped.push({
      id: resourceIdOf(r, deployment),
      type: displayType(r),
      path: r.path,
      reason: 'declared `existing`: deployed elsewhere, its properties are not in this template (import that deployment too)',
      relevant: isRelevantType(r.type),
    });
  return result;
}

const DEPLOYMENTS = 'microsoft.resources/deployments';
/** Nested deployments deeper than this are not expanded (Bicep modules rarely nest past three). */
const MAX_NESTING = 8;

/**
 * Nested deployments (what a Bicep `module` compiles to) are expanded in place: their inline template's resources
 * join the list, with parameters evaluated in the outer template (`expressionEvaluationOptions.scope: inner`, what
 * Bicep emits) or the inner template read in the outer scope (the ARM default). A linked template (`templateLink`)
 * is not in the file: skipped, and said.
 */
function expandDeployments(list: ArmResource[], d: ArmDeployment, w: Warnings, depth: number, expanded: ArmResource[], skipped: SkippedResource[]): ArmResource[] {
  const out: ArmResource[] = [];
  for (const r of list) {
    if (r.type !== DEPLOYMENTS) {
      out.push(r);
      continue;
    }
    const skip = (reason: string) => skipped.push({ id: resourceIdOf(r, d), type: displayType(r), path: r.path, reason, relevant: true });
    const props = r.res.get('properties');
    const tmplVal = props?.get('template');
    const raw = isObject(props?.raw) ? (props!.raw as Record<string, unknown>)['template'] : undefined;
    if (props?.get('templateLink') !== undefined) {
      skip('a linked template (templateLink) is not in this file: import that template too');
      continue;
    }
    if (tmplVal === undefined || !isObject(raw)) {
      skip('a nested deployment without an inline template');
      continue;
    }
    if (depth >= MAX_NESTING) {
      skip(`nested deployments deeper than ${MAX_NESTING}`);
      continue;
    }
    const inner = (props!.get('expressionEvaluationOptions')?.get('scope')?.str() ?? 'outer').toLowerCase() === 'inner';
    const base = `${tmplVal.path}.`;
    let scope;
    if (inner) {
      const given = new Map<string, unknown>();
      const pv = props!.get('parameters');
      if (pv !== undefined && isObject(pv.raw))
        for (const k of Object.keys(pv.raw)) {
          const v = pv.get(k)?.get('value');
          if (v === undefined) {
            if (pv.get(k)?.get('reference') !== undefined) pv.get(k)!.warn('a Key Vault reference is not supported; left out');
            continue;
          }
          const value = v.value();
          if (value !== undefined) given.set(k.toLowerCase(), value);
        }
      scope = templateScope(raw, given, d, (what) => w.add(base.slice(0, -1), what));
    } else scope = (r.res.scope as TemplateScope).withCopyIndex !== undefined ? (r.res.scope as TemplateScope) : undefined;
    if (scope === undefined) {
      skip('a nested deployment in the outer scope inside a copy loop is not supported');
      continue;
    }
    const children = collectResources(raw, scope, w, base).filter(conditionHolds);
    expanded.push(r);
    out.push(...expandDeployments(children, d, w, depth + 1, expanded, skipped));
  }
  return out;
}

/** The type of a resource as ARM spells it (`Microsoft.Network/virtualNetworks`), from its own `type` when it has one. */
function displayType(r: ArmResource): string {
  const raw = r.res.raw;
  const t = isObject(raw) && typeof raw['type'] === 'string' && !raw['type'].startsWith('[') ? raw['type'] : r.type;
  return r.names.length > 0 && !t.includes('/') ? r.type : t;
}

/** The id of a resource: its own `id` (Terraform, az) or one made from its type and names. */
export function resourceIdOf(r: ArmResource, d: ArmDeployment): string {
  if (r.id !== undefined) return r.id;
  const [ns, ...types] = displayType(r).split('/');
  const parts = types.map((t, i) => `${t}/${r.names[i] ?? '?'}`).join('/');
  return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/${ns}/${parts}`;
}

/**
 * Builds the network from a flat list of resources in ARM's REST shape (what the ARM, Terraform and az readers all
 * produce), and accounts for every resource: imported, or skipped with why.
 */
export function buildNetwork(all: ArmResource[], w: Warnings, options: ArmImportOptions & { deployment: ArmDeployment }, inputName: string): ArmImportResult {
  const net = emptyNetwork();
  const tags = options.tags ?? builtinServiceTags();
  const done = new Set<ArmResource>();
  const skipped = new Map<ArmResource, string>();
  const ctx: ImportContext = {
    w,
    net,
    deployment: options.deployment,
    tags,
    byType: (type) => all.filter((r) => r.type === type),
    inputName,
    addresses: options.addresses ?? new Map(),
    addressesUsed: new Set(),
    placeholders: [],
    done: (r) => {
      done.add(r);
      skipped.delete(r);
    },
    skip: (r, reason) => {
      if (!done.has(r)) skipped.set(r, reason);
    },
    skipPart: (parent, childType, name, at) => {
      const why = w.list.find((x) => x.path === at.path || x.path.startsWith(`${at.path}.`) || x.path.startsWith(`${at.path}[`))?.message ?? 'could not be read';
      parts.push({ id: `${resourceIdOf(parent, options.deployment)}/${childType}/${name ?? '?'}`, type: `${displayType(parent)}/${childType}`, path: at.path, reason: why, relevant: true });
    },
  };
  const parts: SkippedResource[] = [];
  for (const r of all) if (!HANDLED.has(r.type)) ctx.skip(r, `resource type ${displayType(r)} is not modelled by vnetsim`);
  for (const r of ctx.byType(T.asg)) ctx.done(r); // modelled by the asgs of the VMs and rules that name them
  for (const r of ctx.byType(T.resourceGroup)) ctx.done(r);

  importNsgs(ctx);
  importRouteTables(ctx);
  const natIps = importNatGateways(ctx, importPublicIps(ctx));
  importVnets(ctx, natIps);
  importServices(ctx);
  importEndpointPolicies(ctx);
  importVms(ctx, importPublicIps(ctx, true));

  for (const [name] of ctx.addresses)
    if (!ctx.addressesUsed.has(name)) w.add('--addresses', `"${name}": no imported resource of that name lacks an address; not used`);
  const imported: ImportedResource[] = [];
  const skippedList: SkippedResource[] = [];
  for (const r of all) {
    const base = { id: resourceIdOf(r, options.deployment), type: displayType(r), path: r.path };
    if (done.has(r)) {
      imported.push(base);
      continue;
    }
    // Why: said by the importer, else the first warning about the resource itself.
    const why = skipped.get(r) ?? w.list.find((x) => x.path === r.path || x.path.startsWith(`${r.path}.`))?.message ?? 'not imported';
    skippedList.push({ ...base, reason: why, relevant: HANDLED.has(r.type) ? r.type !== T.resourceGroup : isRelevantType(r.type) });
  }
  skippedList.push(...parts);
  return { network: net, warnings: w.list, serviceTags: tags.source, imported, skipped: skippedList, placeholders: ctx.placeholders };
}

// ------------------------------------------------------------------------------------------------------ NSGs
function importNsgs(ctx: ImportContext): void {
  for (const r of ctx.byType(T.nsg)) {
    const nsg: NsgSpec = { name: r.names[0]!, rules: [] };
    for (const rv of r.res.at('properties.securityRules')?.items() ?? []) {
      const rule = securityRule(rv.get('name')?.str(), rv.get('properties'), rv);
      if (rule !== undefined) addRule(nsg, rule);
      else ctx.skipPart(r, 'securityRules', rv.get('name')?.str(), rv);
    }
    ctx.net.nsgs.push(nsg);
    ctx.done(r);
  }
  for (const r of ctx.byType(T.rule)) {
    const nsg = ctx.net.nsgs.find((n) => n.name === r.names[0]);
    if (nsg === undefined) {
      ctx.skip(r, `security rule of NSG "${r.names[0]}", which is not defined in ${ctx.inputName}`);
      continue;
    }
    const rule = securityRule(r.names[1], r.res.get('properties'), r.res);
    if (rule !== undefined) {
      addRule(nsg, rule);
      ctx.done(r);
    }
  }
}

/** A rule given both inline and as its own resource (Terraform state, az) is one rule. */
function addRule(nsg: NsgSpec, rule: SecurityRuleSpec): void {
  const i = nsg.rules.findIndex((x) => x.name === rule.name);
  if (i >= 0) nsg.rules[i] = rule;
  else nsg.rules.push(rule);
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
  const route = (rt: RouteTableSpec, name: string | undefined, p: Val | undefined, at: Val): boolean => {
    const prefix = p?.get('addressPrefix')?.str();
    const hop = NEXT_HOPS[(p?.get('nextHopType')?.str() ?? '').toLowerCase()];
    if (name === undefined || prefix === undefined || hop === undefined) {
      at.warn('a route needs name, addressPrefix and nextHopType; left out');
      return false;
    }
    if (isServiceTagName(prefix)) {
      // R-RT-8: a route's addressPrefix may name a service tag; one the tag set does not know is left out.
      if (!ctx.tags.has(prefix)) {
        p!.get('addressPrefix')!.warn(`route "${name}": service tag "${prefix}" is not in the tag set "${ctx.tags.source}"; route left out`);
        return false;
      }
    } else if (!CIDR.test(prefix)) {
      p!.get('addressPrefix')!.warn(`route "${name}": address prefix "${prefix}" is neither a prefix nor a service tag name; route left out`);
      return false;
    }
    const ip = p?.get('nextHopIpAddress')?.str();
    const spec = { name, prefix, nextHopType: hop, ...(ip !== undefined && ip !== '' ? { nextHopIp: ip } : {}) };
    const i = rt.routes.findIndex((x) => x.name === name);
    if (i >= 0) rt.routes[i] = spec;
    else rt.routes.push(spec);
    return true;
  };
  for (const r of ctx.byType(T.routeTable)) {
    const rt: RouteTableSpec = {
      name: r.names[0]!,
      disableBgpRoutePropagation: r.res.at('properties.disableBgpRoutePropagation')?.bool() ?? false,
      routes: [],
    };
    for (const rv of r.res.at('properties.routes')?.items() ?? [])
      if (!route(rt, rv.get('name')?.str(), rv.get('properties'), rv)) ctx.skipPart(r, 'routes', rv.get('name')?.str(), rv);
    ctx.net.routeTables.push(rt);
    ctx.done(r);
  }
  for (const r of ctx.byType(T.route)) {
    const rt = ctx.net.routeTables.find((t) => t.name === r.names[0]);
    if (rt === undefined) ctx.skip(r, `route of route table "${r.names[0]}", which is not defined in ${ctx.inputName}`);
    else if (route(rt, r.names[1], r.res.get('properties'), r.res)) ctx.done(r);
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
      if (!quiet) ctx.skip(r, 'IPv6 public addresses are not modelled');
      continue;
    }
    ctx.done(r);
    const given = r.res.at('properties.ipAddress')?.str() ?? givenAddress(ctx, r.names[0]!);
    if (given !== undefined && given !== '') {
      out.set(r.names[0]!, given);
      continue;
    }
    const value = `${PLACEHOLDER_BASE}${next++}`;
    out.set(r.names[0]!, value);
    if (!quiet)
      placeholder(ctx, r.names[0]!, 'publicIp', value, r.res,
        `public IP "${r.names[0]}": ${ctx.inputName} gives no address (allocated at deployment); placeholder ${value} (documentation range ${PLACEHOLDER_BASE}0/24), give the real one with --addresses`);
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
    if (ips.length === 0) ctx.skip(r, `NAT gateway "${r.names[0]}" has no public IP vnetsim knows`);
    else {
      out.set(r.names[0]!, ips);
      ctx.done(r);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ VNets
function importVnets(ctx: ImportContext, natIps: Map<string, string[]>): void {
  const nsgs = new Set(ctx.net.nsgs.map((n) => n.name));
  const tables = new Set(ctx.net.routeTables.map((t) => t.name));
  const policyNames = new Set(ctx.byType(T.policy).map((r) => r.names[0]!));
  const vnetNames = new Set(ctx.byType(T.vnet).map((r) => r.names[0]!));
  const subnet = (name: string | undefined, p: Val | undefined, at: Val, region: string): SubnetSpec | undefined => {
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
      s.serviceEndpoints.push(locations !== undefined && locations.length > 0 && !isDefaultScope(service, region, locations) ? { service, locations } : { service });
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
    if (location === undefined) placeholder(ctx, name, 'region', region, r.res, `VNet "${name}" has no location; assumed ${region} (set it with --location)`);
    else if (!isKnownRegion(region)) r.res.get('location')!.warn(`unknown region "${location}"`);
    const vnet: VnetSpec = {
      name,
      region,
      subscription: subscriptionOf(r, ctx),
      tenant: ctx.deployment.tenantId,
      deploymentModel: 'ResourceManager',
      addressSpace: r.res.at('properties.addressSpace.addressPrefixes')?.strs() ?? [],
      peerings: [],
      subnets: [],
    };
    if (vnet.addressSpace.length === 0) r.res.warn(`VNet "${name}" has no properties.addressSpace.addressPrefixes`);
    for (const sv of r.res.at('properties.subnets')?.items() ?? []) {
      const s = subnet(sv.get('name')?.str(), sv.get('properties'), sv, region);
      if (s !== undefined) vnet.subnets.push(s);
      else ctx.skipPart(r, 'subnets', sv.get('name')?.str(), sv);
    }
    for (const pv of r.res.at('properties.virtualNetworkPeerings')?.items() ?? []) {
      const peer = refTo(ctx, pv.at('properties.remoteVirtualNetwork'), 'Microsoft.Network/virtualNetworks', vnetNames, 'VNet');
      if (peer !== undefined && !vnet.peerings.includes(peer)) vnet.peerings.push(peer);
      else if (peer === undefined) ctx.skipPart(r, 'virtualNetworkPeerings', pv.get('name')?.str(), pv);
    }
    ctx.net.vnets.push(vnet);
    ctx.done(r);
  }
  for (const r of ctx.byType(T.subnet)) {
    const vnet = ctx.net.vnets.find((v) => v.name === r.names[0]);
    if (vnet === undefined) {
      ctx.skip(r, `subnet of VNet "${r.names[0]}", which is not defined in ${ctx.inputName}`);
      continue;
    }
    const s = subnet(r.names[1], r.res.get('properties'), r.res, vnet.region);
    if (s === undefined) continue;
    ctx.done(r);
    const i = vnet.subnets.findIndex((x) => x.name === s.name);
    if (i >= 0) vnet.subnets[i] = s; // a child resource redeclares an inline subnet: the later declaration wins
    else vnet.subnets.push(s);
  }
  for (const r of ctx.byType(T.peering)) {
    const vnet = ctx.net.vnets.find((v) => v.name === r.names[0]);
    const peer = refTo(ctx, r.res.at('properties.remoteVirtualNetwork'), 'Microsoft.Network/virtualNetworks', vnetNames, 'VNet');
    if (vnet === undefined) ctx.skip(r, `peering of VNet "${r.names[0]}", which is not defined in ${ctx.inputName}`);
    else if (peer !== undefined) {
      if (!vnet.peerings.includes(peer)) vnet.peerings.push(peer);
      ctx.done(r);
    }
  }
  // Peering is symmetric in the model: list each pair once (on the first VNet).
  for (const v of ctx.net.vnets) v.peerings = v.peerings.filter((p) => !ctx.net.vnets.some((o) => o.name === p && o.peerings.includes(v.name) && ctx.net.vnets.indexOf(o) < ctx.net.vnets.indexOf(v)));
}


/**
 * True when `locations` are the regions Azure fills in for an endpoint created without them (a deployed subnet, as az
 * prints it, lists them): the endpoint's default scope (R-SE-REGION), so the subnet is written without them.
 */
function isDefaultScope(service: string, region: string, locations: string[]): boolean {
  const scope = endpointService(service)?.scope;
  const want = scope === 'regionAndPair' ? [region, pairedRegion(region)] : scope === 'region' ? [region] : undefined;
  if (want === undefined || want.includes(undefined)) return false;
  const got = new Set(locations);
  return got.size === want.length && want.every((r) => got.has(r!));
}
