// One handler per step kind (SCENARIOS.md "Steps"): a table the runner looks up, checked by the compiler to cover
// every kind. A handler runs its step against the run's context, checks the step's expectations, and returns the
// step's result (and the trace of its packet, shown when an expectation failed).
import { Purpose, TcpFlag, Proto, type Trace } from '@vnetsim/dataplane';
import { defaultPort, NsgError, PROTOCOLS } from '@vnetsim/core';
import type { Step, StepKind } from '../load/scenario-schema.js';
import { packetEnds, pushPacket } from '../drive/packet.js';
import { resolveTarget } from '../drive/resolve.js';
import { StepError } from '../step-error.js';
import { headerBytes, type RunContext } from './context.js';
import { checkPacket, checkRows, expectEq } from './expectations.js';
import { checkWhatIf } from './whatif.js';

export interface StepOutput {
  result: Record<string, unknown>;
  trace?: Trace;
}

/** The step type of a kind (two kinds share one type, e.g. addIpRule and removeIpRule). */
type StepOf<K extends StepKind> = Step extends infer S ? (S extends { kind: infer U } ? (K extends U ? S : never) : never) : never;
type Handler<K extends StepKind> = (ctx: RunContext, step: StepOf<K>, failures: string[]) => StepOutput;

/** Control-plane changes: the Network method each calls, then one check of the change. */
const change =
  <K extends StepKind>(apply: (ctx: RunContext, step: StepOf<K>) => ReturnType<RunContext['net']['setRule']>): Handler<K> =>
  (ctx, step, failures) => ({ result: ctx.change(apply(ctx, step), step.expect, failures) });

export const STEP_HANDLERS: { readonly [K in StepKind]: Handler<K> } = {
  connect(ctx, step, failures) {
    const { outcome, trace, conn } = ctx.connect(step.from, step.to, step.protocol, step.port, step.sourcePort, step.disk === true);
    if (step.id !== undefined) ctx.connections.set(step.id, conn);
    checkPacket(step.expect, outcome, failures);
    return { result: { ...outcome, connection: step.id ?? null }, trace };
  },

  send(ctx, step, failures) {
    const b = ctx.small;
    b.clear();
    if (step.flow !== undefined) {
      const conn = ctx.connections.get(step.flow);
      if (conn === undefined) throw new StepError(`no connection "${step.flow}"`);
      pushPacket(b, conn.ends, false, conn.srcPort, conn.dstPort, conn.proto, conn.proto === Proto.Tcp ? TcpFlag.PSH | TcpFlag.ACK : 0, 540, ctx.tick());
    } else {
      const ends = packetEnds(ctx.net, step.from, step.to);
      const proto = PROTOCOLS[step.protocol].number;
      const row = pushPacket(b, ends, false, step.sourcePort ?? ctx.port(), step.port ?? defaultPort(proto), proto, proto === Proto.Tcp ? TcpFlag.SYN : 0, headerBytes(ends, proto, 60), ctx.tick());
      if (step.disk === true) b.purpose[row] = Purpose.DiskIo; // R-SE-8
    }
    const { outcome, trace } = ctx.process(b, 0);
    checkPacket(step.expect, outcome, failures);
    return { result: { ...outcome }, trace };
  },

  traffic: (ctx, step, failures) => ({ result: ctx.traffic(step, failures) }),

  enableServiceEndpoint: change((ctx, s) => ctx.net.enableServiceEndpoint(s.subnet, s.service, s.as, s.locations)),
  disableServiceEndpoint: change((ctx, s) => ctx.net.disableServiceEndpoint(s.subnet, s.service, s.as)),
  addVirtualNetworkRule: change((ctx, s) => ctx.net.addVirtualNetworkRule(s.service, s.subnet, s.as)),
  removeVirtualNetworkRule: change((ctx, s) => ctx.net.removeVirtualNetworkRule(s.service, s.subnet, s.as)),
  addIpRule: change((ctx, s) => ctx.net.addIpRule(s.service, s.ip, s.as)),
  removeIpRule: change((ctx, s) => ctx.net.removeIpRule(s.service, s.ip, s.as)),
  setRule: change((ctx, s) => ctx.net.setRule(s.nsg, s.rule, s.as)),
  removeRule: change((ctx, s) => ctx.net.removeRule(s.nsg, s.name, s.as)),
  setRoute: change((ctx, s) => ctx.net.setRoute(s.routeTable, s.route, s.as)),
  removeRoute: change((ctx, s) => ctx.net.removeRoute(s.routeTable, s.name, s.as)),

  effectiveRoutes(ctx, step, failures) {
    const net = ctx.net;
    const subnet = step.subnet ?? net.spec.vms.find((v) => v.name === step.vm)!.subnet;
    const rows = net.routing.effectiveRoutesOf(subnet).map((r) => ({
      prefix: r.addressPrefixes.join(','),
      source: r.source,
      state: r.state,
      nextHopType: r.nextHopType,
      nextHopIp: r.nextHopIpAddress.join(','),
      name: r.name ?? '',
      routeTable: r.routeTable ?? '',
    }));
    checkRows(step.expect, rows, failures);
    return { result: { subnet, routes: rows } };
  },

  effectiveSecurityRules(ctx, step, failures) {
    // Row keys are those of the expect schema's rule rows; `prefix` matches any expanded source or destination prefix.
    const rows = ctx.net.nsgs.effectiveSecurityRules(step.vm).flatMap((lvl) =>
      lvl.rules.map((r) => ({
        level: lvl.level,
        nsg: lvl.nsg,
        name: r.name,
        priority: r.priority,
        direction: r.direction,
        access: r.access,
        protocol: r.protocol,
        source: r.sourceText,
        destination: r.destinationText,
        sourcePorts: r.sourcePortRanges.join(','),
        destinationPorts: r.destinationPortRanges.join(','),
        prefix: [...r.sourceAddressPrefixes, ...r.destinationAddressPrefixes].join(','),
        sourcePrefix: r.sourceAddressPrefixes.join(','),
        destinationPrefix: r.destinationAddressPrefixes.join(','),
      })),
    );
    checkRows(step.expect, rows, failures);
    return { result: { vm: step.vm, rules: rows } };
  },

  nextHop(ctx, step, failures) {
    const e = step.expect;
    const r = ctx.net.routing.nextHop(step.from, resolveTarget(ctx.net, step.to).address);
    const result = { nextHopType: r.nextHopType, nextHopIp: r.nextHopIpAddress, routeTable: r.routeTableId };
    expectEq(failures, 'nextHopType', e.nextHopType, result.nextHopType);
    expectEq(failures, 'nextHopIp', e.nextHopIp, result.nextHopIp);
    expectEq(failures, 'routeTable', e.routeTable, result.routeTable);
    return { result };
  },

  ipFlowVerify(ctx, step, failures) {
    const e = step.expect;
    let r: ReturnType<RunContext['net']['nsgs']['ipFlowVerify']>;
    try {
      r = ctx.net.nsgs.ipFlowVerify(step.vm, step.direction, step.protocol, step.local, step.remote);
    } catch (err) {
      // Azure answers a question about addresses the VM does not have with InvalidRequest; a step may expect it.
      if (!(err instanceof NsgError)) throw err;
      const error = { code: 'InvalidRequest', message: err.message };
      if (e.error === undefined) failures.push(`the question was refused: ${error.code}: ${error.message}`);
      else if (e.error !== error.code) failures.push(`error: expected ${e.error}, got ${error.code} (${error.message})`);
      if (e.access !== undefined || e.rule !== undefined) failures.push('access/rule: expected an answer, but the question was refused');
      return { result: { error } };
    }
    if (e.error !== undefined) failures.push(`error: expected ${e.error}, but the question was answered (${r.access})`);
    expectEq(failures, 'access', step.expect.access, r.access);
    expectEq(failures, 'rule', step.expect.rule, r.ruleName);
    return { result: { access: r.access, rule: r.ruleName, nsg: r.nsg, evaluated: r.evaluated } };
  },

  resolve(ctx, step, failures) {
    const address = ctx.net.resolve(step.hostname);
    expectEq(failures, 'address', step.expect.address, address);
    return { result: { hostname: step.hostname, address } };
  },

  whatif(ctx, step, failures) {
    // The network is asked, not changed: the answer's summary times stay out of the result (determinism).
    const report = ctx.whatIf({ changes: step.changes });
    checkWhatIf(step.expect, report, failures);
    return {
      result: {
        changes: report.changes.length,
        changedClasses: report.summary.changedClasses,
        sources: report.summary.sources,
        classes: report.summary.classes,
        resetConnections: report.resetConnections,
      },
    };
  },

  advanceTime(ctx, step, failures) {
    ctx.clock += step.seconds;
    ctx.cap?.advance(ctx.clock);
    const expired = ctx.net.flows.expire(ctx.clock);
    // Idle expiry closes nothing by RST: no connection is reset by time passing.
    const e = step.expect;
    if (e.resetConnections !== undefined && e.resetConnections.length > 0)
      failures.push(`resetConnections: expected [${e.resetConnections.join(', ')}], got [] (idle expiry is not a reset)`);
    return { result: { seconds: step.seconds, clock: ctx.clock, expiredFlows: expired } };
  },
};

/** Runs one step with its kind's handler. */
export function runStepHandler(ctx: RunContext, step: Step, failures: string[]): StepOutput {
  return (STEP_HANDLERS[step.kind] as Handler<StepKind>)(ctx, step as never, failures);
}
