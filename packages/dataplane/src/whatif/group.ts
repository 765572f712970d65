// Changed cells grouped like a plan: per source, one change per (before, after, protocols, ports) with its
// destinations merged into canonical CIDRs (and tag names where they equal tags exactly). A (source, destination,
// protocol, port) point lies in exactly one cell, so the destinations of two changes with the same source, protocol
// and port never overlap.
import type { ServiceTagSet } from '@vnetsim/core';
import { PROTOCOL_LABELS, mergePorts, portsText, type ProtocolLabel } from './cells.js';
import type { ChangedCell, WhatIfOutcome, WhatIfSource } from './engine.js';
import {
  SPACE_END,
  intervalsContain,
  intervalsSize,
  intervalsToCidrs,
  mergeIntervals,
  prefixInterval,
  subtractIntervals,
  type Family,
  type Interval,
} from './space.js';

/** One change of the plan (the JSON `changes[]` entry). */
export interface WhatIfChange {
  source: string;
  sourceSubnet: string | null;
  /** Source addresses of an on-premises or Internet sender when only some of them change. */
  sourceAddresses?: string[];
  protocols: ProtocolLabel[];
  /** Destination ports in NSG syntax (`0-65535` all). */
  ports: string;
  /** Only when a rule splits source ports. */
  sourcePorts?: string;
  destinations: string[];
  /** Tags whose prefixes (of this family) together equal the destinations exactly; [] none. */
  tags: string[];
  /** When `tags` is [] but tags cover the destinations save a few holes: those tags and the holes (display). */
  tagsExcept?: { tags: string[]; except: string[] };
  /** Number of addresses in the destinations (a decimal string: IPv6 counts exceed 2^53). */
  addresses: string;
  before: WhatIfOutcome;
  after: WhatIfOutcome;
}

const FULL_PORTS = `0-${65535}`;

export function groupChanges(cells: readonly ChangedCell[], sources: readonly WhatIfSource[], tags: ServiceTagSet): WhatIfChange[] {
  // 1. Per (source, family, destination class, source class, before, after): the protocol x port cells that changed.
  interface Acc { cell: ChangedCell; byProto: Map<ProtocolLabel, Array<{ s: [number, number]; d: [number, number] }>> }
  const perClass = new Map<string, Acc>();
  for (const c of cells) {
    const key = `${c.source}|${c.family}|${c.dst[0]}|${c.src === null ? '' : `${c.src[0]}-${c.src[1]}`}|${JSON.stringify(c.before)}|${JSON.stringify(c.after)}`;
    let acc = perClass.get(key);
    if (acc === undefined) perClass.set(key, (acc = { cell: c, byProto: new Map() }));
    for (const p of c.protocols) {
      let l = acc.byProto.get(p);
      if (l === undefined) acc.byProto.set(p, (l = []));
      l.push({ s: c.sourcePorts, d: c.ports });
    }
  }
  // 2. Protocols with the same ports; then destinations of equal (source, outcome pair, protocols, ports) merged.
  interface Group { cell: ChangedCell; protocols: ProtocolLabel[]; ports: string; sourcePorts: string; dst: Interval[] }
  const groups = new Map<string, Group>();
  for (const { cell, byProto } of perClass.values()) {
    const byPorts = new Map<string, { protocols: ProtocolLabel[]; ports: string; sourcePorts: string }>();
    for (const p of PROTOCOL_LABELS) {
      const l = byProto.get(p);
      if (l === undefined) continue;
      for (const { ports, sourcePorts } of portSets(l)) {
        const k = `${ports}|${sourcePorts}`;
        const e = byPorts.get(k);
        if (e === undefined) byPorts.set(k, { protocols: [p], ports, sourcePorts });
        else e.protocols.push(p);
      }
    }
    for (const e of byPorts.values()) {
      const key = `${cell.source}|${cell.family}|${cell.src === null ? '' : `${cell.src[0]}-${cell.src[1]}`}|${JSON.stringify(cell.before)}|${JSON.stringify(cell.after)}|${e.protocols.join(',')}|${e.ports}|${e.sourcePorts}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { cell, ...e, dst: [] }));
      g.dst.push(cell.dst);
    }
  }
  const tagIndex = new TagIndex(tags);
  const out: WhatIfChange[] = [];
  for (const g of groups.values()) {
    const src = sources[g.cell.source]!;
    const family = g.cell.family;
    const dst = mergeIntervals(g.dst);
    const change: WhatIfChange = {
      source: src.name,
      sourceSubnet: src.subnet,
      protocols: g.protocols,
      ports: g.ports,
      destinations: intervalsToCidrs(family, dst),
      tags: tagIndex.exactly(family, dst),
      addresses: intervalsSize(dst).toString(),
      before: g.cell.before,
      after: g.cell.after,
    };
    if (change.tags.length === 0) {
      const near = tagIndex.except(family, dst);
      if (near !== null) change.tagsExcept = near;
    }
    const space = src.space[family];
    if (g.cell.src !== null && space !== null && !(g.cell.src[0] === space[0] && g.cell.src[1] === space[1])) change.sourceAddresses = intervalsToCidrs(family, [g.cell.src]);
    if (g.sourcePorts !== FULL_PORTS) change.sourcePorts = g.sourcePorts;
    out.push(change);
  }
  // Stable order: by source as listed, then first destination.
  const order = new Map(sources.map((s, i) => [s.name, i]));
  return out.sort((a, b) => order.get(a.source)! - order.get(b.source)! || firstAddress(a) - firstAddress(b) || a.ports.localeCompare(b.ports));
}

function firstAddress(c: WhatIfChange): number {
  const d = c.destinations[0];
  if (d === undefined) return 0;
  const p = prefixInterval(d);
  return (p.family === 6 ? 2 ** 33 : 0) + Number(p.family === 4 ? p.range[0] : p.range[0] >> 96n);
}

/** The (source ports, destination ports) texts of a protocol's changed rectangles: one entry per source-port set. */
function portSets(list: ReadonlyArray<{ s: [number, number]; d: [number, number] }>): Array<{ ports: string; sourcePorts: string }> {
  const bySource = new Map<string, { s: Array<[number, number]>; d: Array<[number, number]> }>();
  // Rectangles with the same destination ports join their source ports.
  const byDst = new Map<string, Array<[number, number]>>();
  const dstOf = new Map<string, Array<[number, number]>>();
  const sGroups = new Map<string, Array<[number, number]>>();
  for (const { s, d } of list) {
    const k = `${s[0]}-${s[1]}`;
    let l = sGroups.get(k);
    if (l === undefined) sGroups.set(k, (l = []));
    l.push(d);
  }
  for (const [sk, ds] of sGroups) {
    const dm = mergePorts(ds);
    const dk = portsText(dm);
    let l = byDst.get(dk);
    if (l === undefined) (byDst.set(dk, (l = [])), dstOf.set(dk, dm));
    const [lo, end] = sk.split('-').map(Number) as [number, number];
    l.push([lo, end]);
  }
  for (const [dk, ss] of byDst) bySource.set(dk, { s: mergePorts(ss), d: dstOf.get(dk)! });
  return [...bySource.values()].map((e) => ({ ports: portsText(e.d), sourcePorts: portsText(e.s) }));
}

/** Finds tags whose prefixes of one family together equal a set of intervals exactly. */
class TagIndex {
  private readonly merged = new Map<string, Interval[]>();
  private readonly first = new Map<string, Interval | null>();
  constructor(private readonly tags: ServiceTagSet) {}

  private rangesOf(name: string, family: Family, texts: readonly string[]): Interval[] {
    const key = `${family}|${name}`;
    let m = this.merged.get(key);
    if (m === undefined) this.merged.set(key, (m = mergeIntervals(texts.map((t) => prefixInterval(t).range))));
    return m;
  }

  /**
   * Tags that cover `dst` but for a few small holes (a service address carved out, say): the tags and the holes as
   * CIDRs, for display (`Storage.WestEurope except 52.239.1.10/32`); null when none.
   */
  except(family: Family, dst: readonly Interval[]): { tags: string[]; except: string[] } | null {
    if (dst.length === 0) return null;
    const candidates: Array<{ name: string; ranges: Interval[] }> = [];
    for (const tag of this.tags.all()) {
      const texts = family === 4 ? tag.v4 : tag.v6;
      if (texts.length === 0) continue;
      const fk = `${family}|${tag.name}`;
      let f = this.first.get(fk);
      if (f === undefined) this.first.set(fk, (f = prefixInterval(texts[0]!).range));
      if (f === null || !overlaps(dst, f)) continue;
      const r = this.rangesOf(tag.name, family, texts);
      const holes = subtractIntervals(r, dst);
      if (holes.length <= 4 && intervalsSize(holes) * 64n <= intervalsSize(r)) candidates.push({ name: tag.name, ranges: r });
    }
    const kept = candidates.filter((c) => !candidates.some((o) => o !== c && intervalsSize(o.ranges) > intervalsSize(c.ranges) && intervalsContain(o.ranges, c.ranges)));
    if (kept.length === 0) return null;
    const union = mergeIntervals(kept.flatMap((c) => c.ranges));
    if (subtractIntervals(dst, union).length > 0) return null;
    return { tags: kept.map((c) => c.name).sort(), except: intervalsToCidrs(family, subtractIntervals(union, dst)) };
  }

  /** Tag names, most inclusive first; [] when no union of tags equals `dst`. */
  exactly(family: Family, dst: readonly Interval[]): string[] {
    if (dst.length === 0 || (dst.length === 1 && dst[0]![0] === 0n && dst[0]![1] === SPACE_END[family])) return [];
    const candidates: Array<{ name: string; ranges: Interval[] }> = [];
    for (const tag of this.tags.all()) {
      const texts = family === 4 ? tag.v4 : tag.v6;
      if (texts.length === 0) continue;
      const fk = `${family}|${tag.name}`;
      let f = this.first.get(fk);
      if (f === undefined) this.first.set(fk, (f = prefixInterval(texts[0]!).range));
      // Cheap rejection: the tag's first prefix must lie in the destinations.
      if (f === null || !intervalsContain(dst, [f])) continue;
      const r = this.rangesOf(tag.name, family, texts);
      if (intervalsContain(dst, r)) candidates.push({ name: tag.name, ranges: r });
    }
    // Keep the tags no other candidate contains (Storage over Storage.WestEurope), then check the union.
    const kept = candidates.filter((c) => !candidates.some((o) => o !== c && intervalsSize(o.ranges) > intervalsSize(c.ranges) && intervalsContain(o.ranges, c.ranges)));
    const union = mergeIntervals(kept.flatMap((c) => c.ranges));
    if (union.length !== dst.length || !union.every((r, i) => r[0] === dst[i]![0] && r[1] === dst[i]![1])) return [];
    return kept.map((c) => c.name).sort();
  }
}

/** Whether merged intervals meet [lo, end). */
function overlaps(list: readonly Interval[], [lo, end]: Interval): boolean {
  let a = 0;
  let b = list.length - 1;
  while (a <= b) {
    const mid = (a + b) >>> 1;
    const r = list[mid]!;
    if (r[1] <= lo) a = mid + 1;
    else if (r[0] >= end) b = mid - 1;
    else return true;
  }
  return false;
}
