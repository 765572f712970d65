// Builders for NSG tests (no test framework here: this file compiles with the package).
import type { NetworkSpec, SecurityRuleSpec, VnetSpec } from '../model/types.js';
import { emptyNetwork } from '../model/types.js';

export function vnet(name: string, addressSpace: string[], subnets: Array<[name: string, prefix: string, nsg?: string]>, more: Partial<VnetSpec> = {}): VnetSpec {
  return {
    name, region: 'westeurope', subscription: 'sub', tenant: 'tenant', deploymentModel: 'ResourceManager', addressSpace, peerings: [],
    subnets: subnets.map(([n, prefix, nsg]) => ({ name: n, prefix, ...(nsg === undefined ? {} : { nsg }), serviceEndpoints: [], endpointPolicies: [] })),
    ...more,
  };
}

export function rule(
  name: string, priority: number, direction: SecurityRuleSpec['direction'], access: SecurityRuleSpec['access'],
  source: string | string[], destination: string | string[], more: Partial<SecurityRuleSpec> = {},
): SecurityRuleSpec {
  return { name, priority, direction, access, protocol: '*', source, sourcePorts: '*', destination, destinationPorts: '*', ...more };
}

/** One VNet 10.0.0.0/16 (+ fd00:1::/48) with subnet `app` 10.0.1.0/24 carrying NSG `N` (rules given), VM `vm1` 10.0.1.4. */
export function oneNsgNetwork(rules: SecurityRuleSpec[]): NetworkSpec {
  const net = emptyNetwork();
  net.vnets.push(vnet('hub', ['10.0.0.0/16', 'fd00:1::/48'], [['app', '10.0.1.0/24', 'N'], ['db', '10.0.2.0/24']]));
  net.nsgs.push({ name: 'N', rules });
  net.vms.push({ name: 'vm1', subnet: 'hub/app', privateIp: '10.0.1.4', privateIpV6: 'fd00:1::4', asgs: ['web'], ipForwarding: false });
  net.vms.push({ name: 'vm2', subnet: 'hub/db', privateIp: '10.0.2.5', asgs: ['db'], ipForwarding: false });
  return net;
}
