// `vnetsim import FILE|DIR...`: the user's network (an ARM template, `terraform show -json` output, or az CLI exports)
// as a scenario YAML with default steps. The report (stderr, or `report` in --json) lists every resource imported or
// skipped with its id and why, and every placeholder. Exit 0 all relevant resources imported; 1 some skipped (the
// scenario is still printed; --partial accepts that); 2 no known format, or nothing imported.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseAddress } from '@vnetsim/core';
import { importExitStatus, importNetwork, ImportFormatError, IMPORT_FORMATS, scenarioOf, type ImportFormat, type ImportInput } from '@vnetsim/azure';
import { formatScenarioYaml, tagsFromFile } from '@vnetsim/scenario';
import { EXIT, UsageError, type Command, type CommandContext } from '../command.js';
import { defaultSteps, describeStep, withSnapshotExpectations } from './import-steps.js';

/** Exit status 2 with a message of its own (no "--help" hint: the input, not the arguments, is wrong). */
class InputError extends Error {
  override readonly name = 'InputError';
}

const BICEP_LINE = /^\s*(param|var|resource|module|targetScope|output|metadata|import|type|func)\s+\S+/m;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new UsageError(`${what} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

const bicepHint = (file: string) =>
  `${file}: a Bicep file; vnetsim reads the ARM JSON it compiles to: compile it first: \`az bicep build --file ${file}\` (writes ${file.replace(/\.bicep$/i, '')}.json), then import that`;

function readJson(file: string, what: string): unknown {
  if (/\.bicep(param)?$/i.test(file)) throw new InputError(bicepHint(file));
  const text = readText(file, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    if (BICEP_LINE.test(text)) throw new InputError(bicepHint(file));
    throw new InputError(`${what} ${file}: not JSON (${(e as Error).message})`);
  }
}

function opt(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** FILE or DIR arguments -> files (a directory: its *.json files, sorted). */
function inputFiles(ctx: CommandContext): string[] {
  if (ctx.positionals.length === 0) throw new UsageError('expected a FILE (ARM template, terraform show -json output, az export) or a DIR of az exports');
  const files: string[] = [];
  for (const p of ctx.positionals) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(p).filter((f) => /\.json$/i.test(f)).sort().map((f) => path.join(p, f));
      if (found.length === 0) {
        const bicep = readdirSync(p).find((f) => /\.bicep$/i.test(f));
        throw new InputError(bicep !== undefined ? bicepHint(path.join(p, bicep)) : `${p}: no *.json files in this directory`);
      }
      files.push(...found);
    } else files.push(p);
  }
  return files;
}

/** `--addresses FILE`: a YAML (or JSON) map from resource name to address. */
export function readAddresses(file: string): Map<string, string> {
  let doc: unknown;
  try {
    doc = parseYaml(readText(file, '--addresses'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--addresses ${file}: not YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--addresses ${file}: expected a map from resource name to address ({ stappdata: 13.69.40.20 })`);
  const out = new Map<string, string>();
  for (const [name, v] of Object.entries(doc)) {
    const a = typeof v === 'string' ? v : String(v);
    try {
      parseAddress(a);
    } catch {
      throw new UsageError(`--addresses ${file}: ${name}: expected an IP address, found ${JSON.stringify(v)}`);
    }
    out.set(name, a);
  }
  return out;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import your network (ARM/Bicep-built template, terraform show -json, az CLI exports) as a scenario YAML with default steps',
  usage:
    'vnetsim import FILE|DIR... [--from arm|terraform|az] [--parameters FILE] [--addresses FILE] [--partial] [--then-run] [--out FILE] [--location REGION] [--resource-group RG] [--subscription ID] [--name NAME] [--json]',
  options: {
    from: { type: 'string' },
    parameters: { type: 'string' },
    addresses: { type: 'string' },
    partial: { type: 'boolean' },
    'then-run': { type: 'boolean' },
    out: { type: 'string' },
    location: { type: 'string' },
    'resource-group': { type: 'string' },
    subscription: { type: 'string' },
    name: { type: 'string' },
  },
  optionHelp: [
    '--from FORMAT          arm, terraform or az (default: detected from the content)',
    '--parameters FILE      ARM deployment parameters ({ parameters: { name: { value } } })',
    '--addresses FILE       YAML map from a resource name to its address, for what the input lacks ({ stappdata: 13.69.40.20 })',
    '--partial              exit 0 even when some resources were skipped (they are still reported)',
    '--then-run             run the imported scenario right away and print what each default step found',
    '--out FILE             write the scenario YAML to FILE instead of stdout',
    '--location REGION      resourceGroup().location, and the region of resources that state none (default westeurope)',
    '--resource-group RG    resourceGroup().name (default vnetsim)',
    '--subscription ID      subscription().subscriptionId (default "default"; Terraform and az take it from the ids)',
    '--name NAME            scenario name (default: the file name)',
  ],
  examples: [
    'vnetsim import ../shared/data/azure-shapes/quickstart_vnet-2subnets-service-endpoints-storage-integration_azuredeploy.json > network.yaml',
    'vnetsim import TEMPLATE.json --parameters PARAMETERS.json --location northeurope   (your own template)',
    'vnetsim import packages/azure/fixtures/import/hub-spoke/terraform-state.json --addresses packages/azure/fixtures/import/hub-spoke/addresses.yaml > network.yaml',
    'vnetsim import packages/azure/fixtures/import/hub-spoke/az --then-run   (a folder of az ... list -o json outputs)',
  ],
  run(ctx) {
    try {
      return runImport(ctx);
    } catch (e) {
      if (e instanceof InputError || e instanceof ImportFormatError) {
        if (ctx.flags.json) ctx.io.out(JSON.stringify({ error: e.message, exitStatus: EXIT.invalid }, null, 2));
        ctx.io.err(`vnetsim import: ${e.message}`);
        return EXIT.invalid;
      }
      throw e;
    }
  },
};

function runImport(ctx: CommandContext): number {
  const fromOpt = opt(ctx, 'from');
  if (fromOpt !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(fromOpt.toLowerCase()))
    throw new UsageError(`--from ${fromOpt}: expected one of ${IMPORT_FORMATS.join(', ')}`);
  const files = inputFiles(ctx);
  const inputs: ImportInput[] = files.map((f) => ({ file: f, doc: readJson(f, 'input') }));
  const paramsFile = opt(ctx, 'parameters');
  const parameters = paramsFile === undefined ? undefined : readJson(paramsFile, '--parameters');
  const addressesFile = opt(ctx, 'addresses');
  const addresses = addressesFile === undefined ? undefined : readAddresses(addressesFile);
  const deployment = {
    ...(opt(ctx, 'location') === undefined ? {} : { location: opt(ctx, 'location')! }),
    ...(opt(ctx, 'resource-group') === undefined ? {} : { resourceGroup: opt(ctx, 'resource-group')! }),
    ...(opt(ctx, 'subscription') === undefined ? {} : { subscriptionId: opt(ctx, 'subscription')! }),
  };
  let tagsPath: string | undefined;
  let tags;
  if (ctx.flags.serviceTags !== undefined) {
    tagsPath = path.resolve(ctx.flags.serviceTags);
    try {
      tags = tagsFromFile(tagsPath);
    } catch (e) {
      throw new UsageError(`--service-tags: ${(e as Error).message}`);
    }
  }
  const result = importNetwork(inputs, {
    ...(fromOpt === undefined ? {} : { from: fromOpt.toLowerCase() as ImportFormat }),
    ...(parameters === undefined ? {} : { parameters }),
    deployment,
    ...(tags === undefined ? {} : { tags }),
    ...(addresses === undefined ? {} : { addresses }),
  });
  const report = result.report;
  const name = opt(ctx, 'name') ?? (files.length === 1 ? path.basename(files[0]!).replace(/\.json$/i, '') : path.basename(path.resolve(ctx.positionals[0]!)));
  const scenario = scenarioOf(name, result, tagsPath, report.format);
  const status = importExitStatus(report, result.nothingImported, ctx.values['partial'] === true);

  let run;
  let stepsProblem: string | undefined;
  if (!result.nothingImported) {
    const { steps, left } = defaultSteps(result.network);
    const out = opt(ctx, 'out');
    const snap = withSnapshotExpectations(scenario, steps, out ?? `${name}.yaml`);
    scenario['steps'] = snap.steps;
    run = snap.run;
    stepsProblem = snap.problem;
    if (left > 0) scenario['description'] = `${String(scenario['description'])} ${left} more default steps left out.`;
  }

  const yaml = formatScenarioYaml(scenario);
  const outFile = opt(ctx, 'out');
  if (outFile !== undefined && !result.nothingImported) writeFileSync(outFile, `${yaml}\n`);
  const thenRun = ctx.values['then-run'] === true && run !== undefined;

  if (ctx.flags.json) {
    ctx.io.out(
      JSON.stringify(
        {
          scenario,
          report,
          warnings: report.warnings,
          exitStatus: status,
          ...(stepsProblem === undefined ? {} : { stepsProblem }),
          ...(thenRun ? { run } : {}),
        },
        null,
        2,
      ),
    );
    return status;
  }

  // az paths start with the file's name (vnets.json[0].subnets[1]); the others are paths inside the one file.
  const where = (p: string) => (p === '' ? files.join(', ') : report.format === 'az' || p.startsWith('--') ? p : `${files[0]}: ${p}`);
  for (const w of report.warnings) ctx.io.err(`warning: ${where(w.path)}: ${w.message}`);
  if (stepsProblem !== undefined) ctx.io.err(`warning: the imported network does not load, so its steps carry no expectations: ${stepsProblem}`);
  for (const s of report.skipped) ctx.io.err(`skipped${s.relevant ? '' : ' (not network)'}: ${s.type} ${s.id} (${s.path}): ${s.reason}`);
  for (const p of report.placeholders) ctx.io.err(`placeholder: ${p.name} ${p.kind} = ${p.value} (${p.path})`);
  const relevant = report.skipped.filter((s) => s.relevant).length;
  ctx.io.err(
    `import (${report.format}): ${report.imported.length} resources imported, ${report.skipped.length} skipped (${relevant} that shape traffic), ${report.placeholders.length} placeholders${result.nothingImported ? ': nothing of a network imported' : ''}${status === 1 ? ' (exit 1; --partial accepts this)' : ''}`,
  );
  if (result.nothingImported) return status;
  if (!thenRun) {
    if (outFile === undefined) ctx.io.out(yaml);
    else ctx.io.err(`scenario written to ${outFile}`);
    return status;
  }
  if (outFile === undefined) ctx.io.err('the scenario is not saved (give --out FILE to keep it)');
  const steps = scenario['steps'] as Array<Record<string, unknown>>;
  for (const st of run!.steps) ctx.io.out(`${st.passed ? 'ok  ' : 'FAIL'} ${describeStep(st.kind, steps[st.index] ?? {}, st.result)}`);
  ctx.io.out(`${run!.passed ? 'PASS' : 'FAIL'}  ${name}: ${run!.steps.length} steps`);
  return run!.passed ? status : Math.max(status, EXIT.failed);
}
