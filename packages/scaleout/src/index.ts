// @vnetsim/scaleout: scenario runs, what-if and traffic replays beyond one machine, on BullMQ (open-source) and Redis.
export * from './replay/traffic.js';
export * from './replay/changes.js';
export * from './replay/apply.js';
export * from './replay/shard.js';
export * from './replay/local.js';
export { VNETSIM_VERSION } from './version.js';
export { QUEUE_NAMES, queueOf, replayKeys, connect, reachable, type QueueName } from './redis/connection.js';
export { putBlob, getBlob, sha256 } from './redis/blobs.js';
export { commitSlice, committedSlices } from './redis/commit.js';
export type { RunJob, ReplayJob, InputRef } from './redis/jobs.js';
export { startWorkers, type WorkerOptions, type WorkerHandle, type RunJobResult } from './redis/worker.js';
export { runOnRedis, replayOnRedis, tagsFileOf, type CoordinatorOptions, type DistributedReplay } from './redis/coordinate.js';
