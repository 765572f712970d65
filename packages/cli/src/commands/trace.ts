// `vnetsim trace FILE --from X --to Y`: one packet, its disposition and the steps that decided it.
import { parseAddress } from '@vnetsim/core';
import { PACKET_PROTOCOLS, tracePacket } from '@vnetsim/scenario';
import { load, networkOf, json } from './common.js';
import { EXIT, oneOf, optionalPort, required, UsageError, type Command } from '../command.js';
import { traceGraph } from '../render/trace-graph.js';
import { renderGraph } from './diagram.js';

export const traceCommand: Command = {
  name: 'trace',
  summary: 'trace one packet: disposition and the ordered steps (NSG rule, route, translation, service firewall)',
  usage: 'vnetsim trace FILE --from X --to Y [--protocol P] [--port N] [--json | --format text|mermaid|svg]',
  options: { from: { type: 'string' }, to: { type: 'string' }, protocol: { type: 'string' }, port: { type: 'string' }, format: { type: 'string' } },
  optionHelp: [
    '--from X       a VM, vnet/subnet or on-premises name',
    '--to Y         a VM, service, on-premises name, address or service tag',
    `--protocol P   ${PACKET_PROTOCOLS.join('|')} (default Tcp)`,
    '--port N       destination port (default 443 for Tcp, 53 for Udp)',
    '--format F     text (default), mermaid or svg: a picture of the path, one box per hop with its rule, route',
    '               and translation, the verdict last',
  ],
  examples: [
    'vnetsim trace scenarios/service-endpoints/forced-tunnel-to-nva-bypassed-for-service-prefixes.yaml --from vm1 --to 8.8.8.8 --protocol Udp --port 53',
    'vnetsim trace scenarios/quickstart.yaml --from vm1 --to 8.8.8.8 --format svg > trace.svg',
  ],
  run(ctx) {
    const format = ctx.values['format'] === undefined ? 'text' : oneOf(ctx, 'format', ['text', 'mermaid', 'svg'] as const);
    if (format !== 'text' && ctx.flags.json) throw new UsageError(`--format ${format} and --json: choose one`);
    const from = required(ctx, 'from');
    const to = required(ctx, 'to');
    const protocol = ctx.values['protocol'] === undefined ? 'Tcp' : oneOf(ctx, 'protocol', PACKET_PROTOCOLS);
    const port = optionalPort(ctx, 'port');
    const s = load(ctx);
    const net = networkOf(ctx, s);
    let t;
    try {
      t = tracePacket(net, from, to, protocol, port);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (ctx.flags.json) json(ctx, t);
    else if (format !== 'text') ctx.io.out(renderGraph(traceGraph(t), format));
    else {
      ctx.io.out(`${t.packet}: ${t.disposition}${t.reason ? ` (${t.reason})` : ''}`);
      t.steps.forEach((st, i) => ctx.io.out(`  ${String(i + 1).padStart(2)}. ${st.stage.padEnd(11)} ${st.text}`));
    }
    return EXIT.ok;
  },
};
