// `vnetsim run FILE|DIR...`: runs scenario files and checks their expectations (exit 0 all held, 1 one failed,
// 2 an invalid file or argument, 3 a bug).
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CAPTURE_START, FlowLogWriter, RunCapture, VnetFlowLogWriter } from '@vnetsim/dataplane';
import { loadScenarioFile, MissingDataError, runScenario, ScenarioError, type Scenario, type ScenarioResult } from '@vnetsim/scenario';
import { DEFAULT_SNAPLEN, openPcapFile } from '../capture-files.js';
import { EXIT, oneOf, scenarioFiles, UsageError, type Command, type CommandContext } from '../command.js';
import { junitXml } from '../render/junit.js';
import { tapReport } from '../render/tap.js';
import { formatScenarioError } from '../format-errors.js';
import { renderTable } from '../table.js';
import { json, logger, progressReporter } from './common.js';
import { REDIS_HELP, REDIS_OPTION, redisUrl, runOnWorkers } from './scaleout.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run scenario files and check their expectations (exit 0 all held, 1 one failed, 2 invalid file)',
  usage: 'vnetsim run FILE|DIR... [--json | --format text|tap] [--junit FILE] [--pcap FILE] [--pcapng FILE] [--snaplen N] [--capture-start TIME] [--flow-log FILE] [--vnet-flow-log FILE] [--redis URL] [--service-tags FILE] [--log-level L]',
  options: {
    pcap: { type: 'string' }, pcapng: { type: 'string' }, snaplen: { type: 'string' }, 'capture-start': { type: 'string' },
    'flow-log': { type: 'string' }, 'vnet-flow-log': { type: 'string' }, junit: { type: 'string' }, format: { type: 'string' }, ...REDIS_OPTION,
  },
  optionHelp: [
    '--pcap FILE            write the packets of the run as a libpcap capture (before and after translation, and the RSTs); TCP numbers per connection, as Wireshark expects',
    '--pcapng FILE          the same as pcapng: an interface per capture point (vm-nic, after-translation, service-side) and a comment per packet with its disposition and drop reason (Wireshark: frame.comment; dropped packets: frame.verdict.ebpf_tc == 2)',
    `--snaplen N            bytes kept of each packet in the capture (default ${DEFAULT_SNAPLEN}: headers and a little payload; 65535 keeps whole packets)`,
    '--capture-start TIME   the instant (ISO 8601, e.g. 2026-01-01T00:00:00Z, the default) where simulated time 0 lands in captures and flow logs; each further scenario starts on the next minute after the previous one',
    '--flow-log FILE        write NSG flow log v2 records of the run (every flow and NSG that decided it, B/C/E and denied tuples)',
    '--vnet-flow-log FILE   write VNet flow log records (flowLogVersion 4) of the run',
    '--junit FILE           also write a JUnit XML report: a testsuite per scenario, a testcase per step, failures with expected and found values and the trace (for CI test reporters)',
    '--format F             text (default) or tap: TAP version 14 on stdout, one test point per step',
    REDIS_HELP,
  ],
  examples: [
    'vnetsim run scenarios/',
    'vnetsim run scenarios/service-endpoints/endpoint-switches-source-to-private.yaml --json',
    'vnetsim run scenarios/ --pcap run.pcap --flow-log flows.json',
    'vnetsim run scenarios/quickstart.yaml --pcapng run.pcapng --vnet-flow-log vnet-flows.json',
    'vnetsim run scenarios/ --junit junit.xml',
    'vnetsim run scenarios/nsg/ --format tap',
  ],
  run(ctx) {
    const files = scenarioFiles(ctx);
    const format = ctx.values['format'] === undefined ? 'text' : oneOf(ctx, 'format', ['text', 'tap'] as const);
    if (format === 'tap' && ctx.flags.json) throw new UsageError('--format tap and --json: choose one');
    // Output paths are checked before anything runs: a run must not end in an error about where to write.
    const pcapPath = outputPath(ctx, 'pcap');
    const pcapngPath = outputPath(ctx, 'pcapng');
    const flowLogPath = outputPath(ctx, 'flow-log');
    const junitPath = outputPath(ctx, 'junit');
    const vnetFlowLogPath = outputPath(ctx, 'vnet-flow-log');
    if (pcapPath !== undefined && pcapngPath !== undefined) throw new UsageError('--pcap and --pcapng: give one capture file');
    const snaplen = snaplenOf(ctx);
    const start = captureStartOf(ctx);
    // Every file is loaded first. An invalid file is reported (exit 2) and the valid ones still run. A scenario whose
    // public data (../shared/data) is absent on this machine is skipped, and the output says so.
    const scenarios: Scenario[] = [];
    const skipped: Array<{ file: string; reason: string }> = [];
    const invalid: ScenarioError[] = [];
    for (const f of files) {
      try {
        scenarios.push(loadScenarioFile(f, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags }));
      } catch (e) {
        if (e instanceof MissingDataError) skipped.push({ file: f, reason: `data absent: ${e.missing}` });
        else if (e instanceof ScenarioError) invalid.push(e);
        else throw e;
      }
    }
    for (const e of invalid) ctx.io.err(formatScenarioError(e));
    const redis = redisUrl(ctx);
    if (redis !== undefined) {
      if (pcapPath !== undefined || pcapngPath !== undefined || flowLogPath !== undefined || vnetFlowLogPath !== undefined)
        throw new UsageError('--pcap, --pcapng, --flow-log and --vnet-flow-log write files of one process: run without --redis (or unset VNETSIM_REDIS)');
      return runOnWorkers(ctx, redis, scenarios, (results, started) => finishRun(ctx, results, skipped, invalid, started, junitPath, format), (c, r, sp) => printRunResult(format === 'tap', c, r, sp));
    }
    const capPath = pcapngPath ?? pcapPath;
    const pcap = capPath === undefined ? undefined : openPcapFile(capPath, { snaplen }, pcapngPath !== undefined);
    const flowLog = flowLogPath !== undefined ? new FlowLogWriter() : undefined;
    const vnetFlowLog = vnetFlowLogPath !== undefined ? new VnetFlowLogWriter() : undefined;
    const capture = pcap !== undefined || flowLog !== undefined || vnetFlowLog !== undefined ? new RunCapture({ pcap, flowLog, vnetFlowLog, start }) : undefined;
    const progress = progressReporter(ctx);
    const log = logger(ctx);
    const results: ScenarioResult[] = [];
    const started = performance.now();
    for (const s of scenarios) {
      const speeds: string[] = [];
      const onTraffic = (step: number, packets: number, seconds: number) => {
        if (packets >= 10_000) speeds.push(`  step ${step}: ${packets.toLocaleString('en-US')} packets, ${formatRate(packets / Math.max(seconds, 1e-9))} packets/s`);
      };
      const r = runScenario(s, { capture, progress, onTraffic, logger: log });
      results.push(r);
      if (!ctx.flags.json && format === 'text') {
        printScenario(ctx, r);
        for (const line of speeds) ctx.io.out(line);
      }
    }
    pcap?.close();
    if (flowLog !== undefined && flowLogPath !== undefined) writeFileSync(flowLogPath, `${flowLog.toString()}\n`);
    if (vnetFlowLog !== undefined && vnetFlowLogPath !== undefined) writeFileSync(vnetFlowLogPath, `${vnetFlowLog.toString()}\n`);
    return finishRun(ctx, results, skipped, invalid, started, junitPath, format);
  },
};


/** A scenario's block of the human report and the speed lines of its traffic steps (run --redis: as results arrive). */
function printRunResult(tap: boolean, ctx: CommandContext, r: ScenarioResult, speeds: ReadonlyArray<{ step: number; packets: number; seconds: number }>): void {
  if (ctx.flags.json || tap) return;
  printScenario(ctx, r);
  for (const x of speeds) if (x.packets >= 10_000) ctx.io.out(`  step ${x.step}: ${x.packets.toLocaleString('en-US')} packets, ${formatRate(x.packets / Math.max(x.seconds, 1e-9))} packets/s`);
}

/** The table and summary (or the --json document) once every scenario ran, here or on workers; the exit status. */
function finishRun(ctx: CommandContext, results: ScenarioResult[], skipped: Array<{ file: string; reason: string }>, invalid: ScenarioError[], started: number, junitPath: string | undefined, format: 'text' | 'tap'): number {
  const passed = results.every((r) => r.passed);
  const invalidFiles = invalid.map((e) => ({ file: e.problems[0]?.file ?? '', problems: e.problems }));
  if (junitPath !== undefined) writeFileSync(junitPath, junitXml(results, skipped));
  if (format === 'tap') ctx.io.out(tapReport(results, skipped).trimEnd());
  else if (ctx.flags.json) json(ctx, { scenarios: results, passed, ...(skipped.length > 0 ? { skipped } : {}), ...(invalid.length > 0 ? { invalid: invalidFiles } : {}) });
  else {
    for (const sk of skipped) ctx.io.out(`SKIP  ${sk.file}: ${sk.reason}`);
    const rows = results.map((r) => [r.passed ? 'PASS' : 'FAIL', r.name, String(r.steps.length), String(r.steps.filter((x) => !x.passed).length), r.counters.packetsIn.toLocaleString('en-US')]);
    ctx.io.out('');
    ctx.io.out(renderTable(['result', 'scenario', 'steps', 'failed', 'packets'], rows, { right: [2, 3, 4] }));
    const total = results.reduce((a, r) => a + r.counters.packetsIn, 0);
    const secs = (performance.now() - started) / 1000;
    ctx.io.out(`\n${results.filter((r) => r.passed).length} of ${results.length} scenarios passed${skipped.length > 0 ? ` (${skipped.length} skipped: data absent)` : ''}${invalid.length > 0 ? `; ${invalid.length} invalid file${invalid.length === 1 ? '' : 's'} not run (above)` : ''}; ${total.toLocaleString('en-US')} packets in ${secs.toFixed(2)} s`);
  }
  return invalid.length > 0 ? EXIT.invalid : passed ? EXIT.ok : EXIT.failed;
}

/** An output file option (--pcap, --flow-log, --junit): undefined when absent; a usage error when it cannot be written. */
function outputPath(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  if (typeof v !== 'string') return undefined;
  const dir = path.dirname(path.resolve(v));
  try {
    if (existsSync(v) && statSync(v).isDirectory()) throw new UsageError(`--${name} ${v}: is a directory, expected a file`);
    accessSync(dir, constants.W_OK);
    if (existsSync(v)) accessSync(v, constants.W_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--${name} ${v}: cannot write there (${code === 'ENOENT' ? `no directory ${dir}` : code ?? String(e)})`);
  }
  return v;
}

/** --snaplen N: 60 .. 262144 (default DEFAULT_SNAPLEN). */
function snaplenOf(ctx: CommandContext): number {
  const v = ctx.values['snaplen'];
  if (v === undefined) return DEFAULT_SNAPLEN;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 60 || n > 262144) throw new UsageError(`--snaplen ${String(v)}: expected an integer from 60 to 262144`);
  return n;
}

/** --capture-start TIME: an ISO 8601 instant (default DEFAULT_CAPTURE_START, 2026-01-01T00:00:00Z); Unix seconds. */
function captureStartOf(ctx: CommandContext): number {
  const v = ctx.values['capture-start'];
  if (v === undefined) return DEFAULT_CAPTURE_START;
  const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`--capture-start ${String(v)}: expected an ISO 8601 instant like 2026-01-01T00:00:00Z`);
  return ms / 1000;
}

function formatRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
}

function printScenario(ctx: CommandContext, r: ScenarioResult): void {
  ctx.io.out(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${r.file})`);
  for (const st of r.steps) {
    if (st.passed) continue;
    ctx.io.out(`  step ${st.index} (${st.kind}, line ${st.line}):`);
    for (const f of st.failures) ctx.io.out(`    - ${f}`);
    if (st.trace !== undefined) {
      ctx.io.out(`    trace of ${st.trace.packet}: ${st.trace.disposition}`);
      for (const s of st.trace.steps) ctx.io.out(`      ${s.stage.padEnd(11)} ${s.text}`);
    }
  }
}
