// One entry for every format `vnetsim import` takes: detects the format from the content (or takes `--from`), reads
// it into resources of ARM's REST shape, builds the network, and reports what was imported, what was skipped and why,
// and which values are placeholders.

import { emptyNetwork, type NetworkSpec, type ServiceTagSet } from '@vnetsim/core';
import { DEFAULT_DEPLOYMENT, type ArmDeployment } from './arm-expr.js';
import { Warnings } from './arm-reader.js';
import { buildNetwork, importArmTemplate, type ArmImportResult } from './arm-import.js';
import { isAzDocument, readAz } from './az-import.js';
import { isTerraformDocument, readTerraform, type ReaderResult } from './terraform-import.js';
import type { ImportFormat, ImportReport } from './import-report.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface ImportInput {
  /** The file as the user named it (messages and the report say it). */
  file: string;
  doc: unknown;
}

export interface ImportNetworkOptions {
  /** Forces a format (`--from`). */
  from?: ImportFormat;
  /** ARM deploymentParameters (`--parameters`). */
  parameters?: unknown;
  deployment?: Partial<ArmDeployment>;
  tags?: ServiceTagSet;
  addresses?: ReadonlyMap<string, string>;
}

export interface ImportNetworkResult {
  network: NetworkSpec;
  report: ImportReport;
  serviceTags: string;
  /** True when nothing of the network was imported (exit 2). */
  nothingImported: boolean;
}

/** The input is not of a format vnetsim reads (exit 2), with what it looked like. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
}

/** True for an ARM deploymentTemplate (JSON), with a list or (languageVersion 2.0) an object of resources. */
export function isArmTemplate(doc: unknown): boolean {
  if (!isObject(doc)) return false;
  const schema = typeof doc['$schema'] === 'string' ? doc['$schema'] : '';
  if (/deploymentTemplate\.json/i.test(schema)) return true;
  return (Array.isArray(doc['resources']) || isObject(doc['resources'])) && ('contentVersion' in doc || 'parameters' in doc || 'languageVersion' in doc || '$schema' in doc);
}

/** The format of one document, or undefined. */
export function detectFormat(doc: unknown): ImportFormat | undefined {
  if (isTerraformDocument(doc)) return 'terraform';
  if (isArmTemplate(doc)) return 'arm';
  if (isAzDocument(doc)) return 'az';
  return undefined;
}

/** What a document that is no known format looks like, for the error. */
export function describeUnknown(file: string, doc: unknown): string {
  if (isObject(doc) && typeof doc['$schema'] === 'string' && /deploymentParameters/i.test(doc['$schema']))
    return `${file}: a deployment parameters file, not a template (pass the template, and this with --parameters)`;
  if (Array.isArray(doc) && doc.length === 0) return `${file}: an empty list (an az export of nothing?)`;
  return `${file}: not an ARM template ($schema deploymentTemplate or resources), not \`terraform show -json\` output (format_version, values or planned_values) and not az CLI output (objects with an Azure id and type)`;
}

export function importNetwork(inputs: ImportInput[], options: ImportNetworkOptions = {}): ImportNetworkResult {
  if (inputs.length === 0) throw new ImportFormatError('no input files');
  const formats = inputs.map((i) => options.from ?? detectFormat(i.doc));
  const unknown = inputs.findIndex((_, i) => formats[i] === undefined);
  if (unknown >= 0) throw new ImportFormatError(describeUnknown(inputs[unknown]!.file, inputs[unknown]!.doc));
  const format = formats[0]!;
  if (formats.some((f) => f !== format))
    throw new ImportFormatError(`the files are of different formats (${inputs.map((x, i) => `${x.file}: ${formats[i]}`).join(', ')}); import one format at a time`);
  if (format !== 'az' && inputs.length > 1) throw new ImportFormatError(`${format === 'arm' ? 'an ARM template' : 'a Terraform JSON document'} is one file; got ${inputs.length}`);
  const deployment: ArmDeployment = { ...DEFAULT_DEPLOYMENT, ...options.deployment };
  const opts = { deployment, ...(options.tags === undefined ? {} : { tags: options.tags }), ...(options.addresses === undefined ? {} : { addresses: options.addresses }) };

  let result: ArmImportResult;
  let reader: ReaderResult | undefined;
  if (format === 'arm') {
    result = importArmTemplate(inputs[0]!.doc, options.parameters, opts);
  } else {
    const w = new Warnings();
    reader = format === 'terraform' ? readTerraform(inputs[0]!.doc, inputs[0]!.file, w, deployment) : readAz(inputs.map((i) => ({ label: labelOf(i.file), doc: i.doc })), w, deployment);
    result = buildNetwork(reader.resources, w, opts, format === 'terraform' ? 'the Terraform input' : 'the az export');
  }
  const report: ImportReport = {
    format,
    files: inputs.map((i) => i.file),
    imported: [...result.imported, ...(reader?.imported ?? [])],
    skipped: [...result.skipped, ...(reader?.skipped ?? [])],
    placeholders: result.placeholders,
    warnings: result.warnings,
  };
  const net = result.network;
  const nothingImported = net.vnets.length === 0 && net.services.length === 0 && net.nsgs.length === 0 && net.routeTables.length === 0;
  return { network: nothingImported ? emptyNetwork() : net, report, serviceTags: result.serviceTags, nothingImported };
}

function labelOf(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] ?? file;
}
