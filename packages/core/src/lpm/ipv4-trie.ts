import { formatIpv4, maskIpv4 } from '../addr/index.js';
import { checkLength, checkValue, LpmArgumentError, LpmCapacityError } from './errors.js';
import { compileIpv4 } from './ipv4-compile.js';
import type { CompiledIpv4Trie } from './types.js';
import { TrieNodes, type TrieOptions } from './trie-nodes.js';

export type { TrieOptions } from './trie-nodes.js';

/**
 * The mutable IPv4 builder and source of truth: a binary radix trie whose nodes live in typed arrays (node 0 is the
 * root, child index 0 means "none"). Each node holds the value of the prefix that ends there, or -1.
 */
export class Ipv4Trie extends TrieNodes {
  private readonly path = new Int32Array(33);

  constructor(options: TrieOptions = {}) {
    super('Ipv4Trie', options);
  }

  /** Stores value for prefix/length, replacing any value already there. */
  insert(prefix: number, length: number, value: number): void {
    checkPrefix(prefix, length, 'Ipv4Trie.insert');
    checkValue(value, () => `Ipv4Trie.insert(${formatIpv4(prefix)}/${length})`);
    // Count the nodes this insert creates before creating any, so a capacity error leaves the trie unchanged.
    let node = 0;
    let depth = 0;
    while (depth < length) {
      const next = bit(prefix, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (next === 0) break;
      node = next;
      depth++;
    }
    const need = length - depth;
    if (need > this.available())
      throw new LpmCapacityError(
        this.maxNodes,
        `Ipv4Trie.insert(${formatIpv4(prefix)}/${length}): needs ${need} more nodes, the trie is at its limit of ${this.maxNodes} nodes`,
      );
    for (; depth < length; depth++) {
      const child = this.alloc();
      if (bit(prefix, depth) === 0) this.left[node] = child;
      else this.right[node] = child;
      node = child;
    }
    if (this.val[node]! < 0) this.count++;
    this.val[node] = value;
  }

  /** Removes prefix/length; true if it was there. */
  delete(prefix: number, length: number): boolean {
    checkPrefix(prefix, length, 'Ipv4Trie.delete');
    const path = this.path;
    let node = 0;
    path[0] = 0;
    for (let depth = 0; depth < length; depth++) {
      node = bit(prefix, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (node === 0) return false;
      path[depth + 1] = node;
    }
    if (this.val[node]! < 0) return false;
    this.val[node] = -1;
    this.count--;
    // Prune nodes that now carry neither a value nor children.
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

  /** Exact match: the value stored for prefix/length, -1 if absent. */
  get(prefix: number, length: number): number {
    checkPrefix(prefix, length, 'Ipv4Trie.get');
    let node = 0;
    for (let depth = 0; depth < length; depth++) {
      node = bit(prefix, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (node === 0) return -1;
    }
    return this.val[node]!;
  }

  /** Longest-prefix match by walking the builder (slow path, for explaining and checking); -1 if none. */
  longestMatch(addr: number): number {
    const a = addr >>> 0;
    let node = 0;
    let best = this.val[0]!;
    for (let depth = 0; depth < 32; depth++) {
      node = bit(a, depth) === 0 ? this.left[node]! : this.right[node]!;
      if (node === 0) break;
      const v = this.val[node]!;
      if (v >= 0) best = v;
    }
    return best;
  }

  /** Calls fn for every stored prefix, in address order (a prefix before the prefixes inside it). */
  walk(fn: (prefix: number, length: number, value: number) => void): void {
    const visit = (node: number, depth: number, prefix: number): void => {
      const v = this.val[node]!;
      if (v >= 0) fn(prefix, depth, v);
      const l = this.left[node]!;
      const r = this.right[node]!;
      if (l !== 0) visit(l, depth + 1, prefix);
      if (r !== 0) visit(r, depth + 1, (prefix | (0x80000000 >>> depth)) >>> 0);
    };
    visit(0, 0, 0);
  }

  /** [prefix, length, value] for every stored prefix, in the order of walk. */
  entries(): IterableIterator<[prefix: number, length: number, value: number]> {
    const out: [number, number, number][] = [];
    this.walk((p, l, v) => out.push([p, l, v]));
    return out[Symbol.iterator]();
  }

  /**
   * An immutable lookup table of the current contents (a multibit trie; compileIpv4 says which layout). Later
   * changes to the trie do not affect it. compileIpv4Ranges(trie) gives the smaller, slower DXR-style table.
   */
  compile(): CompiledIpv4Trie {
    return compileIpv4(this);
  }
}

function bit(x: number, depth: number): number {
  return (x >>> (31 - depth)) & 1;
}

function checkPrefix(prefix: number, length: number, where: string): void {
  checkLength(length, 32, where);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 0xffffffff)
    throw new LpmArgumentError(`${where}: prefix ${String(prefix)} is not a uint32 (an integer from 0 to 2^32-1)`);
  const canonical = (prefix & maskIpv4(length)) >>> 0;
  // R-ADDR-1: a prefix with host bits set is rejected, showing the canonical form.
  if (canonical !== prefix)
    throw new LpmArgumentError(
      `${where}: ${formatIpv4(prefix)}/${length} has host bits set: did you mean ${formatIpv4(canonical)}/${length}?`,
    );
}
