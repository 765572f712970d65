// node:net BlockList (built into Node): membership only (check(address) -> boolean), rules kept in a list that
// check() walks in C++.
import { BlockList } from 'node:net';
import type { Peer, PeerTable } from './peer.js';

export const blockListPeer: Peer = {
  name: 'node:net BlockList',
  about: `node:net BlockList (Node ${process.version}; membership, not LPM: a list of rules walked per check)`,
  semantics: 'membership',
  families: [4, 6],
  loadError: null,
  maxPrefixes: 200_000,
  limitReason: 'check() walks every rule (linear in the table size)',
  build(cidrs, family): PeerTable {
    const bl = new BlockList();
    const type = family === 4 ? 'ipv4' : 'ipv6';
    for (const c of cidrs) {
      const slash = c.indexOf('/');
      bl.addSubnet(c.slice(0, slash), Number(c.slice(slash + 1)), type);
    }
    return {
      lookupMany(addrs, out) {
        for (let i = 0; i < addrs.length; i++) out[i] = bl.check(addrs[i] as string, type) ? 1 : 0;
      },
    };
  },
  prepare(addrs) {
    return [...addrs];
  },
};
