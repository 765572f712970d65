// Azure's formats: network import (ARM templates, Terraform JSON, az exports), REST JSON shapes, service-tag edition diffs.
export { importArmTemplate, type ArmImportOptions, type ArmImportResult, type ImportWarning } from './arm-import.js';
export { ArmExprError, DEFAULT_DEPLOYMENT, evaluateString, parseResourceId, resourceId, uniqueString, type ArmDeployment } from './arm-expr.js';
export { importNetwork, detectFormat, ImportFormatError, type ImportInput, type ImportNetworkOptions, type ImportNetworkResult } from './import-network.js';
export { importExitStatus, IMPORT_FORMATS, type ImportFormat, type ImportReport, type ImportedResource, type SkippedResource, type Placeholder, type PlaceholderKind } from './import-report.js';
export { formatAzure, networkId, idScopeOf, DEFAULT_RESOURCE_GROUP, type AzureEffectiveNsg, type AzureEffectiveRoute, type AzureEffectiveRule } from './shapes.js';
export { diffTagEditions, type TagDiffFilter, type TagUpdateReport, type TagPrefixChange, type EndpointRouteChange, type NsgRuleChange } from './tags-diff.js';
export { scenarioOf, scenarioYamlOf } from './scenario-doc.js';
