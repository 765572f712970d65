// The benchmark command line as a function: `vnetsim-bench` (cli.ts) and `vnetsim bench` (@vnetsim/cli) both call it.
// Runs the registered suites and prints one table per suite (stdout); progress on stderr when it is a TTY.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chartsOf } from './charts.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './suite.js';
import type { SuiteResult } from './suite.js';
import { suites } from './suites/index.js';
import { markdownReport, textReport } from './report.js';
import type { RunReport } from './report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const USAGE = `usage: node packages/bench/dist/cli.js [options]   (pnpm bench: the full run; pnpm start: --quick)

  --quick            short run (the main job, about a minute): fewer tables, streams and runs
  --suite NAME       run only this suite (repeatable); suites: ${suites.map((s) => s.name).join(', ')}
  --seed N           seed of every generated table and stream (default 1)
  --json             print the results as JSON instead of tables
  --markdown FILE    also write the Markdown report (e.g. packages/bench/RESULTS.md), its SVG charts in charts/
                     beside it (LPM lookups/s against table size, pipeline packets/s), embedded in the Markdown
  --from-json FILE   do not run: read a report printed by --json and render it (with --markdown: redraw
                     RESULTS.md and its charts from saved results)
  --data DIR         shared data folder (default: ../shared/data from the repo root)
  --list             list the suites and exit
  --help             this text
`;

class BenchUsageError extends Error {}

function fail(msg: string): never {
  throw new BenchUsageError(msg);
}

/** Where the harness prints: the process's streams, or buffers in tests. */
export interface BenchIo {
  out(text: string): void;
  err(text: string): void;
  /** Progress lines go to `err` only when this is true (a terminal). */
  tty: boolean;
}

const processIo: BenchIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  get tty() {
    return process.stderr.isTTY === true;
  },
};

/** Runs the harness on `args` (as after `vnetsim-bench`) and returns the exit status: 0, or 2 for bad arguments. */
export async function runBenchCli(args: readonly string[], io: BenchIo = processIo): Promise<number> {
  try {
    await main([...args], io);
    return 0;
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    io.err(`vnetsim-bench: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

async function main(argv: string[], io: BenchIo): Promise<void> {
  // `pnpm bench -- --json` hands the script a literal "--" first.
  if (argv[0] === '--') argv.shift();
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        suite: { type: 'string', multiple: true },
        seed: { type: 'string' },
        markdown: { type: 'string' },
        'from-json': { type: 'string' },
        data: { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (args.help) {
    io.out(USAGE);
    return;
  }
  if (args.list) {
    for (const s of suites) io.out(`${s.name.padEnd(12)} ${s.description}\n`);
    return;
  }
  if (args['from-json'] !== undefined) {
    let saved: RunReport;
    try {
      saved = JSON.parse(readFileSync(path.resolve(args['from-json']), 'utf8')) as RunReport;
    } catch (e) {
      fail(`--from-json ${args['from-json']}: ${(e as Error).message}`);
    }
    if (!Array.isArray(saved.suites) || saved.machine === undefined) fail(`--from-json ${args['from-json']}: not a report printed by --json`);
    io.out(args.json ? `${JSON.stringify(saved, null, 2)}\n` : `${textReport(saved)}\n`);
    if (args.markdown !== undefined) writeMarkdown(saved, args.markdown, io);
    return;
  }
  const seed = args.seed === undefined ? 1 : Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`--seed expects an integer 0..4294967295, got "${args.seed}"`);
  const names = args.suite ?? suites.map((s) => s.name);
  const unknown = names.filter((n) => !suites.some((s) => s.name === n));
  if (unknown.length > 0) fail(`unknown suite ${unknown.map((n) => `"${n}"`).join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  const selected = suites.filter((s) => names.includes(s.name));
  const dataDir = path.resolve(args.data ?? path.join(repoRoot, '../shared/data'));
  const tty = io.tty;
  const machine = machineInfo();
  const t0 = performance.now();
  const results: SuiteResult[] = [];
  for (const suite of selected) {
    const s0 = performance.now();
    const log = (msg: string) => {
      if (tty) io.err(`[${((performance.now() - s0) / 1000).toFixed(1)}s ${suite.name}] ${msg}\n`);
    };
    results.push(await suite.run({ quick: args.quick, dataDir, seed, log }));
  }
  const report: RunReport = {
    date: new Date().toISOString(),
    command: `node packages/bench/dist/cli.js ${argv.join(' ')}`.trim(),
    seed,
    quick: args.quick,
    machine,
    totalSeconds: (performance.now() - t0) / 1000,
    suites: results,
  };
  io.out(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${textReport(report)}\n`);
  if (args.markdown !== undefined) writeMarkdown(report, args.markdown, io);
}

/** RESULTS.md and its charts (charts/NAME.svg beside it, linked relatively so GitHub shows them). */
function writeMarkdown(report: RunReport, file: string, io: BenchIo): void {
  const target = path.resolve(file);
  const charts = chartsOf(report.suites);
  if (charts.length > 0) mkdirSync(path.join(path.dirname(target), 'charts'), { recursive: true });
  for (const c of charts) writeFileSync(path.join(path.dirname(target), 'charts', c.file), `${c.svg}\n`);
  writeFileSync(target, markdownReport(report, charts.map((c) => ({ suite: c.suite, title: c.title, path: `charts/${c.file}` }))));
  if (io.tty) io.err(`wrote ${file}${charts.length > 0 ? ` and ${charts.map((c) => `charts/${c.file}`).join(', ')}` : ''}\n`);
}
