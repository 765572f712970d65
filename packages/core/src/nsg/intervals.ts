// Bit-vector classification, compile side: per field, the domain is cut into elementary intervals at every range
// boundary of every rule; each interval gets the bitset of the rules covering it (a sweep over the sorted
// boundaries). Bitsets are interned in one table shared by all fields of a classifier.
import type { Range } from './ranges.js';

/** Interns bitset rows of `words` uint32 words each; identical rows share one offset. */
export class RowTable {
  private readonly index = new Map<string, number>();
  private data: Uint32Array;
  private used = 0;

  constructor(readonly words: number) {
    this.data = new Uint32Array(words * 16);
  }

  /** Word offset of this row in `flat()`. */
  intern(row: Uint32Array): number {
    const key = row.join(',');
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.used + this.words > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const off = this.used;
    this.data.set(row, off);
    this.used += this.words;
    this.index.set(key, off);
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
