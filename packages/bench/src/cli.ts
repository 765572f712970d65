#!/usr/bin/env node
// vnetsim-bench: the benchmark harness's own command (the same as `vnetsim bench`).
import { runBenchCli } from './run.js';

runBenchCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vnetsim-bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
