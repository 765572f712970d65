// An imported network as a scenario document (name, network, steps: []): what `vnetsim import` prints.
import { formatScenarioYaml } from '@vnetsim/scenario';
import type { ArmImportResult } from './arm-import.js';

/** The scenario document `vnetsim import` prints. */
export function scenarioOf(name: string, result: ArmImportResult, serviceTags?: string): Record<string, unknown> {
  return {
    name,
    description: `Imported from an ARM template by vnetsim import (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}).`,
    ...(serviceTags === undefined ? {} : { serviceTags }),
    network: result.network,
    steps: [],
  };
}

/** The same document as YAML text. */
export function scenarioYamlOf(name: string, result: ArmImportResult, serviceTags?: string): string {
  return formatScenarioYaml(scenarioOf(name, result, serviceTags));
}
