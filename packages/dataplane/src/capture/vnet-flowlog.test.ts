// VNet flow logs v4 against the structure of Microsoft's documented sample record (vnet-flow-logs-overview): record
// keys, flowRecords.flows[].aclID, flowGroups[].rule, 13-field tuples with millisecond times, protocol numbers and
// zero counters on B and D.
import { describe, expect, it } from 'vitest';
import { formatVnetFlowTuple, guidOf, parseVnetFlowTuple, VnetFlowLogWriter, type VnetFlowLogEntry } from './vnet-flowlog.js';

// The documented record's keys, in the documented order.
const SAMPLE_RECORD_KEYS = ['time', 'flowLogVersion', 'flowLogGUID', 'macAddress', 'category', 'flowLogResourceID', 'targetResourceID', 'operationName', 'flowRecords'];

const base: VnetFlowLogEntry = {
  targetResourceId: '/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub',
  flowLogResourceId: '/subscriptions/sub1/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/flowLogs/hub-flowlog',
  flowLogGuid: guidOf('flowlog'), aclId: guidOf('nsg'), rule: 'DefaultRule_AllowInternetOutBound', mac: '00-0D-3A-00-00-01',
  time: 1_767_225_600_123, src: '10.0.0.6', dst: '192.0.2.180', srcPort: 23956, dstPort: 443, protocol: 6, direction: 'O', state: 'B',
  encryption: 'NX', packetsSrcToDst: 0, bytesSrcToDst: 0, packetsDstToSrc: 0, bytesDstToSrc: 0,
};

describe('VNet flow log v4', () => {
  it('tuples: unixMillis,src,dst,sport,dport,protocol,I|O,B|C|E|D,encryption,pkts,bytes,pkts,bytes, both ways', () => {
    expect(formatVnetFlowTuple(base)).toBe('1767225600123,10.0.0.6,192.0.2.180,23956,443,6,O,B,NX,0,0,0,0');
    const end = { ...base, state: 'E' as const, packetsSrcToDst: 3, bytesSrcToDst: 767, packetsDstToSrc: 2, bytesDstToSrc: 1580 };
    expect(formatVnetFlowTuple(end)).toBe('1767225600123,10.0.0.6,192.0.2.180,23956,443,6,O,E,NX,3,767,2,1580');
    const denied = '1767225598065,198.51.100.7,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0';
    expect(formatVnetFlowTuple(parseVnetFlowTuple(denied))).toBe(denied);
    expect(parseVnetFlowTuple(denied)).toMatchObject({ protocol: 6, direction: 'I', state: 'D', encryption: 'NX' });
    expect(() => parseVnetFlowTuple('1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66')).toThrow(/expected unixMillis/); // a v2 tuple
  });

  it('records per minute, target VNet and MAC, with the documented keys; flows by aclID, groups by rule', () => {
    const w = new VnetFlowLogWriter();
    w.add(base);
    w.add({ ...base, state: 'E', time: base.time + 5, packetsSrcToDst: 3, bytesSrcToDst: 767, packetsDstToSrc: 2, bytesDstToSrc: 1580 });
    w.add({ ...base, aclId: guidOf('other-nsg'), rule: 'UserRule_deny-ssh', direction: 'I', state: 'D', src: '198.51.100.7', dst: '10.0.0.6', dstPort: 22 });
    w.add({ ...base, time: base.time + 60_000 }); // next minute: next record
    const { records } = w.build();
    expect(records).toHaveLength(2);
    const [r] = records;
    expect(Object.keys(r!)).toEqual(SAMPLE_RECORD_KEYS);
    expect(r).toMatchObject({ flowLogVersion: 4, category: 'FlowLogFlowEvent', operationName: 'FlowLogFlowEvent', macAddress: '000D3A000001' });
    expect(r!.flowLogResourceID).toBe(base.flowLogResourceId.toUpperCase());
    expect(r!.time).toBe('2026-01-01T00:00:00.128Z');
    expect(r!.flowRecords.flows.map((f) => [f.aclID, f.flowGroups.map((g) => [g.rule, g.flowTuples.length])])).toEqual(
      [[guidOf('nsg'), [['DefaultRule_AllowInternetOutBound', 2]]], [guidOf('other-nsg'), [['UserRule_deny-ssh', 1]]]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
  });

  it('GUIDs derived from text are stable and GUID-shaped', () => {
    expect(guidOf('a')).toBe(guidOf('a'));
    expect(guidOf('a')).not.toBe(guidOf('b'));
    expect(guidOf('/subscriptions/x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
