// vnetsim's LPM engine as the suite sees it: only public exports of @vnetsim/core (issue 2's contract).
// Looked up by name so that the harness builds and runs (and says so) before the engine is exported.
import * as core from '@vnetsim/core';
import type { CompiledIpv4Trie, CompiledIpv6Trie } from '@vnetsim/core';
import type { Ipv4Table, Ipv6Table } from './tables.js';

interface Ipv4TrieBuilder {
  insert(prefix: number, length: number, value: number): void;
  compile(): CompiledIpv4Trie;
}
interface Ipv6TrieBuilder {
  insert(words: ArrayLike<number>, length: number, value: number): void;
  compile(): CompiledIpv6Trie;
}

const exportsByName = core as unknown as Record<string, unknown>;
const Ipv4TrieCtor = exportsByName['Ipv4Trie'] as (new () => Ipv4TrieBuilder) | undefined;
const Ipv6TrieCtor = exportsByName['Ipv6Trie'] as (new () => Ipv6TrieBuilder) | undefined;

export const engineAvailable = { v4: typeof Ipv4TrieCtor === 'function', v6: typeof Ipv6TrieCtor === 'function' };

export interface Built<T> {
  compiled: T;
  insertMs: number;
  compileMs: number;
}

export function buildVnetsimIpv4(t: Ipv4Table): Built<CompiledIpv4Trie> {
  if (!Ipv4TrieCtor) throw new Error('@vnetsim/core does not export Ipv4Trie yet');
  const t0 = performance.now();
  const trie = new Ipv4TrieCtor();
  for (let i = 0; i < t.count; i++) trie.insert(t.prefixes[i], t.lengths[i], t.values[i]);
  const t1 = performance.now();
  const compiled = trie.compile();
  return { compiled, insertMs: t1 - t0, compileMs: performance.now() - t1 };
}

export function buildVnetsimIpv6(t: Ipv6Table): Built<CompiledIpv6Trie> {
  if (!Ipv6TrieCtor) throw new Error('@vnetsim/core does not export Ipv6Trie yet');
  const t0 = performance.now();
  const trie = new Ipv6TrieCtor();
  for (let i = 0; i < t.count; i++) trie.insert(t.words.subarray(i * 4, i * 4 + 4), t.lengths[i], t.values[i]);
  const t1 = performance.now();
  const compiled = trie.compile();
  return { compiled, insertMs: t1 - t0, compileMs: performance.now() - t1 };
}
