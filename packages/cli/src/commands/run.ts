// `vnetsim run FILE|DIR...`: runs scenario files and checks their expectations (exit 0 all held, 1 one failed,
// 2 an invalid file or argument, 3 a bug).
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FlowLogWriter } from '@vnetsim/dataplane';
import { loadScenarioFile, MissingDataError, runScenario, ScenarioError, type Scenario, type ScenarioResult } from '@vnetsim/scenario';
import { openPcapFile } from '../capture-files.js';
import { EXIT, oneOf, scenarioFiles, UsageError, type Command, type CommandContext } from '../command.js';
import { junitXml } from '../render/junit.js';
import { tapReport } from '../render/tap.js';
import { formatScenarioError } from '../format-errors.js';
import { renderTable } from '../table.js';
import { json, logger, progressReporter } from './common.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run scenario files and check their expectations (exit 0 all held, 1 one failed, 2 invalid file)',
  usage: 'vnetsim run FILE|DIR... [--json | --format text|tap] [--junit FILE] [--pcap FILE] [--flow-log FILE] [--service-tags FILE] [--log-level L]',
  options: { pcap: { type: 'string' }, 'flow-log': { type: 'string' }, junit: { type: 'string' }, format: { type: 'string' } },
  optionHelp: [
    '--pcap FILE       write the packets of the run (before and after translation, and the RSTs) as a capture',
    '--flow-log FILE   write NSG flow log v2 records of the run',
    '--junit FILE      also write a JUnit XML report: a testsuite per scenario, a testcase per step, failures with',
    '                  expected and found values and the trace (for CI test reporters)',
    '--format F        text (default) or tap: TAP version 14 on stdout, one test point per step',
  ],
  examples: [
    'vnetsim run scenarios/',
    'vnetsim run scenarios/service-endpoints/endpoint-switches-source-to-private.yaml --json',
    'vnetsim run scenarios/ --pcap run.pcap --flow-log flows.json',
    'vnetsim run scenarios/ --junit junit.xml',
    'vnetsim run scenarios/nsg/ --format tap',
  ],
  run(ctx) {
    const files = scenarioFiles(ctx);
    const format = ctx.values['format'] === undefined ? 'text' : oneOf(ctx, 'format', ['text', 'tap'] as const);
    if (format === 'tap' && ctx.flags.json) throw new UsageError('--format tap and --json: choose one');
    // Output paths are checked before anything runs: a run must not end in an error about where to write.
    const pcapPath = outputPath(ctx, 'pcap');
    const flowLogPath = outputPath(ctx, 'flow-log');
    const junitPath = outputPath(ctx, 'junit');
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
    const pcap = pcapPath === undefined ? undefined : openPcapFile(pcapPath);
    const flowLog = typeof flowLogPath === 'string' ? new FlowLogWriter() : undefined;
    const progress = progressReporter(ctx);
    const log = logger(ctx);
    const results: ScenarioResult[] = [];
    const started = performance.now();
    for (const s of scenarios) {
      const speeds: string[] = [];
      const onTraffic = (step: number, packets: number, seconds: number) => {
        if (packets >= 10_000) speeds.push(`  step ${step}: ${packets.toLocaleString('en-US')} packets, ${formatRate(packets / Math.max(seconds, 1e-9))} packets/s`);
      };
      const r = runScenario(s, { pcap, flowLog, progress, onTraffic, logger: log });
      results.push(r);
      if (!ctx.flags.json && format === 'text') {
        printScenario(ctx, r);
        for (const line of speeds) ctx.io.out(line);
      }
    }
    pcap?.close();
    if (flowLog !== undefined && flowLogPath !== undefined) writeFileSync(flowLogPath, `${flowLog.toString()}\n`);
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
  },
};

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
