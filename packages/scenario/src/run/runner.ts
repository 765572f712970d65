// Runs a scenario (SCENARIOS.md): builds the Network, plays its steps through the pipeline and the control plane,
// checks every expectation, and explains what differed.
import type { Logger } from 'pino';
import { Network, type FlowLogWriter, type PcapWriter, type Trace } from '@vnetsim/dataplane';
import type { Step } from '../load/scenario-schema.js';
import type { Scenario } from '../load/scenario-load.js';
import { StepBugError, StepError } from '../step-error.js';
import { BATCH, RunContext } from './context.js';
import { runStepHandler, type StepOutput } from './steps.js';

export interface RunOptions {
  pcap?: PcapWriter;
  flowLog?: FlowLogWriter;
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
  const ctx = new RunContext(net, opts);
  const steps = s.steps.map((step) => runStep(ctx, s, step));
  if (opts.flowLog !== undefined) ctx.writeFlowLog(opts.flowLog);
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
