// vnetsim's answers in the JSON shapes Azure's REST API returns (Microsoft.Network 2025-05-01 examples in
// ../shared/data/azure-shapes/rest-specs_2025-05-01_*.json): effective route list, effective NSG list with expanded
// prefixes, IP flow verify result, next hop result. Resource ids are built from the model: the VM's VNet subscription
// and resource group `vnetsim` (the model has no resource groups for network resources). The model has no NIC names:
// a VM's NIC is `<vm>-nic`. Edge code (one answer per command).

import type { CompiledRuleInfo, EffectiveRoute, IpFlowVerifyResult, NetworkSpec, NextHopResult } from '@vnetsim/core';

export const DEFAULT_RESOURCE_GROUP = 'vnetsim';

export interface AzureIdScope {
  subscription: string;
  resourceGroup: string;
}

/** `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/<type>/<name>[/<child>/<name>]`. */
export function networkId(scope: AzureIdScope, ...typeAndNames: string[]): string {
  return `/subscriptions/${scope.subscription}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.Network/${typeAndNames.join('/')}`;
}

/** Subscription of the VNet of `vm` (or of the first VNet), resource group `vnetsim` unless given. */
export function idScopeOf(net: NetworkSpec, vm?: string, resourceGroup = DEFAULT_RESOURCE_GROUP): AzureIdScope {
  const subnet = vm === undefined ? undefined : net.vms.find((v) => v.name === vm)?.subnet;
  const vnet = subnet === undefined ? net.vnets[0] : net.vnets.find((v) => v.name === subnet.split('/')[0]);
  return { subscription: vnet?.subscription ?? 'default', resourceGroup };
}

// ------------------------------------------------------------------------------------------------------ routes
export interface AzureEffectiveRoute {
  name?: string;
  disableBgpRoutePropagation?: boolean;
  source: string;
  state: string;
  addressPrefix: string[];
  nextHopType: string;
  nextHopIpAddress: string[];
}

/**
 * NetworkInterfaces_GetEffectiveRouteTable: `{ value: [ { source, state, addressPrefix, nextHopType, nextHopIpAddress } ] }`.
 * User routes also carry their name and (given `net`) their table's disableBgpRoutePropagation, as Azure prints them.
 */
function effectiveRoutes(rows: readonly EffectiveRoute[], net?: NetworkSpec): { value: AzureEffectiveRoute[] } {
  return {
    value: rows.map((r) => {
      const out: AzureEffectiveRoute = {
        source: r.source,
        state: r.state,
        addressPrefix: [...r.addressPrefixes],
        nextHopType: r.nextHopType,
        nextHopIpAddress: [...r.nextHopIpAddress],
      };
      if (r.name === null) return out;
      const table = r.routeTable === null ? undefined : net?.routeTables.find((t) => t.name === r.routeTable);
      return { name: r.name, ...(table === undefined ? {} : { disableBgpRoutePropagation: table.disableBgpRoutePropagation }), ...out };
    }),
  };
}

// ------------------------------------------------------------------------------------------------------ NSGs
export interface AzureEffectiveRule {
  name: string;
  protocol: string;
  sourcePortRange?: string;
  sourcePortRanges?: string[];
  destinationPortRange?: string;
  destinationPortRanges?: string[];
  sourceAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  expandedSourceAddressPrefix?: string[];
  destinationAddressPrefix?: string;
  destinationAddressPrefixes?: string[];
  expandedDestinationAddressPrefix?: string[];
  access: string;
  priority: number;
  direction: string;
}

export interface AzureEffectiveNsg {
  networkSecurityGroup: { id: string };
  association: { subnet?: { id: string }; networkInterface?: { id: string } };
  effectiveSecurityRules: AzureEffectiveRule[];
}

const ADDRESS_TEXT = /^[\d./]+$|:/;

/** One address side in Azure's effective-rule form: `*` -> 0.0.0.0/0; tags/ASGs named and expanded; lists plural. */
function addressSide(text: string, prefixes: readonly string[], key: 'source' | 'destination'): Partial<AzureEffectiveRule> {
  const one = `${key}AddressPrefix` as const;
  const many = `${key}AddressPrefixes` as const;
  const expanded = `expanded${key === 'source' ? 'Source' : 'Destination'}AddressPrefix` as const;
  if (text === '*' || text.toLowerCase() === 'any') return { [one]: '0.0.0.0/0' };
  // Addresses as written (a bare address as a host prefix, like Azure's 1.1.1.1/32), not merged.
  const items = text.split(',').map((i) => i.trim());
  if (items.every((i) => ADDRESS_TEXT.test(i))) {
    const cidrs = items.map((i) => (i.includes('/') ? i : `${i}/${i.includes(':') ? 128 : 32}`));
    return cidrs.length === 1 ? { [one]: cidrs[0]! } : { [many]: cidrs };
  }
  return { [one]: text, [expanded]: [...prefixes] };
}

function portSide(ranges: readonly string[], key: 'source' | 'destination'): Partial<AzureEffectiveRule> {
  return ranges.length === 1 ? { [`${key}PortRange`]: ranges[0]! } : { [`${key}PortRanges`]: [...ranges] };
}

function effectiveRule(r: CompiledRuleInfo): AzureEffectiveRule {
  return {
    name: r.name,
    protocol: r.protocol === '*' ? 'All' : r.protocol,
    ...portSide(r.sourcePortRanges, 'source'),
    ...portSide(r.destinationPortRanges, 'destination'),
    ...addressSide(r.sourceText, r.sourceAddressPrefixes, 'source'),
    ...addressSide(r.destinationText, r.destinationAddressPrefixes, 'destination'),
    access: r.access,
    priority: r.priority,
    direction: r.direction,
  };
}

/**
 * NetworkInterfaces_ListEffectiveNetworkSecurityGroups for VM `vm`: `levels` as NetworkNsgs.effectiveSecurityRules
 * returns them (NIC and subnet NSG), each with its association.
 */
function effectiveNsgs(
  net: NetworkSpec,
  vm: string,
  levels: ReadonlyArray<{ level: 'nic' | 'subnet'; nsg: string; rules: readonly CompiledRuleInfo[] }>,
  resourceGroup = DEFAULT_RESOURCE_GROUP,
): { value: AzureEffectiveNsg[] } {
  const scope = idScopeOf(net, vm, resourceGroup);
  const subnet = net.vms.find((v) => v.name === vm)?.subnet ?? '/';
  const [vnetName, subnetName] = subnet.split('/') as [string, string];
  return {
    value: levels.map((l) => ({
      networkSecurityGroup: { id: networkId(scope, 'networkSecurityGroups', l.nsg) },
      association:
        l.level === 'nic'
          ? { networkInterface: { id: networkId(scope, 'networkInterfaces', `${vm}-nic`) } }
          : { subnet: { id: networkId(scope, 'virtualNetworks', vnetName, 'subnets', subnetName) } },
      effectiveSecurityRules: l.rules.map(effectiveRule),
    })),
  };
}

// ------------------------------------------------------------------------------------------------------ Network Watcher
/** NetworkWatchers_VerifyIPFlow: `{ access, ruleName }` (ruleName '' when no NSG applies). */
function ipFlowVerify(r: IpFlowVerifyResult): { access: string; ruleName: string } {
  return { access: r.access, ruleName: r.ruleName ?? '' };
}

/**
 * NetworkWatchers_GetNextHop: `{ nextHopType, nextHopIpAddress, routeTableId }`; routeTableId is the route table's id
 * for a user route, `System Route` otherwise; nextHopIpAddress is left out when the hop has none (as Azure does).
 */
function nextHop(net: NetworkSpec, vm: string, r: NextHopResult, resourceGroup = DEFAULT_RESOURCE_GROUP): { nextHopType: string; nextHopIpAddress?: string; routeTableId: string } {
  const table = r.route?.routeTable ?? null;
  const routeTableId = table === null ? r.routeTableId : networkId(idScopeOf(net, vm, resourceGroup), 'routeTables', table);
  return r.nextHopIpAddress === null
    ? { nextHopType: r.nextHopType, routeTableId }
    : { nextHopType: r.nextHopType, nextHopIpAddress: r.nextHopIpAddress, routeTableId };
}

/** Converters for `--format azure`. */
export const formatAzure = { effectiveRoutes, effectiveNsgs, ipFlowVerify, nextHop };
