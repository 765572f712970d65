import { checkBatch, LpmCapacityError } from './errors.js';
import { ipv4Ranges, type Ipv4Ranges } from './ipv4-ranges.js';
import { IPV4_MULTIBIT_MAX_ENTRIES, LAST_LEVEL_DENSE_RUNS, lastLevel } from './ipv4-multibit.js';
import type { Ipv4Trie } from './ipv4-trie.js';
import type { LpmTableData } from './shared.js';
import type { CompiledIpv4Trie } from './types.js';

/** Largest value a packed root word holds as a leaf (value + 1 must stay positive); larger ones become 1-entry nodes. */
const PACKED_MAX_LEAF = 0x7ffffffe;

/**
 * The 20-4-8 trie with each /20 node packed into its root word: root[a >>> 12] >= 0 is a leaf (value + 1); < 0 is
 * a node, whose bits 16..30 mark the /24 slots 1..15 where a new run starts and bits 0..15 are the offset of its
 * first entry from base[a >>> 20] (a /12's entries fit in 4,096). Slot s's entry is
 * t[base + offset + popcount(bits of slots 1..s)]; an entry < -1 points at a /24 node (lastLevel). One dependent read
 * after the root, as in Ipv4MultibitTable, and no per-node bitmap array (Ipv4PopcountTable's 2 MiB).
 *
 * The smallest IPv4 layout here that answers in two dependent reads: on the real 901,899-prefix table 7.7 MiB against
 * 12.6 MiB for 20-4-8, at the price of the popcount between the reads (measured: about as fast on uniform traffic,
 * 0.65-0.85x of 20-4-8 on hot and inside-prefix traffic), so compile() keeps 20-4-8 there; it picks this layout where
 * 20-4-8 would be more than twice as large (see compileIpv4).
 */
export class Ipv4PackedTable implements CompiledIpv4Trie {
  readonly byteLength: number;

  constructor(
    private readonly root: Int32Array,
    private readonly base: Int32Array,
    private readonly t: Int32Array,
  ) {
    this.byteLength = root.byteLength + base.byteLength + t.byteLength;
  }

  /** The table's arrays (not copies: do not modify them); see shareTable. */
  toData(): LpmTableData {
    return { layout: 'ipv4-20-4-8-packed', root: this.root, base: this.base, t: this.t };
  }

  lookup(addr: number): number {
    const a = addr >>> 0;
    const r = this.root[a >>> 12]!;
    if (r >= 0) return r - 1;
    let x = (r >>> 16) & ((1 << ((a >>> 8) & 15)) - 1);
    x = x - ((x >>> 1) & 0x5555);
    x = (x & 0x3333) + ((x >>> 2) & 0x3333);
    x = (x + (x >>> 4)) & 0x0f0f;
    x = (x + (x >>> 8)) & 0x1f;
    const e = this.t[this.base[a >>> 20]! + (r & 0xffff) + x]!;
    return e < -1 ? lastLevel(this.t, -2 - e, a & 255) : e;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length): void {
    checkBatch(addrs.length, 1, out.length, count);
    const root = this.root;
    const base = this.base;
    const t = this.t;
    for (let i = 0; i < count; i++) {
      const a = addrs[i]!;
      let v = root[a >>> 12]!;
      if (v >= 0) v = v - 1;
      else {
        let x = (v >>> 16) & ((1 << ((a >>> 8) & 15)) - 1);
        x = x - ((x >>> 1) & 0x5555);
        x = (x & 0x3333) + ((x >>> 2) & 0x3333);
        x = (x + (x >>> 4)) & 0x0f0f;
        x = (x + (x >>> 8)) & 0x1f;
        v = t[base[a >>> 20]! + (v & 0xffff) + x]!;
        if (v < -1) v = lastLevel(t, -2 - v, a & 255);
      }
      out[i] = v;
    }
  }
}

/** Compiles the trie's current contents into the packed form; pure: shares no memory with the trie. */
export function compileIpv4Packed(trie: Ipv4Trie): Ipv4PackedTable {
  return buildPacked(ipv4Ranges(trie));
}

/** @internal builds from the flattened runs. */
export function buildPacked({ starts, values, count: n }: Ipv4Ranges): Ipv4PackedTable {
  const ROOT = 1 << 20;
  const root = new Int32Array(ROOT);
  const base = new Int32Array(ROOT >>> 8);
  // Entries of the /20 nodes go to `t`; /24 nodes to `deep`, appended after the entries once their count is known.
  let t = new Int32Array(1 << 16);
  let next = 0;
  let deep = new Int32Array(1 << 10);
  let deepNext = 0;
  const grow = (a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> => {
    if (need > IPV4_MULTIBIT_MAX_ENTRIES)
      throw new LpmCapacityError(IPV4_MULTIBIT_MAX_ENTRIES, `compileIpv4Packed: more than ${IPV4_MULTIBIT_MAX_ENTRIES} entries`);
    if (need <= a.length) return a;
    const b = new Int32Array(Math.max(a.length * 2, need));
    b.set(a);
    return b;
  };
  const deepEntries: number[] = []; // positions in t of entries that point into `deep`
  const slot = new Int32Array(16);
  let j = 0; // the run containing the address being placed
  for (let c = 0; c < ROOT; c++) {
    if ((c & 255) === 0) base[c >>> 8] = next;
    const start = c * 4096;
    while (j + 1 < n && starts[j + 1]! <= start) j++;
    if (!(j + 1 < n && starts[j + 1]! < start + 4096) && values[j]! <= PACKED_MAX_LEAF) {
      root[c] = values[j]! + 1;
      continue;
    }
    for (let s = 0; s < 16; s++) {
      const sub = start + s * 256;
      while (j + 1 < n && starts[j + 1]! <= sub) j++;
      let k = j + 1;
      while (k < n && starts[k]! < sub + 256) k++;
      const runs = k - j;
      if (runs === 1) {
        slot[s] = values[j]!;
        continue;
      }
      // A /24 node at an even offset of `deep` (direct) or a run list at an odd one (see lastLevel).
      if (deepNext & 1) deepNext++;
      let x: number;
      if (runs <= LAST_LEVEL_DENSE_RUNS) {
        x = deepNext + 1;
        deepNext += 2 + 2 * runs;
        deep = grow(deep, deepNext);
        deep[x - 1] = runs;
        for (let m = j; m < k; m++) {
          deep[x + 2 * (m - j)] = m === j ? 0 : starts[m]! - sub;
          deep[x + 2 * (m - j) + 1] = values[m]!;
        }
      } else {
        x = deepNext;
        deepNext += 256;
        deep = grow(deep, deepNext);
        let m = j;
        for (let b = 0; b < 256; b++) {
          while (m + 1 < k && starts[m + 1]! <= sub + b) m++;
          deep[x + b] = values[m]!;
        }
      }
      slot[s] = -2 - x;
      j = k - 1;
    }
    let bits = 0;
    let entries = 1;
    for (let s = 1; s < 16; s++)
      if (slot[s] !== slot[s - 1]) {
        bits |= 1 << (s - 1);
        entries++;
      }
    t = grow(t, next + entries);
    const at = next;
    for (let s = 0; s < 16; s++) {
      if (s > 0 && slot[s] === slot[s - 1]) continue;
      if (slot[s]! < -1) deepEntries.push(next);
      t[next++] = slot[s]!;
    }
    root[c] = (0x80000000 | (bits << 16) | (at - base[c >>> 8]!)) | 0;
  }
  // /24 nodes after the entries, at an even offset so that parity still tells run lists from direct nodes.
  const d0 = next + (next & 1);
  t = grow(t, d0 + deepNext);
  t.set(deep.subarray(0, deepNext), d0);
  for (const p of deepEntries) t[p] = t[p]! - d0;
  return new Ipv4PackedTable(root, base, t.slice(0, d0 + deepNext));
}
