// `vnetsim import TEMPLATE.json [--parameters FILE]`: an ARM template -> a scenario YAML (name, network, steps: [])
// on stdout; what could not be imported goes to stderr as warnings (path: message). Exit 0 imported, 2 unreadable.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importArmTemplate, scenarioOf } from '@vnetsim/azure';
import { formatScenarioYaml, tagsFromFile } from '@vnetsim/scenario';
import { EXIT, oneFile, UsageError, type Command, type CommandContext } from '../command.js';

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`${what} ${file}: not JSON (${(e as Error).message})`);
  }
}

function opt(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import an ARM template (VNets, NSGs, routes, VMs, Storage/SQL/Key Vault firewalls) as a scenario YAML',
  usage: 'vnetsim import TEMPLATE.json [--parameters FILE] [--location REGION] [--resource-group RG] [--subscription ID] [--name NAME] [--json]',
  options: {
    parameters: { type: 'string' },
    location: { type: 'string' },
    'resource-group': { type: 'string' },
    subscription: { type: 'string' },
    name: { type: 'string' },
  },
  optionHelp: [
    '--parameters FILE      deployment parameters ({ parameters: { name: { value } } })',
    '--location REGION      resourceGroup().location (default westeurope)',
    '--resource-group RG    resourceGroup().name (default vnetsim)',
    '--subscription ID      subscription().subscriptionId (default "default")',
    '--name NAME            scenario name (default: the template file name)',
  ],
  examples: [
    'vnetsim import ../shared/data/azure-shapes/quickstart_vnet-2subnets-service-endpoints-storage-integration_azuredeploy.json > network.yaml',
    'vnetsim import TEMPLATE.json --parameters PARAMETERS.json --location northeurope   (your own template)',
  ],
  run(ctx) {
    const file = oneFile(ctx, 'TEMPLATE.json');
    const template = readJson(file, 'template');
    const paramsFile = opt(ctx, 'parameters');
    const parameters = paramsFile === undefined ? undefined : readJson(paramsFile, '--parameters');
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
    const result = importArmTemplate(template, parameters, { deployment, ...(tags === undefined ? {} : { tags }) });
    const name = opt(ctx, 'name') ?? path.basename(file).replace(/\.json$/i, '');
    const scenario = scenarioOf(name, result, tagsPath);
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify({ scenario, warnings: result.warnings }, null, 2));
    } else {
      for (const w of result.warnings) ctx.io.err(`warning: ${w.path === '' ? file : `${file}: ${w.path}`}: ${w.message}`);
      ctx.io.out(formatScenarioYaml(scenario));
    }
    return EXIT.ok;
  },
};
