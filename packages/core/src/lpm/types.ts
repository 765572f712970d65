// The compiled lookup forms' contract (issue 2). Implementations live next to this file.

/** An immutable IPv4 longest-prefix-match table. */
export interface CompiledIpv4Trie {
  /** Value of the longest matching prefix, -1 if none. */
  lookup(addr: number): number;
  /** out[i] = lookup(addrs[i]) for i < count (default addrs.length). Allocates nothing. */
  lookupBatch(addrs: Uint32Array, out: Int32Array, count?: number): void;
  /** Bytes of all typed arrays the table holds. */
  readonly byteLength: number;
}

/** An immutable IPv6 longest-prefix-match table; an address is 4 uint32 words, most significant first. */
export interface CompiledIpv6Trie {
  lookup(w0: number, w1: number, w2: number, w3: number): number;
  /** addrs holds 4 words per address. */
  lookupBatch(addrs: Uint32Array, out: Int32Array, count?: number): void;
  readonly byteLength: number;
}
