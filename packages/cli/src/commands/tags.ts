// `vnetsim tags diff OLD.json NEW.json [--service S] [--region R] [--network SCENARIO.yaml]`: what a service-tag
// update adds and removes, and which endpoint routes and NSG rules of a network it changes.

import path from 'node:path';
import { diffTagEditions, type TagUpdateReport } from '@vnetsim/azure';
import { loadScenarioFile } from '@vnetsim/scenario';
import { tagsFromFile } from '@vnetsim/scenario';
import { EXIT, UsageError, type Command, type CommandContext } from '../command.js';
import { renderTable } from '../table.js';

const str = (ctx: CommandContext, name: string): string | undefined => {
  const v = ctx.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function load(file: string) {
  try {
    return tagsFromFile(path.resolve(file));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const sample = (ps: string[]) => (ps.length <= 4 ? ps.join(' ') : `${ps.slice(0, 4).join(' ')} ... (+${ps.length - 4})`);

function print(ctx: CommandContext, r: TagUpdateReport): void {
  const out = ctx.io.out;
  out(`service tags: change ${r.oldChangeNumber} -> ${r.newChangeNumber}: ${r.tags.length} tag${r.tags.length === 1 ? '' : 's'} changed`);
  if (r.tags.length > 0)
    out(renderTable(['TAG', 'STATUS', 'ADDED', 'REMOVED', 'PREFIXES'], r.tags.map((t) => [t.tag, t.status, String(t.added.length), String(t.removed.length), sample([...t.added.map((p) => `+${p}`), ...t.removed.map((p) => `-${p}`)])]), { right: [2, 3] }));
  if (r.endpointRoutes !== undefined) {
    out('');
    out(`endpoint routes: ${r.endpointRoutes.length === 0 ? 'no subnet changes' : `${r.endpointRoutes.length} subnet endpoint${r.endpointRoutes.length === 1 ? '' : 's'} change`}`);
    if (r.endpointRoutes.length > 0)
      out(renderTable(['SUBNET', 'SERVICE', 'TAGS', 'ADDED', 'REMOVED', 'NOTE'], r.endpointRoutes.map((e) => [e.subnet, e.service, e.tagNames.join(','), String(e.added.length), String(e.removed.length), e.error ?? ''])));
  }
  if (r.nsgRules !== undefined) {
    out('');
    out(`NSG rules: ${r.nsgRules.length === 0 ? 'none name a changed tag' : `${r.nsgRules.length} rule side${r.nsgRules.length === 1 ? '' : 's'} change`}`);
    if (r.nsgRules.length > 0)
      out(renderTable(['NSG', 'RULE', 'DIRECTION', 'SIDE', 'TAG', 'ADDED', 'REMOVED'], r.nsgRules.map((n) => [n.nsg, n.rule, n.direction, n.side, n.tag, String(n.added.length), String(n.removed.length)])));
  }
}

export const tagsCommand: Command = {
  name: 'tags',
  summary: 'service tags: `tags diff OLD NEW` shows what an update adds and removes, and what it changes in a network',
  usage: 'vnetsim tags diff OLD.json NEW.json [--service Storage] [--region westeurope] [--network SCENARIO.yaml] [--json]',
  options: { service: { type: 'string' }, region: { type: 'string' }, network: { type: 'string' } },
  optionHelp: [
    '--service S          only tags of this service (Storage, Storage.WestEurope, Microsoft.Storage)',
    '--region R           only regional tags of this region',
    '--network FILE       a scenario: which subnets\' endpoint routes and which NSG rules change',
  ],
  examples: [
    'vnetsim tags diff ../shared/data/service-tags/ServiceTags_Public.cn240.json ../shared/data/service-tags/ServiceTags_Public.cn376.json --service Storage --region westeurope',
    'vnetsim tags diff ../shared/data/service-tags/ServiceTags_Public.cn240.json ../shared/data/service-tags/ServiceTags_Public.cn376.json --network scenarios/quickstart.yaml --json',
  ],
  run(ctx) {
    const [sub, ...files] = ctx.positionals;
    if (sub !== 'diff') throw new UsageError(`expected "tags diff OLD.json NEW.json", got "tags ${ctx.positionals.join(' ')}"`);
    if (files.length !== 2) throw new UsageError(`tags diff needs OLD.json and NEW.json, got ${files.length === 0 ? 'none' : files.join(' ')}`);
    const oldTags = load(files[0]!);
    const newTags = load(files[1]!);
    const netFile = str(ctx, 'network');
    const net = netFile === undefined ? undefined : loadScenarioFile(netFile, { validate: false }).network;
    const filter = {
      ...(str(ctx, 'service') === undefined ? {} : { service: str(ctx, 'service')! }),
      ...(str(ctx, 'region') === undefined ? {} : { region: str(ctx, 'region')! }),
    };
    const report = diffTagEditions(oldTags, newTags, filter, net);
    if (ctx.flags.json) ctx.io.out(JSON.stringify(report, null, 2));
    else print(ctx, report);
    return EXIT.ok;
  },
};
