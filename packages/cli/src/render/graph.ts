// A small picture model shared by `diagram`, `trace --format` and the HTML report: boxes (nodes) with lines of text,
// nested groups (clusters), and labelled edges; rendered as Mermaid, Graphviz DOT (renderers elsewhere lay them out)
// or SVG (svg.ts lays them out itself, so no browser or Graphviz is needed).

export type NodeKind = 'vnet' | 'subnet' | 'vm' | 'appliance' | 'nsg' | 'routeTable' | 'gateway' | 'onPrem' | 'service' | 'policy' | 'hop' | 'ok' | 'drop';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** First line is the title; the others details. */
  lines: string[];
  /** The cluster it sits in (absent: top level). */
  cluster?: string;
  /** Column of the layered layout (top-level items only; nodes in clusters follow their cluster). */
  layer: number;
}

export interface GraphCluster {
  id: string;
  label: string;
  parent?: string;
  layer: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  /** solid: traffic or attachment; dashed: a reference (firewall rule, policy, peering). */
  style: 'solid' | 'dashed';
}

export interface Graph {
  title: string;
  /** LR: layers are columns; TB: one column read from top to bottom (a packet's path). */
  direction: 'LR' | 'TB';
  nodes: GraphNode[];
  clusters: GraphCluster[];
  edges: GraphEdge[];
}

/** Node and cluster ids safe in Mermaid and DOT: letters, digits and _. */
export function safeId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

// ------------------------------------------------------------------------------------------------------ Mermaid
function mmText(s: string): string {
  // Mermaid's entity codes: #quot; for ", #35; for #; < and > as #lt; #gt; so labels never become HTML.
  return s.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

const MM_SHAPE: Record<NodeKind, [string, string]> = {
  vnet: ['[', ']'], subnet: ['[', ']'], vm: ['(', ')'], appliance: ['{{', '}}'], nsg: ['[/', '/]'], routeTable: ['[\\', '\\]'],
  gateway: ['{{', '}}'], onPrem: ['[(', ')]'], service: ['[(', ')]'], policy: ['[/', '/]'], hop: ['[', ']'], ok: ['([', '])'], drop: ['([', '])'],
};

export function toMermaid(g: Graph): string {
  const out = [`flowchart ${g.direction}`];
  const node = (n: GraphNode, indent: string) => {
    const [a, b] = MM_SHAPE[n.kind];
    out.push(`${indent}${n.id}${a}"${n.lines.map(mmText).join('<br/>')}"${b}`);
  };
  const cluster = (c: GraphCluster, indent: string) => {
    out.push(`${indent}subgraph ${c.id}["${mmText(c.label)}"]`);
    for (const n of g.nodes) if (n.cluster === c.id) node(n, `${indent}  `);
    for (const k of g.clusters) if (k.parent === c.id) cluster(k, `${indent}  `);
    out.push(`${indent}end`);
  };
  for (const c of g.clusters) if (c.parent === undefined) cluster(c, '  ');
  for (const n of g.nodes) if (n.cluster === undefined) node(n, '  ');
  for (const e of g.edges) {
    const arrow = e.style === 'dashed' ? '-.->' : '-->';
    out.push(e.label ? `  ${e.from} ${arrow}|"${mmText(e.label)}"| ${e.to}` : `  ${e.from} ${arrow} ${e.to}`);
  }
  const classes: Partial<Record<NodeKind, string>> = {
    nsg: 'fill:#fdecea,stroke:#c0392b', routeTable: 'fill:#eaf2fd,stroke:#2c6fbb', service: 'fill:#eafaf1,stroke:#1e8449',
    appliance: 'fill:#fef5e7,stroke:#b9770e', ok: 'fill:#d5f5e3,stroke:#1e8449', drop: 'fill:#fadbd8,stroke:#c0392b',
  };
  for (const [kind, style] of Object.entries(classes)) {
    const ids = g.nodes.filter((n) => n.kind === kind).map((n) => n.id);
    if (ids.length > 0) out.push(`  classDef ${kind} ${style}`, `  class ${ids.join(',')} ${kind}`);
  }
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------------ DOT
function dotText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const DOT_SHAPE: Record<NodeKind, string> = {
  vnet: 'box', subnet: 'box', vm: 'box, style=rounded', appliance: 'hexagon', nsg: 'note', routeTable: 'tab', gateway: 'hexagon',
  onPrem: 'cylinder', service: 'cylinder', policy: 'note', hop: 'box', ok: 'box, style="rounded,filled", fillcolor="#d5f5e3"', drop: 'box, style="rounded,filled", fillcolor="#fadbd8"',
};

export function toDot(g: Graph): string {
  const out = [`digraph "${dotText(g.title)}" {`, `  rankdir=${g.direction};`, '  compound=true;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  const node = (n: GraphNode, indent: string) => out.push(`${indent}${n.id} [label="${dotText(n.lines.join('\n'))}", shape=${DOT_SHAPE[n.kind]}];`);
  const cluster = (c: GraphCluster, indent: string) => {
    out.push(`${indent}subgraph cluster_${c.id} {`, `${indent}  label="${dotText(c.label)}";`);
    for (const n of g.nodes) if (n.cluster === c.id) node(n, `${indent}  `);
    for (const k of g.clusters) if (k.parent === c.id) cluster(k, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const c of g.clusters) if (c.parent === undefined) cluster(c, '  ');
  for (const n of g.nodes) if (n.cluster === undefined) node(n, '  ');
  for (const e of g.edges) {
    const attrs = [...(e.label ? [`label="${dotText(e.label)}"`] : []), ...(e.style === 'dashed' ? ['style=dashed'] : [])];
    out.push(`  ${e.from} -> ${e.to}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}');
  return out.join('\n');
}
