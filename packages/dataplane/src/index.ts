export * from './packet/index.js';
export * from './flows/index.js';
