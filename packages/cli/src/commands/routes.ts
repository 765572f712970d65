// `vnetsim routes FILE --subnet S | --vm V`: effective routes, in Azure's columns.
import { formatAzure } from '@vnetsim/azure';
import { load, networkOf, FORMAT_OPTION, FORMAT_HELP, azureFormat, json, vmExists } from './common.js';
import { EXIT, required, UsageError, type Command } from '../command.js';
import { renderTable } from '../table.js';

export const routesCommand: Command = {
  name: 'routes',
  summary: "effective routes of a subnet, in Azure's columns",
  usage: 'vnetsim routes FILE --subnet VNET/SUBNET | --vm VM [--json] [--format azure]',
  options: { subnet: { type: 'string' }, vm: { type: 'string' }, ...FORMAT_OPTION },
  optionHelp: ['--subnet VNET/SUBNET   the subnet whose routes to show', '--vm VM                the routes of the subnet of this VM\'s NIC', FORMAT_HELP],
  examples: ['vnetsim routes scenarios/service-endpoints/forced-tunnel-to-nva-bypassed-for-service-prefixes.yaml --subnet hub/app', 'vnetsim routes scenarios/quickstart.yaml --vm vm1'],
  run(ctx) {
    const bySubnet = ctx.values['subnet'];
    const byVm = ctx.values['vm'];
    if ((bySubnet === undefined) === (byVm === undefined)) throw new UsageError('expected one of --subnet VNET/SUBNET or --vm VM');
    const s = load(ctx);
    let subnet: string;
    if (typeof byVm === 'string') {
      vmExists(s, byVm, 'vm');
      subnet = s.network.vms.find((v) => v.name === byVm)!.subnet;
    } else subnet = required(ctx, 'subnet');
    const net = networkOf(ctx, s);
    if (net.routing.subnetIndex(subnet) < 0) throw new UsageError(`--subnet ${subnet}: no such subnet in ${s.file} (expected vnet/subnet)`);
    const rows = net.routing.effectiveRoutesOf(subnet);
    if (azureFormat(ctx)) {
      json(ctx, formatAzure.effectiveRoutes(rows, s.network));
      return EXIT.ok;
    }
    if (ctx.flags.json) {
      json(ctx, { subnet, endpointPrecedence: s.options.endpointPrecedence, routes: rows });
      return EXIT.ok;
    }
    ctx.io.out(`Effective routes of ${subnet} (endpointPrecedence: ${s.options.endpointPrecedence})\n`);
    ctx.io.out(renderTable(['Source', 'State', 'Address Prefixes', 'Next Hop Type', 'Next Hop IP', 'Name'],
      rows.map((r) => [r.source, r.state, r.addressPrefixes.join(', '), r.nextHopType, r.nextHopIpAddress.join(', '), r.name ?? ''])));
    return EXIT.ok;
  },
};
