// @vnetsim/scaleout: scenario runs, what-if and traffic replays beyond one machine, on BullMQ (open-source) and Redis.
export * from './replay/traffic.js';
export * from './replay/changes.js';
export * from './replay/apply.js';
export * from './replay/shard.js';
export * from './replay/local.js';
