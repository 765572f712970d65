// The agreement check of what-if (tests and the property test): random packets through the plain pipeline of both
// networks, each outcome pair looked up where what-if put it. Edge code: strings and objects are fine here.
import { parseIpv4, type CompiledNsgClassifier } from '@vnetsim/core';
import type { Network } from '../network.js';
import { Prng } from '../packet/prng.js';
import { Ingress } from '../tables.js';
import { hasPorts, protocolLabel } from './cells.js';
import { whatIfOutcomeOf, type WhatIfOutcome } from './engine.js';
import type { WhatIfChange } from './group.js';
import { SPACE_END, bigToWords, covers, mergeIntervals, prefixInterval, type Family, type Interval } from './space.js';
import type { WhatIfResult } from './whatif.js';

interface Located {
  change: WhatIfChange;
  family: Family;
  dst: Interval[];
  src: Interval[] | null;
  ports: Array<[number, number]>;
  sourcePorts: Array<[number, number]> | null;
}

function portRanges(text: string): Array<[number, number]> {
  return text.split(',').map((p) => {
    const [a, b] = p.split('-');
    return [Number(a), Number(b ?? a) + 1];
  });
}

/** Index of a result's changes for lookups by packet. */
export class ChangeIndex {
  private readonly bySource = new Map<string, Located[]>();
  constructor(result: WhatIfResult) {
    for (const change of result.changes) {
      const first = change.destinations[0];
      if (first === undefined) continue;
      const family = prefixInterval(first).family;
      const loc: Located = {
        change,
        family,
        dst: mergeIntervals(change.destinations.map((d) => prefixInterval(d).range)),
        src: change.sourceAddresses === undefined ? null : mergeIntervals(change.sourceAddresses.map((d) => prefixInterval(d).range)),
        ports: portRanges(change.ports),
        sourcePorts: change.sourcePorts === undefined ? null : portRanges(change.sourcePorts),
      };
      let l = this.bySource.get(change.source);
      if (l === undefined) this.bySource.set(change.source, (l = []));
      l.push(loc);
    }
  }

  /** The changes a packet falls in (what-if promises at most one). */
  find(source: string, family: Family, src: bigint, dst: bigint, proto: number, sport: number, dport: number): WhatIfChange[] {
    const label = protocolLabel(proto);
    const out: WhatIfChange[] = [];
    for (const l of this.bySource.get(source) ?? []) {
      if (l.family !== family || !l.change.protocols.includes(label)) continue;
      if (!l.ports.some(([a, b]) => dport >= a && dport < b)) continue;
      if (l.sourcePorts !== null && !l.sourcePorts.some(([a, b]) => sport >= a && sport < b)) continue;
      if (l.src !== null && !covers(l.src, src)) continue;
      if (covers(l.dst, dst)) out.push(l.change);
    }
    return out;
  }
}

interface Sender {
  name: string;
  kind: 'vm' | 'onPrem' | 'internet';
  vmB: number;
  vmA: number;
  site: number;
  siteA: number;
  space: Record<Family, Interval | null>;
}

function sendersOf(before: Network, after: Network): Sender[] {
  const out: Sender[] = [];
  before.spec.vms.forEach((vm, i) => {
    const j = after.spec.vms.findIndex((v) => v.name === vm.name);
    if (j < 0) return;
    const a = BigInt(parseIpv4(vm.privateIp));
    const v6 = vm.privateIpV6 !== undefined && after.spec.vms[j]!.privateIpV6 !== undefined ? prefixInterval(vm.privateIpV6).range[0] : null;
    out.push({ name: vm.name, kind: 'vm', vmB: i, vmA: j, site: -1, siteA: -1, space: { 4: [a, a + 1n], 6: v6 === null ? null : [v6, v6 + 1n] } });
  });
  before.spec.onPrem.forEach((o, i) => {
    const j = after.spec.onPrem.findIndex((x) => x.name === o.name);
    if (j < 0) return;
    const p = prefixInterval(o.prefix);
    out.push({ name: o.name, kind: 'onPrem', vmB: -1, vmA: -1, site: i, siteA: j, space: { 4: p.family === 4 ? p.range : null, 6: p.family === 6 ? p.range : null } });
  });
  out.push({ name: 'Internet', kind: 'internet', vmB: -1, vmA: -1, site: -1, siteA: -1, space: { 4: [0n, SPACE_END[4]], 6: [0n, SPACE_END[6]] } });
  return out;
}

/** Prefixes where outcomes change most (tables' own prefixes), to draw destinations from besides uniform ones. */
function interesting(nets: Network[]): Interval[][] {
  const byFamily: Record<Family, Interval[]> = { 4: [], 6: [] };
  const add = (text: string) => {
    try {
      const p = prefixInterval(text.includes('/') ? text : text.includes(':') ? `${text}/128` : `${text}/32`);
      byFamily[p.family].push(p.range);
    } catch {
      /* not an address: a tag name */
    }
  };
  for (const net of nets) {
    const t = net.tables;
    for (const f of t.subnetFib) for (const r of f.routes) r.addressPrefixes.forEach(add);
    for (const vm of net.spec.vms) [vm.privateIp, vm.privateIpV6, vm.publicIp].forEach((x) => x !== undefined && add(x));
    for (const s of net.spec.services) add(s.address);
    for (const o of net.spec.onPrem) add(o.prefix);
    for (const tag of net.tags.all()) if (/^(Storage|Sql)/.test(tag.name)) [...tag.v4, ...tag.v6].forEach(add);
    for (const c of [...t.vmNicOut, ...t.vmNicIn, ...t.subnetNsgOut, ...t.subnetNsgIn]) {
      if (c === null) continue;
      for (const r of (c as CompiledNsgClassifier).expanded)
        for (const set of [r.src, r.dst]) {
          for (const [lo, end] of set.v4) if (end - lo < 2 ** 32) byFamily[4].push([BigInt(lo), BigInt(end)]);
          for (const [lo, end] of set.v6) if (end - lo < SPACE_END[6]) byFamily[6].push([lo, end]);
        }
    }
  }
  return [byFamily[4], byFamily[6]];
}

function randomBig(prng: Prng, bits: number): bigint {
  let v = 0n;
  for (let k = 0; k < bits; k += 32) v = (v << 32n) | BigInt(prng.nextU32());
  return bits >= 32 ? v & ((1n << BigInt(bits)) - 1n) : v;
}

function within(prng: Prng, r: Interval): bigint {
  const size = r[1] - r[0];
  if (size <= 1n) return r[0];
  // Ends and random inside, equally.
  const k = prng.nextInt(4);
  if (k === 0) return r[0];
  if (k === 1) return r[1] - 1n;
  const bits = size.toString(2).length;
  return r[0] + (randomBig(prng, bits) % size);
}

const PROTOS = [6, 6, 6, 17, 17, 1, 50, 51, 47, 58, 0, 132];

export interface Disagreement {
  packet: string;
  expected: string;
  got: string;
}

/**
 * Draws `count` random packets (random sender, family, destination, protocol, ports), runs each through the plain
 * pipeline of both networks (dry run) and checks it against `result`: in exactly the change that holds it with the
 * same outcome pair, or in none and unchanged.
 */
export function checkAgreement(before: Network, after: Network, result: WhatIfResult, count: number, seed: number, ports: number[] = [443, 80, 53, 22, 3389, 1433]): { checked: number; disagreements: Disagreement[] } {
  const prng = new Prng(seed);
  const index = new ChangeIndex(result);
  const senders = sendersOf(before, after);
  const [hot4, hot6] = interesting([before, after]);
  const bb = before.newBatch(256);
  const ba = after.newBatch(256);
  const meta: Array<{ sender: Sender; family: Family; src: bigint; dst: bigint; proto: number; sp: number; dp: number }> = [];
  const disagreements: Disagreement[] = [];
  let checked = 0;
  const w = new Uint32Array(8);
  const flush = () => {
    before.process(bb, true);
    after.process(ba, true);
    for (let i = 0; i < bb.count; i++) {
      const m = meta[i]!;
      const ob = whatIfOutcomeOf(before, bb, i);
      const oa = whatIfOutcomeOf(after, ba, i);
      const found = index.find(m.sender.name, m.family, m.src, m.dst, m.proto, m.sp, m.dp);
      const packet = `${m.sender.name} proto ${m.proto} ${m.family === 4 ? fmt4(m.src) : m.src.toString(16)}:${m.sp} -> ${m.family === 4 ? fmt4(m.dst) : m.dst.toString(16)}:${m.dp}`;
      checked++;
      if (found.length > 1) disagreements.push({ packet, expected: 'at most one change', got: `${found.length} changes` });
      else if (found.length === 1) {
        const c = found[0]!;
        if (!same(c.before, ob) || !same(c.after, oa)) disagreements.push({ packet, expected: `${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`, got: `${JSON.stringify(ob)} -> ${JSON.stringify(oa)}` });
      } else if (!same(ob, oa)) disagreements.push({ packet, expected: 'unchanged', got: `${JSON.stringify(ob)} -> ${JSON.stringify(oa)}` });
    }
    bb.clear();
    ba.clear();
    meta.length = 0;
  };
  for (let n = 0; n < count; n++) {
    const sender = senders[prng.nextInt(senders.length)]!;
    const fams = ([4, 6] as const).filter((f) => sender.space[f] !== null);
    const family = fams.length === 2 && prng.nextInt(4) === 0 ? 6 : fams[0]!;
    const src = sender.kind === 'vm' ? sender.space[family]![0] : within(prng, sender.space[family]!);
    const hot = family === 4 ? hot4! : hot6!;
    const dst = hot.length > 0 && prng.nextInt(10) < 7 ? within(prng, hot[prng.nextInt(hot.length)]!) : randomBig(prng, family === 4 ? 32 : 128);
    const proto = prng.nextInt(8) === 0 ? prng.nextInt(256) : PROTOS[prng.nextInt(PROTOS.length)]!;
    const sp = hasPorts(proto) ? (prng.nextInt(4) === 0 ? ports[prng.nextInt(ports.length)]! : prng.nextInt(65536)) : 0;
    const dp = hasPorts(proto) ? (prng.nextInt(2) === 0 ? ports[prng.nextInt(ports.length)]! + prng.nextInt(3) - 1 : prng.nextInt(65536)) & 0xffff : 0;
    const flags = proto === 6 ? 2 : 0;
    const ingB = sender.kind === 'vm' ? sender.vmB : sender.kind === 'onPrem' ? Ingress.ON_PREM + sender.site : Ingress.EXTERNAL;
    const ingA = sender.kind === 'vm' ? sender.vmA : sender.kind === 'onPrem' ? Ingress.ON_PREM + sender.siteA : Ingress.EXTERNAL;
    const srcB = sender.kind === 'vm' && family === 4 ? BigInt(before.tables.vmPrivate[sender.vmB]! >>> 0) : src;
    const srcA = sender.kind === 'vm' && family === 4 ? BigInt(after.tables.vmPrivate[sender.vmA]! >>> 0) : src;
    if (family === 4) {
      bb.push4(Number(srcB), Number(dst), sp, dp, proto, flags, 60, ingB, 0);
      ba.push4(Number(srcA), Number(dst), sp, dp, proto, flags, 60, ingA, 0);
    } else {
      bigToWords(src, w, 0);
      bigToWords(dst, w, 4);
      bb.push6(w, 0, w, 4, sp, dp, proto, flags, 60, ingB, 0);
      ba.push6(w, 0, w, 4, sp, dp, proto, flags, 60, ingA, 0);
    }
    meta.push({ sender, family, src, dst, proto, sp, dp });
    if (bb.full) flush();
  }
  if (bb.count > 0) flush();
  return { checked, disagreements };
}

function same(a: WhatIfOutcome, b: WhatIfOutcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function fmt4(a: bigint): string {
  const n = Number(a);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
