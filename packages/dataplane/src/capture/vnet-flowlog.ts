// VNet flow logs (flowLogVersion 4), the format Azure recommends now that NSG flow logs are being retired, in Azure's
// blob layout:
// { records: [ { time, flowLogVersion: 4, flowLogGUID, macAddress, category: 'FlowLogFlowEvent', flowLogResourceID,
//   targetResourceID, operationName: 'FlowLogFlowEvent', flowRecords: { flows: [ { aclID, flowGroups: [ { rule,
//   flowTuples: ['unixMillis,src,dst,sport,dport,protocolNumber,I|O,B|C|E|D,encryption,pkts,bytes,pkts,bytes'] } ] } ] } } ] }
// One record per target VNet, NIC MAC and minute; inside, flows by ACL (the NSG's resource GUID), then by rule.
// Unlike version 2 the protocol is a number, times are milliseconds, a denied flow is one D tuple, and every tuple
// has its four counters (zeros on B and D). Edge code (strings, objects): never on the per-packet path.
import { normalizeMac } from './flowlog.js';

export type VnetFlowState = 'B' | 'C' | 'E' | 'D';

export interface VnetFlowTuple {
  /** Unix milliseconds. */
  time: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6). */
  protocol: number;
  direction: 'I' | 'O';
  state: VnetFlowState;
  /** Encryption state: `X` encrypted, `NX` not encrypted (vnetsim models no VNet encryption: always NX). */
  encryption: string;
  packetsSrcToDst: number;
  bytesSrcToDst: number;
  packetsDstToSrc: number;
  bytesDstToSrc: number;
}

export interface VnetFlowLogEntry extends VnetFlowTuple {
  /** Resource id of the VNet the flow log targets. */
  targetResourceId: string;
  /** Resource id of the flow log resource (a Network Watcher child). */
  flowLogResourceId: string;
  flowLogGuid: string;
  /** The NSG's resource GUID. */
  aclId: string;
  /** `UserRule_<name>` / `DefaultRule_<name>`. */
  rule: string;
  mac: string;
}

export interface VnetFlowLogRecord {
  time: string;
  flowLogVersion: 4;
  flowLogGUID: string;
  macAddress: string;
  category: 'FlowLogFlowEvent';
  flowLogResourceID: string;
  targetResourceID: string;
  operationName: 'FlowLogFlowEvent';
  flowRecords: { flows: { aclID: string; flowGroups: { rule: string; flowTuples: string[] }[] }[] };
}

export interface VnetFlowLogDocument {
  records: VnetFlowLogRecord[];
}

export function formatVnetFlowTuple(t: VnetFlowTuple): string {
  return [
    Math.floor(t.time), t.src, t.dst, t.srcPort, t.dstPort, t.protocol, t.direction, t.state, t.encryption,
    t.packetsSrcToDst, t.bytesSrcToDst, t.packetsDstToSrc, t.bytesDstToSrc,
  ].join(',');
}

const TUPLE4 = /^(\d+),([0-9a-fA-F.:]+),([0-9a-fA-F.:]+),(\d+),(\d+),(\d+),([IO]),([BCED]),([A-Z_]+),(\d+),(\d+),(\d+),(\d+)$/;

/** Parses a version 4 tuple (tools and tests); throws on anything else. */
export function parseVnetFlowTuple(text: string): VnetFlowTuple {
  const m = TUPLE4.exec(text);
  if (!m) throw new Error(`flow tuple "${text}": expected unixMillis,src,dst,sport,dport,protocol,I|O,B|C|E|D,encryption,pkts,bytes,pkts,bytes`);
  return {
    time: +m[1]!, src: m[2]!, dst: m[3]!, srcPort: +m[4]!, dstPort: +m[5]!, protocol: +m[6]!, direction: m[7] as 'I' | 'O',
    state: m[8] as VnetFlowState, encryption: m[9]!, packetsSrcToDst: +m[10]!, bytesSrcToDst: +m[11]!, packetsDstToSrc: +m[12]!,
    bytesDstToSrc: +m[13]!,
  };
}

export interface VnetFlowLogWriterOptions {
  /** Seconds per record (Azure: 60). */
  intervalSeconds?: number;
}

export class VnetFlowLogWriter {
  private readonly entries: VnetFlowLogEntry[] = [];
  private readonly interval: number;
  private readonly macs = new Map<string, string>();

  constructor(options: VnetFlowLogWriterOptions = {}) {
    this.interval = options.intervalSeconds ?? 60;
    if (!(this.interval > 0)) throw new RangeError(`vnetFlowLog.intervalSeconds: expected a positive number, got ${this.interval}`);
  }

  get size(): number {
    return this.entries.length;
  }

  add(entry: VnetFlowLogEntry): void {
    let mac = this.macs.get(entry.mac);
    if (mac === undefined) this.macs.set(entry.mac, (mac = normalizeMac(entry.mac)));
    this.entries.push({ ...entry, mac });
  }

  /** The document: records per (interval, target VNet, MAC); flows by ACL, groups by rule; deterministic order. */
  build(): VnetFlowLogDocument {
    type Group = { slot: number; e: VnetFlowLogEntry; last: number; byAcl: Map<string, Map<string, VnetFlowLogEntry[]>> };
    const groups = new Map<string, Group>();
    for (const e of this.entries) {
      const slot = Math.floor(e.time / 1000 / this.interval);
      const k = `${slot}\u0000${e.targetResourceId}\u0000${e.mac}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { slot, e, last: e.time, byAcl: new Map() }));
      g.last = Math.max(g.last, e.time);
      let rules = g.byAcl.get(e.aclId);
      if (!rules) g.byAcl.set(e.aclId, (rules = new Map()));
      let list = rules.get(e.rule);
      if (!list) rules.set(e.rule, (list = []));
      list.push(e);
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const records = [...groups.values()]
      .sort((a, b) => a.slot - b.slot || cmp(a.e.targetResourceId, b.e.targetResourceId) || cmp(a.e.mac, b.e.mac))
      .map((g): VnetFlowLogRecord => ({
        time: new Date(Math.floor(g.last)).toISOString(),
        flowLogVersion: 4,
        flowLogGUID: g.e.flowLogGuid,
        macAddress: g.e.mac,
        category: 'FlowLogFlowEvent',
        flowLogResourceID: g.e.flowLogResourceId.toUpperCase(),
        targetResourceID: g.e.targetResourceId,
        operationName: 'FlowLogFlowEvent',
        flowRecords: {
          flows: [...g.byAcl.keys()].sort(cmp).map((aclID) => {
            const rules = g.byAcl.get(aclID)!;
            return {
              aclID,
              flowGroups: [...rules.keys()].sort(cmp).map((rule) => ({
                rule,
                flowTuples: rules.get(rule)!.sort((a, b) => a.time - b.time).map(formatVnetFlowTuple),
              })),
            };
          }),
        },
      }));
    return { records };
  }

  toString(): string {
    return JSON.stringify(this.build());
  }
}

/**
 * A stable GUID from a text (resource ids have GUIDs in Azure; vnetsim derives them so that a run is reproducible):
 * 128 bits of four seeded FNV-1a hashes, formatted as a version-4-shaped GUID.
 */
export function guidOf(text: string): string {
  const h = (seed: number) => {
    let x = (0x811c9dc5 ^ seed) >>> 0;
    for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193);
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d);
    x ^= x >>> 12;
    return (x >>> 0).toString(16).padStart(8, '0');
  };
  const hex = h(1) + h(2) + h(3) + h(4);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
