export * from './suite.js';
export { suites } from './suites/index.js';
export { Dir24_8 } from './reference/dir24-8.js';
export { runBenchCli, type BenchIo } from './run.js';
