import { checkBatch, LpmArgumentError, LpmCapacityError } from './errors.js';
import { ipv4Ranges, type Ipv4Ranges } from './ipv4-ranges.js';
import type { Ipv4Trie } from './ipv4-trie.js';
import type { CompiledIpv4Trie } from './types.js';
import type { LpmTableData } from './shared.js';

/** Largest number of entries the 20-4-8 table holds (one Int32Array; pointers are -2 - offset). */
export const IPV4_MULTIBIT_MAX_ENTRIES = 1 << 30;

/**
 * The last level (the low byte): a direct node of 256 entries at an even offset x, or, when the /24 holds few runs,
 * a run list at an odd x: t[x - 1] = n, then n pairs (first byte, entry) at t[x + 2i], t[x + 2i + 1]. Rare on real
 * tables (prefixes longer than /24 are few), so a short scan is fine; it keeps a lone /32 from costing 1 KiB.
 */
export function lastLevel(t: Int32Array, x: number, b: number): number {
  if ((x & 1) === 0) return t[x + b]!;
  let q = x;
  const end = x + 2 * t[x - 1]!;
  while (q + 2 < end && t[q + 2]! <= b) q += 2;
  return t[q + 1]!;
}

/** A last-level node with more runs than this is direct (256 entries), else a run list. */
export const LAST_LEVEL_DENSE_RUNS = 16;

/**
 * IPv4 multibit trie with leaf pushing and strides 20-4-8, all levels in one Int32Array (VPP ip4_mtrie style: an
 * entry >= -1 is the final value, -1 = no route; an entry < -1 points at the node whose entries start at -2 - entry).
 * Entries [0, 2^20) are the root, indexed by the top 20 bits; a 16-entry node (one 64-byte cache line) splits a /20
 * into /24s; a /24 node (256 entries or a short run list, see lastLevel) splits a /24. A lookup is 1 to 3 dependent
 * reads and no search but for the rare sparse /24.
 *
 * Why 20-4-8 (measured on the real 901,899-prefix table): of the 2^20 /20s only ~141k hold more than one run of
 * equal value, and only ~450 /24s do, so the table is ~13.5 MB (DIR-24-8: 64 MB) while the top two levels answer
 * nearly every lookup.
 */
export class Ipv4MultibitTable implements CompiledIpv4Trie {
  readonly byteLength: number;

  constructor(private readonly t: Int32Array) {
    this.byteLength = t.byteLength;
  }

  /** The table's arrays (not copies: do not modify them); see shareTable. */
  toData(): LpmTableData {
    return { layout: 'ipv4-20-4-8', t: this.t };
  }

  lookup(addr: number): number {
    const t = this.t;
    const a = addr >>> 0;
    let e = t[a >>> 12]!;
    if (e < -1) {
      e = t[-2 - e + ((a >>> 8) & 15)]!;
      if (e < -1) e = lastLevel(t, -2 - e, a & 255);
    }
    return e;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length): void {
    checkBatch(addrs.length, 1, out.length, count);
    const t = this.t;
    for (let i = 0; i < count; i++) {
      const a = addrs[i]!;
      let e = t[a >>> 12]!;
      if (e < -1) {
        e = t[-2 - e + ((a >>> 8) & 15)]!;
        if (e < -1) e = lastLevel(t, -2 - e, a & 255);
      }
      out[i] = e;
    }
  }
}

/**
 * The same multibit trie with strides 16-4-4-8: a 256 KiB root instead of 4 MiB, for small tables (a subnet's
 * effective routes), where the extra level costs little because everything is in cache.
 */
export class Ipv4SmallMultibitTable implements CompiledIpv4Trie {
  readonly byteLength: number;

  constructor(private readonly t: Int32Array) {
    this.byteLength = t.byteLength;
  }

  /** The table's arrays (not copies: do not modify them); see shareTable. */
  toData(): LpmTableData {
    return { layout: 'ipv4-16-4-4-8', t: this.t };
  }

  lookup(addr: number): number {
    const t = this.t;
    const a = addr >>> 0;
    let e = t[a >>> 16]!;
    if (e < -1) {
      e = t[-2 - e + ((a >>> 12) & 15)]!;
      if (e < -1) {
        e = t[-2 - e + ((a >>> 8) & 15)]!;
        if (e < -1) e = lastLevel(t, -2 - e, a & 255);
      }
    }
    return e;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length): void {
    checkBatch(addrs.length, 1, out.length, count);
    const t = this.t;
    for (let i = 0; i < count; i++) {
      const a = addrs[i]!;
      let e = t[a >>> 16]!;
      if (e < -1) {
        e = t[-2 - e + ((a >>> 12) & 15)]!;
        if (e < -1) {
          e = t[-2 - e + ((a >>> 8) & 15)]!;
          if (e < -1) e = lastLevel(t, -2 - e, a & 255);
        }
      }
      out[i] = e;
    }
  }
}

export type Ipv4MultibitLayout = '20-4-8' | '16-4-4-8';

/** Below this many prefixes, Ipv4Trie.compile() picks the 16-4-4-8 layout (smaller root, same answers). */
export const IPV4_SMALL_TABLE_PREFIXES = 65536;

/** Compiles the trie's current contents into a multibit table; pure: shares no memory with the trie. */
export function compileIpv4Multibit(
  trie: Ipv4Trie,
  layout: Ipv4MultibitLayout = trie.size < IPV4_SMALL_TABLE_PREFIXES ? '16-4-4-8' : '20-4-8',
): Ipv4MultibitTable | Ipv4SmallMultibitTable {
  if (layout !== '20-4-8' && layout !== '16-4-4-8')
    throw new LpmArgumentError(`compileIpv4Multibit: layout ${String(layout)} is not "20-4-8" or "16-4-4-8"`);
  return buildMultibit(ipv4Ranges(trie), layout);
}

/** @internal builds from the flattened runs (shared with compileIpv4's choice of layout). */
export function buildMultibit(
  { starts, values, count: n }: Ipv4Ranges,
  layout: Ipv4MultibitLayout,
): Ipv4MultibitTable | Ipv4SmallMultibitTable {
  const strides = layout === '20-4-8' ? [20, 4, 8] : [16, 4, 4, 8];
  const spans: number[] = []; // addresses per slot at each level
  let bits = 32;
  for (const s of strides) spans.push(2 ** (bits -= s));
  let t = new Int32Array(Math.max(1 << (strides[0]! + 1), 1024));
  let next = 1 << strides[0]!;
  let j = 0; // the run containing the address being placed
  // Fills node (at offset `node`, level `level`) that covers addresses from `start`; children are allocated after it.
  const fill = (node: number, level: number, start: number): void => {
    const slots = 1 << strides[level]!;
    const span = spans[level]!;
    for (let s = 0; s < slots; s++) {
      const sub = start + s * span;
      while (j + 1 < n && starts[j + 1]! <= sub) j++;
      if (span === 1 || !(j + 1 < n && starts[j + 1]! < sub + span)) {
        t[node + s] = values[j]!; // leaf pushing: one run covers the whole slot
        continue;
      }
      const last = level + 2 === strides.length;
      if (last) {
        // Count the runs of this /24: few -> a run list at an odd offset (see lastLevel).
        let k = j + 1;
        while (k < n && starts[k]! < sub + span) k++;
        const runs = k - j;
        if (runs <= LAST_LEVEL_DENSE_RUNS) {
          const x = next + 1;
          next += 2 + 2 * runs; // keeps every node start even
          ensure();
          t[x - 1] = runs;
          for (let m = j; m < k; m++) {
            t[x + 2 * (m - j)] = m === j ? 0 : starts[m]! - sub;
            t[x + 2 * (m - j) + 1] = values[m]!;
          }
          t[node + s] = -2 - x;
          j = k - 1;
          continue;
        }
      }
      const child = next;
      next += 1 << strides[level + 1]!;
      ensure();
      t[node + s] = -2 - child;
      fill(child, level + 1, sub);
    }
  };
  const ensure = (): void => {
    if (next > IPV4_MULTIBIT_MAX_ENTRIES)
      throw new LpmCapacityError(IPV4_MULTIBIT_MAX_ENTRIES, `compileIpv4Multibit: more than ${IPV4_MULTIBIT_MAX_ENTRIES} entries`);
    if (next > t.length) {
      const t2 = new Int32Array(Math.max(t.length * 2, next));
      t2.set(t);
      t = t2;
    }
  };
  fill(0, 0, 0);
  const table = t.slice(0, next);
  return layout === '20-4-8' ? new Ipv4MultibitTable(table) : new Ipv4SmallMultibitTable(table);
}
