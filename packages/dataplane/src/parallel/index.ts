export { ParallelPipeline, type ParallelOptions } from './parallel-pipeline.js';
