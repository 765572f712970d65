export * from './batch.js';
export * from './prng.js';
export * from './generate.js';
export { shardOf4, shardOf6 } from './shard-hash.js';
