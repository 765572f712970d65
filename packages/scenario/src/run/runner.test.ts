// The scenario runner's captures: a pcap of a run with a connection reset (R-SE-2), parsed back.
import { describe, expect, it } from 'vitest';
import { PcapWriter, readPcap } from '@vnetsim/dataplane';
import { TcpFlag } from '@vnetsim/dataplane';
import { NetworkRouting } from '@vnetsim/core';
import { parseScenario } from '../load/scenario-load.js';
import { StepBugError, StepError } from '../step-error.js';
import { runScenario } from './runner.js';

const RESET_RUN = `
name: reset-capture
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      subnets: [{ name: app, prefix: 10.0.1.0/24 }]
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4, publicIp: 51.105.0.1 }
  services:
    - { name: st, type: Microsoft.Storage, region: westeurope, address: 52.239.0.20 }
steps:
  - connect: { id: c-st, from: vm1, to: st, protocol: Tcp, port: 443, sourcePort: 50000 }
    expect: { disposition: Delivered, sourceSeenByService: 51.105.0.1 }
  - connect: { id: c-web, from: vm1, to: 8.8.8.8, protocol: Tcp, port: 443, sourcePort: 50001 }
    expect: { disposition: ExitsNetwork }
  - enableServiceEndpoint: { subnet: hub/app, service: Microsoft.Storage }
    expect: { resetConnections: [c-st] }
  - send: { flow: c-st }
    expect: { disposition: FlowReset }
  - send: { flow: c-web }
    expect: { disposition: ExitsNetwork }
`;

describe('pcap of a run', () => {
  it('R-SE-2: a run with a reset: record count, both RSTs, packets before and after translation', () => {
    const pcap = new PcapWriter();
    const result = runScenario(parseScenario(RESET_RUN, 'inline.yaml'), { pcap });
    expect(result.steps.filter((s) => !s.passed).flatMap((s) => s.failures)).toEqual([]);
    const { header, records } = readPcap(pcap.toBuffer());
    expect(header.linktype).toBe(101);
    // 2 connections x 4 packets, each also after translation (16); the RST pair, each at the VM NIC and on the public
    // side (4); the packet on the reset connection (not translated: it went nowhere); one packet on the other
    // connection and its translated copy.
    expect(records.length).toBe(16 + 4 + 1 + 2);
    expect(records.every((r) => r.ipChecksumOk && r.l4ChecksumOk)).toBe(true);
    const rsts = records.filter((r) => (r.tcpFlags & TcpFlag.RST) !== 0);
    const natPort = rsts[3]!.srcPort;
    expect(rsts.map((r) => [r.src, r.srcPort, r.dst, r.dstPort])).toEqual([
      ['52.239.0.20', 443, '51.105.0.1', natPort], // from the service, to the address it knew
      ['52.239.0.20', 443, '10.0.1.4', 50000], // translated back, to the VM
      ['10.0.1.4', 50000, '52.239.0.20', 443], // from the VM
      ['51.105.0.1', natPort, '52.239.0.20', 443], // to the service, from the address it knew
    ]);
    expect(natPort).toBeGreaterThanOrEqual(1024);
    // TCP numbers: SYN|ACK acknowledges ISN + 1, the ACK and the data continue from there, a copy after translation
    // carries its original's numbers, and each RST takes its sender's next number.
    const vmSide = records.filter((r) => r.srcPort === 50000 || r.dstPort === 50000);
    const [syn, synAck, ack, data] = vmSide;
    expect(syn!.tcpFlags).toBe(TcpFlag.SYN);
    expect(synAck!.ack).toBe((syn!.seq + 1) >>> 0);
    expect([ack!.seq, ack!.ack]).toEqual([(syn!.seq + 1) >>> 0, (synAck!.seq + 1) >>> 0]);
    expect([data!.seq, data!.ack]).toEqual([ack!.seq, ack!.ack]);
    expect(data!.origLen - 40).toBe(500);
    expect([rsts[1]!.seq, rsts[1]!.ack]).toEqual([(synAck!.seq + 1) >>> 0, (data!.seq + 500) >>> 0]);
    expect([rsts[2]!.seq, rsts[2]!.ack]).toEqual([(data!.seq + 500) >>> 0, (synAck!.seq + 1) >>> 0]);
    const copies = records.filter((r) => r.src === '51.105.0.1' && r.srcPort === natPort);
    expect(copies.map((r) => r.seq).slice(0, 3)).toEqual([syn!.seq, ack!.seq, data!.seq]);
    // Handshake segments carry no payload: 40 bytes of IPv4 + TCP headers.
    expect([syn!.origLen, synAck!.origLen, ack!.origLen]).toEqual([40, 40, 40]);
    // Timestamps from the default capture start, 2026-01-01T00:00:00Z, in step order.
    expect(syn!.tsSec).toBe(Date.UTC(2026, 0, 1) / 1000);
    const times = records.map((r) => r.tsSec * 1e6 + r.tsUsec);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    // R-SNAT-1 in the capture: the public side never pairs the public address with a private one.
    for (const r of records) {
      if (r.src === '51.105.0.1') expect(r.dst.startsWith('10.'), `${r.src} -> ${r.dst}`).toBe(false);
      if (r.dst === '51.105.0.1') expect(r.src.startsWith('10.'), `${r.src} -> ${r.dst}`).toBe(false);
    }
    // The reply of the handshake after translation: from the service to the public address and port.
    expect(records.some((r) => r.src === '52.239.0.20' && r.dst === '51.105.0.1' && r.tcpFlags === (TcpFlag.SYN | TcpFlag.ACK))).toBe(true);
    expect(result.counters.dispositions).toMatchObject({ FlowReset: 1 });
  });
});

describe('the runner never hides a bug', () => {
  const TEXT = `name: hop
network:
  vnets:
    - { name: hub, region: westeurope, addressSpace: [10.0.0.0/16], subnets: [{ name: app, prefix: 10.0.1.0/24 }] }
  vms:
    - { name: vm1, subnet: hub/app, privateIp: 10.0.1.4 }
steps:
  - nextHop: { from: vm1, to: 8.8.8.8 }
    expect: { nextHopType: Internet }
`;

  it('an unexpected exception ends the run as StepBugError (file, step, line, cause); a StepError fails only its step', () => {
    const proto = NetworkRouting.prototype;
    const nextHop = proto.nextHop;
    try {
      const bug = new RangeError('index out of range');
      proto.nextHop = () => {
        throw bug;
      };
      let thrown: unknown;
      try {
        runScenario(parseScenario(TEXT, 'hop.yaml'));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(StepBugError);
      expect(thrown).toMatchObject({ file: 'hop.yaml', step: 0, line: 8, cause: bug });
      proto.nextHop = () => {
        throw new StepError('no route to there');
      };
      const r = runScenario(parseScenario(TEXT, 'hop.yaml'));
      expect(r.passed).toBe(false);
      expect(r.steps[0]!.failures).toEqual(['step failed to run: no route to there']);
    } finally {
      proto.nextHop = nextHop;
    }
  });
});
