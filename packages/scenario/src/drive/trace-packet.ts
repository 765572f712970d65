// One packet through a network, explained: `vnetsim trace` and Network Watcher-style questions outside a scenario.
import type { PacketProtocol } from '@vnetsim/core';
import { traceOf, type Network, type Trace } from '@vnetsim/dataplane';
import { pushPacketBetween } from './packet.js';

/** Traces the first packet of a new flow from `from` to `to` (a dry run: the network's flows and ports are untouched). */
export function tracePacket(net: Network, from: string, to: string, protocol: PacketProtocol = 'Tcp', port?: number, sourcePort = 50000): Trace {
  const b = net.newBatch(1);
  pushPacketBetween(net, b, from, to, { protocol, ...(port === undefined ? {} : { port }), sourcePort });
  net.process(b, true);
  return traceOf(net.tables, net.scratch, b, 0);
}
