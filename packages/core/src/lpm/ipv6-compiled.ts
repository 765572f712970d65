import { checkBatch, LpmCapacityError } from './errors.js';
import type { Ipv6Trie } from './ipv6-trie.js';
import type { CompiledIpv6Trie } from './types.js';
import type { LpmTableData } from './shared.js';

/** Largest number of entries a compiled IPv6 table holds (one Int32Array; pointers are -2 - offset). */
export const IPV6_MAX_ENTRIES = 1 << 30;

/** When a node stores its slots directly rather than as a run list: more runs than this (8-bit / 16-bit levels). */
export interface Ipv6CompileOptions {
  denseRuns8?: number;
  denseRuns16?: number;
}
// Measured on the real table: 4/64 -> 33 MiB, ~27 M/s inside prefixes; 8/64 -> 26 MiB, ~20 M/s; all direct ->
// 68 MiB, ~32 M/s.
const DENSE_RUNS_8 = 4;
const DENSE_RUNS_16 = 64;

/**
 * IPv6 multibit trie with leaf pushing and strides 16-16-8-8-...-8 (bits 0..16, 16..32, then bytes), in one
 * Int32Array. An entry >= -1 is the final value (-1 = no route); an entry < -1 points at a node: x = -2 - entry,
 * x even = a direct node whose slots start at x (indexed by the next 16 or 8 address bits), x odd = a run list at
 * x - 1: t[x - 1] = n, then n entries t[x .. x+n) keyed by their first slot in keys[x .. x+n) (keys[x] = 0), found
 * by a binary search. Dense nodes are direct (fast), sparse ones are run lists (small: a lone /128 costs ~20 bytes
 * per level, not 1 KiB).
 *
 * Why (measured on the real 160,147-prefix table, mostly /32../48): the 16-bit second level takes /32s in two reads;
 * with mostly direct byte nodes, lookups inside real prefixes ran ~27 M/s (33 MiB), against ~13 M/s for a 16-8-8
 * layout whose nodes were run lists behind a node-info array (3.5 MiB); uniform random addresses ~350 M/s.
 */
export class Ipv6MultibitTable implements CompiledIpv6Trie {
  readonly byteLength: number;

  constructor(
    private readonly t: Int32Array,
    private readonly keys: Uint16Array,
  ) {
    this.byteLength = t.byteLength + keys.byteLength;
  }

  /** The table's arrays (not copies: do not modify them); see shareTable. */
  toData(): LpmTableData {
    return { layout: 'ipv6-multibit', t: this.t, keys: this.keys };
  }

  lookup(w0: number, w1: number, w2: number, w3: number): number {
    const t = this.t;
    const keys = this.keys;
    let e = t[w0 >>> 16]!;
    if (e >= -1) return e;
    let x = -2 - e;
    let b = w0 & 0xffff;
    let d = 32;
    for (;;) {
      if ((x & 1) === 0) e = t[x + b]!;
      else {
        let lo = x;
        let hi = x + t[x - 1]! - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >>> 1;
          if (keys[mid]! <= b) lo = mid;
          else hi = mid - 1;
        }
        e = t[lo]!;
      }
      if (e >= -1) return e;
      x = -2 - e;
      const w = d < 64 ? w1 : d < 96 ? w2 : w3;
      b = (w >>> (24 - (d & 31))) & 255;
      d += 8;
    }
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length >>> 2): void {
    checkBatch(addrs.length, 4, out.length, count);
    const t = this.t;
    const keys = this.keys;
    for (let i = 0; i < count; i++) {
      const p = i << 2;
      const w0 = addrs[p]!;
      let e = t[w0 >>> 16]!;
      if (e < -1) {
        let x = -2 - e;
        let b = w0 & 0xffff;
        let d = 32;
        for (;;) {
          if ((x & 1) === 0) e = t[x + b]!;
          else {
            let lo = x;
            let hi = x + t[x - 1]! - 1;
            while (lo < hi) {
              const mid = (lo + hi + 1) >>> 1;
              if (keys[mid]! <= b) lo = mid;
              else hi = mid - 1;
            }
            e = t[lo]!;
          }
          if (e >= -1) break;
          x = -2 - e;
          b = (addrs[p + (d >>> 5)]! >>> (24 - (d & 31))) & 255;
          d += 8;
        }
      }
      out[i] = e;
    }
  }
}

/** Compiles the trie's current contents; pure: the result shares no memory with the trie. */
export function compileIpv6(trie: Ipv6Trie, options: Ipv6CompileOptions = {}): Ipv6MultibitTable {
  const dense8 = options.denseRuns8 ?? DENSE_RUNS_8;
  const dense16 = options.denseRuns16 ?? DENSE_RUNS_16;
  const { left, right, val } = trie;
  let t = new Int32Array(1 << 17);
  let keys = new Uint16Array(1 << 17);
  let next = 65536;
  const reserve = (size: number): number => {
    const at = next;
    next += size + (size & 1); // nodes start at even offsets
    if (next > IPV6_MAX_ENTRIES)
      throw new LpmCapacityError(IPV6_MAX_ENTRIES, `compileIpv6: the table needs more than ${IPV6_MAX_ENTRIES} entries`);
    if (next > t.length) {
      let cap = t.length * 2;
      while (cap < next) cap *= 2;
      const t2 = new Int32Array(cap);
      t2.set(t);
      t = t2;
      const k2 = new Uint16Array(cap);
      k2.set(keys);
      keys = k2;
    }
    return at;
  };
  // Runs of the node being compiled at each level (level 0 = root, 1 = bits 16..32, 2.. = bytes): the first slot,
  // the trie node below the slot (0 = a leaf) and the value pushed down to it.
  const levels = 15;
  const runStart: Int32Array[] = [];
  const runNode: Int32Array[] = [];
  const runVal: Int32Array[] = [];
  for (let lv = 0; lv < levels; lv++) {
    const cap = lv <= 1 ? 65536 : 256;
    runStart.push(new Int32Array(cap));
    runNode.push(new Int32Array(cap));
    runVal.push(new Int32Array(cap));
  }
  const runCount = new Int32Array(levels);
  const pushRun = (lv: number, slot: number, node: number, v: number): void => {
    const k = runCount[lv]!;
    // Neighbouring leaves with the same value merge into one run.
    if (node === 0 && k > 0 && runNode[lv]![k - 1] === 0 && runVal[lv]![k - 1] === v) return;
    runStart[lv]![k] = slot;
    runNode[lv]![k] = node;
    runVal[lv]![k] = v;
    runCount[lv] = k + 1;
  };
  // Collects the runs of the slots below trie node `node` (at depth d) down to depth `end`, into level lv.
  const gather = (lv: number, node: number, d: number, end: number, slot: number, inherited: number): void => {
    const own = val[node]!;
    const v = own >= 0 ? own : inherited;
    const l = left[node]!;
    const r = right[node]!;
    if (l === 0 && r === 0) return pushRun(lv, slot, 0, v);
    if (d === end) return pushRun(lv, slot, node, v);
    const half = 2 ** (end - d - 1);
    if (l !== 0) gather(lv, l, d + 1, end, slot, v);
    else pushRun(lv, slot, 0, v);
    if (r !== 0) gather(lv, r, d + 1, end, slot + half, v);
    else pushRun(lv, slot + half, 0, v);
  };
  // Writes the node of level lv whose runs are gathered; returns the entry that points at it (or the root: 0).
  const emit = (lv: number, d: number): number => {
    const k = runCount[lv]!;
    const slots = lv <= 1 ? 65536 : 256;
    const direct = lv === 0 || k > (lv === 1 ? dense16 : dense8);
    const at = lv === 0 ? 0 : direct ? reserve(slots) : reserve(k + 1) + 1;
    if (!direct) t[at - 1] = k;
    const childEnd = lv === 0 ? 32 : d + 8; // runs of this node's children end at this depth
    for (let i = 0; i < k; i++) {
      const s = runStart[lv]![i]!;
      const child = runNode[lv]![i]!;
      const v = runVal[lv]![i]!;
      let e = v;
      if (child !== 0) {
        runCount[lv + 1] = 0;
        gather(lv + 1, child, childEnd - (lv === 0 ? 16 : 8), childEnd, 0, v);
        e = emit(lv + 1, childEnd);
      }
      if (direct) t.fill(e, at + s, at + (i + 1 < k ? runStart[lv]![i + 1]! : slots));
      else {
        t[at + i] = e;
        keys[at + i] = s;
      }
    }
    return -2 - at;
  };
  runCount[0] = 0;
  gather(0, 0, 0, 16, 0, -1);
  emit(0, 16);
  return new Ipv6MultibitTable(t.slice(0, next), keys.slice(0, next));
}
