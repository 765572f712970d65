// What an import took and what it did not: every resource of the input is either imported or skipped with its id and
// why, and every value the input lacks (a service's address, a region) is a named placeholder. `vnetsim import` prints
// this report and derives its exit status from it: nothing is ever dropped silently.

import type { ImportWarning } from './arm-reader.js';

export type ImportFormat = 'arm' | 'terraform' | 'az';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['arm', 'terraform', 'az'];

export interface ImportedResource {
  /** The resource id when the input has one (Terraform state, az), else the ARM type and names. */
  id: string;
  /** ARM type (`Microsoft.Network/virtualNetworks`), or the Terraform type for Terraform-only resources. */
  type: string;
  /** JSON path of the resource in its file (`vnets.json: [0]`, `values.root_module.resources[3]`). */
  path: string;
}

export interface SkippedResource extends ImportedResource {
  reason: string;
  /**
   * True when the resource shapes traffic (an Azure Firewall, a private endpoint, a NIC whose VM is missing...), so
   * the imported network is not the user's: exit 1 unless --partial. False for what the network model has no place
   * for and never changes a packet's fate (disks, extensions, monitoring).
   */
  relevant: boolean;
}

export type PlaceholderKind = 'serviceAddress' | 'publicIp' | 'privateIp' | 'region' | 'applianceEgress';

export interface Placeholder {
  /** The resource whose value was assumed (its name, as `--addresses` names it). */
  name: string;
  kind: PlaceholderKind;
  value: string;
  path: string;
  why: string;
}

export interface ImportReport {
  format: ImportFormat;
  files: string[];
  imported: ImportedResource[];
  skipped: SkippedResource[];
  placeholders: Placeholder[];
  warnings: ImportWarning[];
}

/** 0 every relevant resource imported; 1 some relevant one skipped (unless `partial`); 2 nothing imported. */
export function importExitStatus(r: ImportReport, nothingImported: boolean, partial: boolean): 0 | 1 | 2 {
  if (nothingImported) return 2;
  if (r.skipped.some((s) => s.relevant) && !partial) return 1;
  return 0;
}
