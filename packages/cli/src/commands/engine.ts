// Commands that run the engine: run, routes, next-hop, verify, trace, effective-nsg, bench.
import { writeFileSync } from 'node:fs';
import { runBenchCli } from '@vnetsim/bench';
import { pino } from 'pino';
import { matchedPrefix, NsgError, parseAddress } from '@vnetsim/core';
import { loadScenarioFile, MissingDataError, PACKET_PROTOCOLS, type Scenario } from '@vnetsim/scenario';
import { Network } from '@vnetsim/dataplane';
import { runScenario, type ScenarioResult } from '@vnetsim/scenario';
import { tracePacket } from '@vnetsim/scenario';
import { pipelineDiagram, STAGES } from '@vnetsim/dataplane';
import { openPcapFile } from '../capture-files.js';
import { FlowLogWriter } from '@vnetsim/dataplane';
import { EXIT, ipPort, oneFile, oneOf, optionalPort, required, scenarioFiles, UsageError, type Command, type CommandContext } from '../command.js';
import { renderTable } from '../table.js';
import { formatAzure } from '@vnetsim/azure';
import { junitXml } from '../render/junit.js';
import { tapReport } from '../render/tap.js';
import { traceGraph } from '../render/trace-graph.js';
import { renderGraph } from './diagram.js';

function load(ctx: CommandContext): Scenario {
  return loadScenarioFile(oneFile(ctx), ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
}

function logger(ctx: CommandContext) {
  return pino({ level: ctx.flags.logLevel }, pino.destination(2));
}

function networkOf(ctx: CommandContext, s: Scenario): Network {
  return new Network(s.network, s.serviceTags, s.options, { logger: logger(ctx), snatPortsPerIp: s.options.snatPortsPerIp });
}

const FORMAT_OPTION = { format: { type: 'string' } } as const;
const FORMAT_HELP = "--format azure   print Azure's JSON shape (the REST API's / az's answer) instead of vnetsim's";

/** `--format azure`: Azure's REST shape; anything else is an error. */
function azureFormat(ctx: CommandContext): boolean {
  const f = ctx.values['format'];
  if (f === undefined) return false;
  if (f !== 'azure') throw new UsageError(`--format ${String(f)}: expected azure`);
  return true;
}

function json(ctx: CommandContext, value: unknown): void {
  ctx.io.out(JSON.stringify(value, null, 2));
}

/** Progress on an interactive terminal only (never in --json or CI logs). */
function progressReporter(ctx: CommandContext): ((step: number, done: number, total: number) => void) | undefined {
  if (ctx.flags.json || !process.stderr.isTTY || process.env['CI']) return undefined;
  let last = 0;
  return (step, done, total) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    process.stderr.write(`\r  step ${step}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} packets${done >= total ? '\n' : ''}`);
  };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run scenario files and check their expectations (exit 0 all held, 1 one failed, 2 invalid file)',
  usage: 'vnetsim run FILE|DIR... [--json | --format text|tap] [--junit FILE] [--pcap FILE] [--flow-log FILE] [--service-tags FILE] [--log-level L]',
  options: { pcap: { type: 'string' }, 'flow-log': { type: 'string' }, junit: { type: 'string' }, format: { type: 'string' } },
  optionHelp: [
    '--pcap FILE       write the packets of the run (before and after translation, and the RSTs) as a capture',
    '--flow-log FILE   write NSG flow log v2 records of the run',
    '--junit FILE      also write a JUnit XML report: a testsuite per scenario, a testcase per step, failures with',
    '                  expected and found values and the trace (for CI test reporters)',
    '--format F        text (default) or tap: TAP version 14 on stdout, one test point per step',
  ],
  examples: [
    'vnetsim run scenarios/',
    'vnetsim run scenarios/service-endpoints/endpoint-switches-source-to-private.yaml --json',
    'vnetsim run scenarios/ --pcap run.pcap --flow-log flows.json',
    'vnetsim run scenarios/ --junit junit.xml',
    'vnetsim run scenarios/nsg/ --format tap',
  ],
  run(ctx) {
    const files = scenarioFiles(ctx);
    const format = ctx.values['format'] === undefined ? 'text' : oneOf(ctx, 'format', ['text', 'tap'] as const);
    if (format === 'tap' && ctx.flags.json) throw new UsageError('--format tap and --json: choose one');
    const junitPath = ctx.values['junit'];
    // An unwritable report path is bad input, found before anything runs.
    if (typeof junitPath === 'string') {
      try {
        writeFileSync(junitPath, '');
      } catch (e) {
        throw new UsageError(`--junit ${junitPath}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
    }
    // Every file is validated first: an invalid file means nothing runs (exit 2). A scenario whose public data
    // (../shared/data) is absent on this machine is skipped, and the output says so.
    const scenarios: Scenario[] = [];
    const skipped: Array<{ file: string; reason: string }> = [];
    for (const f of files) {
      try {
        scenarios.push(loadScenarioFile(f, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags }));
      } catch (e) {
        if (!(e instanceof MissingDataError)) throw e;
        skipped.push({ file: f, reason: `data absent: ${e.missing}` });
      }
    }
    const pcapPath = ctx.values['pcap'];
    const flowLogPath = ctx.values['flow-log'];
    const pcap = typeof pcapPath === 'string' ? openPcapFile(pcapPath) : undefined;
    const flowLog = typeof flowLogPath === 'string' ? new FlowLogWriter() : undefined;
    const progress = progressReporter(ctx);
    const log = logger(ctx);
    const results: ScenarioResult[] = [];
    const started = performance.now();
    for (const s of scenarios) {
      const speeds: string[] = [];
      const onTraffic = (step: number, packets: number, seconds: number) => {
        if (packets >= 10_000) speeds.push(`  step ${step}: ${packets.toLocaleString('en-US')} packets, ${formatRate(packets / Math.max(seconds, 1e-9))} packets/s`);
      };
      const r = runScenario(s, { pcap, flowLog, progress, onTraffic, logger: log });
      results.push(r);
      if (!ctx.flags.json && format === 'text') {
        printScenario(ctx, r);
        for (const line of speeds) ctx.io.out(line);
      }
    }
    pcap?.close();
    if (flowLog !== undefined && typeof flowLogPath === 'string') writeFileSync(flowLogPath, `${flowLog.toString()}\n`);
    const passed = results.every((r) => r.passed);
    if (typeof junitPath === 'string') writeFileSync(junitPath, junitXml(results, skipped));
    if (format === 'tap') ctx.io.out(tapReport(results, skipped).trimEnd());
    else if (ctx.flags.json) json(ctx, { scenarios: results, passed, ...(skipped.length > 0 ? { skipped } : {}) });
    else {
      for (const sk of skipped) ctx.io.out(`SKIP  ${sk.file}: ${sk.reason}`);
      const rows = results.map((r) => [r.passed ? 'PASS' : 'FAIL', r.name, String(r.steps.length), String(r.steps.filter((x) => !x.passed).length), r.counters.packetsIn.toLocaleString('en-US')]);
      ctx.io.out('');
      ctx.io.out(renderTable(['result', 'scenario', 'steps', 'failed', 'packets'], rows, { right: [2, 3, 4] }));
      const total = results.reduce((a, r) => a + r.counters.packetsIn, 0);
      const secs = (performance.now() - started) / 1000;
      ctx.io.out(`\n${results.filter((r) => r.passed).length} of ${results.length} scenarios passed${skipped.length > 0 ? ` (${skipped.length} skipped: data absent)` : ''}; ${total.toLocaleString('en-US')} packets in ${secs.toFixed(2)} s`);
    }
    return passed ? EXIT.ok : EXIT.failed;
  },
};

function formatRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
}

function printScenario(ctx: CommandContext, r: ScenarioResult): void {
  ctx.io.out(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${r.file})`);
  for (const st of r.steps) {
    if (st.passed) continue;
    ctx.io.out(`  step ${st.index} (${st.kind}, line ${st.line}):`);
    for (const f of st.failures) ctx.io.out(`    - ${f}`);
    if (st.trace !== undefined) {
      ctx.io.out(`    trace of ${st.trace.packet}: ${st.trace.disposition}`);
      for (const s of st.trace.steps) ctx.io.out(`      ${s.stage.padEnd(11)} ${s.text}`);
    }
  }
}

export const routesCommand: Command = {
  name: 'routes',
  summary: "effective routes of a subnet, in Azure's columns",
  usage: 'vnetsim routes FILE --subnet VNET/SUBNET [--json] [--format azure]',
  options: { subnet: { type: 'string' }, ...FORMAT_OPTION },
  optionHelp: ['--subnet VNET/SUBNET   the subnet whose routes to show', FORMAT_HELP],
  examples: ['vnetsim routes scenarios/routing/forced-tunnel-bypassed-for-service-prefixes.yaml --subnet hub/app'],
  run(ctx) {
    const subnet = required(ctx, 'subnet');
    const s = load(ctx);
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

function vmExists(s: Scenario, vm: string, flag: string): void {
  if (!s.network.vms.some((v) => v.name === vm)) throw new UsageError(`--${flag} ${vm}: no such VM in ${s.file}`);
}

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
    'vnetsim trace scenarios/routing/forced-tunnel-bypassed-for-service-prefixes.yaml --from vm1 --to 8.8.8.8 --protocol Udp --port 53',
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

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suites (LPM, NSG classifier, pipeline, control plane) and print a report',
  usage: 'vnetsim bench [--quick] [--suite NAME]... [--json]',
  options: { quick: { type: 'boolean' }, suite: { type: 'string', multiple: true } },
  optionHelp: ['--quick        a short run on the built-in defaults', '--suite NAME   only this suite (lpm, nsg, pipeline, control); repeatable'],
  examples: ['vnetsim bench --quick', 'vnetsim bench --suite lpm --suite nsg'],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`bench takes no arguments, got ${ctx.positionals.join(' ')}`);
    const suite = ctx.values['suite'];
    const suites = Array.isArray(suite) ? suite : [];
    const args = [...(ctx.values['quick'] === true ? ['--quick'] : []), ...suites.flatMap((x) => ['--suite', x]), ...(ctx.flags.json ? ['--json'] : [])];
    return runBenchCli(args);
  },
};

export const pipelineCommand: Command = {
  name: 'pipeline',
  summary: 'print the packet pipeline: its stages in order, with what each decides (generated from the stage list)',
  usage: 'vnetsim pipeline [--json]',
  options: {},
  optionHelp: [],
  examples: ['vnetsim pipeline'],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`pipeline takes no arguments, got ${ctx.positionals.join(' ')}`);
    if (ctx.flags.json) json(ctx, STAGES.map((s) => ({ name: s.name, exits: s.exits })));
    else ctx.io.out(pipelineDiagram());
    return EXIT.ok;
  },
};
