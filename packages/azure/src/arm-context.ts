// What the ARM importers share: the resource type names they handle, the context, reference resolution.

import type { NetworkSpec, ServiceTagSet } from '@vnetsim/core';
import type { ArmDeployment } from './arm-expr.js';
import type { Val, Warnings } from './arm-reader.js';
import { refNames, type ArmResource } from './arm-resources.js';
import type { Placeholder, PlaceholderKind } from './import-report.js';

/** Everything the importers share. */
export interface ImportContext {
  w: Warnings;
  net: NetworkSpec;
  deployment: ArmDeployment;
  tags: ServiceTagSet;
  byType(type: string): ArmResource[];
  /** `the template` (ARM) or `the input`: how messages name what was read. */
  inputName: string;
  /** Addresses the user supplied (`--addresses`): resource name -> address. */
  addresses: ReadonlyMap<string, string>;
  /** Names in `addresses` that some resource used. */
  addressesUsed: Set<string>;
  placeholders: Placeholder[];
  /** Marks a resource as imported (everything not marked is reported as skipped). */
  done(r: ArmResource): void;
  /** Marks a resource as skipped, with why. */
  skip(r: ArmResource, reason: string): void;
  /** Reports an inline part of an imported resource (a subnet, rule, route, peering) that was left out. */
  skipPart(parent: ArmResource, childType: string, name: string | undefined, at: Val): void;
}

/** The address the user gave for `name`, if any (and remembers it was used). */
export function givenAddress(ctx: ImportContext, name: string): string | undefined {
  const a = ctx.addresses.get(name) ?? ctx.addresses.get(name.toLowerCase());
  if (a !== undefined) ctx.addressesUsed.add(ctx.addresses.has(name) ? name : name.toLowerCase());
  return a;
}

/** Records a value the input lacks, and warns at its path. */
export function placeholder(ctx: ImportContext, name: string, kind: PlaceholderKind, value: string, at: Val, why: string): void {
  ctx.placeholders.push({ name, kind, value, path: at.path, why });
  at.warn(why);
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
  resourceGroup: 'microsoft.resources/resourcegroups',
} as const;

/** Types that are not in the network model and never change a packet's fate (left out without exit 1). */
const IRRELEVANT = [
  /^microsoft\.network\/(networkwatchers|dnszones|privatednszones|networkprofiles|ddosprotectionplans)(\/|$)/,
  /^microsoft\.compute\/(disks|snapshots|images|availabilitysets|sshpublickeys|proximityplacementgroups)(\/|$)/,
  /^microsoft\.compute\/virtualmachines\/extensions$/,
  /^microsoft\.storage\/storageaccounts\/(?!.*networkrules)/,
  /^microsoft\.sql\/servers\/(databases|elasticpools|administrators|auditingsettings|securityalertpolicies)(\/|$)/,
  /^microsoft\.keyvault\/vaults\/(secrets|keys|accesspolicies)(\/|$)/,
  /^microsoft\.(insights|operationalinsights|managedidentity|authorization|resources\/deployments)(\/|$)/,
];

/** True when a type vnetsim does not model still decides where packets go (gateways, firewalls, private endpoints...). */
export function isRelevantType(type: string): boolean {
  const t = type.toLowerCase();
  if (IRRELEVANT.some((re) => re.test(t))) return false;
  return /^microsoft\.(network|compute\/virtualmachines|compute\/virtualmachinescalesets|storage\/storageaccounts|sql\/servers|keyvault\/vaults)/.test(t);
}
/** The last name of a reference, when that resource was imported (else a warning). */
export function refTo(ctx: ImportContext, v: Val | undefined, type: string, known: ReadonlySet<string>, what: string): string | undefined {
  const names = refNames(v, type);
  if (names === undefined || v === undefined) return undefined;
  const name = names[names.length - 1]!;
  if (!known.has(name)) {
    v.warn(`${what} "${names.join('/')}" is not defined in ${ctx.inputName}; left out`);
    return undefined;
  }
  return name;
}

