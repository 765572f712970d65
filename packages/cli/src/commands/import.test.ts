// `vnetsim import` as a user runs it: exit statuses, the report on stderr and in --json, the Bicep hint, --addresses,
// --then-run and the default steps (the importers themselves are tested in @vnetsim/azure).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, runScenario } from '@vnetsim/scenario';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../../../azure/fixtures/import/hub-spoke');
const rid = (t: string, ...n: string[]) => {
  const [ns, ...types] = t.split('/');
  return `/subscriptions/s1/resourceGroups/rg/providers/${ns}/${types.map((x, i) => `${x}/${n[i]}`).join('/')}`;
};
const tfRes = (address: string, type: string, values: Record<string, unknown>) => ({ address, mode: 'managed', type, name: address.split('.').pop(), values });

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vnetsim import (CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-import-'));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('exit 0 and a scenario with default steps that pass; --then-run runs them', async () => {
    const r = await cli('import', path.join(FIXTURES, 'az'), '--addresses', path.join(FIXTURES, 'addresses.yaml'), '--then-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/connect app-vm -> sth6nmuleri57zw Tcp\/443: Delivered, the service sees 10\.1\.1\.4/);
    expect(r.out).toMatch(/PASS {2}az: 15 steps/);
    const y = await cli('import', path.join(FIXTURES, 'terraform-state.json'), '--addresses', path.join(FIXTURES, 'addresses.yaml'));
    const s = parseScenario(y.out, 'imported.yaml');
    expect(s.steps.length).toBe(15);
    expect(runScenario(s).passed).toBe(true);
    expect(s.steps.find((st) => st.kind === 'connect')!.expect).toMatchObject({ disposition: 'Delivered' });
  });

  it('exit 1 with the report when a relevant resource is skipped; --partial accepts it; --json lists skipped resources', async () => {
    const f = write('tf.json', JSON.stringify({ format_version: '1.0', values: { root_module: { resources: [
      tfRes('azurerm_virtual_network.v', 'azurerm_virtual_network', { id: rid('Microsoft.Network/virtualNetworks', 'v'), name: 'v', location: 'westeurope', address_space: ['10.0.0.0/16'] }),
      tfRes('azurerm_firewall.fw', 'azurerm_firewall', { id: rid('Microsoft.Network/azureFirewalls', 'fw'), name: 'fw' }),
    ] } } }));
    const r = await cli('import', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/skipped: azurerm_firewall .*azureFirewalls\/fw .*not modelled/);
    expect((await cli('import', f, '--partial')).code).toBe(0);
    const j = await cli('import', f, '--json');
    const doc = JSON.parse(j.out) as { report: { skipped: Array<{ id: string; reason: string }> }; exitStatus: number };
    expect(doc.exitStatus).toBe(1);
    expect(doc.report.skipped).toEqual([expect.objectContaining({ id: rid('Microsoft.Network/azureFirewalls', 'fw'), reason: expect.stringMatching(/not modelled/) })]);
  });

  it('exit 2: a .bicep file (with the command to compile it), no known format, nothing imported', async () => {
    const b = await cli('import', write('main.bicep', "param location string = resourceGroup().location\nresource v 'Microsoft.Network/virtualNetworks@2023-09-01' = {}\n"));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/compile it first: `az bicep build --file .*main\.bicep`/);
    const b2 = await cli('import', write('main.txt', "param location string\nresource v 'x@1' = {}\n"));
    expect(b2.err).toMatch(/az bicep build/);
    const u = await cli('import', write('u.json', '{"hello": 1}'));
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/not an ARM template.*not `terraform show -json` output.*not az CLI output/);
    const n = await cli('import', write('disks.json', JSON.stringify([{ id: rid('Microsoft.Compute/disks', 'd'), type: 'Microsoft.Compute/disks', name: 'd' }])));
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/nothing of a network imported/);
    const forced = await cli('import', path.join(FIXTURES, 'terraform-state.json'), '--from', 'az');
    expect(forced.code).toBe(2);
  });

  it('--addresses: a bad address is an error with the name', async () => {
    const f = write('a.yaml', 'stx: not-an-ip\n');
    const r = await cli('import', path.join(FIXTURES, 'terraform-state.json'), '--addresses', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stx: expected an IP address/);
  });
});
