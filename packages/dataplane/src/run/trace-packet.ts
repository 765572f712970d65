// One packet through a network, explained: `vnetsim trace` and Network Watcher-style questions outside a scenario.
import type { Network } from '../network.js';
import { Proto, TcpFlag } from '../packet/batch.js';
import { traceOf, type Trace } from '../explain/trace.js';
import { packetEnds, pushPacket } from './resolve.js';

const PROTO: Record<string, number> = { Tcp: Proto.Tcp, Udp: Proto.Udp, Icmp: Proto.Icmp, Esp: 50, Ah: 51 };

/** Traces the first packet of a new flow from `from` to `to` (a dry run: the network's flows and ports are untouched). */
export function tracePacket(net: Network, from: string, to: string, protocol = 'Tcp', port?: number, sourcePort = 50000): Trace {
  const ends = packetEnds(net, from, to);
  const proto = PROTO[protocol];
  if (proto === undefined) throw new Error(`protocol ${protocol}: expected Tcp, Udp, Icmp, Esp or Ah`);
  const b = net.newBatch(1);
  pushPacket(b, ends, false, sourcePort, port ?? (proto === Proto.Tcp ? 443 : proto === Proto.Udp ? 53 : 0), proto, proto === Proto.Tcp ? TcpFlag.SYN : 0, 60, 0);
  net.process(b, true);
  return traceOf(net.tables, net.scratch, b, 0);
}
