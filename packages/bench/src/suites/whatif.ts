// What-if (issue 12), one question each: how long does `vnetsim whatif` take end to end on the quickstart network with
// Microsoft's real tag file (target < 1 s), and how long on a generated network of 50 subnets, 500 VMs, 20 NSGs of 50
// rules with real service tags and 10 route tables when Storage is enabled on one subnet (target < 10 s, one core)?
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Network, whatIf, type WhatIfResult } from '@vnetsim/dataplane';
import { parseChanges, parseScenario, whatIfScenario, type Scenario } from '@vnetsim/scenario';
import type { ResultRow, Suite, SuiteContext, SuiteResult } from '../suite.js';
import { median, row, timeMs } from '../suite.js';
import { REAL_TAGS } from './nsg.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const QUICKSTART = path.join(repoRoot, 'scenarios/quickstart.yaml');
const ENABLE = 'enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }';

function timeRow(kase: string, ms: number[], cpuMs: number[], extra: Record<string, number | string>): ResultRow {
  const m = median(ms);
  // CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
  return row(kase, 'vnetsim', { opsPerSec: 1000 / m, nsPerOp: m * 1e6, runs: ms.length, samples: ms.map((x) => 1000 / x) }, {
    extra: { 'wall ms': Math.round(m), 'cpu ms': Math.round(median(cpuMs)), ...extra },
  });
}

/** Wall and CPU (user + system) milliseconds of fn. */
function timed(fn: () => void, ms: number[], cpuMs: number[]): void {
  const c0 = process.cpuUsage();
  ms.push(timeMs(fn));
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1000);
}

function split(r: WhatIfResult['summary'] | { classes: number; packets: number; packetsPerSecond: number; split: { classes: number; evaluate: number; group: number } }) {
  return {
    classes: r.classes,
    packets: r.packets,
    'packets/s': r.packetsPerSecond,
    'classes s': Number(r.split.classes.toFixed(3)),
    'evaluate s': Number(r.split.evaluate.toFixed(3)),
    'group s': Number(r.split.group.toFixed(3)),
  };
}

/** The quickstart file end to end: load with the real tags, its steps, the question, the answer. */
function quickstart(ctx: SuiteContext, rows: ResultRow[], notes: string[]): void {
  const tagsFile = path.join(ctx.dataDir, REAL_TAGS);
  if (!existsSync(tagsFile)) {
    notes.push(`absent: ${tagsFile}; the quickstart whatif with the real tag file was not measured.`);
    return;
  }
  // The quickstart's account address is one of the builtin sample tags: with the real file it takes a real
  // Storage.WestEurope address (the file's first prefix, 13.69.40.16/28), as loading validates.
  const text = readFileSync(QUICKSTART, 'utf8').replaceAll('52.239.1.10', '13.69.40.20');
  let last: ReturnType<typeof whatIfScenario>['report'] | null = null;
  const once = () => {
    const s = parseScenario(text, QUICKSTART, { serviceTagsFile: tagsFile });
    last = whatIfScenario(s, { changes: parseChanges(ENABLE, '--change', s) }).report;
  };
  once(); // warm-up
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) timed(once, ms, cpu);
  const rep = last!;
  rows.push(timeRow('whatif quickstart, real tags, enable Storage (end to end)', ms, cpu, { changes: rep.changes.length, ...split(rep.summary) }));
  notes.push(`whatif quickstart: scenarios/quickstart.yaml (account address 13.69.40.20, a real Storage.WestEurope address) with --service-tags ${REAL_TAGS}, ${ENABLE}: parse the file, load the ` +
    'tag file, run its 7 steps (one a 100,000-packet traffic step), evaluate, group; as `vnetsim whatif` does; median of 5 (target < 1 s).');
}

const TAG_DESTINATIONS = ['Storage', 'Storage.WestEurope', 'Sql', 'Sql.WestEurope', 'AzureKeyVault', 'AzureCosmosDB', 'EventHub', 'AzureMonitor',
  'AzureActiveDirectory', 'AzureCloud.westeurope', 'Internet', 'VirtualNetwork', '*'];
const PORTS = ['443', '80', '1433', '22', '3389', '8080-8090', '*', '53', '5671-5672', '10000-20000'];

/** The generated network (fixed, no randomness): 50 subnets, 500 VMs, 20 NSGs x 50 rules, 10 route tables. */
export function generatedNetworkYaml(tagsFile: string): string {
  const nsgs: string[] = [];
  for (let g = 0; g < 20; g++) {
    const rules: string[] = [];
    for (let k = 0; k < 50; k++) {
      const dir = k % 3 === 2 ? 'Inbound' : 'Outbound';
      const access = (k * 7 + g) % 5 === 0 ? 'Deny' : 'Allow';
      const proto = ['Tcp', 'Udp', '*', 'Tcp'][(k + g) % 4];
      const tag = TAG_DESTINATIONS[(k * 3 + g) % TAG_DESTINATIONS.length]!;
      const prefix = `${(k * 13 + g * 7) % 200 + 20}.${(k * 29) % 250}.0.0/16`;
      const other = k % 4 === 3 ? prefix : tag;
      const [src, dst] = dir === 'Outbound' ? ['VirtualNetwork', other] : [k % 2 === 0 ? 'Internet' : other, 'VirtualNetwork'];
      rules.push(`        - { name: r${k}, priority: ${100 + 10 * k}, direction: ${dir}, access: ${access}, protocol: '${proto}', source: '${src}', sourcePorts: '*', destination: '${dst}', destinationPorts: '${PORTS[(k + g) % PORTS.length]}' }`);
    }
    nsgs.push(`    - name: nsg${g}\n      rules:\n${rules.join('\n')}`);
  }
  const tables: string[] = [];
  for (let t = 0; t < 10; t++) {
    const routes = [
      t % 2 === 0 ? '        - { name: default-fw, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.0.4 }' : '        - { name: default-inet, prefix: 0.0.0.0/0, nextHopType: Internet }',
      `        - { name: onprem, prefix: 192.168.${t}.0/24, nextHopType: VirtualNetworkGateway }`,
      `        - { name: drop, prefix: ${40 + t}.0.0.0/8, nextHopType: None }`,
    ];
    tables.push(`    - name: rt${t}\n      routes:\n${routes.join('\n')}`);
  }
  const subnets: string[] = [];
  const vms: string[] = [];
  for (let s = 0; s < 50; s++) {
    const extra = s === 0 ? '' : `, nsg: nsg${s % 20}, routeTable: rt${s % 10}`;
    subnets.push(`        - { name: s${s}, prefix: 10.0.${s}.0/24${extra} }`);
    for (let v = 0; v < 10; v++) {
      const name = s === 0 && v === 0 ? 'fw' : `vm${s}-${v}`;
      const app = s === 0 && v === 0 ? ', ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 }' : '';
      const pub = v === 1 ? `, publicIp: 51.106.${s}.1` : '';
      vms.push(`    - { name: ${name}, subnet: hub/s${s}, privateIp: 10.0.${s}.${v + 4}${pub}${app} }`);
    }
  }
  return `name: generated
serviceTags: ${tagsFile}
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      gateway: { onPremPrefixes: [192.168.0.0/16], natIps: [203.0.113.10] }
      subnets:
${subnets.join('\n')}
  nsgs:
${nsgs.join('\n')}
  routeTables:
${tables.join('\n')}
  vms:
${vms.join('\n')}
  onPrem:
    - { name: branch, prefix: 192.168.10.0/24, via: hub }
  services:
    - { name: sa1, type: Microsoft.Storage, region: westeurope, address: 13.69.40.20, firewall: { defaultAction: Deny, virtualNetworkRules: [hub/s2], ipRules: [51.105.0.9] } }
    - { name: sq1, type: Microsoft.Sql, region: westeurope, address: 13.69.104.10, firewall: { defaultAction: Deny } }
`;
}

function generated(ctx: SuiteContext, rows: ResultRow[], notes: string[]): void {
  const tagsFile = path.join(ctx.dataDir, REAL_TAGS);
  if (!existsSync(tagsFile)) {
    notes.push(`absent: ${tagsFile}; the generated-network whatif was not measured.`);
    return;
  }
  const s: Scenario = parseScenario(generatedNetworkYaml(tagsFile), path.join(repoRoot, 'generated.yaml'));
  const mk = () => new Network(s.network, s.serviceTags, s.options, { flowCapacity: 4096, batchCapacity: 4096 });
  const before = mk();
  const after = mk();
  const r = after.enableServiceEndpoint('hub/s2', 'Microsoft.Storage');
  if (!r.ok) throw new Error(`generated network: ${r.error?.message}`);
  let last: WhatIfResult | null = null;
  const runs = ctx.quick ? 3 : 5;
  last = whatIf(before, after); // warm-up
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < runs; k++) timed(() => (last = whatIf(before, after)), ms, cpu);
  const sum = last!.summary;
  rows.push(timeRow('whatif generated 50 subnets/500 VMs/20x50 rules/10 tables, enable Storage on one subnet', ms, cpu, {
    changes: last!.changes.length, sources: sum.sources, 'evaluated sources': sum.evaluatedSources, ...split(sum),
  }));
  notes.push(`whatif generated: 1 VNet, 50 subnets of 10 VMs (one appliance), 20 NSGs of 50 rules (outbound and inbound, ${TAG_DESTINATIONS.length} ` +
    `destinations incl. real tags Storage, Sql, AzureMonitor, AzureCloud.westeurope, and /16 prefixes; 10 port sets), 10 route tables ` +
    `(forced to the appliance or Internet, a gateway /24, a None /8), ${REAL_TAGS}; enable Microsoft.Storage on hub/s2; the engine ` +
    `(classes, evaluation, grouping) on one thread, networks compiled beforehand; median of ${runs} (target < 10 s). ` +
    `"classes" are (source, destination class, protocol/port class) cells, each one packet per network.`);
}

/** The row's figures as a note (the text report prints notes, not extras). */
function figures(r: ResultRow): string {
  return `${r.case}: ${Object.entries(r.extra ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`).join(', ')}`;
}

export const whatifSuite: Suite = {
  name: 'whatif',
  description: 'vnetsim whatif: quickstart end to end with the real tags (< 1 s); a 500-VM generated network (< 10 s)',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const rows: ResultRow[] = [];
    const notes: string[] = [];
    ctx.log('whatif: quickstart');
    quickstart(ctx, rows, notes);
    ctx.log('whatif: generated network');
    generated(ctx, rows, notes);
    for (const r of rows) notes.push(figures(r));
    return { name: 'whatif', rows, notes };
  },
};
