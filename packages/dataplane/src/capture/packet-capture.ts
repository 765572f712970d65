// What a run's capture shows: each packet of a processed batch at its capture points, with the TCP numbers of its
// connection, a simulated timestamp and (pcapng) why it lived or died.
//
// Capture points (pcapng interfaces, CAPTURE_POINTS): a packet is written once per address view, never twice with
// the same addresses (Wireshark would take the copy for a retransmission):
// - vm-nic: every packet with its private addresses; forward packets as sent, replies as delivered;
// - after-translation: a forward packet of a translated flow (R-SNAT-1) with its public source;
// - service-side: a reply of a translated flow as the far end sent it, to the public address.
// A copy carries the same TCP numbers as its original.
import {
  Disposition,
  DISPOSITION_NAMES,
  DROP_REASON_DESCRIPTIONS,
  DROP_REASON_NAMES,
  type NsgClassifier,
} from '@vnetsim/core';
import type { FlowTable } from '../flows/flow-table.js';
import { Proto, TcpFlag, type PacketBatch } from '../packet/batch.js';
import type { Scratch } from '../stages/context.js';
import type { CompiledTables } from '../tables.js';
import { CaptureIface, type CaptureFileWriter, type PacketMeta } from './pcap.js';

/** 2026-01-01T00:00:00Z: where simulated time 0 of the first scenario lands in captures and flow logs by default. */
export const DEFAULT_CAPTURE_START = Date.UTC(2026, 0, 1) / 1000;

/**
 * Simulated seconds to Unix seconds for a run of several scenarios: each scenario starts on the first whole minute
 * after the previous one ended, so captures stay in time order and flow-log minutes never mix two scenarios.
 */
export class CaptureClock {
  private base: number;
  private nextBase: number;

  constructor(readonly start: number = DEFAULT_CAPTURE_START) {
    if (!Number.isFinite(start) || start < 0) throw new RangeError(`capture start: expected Unix seconds >= 0, got ${start}`);
    this.base = start;
    this.nextBase = start;
  }

  /** Starts a scenario (its simulated time 0 is `unix(0)`). */
  begin(): void {
    this.base = this.nextBase;
  }

  /** Ends a scenario whose clock reached `clock` seconds. */
  end(clock: number): void {
    this.nextBase = this.base + Math.max(1, Math.ceil((clock + 1) / 60)) * 60;
  }

  unix(simulated: number): number {
    return this.base + simulated;
  }
}

const DROPPED = new Uint8Array(DISPOSITION_NAMES.length).fill(1);
DROPPED[Disposition.Delivered] = 0;
DROPPED[Disposition.ExitsNetwork] = 0;

export class PacketCapture {
  /** Time of the last packet written (timestamps never go back). */
  private last = -Infinity;
  private readonly meta: PacketMeta = { seq: 0, ack: 0, iface: 0, comment: '', dropped: false, direction: 0 };

  constructor(
    readonly writer: CaptureFileWriter,
    readonly clock: CaptureClock,
  ) {}

  private time(simulated: number): number {
    const t = Math.max(this.clock.unix(simulated), this.last);
    this.last = t;
    return t;
  }

  /** Writes every row of a batch the pipeline just processed (its scratch columns are the batch's). */
  batch(b: PacketBatch, sc: Scratch, tables: CompiledTables): void {
    const w = this.writer, m = this.meta;
    for (let i = 0; i < b.count; i++) {
      const time = this.time(b.time[i]!);
      const proto = b.proto[i]!, flags = b.tcpFlags[i]!, len = b.length[i]!;
      const v4 = b.family[i] === 4;
      const reverse = sc.flowDir[i] === 1;
      const disp = b.disposition[i]!;
      let detail = '';
      if (proto === Proto.Tcp) {
        const payload = Math.max(0, len - (v4 ? 40 : 60));
        if (v4) w.tcp.next4(b.src[i]!, b.dst[i]!, b.srcPort[i]!, b.dstPort[i]!, flags, payload, time);
        else w.tcp.next6(b.src6, i << 2, b.dst6, i << 2, b.srcPort[i]!, b.dstPort[i]!, flags, payload, time);
        m.seq = w.tcp.seq;
        m.ack = w.tcp.ack;
        // The first packet of a flow knows which rule decided; later packets of the connection reuse that text.
        if ((flags & TcpFlag.SYN) !== 0 && (flags & TcpFlag.ACK) === 0) w.tcp.note = ruleDetail(b, i, sc, tables);
        detail = w.tcp.note;
      } else {
        m.seq = m.ack = 0;
        detail = ruleDetail(b, i, sc, tables);
      }
      m.comment = describe(b, i, detail);
      m.dropped = DROPPED[disp] === 1;
      const nat = v4 ? b.translatedSrc[i]! : 0;
      const natted = nat !== 0 && !(nat === b.src[i] && !reverse);
      if (!reverse) {
        m.iface = CaptureIface.VmNic;
        m.direction = 2;
        this.write(b, i, time, b.src[i]!, b.dst[i]!, b.srcPort[i]!, b.dstPort[i]!);
        if (natted) {
          m.iface = CaptureIface.Translated;
          this.write(b, i, time, nat, b.dst[i]!, b.translatedSrcPort[i]!, b.dstPort[i]!);
        }
      } else {
        if (natted) {
          // R-SNAT-1: the reply leaves the far end to the public address and port, then is translated back.
          m.iface = CaptureIface.ServiceSide;
          m.direction = 2;
          this.write(b, i, time, b.src[i]!, nat, b.srcPort[i]!, b.translatedSrcPort[i]!);
        }
        m.iface = CaptureIface.VmNic;
        m.direction = 1;
        this.write(b, i, time, b.src[i]!, b.dst[i]!, b.srcPort[i]!, b.dstPort[i]!);
      }
    }
  }

  /** R-SE-2: the RSTs sent when flows were reset by an endpoint toggle at simulated time `at`. */
  resets(flows: FlowTable, ids: readonly number[], at: number): void {
    const w = this.writer, m = this.meta;
    const time = this.time(at);
    const rst = TcpFlag.RST | TcpFlag.ACK;
    m.comment = 'RST: the connection was reset by an endpoint toggle (R-SE-2)';
    m.dropped = false;
    for (const id of ids) {
      const sp = flows.srcPort[id]!, dp = flows.dstPort[id]!;
      if (flows.family[id] === 4) {
        const src = flows.src[id]!, dst = flows.dst[id]!, nat = flows.natSrc[id]!, natPort = flows.natPort[id]!;
        // To the initiator, from the destination.
        w.tcp.next4(dst, src, dp, sp, rst, 0, time);
        m.seq = w.tcp.seq;
        m.ack = w.tcp.ack;
        if (nat !== 0) {
          m.iface = CaptureIface.ServiceSide;
          m.direction = 2;
          w.writeIpv4(time, dst, nat, Proto.Tcp, dp, natPort, rst, 40, m);
        }
        m.iface = CaptureIface.VmNic;
        m.direction = 1;
        w.writeIpv4(time, dst, src, Proto.Tcp, dp, sp, rst, 40, m);
        // To the destination, from the initiator.
        w.tcp.next4(src, dst, sp, dp, rst, 0, time);
        m.seq = w.tcp.seq;
        m.ack = w.tcp.ack;
        m.direction = 2;
        w.writeIpv4(time, src, dst, Proto.Tcp, sp, dp, rst, 40, m);
        if (nat !== 0) {
          m.iface = CaptureIface.Translated;
          w.writeIpv4(time, nat, dst, Proto.Tcp, natPort, dp, rst, 40, m);
        }
      } else {
        const o = id << 2;
        w.tcp.next6(flows.dst6, o, flows.src6, o, dp, sp, rst, 0, time);
        m.seq = w.tcp.seq;
        m.ack = w.tcp.ack;
        m.iface = CaptureIface.VmNic;
        m.direction = 1;
        w.writeIpv6(time, flows.dst6, o, flows.src6, o, Proto.Tcp, dp, sp, rst, 60, m);
        w.tcp.next6(flows.src6, o, flows.dst6, o, sp, dp, rst, 0, time);
        m.seq = w.tcp.seq;
        m.ack = w.tcp.ack;
        m.direction = 2;
        w.writeIpv6(time, flows.src6, o, flows.dst6, o, Proto.Tcp, sp, dp, rst, 60, m);
      }
    }
  }

  private write(b: PacketBatch, i: number, time: number, src: number, dst: number, sport: number, dport: number): void {
    const w = this.writer;
    if (b.family[i] === 4) w.writeIpv4(time, src, dst, b.proto[i]!, sport, dport, b.tcpFlags[i]!, b.length[i]!, this.meta);
    else w.writeIpv6(time, b.src6, i << 2, b.dst6, i << 2, b.proto[i]!, sport, dport, b.tcpFlags[i]!, b.length[i]!, this.meta);
  }
}

/** `DeniedOut: NsgDenyOutbound, an outbound security rule ... (NSG app-nsg, securityRules/deny-all)`. */
function describe(b: PacketBatch, i: number, detail: string): string {
  const d = b.disposition[i]!, r = b.dropReason[i]!;
  const name = DISPOSITION_NAMES[d] ?? `disposition ${d}`;
  // Delivered packets (most of a capture) say only that; a dropped one says why, in the words of the drop table.
  if (r === 0) return `${name}${detail}`;
  const svc = b.serviceError[i] !== 0 ? ` (service error ${b.serviceError[i]})` : '';
  return `${name}: dropped, ${DROP_REASON_NAMES[r]}: ${DROP_REASON_DESCRIPTIONS[DROP_REASON_NAMES[r]!]}${svc}${detail}`;
}

/** The NSG rule that decided the packet's flow, from the levels the pipeline evaluated for this row ('' none). */
function ruleDetail(b: PacketBatch, i: number, sc: Scratch, t: CompiledTables): string {
  const vm = sc.srcVm[i]!, sub = sc.srcSubnet[i]!, dst = b.egressVm[i]!;
  // The deciding level is the last one evaluated (R-NSG-4 order: NIC out, subnet out, subnet in, NIC in).
  let c: NsgClassifier | null = null, r = -1;
  if (sc.ruleNicIn[i]! >= 0 && dst >= 0) (c = t.vmNicIn[dst] ?? null), (r = sc.ruleNicIn[i]!);
  else if (sc.ruleSubnetIn[i]! >= 0 && dst >= 0) (c = t.subnetNsgIn[t.vmSubnet[dst]!] ?? null), (r = sc.ruleSubnetIn[i]!);
  else if (sc.ruleSubnetOut[i]! >= 0 && sub >= 0) (c = t.subnetNsgOut[sub] ?? null), (r = sc.ruleSubnetOut[i]!);
  else if (sc.ruleNicOut[i]! >= 0 && vm >= 0) (c = t.vmNicOut[vm] ?? null), (r = sc.ruleNicOut[i]!);
  if (c === null || r < 0 || r >= c.rules.length) return '';
  return ` [NSG ${c.nsg} ${c.direction.toLowerCase()}: ${c.rules[r]!.name} -> ${c.allow[r] === 1 ? 'Allow' : 'Deny'}]`;
}
