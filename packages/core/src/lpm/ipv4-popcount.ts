import { checkBatch, LpmCapacityError } from './errors.js';
import { ipv4Ranges, type Ipv4Ranges } from './ipv4-ranges.js';
import { IPV4_MULTIBIT_MAX_ENTRIES, LAST_LEVEL_DENSE_RUNS, lastLevel } from './ipv4-multibit.js';
import type { Ipv4Trie } from './ipv4-trie.js';
import type { LpmTableData } from './shared.js';
import type { CompiledIpv4Trie } from './types.js';

/** Bits set in the low 16 bits of x (SWAR). */
function popcount16(x: number): number {
  x = x - ((x >>> 1) & 0x5555);
  x = (x & 0x3333) + ((x >>> 2) & 0x3333);
  x = (x + (x >>> 4)) & 0x0f0f;
  return (x + (x >>> 8)) & 0x1f;
}

/**
 * The 20-4-8 trie with its 16-entry /20 nodes compressed Poptrie-style: bits[i] marks the /24 slots of /20 number i
 * where a new run starts, and the node keeps one entry per run, so slot s is entry popcount(bits & (2 << s) - 1) - 1.
 * root[i] and bits[i] are read at the same index (no extra dependent read). The /24 level is as in
 * Ipv4MultibitTable (lastLevel).
 *
 * Built on request (compileIpv4Popcount). Ipv4PackedTable keeps the same bits in the root word instead of a separate
 * array and is what compileIpv4 picks for tables whose long prefixes are spread over most /20s (smaller and faster).
 */
export class Ipv4PopcountTable implements CompiledIpv4Trie {
  readonly byteLength: number;

  constructor(
    private readonly root: Int32Array,
    private readonly bits: Uint16Array,
    private readonly t: Int32Array,
  ) {
    this.byteLength = root.byteLength + bits.byteLength + t.byteLength;
  }

  /** The table's arrays (not copies: do not modify them); see shareTable. */
  toData(): LpmTableData {
    return { layout: 'ipv4-20-4-8-popcount', root: this.root, bits: this.bits, t: this.t };
  }

  lookup(addr: number): number {
    const a = addr >>> 0;
    const r = a >>> 12;
    let e = this.root[r]!;
    if (e < -1) {
      e = this.t[-2 - e + popcount16(this.bits[r]! & ((2 << ((a >>> 8) & 15)) - 1)) - 1]!;
      if (e < -1) e = lastLevel(this.t, -2 - e, a & 255);
    }
    return e;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length): void {
    checkBatch(addrs.length, 1, out.length, count);
    const root = this.root;
    const bits = this.bits;
    const t = this.t;
    for (let i = 0; i < count; i++) {
      const a = addrs[i]!;
      const r = a >>> 12;
      let e = root[r]!;
      if (e < -1) {
        let x = bits[r]! & ((2 << ((a >>> 8) & 15)) - 1);
        x = x - ((x >>> 1) & 0x5555);
        x = (x & 0x3333) + ((x >>> 2) & 0x3333);
        x = (x + (x >>> 4)) & 0x0f0f;
        x = (x + (x >>> 8)) & 0x1f;
        e = t[-2 - e + x - 1]!;
        if (e < -1) e = lastLevel(t, -2 - e, a & 255);
      }
      out[i] = e;
    }
  }
}

/** Compiles the trie's current contents into the popcount form; pure: shares no memory with the trie. */
export function compileIpv4Popcount(trie: Ipv4Trie): Ipv4PopcountTable {
  return buildPopcount(ipv4Ranges(trie));
}

/** @internal builds from the flattened runs (shared with compileIpv4's choice of layout). */
export function buildPopcount({ starts, values, count: n }: Ipv4Ranges): Ipv4PopcountTable {
  const ROOT = 1 << 20;
  const root = new Int32Array(ROOT);
  const bits = new Uint16Array(ROOT);
  let t = new Int32Array(1 << 16);
  let next = 0;
  const reserve = (size: number): number => {
    const at = next;
    next += size;
    if (next > IPV4_MULTIBIT_MAX_ENTRIES)
      throw new LpmCapacityError(IPV4_MULTIBIT_MAX_ENTRIES, `compileIpv4Popcount: more than ${IPV4_MULTIBIT_MAX_ENTRIES} entries`);
    if (next > t.length) {
      const t2 = new Int32Array(Math.max(t.length * 2, next));
      t2.set(t);
      t = t2;
    }
    return at;
  };
  const slot = new Int32Array(16); // entries of the /20 being built, before compression
  let j = 0; // the run containing the address being placed
  for (let c = 0; c < ROOT; c++) {
    const start = c * 4096;
    while (j + 1 < n && starts[j + 1]! <= start) j++;
    if (!(j + 1 < n && starts[j + 1]! < start + 4096)) {
      root[c] = values[j]!;
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
      if (next & 1) reserve(1); // nodes start at even offsets: parity tells run lists (odd) from direct nodes
      if (runs <= LAST_LEVEL_DENSE_RUNS) {
        const x = reserve(2 + 2 * runs) + 1;
        t[x - 1] = runs;
        for (let m = j; m < k; m++) {
          t[x + 2 * (m - j)] = m === j ? 0 : starts[m]! - sub;
          t[x + 2 * (m - j) + 1] = values[m]!;
        }
        slot[s] = -2 - x;
      } else {
        const x = reserve(256);
        let m = j;
        for (let b = 0; b < 256; b++) {
          while (m + 1 < k && starts[m + 1]! <= sub + b) m++;
          t[x + b] = values[m]!;
        }
        slot[s] = -2 - x;
      }
      j = k - 1;
    }
    let mask = 1;
    let runs = 1;
    for (let s = 1; s < 16; s++)
      if (slot[s] !== slot[s - 1]) {
        mask |= 1 << s;
        runs++;
      }
    const off = reserve(runs);
    let w = off;
    t[w] = slot[0]!;
    for (let s = 1; s < 16; s++) if (slot[s] !== slot[s - 1]) t[++w] = slot[s]!;
    root[c] = -2 - off;
    bits[c] = mask;
  }
  return new Ipv4PopcountTable(root, bits, t.slice(0, next));
}
