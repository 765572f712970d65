// NSG classification, one question: how many first-match classifications per second does vnetsim's compiled
// bit-vector classifier do on an NSG of 200 rules with service tags (thousands of prefixes), against a plain
// first-match linear scan of the same expanded rules, on the same preallocated 5-tuples? (DESIGN.md "Figures to
// reach": >= 20 M/s and >= 10x the scan.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  builtinServiceTags, compileNsgs, emptyNetwork, loadServiceTags, parseCidr, parsePorts, PROTOCOL_NUMBER,
} from '@vnetsim/core';
import type { CompiledRuleInfo, NsgClassifier, SecurityRuleSpec, ServiceTagSet } from '@vnetsim/core';
import { Rng } from '../rng.js';
import type { ResultRow, Suite, SuiteContext, SuiteResult } from '../suite.js';
import { measureBatch, row, timeMs } from '../suite.js';

export const REAL_TAGS = 'service-tags/ServiceTags_Public.cn376.json';
const RULES = 200;
/** Tags the rule set picks from (global and regional forms); absent ones are skipped. */
const TAG_NAMES = [
  'Storage', 'Sql', 'AzureCosmosDB', 'AzureKeyVault', 'ServiceBus', 'EventHub', 'AzureMonitor', 'AppService',
  'Storage.WestEurope', 'Storage.NorthEurope', 'Sql.EastUS', 'Sql.WestEurope', 'AzureKeyVault.NorthEurope', 'AzureContainerRegistry',
  'AzureActiveDirectory', 'VirtualNetwork', 'Internet', 'AzureLoadBalancer',
];
const PORTS = ['*', '443', '80', '22', '1433', '3389', '8000-8999', '1024-65535', '53', '80,443', '5671-5672'];

/** 200 outbound rules: about a third name service tags, the rest prefixes/lists; mixed protocols and ports. */
function ruleSet(tags: ServiceTagSet, rng: Rng): SecurityRuleSpec[] {
  const known = TAG_NAMES.filter((t) => ['VirtualNetwork', 'Internet', 'AzureLoadBalancer'].includes(t) || tags.has(t));
  const protocols = ['Tcp', 'Tcp', 'Udp', '*'] as const;
  const prefix = () => {
    const len = 8 + rng.below(25);
    const a = rng.u32();
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const p = (a & mask) >>> 0;
    return `${p >>> 24}.${(p >>> 16) & 255}.${(p >>> 8) & 255}.${p & 255}/${len}`;
  };
  const addr = (): string | string[] => {
    const k = rng.below(20);
    if (k < 9) return known[rng.below(known.length)]!;
    if (k < 14) return prefix();
    if (k < 19) return Array.from({ length: 2 + rng.below(6) }, prefix);
    return '*';
  };
  return Array.from({ length: RULES }, (_, i) => ({
    name: `rule${i}`, priority: 100 + i * 10, direction: 'Outbound' as const,
    access: rng.below(3) === 0 ? 'Deny' as const : 'Allow' as const,
    protocol: protocols[rng.below(protocols.length)]!,
    source: rng.below(4) === 0 ? addr() : 'VirtualNetwork', sourcePorts: '*',
    destination: addr(), destinationPorts: PORTS[rng.below(PORTS.length)]!,
  }));
}

/** The reference: first match by a scan over the rules; each rule's prefixes and ports as typed arrays. */
class LinearScan {
  private readonly proto: Int32Array;
  private readonly ports: Uint32Array[] = [];
  private readonly src: Uint32Array[] = [];
  private readonly dst: Uint32Array[] = [];

  constructor(rules: readonly CompiledRuleInfo[]) {
    this.proto = Int32Array.from(rules, (r) => PROTOCOL_NUMBER[r.protocol]);
    const prefixes = (list: string[]) => {
      const v4 = list.map((t) => parseCidr(t)).flatMap((c) => (c.family === 4 ? [c] : []));
      const out = new Uint32Array(v4.length * 2);
      v4.forEach((c, i) => {
        out[2 * i] = c.prefix;
        out[2 * i + 1] = c.length === 0 ? 0 : (0xffffffff << (32 - c.length)) >>> 0;
      });
      return out;
    };
    const ports = (sp: string[], dp: string[]) => {
      const s = parsePorts(sp);
      const d = parsePorts(dp);
      return Uint32Array.from([s.length, ...s.flat(), d.length, ...d.flat()]);
    };
    for (const r of rules) {
      this.src.push(prefixes(r.sourceAddressPrefixes));
      this.dst.push(prefixes(r.destinationAddressPrefixes));
      this.ports.push(ports(r.sourcePortRanges.map((x) => x.replace(/^(\d+)-\1$/, '$1')), r.destinationPortRanges));
    }
  }

  classify4(proto: number, src: number, sp: number, dst: number, dp: number): number {
    for (let r = 0; r < this.proto.length; r++) {
      const p = this.proto[r]!;
      if (p !== -1 && p !== proto) continue;
      if (!inPorts(this.ports[r]!, sp, dp)) continue;
      if (!inPrefixes(this.src[r]!, src) || !inPrefixes(this.dst[r]!, dst)) continue;
      return r;
    }
    return -1;
  }
}

function inPrefixes(list: Uint32Array, a: number): boolean {
  for (let i = 0; i < list.length; i += 2) if (((a & list[i + 1]!) >>> 0) === list[i]) return true;
  return false;
}

function inPorts(t: Uint32Array, sp: number, dp: number): boolean {
  const ns = t[0]!;
  let ok = false;
  for (let i = 0; i < ns; i++) if (sp >= t[1 + 2 * i]! && sp <= t[2 + 2 * i]!) { ok = true; break; }
  if (!ok) return false;
  const base = 1 + 2 * ns;
  const nd = t[base]!;
  for (let i = 0; i < nd; i++) if (dp >= t[base + 1 + 2 * i]! && dp <= t[base + 2 + 2 * i]!) return true;
  return false;
}

interface Tuples {
  proto: Uint8Array;
  src: Uint32Array;
  sport: Uint16Array;
  dst: Uint32Array;
  dport: Uint16Array;
}

/**
 * Sources in the VNet; destinations inside some rule prefix (tags hit) with probability `inside`, else uniform;
 * destination ports half common, half random.
 */
function tuples(n: number, rules: readonly CompiledRuleInfo[], rng: Rng, inside: number): Tuples {
  const dsts = rules.flatMap((r) => r.destinationAddressPrefixes).map((t) => parseCidr(t)).flatMap((c) => (c.family === 4 && c.length > 0 ? [c] : []));
  const t: Tuples = { proto: new Uint8Array(n), src: new Uint32Array(n), sport: new Uint16Array(n), dst: new Uint32Array(n), dport: new Uint16Array(n) };
  const common = [443, 80, 22, 1433, 53, 5671, 8080, 3389];
  for (let i = 0; i < n; i++) {
    t.proto[i] = [6, 6, 6, 17, 17, 1][rng.below(6)]!;
    t.src[i] = (0x0a000000 + rng.below(65536)) >>> 0;
    t.sport[i] = 1024 + rng.below(64512);
    if (rng.float() < inside && dsts.length > 0) {
      const c = dsts[rng.below(dsts.length)]!;
      t.dst[i] = (c.prefix + rng.below(2 ** (32 - c.length))) >>> 0;
    } else t.dst[i] = rng.u32();
    t.dport[i] = rng.below(2) === 0 ? common[rng.below(common.length)]! : rng.below(65536);
  }
  return t;
}

export const nsgSuite: Suite = {
  name: 'nsg',
  description: 'NSG first-match classification: compiled bit-vector classifier vs a linear scan, 200 rules with service tags',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const rows: ResultRow[] = [];
    const notes: string[] = [];
    const file = path.join(ctx.dataDir, REAL_TAGS);
    let tags: ServiceTagSet;
    if (existsSync(file)) tags = loadServiceTags(JSON.parse(readFileSync(file, 'utf8')), file);
    else {
      tags = builtinServiceTags();
      notes.push(`absent: ${file}; the built-in sample tags were used (far fewer prefixes than the real file).`);
    }
    const rng = new Rng(ctx.seed);
    const net = emptyNetwork();
    net.vnets.push({
      name: 'hub', region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager',
      addressSpace: ['10.0.0.0/16'], peerings: [], subnets: [{ name: 'app', prefix: '10.0.1.0/24', nsg: 'N', serviceEndpoints: [], endpointPolicies: [] }],
    });
    net.nsgs.push({ name: 'N', rules: ruleSet(tags, rng) });
    let c!: NsgClassifier & { byteLength?: number; words?: number };
    const buildMs = timeMs(() => {
      c = compileNsgs(net, tags).classifier('N', 'Outbound', 'hub');
    });
    const prefixes = c.rules.reduce((s, r) => s + r.sourceAddressPrefixes.length + r.destinationAddressPrefixes.length, 0);
    const scan = new LinearScan(c.rules);
    const n = ctx.quick ? 1 << 14 : 1 << 16;
    const m = ctx.quick ? 1 << 10 : 1 << 12; // the scan is slow: it runs over the first m tuples of the same stream
    // Enough untimed calls for the optimizing JIT to take over before the timed runs.
    const opts = ctx.quick ? { minRuns: 5, minMs: 80, warmupCalls: 30 } : { minRuns: 7, minMs: 200, warmupCalls: 30 };
    ctx.log(`nsg: ${c.rules.length} rules, ${prefixes} prefixes, compiled in ${buildMs.toFixed(1)} ms`);
    notes.push(`${RULES} user rules (about 45% service tags, the rest prefixes, lists and a few *) + the defaults; ` +
      `${prefixes.toLocaleString('en-US')} expanded prefixes (tags from ${tags.source}); ${n.toLocaleString('en-US')} preallocated ` +
      `5-tuples per stream; the scan is a first-match loop over the same expanded rules (typed arrays of prefix/mask and port ranges).`);
    let sink = 0;
    for (const [stream, inside] of [['mixed: 50% of destinations inside rule prefixes', 0.5], ['inside: every destination inside a rule prefix', 1]] as const) {
      const t = tuples(n, c.rules, rng, inside);
      // Guard: both give the same rule for every tuple.
      let mismatches = 0;
      let defaults = 0;
      for (let i = 0; i < n; i++) {
        const a = c.classify4(t.proto[i]!, t.src[i]!, t.sport[i]!, t.dst[i]!, t.dport[i]!);
        if (a !== scan.classify4(t.proto[i]!, t.src[i]!, t.sport[i]!, t.dst[i]!, t.dport[i]!)) mismatches++;
        if (a >= RULES) defaults++;
      }
      if (mismatches > 0) notes.push(`MISMATCH (${stream}): the classifier and the linear scan disagree on ${mismatches} of ${n} tuples.`);
      const mc = measureBatch(() => {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += c.classify4(t.proto[i]!, t.src[i]!, t.sport[i]!, t.dst[i]!, t.dport[i]!);
        sink += acc;
      }, n, opts);
      const ms = measureBatch(() => {
        let acc = 0;
        for (let i = 0; i < m; i++) acc += scan.classify4(t.proto[i]!, t.src[i]!, t.sport[i]!, t.dst[i]!, t.dport[i]!);
        sink += acc;
      }, m, opts);
      const kase = `${RULES} rules, ${prefixes} prefixes / ${stream.split(':')[0]}`;
      const extra: Record<string, number | string> = {
        speedup: Math.round((mc.opsPerSec / ms.opsPerSec) * 10) / 10,
        decidedByDefault: `${((100 * defaults) / n).toFixed(1)}%`,
        words: c.words ?? 0,
      };
      rows.push(row(kase, 'vnetsim', mc, { buildMs, ...(c.byteLength === undefined ? {} : { bytes: c.byteLength }), extra }));
      rows.push(row(kase, 'first-match linear scan', ms));
      notes.push(`${stream}: ${extra.decidedByDefault} of tuples decided by a default rule; classifier ${extra.speedup}x the scan.`);
    }
    if (sink === 0.5) notes.push('');
    return { name: 'nsg', rows, notes };
  },
};
