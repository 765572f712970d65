// R-NSG-3: the default rules every NSG carries. They cannot be removed: the compiler always appends them, whatever
// the NSG spec says. Names follow the REST API casing (`defaultSecurityRules/AllowVnetInBound`).
import type { SecurityRuleSpec } from '../model/types.js';

/** Prefix of user rule names in verdicts (R-NSG-3). */
export const USER_RULE_PREFIX = 'securityRules/';
/** Prefix of default rule names in verdicts (R-NSG-3). */
export const DEFAULT_RULE_PREFIX = 'defaultSecurityRules/';

function rule(
  name: string,
  priority: number,
  direction: SecurityRuleSpec['direction'],
  access: SecurityRuleSpec['access'],
  source: string,
  destination: string,
): SecurityRuleSpec {
  return { name, priority, direction, access, protocol: '*', source, sourcePorts: '*', destination, destinationPorts: '*' };
}

/** R-NSG-3: the six default rules, all protocols and ports. Frozen: never mutate. */
export const DEFAULT_SECURITY_RULES: readonly SecurityRuleSpec[] = Object.freeze([
  rule('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
  rule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'),
  rule('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'),
  rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
  rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'),
  rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*'),
].map((r) => Object.freeze(r)));

/** True when `name` (with or without the `defaultSecurityRules/` prefix) is a default rule: such a rule cannot be removed. */
export function isDefaultRuleName(name: string): boolean {
  const bare = name.startsWith(DEFAULT_RULE_PREFIX) ? name.slice(DEFAULT_RULE_PREFIX.length) : name;
  return DEFAULT_SECURITY_RULES.some((r) => r.name.toLowerCase() === bare.toLowerCase());
}
