// The protocol and port space of one destination class, cut by the NSG rules that can match there: one cell per
// (protocol class, source-port class, destination-port class). Every packet of a cell meets the same rules.
import type { ExpandedRule } from '@vnetsim/core';
import { Proto } from '../packet/batch.js';

/** Protocols a rule can name (R-NSG-1), in display order; `Other` is every other IP protocol. */
export const PROTOCOL_LABELS = ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', 'Other'] as const;
export type ProtocolLabel = (typeof PROTOCOL_LABELS)[number];
const PROTOCOL_NUMBER: Record<ProtocolLabel, number> = { Tcp: Proto.Tcp, Udp: Proto.Udp, Icmp: Proto.Icmp, Esp: 50, Ah: 51, Other: 47 };
/** The protocol label of an IANA number (what a random packet of that protocol falls under). */
export function protocolLabel(proto: number): ProtocolLabel {
  switch (proto) {
    case Proto.Tcp: return 'Tcp';
    case Proto.Udp: return 'Udp';
    case Proto.Icmp: return 'Icmp';
    case 50: return 'Esp';
    case 51: return 'Ah';
    default: return 'Other';
  }
}
/** Protocols whose packets carry ports; the others are evaluated (and drawn by the property test) with ports 0. */
export function hasPorts(proto: number): boolean {
  return proto === Proto.Tcp || proto === Proto.Udp;
}

export const PORT_END = 65536;

/** The cells of one rule set: parallel arrays, cell c is protocols labels[c], ports [sLo, sEnd) x [dLo, dEnd). */
export interface Cells {
  count: number;
  proto: number[];
  labels: ProtocolLabel[][];
  sLo: number[];
  sEnd: number[];
  dLo: number[];
  dEnd: number[];
}

function portCuts(rules: readonly ExpandedRule[], which: 'srcPorts' | 'dstPorts'): number[] {
  const set = new Set<number>([0, PORT_END]);
  for (const r of rules) for (const [lo, end] of r[which]) (set.add(lo), set.add(end));
  return [...set].sort((a, b) => a - b);
}

/**
 * Cells of the protocol x port space no rule of `rules` distinguishes inside. Tcp and Udp share cells unless a rule
 * names one of them; the portless protocols (ports 0) likewise share one cell unless named.
 */
export function cellsOf(rules: readonly ExpandedRule[]): Cells {
  const named = new Set<number>();
  for (const r of rules) if (r.proto >= 0) named.add(r.proto);
  const out: Cells = { count: 0, proto: [], labels: [], sLo: [], sEnd: [], dLo: [], dEnd: [] };
  const push = (proto: number, labels: ProtocolLabel[], sLo: number, sEnd: number, dLo: number, dEnd: number) => {
    out.proto.push(proto);
    out.labels.push(labels);
    out.sLo.push(sLo);
    out.sEnd.push(sEnd);
    out.dLo.push(dLo);
    out.dEnd.push(dEnd);
    out.count++;
  };
  const ported: ProtocolLabel[][] = named.has(Proto.Tcp) || named.has(Proto.Udp) ? [['Tcp'], ['Udp']] : [['Tcp', 'Udp']];
  const s = portCuts(rules, 'srcPorts');
  const d = portCuts(rules, 'dstPorts');
  for (const labels of ported)
    for (let i = 0; i + 1 < s.length; i++) for (let j = 0; j + 1 < d.length; j++) push(PROTOCOL_NUMBER[labels[0]!], labels, s[i]!, s[i + 1]!, d[j]!, d[j + 1]!);
  const rest: ProtocolLabel[] = [];
  for (const l of ['Icmp', 'Esp', 'Ah', 'Other'] as const) {
    if (l !== 'Other' && named.has(PROTOCOL_NUMBER[l])) push(PROTOCOL_NUMBER[l], [l], 0, PORT_END, 0, PORT_END);
    else rest.push(l);
  }
  push(PROTOCOL_NUMBER[rest[0]!], rest, 0, PORT_END, 0, PORT_END);
  return out;
}

/** NSG syntax of merged port ranges [lo, end): `443`, `80,443`, `1000-2000`, `0-65535` for all. */
export function portsText(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([lo, end]) => (end - lo === 1 ? String(lo) : `${lo}-${end - 1}`)).join(',');
}

export function mergePorts(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, end] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([lo, end]);
  }
  return out;
}
