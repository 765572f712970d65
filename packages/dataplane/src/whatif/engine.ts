// What-if (DESIGN.md "What-if"): for every source, the destination space is cut into classes that no prefix the
// pipeline reads distinguishes (the source's FIB before and after, the FIBs of appliance subnets, the destination
// table, the service tags' address space, the NSG rules with tags expanded), each class's protocol/port space into
// cells by the rules that can match there, and one representative packet per (class, source-address class, cell) runs
// through the compiled pipeline of both networks (dry run). Outcomes are compared as integers; only differing rows
// are explained. The work is cut into slices (source, family, class range) that run anywhere and merge.
import {
  ENDPOINT_SERVICES,
  NO_NEXT_HOP,
  type CompiledNsgClassifier,
  type ExpandedRule,
  type NetworkSpec,
  type NsgClassifier,
  type RoutingFib,
} from '@vnetsim/core';
import type { Network } from '../network.js';
import { outcomeOf } from '../explain/trace.js';
import { PacketBatch, TcpFlag } from '../packet/batch.js';
import { ServiceVerdict, type Scratch } from '../stages/context.js';
import { Dest, Ingress, type CompiledTables } from '../tables.js';
import { cellsOf, type Cells, type ProtocolLabel } from './cells.js';
import { Cuts, SPACE_END, bigToWords, covers, prefixInterval, type Family, type Interval } from './space.js';

/** A sender what-if asks about. */
export interface WhatIfSource {
  kind: 'vm' | 'onPrem' | 'internet';
  name: string;
  /** `vnet/subnet` of a VM, null otherwise. */
  subnet: string | null;
  /** VM index in the before and after networks (-1 otherwise); site index likewise. */
  beforeIndex: number;
  afterIndex: number;
  /** The source addresses per family: a VM's own address, a site's prefix, the whole space for the Internet; null none. */
  space: Record<Family, Interval | null>;
}

/** The outcome of a packet as what-if shows it (JSON `before` / `after`). */
export interface WhatIfOutcome {
  disposition: string;
  reason: string | null;
  nextHopType: string | null;
  nextHopIp: string | null;
  routeTable: string | null;
  route: string | null;
  rule: string | null;
  /** The source address the destination saw (PacketOutcome's), null when the packet arrives nowhere. */
  sourceSeenByDestination: string | null;
  service: string | null;
  serviceVerdict: string | null;
  serviceError: string | null;
  deliveredTo: string | null;
  appliance: string | null;
}

/** One evaluated cell whose outcome differs. Intervals are bigint (JSON: see sliceResultToJson). */
export interface ChangedCell {
  source: number;
  family: Family;
  dst: Interval;
  /** Source-address class (on-premises and Internet senders), null for a VM. */
  src: Interval | null;
  protocols: ProtocolLabel[];
  sourcePorts: [number, number];
  ports: [number, number];
  before: WhatIfOutcome;
  after: WhatIfOutcome;
}

/** A unit of work: classes [from, to) of one source and family. */
export interface WhatIfSlice {
  source: number;
  family: Family;
  from: number;
  to: number;
}

export interface SliceResult {
  slice: WhatIfSlice;
  /** Destination classes, cells evaluated (= packets per network), cells that changed. */
  classes: number;
  cells: number;
  changed: ChangedCell[];
  seconds: number;
}

const VERDICT_NAMES: Record<number, string | null> = {
  [ServiceVerdict.None]: null,
  [ServiceVerdict.AllowAll]: 'AllowAll',
  [ServiceVerdict.VnetRule]: 'VirtualNetworkRule',
  [ServiceVerdict.IpRule]: 'IpRule',
  [ServiceVerdict.DeniedVnet]: 'NoVirtualNetworkRule',
  [ServiceVerdict.DeniedIp]: 'NoIpRule',
  [ServiceVerdict.FrontEnd]: 'FrontEnd',
};

/** Integers compared per packet (equal row => same outcome): see signature(). */
const SIG = 14;

/** Interns strings to small integers, so outcomes of two networks compare as integers. */
class Interner {
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let k = this.ids.get(s);
    if (k === undefined) this.ids.set(s, (k = this.ids.size + 1));
    return k;
  }
}

/** The classes and evaluation context of one what-if question (two compiled networks). */
export class WhatIfEngine {
  readonly sources: WhatIfSource[];
  /** Sources proved unaffected (every table their packets can read is equal before and after). */
  readonly skipped: boolean[];
  private readonly globalSame: boolean;
  private readonly applianceFibsSame: boolean;
  private readonly baseCuts: Record<Family, bigint[]>;
  private readonly points = new Map<string, bigint[]>();
  private readonly interner = new Interner();
  private readonly netIds = new WeakMap<CompiledTables, NetIds>();

  constructor(
    readonly before: Network,
    readonly after: Network,
    readonly batchSize = 2048,
  ) {
    this.sources = sourcesOf(before, after);
    this.globalSame = globalKey(before) === globalKey(after);
    const appKeys = (n: Network) => applianceSubnets(n.tables).map((s) => `${n.tables.subnetNames[s]}=${n.tables.subnetFib[s]!.key}`).sort().join('\n');
    this.applianceFibsSame = appKeys(before) === appKeys(after);
    this.skipped = this.sources.map((s) => this.provablyUnaffected(s));
    this.baseCuts = { 4: this.sharedCuts(4), 6: this.sharedCuts(6) };
  }

  /**
   * True when nothing a packet of `s` can read differs: the spec apart from routes and endpoints (NSGs, VMs, services,
   * sites, policies, options, tags) is equal, and so are the FIBs of the source's subnet and of every appliance subnet
   * (on-premises and Internet senders read no FIB: route stage).
   */
  private provablyUnaffected(s: WhatIfSource): boolean {
    if (!this.globalSame) return false;
    if (s.kind !== 'vm') return true;
    if (!this.applianceFibsSame) return false;
    const fb = this.before.tables.subnetFib[this.before.tables.vmSubnet[s.beforeIndex]!]!;
    const fa = this.after.tables.subnetFib[this.after.tables.vmSubnet[s.afterIndex]!]!;
    return fb.key === fa.key;
  }

  /** Cut points every source shares: destination tables and the service tags' space, of both networks. */
  private sharedCuts(family: Family): bigint[] {
    const cuts = new Cuts(family);
    for (const net of [this.before, this.after]) {
      const spec = net.spec;
      for (const vm of spec.vms) {
        cuts.addPrefix(vm.privateIp);
        if (vm.privateIpV6 !== undefined) cuts.addPrefix(vm.privateIpV6);
        if (vm.publicIp !== undefined) cuts.addPrefix(vm.publicIp);
      }
      for (const svc of spec.services) cuts.addPrefix(svc.address);
      for (const o of spec.onPrem) cuts.addPrefix(o.prefix);
      for (const p of serviceSpacePrefixes(net)) cuts.addPrefix(p);
      // FIBs of appliance subnets: an appliance looks the destination up in its own subnet's routes (R-SNAT-3).
      for (const s of applianceSubnets(net.tables)) addFib(cuts, net.tables.subnetFib[s]!);
    }
    return cuts.points();
  }

  /** The cut points of a source's destination space (classes k are [points[k], points[k+1])). */
  classPoints(source: number, family: Family): bigint[] {
    const key = `${source}/${family}`;
    const have = this.points.get(key);
    if (have !== undefined) return have;
    const s = this.sources[source]!;
    let pts: bigint[];
    if (s.space[family] === null) pts = [0n, SPACE_END[family]];
    else if (s.kind !== 'vm') pts = this.baseCuts[family];
    else {
      const cuts = new Cuts(family);
      for (const p of this.baseCuts[family]) cuts.add(p, p);
      for (const [net, vm] of [[this.before, s.beforeIndex], [this.after, s.afterIndex]] as const) {
        const t = net.tables;
        addFib(cuts, t.subnetFib[t.vmSubnet[vm]!]!);
        for (const r of this.outRules(net, vm, family)) for (const [lo, end] of ranges(r, 'dst', family)) cuts.add(lo, end);
      }
      pts = cuts.points();
    }
    this.points.set(key, pts);
    return pts;
  }

  /** Outbound rules of a VM's NIC and subnet NSGs that can match its own address (R-NSG-4). */
  private outRules(net: Network, vm: number, family: Family): ExpandedRule[] {
    const t = net.tables;
    const a = this.sourceAddress(net, vm, family);
    if (a === null) return [];
    const out: ExpandedRule[] = [];
    for (const c of [t.vmNicOut[vm]!, t.subnetNsgOut[t.vmSubnet[vm]!]!]) {
      if (c === null) continue;
      for (const r of expandedOf(c)) if (covers(ranges(r, 'src', family), a)) out.push(r);
    }
    return out;
  }

  private sourceAddress(net: Network, vm: number, family: Family): bigint | null {
    if (family === 4) return BigInt(net.tables.vmPrivate[vm]! >>> 0);
    const v6 = net.spec.vms[vm]!.privateIpV6;
    return v6 === undefined ? null : prefixInterval(v6).range[0];
  }

  /** Inbound rules at VM `vm` (subnet then NIC NSG, R-NSG-4) that can match its private address. */
  private inRules(net: Network, vm: number, family: Family): ExpandedRule[] {
    const t = net.tables;
    const a = this.sourceAddress(net, vm, family);
    if (a === null) return [];
    const out: ExpandedRule[] = [];
    for (const c of [t.subnetNsgIn[t.vmSubnet[vm]!]!, t.vmNicIn[vm]!]) {
      if (c === null) continue;
      for (const r of expandedOf(c)) if (covers(ranges(r, 'dst', family), a)) out.push(r);
    }
    return out;
  }

  /** Slices of at most `classesPerSlice` classes covering every (source, family); skipped sources get none. */
  plan(classesPerSlice = 1 << 14): WhatIfSlice[] {
    const out: WhatIfSlice[] = [];
    this.sources.forEach((s, i) => {
      if (this.skipped[i]) return;
      for (const family of [4, 6] as const) {
        if (s.space[family] === null) continue;
        const n = this.classPoints(i, family).length - 1;
        for (let from = 0; from < n; from += classesPerSlice) out.push({ source: i, family, from, to: Math.min(n, from + classesPerSlice) });
      }
    });
    return out;
  }

  /** Destination classes of a source (for the exhaustiveness proof): consecutive intervals from 0 to the space's end. */
  classes(source: number, family: Family): Interval[] {
    const p = this.classPoints(source, family);
    const out: Interval[] = [];
    for (let k = 0; k + 1 < p.length; k++) out.push([p[k]!, p[k + 1]!]);
    return out;
  }

  /** Runs one slice: every (class, source class, cell) through both networks; the cells whose outcome differs. */
  runSlice(slice: WhatIfSlice): SliceResult {
    const started = performance.now();
    const s = this.sources[slice.source]!;
    const { family } = slice;
    const pts = this.classPoints(slice.source, family);
    const { bb, ba, rowClass, rowCell, rowCells, rowSrc, sigB, sigA } = this.buffers();
    const cap = bb.capacity;
    bb.clear();
    ba.clear();
    const changed: ChangedCell[] = [];
    let cellsDone = 0;
    const w6 = new Uint32Array(8);
    const flush = () => {
      if (bb.count === 0) return;
      this.before.process(bb, true);
      this.after.process(ba, true);
      this.signatures(this.before, bb, sigB);
      this.signatures(this.after, ba, sigA);
      for (let i = 0; i < bb.count; i++) {
        let same = true;
        for (let k = i * SIG, e = k + SIG; k < e; k++) if (sigB[k] !== sigA[k]) { same = false; break; }
        if (same) continue;
        const cells = rowCells[i]!;
        const c = rowCell[i]!;
        const k = rowClass[i]!;
        changed.push({
          source: slice.source,
          family,
          dst: [pts[k]!, pts[k + 1]!],
          src: rowSrc[i]!,
          protocols: cells.labels[c]!,
          sourcePorts: [cells.sLo[c]!, cells.sEnd[c]!],
          ports: [cells.dLo[c]!, cells.dEnd[c]!],
          before: display(this.before, bb, i),
          after: display(this.after, ba, i),
        });
      }
      cellsDone += bb.count;
      bb.clear();
      ba.clear();
    };

    // Outbound rules of the source, swept along the classes: the rules covering class k are `active`.
    const outB = s.kind === 'vm' ? this.outRules(this.before, s.beforeIndex, family) : [];
    const outA = s.kind === 'vm' ? this.outRules(this.after, s.afterIndex, family) : [];
    const outAll = [...outB, ...outA];
    const cellCache = new Map<string, Cells>();
    const srcCache = new Map<string, Interval[]>();
    const vmSrcB = s.kind === 'vm' ? this.sourceAddress(this.before, s.beforeIndex, family) : null;
    const vmSrcA = s.kind === 'vm' ? this.sourceAddress(this.after, s.afterIndex, family) : null;
    // Rule starts and ends along the classes: rule r covers class k when active[r] (a rule's ranges are disjoint).
    const events: Array<{ at: bigint; r: number; d: number }> = [];
    outAll.forEach((rule, r) => {
      for (const [a, b] of ranges(rule, 'dst', family)) events.push({ at: a, r, d: 1 }, { at: b, r, d: -1 });
    });
    events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
    const active = new Uint8Array(outAll.length);
    let ev = 0;
    let outKey = '';
    let rules: ExpandedRule[] = [];
    for (let k = slice.from; k < slice.to; k++) {
      const lo = pts[k]!;
      if (ev < events.length && events[ev]!.at <= lo) {
        while (ev < events.length && events[ev]!.at <= lo) {
          const e = events[ev++]!;
          active[e.r] = active[e.r]! + e.d;
        }
        outKey = '';
        rules = [];
        for (let r = 0; r < outAll.length; r++) if (active[r] === 1) (rules.push(outAll[r]!), (outKey += `${r},`));
      }
      let key = outKey;
      const vmB = targetVm(this.before.tables, family, lo);
      const vmA = targetVm(this.after.tables, family, lo);
      if (vmB >= 0 || vmA >= 0) key += `|${vmB}|${vmA}`;
      let cells = cellCache.get(key);
      let classRules = rules;
      if (vmB >= 0 || vmA >= 0) {
        classRules = [...rules];
        if (vmB >= 0) classRules.push(...this.inRules(this.before, vmB, family));
        if (vmA >= 0) classRules.push(...this.inRules(this.after, vmA, family));
      }
      if (cells === undefined) cellCache.set(key, (cells = cellsOf(classRules)));
      // Source-address classes of a site or the Internet: cut by the inbound rules' sources and the service's IP rules.
      let srcs: ReadonlyArray<Interval | null> = VM_SOURCE;
      if (s.kind !== 'vm') {
        const svcB = targetService(this.before.tables, family, lo);
        const svcA = targetService(this.after.tables, family, lo);
        const skey = `${vmB}|${vmA}|${svcB}|${svcA}`;
        let list = srcCache.get(skey);
        if (list === undefined) {
          const cuts = new Cuts(family);
          const space = s.space[family]!;
          cuts.add(space[0], space[1]);
          for (const r of classRules) for (const [a, b] of ranges(r, 'src', family)) cuts.add(a, b);
          for (const [net, svc] of [[this.before, svcB], [this.after, svcA]] as const)
            if (svc >= 0 && family === 4) for (const ip of net.spec.services[svc]!.firewall.ipRules) cuts.addPrefix(ip.includes('/') ? ip : `${ip}/32`);
          const p = cuts.points();
          list = [];
          for (let j = 0; j + 1 < p.length; j++) if (p[j]! >= space[0] && p[j + 1]! <= space[1]) list.push([p[j]!, p[j + 1]!]);
          srcCache.set(skey, list);
        }
        srcs = list;
      }
      const lo4 = family === 4 ? Number(lo) : 0;
      for (const src of srcs) {
        for (let c = 0; c < cells.count; c++) {
          if (bb.count >= cap) flush();
          const row = bb.count;
          const proto = cells.proto[c]!;
          const sp = cells.sLo[c]!;
          const dp = cells.dLo[c]!;
          const flags = proto === 6 ? TcpFlag.SYN : 0;
          if (s.kind === 'vm') {
            this.push(bb, family, vmSrcB!, lo, lo4, sp, dp, proto, flags, s.beforeIndex, w6);
            this.push(ba, family, vmSrcA!, lo, lo4, sp, dp, proto, flags, s.afterIndex, w6);
          } else {
            const ing = s.kind === 'internet' ? Ingress.EXTERNAL : Ingress.ON_PREM + s.beforeIndex;
            const ingA = s.kind === 'internet' ? Ingress.EXTERNAL : Ingress.ON_PREM + s.afterIndex;
            this.push(bb, family, src![0], lo, lo4, sp, dp, proto, flags, ing, w6);
            this.push(ba, family, src![0], lo, lo4, sp, dp, proto, flags, ingA, w6);
          }
          rowClass[row] = k;
          rowCell[row] = c;
          rowCells[row] = cells;
          rowSrc[row] = src;
        }
      }
    }
    flush();
    return { slice, classes: slice.to - slice.from, cells: cellsDone, changed, seconds: (performance.now() - started) / 1000 };
  }

  private work: ReturnType<WhatIfEngine['newBuffers']> | null = null;
  /** Batches and row columns, allocated once per engine and reused by every slice. */
  private buffers() {
    return (this.work ??= this.newBuffers());
  }
  private newBuffers() {
    const bb = this.before.newBatch(this.batchSize);
    const ba = this.after.newBatch(this.batchSize);
    const cap = bb.capacity;
    return {
      bb, ba,
      rowClass: new Int32Array(cap),
      rowCell: new Int32Array(cap),
      rowCells: new Array<Cells>(cap),
      rowSrc: new Array<Interval | null>(cap),
      sigB: new Int32Array(cap * SIG),
      sigA: new Int32Array(cap * SIG),
    };
  }

  private push(b: PacketBatch, family: Family, src: bigint, dst: bigint, dst4: number, sp: number, dp: number, proto: number, flags: number, ingress: number, w6: Uint32Array): void {
    if (family === 4) b.push4(Number(src), dst4, sp, dp, proto, flags, 60, ingress, 0);
    else {
      bigToWords(src, w6, 0);
      bigToWords(dst, w6, 4);
      b.push6(w6, 0, w6, 4, sp, dp, proto, flags, 60, ingress, 0);
    }
  }

  /** Per row, the integers that decide "same outcome": disposition, reason, route, next hop, rules, source seen, ... */
  private signatures(net: Network, b: PacketBatch, out: Int32Array): void {
    const t = net.tables;
    const sc: Scratch = net.scratch;
    const ids = this.idsOf(net);
    for (let i = 0; i < b.count; i++) {
      const o = i * SIG;
      const s = sc.srcSubnet[i]!;
      const vm = sc.srcVm[i]!;
      const dst = b.egressVm[i]!;
      const r = b.routeIndex[i]!;
      const app = sc.appliance[i]!;
      const svc = sc.service[i]!;
      const eps = sc.endpointSubnet[i]!;
      out[o] = b.disposition[i]!;
      out[o + 1] = b.dropReason[i]!;
      out[o + 2] = s >= 0 && r >= 0 ? ids.routes[s]![r]! : 0;
      out[o + 3] = sc.nextHop[i] === NO_NEXT_HOP ? -1 : sc.nextHop[i]!;
      out[o + 4] = b.family[i] === 4 ? sc.seenSrc[i]! | 0 : 0;
      out[o + 5] = vm >= 0 ? ruleId(ids.nicOut[vm]!, sc.ruleNicOut[i]!) : 0;
      out[o + 6] = s >= 0 ? ruleId(ids.subnetOut[s]!, sc.ruleSubnetOut[i]!) : 0;
      out[o + 7] = dst >= 0 ? ruleId(ids.subnetIn[t.vmSubnet[dst]!]!, sc.ruleSubnetIn[i]!) : 0;
      out[o + 8] = dst >= 0 ? ruleId(ids.nicIn[dst]!, sc.ruleNicIn[i]!) : 0;
      out[o + 9] = svc >= 0 ? ids.services[svc]! : 0;
      out[o + 10] = sc.serviceVerdict[i]! | (b.serviceError[i]! << 8);
      out[o + 11] = dst >= 0 ? ids.vms[dst]! : 0;
      out[o + 12] = app >= 0 ? ids.vms[app]! : 0;
      out[o + 13] = eps >= 0 ? ids.subnets[eps]! : 0;
    }
  }

  /** Names, rules and routes of a network as integers shared by both networks (equal meaning => equal id). */
  private idsOf(net: Network): NetIds {
    const t = net.tables;
    const have = this.netIds.get(t);
    if (have !== undefined) return have;
    const names = (list: readonly string[], kind: string) => Int32Array.from(list, (n) => this.interner.id(`${kind}:${n}`));
    const rules = (c: NsgClassifier | null) =>
      c === null ? EMPTY : Int32Array.from(c.rules, (x, k) => this.interner.id(`rule:${c.nsg}|${c.direction}|${x.name}|${c.allow[k]}`));
    const ids: NetIds = {
      vms: names(t.vmNames, 'vm'),
      services: names(t.serviceNames, 'service'),
      subnets: names(t.subnetNames, 'subnet'),
      nicOut: t.vmNicOut.map(rules),
      nicIn: t.vmNicIn.map(rules),
      subnetOut: t.subnetNsgOut.map(rules),
      subnetIn: t.subnetNsgIn.map(rules),
      routes: t.subnetFib.map((f) =>
        Int32Array.from(f.routes, (x) =>
          this.interner.id(`route:${x.addressPrefixes.join(',')}|${x.source}|${x.name}|${x.routeTable}|${x.nextHopType}|${x.nextHopIpAddress.join(',')}|${x.service}`))),
    };
    this.netIds.set(t, ids);
    return ids;
  }
}

interface NetIds {
  vms: Int32Array;
  services: Int32Array;
  subnets: Int32Array;
  nicOut: Int32Array[];
  nicIn: Int32Array[];
  subnetOut: Int32Array[];
  subnetIn: Int32Array[];
  routes: Int32Array[];
}

const EMPTY = new Int32Array(0);
/** The one source-address class of a VM (its own address). */
const VM_SOURCE: ReadonlyArray<Interval | null> = [null];
function ruleId(ids: Int32Array, r: number): number {
  return r >= 0 && r < ids.length ? ids[r]! : 0;
}

/** OWN_ADDRESS: a site or Internet host seen with its own, untranslated address (which varies inside a class). */
export const OWN_ADDRESS = 'own address';

/** The what-if outcome of row i of a batch `net` just processed (the property test reads plain runs with it). */
export function whatIfOutcomeOf(net: Network, b: PacketBatch, i: number): WhatIfOutcome {
  return display(net, b, i);
}

function display(net: Network, b: PacketBatch, i: number): WhatIfOutcome {
  const t = net.tables;
  const sc = net.scratch;
  const o = outcomeOf(t, sc, b, i);
  const s = sc.srcSubnet[i]!;
  const r = b.routeIndex[i]!;
  const route = s >= 0 && r >= 0 ? t.subnetFib[s]!.routes[r]! : null;
  return {
    disposition: o.disposition,
    reason: o.reason,
    nextHopType: o.nextHopType,
    nextHopIp: o.nextHopIp,
    routeTable: o.routeTable,
    route: route === null ? null : (route.name ?? `${route.source}${route.service !== null ? ` ${route.service}` : ''}`),
    rule: o.rule,
    sourceSeenByDestination:
      o.sourceSeenByDestination !== null && sc.srcVm[i]! < 0 && sc.srcSubnet[i]! < 0 && (b.family[i] !== 4 || sc.seenSrc[i] === b.src[i])
        ? OWN_ADDRESS
        : o.sourceSeenByDestination,
    service: o.service,
    serviceVerdict: VERDICT_NAMES[sc.serviceVerdict[i]!] ?? null,
    serviceError: o.serviceError,
    deliveredTo: o.deliveredTo,
    appliance: sc.appliance[i]! >= 0 ? t.vmNames[sc.appliance[i]!]! : null,
  };
}

/** VM a destination address reaches (its private address, or its instance public IP), -1 none. */
function targetVm(t: CompiledTables, family: Family, a: bigint): number {
  const d = lookupDest(t, family, a);
  if (d < 0 || d >= Dest.SERVICE) return -1;
  return d & Dest.MASK;
}

function targetService(t: CompiledTables, family: Family, a: bigint): number {
  const d = lookupDest(t, family, a);
  return d >= Dest.SERVICE && d < Dest.ON_PREM ? d - Dest.SERVICE : -1;
}

const words = new Uint32Array(4);
function lookupDest(t: CompiledTables, family: Family, a: bigint): number {
  if (family === 4) return t.destinations.lookup(Number(a));
  bigToWords(a, words);
  return t.destinations6.lookup(words[0]!, words[1]!, words[2]!, words[3]!);
}

function expandedOf(c: NsgClassifier): readonly ExpandedRule[] {
  const e = (c as CompiledNsgClassifier).expanded;
  if (e === undefined || e.length !== c.rules.length) throw new Error(`what-if needs the rules of NSG ${c.nsg} as compiled (not rebuilt from shared data)`);
  return e;
}

const rangeCache = new WeakMap<ExpandedRule, Record<string, Interval[]>>();
/** A rule's source or destination ranges of one family, as bigint intervals. */
function ranges(r: ExpandedRule, which: 'src' | 'dst', family: Family): Interval[] {
  let m = rangeCache.get(r);
  if (m === undefined) rangeCache.set(r, (m = {}));
  const key = `${which}${family}`;
  let out = m[key];
  if (out === undefined) {
    const set = r[which];
    out = family === 4 ? set.v4.map(([lo, end]) => [BigInt(lo), BigInt(end)] as Interval) : set.v6.map(([lo, end]) => [lo, end] as Interval);
    m[key] = out;
  }
  return out;
}

function addFib(cuts: Cuts, fib: RoutingFib): void {
  for (const r of fib.routes) for (const p of r.addressPrefixes) cuts.addPrefix(p);
}

function applianceSubnets(t: CompiledTables): number[] {
  const out = new Set<number>();
  t.vmApplianceEgress.forEach((e, vm) => {
    if (e >= 0 && t.vmSubnet[vm]! >= 0) out.add(t.vmSubnet[vm]!);
  });
  return [...out];
}

const ENDPOINT_TAGS = new Set(Object.values(ENDPOINT_SERVICES).map((s) => s.tag));
/** The prefixes of `tables.serviceSpace`: the global tags of the endpoint services ("an Azure service"). */
function serviceSpacePrefixes(net: Network): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const tag of net.tags.all()) {
    const base = tag.name.split('.')[0]!;
    if (tag.region !== '' || seen.has(base) || !ENDPOINT_TAGS.has(base)) continue;
    seen.add(base);
    out.push(...tag.v4);
  }
  return out;
}

/** Everything but routes and endpoints, and the tags and options: equal keys => no table but FIBs differs. */
function globalKey(net: Network): string {
  const spec: NetworkSpec = structuredClone(net.spec);
  spec.routeTables = [];
  for (const v of spec.vnets)
    for (const s of v.subnets) {
      delete s.routeTable;
      s.serviceEndpoints = [];
    }
  // NSG rules as compiled: a tag's expansion can depend on routes and address spaces (the VirtualNetwork tag), so the
  // rules every packet meets are compared as evaluated, not as written.
  const t = net.tables;
  const seen = new Set<NsgClassifier>();
  const nsgs: string[] = [];
  const add = (level: string, i: number, c: NsgClassifier | null) => {
    if (c === null) return void nsgs.push(`${level}${i}:-`);
    nsgs.push(`${level}${i}:${c.nsg}/${c.direction}`);
    if (seen.has(c)) return;
    seen.add(c);
    nsgs.push(JSON.stringify(c.rules), String(c.allow));
  };
  t.vmNicOut.forEach((c, i) => add('no', i, c));
  t.vmNicIn.forEach((c, i) => add('ni', i, c));
  t.subnetNsgOut.forEach((c, i) => add('so', i, c));
  t.subnetNsgIn.forEach((c, i) => add('si', i, c));
  return JSON.stringify({ spec, options: net.options, tags: [net.tags.source, net.tags.changeNumber, net.tags.cloud], nsgs });
}

/** Every VM and on-premises site present in both networks (by name), and the Internet. */
function sourcesOf(before: Network, after: Network): WhatIfSource[] {
  const out: WhatIfSource[] = [];
  const tb = before.tables;
  const ta = after.tables;
  tb.vmNames.forEach((name, i) => {
    const j = ta.vmNames.indexOf(name);
    if (j < 0 || tb.vmSubnet[i]! < 0 || ta.vmSubnet[j]! < 0) return;
    const v6 = before.spec.vms[i]!.privateIpV6;
    const a = BigInt(tb.vmPrivate[i]! >>> 0);
    out.push({
      kind: 'vm', name, subnet: tb.subnetNames[tb.vmSubnet[i]!]!, beforeIndex: i, afterIndex: j,
      space: { 4: [a, a + 1n], 6: v6 === undefined || after.spec.vms[j]!.privateIpV6 === undefined ? null : oneAddress(v6) },
    });
  });
  before.spec.onPrem.forEach((o, i) => {
    const j = after.spec.onPrem.findIndex((x) => x.name === o.name);
    if (j < 0) return;
    const p = prefixInterval(o.prefix);
    out.push({
      kind: 'onPrem', name: o.name, subnet: null, beforeIndex: i, afterIndex: j,
      space: { 4: p.family === 4 ? p.range : null, 6: p.family === 6 ? p.range : null },
    });
  });
  out.push({ kind: 'internet', name: 'Internet', subnet: null, beforeIndex: -1, afterIndex: -1, space: { 4: [0n, SPACE_END[4]], 6: [0n, SPACE_END[6]] } });
  return out;
}

function oneAddress(text: string): Interval {
  const lo = prefixInterval(text).range[0];
  return [lo, lo + 1n];
}
