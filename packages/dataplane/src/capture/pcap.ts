// Capture files: classic libpcap (magic 0xa1b2c3d4, version 2.4) and pcapng, both LINKTYPE_RAW (each record is a
// bare IPv4 or IPv6 packet). Headers are built from batch rows with correct lengths and checksums and TCP numbers that
// Wireshark's sequence analysis accepts (tcp-numbers.ts); payload bytes are zeros. pcapng adds an interface per
// capture point and, per packet, a comment and a verdict (what happened to it). Edge code: one reused scratch
// buffer, bytes go to a sink (the CLI owns files); not meant for the per-packet fast path of a benchmark run.
import { formatIpv4, formatIpv6 } from '@vnetsim/core';
import { Proto, TcpFlag } from '../packet/batch.js';
import type { PacketBatch } from '../packet/batch.js';
import type { FlowTable } from '../flows/flow-table.js';
import { TcpNumbers } from './tcp-numbers.js';

export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const LINKTYPE_RAW = 101;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const CHUNK = 1 << 16;

export interface PcapWriterOptions {
  /** Receives the file's bytes in order (header first). Without a sink, `toBuffer()` returns them. */
  sink?: (chunk: Uint8Array) => void;
  /** Bytes kept of each packet (default 65535); longer packets are truncated in the file (orig_len keeps the size). */
  snaplen?: number;
}

/** Which addresses of a row to write: as sent, or with the translated source (R-SNAT-1) when the row has one. */
export type PcapView = 'original' | 'translated';

/** What a capture knows about one packet besides its headers (pcapng writes it; classic pcap only the numbers). */
export interface PacketMeta {
  /** TCP sequence and acknowledgement numbers (ignored for other protocols). */
  seq: number;
  ack: number;
  /** pcapng interface (capture point) index. */
  iface: number;
  /** pcapng packet comment ('' none). */
  comment: string;
  /** Dropped by the network (pcapng: eBPF TC verdict TC_ACT_SHOT instead of TC_ACT_OK). */
  dropped: boolean;
  /** pcapng direction flag at the capture point: 0 unknown, 1 inbound, 2 outbound. */
  direction: 0 | 1 | 2;
}

/** Packets of either file format: IPv4/IPv6 headers and TCP/UDP/ICMP with checksums, then a format-specific record. */
export abstract class CaptureFileWriter {
  /** Records written. */
  packets = 0;
  readonly snaplen: number;
  /** Per-connection TCP numbers, used when a packet is written without explicit ones. */
  readonly tcp = new TcpNumbers();
  protected readonly sink: ((chunk: Uint8Array) => void) | null;
  private readonly kept: Buffer[] = [];
  protected buf = Buffer.alloc(CHUNK);
  protected used = 0;
  protected readonly pkt = new Uint8Array(65535 + 40);
  private readonly pview = new DataView(this.pkt.buffer);
  private ipId = 0;
  private readonly auto: PacketMeta = { seq: 0, ack: 0, iface: 0, comment: '', dropped: false, direction: 0 };

  constructor(options: PcapWriterOptions = {}) {
    this.sink = options.sink ?? null;
    this.snaplen = options.snaplen ?? 65535;
    if (!Number.isInteger(this.snaplen) || this.snaplen < 60 || this.snaplen > 262144)
      throw new RangeError(`snaplen: expected an integer from 60 to 262144, got ${this.snaplen}`);
  }

  /** Writes row i of a batch (TCP numbers from the writer's own per-connection state). */
  writeRow(batch: PacketBatch, i: number, view: PcapView = 'original'): void {
    const translated = view === 'translated' && batch.translatedSrc[i] !== 0;
    if (batch.family[i] === 4) {
      this.writeIpv4(
        batch.time[i], translated ? batch.translatedSrc[i] : batch.src[i], batch.dst[i], batch.proto[i],
        translated ? batch.translatedSrcPort[i] : batch.srcPort[i], batch.dstPort[i], batch.tcpFlags[i], batch.length[i],
      );
    } else {
      this.writeIpv6(batch.time[i], batch.src6, i << 2, batch.dst6, i << 2, batch.proto[i], batch.srcPort[i], batch.dstPort[i], batch.tcpFlags[i], batch.length[i]);
    }
  }

  /** Writes rows 0..count-1 of a batch. */
  writeBatch(batch: PacketBatch, view: PcapView = 'original'): void {
    for (let i = 0; i < batch.count; i++) this.writeRow(batch, i, view);
  }

  /**
   * R-SE-2: the two RSTs of a reset connection: one to the initiator (from the destination) and one to the
   * destination (from the initiator, or from its translated address when the flow was translated).
   */
  writeResetPair(flows: FlowTable, id: number, time: number): void {
    const rst = TcpFlag.RST | TcpFlag.ACK;
    const sp = flows.srcPort[id], dp = flows.dstPort[id];
    if (flows.family[id] === 4) {
      this.writeIpv4(time, flows.dst[id], flows.src[id], Proto.Tcp, dp, sp, rst, 40);
      // The RST to the destination carries the connection's numbers also when it leaves with the translated source.
      this.tcp.next4(flows.src[id], flows.dst[id], sp, dp, rst, 0, time);
      const m = { ...this.autoMeta(Proto.Tcp) };
      const natted = flows.natSrc[id] !== 0;
      this.writeIpv4(time, natted ? flows.natSrc[id] : flows.src[id], flows.dst[id], Proto.Tcp, natted ? flows.natPort[id] : sp, dp, rst, 40, m);
    } else {
      const w = id << 2;
      this.writeIpv6(time, flows.dst6, w, flows.src6, w, Proto.Tcp, dp, sp, rst, 60);
      this.writeIpv6(time, flows.src6, w, flows.dst6, w, Proto.Tcp, sp, dp, rst, 60);
    }
  }

  /**
   * Writes one IPv4 packet of `totalLength` bytes (raised to the headers' size when smaller). Without `meta`, TCP
   * numbers come from the writer's per-connection state (this packet advances it).
   */
  writeIpv4(time: number, src: number, dst: number, proto: number, sport: number, dport: number, tcpFlags: number, totalLength: number, meta?: PacketMeta): void {
    const p = this.pkt, v = this.pview;
    const l4 = l4HeaderSize(proto);
    const total = Math.min(65535, Math.max(totalLength, 20 + l4));
    if (meta === undefined) {
      if (proto === Proto.Tcp) this.tcp.next4(src, dst, sport, dport, tcpFlags, total - 20 - l4, time);
      meta = this.autoMeta(proto);
    }
    p.fill(0, 0, total);
    v.setUint8(0, 0x45);
    v.setUint16(2, total);
    v.setUint16(4, this.ipId = (this.ipId + 1) & 0xffff);
    v.setUint16(6, 0x4000); // don't fragment
    v.setUint8(8, 64);
    v.setUint8(9, proto);
    v.setUint32(12, src >>> 0);
    v.setUint32(16, dst >>> 0);
    v.setUint16(10, finish(sum16(p, 0, 20, 0)));
    // Pseudo-header: src, dst, zero + protocol, upper-layer length.
    const pseudo = ((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + (total - 20));
    this.writeL4(20, total, proto, sport, dport, tcpFlags, proto === Proto.Icmp ? -1 : pseudo, meta);
    this.record(time, total, meta);
  }

  /** Writes one IPv6 packet (addresses: 4 words at s[sOff], d[dOff]); `meta` as in writeIpv4. */
  writeIpv6(
    time: number, s: ArrayLike<number>, sOff: number, d: ArrayLike<number>, dOff: number, proto: number, sport: number,
    dport: number, tcpFlags: number, totalLength: number, meta?: PacketMeta,
  ): void {
    const p = this.pkt, v = this.pview;
    const l4 = l4HeaderSize(proto);
    const total = Math.min(65535, Math.max(totalLength, 40 + l4));
    if (meta === undefined) {
      if (proto === Proto.Tcp) this.tcp.next6(s, sOff, d, dOff, sport, dport, tcpFlags, total - 40 - l4, time);
      meta = this.autoMeta(proto);
    }
    p.fill(0, 0, total);
    v.setUint32(0, 0x60000000);
    v.setUint16(4, total - 40);
    v.setUint8(6, proto);
    v.setUint8(7, 64);
    let pseudo = proto + (total - 40);
    for (let k = 0; k < 4; k++) {
      const a = s[sOff + k] >>> 0, b = d[dOff + k] >>> 0;
      v.setUint32(8 + k * 4, a);
      v.setUint32(24 + k * 4, b);
      pseudo += (a >>> 16) + (a & 0xffff) + (b >>> 16) + (b & 0xffff);
    }
    this.writeL4(40, total, proto, sport, dport, tcpFlags, pseudo, meta);
    this.record(time, total, meta);
  }

  /** Flushes buffered bytes to the sink. */
  flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    if (this.sink) this.sink(chunk);
    else this.kept.push(Buffer.from(chunk));
    this.used = 0;
  }

  /** The whole file (writers without a sink). */
  toBuffer(): Buffer {
    this.flush();
    return Buffer.concat(this.kept);
  }

  /** Writes the record of the packet in `pkt[0..total)`. */
  protected abstract record(time: number, total: number, meta: PacketMeta): void;

  private autoMeta(proto: number): PacketMeta {
    const m = this.auto;
    m.seq = proto === Proto.Tcp ? this.tcp.seq : 0;
    m.ack = proto === Proto.Tcp ? this.tcp.ack : 0;
    return m;
  }

  /** Transport header at `off`; `pseudo` = pseudo-header sum, or -1 for a checksum over the message only (ICMPv4). */
  private writeL4(off: number, total: number, proto: number, sport: number, dport: number, flags: number, pseudo: number, meta: PacketMeta): void {
    const v = this.pview;
    let ck = -1;
    if (proto === Proto.Tcp) {
      v.setUint16(off, sport);
      v.setUint16(off + 2, dport);
      v.setUint32(off + 4, meta.seq >>> 0);
      v.setUint32(off + 8, flags & TcpFlag.ACK ? meta.ack >>> 0 : 0);
      v.setUint8(off + 12, 5 << 4);
      v.setUint8(off + 13, flags);
      v.setUint16(off + 14, 65535);
      ck = off + 16;
    } else if (proto === Proto.Udp) {
      v.setUint16(off, sport);
      v.setUint16(off + 2, dport);
      v.setUint16(off + 4, total - off);
      // Payload is zeros but for a 16-bit record counter in front: datagrams differ, so a dissector that reads one
      // (DNS on port 53: the transaction id) does not take every datagram for a retransmission of the first.
      if (total - off >= 10) v.setUint16(off + 8, this.packets & 0xffff);
      ck = off + 6;
    } else if (proto === Proto.Icmp || proto === Proto.Icmpv6) {
      // Echo request when srcPort carries the identifier, echo reply when dstPort does (generator convention).
      const request = sport !== 0;
      v.setUint8(off, proto === Proto.Icmp ? (request ? 8 : 0) : request ? 128 : 129);
      v.setUint16(off + 4, request ? sport : dport);
      v.setUint16(off + 6, this.packets & 0xffff);
      ck = off + 2;
    }
    if (ck < 0) return;
    let c = finish(sum16(this.pkt, off, total - off, pseudo < 0 ? 0 : pseudo));
    if (c === 0 && proto === Proto.Udp) c = 0xffff; // RFC 768: a computed zero is sent as all ones
    v.setUint16(ck, c);
  }

  protected reserve(n: number): number {
    if (this.used + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.alloc(n);
    }
    const at = this.used;
    this.used += n;
    return at;
  }
}

/** Classic libpcap file: microsecond timestamps, one link type, no per-packet metadata. */
export class PcapWriter extends CaptureFileWriter {
  constructor(options: PcapWriterOptions = {}) {
    super(options);
    const h = this.reserve(GLOBAL_HEADER);
    this.buf.writeUInt32LE(PCAP_MAGIC, h);
    this.buf.writeUInt16LE(2, h + 4);
    this.buf.writeUInt16LE(4, h + 6);
    this.buf.writeInt32LE(0, h + 8); // thiszone
    this.buf.writeUInt32LE(0, h + 12); // sigfigs
    this.buf.writeUInt32LE(this.snaplen, h + 16);
    this.buf.writeUInt32LE(LINKTYPE_RAW, h + 20);
  }

  protected record(time: number, total: number): void {
    const incl = Math.min(total, this.snaplen);
    const at = this.reserve(RECORD_HEADER + incl);
    let sec = Math.floor(time);
    let usec = Math.round((time - sec) * 1e6);
    if (usec >= 1e6) (sec += 1), (usec -= 1e6);
    this.buf.writeUInt32LE(sec >>> 0, at);
    this.buf.writeUInt32LE(usec, at + 4);
    this.buf.writeUInt32LE(incl, at + 8);
    this.buf.writeUInt32LE(total, at + 12);
    this.buf.set(this.pkt.subarray(0, incl), at + RECORD_HEADER);
    this.packets++;
  }
}

/** A capture point of a pcapng file (an Interface Description Block). */
export interface CaptureInterface {
  name: string;
  description: string;
}

export interface PcapngWriterOptions extends PcapWriterOptions {
  /** Capture points, one interface each (default: CAPTURE_POINTS). */
  interfaces?: readonly CaptureInterface[];
}

/** The capture points of a run (pcapng interfaces, in this order). */
export const CaptureIface = { VmNic: 0, Translated: 1, ServiceSide: 2 } as const;
export const CAPTURE_POINTS: readonly CaptureInterface[] = [
  { name: 'vm-nic', description: 'at the VM NIC: packets with private addresses, as the VM sends and receives them' },
  { name: 'after-translation', description: 'after source translation (R-SNAT-1): the same packet with the public source' },
  { name: 'service-side', description: 'at the far end (service, Internet, on-premises): replies before they are translated back' },
];

const OPT_COMMENT = 1;
const EPB_FLAGS = 2;
const EPB_VERDICT = 7;
const VERDICT_EBPF_TC = 1;
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;

/** pcapng (one section, little-endian): interfaces per capture point; per packet a comment, direction and verdict. */
export class PcapngWriter extends CaptureFileWriter {
  readonly interfaces: readonly CaptureInterface[];

  constructor(options: PcapngWriterOptions = {}) {
    super(options);
    this.interfaces = options.interfaces ?? CAPTURE_POINTS;
    this.block(PCAPNG_SHB, 16, (at) => {
      this.buf.writeUInt32LE(PCAPNG_BYTE_ORDER_MAGIC, at);
      this.buf.writeUInt16LE(1, at + 4);
      this.buf.writeUInt16LE(0, at + 6);
      this.buf.writeInt32LE(-1, at + 8); // section length unknown
      this.buf.writeInt32LE(-1, at + 12);
    }, [[4, 'vnetsim']]); // shb_userappl
    for (const i of this.interfaces) {
      this.block(1, 8, (at) => {
        this.buf.writeUInt16LE(LINKTYPE_RAW, at);
        this.buf.writeUInt16LE(0, at + 2);
        this.buf.writeUInt32LE(this.snaplen, at + 4);
      }, [[2, i.name], [3, i.description], [9, Uint8Array.of(6)]]); // if_name, if_description, if_tsresol (microseconds)
    }
  }

  protected record(time: number, total: number, meta: PacketMeta): void {
    if (meta.iface < 0 || meta.iface >= this.interfaces.length) throw new RangeError(`pcapng: no interface ${meta.iface}`);
    const incl = Math.min(total, this.snaplen);
    const padded = (incl + 3) & ~3;
    const comment = meta.comment === '' ? null : Buffer.from(meta.comment, 'utf8');
    const opts = (comment === null ? 0 : 4 + ((comment.length + 3) & ~3)) + 8 + 16 + 4; // comment, flags, verdict, end
    const len = 12 + 20 + padded + opts;
    const at = this.reserve(len);
    const b = this.buf;
    b.writeUInt32LE(6, at);
    b.writeUInt32LE(len, at + 4);
    b.writeUInt32LE(meta.iface, at + 8);
    const us = Math.round(time * 1e6);
    b.writeUInt32LE(Math.floor(us / 0x100000000) >>> 0, at + 12);
    b.writeUInt32LE(us >>> 0, at + 16);
    b.writeUInt32LE(incl, at + 20);
    b.writeUInt32LE(total, at + 24);
    b.set(this.pkt.subarray(0, incl), at + 28);
    b.fill(0, at + 28 + incl, at + 28 + padded);
    let o = at + 28 + padded;
    if (comment !== null) {
      b.writeUInt16LE(OPT_COMMENT, o);
      b.writeUInt16LE(comment.length, o + 2);
      b.set(comment, o + 4);
      const end = o + 4 + ((comment.length + 3) & ~3);
      b.fill(0, o + 4 + comment.length, end);
      o = end;
    }
    b.writeUInt16LE(EPB_FLAGS, o);
    b.writeUInt16LE(4, o + 2);
    b.writeUInt32LE(meta.direction, o + 4);
    o += 8;
    b.writeUInt16LE(EPB_VERDICT, o);
    b.writeUInt16LE(9, o + 2);
    b.writeUInt8(VERDICT_EBPF_TC, o + 4);
    b.writeBigInt64LE(BigInt(meta.dropped ? TC_ACT_SHOT : TC_ACT_OK), o + 5);
    b.fill(0, o + 13, o + 16);
    o += 16;
    b.writeUInt32LE(0, o); // opt_endofopt
    b.writeUInt32LE(len, o + 4);
    this.packets++;
  }

  /** A block of `type` with a fixed body of `fixed` bytes and string/byte options. */
  private block(type: number, fixed: number, body: (at: number) => void, options: Array<[number, string | Uint8Array]>): void {
    const opts = options.map(([code, v]) => [code, typeof v === 'string' ? Buffer.from(v, 'utf8') : v] as const);
    const optBytes = opts.reduce((n, [, v]) => n + 4 + ((v.length + 3) & ~3), 0) + 4;
    const len = 12 + fixed + optBytes;
    const at = this.reserve(len);
    this.buf.fill(0, at, at + len);
    this.buf.writeUInt32LE(type, at);
    this.buf.writeUInt32LE(len, at + 4);
    body(at + 8);
    let o = at + 8 + fixed;
    for (const [code, v] of opts) {
      this.buf.writeUInt16LE(code, o);
      this.buf.writeUInt16LE(v.length, o + 2);
      this.buf.set(v, o + 4);
      o += 4 + ((v.length + 3) & ~3);
    }
    this.buf.writeUInt32LE(len, at + len - 4); // opt_endofopt (zeros) precedes the trailing length
  }
}

function l4HeaderSize(proto: number): number {
  return proto === Proto.Tcp ? 20 : proto === Proto.Udp || proto === Proto.Icmp || proto === Proto.Icmpv6 ? 8 : 0;
}

/** One's-complement sum of 16-bit big-endian words (odd length padded with zero), not folded. */
function sum16(p: Uint8Array, off: number, len: number, initial: number): number {
  let s = initial;
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) s += (p[i] << 8) | p[i + 1];
  if (len & 1) s += p[off + len - 1] << 8;
  return s;
}

function finish(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

// ---- reader (tests, tools) ----

export interface PcapHeader {
  magic: number;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linktype: number;
}

export interface PcapRecord {
  tsSec: number;
  tsUsec: number;
  inclLen: number;
  origLen: number;
  data: Uint8Array;
  family: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  srcPort: number;
  dstPort: number;
  /** TCP flag byte; for ICMP the type; 0 otherwise. */
  tcpFlags: number;
  /** TCP sequence and acknowledgement numbers (0 for other protocols). */
  seq: number;
  ack: number;
  /** Header checksum (IPv4; always true for IPv6) and transport checksum, recomputed over the captured bytes. */
  ipChecksumOk: boolean;
  l4ChecksumOk: boolean;
}

/** Parses a classic pcap file with LINKTYPE_RAW records (either byte order). */
export function readPcap(buf: Uint8Array): { header: PcapHeader; records: PcapRecord[] } {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < GLOBAL_HEADER) throw new Error(`pcap: file of ${buf.byteLength} bytes is shorter than the 24-byte header`);
  const le = v.getUint32(0, true) === PCAP_MAGIC;
  if (!le && v.getUint32(0, false) !== PCAP_MAGIC) throw new Error(`pcap: bad magic 0x${v.getUint32(0, true).toString(16)}`);
  const header: PcapHeader = {
    magic: v.getUint32(0, le), versionMajor: v.getUint16(4, le), versionMinor: v.getUint16(6, le), thiszone: v.getInt32(8, le),
    sigfigs: v.getUint32(12, le), snaplen: v.getUint32(16, le), linktype: v.getUint32(20, le),
  };
  const records: PcapRecord[] = [];
  let at = GLOBAL_HEADER;
  while (at < buf.byteLength) {
    if (at + RECORD_HEADER > buf.byteLength) throw new Error(`pcap: truncated record header at byte ${at}`);
    const inclLen = v.getUint32(at + 8, le);
    if (at + RECORD_HEADER + inclLen > buf.byteLength) throw new Error(`pcap: record at byte ${at} runs past the end`);
    const data = buf.subarray(at + RECORD_HEADER, at + RECORD_HEADER + inclLen);
    records.push({ tsSec: v.getUint32(at, le), tsUsec: v.getUint32(at + 4, le), inclLen, origLen: v.getUint32(at + 12, le), data, ...parseIp(data) });
    at += RECORD_HEADER + inclLen;
  }
  return { header, records };
}

function parseIp(p: Uint8Array): Omit<PcapRecord, 'tsSec' | 'tsUsec' | 'inclLen' | 'origLen' | 'data'> {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const version = p[0] >> 4;
  let family: 4 | 6, src: string, dst: string, proto: number, off: number, pseudo: number, ipOk = true;
  if (version === 4) {
    family = 4;
    off = (p[0] & 15) * 4;
    proto = p[9];
    const s = v.getUint32(12), d = v.getUint32(16);
    src = formatIpv4(s);
    dst = formatIpv4(d);
    ipOk = finish(sum16(p, 0, off, 0)) === 0;
    pseudo = proto === Proto.Icmp ? -1 : (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + proto + (v.getUint16(2) - off);
  } else if (version === 6) {
    family = 6;
    off = 40;
    proto = p[6];
    const w = new Uint32Array(8);
    pseudo = proto + v.getUint16(4);
    for (let k = 0; k < 8; k++) {
      w[k] = v.getUint32(8 + k * 4);
      pseudo += (w[k] >>> 16) + (w[k] & 0xffff);
    }
    src = formatIpv6(w.subarray(0, 4));
    dst = formatIpv6(w.subarray(4, 8));
  } else {
    throw new Error(`pcap: record is not IPv4 or IPv6 (version nibble ${version})`);
  }
  let srcPort = 0, dstPort = 0, tcpFlags = 0, seq = 0, ack = 0;
  if (proto === Proto.Tcp || proto === Proto.Udp) {
    srcPort = v.getUint16(off);
    dstPort = v.getUint16(off + 2);
    if (proto === Proto.Tcp) (tcpFlags = p[off + 13]), (seq = v.getUint32(off + 4)), (ack = v.getUint32(off + 8));
  } else if (proto === Proto.Icmp || proto === Proto.Icmpv6) {
    tcpFlags = p[off];
  }
  const hasL4 = proto === Proto.Tcp || proto === Proto.Udp || proto === Proto.Icmp || proto === Proto.Icmpv6;
  const l4Ok = !hasL4 || finish(sum16(p, off, p.byteLength - off, pseudo < 0 ? 0 : pseudo)) === 0;
  return { family, src, dst, proto, srcPort, dstPort, tcpFlags, seq, ack, ipChecksumOk: ipOk, l4ChecksumOk: l4Ok };
}
