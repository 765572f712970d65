export * from './errors.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './cidr.js';
