import { checkBatch, LpmArgumentError } from './errors.js';
import type { CompiledIpv4Trie } from './types.js';

/** Smallest and largest cache sizes, as log2 of the entry count (4 KiB .. 8 MiB of cache). */
export const DEST_CACHE_MIN_BITS = 9;
export const DEST_CACHE_MAX_BITS = 20;
/** Default: 2^14 entries, 128 KiB, small enough to stay in L2 next to the hot part of the table. */
export const DEST_CACHE_DEFAULT_BITS = 14;

export interface Ipv4DestinationCacheOptions {
  /** log2 of the number of entries, DEST_CACHE_MIN_BITS..DEST_CACHE_MAX_BITS (default DEST_CACHE_DEFAULT_BITS). */
  bits?: number;
}

/**
 * An exact-match destination cache in front of a compiled IPv4 table (DESIGN "Forwarding table": Open vSwitch's
 * exact-match cache, the remedy for hot traffic): direct-mapped, one multiplicative hash of the address picks a slot,
 * one compare of the stored address decides. A hit is one read of one cache line (key and value sit side by side in
 * one Int32Array); a miss asks the wrapped table and overwrites the slot. The wrapped table is immutable, so the cache
 * only memoizes: every answer equals `inner.lookup(addr)`. Nothing is allocated per lookup.
 *
 * No valid flag is needed: an empty slot h holds an address whose hash is not h, which no lookup landing on h can
 * equal (slots != 0 hold 0, which hashes to slot 0; slot 0 holds 1, which does not).
 *
 * The cache itself is mutable state: share the wrapped table between threads, not this object.
 */
export class Ipv4DestinationCache implements CompiledIpv4Trie {
  /** Lookups answered from the cache / by the wrapped table, since construction or the last clear(). */
  hits = 0;
  misses = 0;
  readonly byteLength: number;
  /** Number of slots (2^bits). */
  readonly entries: number;
  private readonly shift: number;
  /** slots[2h] = address (as int32), slots[2h + 1] = its value. */
  private readonly slots: Int32Array;

  constructor(
    readonly inner: CompiledIpv4Trie,
    options: Ipv4DestinationCacheOptions = {},
  ) {
    const bits = options.bits ?? DEST_CACHE_DEFAULT_BITS;
    if (!Number.isInteger(bits) || bits < DEST_CACHE_MIN_BITS || bits > DEST_CACHE_MAX_BITS)
      throw new LpmArgumentError(
        `Ipv4DestinationCache: options.bits ${String(bits)} is not an integer from ${DEST_CACHE_MIN_BITS} to ${DEST_CACHE_MAX_BITS}`,
      );
    this.entries = 1 << bits;
    this.shift = 32 - bits;
    this.slots = new Int32Array(2 * this.entries);
    this.byteLength = inner.byteLength + this.slots.byteLength;
    this.clear();
  }

  /** Empties the cache and zeroes the counters. */
  clear(): void {
    this.slots.fill(0);
    this.slots[0] = 1; // slot 0's empty key: 1 hashes elsewhere (see the class comment)
    this.hits = 0;
    this.misses = 0;
  }

  /** The slot an address maps to (Fibonacci hashing: the top bits of addr * 2^32/phi). */
  slotOf(addr: number): number {
    return Math.imul(addr, 0x9e3779b1) >>> this.shift;
  }

  lookup(addr: number): number {
    const s = this.slots;
    const j = (Math.imul(addr, 0x9e3779b1) >>> this.shift) << 1;
    if (s[j] === (addr | 0)) {
      this.hits++;
      return s[j + 1]!;
    }
    this.misses++;
    const v = this.inner.lookup(addr);
    s[j] = addr;
    s[j + 1] = v;
    return v;
  }

  lookupBatch(addrs: Uint32Array, out: Int32Array, count: number = addrs.length): void {
    checkBatch(addrs.length, 1, out.length, count);
    const s = this.slots;
    const shift = this.shift;
    const inner = this.inner;
    let misses = 0;
    for (let i = 0; i < count; i++) {
      const a = addrs[i]!;
      const k = a | 0;
      const j = (Math.imul(k, 0x9e3779b1) >>> shift) << 1;
      if (s[j] === k) out[i] = s[j + 1]!;
      else {
        misses++;
        const v = inner.lookup(a);
        s[j] = k;
        s[j + 1] = v;
        out[i] = v;
      }
    }
    this.hits += count - misses;
    this.misses += misses;
  }
}
