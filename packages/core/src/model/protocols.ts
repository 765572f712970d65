// The one protocol table: IANA numbers, the names rules and scenarios use, the labels traces print, and the default
// destination port a packet gets when none is given. Rules, packets, traces, captures and the CLI all read it.
import type { RuleProtocol } from './types.js';

/** IANA protocol numbers of the packets vnetsim carries. */
export const Proto = { Icmp: 1, Tcp: 6, Udp: 17, Esp: 50, Ah: 51, Icmpv6: 58 } as const;

/** A protocol a packet can be sent with (scenario `protocol:`, `--protocol`). */
export type PacketProtocol = Exclude<RuleProtocol, '*'>;

/** Per protocol name: number, trace label, default destination port (443 for Tcp, 53 for Udp, 0 without ports). */
export const PROTOCOLS: Readonly<Record<PacketProtocol, { readonly number: number; readonly label: string; readonly defaultPort: number }>> = {
  Tcp: { number: Proto.Tcp, label: 'TCP', defaultPort: 443 },
  Udp: { number: Proto.Udp, label: 'UDP', defaultPort: 53 },
  Icmp: { number: Proto.Icmp, label: 'ICMP', defaultPort: 0 },
  Esp: { number: Proto.Esp, label: 'ESP', defaultPort: 0 },
  Ah: { number: Proto.Ah, label: 'AH', defaultPort: 0 },
};

/** The packet protocol names, in table order. */
export const PACKET_PROTOCOLS = Object.keys(PROTOCOLS) as readonly PacketProtocol[] as readonly ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah'];

/** The rule protocol names: the packet protocols and `*` (any). */
export const RULE_PROTOCOLS: readonly RuleProtocol[] = [...PACKET_PROTOCOLS, '*'];

/** IANA protocol numbers of the rule protocols; `*` is -1 (any). */
export const PROTOCOL_NUMBER = {
  Tcp: Proto.Tcp, Udp: Proto.Udp, Icmp: Proto.Icmp, Esp: Proto.Esp, Ah: Proto.Ah, '*': -1,
} as const satisfies Record<RuleProtocol, number>;

const LABELS: Record<number, string> = { [Proto.Icmpv6]: 'ICMPv6' };
for (const p of PACKET_PROTOCOLS) LABELS[PROTOCOLS[p].number] = PROTOCOLS[p].label;

/** A protocol number as traces print it (`TCP`, `ICMPv6`, `proto 47`). */
export function protocolLabel(n: number): string {
  return LABELS[n] ?? `proto ${n}`;
}

/** The destination port of a packet sent without one: 443 for TCP, 53 for UDP, 0 for protocols without ports. */
export function defaultPort(proto: number): number {
  return proto === Proto.Tcp ? PROTOCOLS.Tcp.defaultPort : proto === Proto.Udp ? PROTOCOLS.Udp.defaultPort : 0;
}

const BY_LOWER: Record<string, RuleProtocol> = { '*': '*' };
for (const p of PACKET_PROTOCOLS) BY_LOWER[p.toLowerCase()] = p;

/** A rule protocol as written in any case -> its canonical name; `Any` is `*` only where `any` is true. */
export function ruleProtocolOf(text: string, { any = true }: { any?: boolean } = {}): RuleProtocol | undefined {
  const t = String(text).toLowerCase();
  if (t === 'any') return any ? '*' : undefined;
  return Object.hasOwn(BY_LOWER, t) ? BY_LOWER[t] : undefined;
}
