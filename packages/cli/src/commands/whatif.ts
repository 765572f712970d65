// `vnetsim whatif`: what changes, for every source, destination, protocol and port, if a change were applied.
import { readFileSync } from 'node:fs';
import {
  loadScenarioFile,
  parseChanges,
  whatIfScenario,
  WhatIfChangeError,
  type Scenario,
  type WhatIfQuestion,
  type WhatIfReport,
} from '@vnetsim/scenario';
import type { WhatIfChange, WhatIfOutcome } from '@vnetsim/dataplane';
import { EXIT, oneFile, UsageError, type Command, type CommandContext } from '../command.js';

const ALL_PROTOCOLS = ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', 'Other'];
const ALL_PORTS = '0-65535';

function load(ctx: CommandContext, file: string): Scenario {
  return loadScenarioFile(file, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
}

function question(ctx: CommandContext, s: Scenario): WhatIfQuestion {
  const change = ctx.values['change'];
  const changes = ctx.values['changes'];
  const after = ctx.values['after'];
  const given = [change !== undefined, changes !== undefined, after !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('expected exactly one of --change STEP, --changes FILE or --after FILE');
  if (after !== undefined) return { after: load(ctx, String(after)) };
  if (changes !== undefined) {
    const file = String(changes);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`--changes ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    return { changes: parseChanges(text, file, s) };
  }
  const texts = Array.isArray(change) ? change.map(String) : [String(change)];
  return { changes: texts.flatMap((t, i) => parseChanges(t, `--change${texts.length > 1 ? ` #${i + 1}` : ''}`, s)) };
}

export const whatifCommand: Command = {
  name: 'whatif',
  summary: 'what changes for every packet (every source, destination, protocol, port) if a change were applied',
  usage: "vnetsim whatif NETWORK.yaml (--change 'STEP' | --changes FILE | --after AFTER.yaml) [--json] [--format markdown] [--fail-on-change]",
  options: {
    change: { type: 'string', multiple: true },
    changes: { type: 'string' },
    after: { type: 'string' },
    'fail-on-change': { type: 'boolean' },
    format: { type: 'string' },
  },
  optionHelp: [
    "--change 'STEP'     a control-plane step in scenario syntax, e.g. 'enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }' (repeatable: applied in order)",
    '--changes FILE      a YAML list of control-plane steps (or a map with changes:)',
    '--after FILE        another version of the network: compare NETWORK.yaml with it',
    '--fail-on-change    exit 1 when anything changes (a CI gate for network pull requests)',
    '--format markdown   a pull-request comment instead of the plan',
  ],
  examples: [
    "vnetsim whatif scenarios/quickstart.yaml --change 'disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }'",
    'vnetsim whatif NETWORK.yaml --changes CHANGES.yaml --json',
    'vnetsim whatif BEFORE.yaml --after AFTER.yaml --fail-on-change --format markdown',
  ],
  run(ctx) {
    const file = oneFile(ctx, 'NETWORK.yaml');
    const format = ctx.values['format'];
    if (format !== undefined && format !== 'markdown' && format !== 'text') throw new UsageError(`--format ${String(format)}: expected markdown or text`);
    const s = load(ctx, file);
    const q = question(ctx, s);
    let report: WhatIfReport;
    try {
      report = whatIfScenario(s, q).report;
    } catch (e) {
      if (!(e instanceof WhatIfChangeError)) throw e;
      ctx.io.err(`vnetsim whatif: the change is refused: ${e.message}`);
      return EXIT.invalid;
    }
    if (ctx.flags.json) ctx.io.out(JSON.stringify(report, null, 2));
    else ctx.io.out(format === 'markdown' ? markdown(report) : plan(report));
    const changed = report.changes.length > 0 || report.resetConnections.length > 0;
    return ctx.values['fail-on-change'] === true && changed ? EXIT.failed : EXIT.ok;
  },
};

const n = (x: number | string) => Number(x).toLocaleString('en-US');

function sourceText(c: WhatIfChange): string {
  const from = c.sourceAddresses === undefined ? '' : ` from ${list(c.sourceAddresses, 3)}`;
  return `${c.source}${c.sourceSubnet !== null ? ` (${c.sourceSubnet})` : ''}${from}`;
}

function list(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, ...`;
}

function destinationText(c: WhatIfChange): string {
  const what = c.tags.length > 0 ? c.tags.join(', ')
    : c.tagsExcept !== undefined ? `${c.tagsExcept.tags.join(', ')} except ${list(c.tagsExcept.except, 3)}`
    : list(c.destinations, 3);
  const count = c.destinations.length > 1 || c.tags.length > 0 ? ` (${n(c.destinations.length)} prefix${c.destinations.length === 1 ? '' : 'es'}, ${n(c.addresses)} addresses)` : '';
  return `${what}${count}`;
}

function trafficText(c: WhatIfChange): string {
  const allProtocols = ALL_PROTOCOLS.every((p) => (c.protocols as readonly string[]).includes(p));
  const protocols = allProtocols ? 'any protocol' : c.protocols.join('/');
  const ports = c.ports === ALL_PORTS ? (allProtocols ? 'any port' : 'any port') : `port ${c.ports}`;
  const sports = c.sourcePorts === undefined ? '' : ` from source port ${c.sourcePorts}`;
  return `${protocols}${allProtocols ? ',' : ''} ${ports}${sports}`;
}

function outcomeText(o: WhatIfOutcome): string {
  const how = o.disposition + (o.reason !== null && o.reason !== 'None' ? ` (${o.reason})` : '');
  const via = o.nextHopType === null ? '' : ` via ${o.nextHopType}${o.nextHopIp !== null ? ` ${o.nextHopIp}` : ''}`;
  return `${how}${via}${o.sourceSeenByDestination === null ? '' : `, source ${o.sourceSeenByDestination}`}`;
}

/** Why the outcome changed, in words (the differing route, appliance, rule and service firewall verdicts). */
export function explain(c: WhatIfChange): string[] {
  const b = c.before;
  const a = c.after;
  const out: string[] = [];
  if (b.appliance !== null && a.appliance === null) out.push(`bypasses appliance ${b.appliance}`);
  if (b.appliance === null && a.appliance !== null) out.push(`now through appliance ${a.appliance}`);
  if (b.route !== a.route && b.route !== null && a.route !== null) out.push(`route ${b.route} -> ${a.route}`);
  if (b.rule !== a.rule) out.push(`NSG rule ${b.rule ?? 'none'} -> ${a.rule ?? 'none'}`);
  const svc = a.service ?? b.service;
  if (svc !== null) {
    if (a.serviceVerdict === 'NoVirtualNetworkRule' && b.serviceVerdict !== 'NoVirtualNetworkRule') out.push(`${svc}: no virtual-network rule for ${c.sourceSubnet ?? c.source}`);
    if (a.serviceVerdict === 'VirtualNetworkRule' && b.serviceVerdict !== 'VirtualNetworkRule') out.push(`${svc}: admitted by the virtual-network rule for ${c.sourceSubnet ?? c.source}`);
    if (b.serviceVerdict === 'IpRule' && a.serviceVerdict !== 'IpRule') out.push(`the IP rule for ${b.sourceSeenByDestination} no longer matches`);
    if (a.serviceVerdict === 'IpRule' && b.serviceVerdict !== 'IpRule') out.push(`${svc}: admitted by the IP rule for ${a.sourceSeenByDestination}`);
    if (a.serviceVerdict === 'NoIpRule' && b.serviceVerdict !== 'NoIpRule') out.push(`${svc}: no IP rule for ${a.sourceSeenByDestination}`);
  }
  if (a.serviceVerdict === 'FrontEnd' && b.serviceVerdict === 'FrontEnd' && b.sourceSeenByDestination !== a.sourceSeenByDestination)
    out.push(`the service sees ${a.sourceSeenByDestination} instead of ${b.sourceSeenByDestination}`);
  return out;
}

/** The human plan (issue 12). */
export function plan(r: WhatIfReport): string {
  const lines: string[] = [];
  for (const c of r.changes) {
    lines.push(`~ ${sourceText(c)} -> ${destinationText(c)} ${trafficText(c)}`);
    lines.push(`    ${outcomeText(c.before)}   ->   ${outcomeText(c.after)}`);
    const why = explain(c);
    if (why.length > 0) lines.push(`    (${why.join('; ')})`);
  }
  if (r.resetConnections.length > 0)
    lines.push(`! resets ${n(r.resetConnections.length)} open TCP connection${r.resetConnections.length === 1 ? '' : 's'}: ${r.resetConnections.join(', ')}`);
  const s = r.summary;
  if (r.changes.length === 0 && r.resetConnections.length === 0) lines.push('no change');
  lines.push(`  unchanged: ${n(s.classes - s.changedClasses)} classes from ${n(s.sources)} sources`);
  lines.push(`  (${n(s.classes)} classes of ${n(s.sources)} sources, ${n(s.skippedSources)} proved unaffected; ${n(s.packets)} packets in ${s.seconds.toFixed(2)} s)`);
  return lines.join('\n');
}

/** A pull-request comment. */
export function markdown(r: WhatIfReport): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  const s = r.summary;
  const lines = [`### vnetsim whatif: ${r.changes.length === 0 ? 'no change' : `${n(r.changes.length)} change${r.changes.length === 1 ? '' : 's'}`}`, ''];
  if (r.changes.length > 0) {
    lines.push('| source | destinations | traffic | before | after | why |', '|---|---|---|---|---|---|');
    for (const c of r.changes)
      lines.push(`| ${cell(sourceText(c))} | ${cell(destinationText(c))} | ${cell(trafficText(c))} | ${cell(outcomeText(c.before))} | ${cell(outcomeText(c.after))} | ${cell(explain(c).join('; '))} |`);
    lines.push('');
  }
  if (r.resetConnections.length > 0) lines.push(`**Resets** ${n(r.resetConnections.length)} open TCP connections: ${r.resetConnections.map((x) => `\`${x}\``).join(', ')}`, '');
  lines.push(`Unchanged: ${n(s.classes - s.changedClasses)} of ${n(s.classes)} classes from ${n(s.sources)} sources (every address, protocol and port; ${s.seconds.toFixed(2)} s).`);
  return lines.join('\n');
}
