// `vnetsim diagram`: a picture of a scenario's network as Mermaid, Graphviz DOT or SVG (laid out by vnetsim itself).
import { writeFileSync } from 'node:fs';
import { loadScenarioFile } from '@vnetsim/scenario';
import { EXIT, oneFile, oneOf, UsageError, type Command } from '../command.js';
import { toDot, toMermaid, type Graph } from '../render/graph.js';
import { toSvg } from '../render/svg.js';
import { topologyGraph } from '../render/topology.js';

export const PICTURE_FORMATS = ['mermaid', 'dot', 'svg'] as const;

export function renderGraph(g: Graph, format: (typeof PICTURE_FORMATS)[number]): string {
  return format === 'mermaid' ? toMermaid(g) : format === 'dot' ? toDot(g) : toSvg(g);
}

export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'draw the network of a scenario: VNets, subnets, VMs, NSGs, route tables, peerings, gateways, services',
  usage: 'vnetsim diagram FILE [--format mermaid|dot|svg] [-o FILE]',
  options: { format: { type: 'string' }, output: { type: 'string', short: 'o' } },
  optionHelp: [
    '--format F       mermaid (default: renders in GitHub and GitLab Markdown), dot (Graphviz) or svg (laid out by',
    '                 vnetsim: no browser or Graphviz needed)',
    '-o, --output F   write to a file instead of stdout',
  ],
  examples: [
    'vnetsim diagram scenarios/quickstart.yaml',
    'vnetsim diagram scenarios/quickstart.yaml --format svg -o network.svg',
    'vnetsim diagram scenarios/quickstart.yaml --format dot | dot -Tpng > network.png',
  ],
  run(ctx) {
    const file = oneFile(ctx);
    const format = ctx.values['format'] === undefined ? 'mermaid' : oneOf(ctx, 'format', PICTURE_FORMATS);
    if (ctx.flags.json) throw new UsageError('diagram prints a picture; --json does not apply');
    const s = loadScenarioFile(file, ctx.flags.serviceTags === undefined ? {} : { serviceTagsFile: ctx.flags.serviceTags });
    const text = renderGraph(topologyGraph(s.network, `network of ${s.name}`), format);
    const out = ctx.values['output'];
    if (typeof out === 'string') {
      try {
        writeFileSync(out, `${text}\n`);
      } catch (e) {
        throw new UsageError(`--output ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
    } else ctx.io.out(text);
    return EXIT.ok;
  },
};
