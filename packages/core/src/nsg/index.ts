export * from './types.js';
export * from './defaults.js';
export { NsgError, AddressResolver, expandRule, canonicalProtocol, type AddressSet, type ExpandedRule } from './expand.js';
export { CompiledNsgClassifier, compileClassifier, classifierFromData, classifierCompiles, type NsgClassifierData, type V4Field } from './classifier.js';
export * from './network.js';
export * from './validate.js';
export { mergeRanges, subtractRanges, rangesToCidrs4, rangesToCidrs6, type Range } from './ranges.js';
