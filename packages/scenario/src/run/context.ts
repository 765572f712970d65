// The state of one scenario run (clock, source ports, named connections, reusable batches) and what several steps
// share: pushing packets through the network, captures, control-plane changes, the flow log.
import { defaultPort, DISPOSITION_NAMES, formatIpv4, PROTOCOLS } from '@vnetsim/core';
import {
  outcomeOf,
  Proto,
  Purpose,
  TcpFlag,
  traceOf,
  TrafficGenerator,
  type ChangeResult,
  type Network,
  type RunCapture,
  type PacketBatch,
  type PacketOutcome,
  type Trace,
  type WhatIfOptions,
} from '@vnetsim/dataplane';
import type { Expect, PacketProtocol, TrafficStep } from '../load/scenario-schema.js';
import { packetEnds, pushPacket, type PacketEnds } from '../drive/packet.js';
import { resolveSource, resolveSource6, resolveTarget } from '../drive/resolve.js';
import { StepError } from '../step-error.js';
import { checkChange, checkCounts } from './expectations.js';
import type { RunOptions } from './runner.js';
import { whatIfOf, type WhatIfQuestion, type WhatIfReport } from './whatif.js';

export interface Connection {
  ends: PacketEnds;
  proto: number;
  srcPort: number;
  dstPort: number;
  flowId: number;
}

/** Rows of the batch traffic steps fill at a time. */
export const BATCH = 4096;

export class RunContext {
  clock = 0;
  private nextPort = 49152;
  readonly connections = new Map<string, Connection>();
  /** The batch of single-packet steps (connect, send). */
  readonly small: PacketBatch;
  private readonly big: PacketBatch;

  constructor(
    readonly net: Network,
    readonly opts: RunOptions,
    /** Packet capture and flow logs of the run (RunCapture), when asked for. */
    readonly cap: RunCapture | undefined,
  ) {
    this.small = net.newBatch(8);
    this.big = net.newBatch(BATCH);
  }

  tick(): number {
    this.clock += 0.001;
    return this.clock;
  }

  port(): number {
    const p = this.nextPort;
    this.nextPort = p >= 65535 ? 49152 : p + 1;
    return p;
  }

  /** A TCP connection (SYN, SYN|ACK, ACK, one data packet) or one request/reply for other protocols. */
  connect(from: string, to: string, protocol: PacketProtocol, port?: number, sourcePort?: number, disk = false) {
    const net = this.net;
    const ends = packetEnds(net, from, to);
    const proto = PROTOCOLS[protocol].number;
    const sp = sourcePort ?? this.port();
    const dp = port ?? defaultPort(proto);
    const b = this.small;
    b.clear();
    if (proto === Proto.Tcp) {
      // Handshake segments carry no payload (headers only, as sent by a real stack without options).
      const hdr = headerBytes(ends, proto, 0);
      pushPacket(b, ends, false, sp, dp, proto, TcpFlag.SYN, hdr, this.tick());
      pushPacket(b, ends, true, sp, dp, proto, TcpFlag.SYN | TcpFlag.ACK, hdr, this.tick());
      pushPacket(b, ends, false, sp, dp, proto, TcpFlag.ACK, hdr, this.tick());
      pushPacket(b, ends, false, sp, dp, proto, TcpFlag.PSH | TcpFlag.ACK, 540, this.tick());
    } else {
      pushPacket(b, ends, false, sp, dp, proto, 0, 84, this.tick());
      pushPacket(b, ends, true, sp, dp, proto, 0, 84, this.tick());
    }
    if (disk) for (let i = 0; i < b.count; i++) b.purpose[i] = Purpose.DiskIo; // R-SE-8
    const { outcome, trace } = this.process(b, 0);
    const conn: Connection = { ends, proto, srcPort: sp, dstPort: dp, flowId: b.flowId[0]! };
    return { outcome, trace, conn };
  }

  /** Runs a small batch; the outcome and trace of row `row`. */
  process(b: PacketBatch, row: number): { outcome: PacketOutcome; trace: Trace } {
    const net = this.net;
    // The first packet's trace is taken before the batch runs, so later rows (which hit the new flow) don't hide it.
    net.process(b);
    const trace = traceOf(net.tables, net.scratch, b, row);
    const outcome = outcomeOf(net.tables, net.scratch, b, row);
    this.cap?.batch(net, b);
    return { outcome, trace };
  }

  traffic(step: TrafficStep, failures: string[]): Record<string, unknown> {
    const net = this.net;
    const dst = resolveTarget(net, step.to);
    // Sources of each family the destinations have (the generator draws a destination of the source's family).
    const v4 = resolveSource(net, step.from, true);
    const v6 = resolveSource6(net, step.from, true);
    const want6 = dst.prefixes.some((p) => p.includes(':'));
    const want4 = dst.prefixes.some((p) => !p.includes(':'));
    const src = {
      addrs: [...(want4 ? v4.addrs.map(formatIpv4) : []), ...(want6 ? v6.addrs : [])],
      ingress: [...(want4 ? v4.ingress : []), ...(want6 ? v6.ingress : [])],
    };
    if (src.addrs.length === 0) throw new StepError(`${step.from} has no address of the family of ${step.to}`);
    const proto = step.protocol === 'Tcp' ? 'tcp' : step.protocol === 'Udp' ? 'udp' : 'icmp';
    const perFlow = Math.max(1, Math.ceil(step.packets / step.flows));
    const gen = new TrafficGenerator({
      seed: step.seed,
      flows: step.flows,
      packetsPerFlow: perFlow,
      sources: src.addrs,
      ingress: src.ingress,
      destinations: dst.prefixes,
      protocol: proto,
      dstPorts: step.port === undefined ? undefined : [step.port],
      startTime: this.clock,
    });
    const before = Float64Array.from(net.counters.byDisposition);
    const b = this.big;
    let done = 0;
    const started = performance.now();
    while (done < step.packets) {
      const n = gen.fill(b);
      if (n === 0) break;
      if (done + n > step.packets) b.count = step.packets - done;
      net.process(b);
      this.cap?.batch(net, b);
      done += b.count;
      this.clock = b.time[b.count - 1]!;
      this.opts.progress?.(step.index, done, step.packets);
    }
    const seconds = (performance.now() - started) / 1000;
    const counts: Record<string, number> = {};
    DISPOSITION_NAMES.forEach((name, i) => {
      const d = net.counters.byDisposition[i]! - before[i]!;
      if (d > 0) counts[name] = d;
    });
    checkCounts(step.expect, counts, done, failures);
    // Timing stays out of the result so that --json is byte-identical run after run (determinism); it goes to the
    // caller's callback for human output.
    this.opts.onTraffic?.(step.index, done, seconds);
    return { packets: done, flows: step.flows, counts };
  }

  change(r: ChangeResult, e: Expect, failures: string[]): Record<string, unknown> {
    const resetIds = new Set(r.resets.filter((x) => x.rstSent).map((x) => x.flowId));
    const named = [...this.connections.entries()].filter(([, c]) => resetIds.has(c.flowId) && this.matches(c, r.resets)).map(([id]) => id);
    if (r.resets.length > 0) this.cap?.resets(this.net, r.resets, this.clock);
    checkChange(e, r, named, failures);
    return {
      ok: r.ok,
      error: r.error,
      changedSubnets: r.changedSubnets,
      resetConnections: named,
      resetFlows: r.resets.length,
    };
  }

  /** Answers a what-if question over the network as the steps so far left it. */
  whatIf(question: WhatIfQuestion, opts: WhatIfOptions = {}): WhatIfReport {
    return whatIfOf(this.net, question, (resets) => {
      const ids = new Set(resets.filter((x) => x.rstSent).map((x) => x.flowId));
      return [...this.connections.entries()].filter(([, c]) => ids.has(c.flowId) && this.matches(c, resets)).map(([id]) => id);
    }, opts);
  }

  private matches(c: Connection, resets: ChangeResult['resets']): boolean {
    // Reset events carry IPv4 addresses; an IPv6 connection is known by its flow id and ports.
    const e = c.ends;
    return resets.some((x) => x.flowId === c.flowId && x.srcPort === c.srcPort && x.dstPort === c.dstPort && (e.family === 6 || (x.src === e.src && x.dst === e.dst)));
  }
}

/** Bytes of the IP and transport headers of a TCP packet between `ends`; `fallback` for other protocols. */
export function headerBytes(ends: PacketEnds, proto: number, fallback: number): number {
  if (proto !== Proto.Tcp) return fallback;
  return (ends.family === 4 ? 20 : 40) + 20;
}
