// The control plane, one question each: how long does compiling a FIB of the real ~900k-prefix table take; how long
// do the effective routes + FIB of a subnet with the real Storage and Sql tags enabled take; how many BGP updates per
// second does an Ipv4Trie absorb incrementally (LINX trace), and what does recompiling after them cost? (DESIGN.md
// "Figures to reach": < 1 s, < 50 ms, >= 100k updates/s.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileFib, effectiveRoutes, emptyNetwork, Ipv4Trie, loadServiceTags, parseIpv4, parseIpv4Cidr } from '@vnetsim/core';
import type { NetworkSpec } from '@vnetsim/core';
import type { ResultRow, Suite, SuiteContext, SuiteResult } from '../suite.js';
import { median, row, timeMs } from '../suite.js';
import { loadRealTable } from '../tables.js';
import type { Ipv4Table } from '../tables.js';
import { REAL_TABLE } from './lpm.js';
import { REAL_TAGS } from './nsg.js';

const LINX_UPDATES = 'routing-tables/linx-update.20141217.0000-p52.txt';

/** A row for a one-shot time: "ns/op" shows the time; ops/s = 1 / time. */
function timeRow(kase: string, ms: number[], more: Parameters<typeof row>[3] = {}): ResultRow {
  const m = median(ms);
  return row(kase, 'vnetsim', { opsPerSec: 1000 / m, nsPerOp: m * 1e6, runs: ms.length, samples: ms.map((x) => 1000 / x) }, more);
}

function buildTrie(t: Ipv4Table): Ipv4Trie {
  const trie = new Ipv4Trie();
  for (let i = 0; i < t.count; i++) trie.insert(t.prefixes[i]!, t.lengths[i]!, t.values[i]!);
  return trie;
}

function fib(ctx: SuiteContext, rows: ResultRow[], notes: string[]): Ipv4Trie | null {
  const file = path.join(ctx.dataDir, REAL_TABLE);
  if (!existsSync(file)) {
    notes.push(`absent: ${file}; the 900k-prefix FIB compile and the BGP update trace (applied on top of it) were not measured.`);
    return null;
  }
  const table = loadRealTable(file).v4;
  let trie = buildTrie(table);
  trie.compile(); // warm-up
  const runs = ctx.quick ? 3 : 5;
  const insertMs: number[] = [];
  const compileMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    insertMs.push(timeMs(() => (trie = buildTrie(table))));
    compileMs.push(timeMs(() => trie.compile()));
  }
  const bytes = trie.compile().byteLength;
  rows.push(timeRow(`compile FIB, real table (${table.count} IPv4 prefixes)`, compileMs, { bytes, buildMs: median(insertMs) }));
  notes.push(`FIB: ${table.count.toLocaleString('en-US')} IPv4 prefixes of ${REAL_TABLE}; "ns/op" is the median compile() time of ${runs} ` +
    `(target < 1 s), "build ms" the median time to insert them all into the radix trie (the builder) first.`);
  return trie;
}

function subnetRoutes(ctx: SuiteContext, rows: ResultRow[], notes: string[]): void {
  const file = path.join(ctx.dataDir, REAL_TAGS);
  if (!existsSync(file)) {
    notes.push(`absent: ${file}; effective routes with the real Storage/Sql tags were not measured.`);
    return;
  }
  const tags = loadServiceTags(JSON.parse(readFileSync(file, 'utf8')), file);
  const net: NetworkSpec = emptyNetwork();
  net.vnets.push({
    name: 'hub', region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager',
    addressSpace: ['10.0.0.0/16'], peerings: [],
    subnets: [{ name: 'app', prefix: '10.0.1.0/24', serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.Sql' }], endpointPolicies: [] }],
  });
  const options = { endpointPrecedence: 'override' as const };
  let routes = effectiveRoutes(net, tags, 'hub/app', options);
  compileFib(routes);
  const runs = ctx.quick ? 5 : 9;
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    ms.push(timeMs(() => {
      routes = effectiveRoutes(net, tags, 'hub/app', options);
      compileFib(routes);
    }));
  }
  const active = routes.filter((x) => x.state === 'Active').length;
  rows.push(timeRow(`effective routes + FIB, Storage+Sql endpoints (${routes.length} routes)`, ms));
  notes.push(`effective routes: subnet hub/app (westeurope) with Microsoft.Storage and Microsoft.Sql endpoints, tags of ${REAL_TAGS} ` +
    `(${routes.length.toLocaleString('en-US')} routes, ${active.toLocaleString('en-US')} Active); effectiveRoutes() + compileFib(), warm, median of ${runs} (target < 50 ms).`);
}

interface Updates {
  announce: Uint8Array;
  prefix: Uint32Array;
  length: Uint8Array;
  nextHop: Int32Array;
  count: number;
}

/** `unixtime a|w prefix [nexthop]` lines, parsed once (outside the timing); next hops become small integers. */
function parseUpdates(text: string): Updates {
  const lines = text.split('\n');
  const u: Updates = { announce: new Uint8Array(lines.length), prefix: new Uint32Array(lines.length), length: new Uint8Array(lines.length), nextHop: new Int32Array(lines.length), count: 0 };
  const hops = new Map<string, number>();
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || (f[1] !== 'a' && f[1] !== 'w') || f[2]!.includes(':')) continue;
    const c = parseIpv4Cidr(f[2]!);
    const hopText = f[3] ?? '0.0.0.0';
    let hop = hops.get(hopText);
    if (hop === undefined) {
      parseIpv4(hopText);
      hops.set(hopText, (hop = hops.size));
    }
    const k = u.count++;
    u.announce[k] = f[1] === 'a' ? 1 : 0;
    u.prefix[k] = c.prefix;
    u.length[k] = c.length;
    u.nextHop[k] = hop;
  }
  return u;
}

function apply(trie: Ipv4Trie, u: Updates): void {
  for (let k = 0; k < u.count; k++) {
    if (u.announce[k] === 1) trie.insert(u.prefix[k]!, u.length[k]!, u.nextHop[k]!);
    else trie.delete(u.prefix[k]!, u.length[k]!);
  }
}

function bgpTrace(ctx: SuiteContext, rows: ResultRow[], notes: string[], base: Ipv4Trie | null): void {
  const file = path.join(ctx.dataDir, LINX_UPDATES);
  if (!existsSync(file)) {
    notes.push(`absent: ${file}; the BGP update trace was not measured.`);
    return;
  }
  const u = parseUpdates(readFileSync(file, 'utf8'));
  let withdrawals = 0;
  for (let k = 0; k < u.count; k++) withdrawals += 1 - u.announce[k]!;
  // On the full table when it is there (a router's RIB), else on an empty trie.
  const trie = base ?? new Ipv4Trie();
  apply(trie, u); // warm-up pass
  const runs = ctx.quick ? 5 : 9;
  const rates: number[] = [];
  const compileMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const ms = timeMs(() => apply(trie, u));
    rates.push((u.count * 1000) / ms);
    compileMs.push(timeMs(() => trie.compile()));
  }
  const rate = median(rates);
  const c = median(compileMs);
  rows.push(row(`BGP update trace (${u.count} updates), incremental`, 'vnetsim', { opsPerSec: rate, nsPerOp: 1e9 / rate, runs, samples: rates }));
  const total = u.count / rate * 1000 + c;
  rows.push(row(`BGP update trace (${u.count} updates), incl. recompile`, 'vnetsim', { opsPerSec: (u.count * 1000) / total, nsPerOp: (total * 1e6) / u.count, runs, samples: [] }, { buildMs: c }));
  notes.push(`BGP trace: ${u.count.toLocaleString('en-US')} updates (${withdrawals.toLocaleString('en-US')} withdrawals) of ${LINX_UPDATES} applied to an Ipv4Trie ` +
    `${base === null ? '(empty: the real table is absent)' : `holding the real table (${trie.size.toLocaleString('en-US')} prefixes)`}, parsed beforehand; ` +
    `median of ${runs} passes (target >= 100k updates/s). "incl. recompile": the same plus one compile() of the whole FIB after the trace (build ms = compile).`);
}

export const controlSuite: Suite = {
  name: 'control',
  description: 'control plane: 900k-prefix FIB compile, effective routes with real service tags, BGP update trace',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const rows: ResultRow[] = [];
    const notes: string[] = [];
    ctx.log('control: FIB of the real table');
    const trie = fib(ctx, rows, notes);
    ctx.log('control: effective routes');
    subnetRoutes(ctx, rows, notes);
    ctx.log('control: BGP trace');
    bgpTrace(ctx, rows, notes, trie);
    return { name: 'control', rows, notes };
  },
};
