// A plain DIR-24-8 (Gupta, Lin, McKeown 1998; DPDK rte_lpm's layout): the reference peer of the lpm suite.
// tbl24 has one 32-bit entry per /24; an entry is either a leaf (value + 1, 0 = no route) or, with GROUP set,
// the index of a 256-entry tbl8 group that resolves the last 8 bits. One read for prefixes <= /24, two otherwise.

const GROUP = 0x80000000;
const INDEX = 0x7fffffff;

export class Dir24_8 {
  readonly tbl24: Uint32Array;
  readonly tbl8: Uint32Array;
  readonly groups: number;

  private constructor(tbl24: Uint32Array, tbl8: Uint32Array, groups: number) {
    this.tbl24 = tbl24;
    this.tbl8 = tbl8;
    this.groups = groups;
  }

  /**
   * Builds from parallel arrays (prefix i = prefixes[i]/lengths[i] -> values[i], value >= 0, host bits ignored).
   * LPM semantics by painting in order of increasing length: a longer prefix overwrites what a shorter one painted;
   * at equal prefix and length the later entry wins (like a trie's insert, which replaces).
   */
  static build(prefixes: Uint32Array, lengths: Uint8Array, values: Int32Array, count = prefixes.length): Dir24_8 {
    const order = sortByLength(lengths, count);
    const tbl24 = new Uint32Array(1 << 24);
    // Count groups needed first so tbl8 is allocated once (capacity fixed at build: STYLE 3).
    const grouped = new Set<number>();
    for (let i = 0; i < count; i++) if (lengths[i] > 24) grouped.add(prefixes[i] >>> 8);
    const groups = grouped.size;
    const tbl8 = new Uint32Array(groups * 256);
    let used = 0;
    for (let k = 0; k < count; k++) {
      const i = order[k];
      const len = lengths[i];
      const leaf = values[i] + 1;
      if (len <= 24) {
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        const start = ((prefixes[i] & mask) >>> 0) >>> 8;
        tbl24.fill(leaf, start, start + (1 << (24 - len)));
      } else {
        const idx = prefixes[i] >>> 8;
        let e = tbl24[idx];
        if ((e & GROUP) === 0) {
          // First longer prefix in this /24: the group inherits the /24's current leaf.
          tbl8.fill(e, used * 256, used * 256 + 256);
          e = (GROUP | used) >>> 0;
          tbl24[idx] = e;
          used++;
        }
        const base = (e & INDEX) * 256;
        const mask = (0xffffffff << (32 - len)) >>> 0;
        const lo = ((prefixes[i] & mask) >>> 0) & 255;
        tbl8.fill(leaf, base + lo, base + lo + (1 << (32 - len)));
      }
    }
    return new Dir24_8(tbl24, tbl8, groups);
  }

  lookup(addr: number): number {
    let e = this.tbl24[addr >>> 8];
    if ((e & GROUP) !== 0) e = this.tbl8[((e & INDEX) << 8) | (addr & 255)];
    return e - 1;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count = addrs.length): void {
    const tbl24 = this.tbl24;
    const tbl8 = this.tbl8;
    for (let i = 0; i < count; i++) {
      const a = addrs[i];
      let e = tbl24[a >>> 8];
      if ((e & GROUP) !== 0) e = tbl8[((e & INDEX) << 8) | (a & 255)];
      out[i] = e - 1;
    }
  }

  get byteLength(): number {
    return this.tbl24.byteLength + this.tbl8.byteLength;
  }
}

/** Indices 0..count-1 ordered by length, stable (counting sort). */
function sortByLength(lengths: Uint8Array, count: number): Uint32Array {
  const starts = new Uint32Array(34);
  for (let i = 0; i < count; i++) starts[lengths[i] + 1]++;
  for (let l = 1; l < 34; l++) starts[l] += starts[l - 1];
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[starts[lengths[i]]++] = i;
  return order;
}
