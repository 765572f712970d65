// `vnetsim next-hop FILE --from VM --to ADDRESS`: Network Watcher's next hop.
import { matchedPrefix, parseAddress } from '@vnetsim/core';
import { formatAzure } from '@vnetsim/azure';
import { load, networkOf, FORMAT_OPTION, FORMAT_HELP, azureFormat, json, vmExists } from './common.js';
import { EXIT, required, UsageError, type Command } from '../command.js';

export const nextHopCommand: Command = {
  name: 'next-hop',
  summary: 'next hop of a packet from a VM to an address (Network Watcher next hop)',
  usage: 'vnetsim next-hop FILE --from VM --to IP [--json] [--format azure]',
  options: { from: { type: 'string' }, to: { type: 'string' }, ...FORMAT_OPTION },
  optionHelp: ['--from VM   the source VM', '--to IP     the destination address', FORMAT_HELP],
  examples: ['vnetsim next-hop scenarios/service-endpoints/endpoint-switches-source-to-private.yaml --from vm1 --to 52.239.0.10'],
  run(ctx) {
    const from = required(ctx, 'from');
    const to = required(ctx, 'to');
    try {
      parseAddress(to);
    } catch {
      throw new UsageError(`--to ${to}: expected an IP address`);
    }
    const s = load(ctx);
    vmExists(s, from, 'from');
    const r = networkOf(ctx, s).routing.nextHop(from, to);
    const out = { nextHopType: r.nextHopType, nextHopIpAddress: r.nextHopIpAddress, routeTableId: r.routeTableId, route: r.route };
    if (azureFormat(ctx)) json(ctx, formatAzure.nextHop(s.network, from, r));
    else if (ctx.flags.json) json(ctx, out);
    else {
      ctx.io.out(`Next hop type:   ${r.nextHopType}`);
      ctx.io.out(`Next hop IP:     ${r.nextHopIpAddress ?? '-'}`);
      ctx.io.out(`Route table id:  ${r.routeTableId}`);
      if (r.route !== null) ctx.io.out(`Route:           ${r.route.serviceTag !== undefined ? `${r.route.serviceTag} ${matchedPrefix(r.route, to)}` : r.route.addressPrefixes.join(', ')} (${r.route.source}${r.route.name ? `, ${r.route.name}` : ''})`);
    }
    return EXIT.ok;
  },
};
