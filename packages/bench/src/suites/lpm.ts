// IPv4/IPv6 longest-prefix match, one question: how many lookupBatch lookups per second does vnetsim's compiled trie
// do, in how many bytes, against a plain DIR-24-8 and the npm packages a user would pick, on the same tables and
// destination streams in the same process? (DESIGN.md "Figures to reach"; STYLE 12.)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compileIpv4Packed, compileIpv6, formatIpv4, formatIpv4Cidr, formatIpv6, formatIpv6Cidr, Ipv4DestinationCache } from '@vnetsim/core';
import type { CompiledIpv4Trie } from '@vnetsim/core';
import type { ResultRow, Suite, SuiteContext, SuiteResult } from '../suite.js';
import { measureBatch, measureInterleaved, row } from '../suite.js';
import { Dir24_8 } from '../reference/dir24-8.js';
import { NaiveIpv6Lpm } from '../reference/ipv6-naive.js';
import { buildVnetsimIpv4, buildVnetsimIpv6 } from '../engine.js';
import type { Built } from '../engine.js';
import { Rng } from '../rng.js';
import { notInstalledCandidates, peers } from '../peers/index.js';
import type { Peer, PeerTable } from '../peers/index.js';
import { heapAvailable, heapUsed } from '../heap.js';
import { benchScalar } from '../scalar.js';
import {
  describeMix, ipv4Stream, ipv6Stream, loadRealTable, STREAM_DESCRIPTIONS, syntheticIpv4,
} from '../tables.js';
import type { Ipv4Table, Ipv6Table, StreamKind } from '../tables.js';

export const REAL_TABLE = 'routing-tables/iprbench_prefixes.txt.gz';
/** log2 of the slots of the "vnetsim + dest cache" rows' cache (Ipv4DestinationCache; 2^14 slots = 128 KiB). */
const DEST_CACHE_BITS = 14;
/** Distinct destinations of the real table's "flows" case (drawn like the hot stream), repeated over the stream. */
const FLOW_DESTINATIONS = 4096;
/** Row of the IPv6 direct/run-list layout (compileIpv6), timed beside the default (popcount) layout. */
const MULTIBIT_V6 = 'vnetsim direct/run-list (compileIpv6)';
/** Row of the IPv4 packed layout (compileIpv4Packed, at most 8 MiB on the real table), timed beside the default. */
const PACKED_V4 = 'vnetsim packed (compileIpv4Packed)';

interface Plan {
  sizes: number[];
  syntheticStreams: StreamKind[];
  realStreams: StreamKind[];
  /** Destinations per stream for the typed-array implementations. */
  streamLength: number;
  /** Destinations formatted as strings for the peers. */
  peerStreamLength: number;
  runs: number;
  minMs: number;
  peerMinMs: number;
  /** Guard sample: vnetsim vs the reference on this many destinations of every stream. */
  guard: number;
  /** Peers with a lower maxPrefixes are skipped above it anyway; this caps everyone (quick: keeps the run short). */
  peerMaxPrefixes: number;
}

function plan(quick: boolean): Plan {
  return quick
    ? { sizes: [1_000, 100_000], syntheticStreams: ['uniform', 'hot'], realStreams: ['uniform', 'hot'], streamLength: 1 << 18,
        peerStreamLength: 2048, runs: 5, minMs: 40, peerMinMs: 25, guard: 1 << 18, peerMaxPrefixes: 100_000 }
    : { sizes: [1_000, 100_000, 1_000_000], syntheticStreams: ['uniform', 'hot', 'inside'],
        realStreams: ['uniform', 'hot', 'inside'], streamLength: 1 << 20, peerStreamLength: 8192, runs: 7, minMs: 150,
        peerMinMs: 60, guard: 1 << 20, peerMaxPrefixes: Infinity };
}

function sizeLabel(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

interface Ctx {
  ctx: SuiteContext;
  p: Plan;
  rows: ResultRow[];
  notes: string[];
}

/** Builds every applicable peer over `cidrs`; returns the built ones (skips and failures go to notes). */
function buildPeers(c: Ctx, label: string, cidrs: () => string[], count: number, family: 4 | 6) {
  const built: { peer: Peer; table: PeerTable; buildMs: number; bytes: number | undefined }[] = [];
  let list: string[] | null = null;
  for (const peer of peers) {
    if (peer.loadError !== null || !peer.families.includes(family)) continue;
    if (count > peer.maxPrefixes) {
      c.notes.push(`${label}: ${peer.name} skipped above ${peer.maxPrefixes.toLocaleString('en-US')} prefixes (${peer.limitReason}).`);
      continue;
    }
    if (count > c.p.peerMaxPrefixes && peer.maxPrefixes !== Infinity) {
      c.notes.push(`${label}: ${peer.name} skipped in --quick above ${c.p.peerMaxPrefixes.toLocaleString('en-US')} prefixes (${peer.limitReason}); the full run measures it.`);
      continue;
    }
    list ??= cidrs();
    c.ctx.log(`${label}: building ${peer.name}`);
    const before = heapUsed();
    const t0 = performance.now();
    let table: PeerTable;
    try {
      table = peer.build(list, family);
    } catch (e) {
      c.notes.push(`${label}: ${peer.name} failed to build: ${(e as Error).message}`);
      continue;
    }
    const buildMs = performance.now() - t0;
    const bytes = heapAvailable() && peer.name !== 'node:net BlockList' ? Math.max(0, heapUsed() - before) : undefined;
    built.push({ peer, table, buildMs, bytes });
  }
  return built;
}

/**
 * Times a peer over `prepared` destinations after checking its answers against `ref` (the reference's) on the
 * destinations it is timed on. The number of destinations per call is calibrated so that one call takes about a
 * quarter of a run: a list-scanning peer at 25 ms per lookup gets a handful, a trie thousands.
 */
function timePeer(c: Ctx, kase: string, peer: Peer, table: PeerTable, prepared: unknown[], ref: Int32Array,
  more: { buildMs: number; bytes: number | undefined }): void {
  const out = new Int32Array(prepared.length);
  let calls = 0;
  const one = prepared.slice(0, 1);
  const t0 = performance.now();
  do {
    table.lookupMany(one, out);
    calls++;
  } while (performance.now() - t0 < 5);
  const rate = (calls * 1000) / (performance.now() - t0);
  const k = Math.max(4, Math.min(prepared.length, Math.round((rate * c.p.peerMinMs) / 4000)));
  const slice = prepared.slice(0, k);
  table.lookupMany(slice, out);
  let wrong = 0;
  for (let i = 0; i < k; i++) {
    const expected = peer.semantics === 'lpm' ? ref[i] : ref[i] >= 0 ? 1 : 0;
    if (out[i] !== expected) wrong++;
  }
  if (wrong > 0) c.notes.push(`${kase}: ${peer.name} disagrees with the reference on ${wrong} of ${k} destinations.`);
  const m = measureBatch(() => table.lookupMany(slice, out), k, { minRuns: 5, minMs: c.p.peerMinMs, warmupCalls: 0 });
  const extra: Record<string, number | string> = { semantics: peer.semantics, lookupsPerCall: k };
  if (wrong > 0) extra.mismatches = wrong;
  c.rows.push(row(kase, peer.name + (peer.semantics === 'membership' ? ' (membership)' : ''), m, {
    buildMs: more.buildMs, ...(more.bytes !== undefined ? { bytes: more.bytes } : {}), extra,
  }));
}

function runIpv4Table(c: Ctx, label: string, t: Ipv4Table, streams: StreamKind[], seed: number, flows = false): void {
  const { ctx, p } = c;
  ctx.log(`${label}: building DIR-24-8`);
  const d0 = performance.now();
  const dir = Dir24_8.build(t.prefixes, t.lengths, t.values, t.count);
  const dirMs = performance.now() - d0;
  ctx.log(`${label}: building vnetsim Ipv4Trie`);
  const vn = buildVnetsimIpv4(t);
  const p0 = performance.now();
  const packed = { compiled: compileIpv4Packed(vn.trie), compileMs: 0 };
  packed.compileMs = performance.now() - p0;
  const built = buildPeers(c, label, () => {
    const list = new Array<string>(t.count);
    for (let i = 0; i < t.count; i++) list[i] = formatIpv4Cidr(t.prefixes[i], t.lengths[i]);
    return list;
  }, t.count, 4);

  for (const kind of streams) {
    const kase = `${label} / ${kind}`;
    const addrs = ipv4Stream(kind, t, p.streamLength, seed + kind.length);
    const { ref, vnOk } = timeTyped(c, kase, addrs, dir, dirMs, vn, packed);
    if (built.length > 0) {
      const strs = new Array<string>(Math.min(p.peerStreamLength, addrs.length));
      for (let i = 0; i < strs.length; i++) strs[i] = formatIpv4(addrs[i]);
      for (const b of built) {
        ctx.log(`${kase}: timing ${b.peer.name}`);
        timePeer(c, kase, b.peer, b.table, b.peer.prepare(strs, 4), ref, b);
      }
    }
    if (!ctx.quick && kind === 'uniform' && vnOk) scalarRows(c, `${kase} / lookup()`, addrs, vn.compiled, dir);
  }
  if (flows) {
    const kase = `${label} / flows ${sizeLabel(FLOW_DESTINATIONS)}`;
    timeTyped(c, kase, flowStream(ipv4Stream('hot', t, FLOW_DESTINATIONS, seed + 7), p.streamLength, seed + 8), dir, dirMs, vn, packed);
  }
}

/**
 * Guards and times vnetsim, vnetsim behind the destination cache and DIR-24-8 on one stream, interleaved (the same
 * machine load falls on all three), and pushes their rows. Returns DIR-24-8's answers (the reference).
 */
function timeTyped(c: Ctx, kase: string, addrs: Uint32Array, dir: Dir24_8, dirMs: number, vn: Built<CompiledIpv4Trie>,
  packed: { compiled: CompiledIpv4Trie; compileMs: number },
): { ref: Int32Array; vnOk: boolean } {
  const { ctx, p } = c;
  const ref = new Int32Array(addrs.length);
  const out = new Int32Array(addrs.length);
  dir.lookupBatch(addrs, ref);
  // Guard: a benchmark of a wrong answer is worthless; vnetsim must agree with DIR-24-8 before it is timed.
  const n = Math.min(p.guard, addrs.length);
  vn.compiled.lookupBatch(addrs, out, n);
  const { wrong, first } = mismatches(out, ref, n);
  const vnOk = wrong === 0;
  if (!vnOk) {
    c.notes.push(`${kase}: vnetsim NOT TIMED: disagrees with DIR-24-8 on ${wrong} of ${n} destinations ` +
      `(first: ${formatIpv4(addrs[first])} -> ${out[first]}, expected ${ref[first]}).`);
  }
  // The same table behind an exact-match destination cache (a fresh one per stream), guarded the same way; its hit
  // rate is that of one cold pass over the guarded destinations, the timed passes run warm.
  const cached = new Ipv4DestinationCache(vn.compiled, { bits: DEST_CACHE_BITS });
  cached.lookupBatch(addrs, out, n);
  const cachedWrong = mismatches(out, ref, n).wrong;
  const hitRate = cached.hits / n;
  const cachedOk = vnOk && cachedWrong === 0;
  if (vnOk && !cachedOk) {
    c.notes.push(`${kase}: vnetsim + dest cache NOT TIMED: disagrees with DIR-24-8 on ${cachedWrong} of ${n} destinations.`);
  }
  packed.compiled.lookupBatch(addrs, out, n);
  const packedWrong = mismatches(out, ref, n).wrong;
  if (packedWrong > 0) c.notes.push(`${kase}: ${PACKED_V4} NOT TIMED: disagrees with DIR-24-8 on ${packedWrong} of ${n} destinations.`);
  ctx.log(`${kase}: timing`);
  const timed = [{ fn: () => dir.lookupBatch(addrs, out), opsPerCall: addrs.length }];
  const at = (ok: boolean, fn: () => void): number => (ok ? timed.push({ fn, opsPerCall: addrs.length }) - 1 : -1);
  const vnAt = at(vnOk, () => vn.compiled.lookupBatch(addrs, out));
  const cachedAt = at(cachedOk, () => cached.lookupBatch(addrs, out));
  const packedAt = at(packedWrong === 0, () => packed.compiled.lookupBatch(addrs, out));
  const measured = measureInterleaved(timed, { minRuns: p.runs, minMs: p.minMs });
  const md = measured[0]!;
  const mv = vnAt >= 0 ? measured[vnAt] : undefined;
  const mc = cachedAt >= 0 ? measured[cachedAt] : undefined;
  if (mv) {
    c.rows.push(row(kase, 'vnetsim', mv, {
      bytes: vn.compiled.byteLength, buildMs: vn.insertMs + vn.compileMs,
      extra: { insertMs: round(vn.insertMs), compileMs: round(vn.compileMs), guarded: n },
    }));
  }
  if (mc) {
    c.rows.push(row(kase, 'vnetsim + dest cache', mc, {
      bytes: cached.byteLength, buildMs: vn.insertMs + vn.compileMs,
      extra: { cacheEntries: cached.entries, hitRate: Math.round(hitRate * 1000) / 1000, guarded: n },
    }));
  }
  if (packedAt >= 0) {
    c.rows.push(row(kase, PACKED_V4, measured[packedAt]!, {
      bytes: packed.compiled.byteLength, buildMs: vn.insertMs + packed.compileMs,
      extra: { compileMs: round(packed.compileMs), guarded: n },
    }));
  }
  c.rows.push(row(kase, 'dir-24-8', md, { bytes: dir.byteLength, buildMs: dirMs, extra: { tbl8Groups: dir.groups } }));
  return { ref, vnOk };
}

/** `n` destinations drawn uniformly, with repeats, from `pool` (a few thousand active destinations, like flows). */
function flowStream(pool: Uint32Array, n: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = pool[rng.below(pool.length)];
  return out;
}

/** lookup(addr), one call per address, timed with Benchmark.js: the cost of not batching. */
function scalarRows(c: Ctx, kase: string, addrs: Uint32Array, vn: CompiledIpv4Trie, dir: Dir24_8): void {
  const maskIdx = (1 << 16) - 1;
  let i = 0;
  let sink = 0;
  c.ctx.log(`${kase}: Benchmark.js`);
  const mv = benchScalar('vnetsim lookup', () => { sink ^= vn.lookup(addrs[i]); i = (i + 1) & maskIdx; }, { maxTime: 1, minSamples: 5 });
  const md = benchScalar('dir lookup', () => { sink ^= dir.lookup(addrs[i]); i = (i + 1) & maskIdx; }, { maxTime: 1, minSamples: 5 });
  c.rows.push(row(kase, 'vnetsim', mv, { extra: { harness: 'benchmark.js', sink } }));
  c.rows.push(row(kase, 'dir-24-8', md, { extra: { harness: 'benchmark.js' } }));
}

function runIpv6Table(c: Ctx, label: string, t: Ipv6Table, streams: StreamKind[], seed: number): void {
  const { ctx, p } = c;
  const naive = new NaiveIpv6Lpm();
  for (let i = 0; i < t.count; i++) naive.insert(t.words, i * 4, t.lengths[i], t.values[i]);
  ctx.log(`${label}: building vnetsim Ipv6Trie`);
  const vn = buildVnetsimIpv6(t);
  const m0 = performance.now();
  const multibit = { compiled: compileIpv6(vn.trie), compileMs: 0 };
  multibit.compileMs = performance.now() - m0;
  const built = buildPeers(c, label, () => {
    const list = new Array<string>(t.count);
    for (let i = 0; i < t.count; i++) list[i] = formatIpv6Cidr(t.words.subarray(i * 4, i * 4 + 4), t.lengths[i]);
    return list;
  }, t.count, 6);
  const n = p.streamLength >> 1;
  for (const kind of streams) {
    const kase = `${label} / ${kind}`;
    const addrs = ipv6Stream(kind, t, n, seed + kind.length);
    const out = new Int32Array(n);
    // The naive reference answers for the guard sample and the peers' destinations (it is slow: a sample only).
    const sample = Math.min(n, Math.max(p.peerStreamLength, 4096));
    const ref = new Int32Array(sample);
    for (let i = 0; i < sample; i++) ref[i] = naive.lookup(addrs, i * 4);
    vn.compiled.lookupBatch(addrs, out, sample);
    const { wrong, first } = mismatches(out, ref, sample);
    const vnOk = wrong === 0;
    if (!vnOk) {
      c.notes.push(`${kase}: vnetsim NOT TIMED: disagrees with the naive IPv6 reference on ${wrong} of ${sample} ` +
        `destinations (first: ${formatIpv6(addrs.subarray(first * 4, first * 4 + 4))} -> ${out[first]}, expected ${ref[first]}).`);
    }
    // The direct/run-list layout compileIpv6() builds from the same trie, guarded the same way.
    const alt = multibit.compiled;
    alt.lookupBatch(addrs, out, sample);
    const altWrong = mismatches(out, ref, sample).wrong;
    if (altWrong > 0) c.notes.push(`${kase}: ${MULTIBIT_V6} NOT TIMED: disagrees with the naive IPv6 reference on ${altWrong} of ${sample} destinations.`);
    ctx.log(`${kase}: timing`);
    const compiled = vn.compiled;
    const timed: { fn: () => void; opsPerCall: number }[] = [];
    if (vnOk) timed.push({ fn: () => compiled.lookupBatch(addrs, out), opsPerCall: n });
    if (altWrong === 0) timed.push({ fn: () => alt.lookupBatch(addrs, out), opsPerCall: n });
    const ms = timed.length > 0 ? measureInterleaved(timed, { minRuns: p.runs, minMs: p.minMs }) : [];
    if (vnOk) {
      c.rows.push(row(kase, 'vnetsim', ms.shift()!, {
        bytes: compiled.byteLength, buildMs: vn.insertMs + vn.compileMs,
        extra: { insertMs: round(vn.insertMs), compileMs: round(vn.compileMs), guarded: sample, bytesPerPrefix: round(compiled.byteLength / t.count) },
      }));
    }
    if (altWrong === 0) {
      c.rows.push(row(kase, MULTIBIT_V6, ms.shift()!, {
        bytes: alt.byteLength, buildMs: vn.insertMs + multibit.compileMs,
        extra: { compileMs: round(multibit.compileMs), guarded: sample, bytesPerPrefix: round(alt.byteLength / t.count) },
      }));
    }
    if (built.length > 0) {
      const strs = new Array<string>(Math.min(p.peerStreamLength, n));
      for (let i = 0; i < strs.length; i++) strs[i] = formatIpv6(addrs.subarray(i * 4, i * 4 + 4));
      for (const b of built) {
        ctx.log(`${kase}: timing ${b.peer.name}`);
        timePeer(c, kase, b.peer, b.table, b.peer.prepare(strs, 6), ref, b);
      }
    }
  }
}

/** How many of the first n answers differ, and the first that does (-1 if none). */
export function mismatches(got: Int32Array, expected: Int32Array, n: number): { wrong: number; first: number } {
  let wrong = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (got[i] !== expected[i]) {
      if (wrong === 0) first = i;
      wrong++;
    }
  }
  return { wrong, first };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export const lpmSuite: Suite = {
  name: 'lpm',
  description: 'IPv4/IPv6 longest-prefix match: lookupBatch M lookups/s, bytes, build time vs DIR-24-8 and npm peers',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const p = plan(ctx.quick);
    const c: Ctx = { ctx, p, rows: [], notes: [] };
    c.notes.push(`Synthetic IPv4 tables (seed ${ctx.seed}): distinct prefixes in 1.0.0.0-223.255.255.255 (no 127/8), ` +
      `about a third nested inside an earlier shorter prefix; length mix ${describeMix()}.`);
    c.notes.push(`Streams: ${Object.entries(STREAM_DESCRIPTIONS).map(([k, v]) => `${k} = ${v}`).join('; ')}. ` +
      `IPv6 uniform = uniform over 2000::/3.`);
    c.notes.push(`"${PACKED_V4}" = the same trie compiled by compileIpv4Packed (each /20 node's run bitmap and entry offset ` +
      `packed into its 32-bit root word, entries compressed by popcount), guarded like vnetsim and timed in the same interleaved runs.`);
    c.notes.push(`IPv6 rows: "vnetsim" is Ipv6Trie.compile() (Ipv6PopcountTable: bitmap-compressed nodes, lookupBatch walks ` +
      `blocks of addresses breadth-first); "${MULTIBIT_V6}" is the direct/run-list layout compiled from the same trie, ` +
      `timed interleaved with it.`);
    c.notes.push(`vnetsim and DIR-24-8: lookupBatch over ${p.streamLength.toLocaleString('en-US')} IPv4 ` +
      `(${(p.streamLength >> 1).toLocaleString('en-US')} IPv6) destinations per call; ops/s is the median of ` +
      `${p.runs} runs of >= ${p.minMs} ms. vnetsim is checked against DIR-24-8 (IPv6: a naive per-length reference) ` +
      `on up to ${p.guard.toLocaleString('en-US')} destinations of each stream before it is timed. build ms = insert + compile. ` +
      `"vnetsim + dest cache" = the same compiled table behind Ipv4DestinationCache (exact-match, direct-mapped, ` +
      `${(1 << DEST_CACHE_BITS).toLocaleString('en-US')} slots; bytes include the cache), timed warm in the same interleaved runs; ` +
      `hitRate = hits in one cold pass over the stream. The real table's "flows ${sizeLabel(FLOW_DESTINATIONS)}" case ` +
      `(typed-array implementations only) repeats ${FLOW_DESTINATIONS.toLocaleString('en-US')} destinations drawn like the hot stream, ` +
      `uniformly, over the whole stream: traffic that repeats exact destinations, where an exact-match cache can hit.` +
      (ctx.quick ? '' : ' Cases ending in "lookup()" call lookup(addr) once per address (first 65,536 destinations of the ' +
        'uniform stream), timed by Benchmark.js (median of its samples).'));
    c.notes.push(`Peers take strings, formatted before timing (the peer is not charged for it); each peer is timed on the ` +
      `first <= ${p.peerStreamLength} destinations of the same stream, median of 5 runs of >= ${p.peerMinMs} ms (fewer destinations per call for slow peers), and its ` +
      `answers on the timed destinations are checked against the reference (membership peers: inside some prefix or not). Peer bytes = JS heap ` +
      `growth after GC while building (approximate; BlockList keeps its rules in C++ and is not measured).`);
    c.notes.push(`Peers not LPM: cidr-matcher and node:net BlockList answer membership only; their rows are not like ` +
      `for like and are marked "(membership)".`);
    for (const peer of peers) {
      if (peer.loadError !== null) c.notes.push(`Peer ${peer.name} failed to load: ${peer.loadError}`);
      else c.notes.push(`Peer: ${peer.about}.`);
    }
    c.notes.push(`Peers ${notInstalledCandidates}.`);

    for (const size of p.sizes) {
      const label = `synthetic ${sizeLabel(size)}`;
      ctx.log(`${label}: generating`);
      runIpv4Table(c, label, syntheticIpv4(size, ctx.seed + size), p.syntheticStreams, ctx.seed);
    }
    const realPath = path.join(ctx.dataDir, REAL_TABLE);
    if (!existsSync(realPath)) {
      c.notes.push(`Real table absent: ${realPath} (no real-table rows).`);
    } else {
      ctx.log('real table: parsing');
      const t0 = performance.now();
      const real = loadRealTable(realPath);
      c.notes.push(`Real table ${REAL_TABLE}: ${real.v4.count.toLocaleString('en-US')} IPv4 + ` +
        `${real.v6.count.toLocaleString('en-US')} IPv6 prefixes (parsed in ${Math.round(performance.now() - t0)} ms).`);
      runIpv4Table(c, `real v4 ${sizeLabel(Math.round(real.v4.count / 1000) * 1000)}`, real.v4, p.realStreams, ctx.seed, true);
      runIpv6Table(c, `real v6 ${sizeLabel(Math.round(real.v6.count / 1000) * 1000)}`, real.v6, p.realStreams, ctx.seed);
    }
    return { name: 'lpm', rows: c.rows, notes: c.notes };
  },
};
