// run --junit and --format tap, read back by a strict XML parser (saxes) and checked for structure and counts on a
// passing and a failing scenario.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { junitXml } from './junit.js';
import { findAll, parseXml, allText } from './xml-tree.test-helper.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const QUICKSTART = path.join(ROOT, 'scenarios/quickstart.yaml');

// Two passing steps and two failing ones; names and values carry characters XML must escape.
const FAILING = `name: 'fails <&> "quoted" ]]> end'
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets: [{ name: app, prefix: 10.0.1.0/24, nsg: lock }]
  nsgs:
    - name: lock
      rules:
        - { name: deny-web, priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: '*', destination: Internet, destinationPorts: 443 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
steps:
  - nextHop: { from: vm1, to: 8.8.8.8 }
    expect: { nextHopType: Internet }
  - connect: { from: vm1, to: 8.8.8.8, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered }
  - connect: { from: vm1, to: 8.8.8.8, protocol: Tcp, port: 443 }
    expect: { disposition: DeniedOut, rule: securityRules/deny-web }
  - nextHop: { from: vm1, to: 8.8.8.8 }
    expect: { nextHopType: VirtualAppliance }
`;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: () => {} });
  return { code, out: out.join('\n') };
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'vnetsim-junit-'));
}

describe('run --junit', () => {
  it('a passing scenario: one testsuite, one testcase per step, no failures', async () => {
    const file = path.join(tmp(), 'junit.xml');
    const r = await cli('run', QUICKSTART, '--junit', file);
    expect(r.code).toBe(0);
    const doc = parseXml(readFileSync(file, 'utf8'));
    expect(doc.name).toBe('testsuites');
    const suites = findAll(doc, 'testsuite');
    expect(suites).toHaveLength(1);
    expect(suites[0]!.attrs['name']).toBe('quickstart');
    const cases = findAll(suites[0]!, 'testcase');
    expect(cases.length).toBeGreaterThan(3);
    expect(suites[0]!.attrs['tests']).toBe(String(cases.length));
    expect(suites[0]!.attrs['failures']).toBe('0');
    expect(findAll(doc, 'failure')).toHaveLength(0);
    expect(cases.every((c) => /^step \d+: \w+ \(line \d+\)$/.test(c.attrs['name']!))).toBe(true);
  });

  it('a failing scenario: failures with expected and found values and the trace, counts agree, text escaped', async () => {
    const dir = tmp();
    const scenario = path.join(dir, 'failing.yaml');
    writeFileSync(scenario, FAILING);
    const file = path.join(dir, 'junit.xml');
    const r = await cli('run', scenario, QUICKSTART, '--junit', file);
    expect(r.code).toBe(1);
    const doc = parseXml(readFileSync(file, 'utf8'));
    const suites = findAll(doc, 'testsuite');
    expect(suites.map((s) => s.attrs['name'])).toEqual(['fails <&> "quoted" ]]> end', 'quickstart']);
    const bad = suites[0]!;
    expect(findAll(bad, 'testcase')).toHaveLength(4);
    expect(bad.attrs['failures']).toBe('2');
    const failures = findAll(bad, 'failure');
    expect(failures).toHaveLength(2);
    expect(doc.attrs['failures']).toBe('2');
    expect(Number(doc.attrs['tests'])).toBe(4 + findAll(suites[1]!, 'testcase').length);
    // The connect step that was denied: expected, found and the trace naming the rule.
    const connect = allText(failures[0]!);
    expect(failures[0]!.attrs['message']).toBe('disposition: expected Delivered, got DeniedOut');
    expect(connect).toContain('trace of');
    expect(connect).toMatch(/nsg\s+outbound subnet NSG lock: (securityRules\/)?deny-web/);
    expect(allText(failures[1]!)).toContain('nextHopType: expected VirtualAppliance, got Internet');
  });

  it('a --junit path that cannot be written is a usage error before the run (exit 2)', async () => {
    expect((await cli('run', QUICKSTART, '--junit', '/nonexistent/dir/junit.xml')).code).toBe(2);
    expect((await cli('run', QUICKSTART, '--junit', tmpdir())).code).toBe(2);
  });

  it('characters XML cannot carry do not break the document', () => {
    const xml = junitXml([
      {
        name: 'ctl \u0001 & <x>',
        file: 'a"b.yaml',
        passed: false,
        steps: [{ index: 0, kind: 'send', line: 3, passed: false, result: { s: '\u0000]]>' }, failures: ["x: expected 'a', got \"b\"\u001b"] }],
        counters: { packetsIn: 0, dispositions: {}, dropReasons: {}, flows: { created: 0, open: 0, evictions: 0, resets: 0 }, snatPortsTaken: 0 },
      },
    ]);
    const doc = parseXml(xml);
    expect(findAll(doc, 'testsuite')[0]!.attrs['file']).toBe('a"b.yaml');
    expect(findAll(doc, 'failure')[0]!.attrs['message']).toBe("x: expected 'a', got \"b\"\uFFFD");
  });
});

describe('run --format tap', () => {
  it('TAP 14: a plan, one point per step, failures as not ok with a YAML block', async () => {
    const dir = tmp();
    const scenario = path.join(dir, 'failing.yaml');
    writeFileSync(scenario, FAILING);
    const r = await cli('run', scenario, '--format', 'tap');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('TAP version 14');
    expect(lines[1]).toBe('1..4');
    const points = lines.filter((l) => /^(not )?ok \d+ /.test(l));
    expect(points.map((l) => l.startsWith('ok'))).toEqual([true, false, true, false]);
    expect(points.map((l) => Number(/ok (\d+)/.exec(l)![1]))).toEqual([1, 2, 3, 4]);
    expect(r.out).toContain('  message: "disposition: expected Delivered, got DeniedOut"');
    expect(lines.filter((l) => l === '  ---')).toHaveLength(2);
    expect(lines.filter((l) => l === '  ...')).toHaveLength(2);
  });

  it('--format tap with --json is a usage error', async () => {
    expect((await cli('run', QUICKSTART, '--format', 'tap', '--json')).code).toBe(2);
    expect((await cli('run', QUICKSTART, '--format', 'xml')).code).toBe(2);
  });
});
