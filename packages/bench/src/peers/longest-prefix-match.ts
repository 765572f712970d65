// longest-prefix-match (Massimo Candela): pure JS. Keys are binary strings ("0101..."), a binary trie of objects
// walked one bit per level; getMatch takes a prefix string ("1.2.3.4/32") and returns the payloads of the longest match.
import type { Peer, PeerTable } from './peer.js';
import { tryRequire } from './require.js';

interface Lpm {
  addPrefix(prefix: string, payload: unknown): void;
  getMatch(prefix: string, all?: boolean): unknown[];
}

const loaded = tryRequire('longest-prefix-match');
const Ctor = loaded.mod as (new () => Lpm) | null;

export const longestPrefixMatchPeer: Peer = {
  name: 'longest-prefix-match',
  about: `longest-prefix-match ${loaded.version} (pure JS binary trie over bit strings; answers LPM for IPv4 and IPv6)`,
  semantics: 'lpm',
  families: [4, 6],
  loadError: loaded.error,
  maxPrefixes: Infinity,
  limitReason: '',
  build(cidrs): PeerTable {
    if (!Ctor) throw new Error(loaded.error ?? 'not loaded');
    const lpm = new Ctor();
    for (let i = 0; i < cidrs.length; i++) lpm.addPrefix(cidrs[i], i);
    return {
      lookupMany(addrs, out) {
        for (let i = 0; i < addrs.length; i++) {
          const m = lpm.getMatch(addrs[i] as string);
          // Several payloads at one prefix: the last added wins, like an insert that replaces.
          out[i] = m.length === 0 ? -1 : (m[m.length - 1] as number);
        }
      },
    };
  },
  prepare(addrs, family) {
    const suffix = family === 4 ? '/32' : '/128';
    return addrs.map((a) => a + suffix);
  },
};
