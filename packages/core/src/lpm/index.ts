export * from './types.js';
export * from './errors.js';
export * from './ipv4-trie.js';
export * from './ipv4-compiled.js';
export * from './ipv4-multibit.js';
export * from './ipv6-trie.js';
export * from './ipv6-compiled.js';
export * from './shared.js';
