// What the lpm suite needs from an npm (or Node built-in) peer. Peers take strings, as their users call them; the
// strings are formatted before timing so that the peer is not charged for our formatting.

export type PeerSemantics = 'lpm' | 'membership';

export interface PeerTable {
  /** out[i] = value of the longest match (-1 none) for 'lpm' peers, 1/0 (inside any prefix) for 'membership'. */
  lookupMany(addrs: readonly unknown[], out: Int32Array): void;
}

export interface Peer {
  name: string;
  /** Version and what it is, for the notes. */
  about: string;
  semantics: PeerSemantics;
  families: ReadonlyArray<4 | 6>;
  /** Why it could not be loaded, or null. */
  loadError: string | null;
  /** Largest table it is built from; above it the suite skips the peer and says so. */
  maxPrefixes: number;
  /** Why maxPrefixes (a list scan, a slow build...). */
  limitReason: string;
  /** cidrs[i] maps to value i. */
  build(cidrs: readonly string[], family: 4 | 6): PeerTable;
  /** Turns address strings ("1.2.3.4", "2001:db8::1") into what lookupMany takes. Not timed. */
  prepare(addrs: readonly string[], family: 4 | 6): unknown[];
}
