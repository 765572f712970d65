import { formatIpv6, maskIpv6InPlace } from '../addr/index.js';
import { checkLength, checkValue, LpmArgumentError, LpmCapacityError } from './errors.js';
import { compileIpv6Popcount } from './ipv6-popcount.js';
import { TrieNodes, type TrieOptions } from './trie-nodes.js';
import type { CompiledIpv6Trie } from './types.js';

/**
 * The mutable IPv6 builder and source of truth: a binary radix trie over typed arrays, like Ipv4Trie, 128 levels
 * deep. An address or prefix is 4 uint32 words, most significant first.
 */
export class Ipv6Trie extends TrieNodes {
  private readonly path = new Int32Array(129);
  private readonly w = new Uint32Array(4);

  constructor(options: TrieOptions = {}) {
    super('Ipv6Trie', options);
  }

  /** Stores value for words/length, replacing any value already there. */
  insert(words: ArrayLike<number>, length: number, value: number): void {
    const w = this.checkPrefix(words, length, 'Ipv6Trie.insert');
    checkValue(value, () => `Ipv6Trie.insert(${formatIpv6(w)}/${length})`);
    let node = 0;
    let depth = 0;
    while (depth < length) {
      const next = bit(w, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (next === 0) break;
      node = next;
      depth++;
    }
    const need = length - depth;
    if (need > this.available())
      throw new LpmCapacityError(
        this.maxNodes,
        `Ipv6Trie.insert(${formatIpv6(w)}/${length}): needs ${need} more nodes, the trie is at its limit of ${this.maxNodes} nodes`,
      );
    for (; depth < length; depth++) {
      const child = this.alloc();
      if (bit(w, depth) === 0) this.left[node] = child;
      else this.right[node] = child;
      node = child;
    }
    if (this.val[node]! < 0) this.count++;
    this.val[node] = value;
  }

  /** Removes words/length; true if it was there. */
  delete(words: ArrayLike<number>, length: number): boolean {
    const w = this.checkPrefix(words, length, 'Ipv6Trie.delete');
    const path = this.path;
    let node = 0;
    path[0] = 0;
    for (let depth = 0; depth < length; depth++) {
      node = bit(w, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (node === 0) return false;
      path[depth + 1] = node;
    }
    if (this.val[node]! < 0) return false;
    this.val[node] = -1;
    this.count--;
    for (let depth = length; depth > 0; depth--) {
      const n = path[depth]!;
      if (this.val[n]! >= 0 || this.left[n] !== 0 || this.right[n] !== 0) break;
      const parent = path[depth - 1]!;
      if (this.left[parent] === n) this.left[parent] = 0;
      else this.right[parent] = 0;
      this.free(n);
    }
    return true;
  }

  /** Exact match: the value stored for words/length, -1 if absent. */
  get(words: ArrayLike<number>, length: number): number {
    const w = this.checkPrefix(words, length, 'Ipv6Trie.get');
    let node = 0;
    for (let depth = 0; depth < length; depth++) {
      node = bit(w, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (node === 0) return -1;
    }
    return this.val[node]!;
  }

  /** Longest-prefix match by walking the builder (slow path, for explaining and checking); -1 if none. */
  longestMatch(w0: number, w1: number, w2: number, w3: number): number {
    const w = this.w;
    w[0] = w0;
    w[1] = w1;
    w[2] = w2;
    w[3] = w3;
    let node = 0;
    let best = this.val[0]!;
    for (let depth = 0; depth < 128; depth++) {
      node = bit(w, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (node === 0) break;
      const v = this.val[node]!;
      if (v >= 0) best = v;
    }
    return best;
  }

  /** Calls fn for every stored prefix in address order; `words` is a fresh array per call. */
  walk(fn: (words: Uint32Array, length: number, value: number) => void): void {
    const cur = new Uint32Array(4);
    const visit = (node: number, depth: number): void => {
      const v = this.val[node]!;
      if (v >= 0) fn(Uint32Array.from(cur), depth, v);
      const l = this.left[node]!;
      const r = this.right[node]!;
      if (l !== 0) visit(l, depth + 1);
      if (r !== 0) {
        const i = depth >>> 5;
        const b = 0x80000000 >>> (depth & 31);
        cur[i] = (cur[i]! | b) >>> 0;
        visit(r, depth + 1);
        cur[i] = (cur[i]! & ~b) >>> 0;
      }
    };
    visit(0, 0);
  }

  /** [words, length, value] for every stored prefix, in the order of walk. */
  entries(): IterableIterator<[words: Uint32Array, length: number, value: number]> {
    const out: [Uint32Array, number, number][] = [];
    this.walk((w, l, v) => out.push([w, l, v]));
    return out[Symbol.iterator]();
  }

  /**
   * An immutable lookup table of the current contents (Ipv6PopcountTable); later changes to the trie do not affect it.
   * compileIpv6(trie) gives the larger direct/run-list layout.
   */
  compile(): CompiledIpv6Trie {
    return compileIpv6Popcount(this);
  }

  private checkPrefix(words: ArrayLike<number>, length: number, where: string): Uint32Array {
    checkLength(length, 128, where);
    if (words == null || words.length !== 4)
      throw new LpmArgumentError(`${where}: expected 4 uint32 words, got ${words == null ? String(words) : `${words.length} items`}`);
    const w = this.w;
    for (let i = 0; i < 4; i++) {
      const x = words[i]!;
      if (!Number.isInteger(x) || x < 0 || x > 0xffffffff)
        throw new LpmArgumentError(`${where}: word ${i} (${String(x)}) is not a uint32 (an integer from 0 to 2^32-1)`);
      w[i] = x;
    }
    // R-ADDR-1: a prefix with host bits set is rejected, showing the canonical form.
    for (let i = 0; i < 4; i++) {
      const bits = length - 32 * i;
      const mask = bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if ((w[i]! & ~mask) !== 0) {
        const canonical = maskIpv6InPlace(Uint32Array.from(w), length);
        throw new LpmArgumentError(
          `${where}: ${formatIpv6(w)}/${length} has host bits set: did you mean ${formatIpv6(canonical)}/${length}?`,
        );
      }
    }
    return w;
  }
}

function bit(w: Uint32Array, depth: number): number {
  return (w[depth >>> 5]! >>> (31 - (depth & 31))) & 1;
}
