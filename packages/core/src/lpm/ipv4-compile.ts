import { ipv4Ranges } from './ipv4-ranges.js';
import { buildMultibit, IPV4_SMALL_TABLE_PREFIXES } from './ipv4-multibit.js';
import { buildPacked } from './ipv4-packed.js';
import type { Ipv4Trie } from './ipv4-trie.js';
import type { CompiledIpv4Trie } from './types.js';

/**
 * What Ipv4Trie.compile() returns: the layout is chosen from the table, never from a flag.
 * - fewer than IPV4_SMALL_TABLE_PREFIXES prefixes: 16-4-4-8 (a 256 KiB root; a subnet's routes);
 * - else 20-4-8 (the fastest measured: ~13 MiB on the real 900k table), unless its /20 nodes would make it more than
 *   twice the packed form (long prefixes spread over most /20s), then Ipv4PackedTable: on the synthetic 1M table
 *   12.5 MiB, and measured 1.25-1.35x Ipv4PopcountTable's rate on uniform traffic (14.5 MiB), 1.05-1.2x on hot and
 *   inside-prefix traffic.
 * All answer the same; the choice is a pure function of the trie's contents.
 */
export function compileIpv4(trie: Ipv4Trie): CompiledIpv4Trie {
  const ranges = ipv4Ranges(trie);
  if (trie.size < IPV4_SMALL_TABLE_PREFIXES) return buildMultibit(ranges, '16-4-4-8');
  // Estimate both sizes from the runs: /20s holding more than one run, and run starts inside them.
  const { starts, count: n } = ranges;
  let nodes = 0;
  let inner = 0;
  let lastChunk = -1;
  for (let i = 1; i < n; i++) {
    const s = starts[i]!;
    if ((s & 0xfff) === 0) continue; // starts on a /20 boundary: no node needed for it
    inner++;
    const chunk = s >>> 12;
    if (chunk !== lastChunk) {
      nodes++;
      lastChunk = chunk;
    }
  }
  const plainBytes = 4 * (1 << 20) + 64 * nodes;
  const packedBytes = 4 * (1 << 20) + 4 * (1 << 12) + 4 * (nodes + inner);
  return plainBytes > 2 * packedBytes ? buildPacked(ranges) : buildMultibit(ranges, '20-4-8');
}
