import { checkBatch, LpmCapacityError } from './errors.js';
import { ipv4Ranges } from './ipv4-compiled.js';
import type { Ipv4Trie } from './ipv4-trie.js';
import type { CompiledIpv4Trie } from './types.js';

/** Largest number of entries the 20-4-8 table holds (one Int32Array; pointers are -2 - offset). */
export const IPV4_MULTIBIT_MAX_ENTRIES = 1 << 30;

/**
 * IPv4 multibit trie with leaf pushing and strides 20-4-8, all levels in one Int32Array (VPP ip4_mtrie style: an
 * entry >= -1 is the final value, -1 = no route; an entry < -1 points at the node whose entries start at -2 - entry).
 * Entries [0, 2^20) are the root, indexed by the top 20 bits; a 16-entry node (one 64-byte cache line) splits a /20
 * into /24s; a 256-entry node splits a /24. A lookup is 1 to 3 dependent reads and no search.
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

  lookup(addr: number): number {
    const t = this.t;
    const a = addr >>> 0;
    let e = t[a >>> 12]!;
    if (e < -1) {
      e = t[-2 - e + ((a >>> 8) & 15)]!;
      if (e < -1) e = t[-2 - e + (a & 255)]!;
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
        if (e < -1) e = t[-2 - e + (a & 255)]!;
      }
      out[i] = e;
    }
  }
}

/** Compiles the trie's current contents into a 20-4-8 table; pure: shares no memory with the trie. */
export function compileIpv4Multibit(trie: Ipv4Trie): Ipv4MultibitTable {
  const { starts, values, count: n } = ipv4Ranges(trie);
  const ROOT = 1 << 20;
  // First pass: size the table exactly.
  let size = ROOT;
  {
    let j = 0;
    for (let c = 0; c < ROOT; c++) {
      const start = c * 4096;
      while (j + 1 < n && starts[j + 1]! <= start) j++;
      if (!(j + 1 < n && starts[j + 1]! < start + 4096)) continue;
      size += 16;
      for (let s = 0; s < 16; s++) {
        const sub = start + s * 256;
        while (j + 1 < n && starts[j + 1]! <= sub) j++;
        if (j + 1 < n && starts[j + 1]! < sub + 256) size += 256;
      }
    }
  }
  if (size > IPV4_MULTIBIT_MAX_ENTRIES)
    throw new LpmCapacityError(IPV4_MULTIBIT_MAX_ENTRIES, `compileIpv4Multibit: ${size} entries exceed ${IPV4_MULTIBIT_MAX_ENTRIES}`);
  const t = new Int32Array(size);
  let next = ROOT;
  let j = 0; // the run containing the address being placed
  for (let c = 0; c < ROOT; c++) {
    const start = c * 4096;
    while (j + 1 < n && starts[j + 1]! <= start) j++;
    if (!(j + 1 < n && starts[j + 1]! < start + 4096)) {
      t[c] = values[j]!;
      continue;
    }
    const node = next;
    next += 16;
    t[c] = -2 - node;
    for (let s = 0; s < 16; s++) {
      const sub = start + s * 256;
      while (j + 1 < n && starts[j + 1]! <= sub) j++;
      if (!(j + 1 < n && starts[j + 1]! < sub + 256)) {
        t[node + s] = values[j]!;
        continue;
      }
      const leaf = next;
      next += 256;
      t[node + s] = -2 - leaf;
      for (let b = 0; b < 256; b++) {
        while (j + 1 < n && starts[j + 1]! <= sub + b) j++;
        t[leaf + b] = values[j]!;
      }
    }
  }
  return new Ipv4MultibitTable(t);
}
