// The scenario file format of SCENARIOS.md as data: what every key must be, which keys are required, the defaults of
// model/types.ts. The loader (scenario-load.ts) reads YAML nodes against these schemas with scenario-read.ts.
//
// What the loader checks: shapes, types, enums and address syntax everywhere except inside the payload of a
// control-plane change (`setRule.rule`, `setRoute.route`, `addIpRule.ip`, ...), where only shapes and enums are checked:
// Azure would refuse a bad value there with InvalidRequest, and a scenario may expect exactly that (`expect: { error }`).

import {
  AddressError,
  DISPOSITION_NAMES,
  DROP_REASON_NAMES,
  parseAddress,
  isServiceTagName,
  parseCidr,
  parsePorts,
  PortSpecError,
  type Access,
  type Direction,
  type DispositionName,
  type DropReasonName,
  type EndpointPrecedence,
  type NetworkSpec,
  type NextHopType,
  type RouteSpec,
  type RuleProtocol,
  type SecurityRuleSpec,
} from '@vnetsim/core';
import { PACKET_PROTOCOLS, RULE_PROTOCOLS, type PacketProtocol } from '@vnetsim/core';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Field, Fields, Reader, Schema, YNode } from './scenario-read.js';

// ---------------------------------------------------------------------------------------------------------- enums
export const DIRECTIONS: readonly Direction[] = ['Inbound', 'Outbound'];
export const ACCESSES: readonly Access[] = ['Allow', 'Deny'];
export { RULE_PROTOCOLS, PACKET_PROTOCOLS, type PacketProtocol };
export const NEXT_HOP_TYPES: readonly NextHopType[] = [
  'VnetLocal',
  'VNetPeering',
  'Internet',
  'VirtualAppliance',
  'VirtualNetworkGateway',
  'VirtualNetworkServiceEndpoint',
  'None',
];
export const PRECEDENCES: readonly EndpointPrecedence[] = ['override', 'lpm'];
export const ROUTE_SOURCES = ['Default', 'User', 'VirtualNetworkGateway'] as const;
export const ROUTE_STATES = ['Active', 'Invalid'] as const;

// ---------------------------------------------------------------------------------------------------------- checks
function addrCheck(v: string): string | null {
  try {
    parseAddress(v);
    return null;
  } catch (e) {
    return e instanceof AddressError ? `${e.message}; expected an IPv4 or IPv6 address` : `"${v}" is not an address`;
  }
}
function cidrCheck(v: string): string | null {
  try {
    parseCidr(v);
    return null;
  } catch (e) {
    return e instanceof AddressError ? `${e.message}; expected a prefix like 10.0.0.0/16` : `"${v}" is not a prefix`;
  }
}
function addrOrCidrCheck(v: string): string | null {
  try {
    parseCidr(v, true);
    return null;
  } catch (e) {
    return e instanceof AddressError ? `${e.message}; expected an address or a prefix` : `"${v}" is not an address or prefix`;
  }
}
function portsCheck(v: string): string | null {
  try {
    parsePorts(v);
    return null;
  } catch (e) {
    return e instanceof PortSpecError ? `${e.message}; expected *, a port, a range a-b or a list` : `bad port "${v}"`;
  }
}
/** `10.0.1.4:50000` or `[2001:db8::1]:443`. */
export function splitIpPort(v: string): { ip: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(v) ?? /^([^:]+):(\d{1,5})$/.exec(v);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port > 65535 || addrCheck(m[1]!) !== null) return null;
  return { ip: m[1]!, port };
}
function ipPortCheck(v: string): string | null {
  return splitIpPort(v) === null ? `found "${v}", expected IP:PORT (10.0.1.4:50000 or [2001:db8::4]:443)` : null;
}
function subnetRefCheck(v: string): string | null {
  return /^[^/\s]+\/[^/\s]+$/.test(v) ? null : `found "${v}", expected a subnet as vnet/subnet`;
}
function nonEmpty(v: string): string | null {
  return v.trim() === '' ? 'found an empty string, expected a name' : null;
}
function ruleRefCheck(v: string): string | null {
  return /^(securityRules|defaultSecurityRules)\/.+$/.test(v)
    ? null
    : `found "${v}", expected securityRules/<name> or defaultSecurityRules/<name> (R-NSG-3)`;
}

// ---------------------------------------------------------------------------------------------------------- builders
const str = (what = 'a string'): Schema => ({ k: 'str', what, check: nonEmpty });
const enumOf = (values: readonly string[]): Schema => ({ k: 'str', enum: values });
const addr: Schema = { k: 'str', what: 'an IP address', check: addrCheck };
const cidr: Schema = { k: 'str', what: 'a prefix like 10.0.0.0/16', check: cidrCheck };
/** R-RT-8: a route's prefix is a CIDR or a service tag name (known tags are checked against the tag set later). */
const routePrefix: Schema = {
  k: 'str',
  what: 'a prefix like 10.0.0.0/16 or a service tag like Storage.WestEurope',
  check: (v) => (isServiceTagName(v) ? null : cidrCheck(v)),
};
const subnetRef: Schema = { k: 'str', what: 'a subnet as vnet/subnet', check: subnetRefCheck };
const listOf = (of: Schema, what?: string, min?: number): Schema =>
  min === undefined ? { k: 'list', of, ...(what ? { what } : {}) } : { k: 'list', of, min, ...(what ? { what } : {}) };
const strList = (what = 'a list of names'): Schema => listOf(str(), what);
const port: Schema = { k: 'int', min: 0, max: 65535, what: 'a port from 0 to 65535' };
const req = (s: Schema): Field => ({ s, req: true });
const opt = (s: Schema): Field => ({ s });
const def = (s: Schema, d: () => unknown): Field => ({ s, def: d });
const obj = (what: string, fields: Fields, post?: Extract<Schema, { k: 'obj' }>['post']): Schema =>
  post === undefined ? { k: 'obj', what, fields } : { k: 'obj', what, fields, post };

// ---------------------------------------------------------------------------------------------------------- network
/** A security rule. `strict` (network) checks addresses and ports; a setRule payload only its shape. */
function securityRule(strict: boolean): Schema {
  const endpoint: Schema = { k: 'strs', what: '*, an address, a prefix, a service tag, or a list of addresses/prefixes' };
  const ports: Schema = strict
    ? { k: 'strs', numbers: true, check: portsCheck, what: '*, a port, a range a-b, or a list of those' }
    : { k: 'strs', numbers: true, what: '*, a port, a range a-b, or a list of those' };
  return obj(
    'a security rule',
    {
      name: req(str()),
      priority: req({ k: 'int', min: strict ? 100 : 0, max: strict ? 4096 : 1e9, what: 'a priority from 100 to 4096' }),
      direction: req(enumOf(DIRECTIONS)),
      access: req(enumOf(ACCESSES)),
      protocol: req(enumOf(RULE_PROTOCOLS)),
      source: opt(endpoint),
      sourcePorts: def(ports, () => '*'),
      destination: opt(endpoint),
      destinationPorts: req(ports),
      sourceAsgs: opt(strList('a list of application security group names')),
      destinationAsgs: opt(strList('a list of application security group names')),
      description: opt({ k: 'str' }),
    },
    (v, r, node, path) => {
      // R-NSG-1: an address side is given either as source/destination or as application security groups.
      for (const side of ['source', 'destination'] as const) {
        const asgs = `${side}Asgs`;
        if (v[side] === undefined && v[asgs] === undefined)
          r.report(node, `${path}.${side}`, `missing required key "${side}" (or "${asgs}") in a security rule`);
        else if (v[side] === undefined) v[side] = '*';
        else if (v[asgs] !== undefined && v[side] !== '*')
          r.report(node, `${path}.${side}`, `give "${side}" or "${asgs}", not both (R-NSG-1)`);
      }
    },
  );
}

function route(strict: boolean): Schema {
  return obj('a route', {
    name: req(str()),
    prefix: req(strict ? routePrefix : str('a prefix or a service tag')),
    nextHopType: req(enumOf(NEXT_HOP_TYPES)),
    nextHopIp: opt(strict ? addr : str('an IP address')),
  });
}

const serviceEndpointObj = obj('a service endpoint', {
  service: req(str('a service like Microsoft.Storage')),
  locations: opt(listOf(str(), "a list of regions, or ['*']", 1)),
});
const serviceEndpointName: Schema = {
  // A bare name is normalised to { service }.
  k: 'custom',
  read: (node, r, path) => {
    const v = r.read(node, { k: 'str', what: 'a service name like Microsoft.Storage, or { service, locations }', check: nonEmpty }, path);
    return v === undefined ? undefined : { service: v };
  },
  json: () => ({ type: 'string', minLength: 1, description: 'a service name like Microsoft.Storage' }),
};
const serviceEndpoint: Schema = {
  k: 'alt',
  pick: (n) => (isMap(n) ? serviceEndpointObj : serviceEndpointName),
  forms: [serviceEndpointObj, serviceEndpointName],
};

const subnet = obj('a subnet', {
  name: req(str()),
  prefix: req(cidr),
  prefixV6: opt(cidr),
  nsg: opt(str()),
  routeTable: opt(str()),
  natGateway: opt(obj('a NAT gateway', { publicIps: req(listOf(addr, 'a list of public IP addresses', 1)) })),
  serviceEndpoints: def(listOf(serviceEndpoint), () => []),
  endpointPolicies: def(strList(), () => []),
});

const vnet = obj('a virtual network', {
  name: req(str()),
  region: req(str('a region like westeurope')),
  subscription: def(str(), () => 'default'),
  tenant: def(str(), () => 'default'),
  resourceGroup: opt(str()),
  deploymentModel: def(enumOf(['ResourceManager', 'Classic']), () => 'ResourceManager'),
  addressSpace: req(listOf(cidr, 'a list of prefixes', 1)),
  peerings: def(strList('a list of VNet names'), () => []),
  gateway: opt(
    obj('a gateway', {
      onPremPrefixes: def(listOf(cidr, 'a list of prefixes'), () => []),
      natIps: def(listOf(addr, 'a list of addresses'), () => []),
    }),
  ),
  defaultOutboundIp: opt(addr),
  subnets: def(listOf(subnet), () => []),
});

const vm = obj('a VM', {
  name: req(str()),
  subnet: req(subnetRef),
  privateIp: req(addr),
  privateIpV6: opt(addr),
  publicIp: opt(addr),
  nsg: opt(str()),
  asgs: def(strList('a list of application security group names'), () => []),
  ipForwarding: def({ k: 'bool' }, () => false),
  appliance: opt(obj('an appliance', { egress: req(enumOf(['Internet', 'OnPrem', 'Drop'])), publicIp: opt(addr) })),
});

const firewallFields = (strict: boolean): Fields => ({
  defaultAction: def(enumOf(ACCESSES), () => 'Allow'),
  virtualNetworkRules: def(listOf(subnetRef, 'a list of vnet/subnet'), () => []),
  ipRules: def(listOf(strict ? { k: 'str', what: 'an address or prefix', check: addrOrCidrCheck } : str(), 'a list of addresses or prefixes'), () => []),
});

const service = obj('a service', {
  name: req(str()),
  type: req(str('a service type like Microsoft.Storage')),
  region: req(str('a region like westeurope')),
  subscription: def(str(), () => 'default'),
  tenant: def(str(), () => 'default'),
  address: req(addr),
  hostname: opt(str('a host name')),
  resourceGroup: opt(str()),
  firewall: def(obj('a service firewall', firewallFields(true)), () => ({ defaultAction: 'Allow', virtualNetworkRules: [], ipRules: [] })),
});

export const NETWORK_SCHEMA: Schema = obj('the network', {
  vnets: def(listOf(vnet), () => []),
  nsgs: def(listOf(obj('an NSG', { name: req(str()), rules: def(listOf(securityRule(true)), () => []) })), () => []),
  routeTables: def(
    listOf(
      obj('a route table', {
        name: req(str()),
        disableBgpRoutePropagation: def({ k: 'bool' }, () => false),
        routes: def(listOf(route(true)), () => []),
      }),
    ),
    () => [],
  ),
  vms: def(listOf(vm), () => []),
  services: def(listOf(service), () => []),
  endpointPolicies: def(
    listOf(
      obj('an endpoint policy', {
        name: req(str()),
        service: req(str('a service like Microsoft.Storage')),
        resources: def(strList('a list of service names'), () => []),
        subscriptions: opt(strList()),
        resourceGroups: opt(strList()),
      }),
    ),
    () => [],
  ),
  onPrem: def(listOf(obj('an on-premises network', { name: req(str()), prefix: req(cidr), via: req(str('a VNet name')) })), () => []),
  principals: def(listOf(obj('a principal', { name: req(str()), permissions: req(strList('a list of permissions')) })), () => []),
});

// ---------------------------------------------------------------------------------------------------------- steps
/** What a step's `expect` may hold (SCENARIOS.md "expect keys"). Every key is optional. */
export interface Expect {
  disposition?: DispositionName;
  reason?: DropReasonName;
  /** `securityRules/<name>` or `defaultSecurityRules/<name>`. */
  rule?: string;
  nextHopType?: NextHopType;
  nextHopIp?: string;
  sourceSeenByService?: string;
  /** The source address the packet carries where it arrives (VM, on-premises site, Internet, service). */
  sourceSeenByDestination?: string;
  /** As written: `403 AuthorizationFailure`, `40914` (numbers become strings). */
  serviceError?: string;
  counts?: Partial<Record<DispositionName, number>>;
  /** Connection ids, exactly (order irrelevant). */
  resetConnections?: string[];
  /** A control-plane error code: AuthorizationFailed, InvalidRequest, LimitExceeded, ... */
  error?: string;
  /** Rows that must (or must not) be present; each key given must equal the row's value (`prefix`: any of its prefixes). */
  contains?: Array<Record<string, string | number>>;
  notContains?: Array<Record<string, string | number>>;
  access?: Access;
  /** A route table name or `System Route`. */
  routeTable?: string;
  address?: string;
  /** whatif: changes (entries of the plan, partially given) that must be there, or must not. */
  changes?: { contains?: ChangeMatch[]; notContains?: ChangeMatch[] };
}

/**
 * A partial `changes[]` entry of whatif: each key given must match (strings equal, lists: every item given is in the
 * entry's list, before/after: each key of the outcome equal); `destination` (an address or prefix) must lie inside
 * the entry's destinations.
 */
export type ChangeMatch = Record<string, unknown>;
/** The keys a ChangeMatch may use. */
export const CHANGE_MATCH_KEYS = ['source', 'sourceSubnet', 'protocols', 'ports', 'sourcePorts', 'destinations', 'tags', 'destination', 'sourceAddresses', 'before', 'after'] as const;
export const OUTCOME_MATCH_KEYS = [
  'disposition', 'reason', 'nextHopType', 'nextHopIp', 'routeTable', 'route', 'rule', 'sourceSeenByDestination', 'service',
  'serviceVerdict', 'serviceError', 'deliveredTo', 'appliance',
] as const;

interface StepBase {
  /** 0-based index in `steps`. */
  index: number;
  /** 1-based line of the step in the file. */
  line: number;
  expect: Expect;
}
/** A packet's addressing. `port` is the destination port (Tcp/Udp); `sourcePort` is chosen when absent. */
export interface PacketArgs {
  from: string;
  to: string;
  protocol: PacketProtocol;
  port?: number;
  sourcePort?: number;
  /** VM disk traffic (disk IO to managed/unmanaged disks): the platform path, never diverted (R-SE-8). */
  disk?: boolean;
}
export interface ConnectStep extends StepBase, PacketArgs {
  kind: 'connect';
  /** Names the connection for `send: { flow }` and `resetConnections`. */
  id?: string;
}
/** Either a packet on an open connection (`flow`), or a new packet (`from`, `to`, `protocol`...). */
export type SendStep = StepBase & { kind: 'send' } & ({ flow: string } | ({ flow?: undefined } & PacketArgs));
export interface TrafficStep extends StepBase {
  kind: 'traffic';
  from: string;
  to: string;
  protocol: PacketProtocol;
  port?: number;
  packets: number;
  /** Distinct flows the packets are spread over (default 1). */
  flows: number;
  /** Seed of the generator (default 1). */
  seed: number;
}
/** Control-plane changes; `as` names a principal (absent: an owner, R-SE-7). */
interface ChangeBase extends StepBase {
  as?: string;
}
export interface EnableServiceEndpointStep extends ChangeBase {
  kind: 'enableServiceEndpoint';
  subnet: string;
  service: string;
  /** R-SE-REGION: explicit regions or ['*']. */
  locations?: string[];
}
export interface DisableServiceEndpointStep extends ChangeBase {
  kind: 'disableServiceEndpoint';
  subnet: string;
  service: string;
}
export interface VirtualNetworkRuleStep extends ChangeBase {
  kind: 'addVirtualNetworkRule' | 'removeVirtualNetworkRule';
  /** The service resource (a `network.services` name). */
  service: string;
  subnet: string;
}
export interface IpRuleStep extends ChangeBase {
  kind: 'addIpRule' | 'removeIpRule';
  service: string;
  /** An address or prefix (checked by the control plane: a private range is InvalidRequest, R-SVC-1). */
  ip: string;
}
export interface SetRuleStep extends ChangeBase {
  kind: 'setRule';
  nsg: string;
  rule: SecurityRuleSpec;
}
export interface RemoveRuleStep extends ChangeBase {
  kind: 'removeRule';
  nsg: string;
  name: string;
}
export interface SetRouteStep extends ChangeBase {
  kind: 'setRoute';
  routeTable: string;
  route: RouteSpec;
}
export interface RemoveRouteStep extends ChangeBase {
  kind: 'removeRoute';
  routeTable: string;
  name: string;
}
/** Effective routes of a subnet (`vnet/subnet`) or of a VM's NIC: exactly one of the two. */
export interface EffectiveRoutesStep extends StepBase {
  kind: 'effectiveRoutes';
  subnet?: string;
  vm?: string;
}
export interface EffectiveSecurityRulesStep extends StepBase {
  kind: 'effectiveSecurityRules';
  vm: string;
}
export interface NextHopStep extends StepBase {
  kind: 'nextHop';
  from: string;
  to: string;
}
export interface IpFlowVerifyStep extends StepBase {
  kind: 'ipFlowVerify';
  vm: string;
  direction: Direction;
  protocol: PacketProtocol;
  /** `IP:PORT`. */
  local: string;
  remote: string;
}
export interface ResolveStep extends StepBase {
  kind: 'resolve';
  hostname: string;
}
/** What changes, for every packet, if the changes were applied now (`vnetsim whatif`); the network is not changed. */
export interface WhatIfStep extends StepBase {
  kind: 'whatif';
  /** The control-plane steps of the question, in order (`change:` one, `changes:` a list). */
  changes: Step[];
}
/** Lets time pass (flow idle timeouts). */
export interface AdvanceTimeStep extends StepBase {
  kind: 'advanceTime';
  seconds: number;
}

export type Step =
  | ConnectStep
  | SendStep
  | TrafficStep
  | EnableServiceEndpointStep
  | DisableServiceEndpointStep
  | VirtualNetworkRuleStep
  | IpRuleStep
  | SetRuleStep
  | RemoveRuleStep
  | SetRouteStep
  | RemoveRouteStep
  | EffectiveRoutesStep
  | EffectiveSecurityRulesStep
  | NextHopStep
  | IpFlowVerifyStep
  | ResolveStep
  | AdvanceTimeStep
  | WhatIfStep;
export type StepKind = Step['kind'];

// Arguments of each step kind.
const protocol = enumOf(PACKET_PROTOCOLS);
const as = opt(str('a principal name'));
const packetFields: Fields = {
  from: req(str('a VM, vnet/subnet or on-premises name')),
  to: req(str('a VM, service, on-premises name, address, prefix or tag')),
  protocol: req(protocol),
  port: opt(port),
  sourcePort: opt(port),
  disk: opt({ k: 'bool' }),
};
/** Tcp and Udp need a destination port. */
const needsPort: Extract<Schema, { k: 'obj' }>['post'] = (v, r, node, path) => {
  if ((v.protocol === 'Tcp' || v.protocol === 'Udp') && v.port === undefined)
    r.report(node, `${path}.port`, `missing required key "port" (a ${String(v.protocol)} packet needs a destination port)`);
};

const sendOnFlow = obj('a send step on an open connection', { flow: req(str('a connection id')) });
const sendPacket = obj('a send step', packetFields, needsPort);

export const STEP_ARGS: Record<StepKind, Schema> = {
  connect: obj('a connect step', { id: opt(str('a connection id')), ...packetFields }, needsPort),
  send: {
    k: 'alt',
    pick: (n) => (isMap(n) && n.items.some((p) => isScalar(p.key) && p.key.value === 'flow') ? sendOnFlow : sendPacket),
    forms: [sendOnFlow, sendPacket],
  },
  traffic: obj(
    'a traffic step',
    {
      from: req(str('a VM, vnet/subnet or on-premises name')),
      to: req(str('a VM, service, on-premises name, address, prefix or tag')),
      protocol: req(protocol),
      port: opt(port),
      packets: req({ k: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, what: 'a positive number of packets' }),
      flows: def({ k: 'int', min: 1, max: 1e9, what: 'a positive number of flows' }, () => 1),
      seed: def({ k: 'int', min: 0, max: 0xffffffff, what: 'an integer seed from 0 to 4294967295' }, () => 1),
    },
    (v, r, node, path) => {
      needsPort!(v, r, node, path);
      if (typeof v.flows === 'number' && typeof v.packets === 'number' && v.flows > v.packets)
        r.report(node, `${path}.flows`, `found ${v.flows} flows for ${v.packets} packets, expected at most one flow per packet`);
    },
  ),
  enableServiceEndpoint: obj('an enableServiceEndpoint step', {
    subnet: req(subnetRef),
    service: req(str('a service like Microsoft.Storage')),
    locations: opt(listOf(str(), "a list of regions, or ['*']", 1)),
    as,
  }),
  disableServiceEndpoint: obj('a disableServiceEndpoint step', { subnet: req(subnetRef), service: req(str('a service like Microsoft.Storage')), as }),
  addVirtualNetworkRule: obj('an addVirtualNetworkRule step', { service: req(str('a service name')), subnet: req(subnetRef), as }),
  removeVirtualNetworkRule: obj('a removeVirtualNetworkRule step', { service: req(str('a service name')), subnet: req(subnetRef), as }),
  addIpRule: obj('an addIpRule step', { service: req(str('a service name')), ip: req(str('an address or prefix')), as }),
  removeIpRule: obj('a removeIpRule step', { service: req(str('a service name')), ip: req(str('an address or prefix')), as }),
  setRule: obj('a setRule step', { nsg: req(str('an NSG name')), rule: req(securityRule(false)), as }),
  removeRule: obj('a removeRule step', { nsg: req(str('an NSG name')), name: req(str('a rule name')), as }),
  setRoute: obj('a setRoute step', { routeTable: req(str('a route table name')), route: req(route(false)), as }),
  removeRoute: obj('a removeRoute step', { routeTable: req(str('a route table name')), name: req(str('a route name')), as }),
  effectiveRoutes: obj('an effectiveRoutes step', { subnet: opt(subnetRef), vm: opt(str('a VM name')) }, (v, r, node, path) => {
    if ((v.subnet === undefined) === (v.vm === undefined))
      r.report(node, path, 'an effectiveRoutes step needs exactly one of "subnet" (vnet/subnet) or "vm"');
  }),
  effectiveSecurityRules: obj('an effectiveSecurityRules step', { vm: req(str('a VM name')) }),
  nextHop: obj('a nextHop step', { from: req(str('a VM name')), to: req(str('a VM, service, on-premises name or an address')) }),
  ipFlowVerify: obj('an ipFlowVerify step', {
    vm: req(str('a VM name')),
    direction: req(enumOf(DIRECTIONS)),
    protocol: req(protocol),
    local: req({ k: 'str', what: 'IP:PORT', check: ipPortCheck }),
    remote: req({ k: 'str', what: 'IP:PORT', check: ipPortCheck }),
  }),
  resolve: obj('a resolve step', { hostname: req(str('a host name')) }),
  advanceTime: obj('an advanceTime step', { seconds: req({ k: 'int', min: 1, max: 1e9, what: 'a positive number of seconds' }) }),
  whatif: {
    k: 'custom',
    read: (n, r, p) => readWhatIf(n, r, p),
    json: (of) => {
      const change = {
        description: `a control-plane change: one of ${WHATIF_CHANGE_KINDS.join(', ')}`,
        oneOf: WHATIF_CHANGE_KINDS.map((k) => ({ type: 'object', properties: { [k]: of(STEP_ARGS[k]) }, required: [k], additionalProperties: false })),
      };
      return {
        type: 'object',
        description: 'a whatif step: change: { KIND: {...} } or changes: [ ... ]',
        oneOf: [
          { properties: { change }, required: ['change'], additionalProperties: false },
          { properties: { changes: { type: 'array', minItems: 1, items: change } }, required: ['changes'], additionalProperties: false },
        ],
      };
    },
  },
};

/** Step kinds a whatif step may ask about (the control-plane changes). */
export const WHATIF_CHANGE_KINDS = [
  'enableServiceEndpoint', 'disableServiceEndpoint', 'addVirtualNetworkRule', 'removeVirtualNetworkRule', 'addIpRule',
  'removeIpRule', 'setRule', 'removeRule', 'setRoute', 'removeRoute',
] as const satisfies readonly StepKind[];

/** `whatif: { change: { KIND: {...} } }` or `whatif: { changes: [ { KIND: {...} }, ... ] }`. */
function readWhatIf(node: YNode, r: Reader, p: string): { changes: Step[] } | undefined {
  const n = r.deref(node);
  if (!isMap(n) || n.items.length !== 1) return r.wrong(n, p, 'a map with change: { KIND: {...} } or changes: [ ... ]');
  const pair = n.items[0]!;
  const key = isScalar(pair.key) ? String(pair.key.value) : '';
  if (key === 'change') {
    const c = readChange(pair.value as YNode, r, `${p}.change`, 0);
    return c === undefined ? undefined : { changes: [c] };
  }
  if (key === 'changes') {
    const list = r.deref(pair.value as YNode);
    if (!isSeq(list) || list.items.length === 0) return r.wrong(list, `${p}.changes`, 'a non-empty list of changes');
    const out: Step[] = [];
    let ok = true;
    list.items.forEach((item, i) => {
      const c = readChange(item as YNode, r, `${p}.changes[${i}]`, i);
      if (c === undefined) ok = false;
      else out.push(c);
    });
    return ok ? { changes: out } : undefined;
  }
  r.report(pair.key as YNode, `${p}.${key}`, `unknown key "${key}" in a whatif step, expected change or changes`);
  return undefined;
}

export function readChange(node: YNode, r: Reader, p: string, index: number): Step | undefined {
  const n = r.deref(node);
  const kinds: readonly string[] = WHATIF_CHANGE_KINDS;
  if (!isMap(n) || n.items.length !== 1) return r.wrong(n, p, `a change: a map with one of ${kinds.join(', ')}`);
  const pair = n.items[0]!;
  const kind = isScalar(pair.key) ? String(pair.key.value) : '';
  if (!kinds.includes(kind)) {
    r.report(pair.key as YNode, `${p}.${kind}`, `found "${kind}", expected a control-plane change: one of ${kinds.join(', ')}`);
    return undefined;
  }
  const args = r.read(pair.value as YNode, STEP_ARGS[kind as StepKind], `${p}.${kind}`) as Record<string, unknown> | undefined;
  if (args === undefined) return undefined;
  const range = (n as { range?: [number, number, number] }).range;
  const line = range === undefined ? 0 : r.lc.linePos(range[0]).line;
  return { kind, index, line, ...args, expect: {} } as Step;
}

/** A ChangeMatch: known keys only (its values are compared as written). */
const changeMatch: Schema = {
  k: 'custom',
  read: (node, r, p) => {
    const n = r.deref(node);
    if (!isMap(n)) return r.wrong(n, p, `a change to match: a map of ${CHANGE_MATCH_KEYS.join(', ')}`);
    let ok = true;
    for (const pair of n.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!(CHANGE_MATCH_KEYS as readonly string[]).includes(key)) {
        r.report(pair.key as YNode, `${p}.${key}`, `unknown key "${key}", expected one of ${CHANGE_MATCH_KEYS.join(', ')}`);
        ok = false;
      } else if (key === 'before' || key === 'after') {
        const o = r.deref(pair.value as YNode);
        if (!isMap(o)) (r.wrong(o, `${p}.${key}`, `a map of ${OUTCOME_MATCH_KEYS.join(', ')}`), (ok = false));
        else
          for (const q of o.items) {
            const k2 = isScalar(q.key) ? String(q.key.value) : '';
            if (!(OUTCOME_MATCH_KEYS as readonly string[]).includes(k2)) {
              r.report(q.key as YNode, `${p}.${key}.${k2}`, `unknown key "${k2}", expected one of ${OUTCOME_MATCH_KEYS.join(', ')}`);
              ok = false;
            }
          }
      }
    }
    return ok ? (n.toJSON() as ChangeMatch) : undefined;
  },
  json: () => {
    const outcome = { type: 'object', propertyNames: { enum: [...OUTCOME_MATCH_KEYS] } };
    return { type: 'object', description: 'a change to match', propertyNames: { enum: [...CHANGE_MATCH_KEYS] }, properties: { before: outcome, after: outcome } };
  },
};
export const STEP_KINDS = Object.keys(STEP_ARGS) as StepKind[];

// ---------------------------------------------------------------------------------------------------------- expect
const routeRow: Schema = obj('an effective route row', {
  name: opt(str()),
  source: opt(enumOf(ROUTE_SOURCES)),
  state: opt(enumOf(ROUTE_STATES)),
  prefix: opt(cidr),
  nextHopType: opt(enumOf(NEXT_HOP_TYPES)),
  nextHopIp: opt(addr),
  routeTable: opt(str()),
  service: opt(str()),
});
const ruleRow: Schema = obj('an effective security rule row', {
  name: opt(str()),
  nsg: opt(str()),
  priority: opt({ k: 'int', min: 0, max: 65535, what: 'a priority' }),
  direction: opt(enumOf(DIRECTIONS)),
  access: opt(enumOf(ACCESSES)),
  protocol: opt(enumOf(RULE_PROTOCOLS)),
  source: opt(str()),
  destination: opt(str()),
  sourcePorts: opt({ k: 'strnum', what: 'ports' }),
  destinationPorts: opt({ k: 'strnum', what: 'ports' }),
  prefix: opt(addrOrCidrSchema()),
  // SCENARIOS.md: a rule row may be matched on one side.
  sourcePrefix: opt(addrOrCidrSchema()),
  destinationPrefix: opt(addrOrCidrSchema()),
  level: opt(enumOf(['nic', 'subnet'])),
});
function addrOrCidrSchema(): Schema {
  return { k: 'str', what: 'an address or prefix', check: addrOrCidrCheck };
}

const EXPECT_FIELDS: Record<keyof Expect, Field> = {
  disposition: opt(enumOf(DISPOSITION_NAMES)),
  reason: opt(enumOf(DROP_REASON_NAMES)),
  rule: opt({ k: 'str', what: 'securityRules/<name>', check: ruleRefCheck }),
  nextHopType: opt(enumOf(NEXT_HOP_TYPES)),
  nextHopIp: opt(addr),
  sourceSeenByService: opt(addr),
  sourceSeenByDestination: opt(addr),
  serviceError: opt({ k: 'strnum', what: 'a service error like 403 AuthorizationFailure or 40914' }),
  counts: opt({ k: 'map', keys: DISPOSITION_NAMES, value: { k: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, what: 'a count' }, what: 'a map of disposition to count' }),
  resetConnections: opt(listOf(str('a connection id'), 'a list of connection ids')),
  error: opt({ k: 'str', what: 'an error code like AuthorizationFailed', check: (v) => (/^[A-Za-z][A-Za-z0-9]*$/.test(v) ? null : `found "${v}", expected an error code like AuthorizationFailed, InvalidRequest, LimitExceeded`) }),
  contains: opt(listOf(routeRow)),
  notContains: opt(listOf(routeRow)),
  access: opt(enumOf(ACCESSES)),
  routeTable: opt(str('a route table name or System Route')),
  address: opt(addr),
  changes: opt(obj('changes to look for', { contains: opt(listOf(changeMatch)), notContains: opt(listOf(changeMatch)) })),
};

const PACKET_EXPECT = [
  'disposition', 'reason', 'rule', 'nextHopType', 'nextHopIp', 'routeTable', 'sourceSeenByService', 'sourceSeenByDestination', 'serviceError',
] as const;
const CHANGE_EXPECT = ['error', 'resetConnections'] as const;
/** The expect keys that mean something for each step kind (others would be silent no-ops, so they are errors). */
export const EXPECT_KEYS: Record<StepKind, readonly (keyof Expect)[]> = {
  connect: PACKET_EXPECT,
  send: PACKET_EXPECT,
  traffic: ['counts', 'disposition'],
  enableServiceEndpoint: CHANGE_EXPECT,
  disableServiceEndpoint: CHANGE_EXPECT,
  addVirtualNetworkRule: CHANGE_EXPECT,
  removeVirtualNetworkRule: CHANGE_EXPECT,
  addIpRule: CHANGE_EXPECT,
  removeIpRule: CHANGE_EXPECT,
  setRule: CHANGE_EXPECT,
  removeRule: CHANGE_EXPECT,
  setRoute: CHANGE_EXPECT,
  removeRoute: CHANGE_EXPECT,
  effectiveRoutes: ['contains', 'notContains'],
  effectiveSecurityRules: ['contains', 'notContains'],
  nextHop: ['nextHopType', 'nextHopIp', 'routeTable'],
  // error: Azure refuses a question it cannot answer (a local address that is not the VM's) with InvalidRequest.
  ipFlowVerify: ['access', 'rule', 'error'],
  resolve: ['address'],
  advanceTime: ['resetConnections'],
  whatif: ['changes', 'resetConnections'],
};
/** The expect schema of one step kind: its keys only; contains/notContains rows shaped by the kind. */
export function expectSchema(kind: StepKind): Schema {
  const fields: Fields = {};
  for (const k of EXPECT_KEYS[kind]) {
    fields[k] = kind === 'effectiveSecurityRules' && (k === 'contains' || k === 'notContains') ? opt(listOf(ruleRow)) : EXPECT_FIELDS[k];
  }
  return obj(`the expect of a ${kind} step`, fields);
}

// ---------------------------------------------------------------------------------------------------------- top level
export const TOP_FIELDS: Fields = {
  name: req(str('a scenario name')),
  description: opt({ k: 'str' }),
  options: def(
    obj('options', {
      endpointPrecedence: def(enumOf(PRECEDENCES), () => 'override'),
      // R-SNAT-1: a smaller pool than Azure's 64,512 ports per address shows exhaustion with little traffic.
      snatPortsPerIp: opt({ k: 'int', min: 1, max: 64512, what: 'a number of ports from 1 to 64512' }),
      // R-SNAT-1: where the documents disagree, both behaviours, behind one named option.
      outboundPrecedence: opt(enumOf(['instancePublicIp', 'natGateway'])),
      // R-SVC-4: the seed's reading (public, default) or the current Storage documents' (azureInternal).
      storageSameRegionSource: opt(enumOf(['public', 'azureInternal'])),
    }),
    () => ({ endpointPrecedence: 'override' }),
  ),
  serviceTags: def(str("builtin or a path to a ServiceTags_Public JSON file"), () => 'builtin'),
  network: req(NETWORK_SCHEMA),
  // `steps` is added by the loader (a custom reader: one kind per step, expect keys by kind).
};

export type { NetworkSpec };
