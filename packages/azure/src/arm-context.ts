// What the ARM importers share: the resource type names they handle, the context, reference resolution.

import type { NetworkSpec, ServiceTagSet } from '@vnetsim/core';
import type { ArmDeployment } from './arm-expr.js';
import type { Val, Warnings } from './arm-reader.js';
import { refNames, type ArmResource } from './arm-resources.js';

/** Everything the importers share. */
export interface ImportContext {
  w: Warnings;
  net: NetworkSpec;
  deployment: ArmDeployment;
  tags: ServiceTagSet;
  byType(type: string): ArmResource[];
}

export const T = {
  vnet: 'microsoft.network/virtualnetworks',
  subnet: 'microsoft.network/virtualnetworks/subnets',
  peering: 'microsoft.network/virtualnetworks/virtualnetworkpeerings',
  nsg: 'microsoft.network/networksecuritygroups',
  rule: 'microsoft.network/networksecuritygroups/securityrules',
  routeTable: 'microsoft.network/routetables',
  route: 'microsoft.network/routetables/routes',
  nic: 'microsoft.network/networkinterfaces',
  vm: 'microsoft.compute/virtualmachines',
  pip: 'microsoft.network/publicipaddresses',
  nat: 'microsoft.network/natgateways',
  policy: 'microsoft.network/serviceendpointpolicies',
  policyDef: 'microsoft.network/serviceendpointpolicies/serviceendpointpolicydefinitions',
  storage: 'microsoft.storage/storageaccounts',
  sql: 'microsoft.sql/servers',
  sqlVnetRule: 'microsoft.sql/servers/virtualnetworkrules',
  sqlFirewallRule: 'microsoft.sql/servers/firewallrules',
  vault: 'microsoft.keyvault/vaults',
  asg: 'microsoft.network/applicationsecuritygroups',
} as const;
/** The last name of a reference, when that resource was imported (else a warning). */
export function refTo(ctx: ImportContext, v: Val | undefined, type: string, known: ReadonlySet<string>, what: string): string | undefined {
  const names = refNames(v, type);
  if (names === undefined || v === undefined) return undefined;
  const name = names[names.length - 1]!;
  if (!known.has(name)) {
    v.warn(`${what} "${names.join('/')}" is not defined in this template; left out`);
    return undefined;
  }
  return name;
}

