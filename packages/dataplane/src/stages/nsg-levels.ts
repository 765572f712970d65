// The two NSG levels of a row in R-NSG-4 order, as NSG_LEVEL_ORDER (core) gives it: shared by nsg-out and nsg-in.
import { NSG_LEVEL_ORDER, type Direction, type NsgClassifier } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import { finish } from './finish.js';

/** Per direction: true when the NIC's NSG is evaluated first (read once, at load). */
export const NIC_FIRST: Readonly<Record<Direction, boolean>> = {
  Outbound: NSG_LEVEL_ORDER.Outbound[0] === 'nic',
  Inbound: NSG_LEVEL_ORDER.Inbound[0] === 'nic',
};

/**
 * Evaluates row i at its NIC and subnet NSGs (null: no NSG there, the level allows) in the order `nicFirst` says,
 * writing each level's rule into its scratch column and `ruleIndex`; the first Deny finishes the row with `deny` and
 * `reason`. True when both levels allow. `src`/`dst`: the IPv4 addresses the NSG sees (R-NSG-8).
 */
export function evaluateLevels(
  b: PacketBatch, i: number, nicFirst: boolean,
  nic: NsgClassifier | null, nicRule: Int32Array, subnet: NsgClassifier | null, subnetRule: Int32Array,
  src: number, dst: number, deny: number, reason: number,
): boolean {
  if (nicFirst) return level(b, i, nic, nicRule, src, dst, deny, reason) && level(b, i, subnet, subnetRule, src, dst, deny, reason);
  return level(b, i, subnet, subnetRule, src, dst, deny, reason) && level(b, i, nic, nicRule, src, dst, deny, reason);
}

function level(b: PacketBatch, i: number, c: NsgClassifier | null, rules: Int32Array, src: number, dst: number, deny: number, reason: number): boolean {
  if (c === null) return true;
  const r = classify(c, b, i, src, dst);
  rules[i] = r;
  b.ruleIndex[i] = r;
  if (c.allow[r] !== 0) return true;
  finish(b, i, deny, reason);
  return false;
}

/**
 * Classifies packet i with c. IPv4 `src` and `dst` are the addresses the NSG sees (R-NSG-8): outbound the private
 * source before translation; inbound the translated source and the VM's private address, not its public one.
 */
export function classify(c: NsgClassifier, b: PacketBatch, i: number, src: number, dst: number): number {
  if (b.family[i] === 4) return c.classify4(b.proto[i]!, src, b.srcPort[i]!, dst, b.dstPort[i]!);
  return classify6(c, b, i);
}

/** IPv6 rows: src6 and dst6 are separate arrays; the classifier reads both from one array, so copy into scratch. */
const six = new Uint32Array(8);
export function classify6(c: NsgClassifier, b: PacketBatch, i: number): number {
  const w = i << 2;
  six[0] = b.src6[w]!; six[1] = b.src6[w + 1]!; six[2] = b.src6[w + 2]!; six[3] = b.src6[w + 3]!;
  six[4] = b.dst6[w]!; six[5] = b.dst6[w + 1]!; six[6] = b.dst6[w + 2]!; six[7] = b.dst6[w + 3]!;
  return c.classify6(b.proto[i]!, six, 0, b.srcPort[i]!, 4, b.dstPort[i]!);
}
