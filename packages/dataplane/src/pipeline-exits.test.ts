// Stage exits are a contract (STYLE.md 4): each stage finishes rows only with the (disposition, reason) pairs it
// declares in STAGES, a finished row is never changed by a later stage, and every declared exit is taken by some
// packet of the scenario library, the fixtures or random batches (so the lists are neither too short nor too long).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { DISPOSITION_NAMES, DROP_REASON_NAMES, RowState } from '@vnetsim/core';
import { DECIDING_STAGES, observeStages, pipelineDiagram, STAGES, type Stage } from './pipeline.js';
import { FlowHit } from './stages/flow-lookup.js';
import { Purpose } from './packet/batch.js';
import { TrafficGenerator } from './packet/generate.js';
import { findScenarioFiles, loadScenarioFile, MissingDataError, resolveSource, resolveTarget, runScenario } from '@vnetsim/scenario';
import { connect, networkOf, pushMixed, pushPacket, WORLD } from './testing/fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const key = (d: number, r: number) => `${DISPOSITION_NAMES[d]}/${DROP_REASON_NAMES[r]}`;
const declared = new Map(STAGES.map((s) => [s.name, new Set(s.exits.map((e) => `${e.disposition}/${e.reason}`))]));
const deciding = new Set(DECIDING_STAGES.flatMap((n) => [...declared.get(n)!]));
const violations: string[] = [];
const taken = new Set<string>();

function check(stage: Stage, b: Parameters<Parameters<typeof observeStages>[0] & object>[1], before: Uint8Array, ctx: Parameters<Parameters<typeof observeStages>[0] & object>[3]): void {
  for (let i = 0; i < b.count; i++) {
    const was = before[i]!, now = b.disposition[i]!;
    if (was === now) continue;
    const where = `${stage.name}, row ${i}: ${was} -> ${now}`;
    if (was !== RowState.Pending && !(was === RowState.Follower && stage.name === 'flow-commit')) {
      violations.push(`${where}: changed a row already finished`);
      continue;
    }
    if (now === RowState.Follower) {
      if (stage.name !== 'flow-lookup') violations.push(`${where}: only flow-lookup marks followers`);
      continue;
    }
    const k = key(now, b.dropReason[i]!);
    const replay = (stage.name === 'flow-lookup' && ctx.scratch.flowHit[i] === FlowHit.Cached) || was === RowState.Follower;
    if (replay) {
      if (stage.replays === null || !deciding.has(k)) violations.push(`${where}: replayed ${k}, not an exit of a deciding stage`);
      taken.add(`${stage.name}:replay`);
    } else if (!declared.get(stage.name)!.has(k)) violations.push(`${where}: ${k} is not among its exits`);
    else taken.add(`${stage.name}:${k}`);
  }
}

beforeAll(() => observeStages(check));
afterAll(() => observeStages(null));

describe('stage exits (STAGES)', () => {
  it('the scenario library, run with every stage checked', () => {
    const files = findScenarioFiles(`${root}scenarios`);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      try {
        runScenario(loadScenarioFile(file));
      } catch (e) {
        if (!(e instanceof MissingDataError)) throw e; // scenarios that need ../shared/data: the fixtures cover the rest
      }
    }
    expect(violations).toEqual([]);
  });

  it('the fixtures: every disposition of WORLD, followers in one batch, recorded flows, resets, disk IO, front ends', () => {
    const net = networkOf(WORLD, { snatPortsPerIp: 4 });
    const b = net.newBatch();
    pushMixed(net, b, 3);
    net.process(b);
    b.clear();
    pushMixed(net, b, 3); // the same flows again: recorded results
    net.process(b);
    connect(net, 'vm1', 'st-open');
    net.enableServiceEndpoint('hub/app', 'Microsoft.Storage');
    b.clear();
    pushPacket(net, b, 'vm1', 'st-open', {}); // FlowReset
    pushPacket(net, b, 'vm1', '52.239.1.200', {}); // a Storage address no resource holds: the front end answers
    pushPacket(net, b, 'vm1', '10.1.0.200', {}); // a VNet address no VM holds
    pushPacket(net, b, '8.8.8.8', '10.0.1.4', {}); // an Internet host to a private address: no route
    const disk = pushPacket(net, b, 'vm1', 'st-open', { sourcePort: 40000 });
    b.purpose[disk] = Purpose.DiskIo;
    net.process(b);
    // A VirtualAppliance route to an address that is no appliance (R-RT-3).
    expect(net.setRoute('sinks', { name: 'via-nothing', prefix: '203.0.113.0/24', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.4.200' }).ok).toBe(true);
    b.clear();
    pushPacket(net, b, 'vm7', '203.0.113.9', {});
    net.process(b);
    expect(violations).toEqual([]);
  });

  it('random batches over WORLD (every VM to every target, TCP and UDP)', () => {
    const net = networkOf(WORLD, { snatPortsPerIp: 64 });
    const names = net.tables.vmNames;
    const targets = [...names, 'st-we', 'st-open', 'sql-we', '8.8.8.8', '192.0.2.1', '198.51.100.1', '10.0.9.9'];
    let seed = 1;
    const b = net.newBatch(512);
    for (const from of names) {
      const src = resolveSource(net, from, true);
      for (const to of targets) {
        const gen = new TrafficGenerator({
          seed: seed++, flows: 40, packetsPerFlow: 3, protocol: { tcp: 2, udp: 1 }, dstPorts: [22, 53, 80, 443, 1433, 5000],
          sources: src.addrs.map((a) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`),
          ingress: src.ingress, destinations: resolveTarget(net, to).prefixes,
        });
        while (gen.fill(b) > 0) net.process(b);
      }
    }
    expect(violations).toEqual([]);
  });

  it('every declared exit is taken by some packet above (no exit is declared that the code never takes)', () => {
    const expected = STAGES.flatMap((s) => [...s.exits.map((e) => `${s.name}:${e.disposition}/${e.reason}`), ...(s.replays === null ? [] : [`${s.name}:replay`])]);
    expect(expected.filter((e) => !taken.has(e))).toEqual([]);
  });

  it('the README shows the diagram generated from STAGES', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(readme).toContain('```\n' + pipelineDiagram() + '\n```');
  });
});
