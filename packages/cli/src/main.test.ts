import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetworkRouting } from '@vnetsim/core';
import { ScenarioError, StepError } from '@vnetsim/scenario';
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
const BIN = path.join(fileURLToPath(new URL('../../..', import.meta.url)), 'packages/cli/dist/main.js');
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
    expect(r.err).toMatch(/unknown option --bogus/);
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

  it.skipIf(!existsSync(BIN))(`the built bin runs, executable with a shebang (reads ${BIN}; absent: run pnpm build)`, () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
    expect(spawnSync(BIN, ['--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bin = BIN;
    const r = spawnSync(process.execPath, [bin, 'nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "nope"/);
    expect(spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).status).toBe(0);
  });
});

describe('vnetsim: arguments a new user tries', () => {
  it('--version prints the package version; global flags may come before the command', async () => {
    const v = await cli('--version');
    expect(v.code).toBe(0);
    expect(v.out).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    const { good } = files();
    const r = await cli('--json', '--log-level', 'silent', 'run', good);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).passed).toBe(true);
  });

  it('an unknown option or command gets a did-you-mean', async () => {
    const { good } = files();
    const r = await cli('run', good, '--jsn');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option --jsn; did you mean --json\?/);
    expect((await cli('routes', good, '--subnt', 'hub/app')).err).toMatch(/did you mean --subnet\?/);
    expect((await cli('rn', good)).err).toMatch(/unknown command "rn" \(did you mean run\?\)/);
  });

  it('routes --vm shows the routes of the VM\'s subnet; neither or both of --vm/--subnet is a usage error', async () => {
    const { good } = files();
    const r = await cli('routes', good, '--vm', 'vm1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Effective routes of hub\/app/);
    expect((await cli('routes', good)).code).toBe(2);
    expect((await cli('routes', good, '--vm', 'vm1', '--subnet', 'hub/app')).code).toBe(2);
    expect((await cli('routes', good, '--vm', 'nope')).err).toMatch(/--vm nope: no such VM/);
  });

  it('every --help example names files that exist', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const { COMMANDS } = await import('./main.js');
    for (const c of COMMANDS)
      for (const ex of c.examples)
        // Inputs only: what follows --pcap(ng), --(vnet-)flow-log or > is written; NETWORK.yaml / TEMPLATE.json-style names are placeholders.
        for (const [, f] of ex.replace(/(--pcapng|--pcap|--vnet-flow-log|--flow-log|>)\s+\S+/g, '').matchAll(/(\S+\.(?:yaml|json))\b/g))
          if (!/^[A-Z]+\.(?:json|yaml)$/.test(f!) && !f!.startsWith('../shared/')) expect(existsSync(path.join(root, f!)), `${c.name}: ${f}`).toBe(true);
  });
});

describe('vnetsim run: what exits 2 and what exits 3', () => {
  it('an output path that cannot be written is a usage error before anything runs (exit 2)', async () => {
    const { good } = files();
    const p = await cli('run', good, '--pcap', '/nonexistent/x.pcap');
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/--pcap \/nonexistent\/x\.pcap: cannot write there \(no directory \/nonexistent\)/);
    expect(p.out).toBe('');
    const f = await cli('run', good, '--flow-log', tmpdir());
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/--flow-log .*: is a directory/);
  });

  it('run DIR with one invalid file among valid ones runs the valid ones, reports the invalid one, exits 2', async () => {
    const { dir } = files(); // good.yaml and bad.yaml
    writeFileSync(path.join(dir, 'good2.yaml'), GOOD.replace('name: tiny', 'name: tiny2'));
    const r = await cli('run', dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/PASS\s+tiny\b/);
    expect(r.out).toMatch(/PASS\s+tiny2\b/);
    expect(r.out).toMatch(/2 of 2 scenarios passed; 1 invalid file not run/);
    expect(r.err).toMatch(/bad\.yaml:\d+:\d+ .*nextHopTyp/);
    const j = await cli('run', dir, '--json');
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out).invalid.map((x: { file: string }) => path.basename(x.file))).toEqual(['bad.yaml']);
  });

  it('an unexpected exception in a step is a bug: exit 3, a short message and a pointer to --log-level debug', async () => {
    const { good } = files();
    const proto = NetworkRouting.prototype;
    const nextHop = proto.nextHop;
    proto.nextHop = () => {
      throw new TypeError('boom');
    };
    try {
      const r = await cli('run', good);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/internal error \(a bug in vnetsim\): .*good\.yaml: step 0 \(line \d+\): boom/);
      expect(r.err).toMatch(/--log-level debug/);
      expect(r.err).not.toMatch(/at .*\.ts:\d+/);
      const d = await cli('run', good, '--log-level', 'debug');
      expect(d.code).toBe(3);
      expect(d.err).toMatch(/TypeError: boom\n\s+at /);
      // A StepError is the step's failure (exit 1), not a bug.
      proto.nextHop = () => {
        throw new StepError('no such place');
      };
      const f = await cli('run', good);
      expect(f.code).toBe(1);
      expect(f.out).toMatch(/step failed to run: no such place/);
    } finally {
      proto.nextHop = nextHop;
    }
  });
});

describe('vnetsim run: captures and flow logs', () => {
  it('--pcapng, --vnet-flow-log, --flow-log, --snaplen and --capture-start write files from the given instant; bad values exit 2', async () => {
    const { dir, good } = files();
    const ng = path.join(dir, 'run.pcapng'), v = path.join(dir, 'v.json'), n = path.join(dir, 'n.json');
    const r = await cli('run', good, '--pcapng', ng, '--vnet-flow-log', v, '--flow-log', n, '--snaplen', '96', '--capture-start', '2026-03-01T12:00:00Z');
    expect(r.code).toBe(0);
    for (const f of [ng, v, n]) expect(existsSync(f), f).toBe(true);
    for (const [args, msg] of [
      [['--snaplen', '20'], /--snaplen 20: expected an integer from 60 to 262144/],
      [['--capture-start', 'yesterday'], /--capture-start yesterday: expected an ISO 8601 instant/],
      [['--pcap', path.join(dir, 'a.pcap'), '--pcapng', ng], /--pcap and --pcapng: give one capture file/],
    ] as const) {
      const bad = await cli('run', good, ...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.err).toMatch(msg);
    }
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
