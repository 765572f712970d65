// The NSG module's public shapes (a contract between core/nsg and the data plane). Do not rename.
import type { Access, Direction, RuleProtocol } from '../model/types.js';

/** A rule as it is evaluated, user or default (R-NSG-1, R-NSG-3). */
export interface CompiledRuleInfo {
  /** `securityRules/<Name>` or `defaultSecurityRules/<Name>`. */
  name: string;
  priority: number;
  direction: Direction;
  access: Access;
  protocol: RuleProtocol;
  /** The rule's prefixes after tag/ASG expansion (for effective security rules). */
  sourceAddressPrefixes: string[];
  destinationAddressPrefixes: string[];
  sourcePortRanges: string[];
  destinationPortRanges: string[];
  /** Source tag or ASG text as written, for display. */
  sourceText: string;
  destinationText: string;
}

/**
 * The compiled rules of one (NSG, direction, VNet) — VNet because the VirtualNetwork tag depends on it (R-NSG-6).
 * classify* returns the index (into `rules`) of the first matching rule by priority (R-NSG-2); the default rules make
 * sure some rule always matches. `allow[i]` is 1 when rule i allows.
 */
export interface NsgClassifier {
  readonly nsg: string;
  readonly direction: Direction;
  readonly rules: readonly CompiledRuleInfo[];
  readonly allow: Uint8Array;
  /** proto: IANA number (6 TCP, 17 UDP, 1 ICMP, 50 ESP, 51 AH); addresses uint32; ports 0..65535 (0 for ICMP). */
  classify4(proto: number, src: number, srcPort: number, dst: number, dstPort: number): number;
  /** IPv6: addresses as 4 words each, from `addrs` at offsets `srcOff` and `dstOff`. */
  classify6(proto: number, addrs: Uint32Array, srcOff: number, srcPort: number, dstOff: number, dstPort: number): number;
}

/** Where an NSG is attached: the VM's NIC or its subnet. */
export type NsgLevel = 'nic' | 'subnet';

/**
 * R-NSG-4: the order the two levels are evaluated in, per direction: outbound the NIC's NSG then the subnet's, inbound
 * the subnet's then the NIC's. A level without an NSG allows; a Deny at any level ends the evaluation. The pipeline's
 * NSG stages, the trace and IP flow verify all read this.
 */
export const NSG_LEVEL_ORDER: Readonly<Record<Direction, readonly [NsgLevel, NsgLevel]>> = {
  Outbound: ['nic', 'subnet'],
  Inbound: ['subnet', 'nic'],
};

export interface IpFlowVerifyResult {
  access: Access;
  /** `securityRules/<Name>` / `defaultSecurityRules/<Name>`, or null when no NSG applies (allowed). */
  ruleName: string | null;
  /** NSG whose rule decided, null when none. */
  nsg: string | null;
  /** The levels evaluated, in order (R-NSG-4). */
  evaluated: Array<{ level: NsgLevel; nsg: string; rule: string; access: Access }>;
}
