// The compiled classifier of one (NSG, direction, VNet): bit-vector classification (DESIGN.md "NSG classifier").
// Rules are sorted by priority (R-NSG-2; the default rules R-NSG-3 come last), rule i is bit i. Each field maps a
// packet value to the bitset of the rules it satisfies: protocol and ports by direct tables, addresses by elementary
// intervals (IPv4: a 16-8-4 multibit table, a short scan only inside a /28; IPv6: a binary search). The AND of the five
// bitsets' words, lowest set bit first, is the first matching rule. All bitsets are rows of one flat Uint32Array;
// the lookup tables hold word offsets into it. A classification reads a fixed set of arrays and allocates nothing.
import type { Direction } from '../model/types.js';
import type { ExpandedRule } from './expand.js';
import { buildIntervals, RowTable, type FieldIntervals } from './intervals.js';
import { bigToWords6, V4_END, V6_END, type Range } from './ranges.js';
import type { CompiledRuleInfo, NsgClassifier } from './types.js';

/** Largest number of rules per (NSG, direction): 1000 user rules (R-NSG-1) + the defaults. */
const MAX_RULES = 1000 + 16;

/**
 * Row offset of the IPv4 field for address `a` (uint32): a 16-8-4 multibit table over the elementary intervals.
 * l1 by the top 16 bits: >= 0 is the row offset, < 0 is ~(l2 chunk); l2 (256 entries, next 8 bits): >= 0 the row
 * offset, < 0 ~(l3 chunk); l3 (16 entries, next 4 bits): >= 0 the row offset, < 0 ~(first interval meeting that /28),
 * from which a short forward scan finds the interval (`starts` ends with the sentinel 2^32).
 */
function find4(f: V4Field, a: number): number {
  let v = f.l1[a >>> 16]!;
  if (v >= 0) return v;
  v = f.l2[((~v) << 8) | ((a >>> 8) & 255)]!;
  if (v >= 0) return v;
  v = f.l3[((~v) << 4) | ((a >>> 4) & 15)]!;
  if (v >= 0) return v;
  const starts = f.starts;
  let i = ~v;
  while (starts[i + 1]! <= a) i++;
  return f.offs[i]!;
}

/** Interval index of the IPv6 address at addrs[off..off+3]: last start <= address (starts: 4 words each). */
function find6(starts: Uint32Array, n: number, addrs: Uint32Array, off: number): number {
  const a0 = addrs[off]! >>> 0;
  const a1 = addrs[off + 1]! >>> 0;
  const a2 = addrs[off + 2]! >>> 0;
  const a3 = addrs[off + 3]! >>> 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const k = mid << 2;
    const s0 = starts[k]!;
    const s1 = starts[k + 1]!;
    const s2 = starts[k + 2]!;
    const le = s0 !== a0 ? s0 < a0 : s1 !== a1 ? s1 < a1 : s2 !== a2 ? s2 < a2 : starts[k + 3]! <= a3;
    if (le) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface V4Field {
  l1: Int32Array;
  l2: Int32Array;
  l3: Int32Array;
  /** Interval starts, then the sentinel 2^32. */
  starts: Float64Array;
  offs: Int32Array;
}

/**
 * One level of the multibit table: the `1 << bits` slots of [at, at + span) each get the row offset of the single
 * interval covering the slot, or ~(what `deeper` returns for a slot that holds interval boundaries).
 * `i` is the interval containing `at`.
 */
function level(
  starts: Float64Array, offs: Int32Array, i: number, at: number, bits: number, span: number,
  deeper: (i: number, at: number) => number,
): Int32Array {
  const slots = 1 << bits;
  const slot = span / slots;
  const out = new Int32Array(slots);
  for (let k = 0; k < slots; k++) {
    const s = at + k * slot;
    while (starts[i + 1]! <= s) i++;
    out[k] = starts[i + 1]! >= s + slot ? offs[i]! : ~deeper(i, s);
  }
  return out;
}

function concat(chunks: Int32Array[], size: number): Int32Array {
  const out = new Int32Array(Math.max(1, chunks.length) * size);
  chunks.forEach((c, k) => out.set(c, k * size));
  return out;
}

function compileV4(f: FieldIntervals<number>): V4Field {
  const n = f.starts.length;
  const starts = new Float64Array(n + 1);
  starts.set(f.starts);
  starts[n] = V4_END;
  const offs = Int32Array.from(f.rowOffs);
  const l2: Int32Array[] = [];
  const l3: Int32Array[] = [];
  // A /28 with boundaries ends in a scan from its first interval; a /24 with boundaries gets an l3 chunk; a /16 an l2.
  const l3Chunk = (i: number, at: number) => l3.push(level(starts, offs, i, at, 4, 256, (j) => j)) - 1;
  const l2Chunk = (i: number, at: number) => l2.push(level(starts, offs, i, at, 8, 65536, l3Chunk)) - 1;
  const l1 = level(starts, offs, 0, 0, 16, V4_END, l2Chunk);
  return { l1, l2: concat(l2, 256), l3: concat(l3, 16), starts, offs };
}

/** Port -> row offset. A field where every port has the same row (usually source ports: `*`) is one entry. */
function portTable(f: FieldIntervals<number>): Int32Array {
  if (f.starts.length === 1) return Int32Array.of(f.rowOffs[0]!);
  const t = new Int32Array(65536);
  for (let i = 0; i < f.starts.length; i++) {
    const end = i + 1 < f.starts.length ? f.starts[i + 1]! : 65536;
    t.fill(f.rowOffs[i]!, f.starts[i]!, end);
  }
  return t;
}

/** A compiled classifier as data (toData / classifierFromData): typed arrays and the rules' JSON. */
export interface NsgClassifierData {
  nsg: string;
  direction: Direction;
  rules: CompiledRuleInfo[];
  words: number;
  allow: Uint8Array;
  bits: Uint32Array;
  proto: Int32Array;
  sport: Int32Array;
  dport: Int32Array;
  src4: V4Field;
  dst4: V4Field;
  src6Starts: Uint32Array;
  src6Offs: Int32Array;
  dst6Starts: Uint32Array;
  dst6Offs: Int32Array;
}

/** Counts classifiers compiled from rules in this thread (not those rebuilt from data): workers must compile none. */
export const classifierCompiles = { count: 0 };

function compileData(nsg: string, direction: Direction, expanded: readonly ExpandedRule[]): NsgClassifierData {
  const n = expanded.length;
  if (n === 0 || n > MAX_RULES) throw new RangeError(`NSG ${nsg} ${direction}: ${n} rules (expected 1..${MAX_RULES})`);
  classifierCompiles.count++;
  const words = (n + 31) >>> 5;
  const rows = new RowTable(words);
  const protoRow = new Uint32Array(words);
  const proto = new Int32Array(256);
  for (let p = 0; p < 256; p++) {
    protoRow.fill(0);
    expanded.forEach((r, i) => {
      if (r.proto === -1 || r.proto === p) protoRow[i >>> 5] = protoRow[i >>> 5]! | (1 << (i & 31));
    });
    proto[p] = rows.intern(protoRow);
  }
  const sport = portTable(buildIntervals(expanded.map((r) => r.srcPorts), 0, 65536, rows));
  const dport = portTable(buildIntervals(expanded.map((r) => r.dstPorts), 0, 65536, rows));
  const src4 = compileV4(buildIntervals(expanded.map((r) => r.src.v4), 0, V4_END, rows));
  const dst4 = compileV4(buildIntervals(expanded.map((r) => r.dst.v4), 0, V4_END, rows));
  const v6 = (sets: Range<bigint>[][]) => {
    const f = buildIntervals(sets, 0n, V6_END, rows);
    const starts = new Uint32Array(f.starts.length * 4);
    f.starts.forEach((s, i) => bigToWords6(s, starts, i * 4));
    return { starts, offs: Int32Array.from(f.rowOffs) };
  };
  const s6 = v6(expanded.map((r) => r.src.v6));
  const d6 = v6(expanded.map((r) => r.dst.v6));
  return {
    nsg, direction,
    rules: expanded.map((r) => r.info),
    words,
    allow: Uint8Array.from(expanded, (r) => (r.allow ? 1 : 0)),
    bits: rows.flat(),
    proto, sport, dport, src4, dst4,
    src6Starts: s6.starts, src6Offs: s6.offs, dst6Starts: d6.starts, dst6Offs: d6.offs,
  };
}

type Shareable = Uint8Array | Uint32Array | Int32Array | Float64Array;

function toShared<T extends Shareable>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

export class CompiledNsgClassifier implements NsgClassifier {
  readonly rules: readonly CompiledRuleInfo[];
  readonly allow: Uint8Array;
  /** Words per bitset: ceil(rules / 32). */
  readonly words: number;
  /** Every bitset row of every field, `words` words each. */
  readonly bits: Uint32Array;
  private readonly proto: Int32Array;
  private readonly sport: Int32Array;
  private readonly dport: Int32Array;
  /** 0xffff, or 0 when the port table is a single entry. */
  private readonly sportMask: number;
  private readonly dportMask: number;
  private readonly src4: V4Field;
  private readonly dst4: V4Field;
  private readonly src6Starts: Uint32Array;
  private readonly src6Offs: Int32Array;
  private readonly dst6Starts: Uint32Array;
  private readonly dst6Offs: Int32Array;

  /**
   * `expanded` must be sorted by priority (see compileClassifier). With `data` (classifierFromData) nothing is
   * compiled: the classifier reads data's arrays as they are, and `expanded` is empty (the ranges stay with the
   * compiler; `rules` says what each rule is).
   */
  constructor(
    readonly nsg: string,
    readonly direction: Direction,
    readonly expanded: readonly ExpandedRule[],
    data: NsgClassifierData = compileData(nsg, direction, expanded),
  ) {
    this.rules = data.rules;
    this.allow = data.allow;
    this.words = data.words;
    this.bits = data.bits;
    this.proto = data.proto;
    this.sport = data.sport;
    this.dport = data.dport;
    this.sportMask = data.sport.length - 1;
    this.dportMask = data.dport.length - 1;
    this.src4 = data.src4;
    this.dst4 = data.dst4;
    this.src6Starts = data.src6Starts;
    this.src6Offs = data.src6Offs;
    this.dst6Starts = data.dst6Starts;
    this.dst6Offs = data.dst6Offs;
  }

  /**
   * The classifier as plain data: every typed array in a SharedArrayBuffer (copied once; shared ones are kept), the
   * rules as JSON. It crosses postMessage without a copy of the arrays: workers classify from the same memory.
   */
  toData(): NsgClassifierData {
    const v4 = (f: V4Field): V4Field => ({ l1: toShared(f.l1), l2: toShared(f.l2), l3: toShared(f.l3), starts: toShared(f.starts), offs: toShared(f.offs) });
    return {
      nsg: this.nsg,
      direction: this.direction,
      rules: JSON.parse(JSON.stringify(this.rules)) as CompiledRuleInfo[],
      words: this.words,
      allow: toShared(this.allow),
      bits: toShared(this.bits),
      proto: toShared(this.proto),
      sport: toShared(this.sport),
      dport: toShared(this.dport),
      src4: v4(this.src4),
      dst4: v4(this.dst4),
      src6Starts: toShared(this.src6Starts),
      src6Offs: toShared(this.src6Offs),
      dst6Starts: toShared(this.dst6Starts),
      dst6Offs: toShared(this.dst6Offs),
    };
  }

  classify4(proto: number, src: number, srcPort: number, dst: number, dstPort: number): number {
    const bits = this.bits;
    const p = this.proto[proto & 255]!;
    const a = this.sport[srcPort & this.sportMask]!;
    const b = this.dport[dstPort & this.dportMask]!;
    const s = find4(this.src4, src >>> 0);
    const d = find4(this.dst4, dst >>> 0);
    return firstCommon(bits, this.words, p, a, b, s, d);
  }

  classify6(proto: number, addrs: Uint32Array, srcOff: number, srcPort: number, dstOff: number, dstPort: number): number {
    const bits = this.bits;
    const p = this.proto[proto & 255]!;
    const a = this.sport[srcPort & this.sportMask]!;
    const b = this.dport[dstPort & this.dportMask]!;
    const s = this.src6Offs[find6(this.src6Starts, this.src6Offs.length, addrs, srcOff)]!;
    const d = this.dst6Offs[find6(this.dst6Starts, this.dst6Offs.length, addrs, dstOff)]!;
    return firstCommon(bits, this.words, p, a, b, s, d);
  }

  /** Bytes of the typed arrays this classifier reads. */
  get byteLength(): number {
    return (
      this.bits.byteLength + this.proto.byteLength + this.sport.byteLength + this.dport.byteLength +
      v4Bytes(this.src4) + v4Bytes(this.dst4) +
      this.src6Starts.byteLength + this.src6Offs.byteLength + this.dst6Starts.byteLength + this.dst6Offs.byteLength
    );
  }
}

function v4Bytes(f: V4Field): number {
  return f.l1.byteLength + f.l2.byteLength + f.l3.byteLength + f.starts.byteLength + f.offs.byteLength;
}

/**
 * R-NSG-2: the lowest rule index set in all five rows (rows sorted by priority), -1 if none. A plain loop over the
 * words: measured faster than skipping zero words through per-row summaries at 200 rules (7 words).
 */
function firstCommon(bits: Uint32Array, words: number, p: number, a: number, b: number, s: number, d: number): number {
  for (let w = 0; w < words; w++) {
    const x = bits[p + w]! & bits[a + w]! & bits[b + w]! & bits[s + w]! & bits[d + w]!;
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
  }
  return -1;
}

/** R-NSG-2: sorts by ascending priority (defaults last: their priorities are above 4096) and compiles. */
export function compileClassifier(nsg: string, direction: Direction, rules: readonly ExpandedRule[]): CompiledNsgClassifier {
  const sorted = [...rules].sort((x, y) => x.info.priority - y.info.priority);
  return new CompiledNsgClassifier(nsg, direction, sorted);
}

/** Rebuilds a classifier around data from `toData()` (no copy, nothing compiled): it classifies as the original. */
export function classifierFromData(data: NsgClassifierData): CompiledNsgClassifier {
  return new CompiledNsgClassifier(data.nsg, data.direction, [], data);
}
