// `vnetsim effective-nsg FILE --vm V`: the effective security rules of a VM's NIC and subnet.
import { formatAzure } from '@vnetsim/azure';
import { load, networkOf, FORMAT_OPTION, FORMAT_HELP, azureFormat, json, vmExists } from './common.js';
import { EXIT, required, type Command } from '../command.js';
import { renderTable } from '../table.js';

export const effectiveNsgCommand: Command = {
  name: 'effective-nsg',
  summary: "effective security rules of a VM's NIC and subnet, service tags expanded",
  usage: 'vnetsim effective-nsg FILE --vm VM [--json] [--format azure]',
  options: { vm: { type: 'string' }, ...FORMAT_OPTION },
  optionHelp: ['--vm VM   the VM whose effective rules to show', FORMAT_HELP],
  examples: ['vnetsim effective-nsg scenarios/nsg/nsg-lockdown-allow-storage-deny-internet.yaml --vm vm1'],
  run(ctx) {
    const vm = required(ctx, 'vm');
    const s = load(ctx);
    vmExists(s, vm, 'vm');
    const levels = networkOf(ctx, s).nsgs.effectiveSecurityRules(vm);
    if (azureFormat(ctx)) {
      json(ctx, formatAzure.effectiveNsgs(s.network, vm, levels));
      return EXIT.ok;
    }
    if (ctx.flags.json) {
      json(ctx, { vm, levels });
      return EXIT.ok;
    }
    if (levels.length === 0) ctx.io.out(`${vm}: no NSG on its NIC or subnet: all traffic allowed (R-NSG-4)`);
    const short = (xs: string[]) => (xs.length > 4 ? `${xs.slice(0, 3).join(', ')}, ... (${xs.length} prefixes)` : xs.join(', '));
    for (const l of levels) {
      ctx.io.out(`\n${l.level} NSG ${l.nsg}`);
      ctx.io.out(renderTable(['Name', 'Priority', 'Direction', 'Access', 'Protocol', 'Source', 'Destination', 'Ports'],
        l.rules.map((r) => [r.name, String(r.priority), r.direction, r.access, r.protocol, `${r.sourceText} [${short(r.sourceAddressPrefixes)}]`, `${r.destinationText} [${short(r.destinationAddressPrefixes)}]`, r.destinationPortRanges.join(',')]), { right: [1] }));
    }
    return EXIT.ok;
  },
};
