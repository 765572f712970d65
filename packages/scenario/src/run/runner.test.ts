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
    // 2 connections x 4 packets, each also after translation (16); 2 RSTs; the packet on the reset connection (not
    // translated: it went nowhere); one packet on the other connection and its translated copy.
    expect(records.length).toBe(16 + 2 + 1 + 2);
    expect(records.every((r) => r.ipChecksumOk && r.l4ChecksumOk)).toBe(true);
    const rsts = records.filter((r) => (r.tcpFlags & TcpFlag.RST) !== 0);
    expect(rsts.map((r) => [r.src, r.srcPort, r.dst, r.dstPort])).toEqual([
      ['52.239.0.20', 443, '10.0.1.4', 50000], // to the VM
      ['51.105.0.1', rsts[1]!.srcPort, '52.239.0.20', 443], // to the service, from the address it knew
    ]);
    expect(rsts[1]!.srcPort).toBeGreaterThanOrEqual(1024);
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
