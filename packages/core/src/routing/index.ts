export * from './types.js';
export { RoutingError } from './errors.js';
export { effectiveRoutes, MAX_ROUTES_PER_TABLE, RESERVED_NONE_PREFIXES } from './effective.js';
export { compileFib, fibKey, fibLookup, matchedPrefix, type RoutingFib } from './fib.js';
export { NetworkRouting, compileRouting, SYSTEM_ROUTE } from './network-routing.js';
