import type { Peer } from './peer.js';
import { longestPrefixMatchPeer } from './longest-prefix-match.js';
import { cidrMatcherPeer } from './cidr-matcher.js';
import { blockListPeer } from './blocklist.js';

export type { Peer, PeerTable, PeerSemantics } from './peer.js';

/** npm packages a user would pick for "which prefix does this address fall in", as installed in this workspace. */
export const peers: Peer[] = [longestPrefixMatchPeer, cidrMatcherPeer, blockListPeer];

/** Candidates found on npm but not installed (the bench cannot add dependencies): reported in the notes. */
export const notInstalledCandidates =
  'not installed, candidates for a later run: ip-set, arkime-iptrie, ip-matching, ipaddr.js (subnetMatch), netmask, ip-cidr, fast-cidr-tools';
