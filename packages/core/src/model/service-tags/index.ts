export * from './errors.js';
export * from './load.js';
export * from './tag-set.js';
export * from './builtin.js';
export * from './diff.js';
export * from './derived.js';
// Regions and endpoint services live beside the tags (model/); re-exported here so `@vnetsim/core` exports them.
export * from '../regions.js';
export * from '../services.js';
