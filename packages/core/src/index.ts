export * from './addr/index.js';
export * from './dispositions.js';
export * from './model/types.js';
