export * from './batch.js';
export * from './prng.js';
export * from './generate.js';
