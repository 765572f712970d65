// The one packet driver: both ends of a packet resolved from names, and one row pushed into a batch with the
// protocol table's defaults. The runner, `vnetsim trace` and the pipeline tests' fixtures all push packets here.
import { StepError } from '../step-error.js';
import { defaultPort, parseIpv4, parseIpv6, Proto, PROTOCOLS, type PacketProtocol } from '@vnetsim/core';
import { TcpFlag, type Network, type PacketBatch } from '@vnetsim/dataplane';
import { resolveSource, resolveSource6, resolveTarget } from './resolve.js';

/** Both ends of a packet from `from` to `to`, in the family of the destination address. */
export type PacketEnds =
  | { family: 4; src: number; dst: number; ingress: number }
  | { family: 6; src: Uint32Array; dst: Uint32Array; ingress: number };

export function packetEnds(net: Network, from: string, to: string): PacketEnds {
  const address = resolveTarget(net, to).address;
  if (!address.includes(':')) {
    const src = resolveSource(net, from, false);
    if (src.addrs.length === 0) throw new StepError(`${from} has no IPv4 address to send to ${address} from`);
    return { family: 4, src: src.addrs[0]!, dst: parseIpv4(address), ingress: src.ingress[0]! };
  }
  const src = resolveSource6(net, from, false);
  if (src.addrs.length === 0) throw new StepError(`${from} has no IPv6 address to send to ${address} from`);
  return { family: 6, src: parseIpv6(src.addrs[0]!), dst: parseIpv6(address), ingress: src.ingress[0]! };
}

/** Appends one packet between the ends (`reverse`: from the destination back); returns its row. */
export function pushPacket(
  b: PacketBatch, e: PacketEnds, reverse: boolean, srcPort: number, dstPort: number, proto: number, flags: number, length: number, time: number,
): number {
  const [sp, dp] = reverse ? [dstPort, srcPort] : [srcPort, dstPort];
  if (e.family === 4) return b.push4(reverse ? e.dst : e.src, reverse ? e.src : e.dst, sp, dp, proto, flags, length, e.ingress, time);
  return b.push6(reverse ? e.dst : e.src, 0, reverse ? e.src : e.dst, 0, sp, dp, proto, flags, length, e.ingress, time);
}

/** A packet's fields besides its ends; what is left out takes the defaults of its protocol (Tcp: port 443, SYN). */
export interface PacketFields {
  protocol?: PacketProtocol;
  port?: number;
  sourcePort?: number;
  flags?: number;
  /** Reply direction: from `to` back to `from` (the same 5-tuple reversed). */
  reverse?: boolean;
  length?: number;
  time?: number;
}

/** Appends one packet from `from` to `to` (names as in scenarios) to `b`; returns its row. */
export function pushPacketBetween(net: Network, b: PacketBatch, from: string, to: string, f: PacketFields = {}): number {
  const proto = PROTOCOLS[f.protocol ?? 'Tcp'].number;
  const flags = f.flags ?? (proto === Proto.Tcp ? TcpFlag.SYN : 0);
  return pushPacket(b, packetEnds(net, from, to), f.reverse === true, f.sourcePort ?? 50000, f.port ?? defaultPort(proto), proto, flags, f.length ?? 60, f.time ?? 0);
}
