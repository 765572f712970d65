import { checkBatch, LpmCapacityError } from './errors.js';
import type { Ipv6Trie } from './ipv6-trie.js';
import type { CompiledIpv6Trie } from './types.js';

/** A stride node with more runs than this is stored as a direct 256-entry array, else as a sorted run list. */
export const IPV6_DIRECT_NODE_RUNS = 24;
/** Largest number of stride nodes / entries a compiled IPv6 table holds (pointers are -2 - node in an int32). */
export const IPV6_MAX_NODES = 0x3fffffff;

/**
 * Multibit trie with leaf pushing: a direct root on the top 16 bits, then 8-bit strides. An entry >= -1 is a final
 * value (-1 = no route); an entry < -1 points at stride node n = -2 - entry (VPP's "leaf or ply in one word").
 * Node n's entries start at info[2n]; info[2n+1] is 256 for a direct node (indexed by the next address byte) or the
 * number of runs of a sparse node (entries keyed by their first byte in keys[], found by a short search). Nodes
 * exist only under prefixes longer than /16, so a real table (mostly /32../48) stays small.
 */
export class Ipv6StrideTable implements CompiledIpv6Trie {
  readonly byteLength: number;

  constructor(
    private readonly root: Int32Array,
    private readonly info: Int32Array,
    private readonly ent: Int32Array,
    private readonly keys: Uint8Array,
  ) {
    this.byteLength = root.byteLength + info.byteLength + ent.byteLength + keys.byteLength;
  }

  lookup(w0: number, w1: number, w2: number, w3: number): number {
    let e = this.root[w0 >>> 16]!;
    let d = 16;
    while (e < -1) {
      const n = (-2 - e) << 1;
      const off = this.info[n]!;
      const cnt = this.info[n + 1]!;
      const w = d < 32 ? w0 : d < 64 ? w1 : d < 96 ? w2 : w3;
      const b = (w >>> (24 - (d & 31))) & 255;
      if (cnt === 256) e = this.ent[off + b]!;
      else {
        const keys = this.keys;
        let i = off + 1;
        const end = off + cnt;
        while (i < end && keys[i]! <= b) i++;
        e = this.ent[i - 1]!;
      }
      d += 8;
    }
    return e;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length >>> 2): void {
    checkBatch(addrs.length, 4, out.length, count);
    const root = this.root;
    const info = this.info;
    const ent = this.ent;
    const keys = this.keys;
    for (let i = 0; i < count; i++) {
      const p = i << 2;
      let e = root[addrs[p]! >>> 16]!;
      let d = 16;
      while (e < -1) {
        const n = (-2 - e) << 1;
        const off = info[n]!;
        const cnt = info[n + 1]!;
        const w = addrs[p + (d >>> 5)]!;
        const b = (w >>> (24 - (d & 31))) & 255;
        if (cnt === 256) e = ent[off + b]!;
        else {
          let k = off + 1;
          const end = off + cnt;
          while (k < end && keys[k]! <= b) k++;
          e = ent[k - 1]!;
        }
        d += 8;
      }
      out[i] = e;
    }
  }
}

/** Growable int32 storage used while compiling. */
class Grow {
  a: Int32Array;
  n = 0;
  constructor(cap: number) {
    this.a = new Int32Array(cap);
  }
  reserve(k: number): number {
    const at = this.n;
    if (at + k > this.a.length) {
      const b = new Int32Array(Math.max(this.a.length * 2, at + k));
      b.set(this.a);
      this.a = b;
    }
    this.n += k;
    return at;
  }
}

/** Compiles the trie's current contents; pure: the result shares no memory with the trie. */
export function compileIpv6(trie: Ipv6Trie, denseRuns: number = IPV6_DIRECT_NODE_RUNS): Ipv6StrideTable {
  const { left, right, val } = trie;
  // Runs of one node being compiled, per level (root = level 0, 65536 slots; stride nodes: 256 slots).
  const runStart: Int32Array[] = [];
  const runNode: Int32Array[] = []; // trie node below the slot (0 = leaf)
  const runVal: Int32Array[] = [];
  for (let level = 0; level < 15; level++) {
    const cap = level === 0 ? 65536 : 256;
    runStart.push(new Int32Array(cap));
    runNode.push(new Int32Array(cap));
    runVal.push(new Int32Array(cap));
  }
  const runCount = new Int32Array(15);
  const ent = new Grow(1 << 16);
  const keys = new Grow(1 << 16);
  const info = new Grow(1 << 12);

  // Collects the runs of slots [depth0, end) below trie node `node` into level `lv`.
  const gather = (lv: number, node: number, d: number, end: number, slot: number, inherited: number): void => {
    const own = val[node]!;
    const v = own >= 0 ? own : inherited;
    const l = left[node]!;
    const r = right[node]!;
    if (d === end || (l === 0 && r === 0)) {
      pushRun(lv, slot, l === 0 && r === 0 ? 0 : node, v);
      return;
    }
    const half = 1 << (end - d - 1);
    if (l !== 0) gather(lv, l, d + 1, end, slot, v);
    else pushRun(lv, slot, 0, v);
    if (r !== 0) gather(lv, r, d + 1, end, slot + half, v);
    else pushRun(lv, slot + half, 0, v);
  };
  const pushRun = (lv: number, slot: number, node: number, v: number): void => {
    const k = runCount[lv]!;
    // Neighbouring leaves with the same value merge into one run.
    if (node === 0 && k > 0 && runNode[lv]![k - 1] === 0 && runVal[lv]![k - 1] === v) return;
    runStart[lv]![k] = slot;
    runNode[lv]![k] = node;
    runVal[lv]![k] = v;
    runCount[lv] = k + 1;
  };
  // Compiles the stride node for the trie node at depth d (which has children); returns its entry (-2 - index).
  const compileNode = (lv: number, node: number, d: number, inherited: number): number => {
    runCount[lv] = 0;
    gather(lv, node, d, d + 8, 0, inherited);
    const k = runCount[lv]!;
    const idx = info.n >>> 1;
    if (idx >= IPV6_MAX_NODES) throw new LpmCapacityError(IPV6_MAX_NODES, `compileIpv6: more than ${IPV6_MAX_NODES} stride nodes`);
    const at = info.reserve(2);
    const direct = k > denseRuns;
    const size = direct ? 256 : k;
    const off = ent.reserve(size);
    keys.reserve(size);
    info.a[at] = off;
    info.a[at + 1] = direct ? 256 : k;
    // Copy this level's runs first: compiling children reuses deeper levels only, but `ent` may be reallocated.
    for (let i = 0; i < k; i++) {
      const s = runStart[lv]![i]!;
      const child = runNode[lv]![i]!;
      const v = runVal[lv]![i]!;
      const e = child === 0 ? v : compileNode(lv + 1, child, d + 8, v);
      if (direct) {
        const stop = i + 1 < k ? runStart[lv]![i + 1]! : 256;
        ent.a.fill(e, off + s, off + stop);
      } else {
        ent.a[off + i] = e;
        keys.a[off + i] = s;
      }
    }
    return -2 - idx;
  };

  const root = new Int32Array(65536);
  runCount[0] = 0;
  gather(0, 0, 0, 16, 0, -1);
  const k0 = runCount[0]!;
  for (let i = 0; i < k0; i++) {
    const s = runStart[0]![i]!;
    const stop = i + 1 < k0 ? runStart[0]![i + 1]! : 65536;
    const child = runNode[0]![i]!;
    const v = runVal[0]![i]!;
    root.fill(child === 0 ? v : compileNode(1, child, 16, v), s, stop);
  }
  const keyBytes = new Uint8Array(keys.n);
  for (let i = 0; i < keys.n; i++) keyBytes[i] = keys.a[i]!;
  return new Ipv6StrideTable(root, info.a.slice(0, info.n), ent.a.slice(0, ent.n), keyBytes);
}
