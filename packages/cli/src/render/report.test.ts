// vnetsim report, opened in a real headless Chromium (Debian's, driven by playwright-core): the page renders with no
// console errors and no request outside file://, shows the network picture, every step, the failing steps with their
// traces and the counters; a screenshot is taken and checked to be a PNG.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, runScenario } from '@vnetsim/scenario';
import { main } from '../main.js';
import { reportHtml } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);

// Steps 1 and 3 fail on purpose (a denied connect expected delivered, a wrong next hop); steps 0 and 2 pass.
const FAILING = `name: report <check> & "escape"
description: A subnet NSG denies the web; two expectations are wrong on purpose.
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets: [{ name: app, prefix: 10.0.1.0/24, nsg: lock, serviceEndpoints: [Microsoft.Storage] }]
  nsgs:
    - name: lock
      rules:
        - { name: deny-web, priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: '*', destination: 8.8.8.8/32, destinationPorts: 443 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
  services:
    - { name: st1, type: Microsoft.Storage, region: westeurope, address: 52.239.0.10, firewall: { defaultAction: Deny, virtualNetworkRules: [hub/app] } }
steps:
  - connect: { from: vm1, to: st1, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered }
  - connect: { from: vm1, to: 8.8.8.8, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered }
  - traffic: { from: vm1, to: st1, protocol: Tcp, port: 443, packets: 100, flows: 10 }
    expect: { counts: { Delivered: 100 } }
  - nextHop: { from: vm1, to: 8.8.8.8 }
    expect: { nextHopType: VirtualAppliance }
`;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vnetsim report', () => {
  it('writes one self-contained page: no script, no external reference; exit 1 when a step failed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-report-'));
    writeFileSync(path.join(dir, 's.yaml'), FAILING);
    const out = path.join(dir, 'report.html');
    const r = await cli('report', path.join(dir, 's.yaml'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL');
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|<iframe|@import|url\((?!#)/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain('report &lt;check&gt; &amp; "escape"');
    expect((await cli('report', path.join(dir, 's.yaml'))).code).toBe(2); // -o is required
  });

  it('a what-if table per whatif answer: a row per change, its columns, the connections it would reset', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-report-'));
    writeFileSync(path.join(dir, 's.yaml'), FAILING);
    const scenario = loadScenarioFile(path.join(dir, 's.yaml'));
    const html = reportHtml({
      scenario,
      result: runScenario(scenario),
      whatif: [
        {
          index: 4,
          line: 30,
          changes: [
            { source: 'hub/app', protocols: ['Tcp'], destinations: ['52.239.0.0/16'], before: { disposition: 'Delivered', reason: 'None' }, after: { disposition: 'ServiceDenied', reason: 'None' } },
            { source: 'hub/app', protocols: ['Udp'], destinations: ['8.8.8.8/32'], before: { disposition: 'ExitsNetwork' }, after: { disposition: 'DeniedOut' } },
          ],
          resetConnections: ['c1'],
        },
        { index: 5, line: 34, changes: [], resetConnections: [] },
      ],
    });
    const table = html.slice(html.indexOf('<h2 id="whatif">'), html.indexOf('<h2 id="counts">'));
    expect(table).toContain('Step 4: what if (line 30): 2 changes');
    expect(table.match(/<tr>/g)).toHaveLength(3);
    expect(table).toContain('<th>before</th><th>after</th>');
    expect(table).toContain('<td>disposition: Delivered</td><td>disposition: ServiceDenied</td>');
    expect(table).toContain('Connections it would reset: c1');
    expect(table).toContain('Step 5: what if (line 34): 0 changes');
    expect(reportHtml({ scenario, result: runScenario(scenario) })).not.toContain('id="whatif"');
  });

  it('a scenario with whatif steps: its answer as a table (scenarios/whatif/whatif-enable-storage-on-forced-tunnel.yaml)', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'vnetsim-report-')), 'report.html');
    const file = fileURLToPath(new URL('../../../../scenarios/whatif/whatif-enable-storage-on-forced-tunnel.yaml', import.meta.url));
    expect((await cli('report', file, '-o', out)).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const section = html.slice(html.indexOf('<h2 id="whatif">'), html.indexOf('<h2 id="counts">'));
    const whatif = JSON.parse((await cli('whatif', file, '--change', 'enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }', '--json')).out) as { changes: unknown[] };
    expect(section).toMatch(/what if \(line \d+\): \d+ changes?/);
    // One row per change, as many as `vnetsim whatif` finds for the same question (the step asks exactly that).
    expect(section.match(/<tr>/g)!.length - 1).toBe(whatif.changes.length);
    expect(section).toContain('ServiceDenied');
  });

  it.skipIf(!present)(`renders in headless Chromium without console errors or requests outside file:// (needs ${CHROMIUM}; .ci/run installs Debian's chromium)`, async () => {
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-report-'));
    writeFileSync(path.join(dir, 's.yaml'), FAILING);
    const out = path.join(dir, 'report.html');
    expect((await cli('report', path.join(dir, 's.yaml'), '-o', out)).code).toBe(1);

    const profile = mkdtempSync(path.join(tmpdir(), 'vnetsim-chromium-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const problems: string[] = [];
      const outside: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (q) => problems.push(`requestfailed: ${q.url()}`));
      page.on('request', (q) => {
        if (!q.url().startsWith('file://')) outside.push(q.url());
      });
      const resp = await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
      expect(resp === null || resp.ok()).toBe(true);

      expect(await page.title()).toBe('vnetsim report: report <check> & "escape"');
      expect(await page.locator('h1 .verdict').innerText()).toBe('FAIL');
      // Every step is a row; the two failing ones are marked and have their section with a trace.
      expect(await page.locator('table.steps tbody tr').count()).toBe(4);
      expect(await page.locator('table.steps tbody tr.failed').count()).toBe(2);
      expect(await page.locator('section.failure').count()).toBe(2);
      const firstFailure = await page.locator('#failure-1').innerText();
      expect(firstFailure).toContain('disposition: expected Delivered, got DeniedOut');
      expect(firstFailure).toMatch(/outbound subnet NSG lock: (securityRules\/)?deny-web/);
      // The network picture and the trace picture are SVG the browser laid out with a real size.
      const svgs = page.locator('div.picture > svg');
      expect(await svgs.count()).toBe(2);
      const box = await svgs.first().boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
      expect(await page.locator('svg g.node[data-id="vm_vm1"]').count()).toBe(1);
      expect(await page.locator('svg g.node.service').count()).toBeGreaterThanOrEqual(1);
      // Counters: the run's flows and dispositions.
      const counts = await page.locator('table.counts').first().innerText();
      const run = JSON.parse((await cli('run', path.join(dir, 's.yaml'), '--json')).out) as { scenarios: Array<{ counters: { dispositions: Record<string, number> } }> };
      const want = Object.entries(run.scenarios[0]!.counters.dispositions).filter(([, n]) => n > 0);
      expect(want.map(([d]) => d).sort()).toEqual(['Delivered', 'DeniedOut']);
      for (const [d, n] of want) expect(counts).toMatch(new RegExp(`${d}\\s+${n.toLocaleString('en-US')}`));

      const shot = path.join(tmpdir(), `vnetsim-report-${process.pid}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      expect(statSync(shot).size).toBeGreaterThan(1000);
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);

      expect(problems).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
