// An imported network as a scenario document (name, description, network, steps): what `vnetsim import` prints.
import { formatScenarioYaml } from '@vnetsim/scenario';
import type { ArmImportResult } from './arm-import.js';
import type { ImportNetworkResult } from './import-network.js';
import type { ImportFormat } from './import-report.js';

const FROM_DESCRIPTION: Record<ImportFormat, string> = {
  arm: 'an ARM template',
  terraform: 'Terraform (terraform show -json)',
  az: 'az CLI exports',
};

/** The scenario document `vnetsim import` prints (steps: [] until the CLI adds its default steps). */
export function scenarioOf(name: string, result: ArmImportResult | ImportNetworkResult, serviceTags?: string, from: ImportFormat = 'arm'): Record<string, unknown> {
  const r = 'report' in result ? result.report : result;
  const counts = [`${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}`];
  if (r.skipped.length > 0) counts.push(`${r.skipped.length} resource${r.skipped.length === 1 ? '' : 's'} skipped`);
  if (r.placeholders.length > 0) counts.push(`${r.placeholders.length} placeholder${r.placeholders.length === 1 ? '' : 's'}: ${r.placeholders.map((p) => `${p.name} ${p.kind}`).join(', ')}`);
  return {
    name,
    description: `Imported from ${FROM_DESCRIPTION[from]} by vnetsim import (${counts.join('; ')}).`,
    ...(serviceTags === undefined ? {} : { serviceTags }),
    network: result.network,
    steps: [],
  };
}

/** The same document as YAML text. */
export function scenarioYamlOf(name: string, result: ArmImportResult | ImportNetworkResult, serviceTags?: string, from: ImportFormat = 'arm'): string {
  return formatScenarioYaml(scenarioOf(name, result, serviceTags, from));
}
