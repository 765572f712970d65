import { LpmArgumentError } from './errors.js';

export interface TrieOptions {
  /** Most builder nodes the trie may hold (default 2^26); going past it throws LpmCapacityError. */
  maxNodes?: number;
}

const DEFAULT_MAX_NODES = 1 << 26;

/**
 * The node store both builders (Ipv4Trie, Ipv6Trie) stand on: a binary trie in typed arrays (node 0 is the root,
 * child index 0 means "none"; `val` is the value of the prefix ending at the node, or -1), with a free list so
 * deleted nodes are reused, and a fixed capacity (`maxNodes`).
 */
export abstract class TrieNodes {
  readonly maxNodes: number;
  /** @internal node arrays, read by compile */
  left: Int32Array;
  /** @internal */
  right: Int32Array;
  /** @internal */
  val: Int32Array;
  protected count = 0;
  private used = 1;
  private freeHead = 0;
  private freeCount = 0;

  protected constructor(kind: string, options: TrieOptions) {
    const max = options.maxNodes ?? DEFAULT_MAX_NODES;
    if (!Number.isInteger(max) || max < 1) throw new LpmArgumentError(`${kind}: maxNodes ${String(max)} is not an integer >= 1`);
    this.maxNodes = max;
    const cap = Math.min(1024, max);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.val = new Int32Array(cap).fill(-1);
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.count;
  }

  /** Nodes that can still be created before the capacity is reached. */
  protected available(): number {
    return this.maxNodes - this.used + this.freeCount;
  }

  protected alloc(): number {
    if (this.freeHead !== 0) {
      const n = this.freeHead;
      this.freeHead = this.left[n]!;
      this.freeCount--;
      this.left[n] = 0;
      return n;
    }
    if (this.used === this.left.length) this.grow();
    return this.used++;
  }

  protected free(n: number): void {
    this.right[n] = 0;
    this.val[n] = -1;
    this.left[n] = this.freeHead;
    this.freeHead = n;
    this.freeCount++;
  }

  private grow(): void {
    const cap = Math.min(this.left.length * 2, this.maxNodes);
    const l = new Int32Array(cap);
    const r = new Int32Array(cap);
    const v = new Int32Array(cap).fill(-1);
    l.set(this.left);
    r.set(this.right);
    v.set(this.val);
    this.left = l;
    this.right = r;
    this.val = v;
  }
}
