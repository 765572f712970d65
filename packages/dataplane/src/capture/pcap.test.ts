import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIpv4, parseIpv4 } from '@vnetsim/core';
import { PacketBatch, Proto, TcpFlag } from '../packet/batch.js';
import { TrafficGenerator } from '../packet/generate.js';
import { FlowTable } from '../flows/flow-table.js';
import { CAPTURE_POINTS, LINKTYPE_RAW, PCAP_MAGIC, PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_SHB, PcapngWriter, PcapWriter, readPcap } from './pcap.js';

/** tshark's path when installed: a second, independent reader of the files written here. */
const TSHARK = (() => {
  try {
    return execFileSync('which', ['tshark'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();

function mixedBatch(): PacketBatch {
  const g = new TrafficGenerator({
    seed: 11, flows: 40, packetsPerFlow: 7, sources: ['10.0.0.4', 'fd00::4'], destinations: ['52.239.0.0/16', '2603:1000::/40'],
    protocol: { tcp: 2, udp: 1, icmp: 1 }, payloadBytes: 333, startTime: 1_700_000_000.25, packetInterval: 0.001,
  });
  const b = new PacketBatch(1000);
  g.fill(b);
  return b;
}

describe('pcap', () => {
  it('round trip: header fields, record count, 5-tuples, flags, lengths, timestamps, checksums', () => {
    const b = mixedBatch();
    const w = new PcapWriter();
    w.writeBatch(b);
    const { header, records } = readPcap(w.toBuffer());
    expect(header).toEqual({ magic: PCAP_MAGIC, versionMajor: 2, versionMinor: 4, thiszone: 0, sigfigs: 0, snaplen: 65535, linktype: LINKTYPE_RAW });
    expect(records.length).toBe(b.count);
    expect(w.packets).toBe(280);
    records.forEach((r, i) => {
      expect(r.family).toBe(b.family[i]);
      if (r.family === 4) expect([r.src, r.dst]).toEqual([formatIpv4(b.src[i]), formatIpv4(b.dst[i])]);
      expect(r.proto).toBe(b.proto[i]);
      expect(r.origLen).toBe(b.length[i]);
      expect(r.inclLen).toBe(b.length[i]);
      expect(r.ipChecksumOk && r.l4ChecksumOk).toBe(true);
      const t = r.tsSec + r.tsUsec / 1e6;
      expect(Math.abs(t - b.time[i])).toBeLessThan(1e-5);
      if (r.proto === Proto.Tcp || r.proto === Proto.Udp) expect([r.srcPort, r.dstPort]).toEqual([b.srcPort[i], b.dstPort[i]]);
      if (r.proto === Proto.Tcp) expect(r.tcpFlags).toBe(b.tcpFlags[i]);
      if (r.proto === Proto.Icmp) expect(r.tcpFlags).toBe(b.srcPort[i] !== 0 ? 8 : 0);
      if (r.proto === Proto.Icmpv6) expect(r.tcpFlags).toBe(b.srcPort[i] !== 0 ? 128 : 129);
    });
    expect(new Set(records.map((r) => r.proto))).toEqual(new Set([Proto.Tcp, Proto.Udp, Proto.Icmp, Proto.Icmpv6]));
  });

  it('a corrupted byte fails the recomputed checksum', () => {
    const w = new PcapWriter();
    w.writeIpv4(1, parseIpv4('10.0.0.4'), parseIpv4('1.2.3.4'), Proto.Udp, 5000, 53, 0, 60);
    const buf = w.toBuffer();
    buf[24 + 16 + 12] ^= 1; // a bit of the source address: IP and UDP (pseudo-header) checksums both break
    const [r] = readPcap(buf).records;
    expect([r.ipChecksumOk, r.l4ChecksumOk]).toEqual([false, false]);
  });

  it('writes rows before and after translation (R-SNAT-1) and snaplen truncation keeps orig_len', () => {
    const b = new PacketBatch(4);
    const i = b.push4(parseIpv4('10.0.0.4'), parseIpv4('52.239.1.1'), 50000, 443, Proto.Tcp, TcpFlag.PSH | TcpFlag.ACK, 1040, 0, 5);
    b.translatedSrc[i] = parseIpv4('20.1.2.3');
    b.translatedSrcPort[i] = 1030;
    const w = new PcapWriter({ snaplen: 100 });
    w.writeRow(b, i, 'original');
    w.writeRow(b, i, 'translated');
    const [before, after] = readPcap(w.toBuffer()).records;
    expect([before.src, before.srcPort, after.src, after.srcPort]).toEqual(['10.0.0.4', 50000, '20.1.2.3', 1030]);
    expect([after.inclLen, after.origLen, after.l4ChecksumOk]).toEqual([100, 1040, true]);
  });

  it('R-SE-2: a reset writes an RST to each end, from the translated source when the flow was translated', () => {
    const t = new FlowTable({ capacity: 8 });
    const id = t.insert4(Proto.Tcp, parseIpv4('10.0.0.4'), parseIpv4('52.239.1.1'), 50000, 443, TcpFlag.SYN, 60, 0);
    t.natSrc[id] = parseIpv4('20.1.2.3');
    t.natPort[id] = 1030;
    const w = new PcapWriter();
    w.writeResetPair(t, id, 10);
    const rs = readPcap(w.toBuffer()).records;
    expect(rs.map((r) => [r.src, r.srcPort, r.dst, r.dstPort, r.tcpFlags, r.l4ChecksumOk])).toEqual([
      ['52.239.1.1', 443, '10.0.0.4', 50000, TcpFlag.RST | TcpFlag.ACK, true],
      ['20.1.2.3', 1030, '52.239.1.1', 443, TcpFlag.RST | TcpFlag.ACK, true],
    ]);
  });

  it(`streams to a file through a sink, large captures included (${TSHARK === '' ? 'checked by readPcap; tshark not installed' : 'and tshark reads it'})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnetsim-pcap-'));
    try {
      const path = join(dir, 'run.pcap');
      const fd = openSync(path, 'w');
      const w = new PcapWriter({ sink: (chunk) => void writeSync(fd, chunk) });
      const b = mixedBatch();
      for (let k = 0; k < 5; k++) w.writeBatch(b, 'translated'); // > one 64 KiB chunk
      w.flush();
      closeSync(fd);
      const { records } = readPcap(readFileSync(path));
      expect(records.length).toBe(5 * b.count);
      if (TSHARK !== '') {
        const out = execFileSync(TSHARK, ['-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
        expect(out.trim().split('\n').length).toBe(5 * b.count);
      }
      writeFileSync(join(dir, 'empty.pcap'), new PcapWriter().toBuffer());
      expect(readPcap(readFileSync(join(dir, 'empty.pcap'))).records.length).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pcapng: a section header, one interface per capture point, enhanced packet blocks with comment, flags and verdict', () => {
    const w = new PcapngWriter({ snaplen: 64 });
    const meta = { seq: 1000, ack: 0, iface: 1, comment: 'DeniedOut: dropped', dropped: true, direction: 2 as const };
    w.writeIpv4(1_767_225_600.5, parseIpv4('10.0.0.4'), parseIpv4('1.2.3.4'), Proto.Tcp, 50000, 443, TcpFlag.SYN, 100, meta);
    const buf = w.toBuffer();
    const blocks: Array<{ type: number; body: Buffer }> = [];
    for (let at = 0; at < buf.length; ) {
      const type = buf.readUInt32LE(at), len = buf.readUInt32LE(at + 4);
      expect(len % 4).toBe(0);
      expect(buf.readUInt32LE(at + len - 4)).toBe(len); // trailing length repeats the leading one
      blocks.push({ type, body: buf.subarray(at + 8, at + len - 4) });
      at += len;
    }
    expect(blocks.map((b) => b.type)).toEqual([PCAPNG_SHB, 1, 1, 1, 6]);
    expect(blocks[0]!.body.readUInt32LE(0)).toBe(PCAPNG_BYTE_ORDER_MAGIC);
    const names = blocks.slice(1, 4).map((b) => {
      expect(b.body.readUInt16LE(0)).toBe(LINKTYPE_RAW);
      expect(b.body.readUInt32LE(4)).toBe(64);
      const n = b.body.readUInt16LE(10); // first option: if_name
      expect(b.body.readUInt16LE(8)).toBe(2);
      return b.body.subarray(12, 12 + n).toString('utf8');
    });
    expect(names).toEqual(CAPTURE_POINTS.map((c) => c.name));
    const epb = blocks[4]!.body;
    expect(epb.readUInt32LE(0)).toBe(1); // interface
    const us = epb.readUInt32LE(4) * 2 ** 32 + epb.readUInt32LE(8);
    expect(us).toBe(1_767_225_600_500_000);
    expect([epb.readUInt32LE(12), epb.readUInt32LE(16)]).toEqual([64, 100]); // captured (snaplen), original
    const data = epb.subarray(20, 20 + 64);
    expect(data.readUInt32BE(20 + 4)).toBe(1000); // TCP sequence number from the meta
    let o = 20 + 64;
    const opts = new Map<number, Buffer>();
    for (;;) {
      const code = epb.readUInt16LE(o), n = epb.readUInt16LE(o + 2);
      if (code === 0) break;
      opts.set(code, epb.subarray(o + 4, o + 4 + n));
      o += 4 + ((n + 3) & ~3);
    }
    expect(opts.get(1)!.toString('utf8')).toBe('DeniedOut: dropped');
    expect(opts.get(2)!.readUInt32LE(0)).toBe(2); // outbound
    expect([opts.get(7)![0], Number(opts.get(7)!.readBigInt64LE(1))]).toEqual([1, 2]); // eBPF TC, TC_ACT_SHOT
  });
});
