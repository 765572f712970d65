import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '@vnetsim/scenario';
import { formatProblem, formatScenarioError } from './format-errors.js';
import { main } from './main.js';
import { renderTable } from './table.js';

const GOOD = `name: tiny
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets: [{ name: app, prefix: 10.0.1.0/24 }]
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
steps:
  - nextHop: { from: vm1, to: 8.8.8.8 }
    expect: { nextHopType: Internet }
`;
const BAD = GOOD.replace('nextHopType: Internet', 'nextHopTyp: Internet');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
function files(): { dir: string; good: string; bad: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-cli-'));
  const good = path.join(dir, 'good.yaml');
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(good, GOOD);
  writeFileSync(bad, BAD);
  return { dir, good, bad };
}

describe('vnetsim CLI', () => {
  it('--help lists every command; COMMAND --help shows examples', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['run', 'validate', 'routes', 'next-hop', 'verify', 'trace', 'effective-nsg', 'bench']) expect(r.out).toContain(`  ${c} `);
    const v = await cli('verify', '--help');
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/Examples:\n  vnetsim verify .* --local 10\.0\.1\.4:50000/);
  });

  it('no command prints usage and exits 2; an unknown command exits 2 without a stack trace', async () => {
    expect((await cli()).code).toBe(2);
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command "frobnicate"/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('an unknown option or a bad value is a usage error (exit 2)', async () => {
    const { good } = files();
    const r = await cli('validate', good, '--bogus');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--bogus'/);
    const d = await cli('verify', good, '--vm', 'vm1', '--direction', 'sideways', '--protocol', 'Tcp', '--local', '10.0.1.4:1', '--remote', '1.2.3.4:443');
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--direction sideways: expected one of Inbound, Outbound/);
    const l = await cli('verify', good, '--vm', 'vm1', '--direction', 'Outbound', '--protocol', 'Tcp', '--local', '10.0.1.4', '--remote', '1.2.3.4:443');
    expect(l.err).toMatch(/--local 10\.0\.1\.4: expected IP:PORT/);
    expect((await cli('next-hop', good, '--from', 'vm9', '--to', '8.8.8.8')).err).toMatch(/--from vm9: no such VM/);
    expect((await cli('validate', good, '--log-level', 'loud')).code).toBe(2);
  });

  it('validate: a good file exits 0', async () => {
    const { good } = files();
    const r = await cli('validate', good);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok       ');
  });

  it('validate: a bad file exits 2 with file:line:col path: message, the source line and a caret', async () => {
    const { bad } = files();
    const r = await cli('validate', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:12:15 steps[0].expect.nextHopTyp: unknown key "nextHopTyp"`);
    expect(r.err).toContain('did you mean nextHopType?');
    expect(r.err).toContain(' 12 |     expect: { nextHopTyp: Internet }\n    |               ^');
  });

  it('validate DIR --json: one document, valid false when a file is invalid', async () => {
    const { dir } = files();
    const r = await cli('validate', dir, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { valid: boolean; files: Array<{ valid: boolean; problems: unknown[] }> };
    expect(doc.valid).toBe(false);
    expect(doc.files.map((f) => f.valid)).toEqual([false, true]);
  });

  it('engine commands load their file first (invalid: exit 2 with the problems), then answer', async () => {
    const { good, bad } = files();
    const invalid = await cli('run', bad);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/nextHopTyp/);
    const r = await cli('routes', good, '--subnet', 'hub/app');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Effective routes of hub\/app/);
    expect(r.out).toMatch(/VnetLocal/);
  });

  it('verify refuses a local address that is not the VM\'s (exit 2, names it); run --json carries sourceSeenByDestination', async () => {
    const { dir, good } = files();
    const bad = await cli('verify', good, '--vm', 'vm1', '--direction', 'Outbound', '--protocol', 'Tcp', '--local', '10.0.1.99:5000', '--remote', '8.8.8.8:443');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/10\.0\.1\.99 is not an address of VM vm1/);
    const file = path.join(dir, 'seen.yaml');
    writeFileSync(file, GOOD.replace(/steps:[\s\S]*$/, 'steps:\n  - send: { from: vm1, to: 8.8.8.8, protocol: Udp, port: 53 }\n'));
    const r = await cli('run', file, '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out).scenarios[0].steps[0].result;
    expect(result.sourceSeenByDestination).toBe(result.sourceSeen);
    expect(result.sourceSeenByDestination).not.toBe('10.0.1.4');
  });

  it('the built bin runs (reads packages/cli/dist/main.js)', () => {
    const bin = path.join(fileURLToPath(new URL('../../..', import.meta.url)), 'packages/cli/dist/main.js');
    if (!existsSync(bin)) {
      console.warn(`absent: ${bin} (run npx tsc -b)`);
      return;
    }
    const r = spawnSync(process.execPath, [bin, 'nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "nope"/);
    expect(spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).status).toBe(0);
  });
});

describe('output helpers', () => {
  it('renderTable aligns columns, numbers right', () => {
    expect(renderTable(['Source', 'Count'], [['Default', '3'], ['User', '12']], { right: [1] })).toBe(
      ['Source   Count', '-------  -----', 'Default      3', 'User        12'].join('\n'),
    );
  });

  it('formatProblem without a line or source prints the head only', () => {
    expect(formatProblem({ file: 'f.yaml', line: 0, column: 0, path: '', message: 'too large' })).toBe('f.yaml: too large');
    const e = new ScenarioError([{ file: 'f.yaml', line: 2, column: 3, path: 'a.b', message: 'bad' }], 'x: 1\n  b: 2\n');
    expect(formatScenarioError(e)).toBe('f.yaml:2:3 a.b: bad\n 2 |   b: 2\n   |   ^');
  });
});
