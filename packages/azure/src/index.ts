// Azure's formats: ARM template import, REST JSON shapes, service-tag edition diffs.
export { importArmTemplate, type ArmImportOptions, type ArmImportResult, type ImportWarning } from './arm-import.js';
export { ArmExprError, DEFAULT_DEPLOYMENT, evaluateString, parseResourceId, resourceId, type ArmDeployment } from './arm-expr.js';
export { formatAzure, networkId, idScopeOf, DEFAULT_RESOURCE_GROUP, type AzureEffectiveNsg, type AzureEffectiveRoute, type AzureEffectiveRule } from './shapes.js';
export { diffTagEditions, type TagDiffFilter, type TagUpdateReport, type TagPrefixChange, type EndpointRouteChange, type NsgRuleChange } from './tags-diff.js';
export { scenarioOf, scenarioYamlOf } from './scenario-doc.js';
