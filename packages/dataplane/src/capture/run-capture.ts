// What a scenario run records besides its verdicts: a packet capture (pcap or pcapng) and flow logs (NSG v2, VNet
// v4), on one simulated clock. The runner calls it after each batch, on resets, when time advances and at the end;
// one RunCapture serves every scenario of a run (they follow each other on the clock: CaptureClock).
import type { PacketBatch } from '../packet/batch.js';
import type { Network } from '../network.js';
import type { FlowLogWriter } from './flowlog.js';
import { FlowRecorder } from './flow-recorder.js';
import { CaptureClock, PacketCapture } from './packet-capture.js';
import type { CaptureFileWriter } from './pcap.js';
import type { VnetFlowLogWriter } from './vnet-flowlog.js';

export interface RunCaptureOptions {
  pcap?: CaptureFileWriter;
  flowLog?: FlowLogWriter;
  vnetFlowLog?: VnetFlowLogWriter;
  /** Unix seconds where simulated time 0 of the first scenario lands (default DEFAULT_CAPTURE_START). */
  start?: number;
}

export class RunCapture {
  readonly clock: CaptureClock;
  private readonly packets: PacketCapture | null;
  private readonly flows: FlowRecorder | null;

  constructor(options: RunCaptureOptions) {
    this.clock = new CaptureClock(options.start);
    this.packets = options.pcap === undefined ? null : new PacketCapture(options.pcap, this.clock);
    this.flows = options.flowLog === undefined && options.vnetFlowLog === undefined
      ? null
      : new FlowRecorder({ nsg: options.flowLog, vnet: options.vnetFlowLog }, this.clock);
  }

  begin(net: Network): void {
    this.clock.begin();
    this.flows?.begin(net);
  }

  /** After `net.process(b)` (the network's scratch is the batch's). */
  batch(net: Network, b: PacketBatch): void {
    this.packets?.batch(b, net.scratch, net.tables);
    this.flows?.batch(b, net.scratch, net.tables, net.flows);
  }

  /** R-SE-2: flows reset at simulated time `at` (RSTs sent for TCP ones). */
  resets(net: Network, resets: ReadonlyArray<{ flowId: number; rstSent: boolean }>, at: number): void {
    this.packets?.resets(net.flows, resets.filter((r) => r.rstSent).map((r) => r.flowId), at);
    this.flows?.resets(resets.map((r) => r.flowId), at);
  }

  /** The scenario clock moved to `clock` (before idle flows expire). */
  advance(clock: number): void {
    this.flows?.advance(clock);
  }

  end(clock: number): void {
    this.flows?.finish(clock);
    this.clock.end(clock);
  }
}
