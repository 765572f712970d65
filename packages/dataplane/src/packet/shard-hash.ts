// The shard a packet belongs to when a batch is split between threads (parallel/): a symmetric 5-tuple hash (XOR of
// the two ends, so both directions of a flow agree, like RSS with a symmetric key). Cheap, because every shard
// evaluates it for every row of a shared batch (ingress).

export function shardOf4(proto: number, src: number, dst: number, sport: number, dport: number, shards: number): number {
  let h = (src ^ dst ^ Math.imul(sport ^ dport, 0x9e3779b1) ^ proto) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  // The top 16 bits scaled to [0, shards) (shards <= 65536): integer ops only; `% shards` of a uint32 is a float
  // modulo in V8 (~9 ns a row, more than the hash).
  return (((h ^ (h >>> 16)) >>> 16) * shards) >>> 16;
}

/** shardOf4 for IPv6 (4 words per address at s[off], d[off]). */
export function shardOf6(proto: number, s: Uint32Array, d: Uint32Array, off: number, sport: number, dport: number, shards: number): number {
  const x = s[off]! ^ d[off]! ^ Math.imul(s[off + 1]! ^ d[off + 1]!, 0x27d4eb2f) ^ Math.imul(s[off + 2]! ^ d[off + 2]!, 0x165667b1) ^ Math.imul(s[off + 3]! ^ d[off + 3]!, 0x61c88647);
  return shardOf4(proto, x, 0, sport, dport, shards);
}
