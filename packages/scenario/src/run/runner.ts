// Runs a scenario (SCENARIOS.md): builds the Network, plays its steps through the pipeline and the control plane,
// checks every expectation, and explains what differed.
import type { Logger } from 'pino';
import { Network, RunCapture, type CaptureFileWriter, type FlowLogWriter, type Trace, type VnetFlowLogWriter, type WhatIfOptions } from '@vnetsim/dataplane';
import type { WhatIfQuestion, WhatIfReport } from './whatif.js';
import type { Step } from '../load/scenario-schema.js';
import type { Scenario } from '../load/scenario-load.js';
import { StepBugError, StepError } from '../step-error.js';
import { BATCH, RunContext } from './context.js';
import { runStepHandler, type StepOutput } from './steps.js';

export interface RunOptions {
  /** Packet capture (PcapWriter or PcapngWriter); flow logs (NSG v2, VNet v4). Ignored when `capture` is given. */
  pcap?: CaptureFileWriter;
  flowLog?: FlowLogWriter;
  vnetFlowLog?: VnetFlowLogWriter;
  /** Unix seconds of simulated time 0 in captures and flow logs (default 2026-01-01T00:00:00Z). */
  captureStart?: number;
  /** Captures shared by several scenarios (their times follow each other); the CLI passes one for a whole run. */
  capture?: RunCapture;
  logger?: Logger;
  /** Called during long traffic steps with packets done and total (the CLI draws progress on a terminal). */
  progress?: (step: number, done: number, total: number) => void;
  /** Called when a traffic step ends: packets and wall-clock seconds (not part of the deterministic result). */
  onTraffic?: (step: number, packets: number, seconds: number) => void;
}

export interface StepResult {
  index: number;
  kind: string;
  line: number;
  passed: boolean;
  result: Record<string, unknown>;
  failures: string[];
  /** The trace of the packet whose outcome differed from the expectation. */
  trace?: Trace;
}

export interface ScenarioResult {
  name: string;
  file: string;
  passed: boolean;
  steps: StepResult[];
  counters: {
    packetsIn: number;
    dispositions: Record<string, number>;
    dropReasons: Record<string, number>;
    flows: { created: number; open: number; evictions: number; resets: number };
    snatPortsTaken: number;
  };
}

export function runScenario(s: Scenario, opts: RunOptions = {}): ScenarioResult {
  const net = new Network(s.network, s.serviceTags, s.options, {
    logger: opts.logger,
    snatPortsPerIp: s.options.snatPortsPerIp,
    flowCapacity: 1 << 17,
    batchCapacity: BATCH,
  });
  const capture = opts.capture ?? (opts.pcap !== undefined || opts.flowLog !== undefined || opts.vnetFlowLog !== undefined
    ? new RunCapture({ pcap: opts.pcap, flowLog: opts.flowLog, vnetFlowLog: opts.vnetFlowLog, start: opts.captureStart })
    : undefined);
  capture?.begin(net);
  const ctx = new RunContext(net, opts, capture);
  const steps = s.steps.map((step) => runStep(ctx, s, step));
  capture?.end(ctx.clock);
  const c = net.counters;
  return {
    name: s.name,
    file: s.file,
    passed: steps.every((x) => x.passed),
    steps,
    counters: {
      packetsIn: c.packetsIn,
      dispositions: c.dispositions(),
      dropReasons: c.reasons(),
      flows: { created: c.flowsCreated, open: net.flows.size, evictions: net.flows.evictions, resets: net.flows.resets },
      snatPortsTaken: c.snatPortsTaken,
    },
  };
}

/**
 * `vnetsim whatif`: plays the scenario's steps (their results are returned too), then answers `question` over the
 * network they left: open connections are the ones the change would reset.
 */
export function whatIfScenario(s: Scenario, question: WhatIfQuestion, opts: RunOptions & WhatIfOptions = {}): { report: WhatIfReport; steps: StepResult[] } {
  const net = new Network(s.network, s.serviceTags, s.options, { logger: opts.logger, snatPortsPerIp: s.options.snatPortsPerIp, flowCapacity: 1 << 17, batchCapacity: BATCH });
  const ctx = new RunContext(net, opts, undefined);
  const steps = s.steps.map((step) => runStep(ctx, s, step));
  return { report: ctx.whatIf(question, opts), steps };
}

/**
 * Runs one step. A StepError (the step cannot run as written) fails the step and the run goes on; any other exception
 * is a bug and ends the run as a StepBugError naming the file, step and line.
 */
function runStep(ctx: RunContext, s: Scenario, step: Step): StepResult {
  const failures: string[] = [];
  let out: StepOutput = { result: {} };
  try {
    out = runStepHandler(ctx, step, failures);
  } catch (e) {
    if (!(e instanceof StepError)) throw new StepBugError(s.file, step.index, step.line, e);
    failures.push(`step failed to run: ${e.message}`);
  }
  const passed = failures.length === 0;
  return { index: step.index, kind: step.kind, line: step.line, passed, result: out.result, failures, ...(!passed && out.trace ? { trace: out.trace } : {}) };
}
