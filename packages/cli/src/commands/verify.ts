// `vnetsim verify FILE --vm V --direction D --protocol P --local IP:PORT --remote IP:PORT`: IP flow verify.
import { NsgError } from '@vnetsim/core';
import { formatAzure } from '@vnetsim/azure';
import { PACKET_PROTOCOLS } from '@vnetsim/scenario';
import { load, networkOf, FORMAT_OPTION, FORMAT_HELP, azureFormat, json, vmExists } from './common.js';
import { EXIT, ipPort, oneOf, required, UsageError, type Command } from '../command.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'IP flow verify: would the NSGs allow this packet, and which rule decides',
  usage: 'vnetsim verify FILE --vm VM --direction Inbound|Outbound --protocol P --local IP:PORT --remote IP:PORT [--json] [--format azure]',
  options: { vm: { type: 'string' }, direction: { type: 'string' }, protocol: { type: 'string' }, local: { type: 'string' }, remote: { type: 'string' }, ...FORMAT_OPTION },
  optionHelp: [
    '--vm VM                        the VM whose NIC is checked',
    '--direction Inbound|Outbound',
    `--protocol ${PACKET_PROTOCOLS.join('|')}`,
    '--local IP:PORT                the VM side',
    '--remote IP:PORT               the other side',
    FORMAT_HELP,
  ],
  examples: ['vnetsim verify scenarios/nsg/nsg-lockdown-allow-storage-deny-internet.yaml --vm vm1 --direction Outbound --protocol Tcp --local 10.0.1.4:50000 --remote 52.239.0.10:443'],
  run(ctx) {
    const vm = required(ctx, 'vm');
    const direction = oneOf(ctx, 'direction', ['Inbound', 'Outbound'] as const);
    const protocol = oneOf(ctx, 'protocol', PACKET_PROTOCOLS);
    const local = required(ctx, 'local');
    const remote = required(ctx, 'remote');
    ipPort(ctx, 'local');
    ipPort(ctx, 'remote');
    const s = load(ctx);
    vmExists(s, vm, 'vm');
    let r: ReturnType<ReturnType<typeof networkOf>['nsgs']['ipFlowVerify']>;
    try {
      r = networkOf(ctx, s).nsgs.ipFlowVerify(vm, direction, protocol, local, remote);
    } catch (e) {
      // Azure refuses the question (InvalidRequest), e.g. a local address that is not one of the VM's.
      if (e instanceof NsgError) throw new UsageError(`--${e.message}`);
      throw e;
    }
    if (azureFormat(ctx)) json(ctx, formatAzure.ipFlowVerify(r));
    else if (ctx.flags.json) json(ctx, r);
    else {
      ctx.io.out(`Access:  ${r.access}`);
      ctx.io.out(`Rule:    ${r.ruleName ?? '(no NSG applies)'}${r.nsg ? ` in ${r.nsg}` : ''}`);
      for (const e of r.evaluated) ctx.io.out(`  ${e.level.padEnd(6)} ${e.nsg}: ${e.rule} -> ${e.access}`);
    }
    return EXIT.ok;
  },
};
