// R-SE-7: who may change what. A principal has exactly the permissions listed for it (`*` wildcards); a change
// without a principal is made by an owner, who may do everything.
import type { NetworkSpec } from '@vnetsim/core';

export const Permission = {
  SubnetWrite: 'Microsoft.Network/virtualNetworks/subnets/write',
  JoinViaServiceEndpoint: 'Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action',
  /** The seed's older name of the same permission. */
  JoinServicetoaSubnet: 'Microsoft.Network/JoinServicetoaSubnet',
  NsgWrite: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
  RouteWrite: 'Microsoft.Network/routeTables/routes/write',
  StorageWrite: 'Microsoft.Storage/storageAccounts/write',
} as const;

function matches(granted: string, wanted: string): boolean {
  if (granted === '*') return true;
  const re = new RegExp(`^${granted.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(wanted);
}

/** Null when `principal` (undefined = owner) holds one of `wanted`; else the reason it may not. */
export function authorize(net: NetworkSpec, principal: string | undefined, wanted: readonly string[]): string | null {
  if (principal === undefined) return null;
  const p = net.principals.find((x) => x.name === principal);
  if (p === undefined) return `no principal named "${principal}"`;
  if (wanted.some((w) => p.permissions.some((g) => matches(g, w)))) return null;
  return `principal "${principal}" lacks ${wanted.join(' (or ') + (wanted.length > 1 ? ')' : '')}`;
}
