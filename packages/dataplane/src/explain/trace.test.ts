// The explaining code reads the same compiled data as the fast path (STYLE.md 6): a packet traced alone gives what
// the same packet got inside a big mixed batch.
import { describe, expect, it } from 'vitest';
import type { Network } from '../network.js';
import type { PacketBatch } from '../packet/batch.js';
import { FlowHit } from '../stages/flow-lookup.js';
import { tracePacket } from '@vnetsim/scenario';
import { MIXED_CASES, networkOf, pushMixed, send, WORLD } from '../testing/fixtures.js';
import { outcomeOf, renderStep, type PacketOutcome, type TraceStepData } from './trace.js';

/** Row i of `from` alone in a fresh one-row batch of `net`. */
function alone(net: Network, from: PacketBatch, i: number): PacketBatch {
  const one = net.newBatch(1);
  one.pushRow(from, i);
  one.resetResults();
  return one;
}

/** The parts of an outcome the fast path decides (the flow id differs between networks). */
function decided(o: PacketOutcome): Omit<PacketOutcome, 'flowId'> {
  return {
    disposition: o.disposition, reason: o.reason, rule: o.rule, nextHopType: o.nextHopType, nextHopIp: o.nextHopIp,
    routeTable: o.routeTable, sourceSeen: o.sourceSeen, sourceSeenByService: o.sourceSeenByService, sourceSeenByDestination: o.sourceSeenByDestination,
    serviceError: o.serviceError, service: o.service, deliveredTo: o.deliveredTo,
  };
}

describe('trace agrees with the fast path', () => {
  it('every packet of a mixed batch: alone (dry run for first packets, then for real) it gets what it got in the batch', () => {
    const a = networkOf(WORLD, { snatPortsPerIp: 8 });
    const b = networkOf(WORLD, { snatPortsPerIp: 8 });
    const big = a.newBatch();
    pushMixed(a, big, 6);
    a.process(big);
    const inBatch = Array.from({ length: big.count }, (_, i) => ({ o: outcomeOf(a.tables, a.scratch, big, i), hit: a.scratch.flowHit[i]! }));
    let firsts = 0;
    for (let i = 0; i < big.count; i++) {
      const want = inBatch[i]!;
      if (want.hit === FlowHit.New) {
        // The first packet of a flow: a dry run (what `vnetsim trace` does) sees the same state the batch saw.
        firsts++;
        const dry = alone(b, big, i);
        b.process(dry, true);
        expect(decided(outcomeOf(b.tables, b.scratch, dry, 0)), `row ${i} dry run`).toEqual(decided(want.o));
      }
      const sizeBefore = b.flows.size;
      const one = alone(b, big, i);
      b.process(one);
      const got = outcomeOf(b.tables, b.scratch, one, 0);
      // Every packet: the same verdict, route, source and service answer. (Later packets of a flow that entered from
      // on-premises or the Internet have no route record: only first packets are compared on next hop and rule.)
      expect([got.disposition, got.reason, one.routeIndex[0], got.sourceSeen, got.service, got.serviceError], `row ${i}`).toEqual([
        want.o.disposition, want.o.reason, big.routeIndex[i], want.o.sourceSeen, want.o.service, want.o.serviceError,
      ]);
      if (want.hit === FlowHit.New) expect(decided(got), `row ${i} first packet`).toEqual(decided(want.o));
      expect(b.flows.size - sizeBefore).toBe(want.hit === FlowHit.New ? 1 : 0);
    }
    expect(firsts).toBe(MIXED_CASES.length * 6);
    expect(Array.from(b.counters.byDisposition)).toEqual(Array.from(a.counters.byDisposition));
    expect(a.counters.dispositions()).toHaveProperty('SnatExhausted');
  });

  it('tracePacket (a dry run on the network) gives the first packet\'s outcome and leaves flows and ports alone', () => {
    const net = networkOf(WORLD);
    for (const [from, to, args] of MIXED_CASES) {
      const proto = args.proto ?? 'Tcp';
      const flowsBefore = net.flows.size;
      const used = Array.from(net.snat.used);
      const counted = Array.from(net.counters.byDisposition);
      const t = tracePacket(net, from, to, proto, args.port, 50000);
      expect([net.flows.size, Array.from(net.snat.used), Array.from(net.counters.byDisposition)]).toEqual([flowsBefore, used, counted]);
      expect(net.dryRunCounters.packetsIn).toBe(1);
      expect(t.steps[0]!.stage).toBe('ingress');
      expect(t.steps.at(-1)!.stage).toBe('delivery');
      // The same packet for real.
      const real = send(net, from, to, { ...args, sourcePort: 50000 });
      expect(decided(real.outcome), `${from} -> ${to}`).toEqual(decided(t));
    }
  });

  it('a trace lists NSG rule with priority, route with source and next hop, translation and service rule, in order', () => {
    const net = networkOf(WORLD);
    const t = tracePacket(net, 'vm3', 'st-we', 'Tcp', 443);
    expect(t.disposition).toBe('ServiceDenied');
    expect(t.steps.map((s) => s.stage)).toEqual(['ingress', 'route', 'translation', 'service', 'delivery']);
    expect(t.steps[1]!.route).toMatchObject({ prefix: '0.0.0.0/0', source: 'Default', nextHopType: 'Internet', routeTable: 'System Route' });
    expect(t.steps[2]!.text).toMatch(/10\.0\.3\.4 -> 20\.50\.0\.1/);
    expect(t.steps[3]!.text).toMatch(/st-we firewall: defaultAction Deny and no IP rule for 20\.50\.0\.1 -> 403 AuthorizationFailure/);
    const denied = tracePacket(net, 'vm1', 'vm2', 'Tcp', 22);
    const nsg = denied.steps.filter((s) => s.stage === 'nsg');
    expect(nsg.map((s) => [s.nsg, s.rule, s.priority, s.access])).toEqual([
      ['app-nsg', 'defaultSecurityRules/AllowVnetOutBound', 65000, 'Allow'],
      ['data-nsg', 'securityRules/deny-ssh-from-app', 100, 'Deny'],
    ]);
  });

  it('every step is typed by its kind and its text is rendered from its fields alone (renderStep)', () => {
    const net = networkOf(WORLD);
    const kinds = new Set<string>();
    for (const [from, to, args] of MIXED_CASES) {
      const t = tracePacket(net, from, to, args.proto ?? 'Tcp', args.port, 50000);
      for (const step of t.steps) {
        const { text, ...fields } = step;
        expect(renderStep(fields as TraceStepData), `${from} -> ${to}: ${step.stage}`).toBe(text);
        kinds.add(step.stage);
      }
    }
    expect([...kinds].sort()).toEqual(['appliance', 'delivery', 'ingress', 'nsg', 'policy', 'route', 'service', 'translation']);
    // Typed fields, as `--json` prints them.
    const denied = tracePacket(net, 'vm1', 'vm2', 'Tcp', 22);
    expect(denied.steps.find((s) => s.stage === 'nsg' && s.access === 'Deny')).toMatchObject({ direction: 'Inbound', level: 'subnet', nsg: 'data-nsg', priority: 100 });
    expect(denied.steps.at(-1)).toMatchObject({ stage: 'delivery', disposition: 'DeniedIn', reason: 'NsgDenyInbound', to: null });
    const snat = tracePacket(net, 'vm3', 'st-we', 'Tcp', 443).steps.find((s) => s.stage === 'translation');
    expect(snat).toMatchObject({ kind: 'snat', source: '10.0.3.4', sourceSeen: '20.50.0.1' });
  });
});
