// Runs a scenario (SCENARIOS.md): builds the Network, plays its steps through the pipeline and the control plane,
// checks every expectation, and explains what differed.
import { defaultPort, DISPOSITION_NAMES, formatIpv4, NsgError, PROTOCOLS, type DispositionName } from '@vnetsim/core';
import type { Logger } from 'pino';
import { Network } from '@vnetsim/dataplane';
import { PacketBatch, Proto, Purpose, TcpFlag } from '@vnetsim/dataplane';
import { TrafficGenerator } from '@vnetsim/dataplane';
import type { PcapWriter } from '@vnetsim/dataplane';
import type { FlowLogWriter } from '@vnetsim/dataplane';
import { flowLogRuleName } from '@vnetsim/dataplane';
import type { Expect, PacketProtocol, Step } from '../load/scenario-schema.js';
import type { Scenario } from '../load/scenario-load.js';
import { outcomeOf, traceOf, type PacketOutcome, type Trace } from '@vnetsim/dataplane';
import { resolveSource, resolveSource6, resolveTarget } from '../drive/resolve.js';
import { packetEnds, pushPacket, type PacketEnds } from '../drive/packet.js';

export interface RunOptions {
  pcap?: PcapWriter;
  flowLog?: FlowLogWriter;
  logger?: Logger;
  /** Called during long traffic steps with packets done and total (the CLI draws progress on a terminal). */
  progress?: (step: number, done: number, total: number) => void;
  /** Called when a traffic step ends: packets and wall-clock seconds (not part of the deterministic result). */
  onTraffic?: (step: number, packets: number, seconds: number) => void;
}

export interface StepResult {
  index: number;
  kind: string;
  line: number;
  passed: boolean;
  result: Record<string, unknown>;
  failures: string[];
  /** The trace of the packet whose outcome differed from the expectation. */
  trace?: Trace;
}

export interface ScenarioResult {
  name: string;
  file: string;
  passed: boolean;
  steps: StepResult[];
  counters: {
    packetsIn: number;
    dispositions: Record<string, number>;
    dropReasons: Record<string, number>;
    flows: { created: number; open: number; evictions: number; resets: number };
    snatPortsTaken: number;
  };
}

interface Connection {
  ends: PacketEnds;
  proto: number;
  srcPort: number;
  dstPort: number;
  flowId: number;
}

const BATCH = 4096;

export function runScenario(s: Scenario, opts: RunOptions = {}): ScenarioResult {
  const net = new Network(s.network, s.serviceTags, s.options, {
    logger: opts.logger,
    snatPortsPerIp: s.options.snatPortsPerIp,
    flowCapacity: 1 << 17,
    batchCapacity: BATCH,
  });
  const ctx = new RunContext(net, opts);
  const steps = s.steps.map((step) => ctx.runStep(step));
  if (opts.flowLog !== undefined) ctx.writeFlowLog(opts.flowLog);
  const c = net.counters;
  return {
    name: s.name,
    file: s.file,
    passed: steps.every((x) => x.passed),
    steps,
    counters: {
      packetsIn: c.packetsIn,
      dispositions: c.dispositions(),
      dropReasons: c.reasons(),
      flows: { created: c.flowsCreated, open: net.flows.size, evictions: net.flows.evictions, resets: net.flows.resets },
      snatPortsTaken: c.snatPortsTaken,
    },
  };
}

class RunContext {
  private clock = 0;
  private nextPort = 49152;
  private readonly connections = new Map<string, Connection>();
  private readonly small: PacketBatch;
  private readonly big: PacketBatch;

  constructor(
    readonly net: Network,
    readonly opts: RunOptions,
  ) {
    this.small = net.newBatch(8);
    this.big = net.newBatch(BATCH);
  }

  runStep(step: Step): StepResult {
    const failures: string[] = [];
    let result: Record<string, unknown> = {};
    let trace: Trace | undefined;
    try {
      const r = this.dispatch(step, failures);
      result = r.result;
      trace = r.trace;
    } catch (e) {
      failures.push(`step failed to run: ${(e as Error).message}`);
    }
    return { index: step.index, kind: step.kind, line: step.line, passed: failures.length === 0, result, failures, ...(failures.length > 0 && trace ? { trace } : {}) };
  }

  private dispatch(step: Step, failures: string[]): { result: Record<string, unknown>; trace?: Trace } {
    const net = this.net;
    const e = step.expect;
    switch (step.kind) {
      case 'connect': {
        const { outcome, trace, conn } = this.connect(step.from, step.to, step.protocol, step.port, step.sourcePort, step.disk === true);
        if (step.id !== undefined) this.connections.set(step.id, conn);
        checkPacket(e, outcome, failures);
        return { result: { ...outcome, connection: step.id ?? null }, trace };
      }
      case 'send': {
        if (step.flow !== undefined) {
          const conn = this.connections.get(step.flow);
          if (conn === undefined) throw new Error(`no connection "${step.flow}"`);
          const b = this.small;
          b.clear();
          pushPacket(b, conn.ends, false, conn.srcPort, conn.dstPort, conn.proto, conn.proto === Proto.Tcp ? TcpFlag.PSH | TcpFlag.ACK : 0, 540, this.tick());
          const { outcome, trace } = this.process(b, 0);
          checkPacket(e, outcome, failures);
          return { result: { ...outcome }, trace };
        }
        const ends = packetEnds(net, step.from, step.to);
        const proto = PROTOCOLS[step.protocol].number;
        const b = this.small;
        b.clear();
        const row = pushPacket(b, ends, false, step.sourcePort ?? this.port(), step.port ?? defaultPort(proto), proto, proto === Proto.Tcp ? TcpFlag.SYN : 0, 60, this.tick());
        if (step.disk === true) b.purpose[row] = Purpose.DiskIo; // R-SE-8
        const { outcome, trace } = this.process(b, 0);
        checkPacket(e, outcome, failures);
        return { result: { ...outcome }, trace };
      }
      case 'traffic':
        return { result: this.traffic(step, failures) };
      case 'enableServiceEndpoint':
      case 'disableServiceEndpoint': {
        const r = step.kind === 'enableServiceEndpoint'
          ? net.enableServiceEndpoint(step.subnet, step.service, step.as, step.locations)
          : net.disableServiceEndpoint(step.subnet, step.service, step.as);
        return { result: this.change(r, e, failures) };
      }
      case 'addVirtualNetworkRule':
      case 'removeVirtualNetworkRule': {
        const r = step.kind === 'addVirtualNetworkRule'
          ? net.addVirtualNetworkRule(step.service, step.subnet, step.as)
          : net.removeVirtualNetworkRule(step.service, step.subnet, step.as);
        return { result: this.change(r, e, failures) };
      }
      case 'addIpRule':
      case 'removeIpRule': {
        const r = step.kind === 'addIpRule' ? net.addIpRule(step.service, step.ip, step.as) : net.removeIpRule(step.service, step.ip, step.as);
        return { result: this.change(r, e, failures) };
      }
      case 'setRule':
        return { result: this.change(net.setRule(step.nsg, step.rule, step.as), e, failures) };
      case 'removeRule':
        return { result: this.change(net.removeRule(step.nsg, step.name, step.as), e, failures) };
      case 'setRoute':
        return { result: this.change(net.setRoute(step.routeTable, step.route, step.as), e, failures) };
      case 'removeRoute':
        return { result: this.change(net.removeRoute(step.routeTable, step.name, step.as), e, failures) };
      case 'effectiveRoutes': {
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
        checkRows(e, rows, failures);
        return { result: { subnet, routes: rows } };
      }
      case 'effectiveSecurityRules': {
        // Row keys are those of the expect schema's rule rows; `prefix` matches any expanded source or destination prefix.
        const rows = net.nsgs.effectiveSecurityRules(step.vm).flatMap((lvl) =>
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
        checkRows(e, rows, failures);
        return { result: { vm: step.vm, rules: rows } };
      }
      case 'nextHop': {
        const r = net.routing.nextHop(step.from, resolveTarget(net, step.to).address);
        const result = { nextHopType: r.nextHopType, nextHopIp: r.nextHopIpAddress, routeTable: r.routeTableId };
        expectEq(failures, 'nextHopType', e.nextHopType, result.nextHopType);
        expectEq(failures, 'nextHopIp', e.nextHopIp, result.nextHopIp);
        expectEq(failures, 'routeTable', e.routeTable, result.routeTable);
        return { result };
      }
      case 'ipFlowVerify': {
        let r: ReturnType<typeof net.nsgs.ipFlowVerify>;
        try {
          r = net.nsgs.ipFlowVerify(step.vm, step.direction, step.protocol, step.local, step.remote);
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
        const result = { access: r.access, rule: r.ruleName, nsg: r.nsg, evaluated: r.evaluated };
        expectEq(failures, 'access', e.access, r.access);
        expectEq(failures, 'rule', e.rule, r.ruleName);
        return { result };
      }
      case 'resolve': {
        const address = net.resolve(step.hostname);
        expectEq(failures, 'address', e.address, address);
        return { result: { hostname: step.hostname, address } };
      }
      case 'advanceTime': {
        this.clock += step.seconds;
        const expired = net.flows.expire(this.clock);
        // Idle expiry closes nothing by RST: no connection is reset by time passing.
        if (e.resetConnections !== undefined && e.resetConnections.length > 0)
          failures.push(`resetConnections: expected [${e.resetConnections.join(', ')}], got [] (idle expiry is not a reset)`);
        return { result: { seconds: step.seconds, clock: this.clock, expiredFlows: expired } };
      }
    }
  }

  private tick(): number {
    this.clock += 0.001;
    return this.clock;
  }

  private port(): number {
    const p = this.nextPort;
    this.nextPort = p >= 65535 ? 49152 : p + 1;
    return p;
  }

  /** A TCP connection (SYN, SYN|ACK, ACK, one data packet) or one request/reply for other protocols. */
  private connect(from: string, to: string, protocol: PacketProtocol, port?: number, sourcePort?: number, disk = false) {
    const net = this.net;
    const ends = packetEnds(net, from, to);
    const proto = PROTOCOLS[protocol].number;
    const sp = sourcePort ?? this.port();
    const dp = port ?? defaultPort(proto);
    const b = this.small;
    b.clear();
    if (proto === Proto.Tcp) {
      pushPacket(b, ends, false, sp, dp, proto, TcpFlag.SYN, 60, this.tick());
      pushPacket(b, ends, true, sp, dp, proto, TcpFlag.SYN | TcpFlag.ACK, 60, this.tick());
      pushPacket(b, ends, false, sp, dp, proto, TcpFlag.ACK, 52, this.tick());
      pushPacket(b, ends, false, sp, dp, proto, TcpFlag.PSH | TcpFlag.ACK, 540, this.tick());
    } else {
      pushPacket(b, ends, false, sp, dp, proto, 0, 84, this.tick());
      pushPacket(b, ends, true, sp, dp, proto, 0, 84, this.tick());
    }
    if (disk) for (let i = 0; i < b.count; i++) b.purpose[i] = Purpose.DiskIo; // R-SE-8
    const { outcome, trace } = this.process(b, 0);
    const conn: Connection = { ends, proto, srcPort: sp, dstPort: dp, flowId: b.flowId[0]! };
    return { outcome, trace, conn };
  }

  /** Runs a small batch; the outcome and trace of row `row`. */
  private process(b: PacketBatch, row: number): { outcome: PacketOutcome; trace: Trace } {
    const net = this.net;
    // The first packet's trace is taken before the batch runs, so later rows (which hit the new flow) don't hide it.
    net.process(b);
    const trace = traceOf(net.tables, net.scratch, b, row);
    const outcome = outcomeOf(net.tables, net.scratch, b, row);
    this.capture(b);
    return { outcome, trace };
  }

  private capture(b: PacketBatch): void {
    const pcap = this.opts.pcap;
    if (pcap === undefined) return;
    const dir = this.net.scratch.flowDir;
    for (let i = 0; i < b.count; i++) {
      pcap.writeRow(b, i, 'original');
      const nat = b.translatedSrc[i]!;
      if (nat === 0) continue;
      // R-SNAT-1: a reply (reverse direction) goes to the public address and port on the outside, so the translated
      // view rewrites its destination; a forward packet's source.
      if (dir[i] === 1) pcap.writeIpv4(b.time[i]!, b.src[i]!, nat, b.proto[i]!, b.srcPort[i]!, b.translatedSrcPort[i]!, b.tcpFlags[i]!, b.length[i]!);
      else if (nat !== b.src[i]) pcap.writeRow(b, i, 'translated');
    }
  }

  private traffic(step: Extract<Step, { kind: 'traffic' }>, failures: string[]): Record<string, unknown> {
    const net = this.net;
    const dst = resolveTarget(net, step.to);
    // Sources of each family the destinations have (the generator draws a destination of the source's family).
    const v4 = resolveSource(net, step.from, true);
    const v6 = resolveSource6(net, step.from, true);
    const want6 = dst.prefixes.some((p) => p.includes(':'));
    const want4 = dst.prefixes.some((p) => !p.includes(':'));
    const src = {
      addrs: [...(want4 ? v4.addrs.map(formatIpv4) : []), ...(want6 ? v6.addrs : [])],
      ingress: [...(want4 ? v4.ingress : []), ...(want6 ? v6.ingress : [])],
    };
    if (src.addrs.length === 0) throw new Error(`${step.from} has no address of the family of ${step.to}`);
    const proto = step.protocol === 'Tcp' ? 'tcp' : step.protocol === 'Udp' ? 'udp' : 'icmp';
    const perFlow = Math.max(1, Math.ceil(step.packets / step.flows));
    const gen = new TrafficGenerator({
      seed: step.seed,
      flows: step.flows,
      packetsPerFlow: perFlow,
      sources: src.addrs,
      ingress: src.ingress,
      destinations: dst.prefixes,
      protocol: proto,
      dstPorts: step.port === undefined ? undefined : [step.port],
      startTime: this.clock,
    });
    const before = Float64Array.from(net.counters.byDisposition);
    const b = this.big;
    let done = 0;
    const started = performance.now();
    while (done < step.packets) {
      const n = gen.fill(b);
      if (n === 0) break;
      if (done + n > step.packets) b.count = step.packets - done;
      net.process(b);
      this.capture(b);
      done += b.count;
      this.clock = b.time[b.count - 1]!;
      this.opts.progress?.(step.index, done, step.packets);
    }
    const seconds = (performance.now() - started) / 1000;
    const counts: Record<string, number> = {};
    DISPOSITION_NAMES.forEach((name, i) => {
      const d = net.counters.byDisposition[i]! - before[i]!;
      if (d > 0) counts[name] = d;
    });
    if (step.expect.counts !== undefined) {
      for (const name of DISPOSITION_NAMES) {
        const want = step.expect.counts[name] ?? 0;
        const got = counts[name] ?? 0;
        if (want !== got) failures.push(`counts.${name}: expected ${want}, got ${got}`);
      }
    }
    if (step.expect.disposition !== undefined) {
      const other = Object.keys(counts).filter((k) => k !== step.expect.disposition);
      if (other.length > 0 || done === 0) failures.push(`disposition: expected every packet ${step.expect.disposition}, got ${JSON.stringify(counts)}`);
    }
    // Timing stays out of the result so that --json is byte-identical run after run (determinism); it goes to the
    // caller's callback for human output.
    this.opts.onTraffic?.(step.index, done, seconds);
    return { packets: done, flows: step.flows, counts };
  }

  private change(r: ReturnType<Network['enableServiceEndpoint']>, e: Expect, failures: string[]): Record<string, unknown> {
    const resetIds = new Set(r.resets.filter((x) => x.rstSent).map((x) => x.flowId));
    const named = [...this.connections.entries()].filter(([, c]) => resetIds.has(c.flowId) && this.matches(c, r.resets)).map(([id]) => id);
    for (const x of r.resets) if (x.rstSent) this.opts.pcap?.writeResetPair(this.net.flows, x.flowId, this.clock);
    if (e.error !== undefined) {
      if (r.ok) failures.push(`error: expected ${e.error}, but the change was applied`);
      else if (r.error!.code !== e.error) failures.push(`error: expected ${e.error}, got ${r.error!.code} (${r.error!.message})`);
    } else if (!r.ok) failures.push(`the change was refused: ${r.error!.code}: ${r.error!.message}`);
    if (e.resetConnections !== undefined) {
      const want = [...e.resetConnections].sort();
      const got = [...named].sort();
      if (want.join(',') !== got.join(',')) failures.push(`resetConnections: expected [${want.join(', ')}], got [${got.join(', ')}]`);
    }
    return {
      ok: r.ok,
      error: r.error,
      changedSubnets: r.changedSubnets,
      resetConnections: named,
      resetFlows: r.resets.length,
    };
  }

  private matches(c: Connection, resets: ReturnType<Network['enableServiceEndpoint']>['resets']): boolean {
    // Reset events carry IPv4 addresses; an IPv6 connection is known by its flow id and ports.
    const e = c.ends;
    return resets.some((x) => x.flowId === c.flowId && x.srcPort === c.srcPort && x.dstPort === c.dstPort && (e.family === 6 || (x.src === e.src && x.dst === e.dst)));
  }

  /** NSG flow log v2 records of the flows recorded during the run. */
  writeFlowLog(w: FlowLogWriter): void {
    const net = this.net;
    const t = net.tables;
    const f = net.flows;
    f.scan((id) => {
      const vm = f.nic[id]!;
      if (vm < 0) return;
      const sub = f.subnet[id]!;
      const c = t.vmNicOut[vm] ?? (sub >= 0 ? t.subnetNsgOut[sub] : null);
      const r = f.ruleIndex[id]!;
      if (c === null || c === undefined || r < 0 || r >= c.rules.length) return;
      const spec = net.spec;
      const sub0 = spec.vnets[0]?.subscription ?? 'default';
      w.addFlow(f, id, this.clock, {
        nsgId: `/subscriptions/${sub0}/resourceGroups/vnetsim/providers/Microsoft.Network/networkSecurityGroups/${c.nsg}`,
        rule: flowLogRuleName(c.rules[r]!.name),
        mac: macOf(vm),
        direction: 'O',
        decision: c.allow[r] === 1 ? 'A' : 'D',
      }, true);
    });
  }
}

/** A stable, clearly synthetic MAC per VM (Azure's 00-0D-3A prefix). */
function macOf(vm: number): string {
  return `000D3A${(vm + 1).toString(16).toUpperCase().padStart(6, '0')}`;
}

function expectEq(failures: string[], key: string, want: unknown, got: unknown): void {
  if (want === undefined) return;
  if (String(want) !== String(got ?? 'null')) failures.push(`${key}: expected ${String(want)}, got ${got === null || got === undefined ? 'none' : String(got)}`);
}

function checkPacket(e: Expect, o: PacketOutcome, failures: string[]): void {
  expectEq(failures, 'disposition', e.disposition, o.disposition);
  expectEq(failures, 'reason', e.reason, o.reason);
  expectEq(failures, 'rule', e.rule, o.rule);
  expectEq(failures, 'nextHopType', e.nextHopType, o.nextHopType);
  expectEq(failures, 'nextHopIp', e.nextHopIp, o.nextHopIp);
  expectEq(failures, 'routeTable', e.routeTable, o.routeTable);
  expectEq(failures, 'sourceSeenByService', e.sourceSeenByService, o.sourceSeenByService);
  expectEq(failures, 'sourceSeenByDestination', e.sourceSeenByDestination, o.sourceSeenByDestination);
  if (e.serviceError !== undefined) {
    const got = o.serviceError ?? '';
    const want = String(e.serviceError);
    // `403` matches `403 AuthorizationFailure`; the full text matches too.
    if (!(got === want || got.startsWith(`${want} `) || got.split(' ')[0] === want))
      failures.push(`serviceError: expected ${want}, got ${got === '' ? 'none' : got}`);
  }
  if (e.counts !== undefined) {
    for (const name of DISPOSITION_NAMES as DispositionName[]) {
      const want = e.counts[name] ?? 0;
      const got = o.disposition === name ? 1 : 0;
      if (want !== got) failures.push(`counts.${name}: expected ${want}, got ${got}`);
    }
  }
}

/** contains / notContains: an entry matches a row when every key equals the row's value; `prefix` matches any prefix. */
function rowMatches(entry: Record<string, string | number>, row: Record<string, string | number>): boolean {
  return Object.entries(entry).every(([k, v]) => {
    const have = row[k];
    if (have === undefined) return false;
    if (k === 'prefix' || k === 'sourcePrefix' || k === 'destinationPrefix') return String(have).split(',').includes(String(v));
    return String(have) === String(v);
  });
}

function checkRows(e: Expect, rows: Array<Record<string, string | number>>, failures: string[]): void {
  for (const want of e.contains ?? [])
    if (!rows.some((r) => rowMatches(want, r))) failures.push(`contains: no row matches ${JSON.stringify(want)}`);
  for (const bad of e.notContains ?? [])
    if (rows.some((r) => rowMatches(bad, r))) failures.push(`notContains: a row matches ${JSON.stringify(bad)}`);
}
