export * from './packet/index.js';
export * from './flows/index.js';
export * from './io/pcap.js';
export * from './io/flowlog.js';
export * from './io/scenario.js';
