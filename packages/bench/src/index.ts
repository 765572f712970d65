export * from './suite.js';
export { suites } from './suites/index.js';
