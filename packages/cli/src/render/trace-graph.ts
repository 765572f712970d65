// One packet's path as a Graph read top to bottom: the packet, then one box per step of its trace (the NSG rule with
// its priority, the route with its next hop, the translation and the source address seen, the service firewall), and
// the verdict: green when it arrives, red with the drop reason when it does not.

import type { Trace } from '@vnetsim/dataplane';
import type { Graph } from './graph.js';

const ARRIVES = new Set(['Delivered', 'ExitsNetwork']);

const STAGE_TITLE: Record<string, string> = {
  ingress: 'ingress', platform: 'platform path', flow: 'flow table', nsg: 'NSG rule', route: 'route', forward: 'forward',
  translation: 'translation', appliance: 'appliance', policy: 'endpoint policy', service: 'service firewall', delivery: 'delivery',
};

/** Long texts wrapped at `width` characters on word boundaries. */
export function wrap(text: string, width = 64): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) out.push(line);
  return out;
}

export function traceGraph(t: Trace): Graph {
  const g: Graph = { title: `trace: ${t.packet}`, direction: 'TB', nodes: [], clusters: [], edges: [] };
  g.nodes.push({ id: 'packet', kind: 'hop', lines: ['packet', ...wrap(t.packet)], layer: 0 });
  t.steps.forEach((s, i) => {
    const id = `step${i + 1}`;
    const last = i === t.steps.length - 1;
    const kind = s.stage === 'delivery' || last ? (ARRIVES.has(t.disposition) ? 'ok' : 'drop') : s.stage === 'nsg' ? 'nsg' : s.stage === 'route' ? 'routeTable' : s.stage === 'service' ? 'service' : s.stage === 'appliance' ? 'appliance' : 'hop';
    g.nodes.push({ id, kind, lines: [`${i + 1}. ${STAGE_TITLE[s.stage] ?? s.stage}`, ...wrap(s.text)], layer: 0 });
    g.edges.push({ from: i === 0 ? 'packet' : `step${i}`, to: id, style: 'solid' });
  });
  const verdict = `${t.disposition}${t.reason && t.reason !== 'None' ? ` (${t.reason})` : ''}`;
  const lastStage = t.steps[t.steps.length - 1]?.stage;
  if (lastStage !== 'delivery') {
    g.nodes.push({ id: 'verdict', kind: ARRIVES.has(t.disposition) ? 'ok' : 'drop', lines: [verdict], layer: 0 });
    g.edges.push({ from: t.steps.length > 0 ? `step${t.steps.length}` : 'packet', to: 'verdict', style: 'solid' });
  } else g.title = `trace: ${t.packet}: ${verdict}`;
  return g;
}
