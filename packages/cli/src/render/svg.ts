// SVG of a Graph with a layout of our own (no browser, no Graphviz): top-level items (clusters and free nodes) go in
// columns by layer, stacked top to bottom; a cluster holds its nodes in rows of up to three, then its child clusters.
// Edges are cubic curves between box sides, labels on a white plate at their middle. Text width is estimated from
// character counts (no font metrics at run time), generously enough that labels stay inside their boxes.

import type { Graph, GraphCluster, GraphNode, NodeKind } from './graph.js';
import { xmlAttr, xmlText } from './xml.js';

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const CHAR_W = 6.6;
const LINE_H = 14;
const PAD = 10;
const GAP = 16;
const TITLE_H = 20;
const COLUMN_GAP = 90;
const PER_ROW = 3;

const FILL: Record<NodeKind, [string, string]> = {
  vnet: ['#f4f6f7', '#566573'], subnet: ['#ffffff', '#566573'], vm: ['#ffffff', '#2c3e50'], appliance: ['#fef5e7', '#b9770e'],
  nsg: ['#fdecea', '#c0392b'], routeTable: ['#eaf2fd', '#2c6fbb'], gateway: ['#f5eef8', '#7d3c98'], onPrem: ['#f2f3f4', '#515a5a'],
  service: ['#eafaf1', '#1e8449'], policy: ['#fdf2e9', '#a04000'], hop: ['#ffffff', '#2c3e50'], ok: ['#d5f5e3', '#1e8449'], drop: ['#fadbd8', '#c0392b'],
};

function nodeSize(n: GraphNode): { w: number; h: number } {
  const chars = Math.max(...n.lines.map((l) => l.length), 4);
  return { w: Math.ceil(chars * CHAR_W + 2 * PAD), h: n.lines.length * LINE_H + 2 * PAD - 4 };
}

export function toSvg(g: Graph): string {
  const nodeRect = new Map<string, Rect>();
  const clusterRect = new Map<string, Rect>();
  const nodesIn = (c: string | undefined) => g.nodes.filter((n) => n.cluster === c);
  const kidsOf = (c: string | undefined) => g.clusters.filter((k) => k.parent === c);
  // A subnet's own box has a row to itself, so the edges leaving its right side do not cross its VMs.
  const rows = (ns: GraphNode[]) => {
    const out: GraphNode[][] = [];
    const first = ns[0]?.kind === 'subnet' ? 1 : 0;
    if (first === 1) out.push([ns[0]!]);
    for (let i = first; i < ns.length; i += PER_ROW) out.push(ns.slice(i, i + PER_ROW));
    return out;
  };

  const sizeCache = new Map<string, { w: number; h: number }>();
  const clusterSize = (c: GraphCluster): { w: number; h: number } => {
    const hit = sizeCache.get(c.id);
    if (hit) return hit;
    let w = c.label.length * CHAR_W + 2 * PAD;
    let h = TITLE_H;
    for (const row of rows(nodesIn(c.id))) {
      const sizes = row.map(nodeSize);
      w = Math.max(w, sizes.reduce((a, s) => a + s.w, 0) + GAP * (row.length - 1) + 2 * PAD);
      h += Math.max(...sizes.map((s) => s.h)) + GAP;
    }
    for (const k of kidsOf(c.id)) {
      const s = clusterSize(k);
      w = Math.max(w, s.w + 2 * PAD);
      h += s.h + GAP;
    }
    const size = { w: Math.ceil(w), h: Math.ceil(h + PAD - GAP / 2) };
    sizeCache.set(c.id, size);
    return size;
  };
  const placeCluster = (c: GraphCluster, x: number, y: number) => {
    const s = clusterSize(c);
    clusterRect.set(c.id, { x, y, ...s });
    let cy = y + TITLE_H + 4;
    for (const row of rows(nodesIn(c.id))) {
      let cx = x + PAD;
      let rowH = 0;
      for (const n of row) {
        const ns = nodeSize(n);
        nodeRect.set(n.id, { x: cx, y: cy, ...ns });
        cx += ns.w + GAP;
        rowH = Math.max(rowH, ns.h);
      }
      cy += rowH + GAP;
    }
    for (const k of kidsOf(c.id)) {
      placeCluster(k, x + PAD, cy);
      cy += clusterSize(k).h + GAP;
    }
  };

  // Top level: columns by layer (TB: one column, in order).
  type Item = { layer: number; size: { w: number; h: number }; place: (x: number, y: number) => void };
  const items: Item[] = [
    ...kidsOf(undefined).map((c) => ({ layer: c.layer, size: clusterSize(c), place: (x: number, y: number) => placeCluster(c, x, y) })),
    ...nodesIn(undefined).map((n) => ({ layer: n.layer, size: nodeSize(n), place: (x: number, y: number) => nodeRect.set(n.id, { x, y, ...nodeSize(n) }) })),
  ];
  const layers = g.direction === 'TB' ? [0] : [...new Set(items.map((i) => i.layer))].sort((a, b) => a - b);
  const margin = 20;
  let x = margin;
  let height = 0;
  const vgap = g.direction === 'TB' ? 34 : 24;
  for (const layer of layers) {
    const col = g.direction === 'TB' ? items : items.filter((i) => i.layer === layer);
    const colW = Math.max(...col.map((i) => i.size.w));
    let y = margin + 24;
    for (const i of col) {
      i.place(g.direction === 'TB' ? x + (colW - i.size.w) / 2 : x, y);
      y += i.size.h + vgap;
    }
    height = Math.max(height, y);
    x += colW + COLUMN_GAP;
  }
  // Room for edge labels and same-column detours on the right.
  const width = Math.ceil(x - COLUMN_GAP + margin + 60);
  height = Math.ceil(height + margin);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${xmlText(g.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin}" y="${margin + 6}" font-size="14" font-weight="bold">${xmlText(g.title)}</text>`,
  ];
  const depth = (c: GraphCluster): number => (c.parent === undefined ? 0 : 1 + depth(g.clusters.find((k) => k.id === c.parent)!));
  for (const c of [...g.clusters].sort((a, b) => depth(a) - depth(b))) {
    const r = clusterRect.get(c.id)!;
    out.push(
      `<g class="cluster" data-id="${xmlAttr(c.id)}"><rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="6" fill="${depth(c) === 0 ? '#f4f6f7' : '#fbfcfc'}" stroke="#99a3a4"/>` +
        `<text x="${r.x + PAD}" y="${r.y + 15}" font-weight="bold" fill="#34495e">${xmlText(c.label)}</text></g>`,
    );
  }
  for (const e of g.edges) {
    const a = nodeRect.get(e.from);
    const b = nodeRect.get(e.to);
    if (a === undefined || b === undefined) continue;
    const { d, mx, my } = edgePath(a, b, g.direction);
    out.push(`<g class="edge" data-from="${xmlAttr(e.from)}" data-to="${xmlAttr(e.to)}"><path d="${d}" fill="none" stroke="#555" stroke-width="1.2"${e.style === 'dashed' ? ' stroke-dasharray="5,4"' : ''} marker-end="url(#arrow)"/>`);
    if (e.label) {
      const w = e.label.length * 5.8 + 8;
      out.push(`<rect x="${(mx - w / 2).toFixed(1)}" y="${(my - 8).toFixed(1)}" width="${w.toFixed(1)}" height="14" fill="#ffffff" opacity="0.9"/><text x="${mx.toFixed(1)}" y="${(my + 3).toFixed(1)}" text-anchor="middle" font-size="10" fill="#333">${xmlText(e.label)}</text>`);
    }
    out.push('</g>');
  }
  for (const n of g.nodes) {
    const r = nodeRect.get(n.id)!;
    const [fill, stroke] = FILL[n.kind];
    const rx = n.kind === 'vm' || n.kind === 'ok' || n.kind === 'drop' ? 10 : n.kind === 'service' || n.kind === 'onPrem' ? 14 : 3;
    out.push(`<g class="node ${n.kind}" data-id="${xmlAttr(n.id)}"><title>${xmlText(n.lines.join('\n'))}</title><rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="${rx}" fill="${fill}" stroke="${stroke}" stroke-width="1.4"/>`);
    n.lines.forEach((l, i) => out.push(`<text x="${r.x + PAD}" y="${r.y + PAD + 8 + i * LINE_H}"${i === 0 ? ' font-weight="bold"' : ' fill="#444"'}>${xmlText(l)}</text>`));
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

function edgePath(a: Rect, b: Rect, dir: 'LR' | 'TB'): { d: string; mx: number; my: number } {
  const f = (n: number) => n.toFixed(1);
  if (dir === 'LR' && (b.x >= a.x + a.w || b.x + b.w <= a.x)) {
    const right = b.x >= a.x + a.w;
    const x1 = right ? a.x + a.w : a.x;
    const x2 = right ? b.x : b.x + b.w;
    const y1 = a.y + a.h / 2;
    const y2 = b.y + b.h / 2;
    const dx = (x2 - x1) / 2;
    return { d: `M${f(x1)},${f(y1)} C${f(x1 + dx)},${f(y1)} ${f(x2 - dx)},${f(y2)} ${f(x2)},${f(y2)}`, mx: (x1 + x2) / 2, my: (y1 + y2) / 2 };
  }
  if (dir === 'TB') {
    const down = b.y >= a.y + a.h;
    const x1 = a.x + a.w / 2;
    const x2 = b.x + b.w / 2;
    const y1 = down ? a.y + a.h : a.y;
    const y2 = down ? b.y : b.y + b.h;
    return { d: `M${f(x1)},${f(y1)} L${f(x2)},${f(y2)}`, mx: (x1 + x2) / 2, my: (y1 + y2) / 2 };
  }
  // Same column in a left-to-right picture: a detour through the gap on the left of the column (clusters put their
  // first boxes at their left edge, so the detour crosses no box).
  const x1 = a.x;
  const x2 = b.x;
  const y1 = a.y + a.h / 2;
  const y2 = b.y + b.h / 2;
  const out = Math.min(x1, x2) - 45;
  return { d: `M${f(x1)},${f(y1)} C${f(out)},${f(y1)} ${f(out)},${f(y2)} ${f(x2)},${f(y2)}`, mx: out + 8, my: (y1 + y2) / 2 };
}
