import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '@vnetsim/core';
import { Proto, TcpFlag } from '../packet/batch.js';
import { FlowTable } from '../flows/flow-table.js';
import { Dir } from '../flows/tcp-state.js';
import { FlowLogWriter, flowLogBlobPath, flowLogRuleName, formatFlowTuple, parseFlowTuple, type FlowLogContext } from './flowlog.js';

const NSG = '/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web-nsg';
const MAC = '00-0D-3A-F8-78-56';
const TUPLE = /^\d+,[0-9a-f.:]+,[0-9a-f.:]+,\d+,\d+,[TU],[IO],[AD],[BCE],(\d+,\d+,\d+,\d+|,,,)$/;

describe('NSG flow log v2', () => {
  it('formats tuples as unixSeconds,src,dst,sport,dport,T|U,I|O,A|D,B|C|E,pkts,bytes,pkts,bytes and parses them back', () => {
    const c = { time: 1542110379.7, src: '10.5.16.4', dst: '13.67.143.117', srcPort: 59932, dstPort: 443, protocol: 'T', direction: 'O', decision: 'A', state: 'E', packetsSrcToDst: 1, bytesSrcToDst: 66, packetsDstToSrc: 1, bytesDstToSrc: 66 } as const;
    expect(formatFlowTuple(c)).toBe('1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66');
    expect(formatFlowTuple({ ...c, state: 'B' })).toBe('1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,B,,,,');
    expect(formatFlowTuple({ ...c, decision: 'D', state: 'B' })).toBe('1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,D,B,,,,');
    expect(parseFlowTuple('1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66')).toEqual({ ...c, time: 1542110379 });
    expect(() => parseFlowTuple('1,2,3')).toThrow(/expected unixSeconds/);
    expect(flowLogRuleName('defaultSecurityRules/DenyAllInBound')).toBe('DefaultRule_DenyAllInBound');
    expect(flowLogRuleName('securityRules/allow-storage')).toBe('UserRule_allow-storage');
  });

  it('writes Azure\'s record layout, grouped by NSG, rule and MAC, B then C then E with counter deltas', () => {
    const t = new FlowTable({ capacity: 16 });
    const vm = parseIpv4('10.0.1.4'), svc = parseIpv4('52.239.10.1');
    const id = t.insert4(Proto.Tcp, vm, svc, 50000, 443, TcpFlag.SYN, 60, 1_700_000_000);
    const ctx: FlowLogContext = { nsgId: NSG, rule: 'UserRule_allow-storage', mac: MAC, direction: 'O', decision: 'A' };
    const log = new FlowLogWriter();
    log.addFlow(t, id, 1_700_000_000, ctx); // B, then C with the SYN
    t.update(id, Dir.Reverse, TcpFlag.SYN | TcpFlag.ACK, 60, 1_700_000_001);
    t.update(id, Dir.Forward, TcpFlag.ACK, 52, 1_700_000_001);
    log.addFlow(t, id, 1_700_000_030, ctx); // C: 1 fwd, 1 rev since last time
    t.update(id, Dir.Forward, TcpFlag.FIN | TcpFlag.ACK, 52, 1_700_000_070);
    t.update(id, Dir.Reverse, TcpFlag.FIN | TcpFlag.ACK, 52, 1_700_000_070);
    t.update(id, Dir.Forward, TcpFlag.ACK, 52, 1_700_000_070);
    log.addFlow(t, id, 1_700_000_075, ctx); // E: closed
    // A denied inbound flow on another rule: B only, no counters.
    const denied = t.insert4(Proto.Udp, parseIpv4('203.0.113.9'), vm, 5353, 161, 0, 80, 1_700_000_010);
    log.addFlow(t, denied, 1_700_000_010, { ...ctx, rule: 'DefaultRule_DenyAllInBound', direction: 'I', decision: 'D' });
    log.addFlow(t, denied, 1_700_000_020, { ...ctx, rule: 'DefaultRule_DenyAllInBound', direction: 'I', decision: 'D' });

    const doc = JSON.parse(log.toString());
    expect(doc.records.length).toBe(2); // minutes 28333333 and the next one
    const [r0, r1] = doc.records;
    expect(Object.keys(r0)).toEqual(['time', 'systemId', 'macAddress', 'category', 'resourceId', 'operationName', 'properties']);
    expect(r0).toMatchObject({
      macAddress: '000D3AF87856', category: 'NetworkSecurityGroupFlowEvent', operationName: 'NetworkSecurityGroupFlowEvents',
      resourceId: NSG.toUpperCase(), properties: { Version: 2 },
    });
    expect(r0.properties.flows.map((f: { rule: string }) => f.rule)).toEqual(['DefaultRule_DenyAllInBound', 'UserRule_allow-storage']);
    expect(r0.properties.flows[0].flows).toEqual([{ mac: '000D3AF87856', flowTuples: ['1700000010,203.0.113.9,10.0.1.4,5353,161,U,I,D,B,,,,'] }]);
    expect(r0.properties.flows[1].flows[0].flowTuples).toEqual([
      '1700000000,10.0.1.4,52.239.10.1,50000,443,T,O,A,B,,,,',
      '1700000000,10.0.1.4,52.239.10.1,50000,443,T,O,A,C,1,60,0,0',
      '1700000030,10.0.1.4,52.239.10.1,50000,443,T,O,A,C,1,52,1,60',
    ]);
    expect(r1.properties.flows[0].flows[0].flowTuples).toEqual(['1700000075,10.0.1.4,52.239.10.1,50000,443,T,O,A,E,2,104,1,52']);
    for (const r of doc.records) for (const f of r.properties.flows) for (const m of f.flows) for (const s of m.flowTuples) expect(s).toMatch(TUPLE);
    expect(r0.time).toBe('2023-11-14T22:13:50.000Z');
    expect(log.toString()).toBe(JSON.stringify(doc)); // deterministic
  });

  it('does not log ICMP flows, logs IPv6 tuples, and names the blob path like Azure', () => {
    const t = new FlowTable({ capacity: 4 });
    const log = new FlowLogWriter();
    const ctx: FlowLogContext = { nsgId: NSG, rule: 'UserRule_x', mac: '000d3af87856', direction: 'O', decision: 'A' };
    log.addFlow(t, t.insert4(Proto.Icmp, 1, 2, 7, 0, 0, 84, 0), 0, ctx);
    expect(log.size).toBe(0);
    const s6 = Uint32Array.of(0xfd000000, 0, 0, 4), d6 = Uint32Array.of(0x26031000, 0, 0, 9);
    log.addFlow(t, t.insert6(Proto.Udp, s6, 0, d6, 0, 4000, 53, 0, 80, 5), 5, ctx, true);
    const tuples = log.build().records[0].properties.flows[0].flows[0].flowTuples;
    expect(tuples).toEqual(['5,fd00::4,2603:1000::9,4000,53,U,O,A,B,,,,', '5,fd00::4,2603:1000::9,4000,53,U,O,A,E,1,80,0,0']);
    expect(flowLogBlobPath(NSG, MAC, 1542110377)).toBe(
      `resourceId=${NSG.toUpperCase()}/y=2018/m=11/d=13/h=11/m=00/macAddress=000D3AF87856/PT1H.json`,
    );
    expect(() => log.add({ ...ctx, mac: 'zz', time: 0, src: 'a', dst: 'b', srcPort: 1, dstPort: 2, protocol: 'T', state: 'B' })).toThrow(/MAC "zz"/);
  });
});
