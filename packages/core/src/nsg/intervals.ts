// Bit-vector classification, compile side: per field, the domain is cut into elementary intervals at every range
// boundary of every rule; each interval gets the bitset of the rules covering it (a sweep over the sorted
// boundaries). Bitsets are interned in one table shared by all fields of a classifier.
import type { Range } from './ranges.js';

/** Interns bitset rows of `words` uint32 words each; identical rows share one offset. */
export class RowTable {
  /** Hash of a row -> offsets of the rows with that hash. */
  private readonly index = new Map<number, number[]>();
  private data: Uint32Array;
  private used = 0;

  constructor(readonly words: number) {
    this.data = new Uint32Array(words * 16);
  }

  /** Word offset of this row in `flat()`. */
  intern(row: Uint32Array): number {
    const w = this.words;
    let h = 0x811c9dc5;
    for (let i = 0; i < w; i++) h = Math.imul(h ^ row[i]!, 0x01000193);
    const chain = this.index.get(h);
    if (chain !== undefined)
      for (const off of chain) {
        let same = true;
        for (let i = 0; i < w && same; i++) same = this.data[off + i] === row[i];
        if (same) return off;
      }
    if (this.used + w > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const off = this.used;
    this.data.set(row, off);
    this.used += w;
    if (chain === undefined) this.index.set(h, [off]);
    else chain.push(off);
    return off;
  }

  get rowCount(): number {
    return this.used / this.words;
  }

  /** The rows, one flat array (a copy trimmed to size). */
  flat(): Uint32Array {
    return this.data.slice(0, Math.max(this.used, this.words));
  }
}

/** Elementary intervals of one field: interval i is [starts[i], starts[i+1]) and matches row offset rowOffs[i]. */
export interface FieldIntervals<T> {
  starts: T[];
  rowOffs: number[];
}

/**
 * perRule[r] = rule r's merged (sorted, disjoint) ranges. Adjacent intervals with the same row are merged, so
 * starts[0] === domainStart and consecutive rows differ.
 */
export function buildIntervals<T extends number | bigint>(
  perRule: ReadonlyArray<ReadonlyArray<Range<T>>>,
  domainStart: T,
  domainEnd: T,
  rows: RowTable,
): FieldIntervals<T> {
  if (typeof domainStart === 'number')
    return buildNumberIntervals(perRule as ReadonlyArray<ReadonlyArray<Range<number>>>, domainStart, domainEnd as number, rows) as FieldIntervals<T>;
  const events: Array<[pos: T, rule: number, on: boolean]> = [];
  perRule.forEach((ranges, r) => {
    for (const [lo, end] of ranges) {
      events.push([lo, r, true]);
      if (end < domainEnd) events.push([end, r, false]);
    }
  });
  events.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const cur = new Uint32Array(rows.words);
  const starts: T[] = [];
  const rowOffs: number[] = [];
  let e = 0;
  let pos = domainStart;
  for (;;) {
    // Apply every event at `pos`; a rule's own ranges are disjoint and merged, so on/off at one point never clash.
    while (e < events.length && events[e]![0] === pos) {
      const [, r, on] = events[e]!;
      const w = r >>> 5;
      cur[w] = on ? cur[w]! | (1 << (r & 31)) : cur[w]! & ~(1 << (r & 31));
      e++;
    }
    const off = rows.intern(cur);
    if (rowOffs.length === 0 || rowOffs[rowOffs.length - 1] !== off) {
      starts.push(pos);
      rowOffs.push(off);
    }
    if (e >= events.length) break;
    pos = events[e]![0];
  }
  return { starts, rowOffs };
}

/** Number domains (IPv4, ports): events packed as pos * 2^12 + rule * 2 + on in a Float64Array (exact below 2^53). */
function buildNumberIntervals(
  perRule: ReadonlyArray<ReadonlyArray<Range<number>>>,
  domainStart: number,
  domainEnd: number,
  rows: RowTable,
): FieldIntervals<number> {
  let count = 0;
  for (const ranges of perRule) count += ranges.length * 2;
  const ev = new Float64Array(count);
  let k = 0;
  perRule.forEach((ranges, r) => {
    for (const [lo, end] of ranges) {
      ev[k++] = lo * 4096 + r * 2 + 1;
      if (end < domainEnd) ev[k++] = end * 4096 + r * 2;
    }
  });
  const events = ev.subarray(0, k).sort();
  const cur = new Uint32Array(rows.words);
  const starts: number[] = [];
  const rowOffs: number[] = [];
  let e = 0;
  let pos = domainStart;
  for (;;) {
    while (e < k && Math.floor(events[e]! / 4096) === pos) {
      const low = events[e]! % 4096;
      const r = low >>> 1;
      const w = r >>> 5;
      cur[w] = (low & 1) === 1 ? cur[w]! | (1 << (r & 31)) : cur[w]! & ~(1 << (r & 31));
      e++;
    }
    const off = rows.intern(cur);
    if (rowOffs.length === 0 || rowOffs[rowOffs.length - 1] !== off) {
      starts.push(pos);
      rowOffs.push(off);
    }
    if (e >= k) break;
    pos = Math.floor(events[e]! / 4096);
  }
  return { starts, rowOffs };
}
