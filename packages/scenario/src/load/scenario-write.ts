// Scenario documents as YAML text (`vnetsim import` writes them; the loader reads them back).
import { stringify } from 'yaml';

/** A scenario document (name, network, steps...) as YAML, long lines kept whole. */
export function formatScenarioYaml(doc: unknown): string {
  return stringify(doc, { lineWidth: 0 }).trimEnd();
}
