// vnetsim's LPM engine as the suite sees it: only public exports of @vnetsim/core (issue 2's contract).
import { Ipv4Trie, Ipv6Trie } from '@vnetsim/core';
import type { CompiledIpv4Trie, CompiledIpv6Trie } from '@vnetsim/core';
import type { Ipv4Table, Ipv6Table } from './tables.js';

export interface Built<T> {
  compiled: T;
  insertMs: number;
  compileMs: number;
}

/** The builder is returned with its compiled table, so that other layouts can be compiled from the same contents. */
export function buildVnetsimIpv4(t: Ipv4Table): Built<CompiledIpv4Trie> & { trie: Ipv4Trie } {
  const t0 = performance.now();
  const trie = new Ipv4Trie();
  for (let i = 0; i < t.count; i++) trie.insert(t.prefixes[i], t.lengths[i], t.values[i]);
  const t1 = performance.now();
  const compiled = trie.compile();
  return { compiled, insertMs: t1 - t0, compileMs: performance.now() - t1, trie };
}

export function buildVnetsimIpv6(t: Ipv6Table): Built<CompiledIpv6Trie> & { trie: Ipv6Trie } {
  const t0 = performance.now();
  const trie = new Ipv6Trie();
  for (let i = 0; i < t.count; i++) trie.insert(t.words.subarray(i * 4, i * 4 + 4), t.lengths[i], t.values[i]);
  const t1 = performance.now();
  const compiled = trie.compile();
  return { compiled, insertMs: t1 - t0, compileMs: performance.now() - t1, trie };
}
