import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

// The seed's forced-tunnelled subnet, with an open connection to the account before the change.
const NETWORK = `name: forced
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, routeTable: forced }
        - { name: dmz, prefix: 10.0.2.0/24 }
  routeTables:
    - name: forced
      routes:
        - { name: default-fw, prefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIp: 10.0.2.4 }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
    - { name: fw, subnet: hub/dmz, privateIp: 10.0.2.4, ipForwarding: true, appliance: { egress: Internet, publicIp: 51.105.0.9 } }
  services:
    - { name: sa1, type: Microsoft.Storage, region: westeurope, address: 52.239.1.10,
        firewall: { defaultAction: Deny, ipRules: [51.105.0.9] } }
steps:
  - connect: { id: c1, from: vm1, to: sa1, protocol: Tcp, port: 443 }
    expect: { disposition: Delivered }
  - connect: { id: c2, from: vm1, to: 8.8.8.8, protocol: Tcp, port: 443 }
`;
const ENABLE = 'enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function file(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vnetsim-whatif-'));
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('vnetsim whatif', () => {
  it('R-SE-1, R-SE-2, R-SE-3: --json has the contract keys; the reset connection is named; Internet traffic is not listed', async () => {
    const r = await cli('whatif', file('n.yaml', NETWORK), '--change', ENABLE, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, any>;
    expect(Object.keys(j)).toEqual(['changes', 'resetConnections', 'summary']);
    expect(j.resetConnections).toEqual(['c1']);
    for (const k of ['sources', 'classes', 'changedClasses', 'seconds']) expect(typeof j.summary[k]).toBe('number');
    expect(j.summary.sources).toBe(3); // vm1, fw, Internet
    const c = j.changes.find((x: any) => x.destinations.includes('52.239.1.10/32'));
    expect(Object.keys(c)).toEqual(expect.arrayContaining(['source', 'sourceSubnet', 'protocols', 'ports', 'destinations', 'tags', 'before', 'after']));
    expect(c).toMatchObject({ source: 'vm1', sourceSubnet: 'hub/app', ports: '0-65535' });
    expect(c.before).toMatchObject({ disposition: 'Delivered', nextHopType: 'VirtualAppliance', sourceSeenByDestination: '51.105.0.9' });
    expect(c.after).toMatchObject({ disposition: 'ServiceDenied', nextHopType: 'VirtualNetworkServiceEndpoint', sourceSeenByDestination: '10.0.1.4', serviceError: '403 AuthorizationFailure' });
    // Every change is about Storage addresses of westeurope/northeurope: nothing about 8.8.8.8.
    for (const x of j.changes) for (const d of x.destinations) expect(d).toMatch(/^(52\.239\.|20\.38\.|20\.60\.|2603:1020:20[01]:)/);
  });

  it('prints the plan: ~ lines, the reset, the unchanged count; --format markdown a table', async () => {
    const f = file('n.yaml', NETWORK);
    const r = await cli('whatif', f, '--change', ENABLE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^~ vm1 \(hub\/app\) -> /m);
    expect(r.out).toContain('ServiceDenied (ServiceFirewallDenied) via VirtualNetworkServiceEndpoint, source 10.0.1.4');
    expect(r.out).toContain('the IP rule for 51.105.0.9 no longer matches');
    expect(r.out).toContain('bypasses appliance fw');
    // Destinations named by the tags they equal but for the account's address, carved out as its own change.
    expect(r.out).toContain('-> Storage.NorthEurope, Storage.WestEurope except 52.239.1.10/32 (');
    expect(r.out).toContain('! resets 1 open TCP connection: c1');
    expect(r.out).toMatch(/unchanged: [\d,]+ classes from 3 sources/);
    const m = await cli('whatif', f, '--change', ENABLE, '--format', 'markdown');
    expect(m.out).toMatch(/^### vnetsim whatif: \d+ changes?/);
    expect(m.out).toContain('| source | destinations | traffic | before | after | why |');
    expect(m.out).toContain('**Resets** 1 open TCP connections: `c1`');
  });

  it('--fail-on-change exits 1 when anything changes, 0 when nothing does; --changes FILE and --after FILE ask the same question', async () => {
    const f = file('n.yaml', NETWORK);
    expect((await cli('whatif', f, '--change', ENABLE, '--fail-on-change')).code).toBe(1);
    // Disabling an endpoint that is not there changes nothing.
    const none = await cli('whatif', f, '--change', 'disableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }', '--fail-on-change');
    expect(none.code).toBe(0);
    expect(none.out).toContain('no change');
    const viaFile = await cli('whatif', f, '--changes', file('c.yaml', `- ${ENABLE}\n`), '--json');
    const viaAfter = await cli('whatif', f, '--after', file('a.yaml', NETWORK.replace('routeTable: forced }', 'routeTable: forced, serviceEndpoints: [Microsoft.Storage] }')), '--json');
    const direct = await cli('whatif', f, '--change', ENABLE, '--json');
    const strip = (t: string) => JSON.parse(t).changes;
    expect(strip(viaFile.out)).toEqual(strip(direct.out));
    expect(strip(viaAfter.out)).toEqual(strip(direct.out));
    expect(JSON.parse(viaAfter.out).resetConnections).toEqual(['c1']);
  });

  it('exit 2: an invalid file, a change naming nothing of the network (with line and hint), a refused change, no question', async () => {
    const f = file('n.yaml', NETWORK);
    const bad = await cli('whatif', f, '--change', 'enableServiceEndpoint: { subnet: hub/ap, service: Microsoft.Storage }');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('did you mean hub/app?');
    const kind = await cli('whatif', f, '--change', 'connect: { from: vm1, to: sa1, protocol: Tcp, port: 443 }');
    expect(kind.code).toBe(2);
    expect(kind.err).toContain('expected a control-plane change');
    const refused = await cli('whatif', f, '--change', 'enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Nope }');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('refused');
    expect((await cli('whatif', f)).code).toBe(2);
    expect((await cli('whatif', file('b.yaml', NETWORK.replace('region:', 'regio:')), '--change', ENABLE)).code).toBe(2);
  });
});
