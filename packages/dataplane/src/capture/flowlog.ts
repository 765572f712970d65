// NSG flow logs, version 2 (SEMANTICS.md section 8), in Azure's blob layout:
// { records: [ { time, systemId, macAddress, category, resourceId, operationName, properties: { Version: 2,
//   flows: [ { rule, flows: [ { mac, flowTuples: ['unixSeconds,src,dst,sport,dport,T|U,I|O,A|D,B|C|E,pkts,bytes,pkts,bytes'] } ] } ] } } ] }
// One record per NSG, NIC MAC and interval (Azure writes a blob per NSG and MAC, a record per minute); inside, tuples
// are grouped by rule then MAC. As in Azure's logs, Begin tuples and denied flows carry empty counters (",,,,"),
// and only TCP and UDP flows are logged. Ordering is deterministic: records by interval, resource id, MAC; rules by
// name; tuples by time then text. Edge code (strings, objects): never on the per-packet path.
import { formatIpv4, formatIpv6 } from '@vnetsim/core';
import type { FlowTable } from '../flows/flow-table.js';
import { FlowState } from '../flows/tcp-state.js';
import { Proto } from '../packet/batch.js';

export interface FlowLogTuple {
  /** Unix seconds. */
  time: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: 'T' | 'U';
  direction: 'I' | 'O';
  decision: 'A' | 'D';
  state: 'B' | 'C' | 'E';
  /** Source -> destination and destination -> source counters; absent (empty in the text) on B and D tuples. */
  packetsSrcToDst?: number;
  bytesSrcToDst?: number;
  packetsDstToSrc?: number;
  bytesDstToSrc?: number;
}

export interface FlowLogEntry extends FlowLogTuple {
  /** NSG resource id (written upper-case, as Azure does). */
  nsgId: string;
  /** Rule as flow logs name it: `UserRule_<name>` or `DefaultRule_<name>` (see flowLogRuleName). */
  rule: string;
  /** NIC MAC address, any of 00-0D-3A-..., 00:0d:3a:..., 000D3A...; written as 12 upper-case hex digits. */
  mac: string;
}

export interface FlowLogRecord {
  time: string;
  systemId: string;
  macAddress: string;
  category: 'NetworkSecurityGroupFlowEvent';
  resourceId: string;
  operationName: 'NetworkSecurityGroupFlowEvents';
  properties: { Version: 2; flows: { rule: string; flows: { mac: string; flowTuples: string[] }[] }[] };
}

export interface FlowLogDocument {
  records: FlowLogRecord[];
}

/** `securityRules/AllowWeb` -> `UserRule_AllowWeb`; `defaultSecurityRules/DenyAllInBound` -> `DefaultRule_DenyAllInBound`. */
export function flowLogRuleName(verdictRule: string): string {
  const slash = verdictRule.indexOf('/');
  const kind = verdictRule.slice(0, slash), name = verdictRule.slice(slash + 1);
  if (kind === 'securityRules') return `UserRule_${name}`;
  if (kind === 'defaultSecurityRules') return `DefaultRule_${name}`;
  throw new Error(`flow log rule "${verdictRule}": expected securityRules/<name> or defaultSecurityRules/<name>`);
}

/** The tuple text: `unixSeconds,srcIp,dstIp,srcPort,dstPort,T|U,I|O,A|D,B|C|E,pkts,bytes,pkts,bytes`. */
export function formatFlowTuple(t: FlowLogTuple): string {
  const counts = t.state === 'B' || t.decision === 'D' || t.packetsSrcToDst === undefined
    ? ',,,'
    : `${t.packetsSrcToDst},${t.bytesSrcToDst ?? 0},${t.packetsDstToSrc ?? 0},${t.bytesDstToSrc ?? 0}`;
  return `${Math.floor(t.time)},${t.src},${t.dst},${t.srcPort},${t.dstPort},${t.protocol},${t.direction},${t.decision},${t.state},${counts}`;
}

const TUPLE = /^(\d+),([0-9a-fA-F.:]+),([0-9a-fA-F.:]+),(\d+),(\d+),([TU]),([IO]),([AD]),([BCE]),(\d*),(\d*),(\d*),(\d*)$/;

/** Parses a tuple text (tools and tests); throws on anything else. */
export function parseFlowTuple(text: string): FlowLogTuple {
  const m = TUPLE.exec(text);
  if (!m) throw new Error(`flow tuple "${text}": expected unixSeconds,srcIp,dstIp,srcPort,dstPort,T|U,I|O,A|D,B|C|E,pkts,bytes,pkts,bytes`);
  const t: FlowLogTuple = {
    time: +m[1], src: m[2], dst: m[3], srcPort: +m[4], dstPort: +m[5], protocol: m[6] as 'T' | 'U',
    direction: m[7] as 'I' | 'O', decision: m[8] as 'A' | 'D', state: m[9] as 'B' | 'C' | 'E',
  };
  if (m[10] !== '') {
    t.packetsSrcToDst = +m[10];
    t.bytesSrcToDst = +m[11];
    t.packetsDstToSrc = +m[12];
    t.bytesDstToSrc = +m[13];
  }
  return t;
}

export function normalizeMac(mac: string): string {
  const hex = mac.replace(/[-:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(hex)) throw new Error(`flow log MAC "${mac}": expected 12 hex digits (e.g. 00-0D-3A-F8-78-56)`);
  return hex;
}

/** What the control plane knows about a flow: which NSG and rule decided it, on which NIC, in which direction. */
export interface FlowLogContext {
  nsgId: string;
  rule: string;
  mac: string;
  direction: 'I' | 'O';
  decision: 'A' | 'D';
}

export interface FlowLogWriterOptions {
  /** Seconds per record (Azure: 60). */
  intervalSeconds?: number;
  /** `systemId` of the records (Azure: a GUID of the host). */
  systemId?: string;
}

export class FlowLogWriter {
  private readonly entries: FlowLogEntry[] = [];
  private readonly interval: number;
  private readonly systemId: string;
  // Counters already logged per flow record (key: flow id + creation time, as ids are reused).
  private readonly logged = new Map<string, [number, number, number, number]>();
  // Normalized MACs and upper-case ids, computed once each (a run adds many tuples of few NICs and NSGs).
  private readonly macs = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  constructor(options: FlowLogWriterOptions = {}) {
    this.interval = options.intervalSeconds ?? 60;
    if (!(this.interval > 0)) throw new RangeError(`flowLog.intervalSeconds: expected a positive number, got ${this.interval}`);
    this.systemId = options.systemId ?? '00000000-0000-0000-0000-000000000000';
  }

  get size(): number {
    return this.entries.length;
  }

  add(entry: FlowLogEntry): void {
    if (!Number.isInteger(entry.srcPort) || !Number.isInteger(entry.dstPort)) throw new Error('flow log entry: ports must be integers');
    let mac = this.macs.get(entry.mac);
    if (mac === undefined) this.macs.set(entry.mac, (mac = normalizeMac(entry.mac)));
    let nsgId = this.ids.get(entry.nsgId);
    if (nsgId === undefined) this.ids.set(entry.nsgId, (nsgId = entry.nsgId.toUpperCase()));
    this.entries.push({ ...entry, mac, nsgId });
  }

  /**
   * Logs flow `id` of a flow table at `now`: B the first time it is seen (at its creation time), then C with the
   * counters since the previous call, or E when the flow has ended (Closed or Reset, or `ended`, e.g. from the
   * table's onRelease hook before the record is freed). Non-TCP/UDP flows are not logged (Azure logs T and U only).
   */
  addFlow(table: FlowTable, id: number, now: number, ctx: FlowLogContext, ended = false): void {
    const proto = table.proto[id];
    if (proto !== Proto.Tcp && proto !== Proto.Udp) return;
    const key = `${id}@${table.createdAt[id]}`;
    const v6 = table.family[id] === 6;
    const w = id << 2;
    const src = v6 ? formatIpv6(table.src6.subarray(w, w + 4)) : formatIpv4(table.src[id]);
    const dst = v6 ? formatIpv6(table.dst6.subarray(w, w + 4)) : formatIpv4(table.dst[id]);
    const base = {
      nsgId: ctx.nsgId, rule: ctx.rule, mac: ctx.mac, src, dst, srcPort: table.srcPort[id], dstPort: table.dstPort[id],
      protocol: proto === Proto.Tcp ? ('T' as const) : ('U' as const), direction: ctx.direction, decision: ctx.decision,
    };
    let prev = this.logged.get(key);
    if (prev === undefined) {
      this.add({ ...base, time: table.createdAt[id], state: 'B' });
      prev = [0, 0, 0, 0];
      this.logged.set(key, prev);
    }
    if (ctx.decision === 'D') return; // a denied flow is logged once, as B without counters
    const st = table.state[id];
    const end = ended || st === FlowState.Closed || st === FlowState.Reset;
    const cur: [number, number, number, number] = [table.packetsFwd[id], table.bytesFwd[id], table.packetsRev[id], table.bytesRev[id]];
    this.add({
      ...base, time: now, state: end ? 'E' : 'C', packetsSrcToDst: cur[0] - prev[0], bytesSrcToDst: cur[1] - prev[1],
      packetsDstToSrc: cur[2] - prev[2], bytesDstToSrc: cur[3] - prev[3],
    });
    if (end) this.logged.delete(key);
    else this.logged.set(key, cur);
  }

  /** The document: records per (interval, NSG, MAC), flows grouped by rule then MAC, deterministic order. */
  build(): FlowLogDocument {
    const groups = new Map<string, { slot: number; nsg: string; mac: string; last: number; byRule: Map<string, string[]> }>();
    for (const e of this.entries) {
      const slot = Math.floor(e.time / this.interval);
      const k = `${slot}\u0000${e.nsgId}\u0000${e.mac}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { slot, nsg: e.nsgId, mac: e.mac, last: e.time, byRule: new Map() }));
      g.last = Math.max(g.last, e.time);
      let tuples = g.byRule.get(e.rule);
      if (!tuples) g.byRule.set(e.rule, (tuples = []));
      tuples.push(formatFlowTuple(e));
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const byTuple = (a: string, b: string) => {
      const ta = +a.slice(0, a.indexOf(',')), tb = +b.slice(0, b.indexOf(','));
      return ta - tb || cmp(a, b);
    };
    const records = [...groups.values()]
      .sort((a, b) => a.slot - b.slot || cmp(a.nsg, b.nsg) || cmp(a.mac, b.mac))
      .map((g): FlowLogRecord => ({
        time: new Date(Math.floor(g.last) * 1000).toISOString(),
        systemId: this.systemId,
        macAddress: g.mac,
        category: 'NetworkSecurityGroupFlowEvent',
        resourceId: g.nsg,
        operationName: 'NetworkSecurityGroupFlowEvents',
        properties: {
          Version: 2,
          flows: [...g.byRule.keys()].sort(cmp).map((rule) => ({ rule, flows: [{ mac: g.mac, flowTuples: g.byRule.get(rule)!.sort(byTuple) }] })),
        },
      }));
    return { records };
  }

  toString(): string {
    return JSON.stringify(this.build());
  }
}

/**
 * Azure's blob path for a record: `resourceId=<NSG id>/y=YYYY/m=MM/d=DD/h=HH/m=00/macAddress=<MAC>/PT1H.json`.
 */
export function flowLogBlobPath(nsgId: string, mac: string, unixSeconds: number): string {
  const d = new Date(Math.floor(unixSeconds) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `resourceId=${nsgId.toUpperCase()}/y=${d.getUTCFullYear()}/m=${p(d.getUTCMonth() + 1)}/d=${p(d.getUTCDate())}/h=${p(d.getUTCHours())}/m=00/macAddress=${normalizeMac(mac)}/PT1H.json`;
}
