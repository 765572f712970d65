// Seeded, streaming traffic generators: N flows x M packets, written into a reused PacketBatch. A generator keeps a
// window of `concurrentFlows` open flows in typed arrays and picks the next packet's flow with the PRNG, so flows
// interleave deterministically by seed and 10^8 packets run in constant memory.
import { parseAddress, parseCidr, PROTOCOLS } from '@vnetsim/core';
import { PacketBatch, Proto, TcpFlag } from './batch.js';
import { Prng } from './prng.js';

export type ProtocolMix = 'tcp' | 'udp' | 'icmp' | { tcp?: number; udp?: number; icmp?: number };

export interface TrafficSpec {
  seed: number;
  flows: number;
  packetsPerFlow: number;
  /**
   * Source addresses (IPv4 or IPv6 text). Flow f uses source f % sources.length and source port
   * 1024 + floor(f / sources.length) % 64512, so 5-tuples are distinct while flows <= sources.length * 64512.
   */
  sources: readonly string[];
  /** `ingress` column per source (default: the source's index). */
  ingress?: readonly number[];
  /**
   * Destination prefixes or single addresses. IPv4: uniform over the union (a prefix is drawn in proportion to its
   * size). IPv6: a prefix is drawn uniformly, then its host bits. A flow draws a destination of its source's family.
   */
  destinations: readonly string[];
  /** One protocol, or weights per protocol drawn per flow (default 'tcp'). */
  protocol?: ProtocolMix;
  /** Destination ports, one drawn per flow (default [443] for TCP, [53] for UDP). */
  dstPorts?: readonly number[];
  /** Payload of data packets in bytes (default 1000; at most 1400). */
  payloadBytes?: number;
  /** Time of the first packet in seconds (default 0). */
  startTime?: number;
  /** Seconds between consecutive packets of the stream (default 1e-6). */
  packetInterval?: number;
  /** Flows open at once, interleaved (default min(flows, 256)). */
  concurrentFlows?: number;
  /** UDP: alternate request (forward) and reply (reverse) packets (default true); else all forward. */
  udpReplies?: boolean;
}

export interface PacketSource {
  /** Clears `batch` and fills it with the next packets; returns how many (0 when the stream is over). */
  fill(batch: PacketBatch): number;
}

const ICMP_PAYLOAD = 56;

/**
 * Packet sequence of one flow of M packets (forward = initiator -> destination, reverse = swapped):
 * - TCP, M >= 6: SYN (fwd), SYN|ACK (rev), ACK (fwd), M-6 data packets PSH|ACK alternating fwd/rev,
 *   FIN|ACK (fwd), FIN|ACK (rev), ACK (fwd). M < 6: the first M of SYN, SYN|ACK, ACK, data... (no close).
 * - UDP: alternating fwd/rev (or all fwd). ICMP: echo request (fwd, srcPort = identifier, dstPort = 0) and echo reply
 *   (rev, srcPort = 0, dstPort = identifier), alternating; the pcap writer derives the ICMP type from that.
 */
export class TrafficGenerator implements PacketSource {
  readonly totalPackets: number;
  /** Packets written so far. */
  emitted = 0;
  /** Flows started so far. */
  flowsStarted = 0;

  private readonly prng: Prng;
  private readonly spec: Required<Omit<TrafficSpec, 'protocol' | 'dstPorts'>>;
  private readonly srcFamily: Uint8Array;
  private readonly srcV4: Uint32Array;
  private readonly srcV6: Uint32Array;
  private readonly srcIngress: Int32Array;
  // IPv4 destinations: prefix, host-bit mask, cumulative sizes.
  private readonly d4Prefix: Uint32Array;
  private readonly d4HostMask: Uint32Array;
  private readonly d4Cum: Float64Array;
  // IPv6 destinations: 4 words of prefix and of host mask each.
  private readonly d6Prefix: Uint32Array;
  private readonly d6HostMask: Uint32Array;
  private readonly protoWeights: Float64Array; // cumulative tcp, udp, icmp
  private readonly tcpPorts: Uint16Array;
  private readonly udpPorts: Uint16Array;
  // Open flows (the interleaving window).
  private active = 0;
  private readonly sFamily: Uint8Array;
  private readonly sProto: Uint8Array;
  private readonly sSrc: Uint32Array;
  private readonly sDst: Uint32Array;
  private readonly sSrc6: Uint32Array;
  private readonly sDst6: Uint32Array;
  private readonly sSport: Uint16Array;
  private readonly sDport: Uint16Array;
  private readonly sIngress: Int32Array;
  private readonly sNext: Int32Array;

  constructor(spec: TrafficSpec) {
    const where = 'traffic';
    if (!Number.isInteger(spec.flows) || spec.flows < 0) throw new RangeError(`${where}.flows: expected an integer >= 0, got ${spec.flows}`);
    if (!Number.isInteger(spec.packetsPerFlow) || spec.packetsPerFlow < 1)
      throw new RangeError(`${where}.packetsPerFlow: expected an integer >= 1, got ${spec.packetsPerFlow}`);
    if (spec.sources.length === 0) throw new RangeError(`${where}.sources: expected at least one address`);
    if (spec.destinations.length === 0) throw new RangeError(`${where}.destinations: expected at least one address or prefix`);
    const payload = spec.payloadBytes ?? 1000;
    if (!Number.isInteger(payload) || payload < 0 || payload > 1400)
      throw new RangeError(`${where}.payloadBytes: expected an integer from 0 to 1400, got ${payload}`);
    const window = Math.max(1, Math.min(spec.concurrentFlows ?? 256, spec.flows || 1));
    this.spec = {
      seed: spec.seed, flows: spec.flows, packetsPerFlow: spec.packetsPerFlow, sources: spec.sources,
      ingress: spec.ingress ?? spec.sources.map((_, i) => i), destinations: spec.destinations, payloadBytes: payload,
      startTime: spec.startTime ?? 0, packetInterval: spec.packetInterval ?? 1e-6, concurrentFlows: window,
      udpReplies: spec.udpReplies ?? true,
    };
    if (this.spec.ingress.length !== spec.sources.length)
      throw new RangeError(`${where}.ingress: expected ${spec.sources.length} entries (one per source), got ${this.spec.ingress.length}`);
    this.prng = new Prng(spec.seed);
    this.totalPackets = spec.flows * spec.packetsPerFlow;

    const n = spec.sources.length;
    this.srcFamily = new Uint8Array(n);
    this.srcV4 = new Uint32Array(n);
    this.srcV6 = new Uint32Array(n * 4);
    this.srcIngress = Int32Array.from(this.spec.ingress);
    spec.sources.forEach((text, i) => {
      const a = parseAddress(text);
      this.srcFamily[i] = a.family;
      if (a.family === 4) this.srcV4[i] = a.addr;
      else this.srcV6.set(a.words, i * 4);
    });

    const d4: { prefix: number; length: number }[] = [];
    const d6: { words: Uint32Array; length: number }[] = [];
    spec.destinations.forEach((text, i) => {
      let c;
      try {
        c = parseCidr(text, true);
      } catch (e) {
        throw new RangeError(`${where}.destinations[${i}]: ${(e as Error).message}`);
      }
      if (c.family === 4) d4.push(c);
      else d6.push(c);
    });
    this.d4Prefix = Uint32Array.from(d4, (c) => c.prefix);
    this.d4HostMask = Uint32Array.from(d4, (c) => (c.length === 0 ? 0xffffffff : (1 << (32 - c.length)) - 1) >>> 0);
    this.d4Cum = new Float64Array(d4.length);
    let total = 0;
    d4.forEach((c, i) => (this.d4Cum[i] = total += 2 ** (32 - c.length)));
    this.d6Prefix = new Uint32Array(d6.length * 4);
    this.d6HostMask = new Uint32Array(d6.length * 4);
    d6.forEach((c, i) => {
      for (let w = 0; w < 4; w++) {
        const bits = Math.min(32, Math.max(0, c.length - w * 32)); // prefix bits in this word
        this.d6Prefix[i * 4 + w] = c.words[w];
        this.d6HostMask[i * 4 + w] = bits === 32 ? 0 : bits === 0 ? 0xffffffff : ((1 << (32 - bits)) - 1) >>> 0;
      }
    });
    for (let i = 0; i < n; i++) {
      if (this.srcFamily[i] === 4 && d4.length === 0) throw new RangeError(`${where}.sources[${i}]: IPv4 source but no IPv4 destination`);
      if (this.srcFamily[i] === 6 && d6.length === 0) throw new RangeError(`${where}.sources[${i}]: IPv6 source but no IPv6 destination`);
    }

    const mix = spec.protocol ?? 'tcp';
    const w = typeof mix === 'string' ? { tcp: +(mix === 'tcp'), udp: +(mix === 'udp'), icmp: +(mix === 'icmp') } : mix;
    const wt = w.tcp ?? 0, wu = w.udp ?? 0, wi = w.icmp ?? 0;
    if (!(wt >= 0 && wu >= 0 && wi >= 0 && wt + wu + wi > 0))
      throw new RangeError(`${where}.protocol: expected tcp|udp|icmp or non-negative weights with a positive sum`);
    this.protoWeights = Float64Array.of(wt, wt + wu, wt + wu + wi);
    for (const p of spec.dstPorts ?? [])
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`${where}.dstPorts: ${p} is not a port (0..65535)`);
    this.tcpPorts = Uint16Array.from(spec.dstPorts ?? [PROTOCOLS.Tcp.defaultPort]);
    this.udpPorts = Uint16Array.from(spec.dstPorts ?? [PROTOCOLS.Udp.defaultPort]);
    if (this.tcpPorts.length === 0) throw new RangeError(`${where}.dstPorts: expected at least one port`);

    this.sFamily = new Uint8Array(window);
    this.sProto = new Uint8Array(window);
    this.sSrc = new Uint32Array(window);
    this.sDst = new Uint32Array(window);
    this.sSrc6 = new Uint32Array(window * 4);
    this.sDst6 = new Uint32Array(window * 4);
    this.sSport = new Uint16Array(window);
    this.sDport = new Uint16Array(window);
    this.sIngress = new Int32Array(window);
    this.sNext = new Int32Array(window);
    while (this.active < window && this.flowsStarted < spec.flows) this.startFlow(this.active++);
  }

  get done(): boolean {
    return this.emitted >= this.totalPackets;
  }

  fill(batch: PacketBatch): number {
    batch.clear();
    const M = this.spec.packetsPerFlow;
    while (this.active > 0 && batch.count < batch.capacity) {
      const j = this.active === 1 ? 0 : this.prng.nextInt(this.active);
      this.emit(batch, j, this.sNext[j]);
      if (++this.sNext[j] === M) {
        if (this.flowsStarted < this.spec.flows) this.startFlow(j);
        else this.moveSlot(--this.active, j);
      }
    }
    return batch.count;
  }

  private emit(batch: PacketBatch, j: number, p: number): void {
    const M = this.spec.packetsPerFlow;
    const proto = this.sProto[j];
    const v6 = this.sFamily[j] === 6;
    const ipHeader = v6 ? 40 : 20;
    let reverse = false;
    let flags = 0;
    let length: number;
    let sport = this.sSport[j];
    let dport = this.sDport[j];
    if (proto === Proto.Tcp) {
      const full = M >= 6;
      length = ipHeader + 20;
      if (p === 0) flags = TcpFlag.SYN;
      else if (p === 1) (flags = TcpFlag.SYN | TcpFlag.ACK), (reverse = true);
      else if (p === 2) flags = TcpFlag.ACK;
      else if (full && p === M - 3) flags = TcpFlag.FIN | TcpFlag.ACK;
      else if (full && p === M - 2) (flags = TcpFlag.FIN | TcpFlag.ACK), (reverse = true);
      else if (full && p === M - 1) flags = TcpFlag.ACK;
      else {
        flags = TcpFlag.PSH | TcpFlag.ACK;
        reverse = ((p - 3) & 1) === 1;
        length += this.spec.payloadBytes;
      }
    } else if (proto === Proto.Udp) {
      reverse = this.spec.udpReplies && (p & 1) === 1;
      length = ipHeader + 8 + this.spec.payloadBytes;
    } else {
      // ICMP echo: request carries the identifier in srcPort, the reply (reverse) in dstPort.
      reverse = (p & 1) === 1;
      dport = 0;
      length = ipHeader + 8 + ICMP_PAYLOAD;
    }
    const time = this.spec.startTime + this.emitted * this.spec.packetInterval;
    this.emitted++;
    const ingress = this.sIngress[j];
    if (reverse) {
      const t = sport;
      sport = dport;
      dport = t;
    }
    if (!v6) {
      const s = this.sSrc[j], d = this.sDst[j];
      if (reverse) batch.push4(d, s, sport, dport, proto, flags, length, ingress, time);
      else batch.push4(s, d, sport, dport, proto, flags, length, ingress, time);
    } else if (reverse) {
      batch.push6(this.sDst6, j * 4, this.sSrc6, j * 4, sport, dport, proto, flags, length, ingress, time);
    } else {
      batch.push6(this.sSrc6, j * 4, this.sDst6, j * 4, sport, dport, proto, flags, length, ingress, time);
    }
  }

  private startFlow(j: number): void {
    const f = this.flowsStarted++;
    const nSrc = this.srcFamily.length;
    const s = f % nSrc;
    const r = this.prng;
    const v6 = this.srcFamily[s] === 6;
    const pick = r.nextFloat() * this.protoWeights[2];
    const proto = pick < this.protoWeights[0] ? Proto.Tcp : pick < this.protoWeights[1] ? Proto.Udp : v6 ? Proto.Icmpv6 : Proto.Icmp;
    this.sFamily[j] = v6 ? 6 : 4;
    this.sProto[j] = proto;
    this.sIngress[j] = this.srcIngress[s];
    this.sSport[j] = 1024 + (Math.floor(f / nSrc) % 64512);
    this.sDport[j] = proto === Proto.Tcp ? this.tcpPorts[r.nextInt(this.tcpPorts.length)]
      : proto === Proto.Udp ? this.udpPorts[r.nextInt(this.udpPorts.length)] : 0;
    this.sNext[j] = 0;
    if (!v6) {
      this.sSrc[j] = this.srcV4[s];
      this.sDst[j] = this.pickDst4();
    } else {
      for (let w = 0; w < 4; w++) this.sSrc6[j * 4 + w] = this.srcV6[s * 4 + w];
      const k = r.nextInt(this.d6Prefix.length / 4);
      for (let w = 0; w < 4; w++)
        this.sDst6[j * 4 + w] = (this.d6Prefix[k * 4 + w] | (r.nextU32() & this.d6HostMask[k * 4 + w])) >>> 0;
    }
  }

  /** Uniform over the union of the IPv4 destination prefixes (53 random bits; overlaps count twice). */
  private pickDst4(): number {
    const cum = this.d4Cum;
    const total = cum[cum.length - 1];
    const x = ((this.prng.nextU32() >>> 11) * 4294967296 + this.prng.nextU32()) / 2 ** 53 * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    const offset = Math.floor(x - (lo === 0 ? 0 : cum[lo - 1]));
    return (this.d4Prefix[lo] | (offset & this.d4HostMask[lo])) >>> 0;
  }

  private moveSlot(from: number, to: number): void {
    if (from === to) return;
    this.sFamily[to] = this.sFamily[from];
    this.sProto[to] = this.sProto[from];
    this.sSrc[to] = this.sSrc[from];
    this.sDst[to] = this.sDst[from];
    this.sSrc6.copyWithin(to * 4, from * 4, from * 4 + 4);
    this.sDst6.copyWithin(to * 4, from * 4, from * 4 + 4);
    this.sSport[to] = this.sSport[from];
    this.sDport[to] = this.sDport[from];
    this.sIngress[to] = this.sIngress[from];
    this.sNext[to] = this.sNext[from];
  }
}

/** Convenience: a generator over `spec`. */
export function generateTraffic(spec: TrafficSpec): TrafficGenerator {
  return new TrafficGenerator(spec);
}
