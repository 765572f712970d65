// Flow table: open addressing (linear probing) over typed arrays, keyed by the 5-tuple and found from either
// direction (DESIGN.md "Flow table"). No JS object per flow; lookups and inserts allocate nothing.
//
// Layout: flow records live in columns indexed by flow id (0..capacity-1, stable while the flow lives); a hash index
// of 2 x capacity slots maps a symmetric 5-tuple hash to flow ids (load factor <= 0.5).
// Deletion: backward-shift (tombstone-free), so probe chains never degrade and no rehash is ever needed.
// Eviction when full: among the next EVICTION_PROBE flow ids after a clock hand, the least recently seen one, with
// Closed and Reset records preferred; each eviction is counted (`evictions`).
import { RowState, type CompiledIpv4Trie, type CompiledIpv6Trie } from '@vnetsim/core';
import { Proto } from '../packet/batch.js';
import type { PacketBatch } from '../packet/batch.js';
import { Dir, FlowState, TCP_TRANSITIONS, tcpFlagClass } from './tcp-state.js';

/** NSG result recorded when a flow is created (R-NSG-5). */
export const FlowVerdict = { None: 0, Allow: 1, Deny: 2 } as const;

export interface FlowTableOptions {
  /** Maximum flows, a power of two (2 .. 2^24). */
  capacity: number;
  /** Idle timeout in seconds: 240 (Azure's default, 4 minutes) .. 1800 (30 minutes). */
  idleTimeoutSeconds?: number;
  /** Called with a flow id just before its record is freed (remove, expire, evict): flow logs etc. */
  onRelease?: (id: number) => void;
  /** Where a freed flow's SNAT port goes back (R-SNAT-1): the port pools of the pipeline. */
  ports?: PortPools;
}

/** The port pools a flow's SNAT port is taken from and given back to. */
export interface PortPools {
  /** `address`: which of the pool's addresses the port belongs to (a NAT gateway's pool has several, R-SNAT-1). */
  give(pool: number, port: number, address: number): void;
}

const EVICTION_PROBE = 8;
const KEY_STRIDE = 8;
const EMPTY = -1;

/** Symmetric hash of an IPv4 5-tuple: both directions give the same value (also usable to shard flows to workers). */
export function flowHash4(proto: number, src: number, dst: number, sport: number, dport: number): number {
  src >>>= 0;
  dst >>>= 0;
  let lo = src, hi = dst, ports = ((sport << 16) | dport) >>> 0;
  if (src > dst || (src === dst && sport > dport)) {
    lo = dst;
    hi = src;
    ports = ((dport << 16) | sport) >>> 0;
  }
  let h = Math.imul(proto + 1, 0x9e3779b1);
  h = mix(h, lo);
  h = mix(h, hi);
  h = mix(h, ports);
  return fmix(h);
}

/** Symmetric hash of an IPv6 5-tuple (addresses: 4 words at s[sOff], d[dOff]). */
export function flowHash6(
  proto: number, s: ArrayLike<number>, sOff: number, d: ArrayLike<number>, dOff: number, sport: number, dport: number,
): number {
  const c = compare6(s, sOff, d, dOff);
  const swap = c > 0 || (c === 0 && sport > dport);
  let h = Math.imul(proto + 7, 0x9e3779b1);
  for (let k = 0; k < 4; k++) h = mix(h, swap ? d[dOff + k] : s[sOff + k]);
  for (let k = 0; k < 4; k++) h = mix(h, swap ? s[sOff + k] : d[dOff + k]);
  h = mix(h, swap ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0);
  return fmix(h);
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function compare6(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[aOff + k] >>> 0, y = b[bOff + k] >>> 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function equal6(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number): boolean {
  return a[aOff] === b[bOff] && a[aOff + 1] === b[bOff + 1] && a[aOff + 2] === b[bOff + 2] && a[aOff + 3] === b[bOff + 3];
}

export class FlowTable {
  readonly capacity: number;
  readonly idleTimeout: number;

  // Per-flow columns, indexed by flow id. The key is stored in the initiator's (forward) orientation.
  readonly inUse: Uint8Array;
  readonly family: Uint8Array;
  readonly proto: Uint8Array;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  /** IPv6 key words, 4 per flow (zero for IPv4 flows). */
  readonly src6: Uint32Array;
  readonly dst6: Uint32Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly hash: Uint32Array;
  /** FlowState. */
  readonly state: Uint8Array;
  readonly createdAt: Float64Array;
  readonly lastSeen: Float64Array;
  // Set by the pipeline when the flow is created (all -1 / 0 until then).
  readonly subnet: Int32Array;
  readonly service: Int32Array;
  readonly ingress: Int32Array;
  readonly nic: Int32Array;
  readonly routeIndex: Int32Array;
  readonly natSrc: Uint32Array;
  readonly natPort: Uint16Array;
  /** R-NSG-5: the NSG verdict recorded at creation (FlowVerdict) and the winning rule. */
  readonly verdict: Uint8Array;
  readonly ruleIndex: Int32Array;
  /** Cached result of the first packet (Disposition, DropReason, delivered VM, service error) for the fast path. */
  readonly disposition: Uint8Array;
  readonly dropReason: Uint8Array;
  readonly egressVm: Int32Array;
  readonly serviceError: Uint16Array;
  /** SNAT pool the flow's port (natPort) was taken from, -1 none: a freed flow gives the port back. */
  readonly snatPool: Int32Array;
  /** Which address of that pool (index into its addresses) the port belongs to. */
  readonly snatAddress: Uint8Array;
  /**
   * The batch (pipeline epoch) and row whose packet leads the flow: later packets of the flow in that batch follow
   * that row, and the flow is pinned against eviction while `leadEpoch[id] === pinEpoch`.
   */
  readonly leadEpoch: Int32Array;
  readonly leadRow: Int32Array;
  // Counters per direction (flow logs).
  readonly packetsFwd: Float64Array;
  readonly bytesFwd: Float64Array;
  readonly packetsRev: Float64Array;
  readonly bytesRev: Float64Array;

  /** Direction of the packet found by the last successful lookup: Dir.Forward (0) or Dir.Reverse (1). */
  lastDirection = 0;
  /** Flow id evicted by the last insert, -1 none. */
  lastEvicted = -1;
  /** Records in use (including Reset tombstones). */
  size = 0;
  // Counters.
  inserts = 0;
  hits = 0;
  misses = 0;
  evictions = 0;
  expired = 0;
  resets = 0;
  removals = 0;

  private readonly index: Int32Array;
  /** Hot copy of each key, KEY_STRIDE words per flow (hash, src, dst, sport<<16|dport, family<<8|proto): one cache line per probe. */
  private readonly key: Uint32Array;
  private readonly mask: number;
  private readonly free: Int32Array;
  private freeTop: number;
  private hand = 0;
  /**
   * Pinned flows are never evicted: an id is pinned while `leadEpoch[id] === pinEpoch` (`lead`). The pipeline pins the
   * flows its current batch created or re-forwards, because rows of that batch still refer to them by id (evicting one
   * would hand its id, SNAT port and result columns to another flow mid-batch).
   */
  pinEpoch = 0;
  private readonly onRelease: ((id: number) => void) | null;
  private readonly ports: PortPools | null;
  /** Also called with a flow id just before its record is freed (flow logs end the flow there); null costs nothing. */
  onFree: ((id: number) => void) | null = null;

  constructor(options: FlowTableOptions) {
    const { capacity } = options;
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1 << 24 || (capacity & (capacity - 1)) !== 0)
      throw new RangeError(`flowTable.capacity: expected a power of two from 2 to 2^24, got ${capacity}`);
    const idle = options.idleTimeoutSeconds ?? 240;
    if (!(idle >= 240 && idle <= 1800))
      throw new RangeError(`flowTable.idleTimeoutSeconds: expected 240 to 1800 seconds (4 to 30 minutes), got ${idle}`);
    this.capacity = capacity;
    this.idleTimeout = idle;
    this.onRelease = options.onRelease ?? null;
    this.ports = options.ports ?? null;
    const n = capacity;
    this.inUse = new Uint8Array(n);
    this.family = new Uint8Array(n);
    this.proto = new Uint8Array(n);
    this.src = new Uint32Array(n);
    this.dst = new Uint32Array(n);
    this.src6 = new Uint32Array(n * 4);
    this.dst6 = new Uint32Array(n * 4);
    this.srcPort = new Uint16Array(n);
    this.dstPort = new Uint16Array(n);
    this.hash = new Uint32Array(n);
    this.state = new Uint8Array(n);
    this.createdAt = new Float64Array(n);
    this.lastSeen = new Float64Array(n);
    this.subnet = new Int32Array(n);
    this.service = new Int32Array(n);
    this.ingress = new Int32Array(n);
    this.nic = new Int32Array(n);
    this.routeIndex = new Int32Array(n);
    this.natSrc = new Uint32Array(n);
    this.natPort = new Uint16Array(n);
    this.verdict = new Uint8Array(n);
    this.ruleIndex = new Int32Array(n);
    this.disposition = new Uint8Array(n);
    this.dropReason = new Uint8Array(n);
    this.egressVm = new Int32Array(n);
    this.serviceError = new Uint16Array(n);
    this.snatPool = new Int32Array(n).fill(-1);
    this.snatAddress = new Uint8Array(n);
    this.leadEpoch = new Int32Array(n).fill(-1);
    this.leadRow = new Int32Array(n);
    this.packetsFwd = new Float64Array(n);
    this.bytesFwd = new Float64Array(n);
    this.packetsRev = new Float64Array(n);
    this.bytesRev = new Float64Array(n);
    this.key = new Uint32Array(n * KEY_STRIDE);
    this.index = new Int32Array(n * 2).fill(EMPTY);
    this.mask = n * 2 - 1;
    this.free = new Int32Array(n);
    for (let i = 0; i < n; i++) this.free[i] = n - 1 - i; // pop gives 0, 1, 2, ...
    this.freeTop = n;
  }

  // ---- lookup ----

  /** Flow id of an IPv4 packet's flow, or -1. Sets `lastDirection`. */
  lookup4(proto: number, src: number, dst: number, sport: number, dport: number): number {
    const h = flowHash4(proto, src, dst, sport, dport);
    const index = this.index, mask = this.mask, key = this.key;
    const meta = (4 << 8) | proto;
    const fwdPorts = ((sport << 16) | dport) >>> 0, revPorts = ((dport << 16) | sport) >>> 0;
    src >>>= 0;
    dst >>>= 0;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = index[i];
      if (id === EMPTY) break;
      const k = id * KEY_STRIDE;
      if (key[k] !== h || key[k + 4] !== meta) continue;
      const ks = key[k + 1], kd = key[k + 2], kp = key[k + 3];
      if (ks === src && kd === dst && kp === fwdPorts) {
        this.lastDirection = Dir.Forward;
        this.hits++;
        return id;
      }
      if (ks === dst && kd === src && kp === revPorts) {
        this.lastDirection = Dir.Reverse;
        this.hits++;
        return id;
      }
    }
    this.misses++;
    return -1;
  }

  /** Flow id of an IPv6 packet's flow (addresses: 4 words at s[sOff], d[dOff]), or -1. Sets `lastDirection`. */
  lookup6(
    proto: number, s: ArrayLike<number>, sOff: number, d: ArrayLike<number>, dOff: number, sport: number, dport: number,
  ): number {
    const h = flowHash6(proto, s, sOff, d, dOff, sport, dport);
    const index = this.index, mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = index[i];
      if (id === EMPTY) break;
      if (this.hash[id] !== h || this.proto[id] !== proto || this.family[id] !== 6) continue;
      const w = id << 2;
      if (this.srcPort[id] === sport && this.dstPort[id] === dport && equal6(this.src6, w, s, sOff) && equal6(this.dst6, w, d, dOff)) {
        this.lastDirection = Dir.Forward;
        this.hits++;
        return id;
      }
      if (this.srcPort[id] === dport && this.dstPort[id] === sport && equal6(this.src6, w, d, dOff) && equal6(this.dst6, w, s, sOff)) {
        this.lastDirection = Dir.Reverse;
        this.hits++;
        return id;
      }
    }
    this.misses++;
    return -1;
  }

  /** lookup4/lookup6 for row i of a batch. */
  lookupRow(batch: PacketBatch, i: number): number {
    if (batch.family[i] === 4)
      return this.lookup4(batch.proto[i], batch.src[i], batch.dst[i], batch.srcPort[i], batch.dstPort[i]);
    return this.lookup6(batch.proto[i], batch.src6, i << 2, batch.dst6, i << 2, batch.srcPort[i], batch.dstPort[i]);
  }

  // ---- insert / update ----

  /**
   * Records a new IPv4 flow whose first packet is (src -> dst) with `tcpFlags` and `bytes` at `now`; the caller has had
   * a miss for this 5-tuple. Evicts one flow when full (`lastEvicted`). Returns the new flow id.
   */
  insert4(proto: number, src: number, dst: number, sport: number, dport: number, tcpFlags: number, bytes: number, now: number): number {
    const id = this.allocate();
    this.family[id] = 4;
    this.src[id] = src;
    this.dst[id] = dst;
    const w = id << 2;
    this.src6[w] = this.src6[w + 1] = this.src6[w + 2] = this.src6[w + 3] = 0;
    this.dst6[w] = this.dst6[w + 1] = this.dst6[w + 2] = this.dst6[w + 3] = 0;
    this.initRecord(id, proto, sport, dport, flowHash4(proto, src, dst, sport, dport), tcpFlags, bytes, now);
    return id;
  }

  /** insert4 for IPv6 (addresses: 4 words at s[sOff], d[dOff]). */
  insert6(
    proto: number, s: ArrayLike<number>, sOff: number, d: ArrayLike<number>, dOff: number, sport: number, dport: number,
    tcpFlags: number, bytes: number, now: number,
  ): number {
    const id = this.allocate();
    this.family[id] = 6;
    this.src[id] = 0;
    this.dst[id] = 0;
    const w = id << 2;
    for (let k = 0; k < 4; k++) {
      this.src6[w + k] = s[sOff + k];
      this.dst6[w + k] = d[dOff + k];
    }
    this.initRecord(id, proto, sport, dport, flowHash6(proto, s, sOff, d, dOff, sport, dport), tcpFlags, bytes, now);
    return id;
  }

  /** insert4/insert6 for row i of a batch (time, flags and length from the row). */
  insertRow(batch: PacketBatch, i: number): number {
    if (batch.family[i] === 4)
      return this.insert4(batch.proto[i], batch.src[i], batch.dst[i], batch.srcPort[i], batch.dstPort[i], batch.tcpFlags[i], batch.length[i], batch.time[i]);
    return this.insert6(batch.proto[i], batch.src6, i << 2, batch.dst6, i << 2, batch.srcPort[i], batch.dstPort[i], batch.tcpFlags[i], batch.length[i], batch.time[i]);
  }

  /** Accounts a packet of flow `id` in direction `dir`: TCP state transition, counters, lastSeen. Returns the new state. */
  update(id: number, dir: number, tcpFlags: number, bytes: number, now: number): number {
    // Non-TCP flows sit in Open, whose row maps every class back to Open.
    const next = TCP_TRANSITIONS[(this.state[id] * 2 + dir) * 5 + tcpFlagClass(tcpFlags)];
    this.state[id] = next;
    if (dir === Dir.Forward) {
      this.packetsFwd[id]++;
      this.bytesFwd[id] += bytes;
    } else {
      this.packetsRev[id]++;
      this.bytesRev[id] += bytes;
    }
    if (now > this.lastSeen[id]) this.lastSeen[id] = now;
    return next;
  }

  // ---- per-batch state (pipeline) ----

  /** Marks flow `id` as led by row `row` of the current batch (`pinEpoch`), which pins it until the batch ends. */
  lead(id: number, row: number): void {
    this.leadEpoch[id] = this.pinEpoch;
    this.leadRow[id] = row;
  }

  /** True when a row of the current batch leads flow `id` (its result is being decided there). */
  ledNow(id: number): boolean {
    return this.leadEpoch[id] === this.pinEpoch;
  }

  /**
   * Records the SNAT address `ip` (address number `address` of `pool`) and port `port` taken for flow `id`; the port
   * goes back when the flow is freed.
   */
  setPort(id: number, pool: number, address: number, ip: number, port: number): void {
    this.natSrc[id] = ip;
    this.natPort[id] = port;
    this.snatPool[id] = pool;
    this.snatAddress[id] = address;
  }

  /** Gives flow `id`'s SNAT port back to its pool now (the record may stay, e.g. a Reset tombstone). */
  releasePort(id: number): void {
    const p = this.snatPool[id]!;
    if (p < 0) return;
    if (this.ports !== null) this.ports.give(p, this.natPort[id]!, this.snatAddress[id]!);
    this.snatPool[id] = -1;
  }

  /**
   * The flow's recorded forwarding is stale (its routes, or the service it reaches, changed): its next packet forwards
   * again; the NSG verdict stands (R-NSG-5).
   */
  invalidate(id: number): void {
    this.disposition[id] = RowState.Pending;
  }

  /** True while flow `id` has no recorded result: just created, or invalidated. */
  isPending(id: number): boolean {
    return this.disposition[id] === RowState.Pending;
  }

  // ---- removal ----

  /** Frees flow `id` (no-op when not in use). */
  remove(id: number): void {
    if (!this.inUse[id]) return;
    this.removals++;
    this.release(id);
  }

  /**
   * R-SE-2: a TCP flow becomes a Reset tombstone (kept until idle expiry, so a later packet of that connection is
   * recognised and ends as FlowReset; it no longer counts as open); returns true. Any other flow is removed (it is
   * re-evaluated on its next packet); returns false.
   */
  markReset(id: number): boolean {
    if (!this.inUse[id]) return false;
    if (this.proto[id] !== Proto.Tcp) {
      this.remove(id);
      return false;
    }
    if (this.state[id] !== FlowState.Reset) {
      this.state[id] = FlowState.Reset;
      this.resets++;
    }
    return true;
  }

  /** Frees every flow idle for at least the idle timeout at `now`; returns how many. */
  expire(now: number): number {
    let n = 0;
    const limit = now - this.idleTimeout;
    for (let id = 0; id < this.capacity; id++) {
      if (this.inUse[id] && this.lastSeen[id] <= limit) {
        this.release(id);
        n++;
      }
    }
    this.expired += n;
    return n;
  }

  /** Frees everything; counters are kept. */
  clear(): void {
    for (let id = 0; id < this.capacity; id++) if (this.inUse[id]) this.release(id);
  }

  // ---- iteration (control plane) ----

  /** Writes the ids of flows in use into `out` (Reset tombstones only when asked); returns how many (<= out.length). */
  ids(out: Int32Array, includeReset = false): number {
    let n = 0;
    for (let id = 0; id < this.capacity && n < out.length; id++)
      if (this.inUse[id] && (includeReset || this.state[id] !== FlowState.Reset)) out[n++] = id;
    return n;
  }

  /** Calls fn(id) for each flow in use, tombstones included. Control plane only. */
  scan(fn: (id: number) => void): void {
    for (let id = 0; id < this.capacity; id++) if (this.inUse[id]) fn(id);
  }

  /** Writes into `out` the ids of open (non-Reset) flows for which `predicate(id)` holds; returns how many. */
  collect(predicate: (id: number) => boolean, out: Int32Array): number {
    let n = 0;
    for (let id = 0; id < this.capacity && n < out.length; id++)
      if (this.inUse[id] && this.state[id] !== FlowState.Reset && predicate(id)) out[n++] = id;
    return n;
  }

  /**
   * R-SE-2: open IPv4 flows created in `subnet` whose destination (the initiator's) lies in a prefix of `prefixes`
   * (lookup >= 0). Writes ids into `out`; returns how many (at most out.length: size `out` to `capacity`).
   */
  findBySubnetAndDst(subnet: number, prefixes: CompiledIpv4Trie, out: Int32Array): number {
    let n = 0;
    for (let id = 0; id < this.capacity && n < out.length; id++)
      if (this.inUse[id] && this.subnet[id] === subnet && this.family[id] === 4 && this.state[id] !== FlowState.Reset
        && prefixes.lookup(this.dst[id]) >= 0) out[n++] = id;
    return n;
  }

  /** findBySubnetAndDst for IPv6 flows. */
  findBySubnetAndDst6(subnet: number, prefixes: CompiledIpv6Trie, out: Int32Array): number {
    let n = 0;
    const d = this.dst6;
    for (let id = 0; id < this.capacity && n < out.length; id++) {
      const w = id << 2;
      if (this.inUse[id] && this.subnet[id] === subnet && this.family[id] === 6 && this.state[id] !== FlowState.Reset
        && prefixes.lookup(d[w], d[w + 1], d[w + 2], d[w + 3]) >= 0) out[n++] = id;
    }
    return n;
  }

  // ---- internals ----

  private allocate(): number {
    this.lastEvicted = -1;
    if (this.freeTop === 0) {
      const victim = this.pickVictim();
      this.release(victim);
      this.evictions++;
      this.lastEvicted = victim;
    }
    return this.free[--this.freeTop];
  }

  /**
   * Least recently seen among EVICTION_PROBE unpinned ids after the clock hand (the hand moves past pinned ones);
   * Closed/Reset records count as oldest. Only when every flow is pinned does a pinned one go.
   */
  private pickVictim(): number {
    const pinned = this.leadEpoch;
    let skipped = 0;
    while (skipped < this.capacity && pinned[this.hand] === this.pinEpoch) {
      this.hand = (this.hand + 1) & (this.capacity - 1);
      skipped++;
    }
    let best = -1, bestScore = Infinity;
    for (let k = 0; k < EVICTION_PROBE; k++) {
      const id = (this.hand + k) & (this.capacity - 1);
      if (k > 0 && pinned[id] === this.pinEpoch) continue;
      const st = this.state[id];
      const score = st === FlowState.Closed || st === FlowState.Reset ? -Infinity : this.lastSeen[id];
      if (score < bestScore) {
        bestScore = score;
        best = id;
      }
    }
    this.hand = (this.hand + EVICTION_PROBE) & (this.capacity - 1);
    return best;
  }

  private initRecord(id: number, proto: number, sport: number, dport: number, h: number, tcpFlags: number, bytes: number, now: number): void {
    this.inUse[id] = 1;
    this.proto[id] = proto;
    this.srcPort[id] = sport;
    this.dstPort[id] = dport;
    this.hash[id] = h;
    const k = id * KEY_STRIDE;
    this.key[k] = h;
    this.key[k + 1] = this.src[id];
    this.key[k + 2] = this.dst[id];
    this.key[k + 3] = ((sport << 16) | dport) >>> 0;
    this.key[k + 4] = (this.family[id] << 8) | proto;
    this.state[id] = proto === Proto.Tcp ? FlowState.New : FlowState.Open;
    this.createdAt[id] = now;
    this.lastSeen[id] = now;
    this.subnet[id] = -1;
    this.service[id] = -1;
    this.ingress[id] = -1;
    this.nic[id] = -1;
    this.routeIndex[id] = -1;
    this.natSrc[id] = 0;
    this.natPort[id] = 0;
    this.verdict[id] = FlowVerdict.None;
    this.ruleIndex[id] = -1;
    this.disposition[id] = RowState.Pending;
    this.dropReason[id] = 0;
    this.egressVm[id] = -1;
    this.serviceError[id] = 0;
    this.snatPool[id] = -1;
    this.packetsFwd[id] = 0;
    this.bytesFwd[id] = 0;
    this.packetsRev[id] = 0;
    this.bytesRev[id] = 0;
    const index = this.index, mask = this.mask;
    let i = h & mask;
    while (index[i] !== EMPTY) i = (i + 1) & mask;
    index[i] = id;
    this.size++;
    this.inserts++;
    this.update(id, Dir.Forward, tcpFlags, bytes, now);
  }

  private release(id: number): void {
    if (this.onRelease !== null) this.onRelease(id);
    if (this.onFree !== null) this.onFree(id);
    this.releasePort(id);
    const index = this.index, mask = this.mask;
    let i = this.hash[id] & mask;
    while (index[i] !== id) i = (i + 1) & mask;
    // Backward-shift deletion: pull later entries of the probe run into the hole unless their home lies in (hole, j].
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const other = index[j];
      if (other === EMPTY) break;
      const home = this.hash[other] & mask;
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        index[i] = other;
        i = j;
      }
    }
    index[i] = EMPTY;
    this.inUse[id] = 0;
    this.size--;
    this.free[this.freeTop++] = id;
  }
}
