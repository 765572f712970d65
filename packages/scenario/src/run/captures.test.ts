// The run's outputs read by their real readers: the whole scenario library captured to pcap and pcapng and read by
// tshark (sequence analysis, malformed packets, checksums, comments), and its flow logs (NSG v2, VNet v4) held to the
// structure of Microsoft's documented sample records.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlowLogWriter,
  parseFlowTuple,
  parseVnetFlowTuple,
  PcapngWriter,
  PcapWriter,
  RunCapture,
  VnetFlowLogWriter,
  type FlowLogDocument,
  type VnetFlowLogDocument,
} from '@vnetsim/dataplane';
import { findScenarioFiles } from '../load/scenario-files.js';
import { MissingDataError } from '../load/scenario-error.js';
import { loadScenarioFile, parseScenario, type Scenario } from '../load/scenario-load.js';
import { runScenario } from './runner.js';

const library = fileURLToPath(new URL('../../../../scenarios/', import.meta.url));
const TSHARK = '/usr/bin/tshark';
const hasTshark = spawnSync(TSHARK, ['--version']).status === 0;

function libraryScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const f of findScenarioFiles(library)) {
    try {
      out.push(loadScenarioFile(f));
    } catch (e) {
      if (!(e instanceof MissingDataError)) throw e; // scenarios of absent public data are left out
    }
  }
  return out;
}

/** tshark -T fields over a file: one array of columns per output line. */
function tshark(file: string, filter: string, fields: string[]): string[][] {
  const args = ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const text = execFileSync(TSHARK, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// Expert info severities (epan/proto.h): warn and error.
const PI_WARN = 0x00600000;
const PI_SEQUENCE = 0x02000000;

describe('captures of the scenario library', () => {
  let dir = '';
  let nsg: FlowLogDocument;
  let vnet: VnetFlowLogDocument;
  let scenarios: Scenario[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vnetsim-captures-'));
    scenarios = libraryScenarios();
    const pcap = new PcapWriter({ snaplen: 128 });
    const flowLog = new FlowLogWriter();
    const vnetFlowLog = new VnetFlowLogWriter();
    const capture = new RunCapture({ pcap, flowLog, vnetFlowLog });
    for (const s of scenarios) runScenario(s, { capture });
    writeFileSync(join(dir, 'library.pcap'), pcap.toBuffer());
    nsg = flowLog.build();
    vnet = vnetFlowLog.build();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasTshark)(
    `tshark (${TSHARK}; skipped where it is not installed, never in CI) finds no expert warning or error but the expected RSTs (none of sequence analysis), no malformed packet, no bad checksum`,
    () => {
      // One pass: expert info, malformed packets, checksums, RSTs.
      const rows = tshark(join(dir, 'library.pcap'), '_ws.expert || _ws.malformed || tcp.checksum.status == 0 || udp.checksum.status == 0 || ip.checksum.status == 0', [
        'frame.number', '_ws.expert.severity', '_ws.expert.group', '_ws.expert.message', '_ws.malformed', 'tcp.checksum.status', 'udp.checksum.status', 'ip.checksum.status', 'tcp.flags.reset',
      ]);
      expect(rows.length).toBeGreaterThan(0); // SYNs and FINs are at least chats: tshark did analyse TCP
      const bad: string[] = [];
      let rsts = 0;
      for (const [frame, sev, group, message, malformed, tcpSum, udpSum, ipSum, reset] of rows) {
        const sevs = (sev ?? '').split(',').map(Number), groups = (group ?? '').split(',').map(Number), msgs = (message ?? '').split(',');
        sevs.forEach((s, k) => {
          // Sequence analysis first of all, and any other warning too (e.g. DNS retransmissions of identical datagrams).
          if (s >= PI_WARN && !(groups[k] === PI_SEQUENCE && msgs[k] === 'Connection reset (RST)')) bad.push(`frame ${frame}: ${msgs[k]}`);
        });
        if ((malformed ?? '') !== '') bad.push(`frame ${frame}: malformed`);
        if (tcpSum === '0' || udpSum === '0' || ipSum === '0') bad.push(`frame ${frame}: bad checksum`);
        if (reset === '1' || reset === 'True') rsts++;
      }
      expect(bad.slice(0, 20)).toEqual([]);
      expect(rsts).toBeGreaterThan(0);
    },
    120_000,
  );

  it('NSG flow log v2: the shape of the documented sample record, every tuple 13 fields, both directions, denied flows, B/C/E', () => {
    expect(nsg.records.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const r of nsg.records) {
      expect(Object.keys(r)).toEqual(['time', 'systemId', 'macAddress', 'category', 'resourceId', 'operationName', 'properties']);
      expect(r.category).toBe('NetworkSecurityGroupFlowEvent');
      expect(r.operationName).toBe('NetworkSecurityGroupFlowEvents');
      expect(r.resourceId).toMatch(/^\/SUBSCRIPTIONS\/[^/]+\/RESOURCEGROUPS\/[^/]+\/PROVIDERS\/MICROSOFT\.NETWORK\/NETWORKSECURITYGROUPS\/[^/]+$/);
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.properties.Version).toBe(2);
      for (const f of r.properties.flows) {
        expect(f.rule).toMatch(/^(UserRule|DefaultRule)_.+/);
        for (const g of f.flows) {
          expect(g.mac).toBe(r.macAddress);
          for (const t of g.flowTuples) {
            expect(t.split(',')).toHaveLength(13);
            const p = parseFlowTuple(t);
            // Tuple times fall in the record's minute.
            expect(Math.floor(p.time / 60)).toBe(Math.floor(Date.parse(r.time) / 60000));
            seen.add(`${p.direction}${p.decision}${p.state}`);
            if (p.state === 'B' || p.decision === 'D') expect(t.endsWith(',,,,')).toBe(true);
            else expect(p.packetsSrcToDst! + p.packetsDstToSrc!).toBeGreaterThan(0);
          }
        }
      }
    }
    for (const k of ['OAB', 'OAC', 'OAE', 'ODB', 'IAB', 'IAE', 'IDB']) expect(seen.has(k), k).toBe(true);
    // Times start at the default capture start (2026-01-01T00:00:00Z), not in 1970.
    expect(Date.parse(nsg.records[0]!.time)).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1));
  });

  it('VNet flow log v4: the shape of the documented sample record (flowRecords.flows[].aclID, flowGroups[].rule, 13-field tuples)', () => {
    expect(vnet.records.length).toBeGreaterThan(0);
    const states = new Set<string>();
    for (const r of vnet.records) {
      expect(Object.keys(r)).toEqual(['time', 'flowLogVersion', 'flowLogGUID', 'macAddress', 'category', 'flowLogResourceID', 'targetResourceID', 'operationName', 'flowRecords']);
      expect(r.flowLogVersion).toBe(4);
      expect(r.category).toBe('FlowLogFlowEvent');
      expect(r.operationName).toBe('FlowLogFlowEvent');
      expect(r.flowLogGUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(r.macAddress).toMatch(/^[0-9A-F]{12}$/);
      expect(r.flowLogResourceID).toMatch(/^\/SUBSCRIPTIONS\/[^/]+\/RESOURCEGROUPS\/NETWORKWATCHERRG\/PROVIDERS\/MICROSOFT\.NETWORK\/NETWORKWATCHERS\/NETWORKWATCHER_[^/]+\/FLOWLOGS\/[^/]+$/);
      expect(r.targetResourceID).toMatch(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/);
      expect(Object.keys(r.flowRecords)).toEqual(['flows']);
      for (const f of r.flowRecords.flows) {
        expect(Object.keys(f)).toEqual(['aclID', 'flowGroups']);
        expect(f.aclID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        for (const g of f.flowGroups) {
          expect(Object.keys(g)).toEqual(['rule', 'flowTuples']);
          for (const t of g.flowTuples) {
            const cols = t.split(',');
            expect(cols).toHaveLength(13);
            expect(cols[0]).toMatch(/^\d{13}$/); // milliseconds
            expect(cols[5]).toMatch(/^\d+$/); // protocol number
            const p = parseVnetFlowTuple(t);
            states.add(p.state);
            if (p.state === 'B' || p.state === 'D') expect(cols.slice(9)).toEqual(['0', '0', '0', '0']);
          }
        }
      }
    }
    for (const s of ['B', 'C', 'E', 'D']) expect(states.has(s), s).toBe(true);
  });

  it('a 1,000-flow traffic step logs every flow: B and E (or C) per flow of the step', () => {
    const quick = scenarios.find((s) => s.name === 'quickstart');
    expect(quick, 'scenarios/quickstart.yaml').toBeDefined();
    const w = new FlowLogWriter();
    runScenario(quick!, { flowLog: w });
    const begins = new Set<string>();
    for (const r of w.build().records)
      for (const f of r.properties.flows)
        for (const g of f.flows)
          for (const t of g.flowTuples) {
            const p = parseFlowTuple(t);
            if (p.state === 'B' && p.dstPort === 443 && p.direction === 'O') begins.add(`${p.src}:${p.srcPort}>${p.dst}`);
          }
    // The traffic step's 1,000 flows plus the scenario's own connections.
    expect(begins.size).toBeGreaterThanOrEqual(1000);
  });
});

const FLOWS = `
name: flow-log-both-directions
network:
  vnets:
    - name: hub
      region: westeurope
      subscription: sub-a
      resourceGroup: rg-net
      addressSpace: [10.0.0.0/16]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg }
        - { name: db, prefix: 10.0.2.0/24, nsg: db-nsg }
  nsgs:
    - name: app-nsg
      rules:
        - { name: deny-web, priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: Internet, destinationPorts: '80' }
    - name: db-nsg
      rules:
        - { name: allow-sql, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: 10.0.1.0/24, sourcePorts: '*', destination: '*', destinationPorts: '1433' }
        - { name: deny-ssh, priority: 110, direction: Inbound, access: Deny, protocol: Tcp, source: '*', sourcePorts: '*', destination: '*', destinationPorts: '22' }
  vms:
    - { name: app1, subnet: hub/app, privateIp: 10.0.1.4, nsg: app-nsg }
    - { name: db1, subnet: hub/db, privateIp: 10.0.2.4 }
steps:
  - connect: { id: sql, from: app1, to: db1, protocol: Tcp, port: 1433 }
    expect: { disposition: Delivered }
  - connect: { from: app1, to: db1, protocol: Tcp, port: 22 }
    expect: { disposition: DeniedIn }
  - connect: { from: app1, to: 8.8.8.8, protocol: Tcp, port: 80 }
    expect: { disposition: DeniedOut }
  - advanceTime: { seconds: 600 }
`;

describe('flow logs of a run', () => {
  it('every NSG that decided a flow logs it: NIC and subnet, outbound at the source and inbound at the destination; resource ids from the VNet', () => {
    const w = new FlowLogWriter();
    const v = new VnetFlowLogWriter();
    const r = runScenario(parseScenario(FLOWS, 'inline.yaml'), { flowLog: w, vnetFlowLog: v, captureStart: Date.UTC(2026, 5, 1) / 1000 });
    expect(r.steps.flatMap((s) => s.failures)).toEqual([]);
    const rows = w.build().records.flatMap((rec) =>
      rec.properties.flows.flatMap((f) => f.flows.flatMap((g) => g.flowTuples.map((t) => ({ nsg: rec.resourceId.split('/').pop(), rule: f.rule, rec, ...parseFlowTuple(t) })))),
    );
    const line = (x: (typeof rows)[number]) => `${x.nsg} ${x.rule} ${x.src}:${x.dstPort} ${x.direction}${x.decision}${x.state}`;
    const lines = rows.map(line);
    // The SQL connection: app-nsg twice (NIC and subnet, outbound) then db-nsg inbound; begin, and end at idle expiry.
    for (const l of ['APP-NSG DefaultRule_AllowVnetOutBound 10.0.1.4:1433 OAB', 'DB-NSG UserRule_allow-sql 10.0.1.4:1433 IAB', 'DB-NSG UserRule_allow-sql 10.0.1.4:1433 IAE'])
      expect(lines).toContain(l);
    expect(lines.filter((l) => l === 'APP-NSG DefaultRule_AllowVnetOutBound 10.0.1.4:1433 OAB')).toHaveLength(2);
    // Denied flows: inbound at the destination's subnet NSG, outbound at the source's NIC NSG (the subnet NSG never saw it).
    expect(lines).toContain('DB-NSG UserRule_deny-ssh 10.0.1.4:22 IDB');
    expect(lines.filter((l) => l.endsWith(':80 ODB'))).toEqual(['APP-NSG UserRule_deny-web 10.0.1.4:80 ODB']);
    // Counters on E: the handshake and one data packet forward (SYN, ACK, data), the SYN|ACK back.
    const end = rows.find((x) => line(x) === 'DB-NSG UserRule_allow-sql 10.0.1.4:1433 IAE')!;
    expect([end.packetsSrcToDst, end.bytesSrcToDst, end.packetsDstToSrc, end.bytesDstToSrc]).toEqual([3, 40 + 40 + 540, 1, 40]);
    // Simulated times from the capture start: begin at the first packet, end at idle expiry (4 minutes later).
    const begin = rows.find((x) => line(x) === 'DB-NSG UserRule_allow-sql 10.0.1.4:1433 IAB')!;
    expect(begin.time).toBe(Date.UTC(2026, 5, 1) / 1000);
    expect(end.time).toBe(begin.time + 240);
    expect(end.rec.resourceId).toBe('/SUBSCRIPTIONS/SUB-A/RESOURCEGROUPS/RG-NET/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DB-NSG');
    // Records per minute: the begin and the end are in different records.
    expect(begin.rec).not.toBe(end.rec);
    // VNet flow logs: the same decisions, a denied flow as one D tuple, the VNet as target.
    const vrec = v.build().records;
    expect(vrec.every((x) => x.targetResourceID === '/subscriptions/sub-a/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub')).toBe(true);
    const vt = vrec.flatMap((x) => x.flowRecords.flows.flatMap((f) => f.flowGroups.flatMap((g) => g.flowTuples.map((t) => `${g.rule} ${t.split(',').slice(4, 8).join(',')}`))));
    expect(vt).toContain('UserRule_deny-ssh 22,6,I,D');
    expect(vt).toContain('UserRule_allow-sql 1433,6,I,E');
  });
});

describe('pcapng of a run', () => {
  it.skipIf(!hasTshark)(`tshark (${TSHARK}; skipped where it is not installed) shows an interface per capture point and each packet's disposition as its comment`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnetsim-pcapng-'));
    try {
      const file = join(dir, 'run.pcapng');
      const pcap = new PcapngWriter();
      runScenario(parseScenario(FLOWS, 'inline.yaml'), { pcap });
      writeFileSync(file, pcap.toBuffer());
      const rows = tshark(file, 'tcp', ['frame.interface_name', 'tcp.dstport', 'tcp.flags.syn', 'frame.comment', 'frame.verdict.ebpf_tc']);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r[3] !== undefined && r[3] !== '')).toBe(true);
      const ssh = rows.find((r) => r[1] === '22' && r[2] === '1')!;
      expect(ssh[0]).toBe('vm-nic');
      expect(ssh[3]).toContain('DeniedIn: dropped, NsgDenyInbound');
      expect(ssh[3]).toContain('db-nsg');
      expect(ssh[4]).toBe('2'); // TC_ACT_SHOT
      const sql = rows.find((r) => r[1] === '1433' && r[2] === '1')!;
      expect(sql[3]).toMatch(/^Delivered/);
      expect(sql[4]).toBe('0');
      const ifaces = execFileSync(TSHARK, ['-r', file, '-T', 'fields', '-e', 'frame.interface_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(new Set(ifaces.split('\n').filter(Boolean))).toEqual(new Set(['vm-nic']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
