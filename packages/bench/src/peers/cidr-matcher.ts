// cidr-matcher (Marco Pracucci): membership only ("is this address inside any of these CIDRs?"), answered by a
// linear scan of [first, last] ranges for IPv4 and of ip6addr CIDR objects for IPv6.
import type { Peer, PeerTable } from './peer.js';
import { tryRequire } from './require.js';

interface Matcher {
  contains(addr: string): boolean;
}

const loaded = tryRequire('cidr-matcher');
const Ctor = loaded.mod as (new (cidrs: string[]) => Matcher) | null;

export const cidrMatcherPeer: Peer = {
  name: 'cidr-matcher',
  about: `cidr-matcher ${loaded.version} (membership, not LPM: linear scan of the ranges)`,
  semantics: 'membership',
  families: [4, 6],
  loadError: loaded.error,
  maxPrefixes: 200_000,
  limitReason: 'a linear scan per lookup (about 1 ms per lookup at 1M prefixes) and a slow build of ip6addr objects',
  build(cidrs): PeerTable {
    if (!Ctor) throw new Error(loaded.error ?? 'not loaded');
    const m = new Ctor([...cidrs]);
    return {
      lookupMany(addrs, out) {
        for (let i = 0; i < addrs.length; i++) out[i] = m.contains(addrs[i] as string) ? 1 : 0;
      },
    };
  },
  prepare(addrs) {
    return [...addrs];
  },
};
