// diagram (mermaid, dot, svg) and trace --format mermaid|svg: the text structure of Mermaid and DOT, and SVG read back
// by a strict XML parser with the expected nodes and edges.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenarioFiles, loadScenarioFile, MissingDataError } from '@vnetsim/scenario';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';
import { toDot, toMermaid } from './graph.js';
import { toSvg } from './svg.js';
import { topologyGraph } from './topology.js';
import { allText, findAll, parseXml, type XmlElement } from './xml-tree.test-helper.js';

const NETWORK = `name: picture <all> & "kinds"
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      peerings: [spoke]
      gateway: { onPremPrefixes: [192.168.0.0/16] }
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, routeTable: via-fw, serviceEndpoints: [Microsoft.Storage], endpointPolicies: [only-mine] }
        - { name: dmz, prefix: 10.0.2.0/24 }
    - name: spoke
      region: westeurope
      addressSpace: [10.1.0.0/16]
      peerings: [hub]
      subnets: [{ name: web, prefix: 10.1.1.0/24 }]
  nsgs:
    - name: app-nsg
      rules:
        - { name: deny-web, priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: '*', destination: Internet, destinationPorts: 80 }
    - name: nic-nsg
      rules: []
  routeTables:
    - name: via-fw
      routes: [{ name: default, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.2.4 }]
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, nsg: nic-nsg }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.2.4, ipForwarding: true, appliance: { egress: Internet } }
    - { name: web1, subnet: spoke/web, privateIp: 10.1.1.4 }
  services:
    - name: mystorage
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.0.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/app], ipRules: [51.105.0.1] }
  endpointPolicies:
    - { name: only-mine, service: Microsoft.Storage, resources: [mystorage] }
  onPrem:
    - { name: dc, prefix: 192.168.0.0/16, via: hub }
steps: []
`;

function scenario(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-pictures-'));
  const f = path.join(dir, 'net.yaml');
  writeFileSync(f, NETWORK);
  return f;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const EXPECTED_NODES = ['vnet_hub', 'vnet_spoke', 'gw_hub', 'sn_hub_2fapp', 'sn_hub_2fdmz', 'sn_spoke_2fweb', 'vm_vm1', 'vm_fw', 'vm_web1', 'nsg_app_2dnsg', 'nsg_nic_2dnsg', 'rt_via_2dfw', 'svc_mystorage', 'pol_only_2dmine', 'onprem_dc'];
// from, to, label
const EXPECTED_EDGES: Array<[string, string, string]> = [
  ['sn_hub_2fapp', 'nsg_app_2dnsg', 'subnet NSG'],
  ['vm_vm1', 'nsg_nic_2dnsg', 'NIC NSG'],
  ['sn_hub_2fapp', 'rt_via_2dfw', 'routes'],
  ['rt_via_2dfw', 'vm_fw', 'next hop 0.0.0.0/0'],
  ['vnet_hub', 'vnet_spoke', 'peering'],
  ['gw_hub', 'onprem_dc', 'VPN/ExpressRoute'],
  ['sn_hub_2fapp', 'svc_mystorage', 'vnet rule'],
  ['sn_hub_2fapp', 'pol_only_2dmine', 'policy'],
];

describe('vnetsim diagram', () => {
  it('mermaid: a flowchart with a subgraph per VNet and subnet, every resource a node, every link an edge', async () => {
    const r = await cli('diagram', scenario());
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((l) => /^\s*subgraph /.test(l))).toHaveLength(2 + 3);
    expect(lines.filter((l) => l.trim() === 'end')).toHaveLength(5);
    for (const id of EXPECTED_NODES) expect(lines.filter((l) => new RegExp(`^\\s*${id}[\\[({]`).test(l)), id).toHaveLength(1);
    for (const [a, b, label] of EXPECTED_EDGES) expect(lines.some((l) => l.trim().startsWith(`${a} `) && l.includes(`|"${label}"| ${b}`)), `${a} -> ${b}`).toBe(true);
    // Peering is drawn once although both sides declare it.
    expect(lines.filter((l) => l.includes('"peering"'))).toHaveLength(1);
    // Labels cannot break Mermaid: no raw quotes or angle brackets inside node text.
    expect(r.out).toContain('appliance -#gt; Internet');
    expect(r.out).toContain('endpoint Microsoft.Storage');
    expect(r.out).toContain('IP rule 51.105.0.1');
  });

  it('dot: a digraph with clusters, nodes and the edges', async () => {
    const r = await cli('diagram', scenario(), '--format', 'dot');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('digraph "network of picture <all> & \\"kinds\\"" {')).toBe(true);
    expect(r.out.trimEnd().endsWith('}')).toBe(true);
    expect(r.out.match(/subgraph cluster_/g)).toHaveLength(5);
    for (const id of EXPECTED_NODES) expect(r.out).toMatch(new RegExp(`\\n\\s*${id} \\[label=`));
    for (const [a, b, label] of EXPECTED_EDGES) expect(r.out).toContain(`${a} -> ${b} [label="${label}"`);
    const open = (r.out.match(/{/g) ?? []).length;
    expect((r.out.match(/}/g) ?? []).length).toBe(open);
  });

  it.skipIf(!existsSync('/usr/bin/dot'))('dot: Graphviz reads it without a warning and draws every node (needs /usr/bin/dot; .ci/run installs Debian\'s graphviz)', async () => {
    const r = await cli('diagram', scenario(), '--format', 'dot');
    const dot = spawnSync('/usr/bin/dot', ['-Tsvg'], { input: r.out, encoding: 'utf8' });
    expect(dot.stderr).toBe('');
    expect(dot.status).toBe(0);
    const svg = parseXml(dot.stdout);
    const titles = findAll(svg, 'g').filter((g) => g.attrs['class'] === 'node').map((g) => allText(g.children.find((c) => c.name === 'title')!));
    expect(titles.sort()).toEqual([...EXPECTED_NODES].sort());
    expect(findAll(svg, 'g').filter((g) => g.attrs['class'] === 'edge')).toHaveLength(EXPECTED_EDGES.length + 1);
  });

  it('svg: well-formed XML with a node per resource, an edge per link and boxes inside their clusters', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-svg-'));
    const out = path.join(dir, 'net.svg');
    const r = await cli('diagram', scenario(), '--format', 'svg', '-o', out);
    expect(r.code).toBe(0);
    const svg = parseXml(readFileSync(out, 'utf8'));
    expect(svg.name).toBe('svg');
    expect(svg.attrs['xmlns']).toBe('http://www.w3.org/2000/svg');
    const groups = findAll(svg, 'g');
    const nodes = groups.filter((g) => g.attrs['class']?.startsWith('node '));
    expect(nodes.map((n) => n.attrs['data-id']).sort()).toEqual([...EXPECTED_NODES].sort());
    const edges = groups.filter((g) => g.attrs['class'] === 'edge');
    expect(edges).toHaveLength(EXPECTED_EDGES.length + 1); // + VNet hub -> its gateway
    for (const [a, b, label] of EXPECTED_EDGES) {
      const e = edges.find((x) => x.attrs['data-from'] === a && x.attrs['data-to'] === b);
      expect(e, `${a} -> ${b}`).toBeDefined();
      expect(allText(e!).trim()).toBe(label);
    }
    expect(allText(svg.children.find((c) => c.name === 'title')!)).toBe('network of picture <all> & "kinds"');
    // Every node box lies inside the SVG, and a VM inside its subnet's cluster.
    const rect = (g: XmlElement) => {
      const r0 = g.children.find((c) => c.name === 'rect')!;
      return { x: Number(r0.attrs['x']), y: Number(r0.attrs['y']), w: Number(r0.attrs['width']), h: Number(r0.attrs['height']) };
    };
    const W = Number(svg.attrs['width']);
    const H = Number(svg.attrs['height']);
    for (const n of nodes) {
      const b = rect(n);
      expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= W && b.y + b.h <= H, n.attrs['data-id']).toBe(true);
    }
    const cluster = rect(groups.find((g) => g.attrs['data-id'] === 'clsn_hub_2fapp')!);
    const vm = rect(nodes.find((g) => g.attrs['data-id'] === 'vm_vm1')!);
    expect(vm.x >= cluster.x && vm.y >= cluster.y && vm.x + vm.w <= cluster.x + cluster.w && vm.y + vm.h <= cluster.y + cluster.h).toBe(true);
  });

  it('every network of scenarios/ draws: SVG well-formed with one box per node, Mermaid and DOT one line per node', () => {
    const files = findScenarioFiles(fileURLToPath(new URL('../../../../scenarios', import.meta.url)));
    let drawn = 0;
    for (const f of files) {
      let s;
      try {
        s = loadScenarioFile(f);
      } catch (e) {
        if (e instanceof MissingDataError) continue; // its service tags are public data absent here
        throw e;
      }
      const g = topologyGraph(s.network, s.name);
      const svg = parseXml(toSvg(g));
      expect(findAll(svg, 'g').filter((x) => x.attrs['class']?.startsWith('node ')).length, f).toBe(g.nodes.length);
      expect(g.nodes.length, f).toBeGreaterThanOrEqual(s.network.vnets.length + s.network.vms.length);
      const mm = toMermaid(g).split('\n');
      for (const n of g.nodes) expect(mm.filter((l) => l.trimStart().startsWith(`${n.id}[`) || l.trimStart().startsWith(`${n.id}(`) || l.trimStart().startsWith(`${n.id}{`)), `${f}: ${n.id}`).toHaveLength(1);
      expect(toDot(g).match(/^\s*\w+ \[label=/gm)?.length ?? 0, f).toBe(g.nodes.length);
      drawn++;
    }
    expect(drawn).toBeGreaterThan(20);
  });

  it('a bad format is a usage error', async () => {
    expect((await cli('diagram', scenario(), '--format', 'png')).code).toBe(2);
  });
});

describe('vnetsim trace --format', () => {
  it('mermaid: the packet, one box per step in order (the deciding NSG rule), the verdict styled as a drop', async () => {
    const r = await cli('trace', scenario(), '--from', 'vm1', '--to', '8.8.8.8', '--port', '80', '--format', 'mermaid');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('flowchart TB');
    expect(r.out).toContain('packet["packet<br/>TCP 10.0.1.4:50000 -#gt; 8.8.8.8:80"]');
    // Steps: ingress, the NIC NSG's allow, the subnet NSG's deny, the delivery (dropped).
    expect(r.out).toMatch(/step3\[\/"3\. NSG rule<br\/>outbound subnet NSG app-nsg: (securityRules\/)?deny-web/);
    expect(lines.filter((l) => /^\s*(packet|step\d+) --> step\d+$/.test(l))).toHaveLength(4);
    expect(r.out).toMatch(/class step4 drop/);
  });

  it('svg: the route and the translation of a packet that leaves through the appliance', async () => {
    const r = await cli('trace', scenario(), '--from', 'vm1', '--to', '8.8.8.8', '--port', '443', '--format', 'svg');
    expect(r.code).toBe(0);
    const svg = parseXml(r.out);
    const nodes = findAll(svg, 'g').filter((g) => g.attrs['class']?.startsWith('node '));
    const texts = nodes.map((n) => allText(n.children.find((c) => c.name === 'title')!).replace(/\s+/g, ' '));
    expect(texts[0]).toContain('TCP 10.0.1.4:50000 -> 8.8.8.8:443');
    expect(texts.some((t) => t.includes('route 0.0.0.0/0') && t.includes('VirtualAppliance 10.0.2.4'))).toBe(true);
    expect(texts.some((t) => /translation source 10\.0\.1\.4 -> \d+\.\d+\.\d+\.\d+/.test(t))).toBe(true);
    expect(texts.some((t) => t.includes('appliance') && t.includes('fw'))).toBe(true);
    expect(nodes[nodes.length - 1]!.attrs['class']).toBe('node ok');
    const edges = findAll(svg, 'g').filter((g) => g.attrs['class'] === 'edge');
    expect(edges).toHaveLength(nodes.length - 1);
  });

  it('--format svg with --json is a usage error', async () => {
    expect((await cli('trace', scenario(), '--from', 'vm1', '--to', '8.8.8.8', '--format', 'svg', '--json')).code).toBe(2);
  });
});
