export * from './tcp-state.js';
export * from './flow-table.js';
