// Commands whose engine (the Runner / Network API of network.ts and run/) is being written: their arguments are
// checked and their scenario file is loaded and validated now; running them answers "not yet available" (exit 2).

import { parseAddress } from '@vnetsim/core';
import { findScenarioFiles, loadScenarioFile, PACKET_PROTOCOLS } from '../../io/scenario.js';
import { ipPort, notYetAvailable, oneFile, oneOf, optionalPort, required, UsageError, type Command, type CommandContext } from '../command.js';

function load(ctx: CommandContext) {
  const file = oneFile(ctx);
  return loadScenarioFile(file, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run scenario files and check their expectations (exit 0 all held, 1 one failed, 2 invalid file)',
  usage: 'vnetsim run FILE|DIR [--json] [--pcap FILE] [--flow-log FILE] [--service-tags FILE]',
  options: { pcap: { type: 'string' }, 'flow-log': { type: 'string' } },
  optionHelp: ['--pcap FILE       write the packets of the run as a capture', '--flow-log FILE   write NSG flow log v2 records'],
  examples: ['vnetsim run scenarios/', 'vnetsim run scenarios/endpoint-switches-source.yaml --json'],
  run(ctx) {
    const target = oneFile(ctx, 'FILE or DIR');
    let files: string[];
    try {
      files = findScenarioFiles(target);
    } catch {
      throw new UsageError(`${target}: no such file or directory`);
    }
    // Validate every file first: an invalid file means nothing runs (exit 2).
    for (const f of files) loadScenarioFile(f, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
    return notYetAvailable(ctx, 'run');
  },
};

export const routesCommand: Command = {
  name: 'routes',
  summary: "effective routes of a subnet, in Azure's columns",
  usage: 'vnetsim routes FILE --subnet VNET/SUBNET [--json]',
  options: { subnet: { type: 'string' } },
  optionHelp: ['--subnet VNET/SUBNET   the subnet whose routes to show'],
  examples: ['vnetsim routes scenarios/forced-tunnelling.yaml --subnet hub/app'],
  run(ctx) {
    const subnet = required(ctx, 'subnet');
    if (!/^[^/]+\/[^/]+$/.test(subnet)) throw new UsageError(`--subnet ${subnet}: expected vnet/subnet`);
    const s = load(ctx);
    if (!s.network.vnets.some((v) => v.subnets.some((x) => `${v.name}/${x.name}` === subnet)))
      throw new UsageError(`--subnet ${subnet}: no such subnet in ${s.file}`);
    return notYetAvailable(ctx, 'routes');
  },
};

function vmExists(ctx: CommandContext, vm: string, s: ReturnType<typeof load>, flag: string): void {
  if (!s.network.vms.some((v) => v.name === vm)) throw new UsageError(`--${flag} ${vm}: no such VM in ${s.file}`);
}

export const nextHopCommand: Command = {
  name: 'next-hop',
  summary: 'next hop of a packet from a VM to an address (Network Watcher next hop)',
  usage: 'vnetsim next-hop FILE --from VM --to IP [--json]',
  options: { from: { type: 'string' }, to: { type: 'string' } },
  optionHelp: ['--from VM   the source VM', '--to IP     the destination address'],
  examples: ['vnetsim next-hop scenarios/endpoint-switches-source.yaml --from vm1 --to 52.239.0.10'],
  run(ctx) {
    const from = required(ctx, 'from');
    const to = required(ctx, 'to');
    try {
      parseAddress(to);
    } catch {
      throw new UsageError(`--to ${to}: expected an IP address`);
    }
    vmExists(ctx, from, load(ctx), 'from');
    return notYetAvailable(ctx, 'next-hop');
  },
};

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'IP flow verify: would the NSGs allow this packet, and which rule decides',
  usage: 'vnetsim verify FILE --vm VM --direction Inbound|Outbound --protocol P --local IP:PORT --remote IP:PORT [--json]',
  options: { vm: { type: 'string' }, direction: { type: 'string' }, protocol: { type: 'string' }, local: { type: 'string' }, remote: { type: 'string' } },
  optionHelp: [
    '--vm VM                        the VM whose NIC is checked',
    '--direction Inbound|Outbound',
    `--protocol ${PACKET_PROTOCOLS.join('|')}`,
    '--local IP:PORT                the VM side',
    '--remote IP:PORT               the other side',
  ],
  examples: ['vnetsim verify scenarios/nsg-lockdown.yaml --vm vm1 --direction Outbound --protocol Tcp --local 10.0.1.4:50000 --remote 52.239.0.10:443'],
  run(ctx) {
    const vm = required(ctx, 'vm');
    oneOf(ctx, 'direction', ['Inbound', 'Outbound']);
    oneOf(ctx, 'protocol', PACKET_PROTOCOLS);
    ipPort(ctx, 'local');
    ipPort(ctx, 'remote');
    vmExists(ctx, vm, load(ctx), 'vm');
    return notYetAvailable(ctx, 'verify');
  },
};

export const traceCommand: Command = {
  name: 'trace',
  summary: 'trace one packet: disposition and the ordered steps (NSG rule, route, translation, service firewall)',
  usage: 'vnetsim trace FILE --from X --to Y [--protocol P] [--port N] [--json]',
  options: { from: { type: 'string' }, to: { type: 'string' }, protocol: { type: 'string' }, port: { type: 'string' } },
  optionHelp: ['--from X       a VM, vnet/subnet or on-premises name', '--to Y         a VM, service, on-premises name or address', `--protocol P   ${PACKET_PROTOCOLS.join('|')} (default Tcp)`, '--port N       destination port (default 443)'],
  examples: ['vnetsim trace scenarios/forced-tunnelling.yaml --from vm1 --to 8.8.8.8 --protocol Udp --port 53'],
  run(ctx) {
    required(ctx, 'from');
    required(ctx, 'to');
    if (ctx.values['protocol'] !== undefined) oneOf(ctx, 'protocol', PACKET_PROTOCOLS);
    optionalPort(ctx, 'port');
    load(ctx);
    return notYetAvailable(ctx, 'trace');
  },
};

export const effectiveNsgCommand: Command = {
  name: 'effective-nsg',
  summary: "effective security rules of a VM's NIC, service tags expanded",
  usage: 'vnetsim effective-nsg FILE --vm VM [--json]',
  options: { vm: { type: 'string' } },
  optionHelp: ['--vm VM   the VM whose effective rules to show'],
  examples: ['vnetsim effective-nsg scenarios/nsg-lockdown.yaml --vm vm1'],
  run(ctx) {
    const vm = required(ctx, 'vm');
    vmExists(ctx, vm, load(ctx), 'vm');
    return notYetAvailable(ctx, 'effective-nsg');
  },
};

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suites (LPM, pipeline, control plane) and print a report',
  usage: 'vnetsim bench [--quick] [--json]',
  options: { quick: { type: 'boolean' } },
  optionHelp: ['--quick   a short run on the built-in defaults'],
  examples: ['vnetsim bench --quick'],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`bench takes no arguments, got ${ctx.positionals.join(' ')}`);
    return notYetAvailable(ctx, 'bench');
  },
};

