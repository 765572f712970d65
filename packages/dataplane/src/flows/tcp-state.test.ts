import { describe, expect, it } from 'vitest';
import { TcpFlag } from '../packet/batch.js';
import { Dir, FLOW_STATE_NAMES, FlowState, TCP_TRANSITION_ROWS, tcpFlagClass, tcpNextState, FlagClass } from './tcp-state.js';

const { SYN, ACK, FIN, RST, PSH } = TcpFlag;
const run = (steps: [number, number][]) => steps.reduce((s, [dir, flags]) => tcpNextState(s, dir, flags), FlowState.New as number);
const F = Dir.Forward, R = Dir.Reverse;

describe('TCP state table', () => {
  it('has one row per state, two directions, five flag classes', () => {
    expect(TCP_TRANSITION_ROWS.length).toBe(FLOW_STATE_NAMES.length);
    for (const row of TCP_TRANSITION_ROWS) for (const cols of row) expect(cols.length).toBe(5);
    expect([tcpFlagClass(SYN), tcpFlagClass(SYN | ACK), tcpFlagClass(PSH | ACK), tcpFlagClass(FIN | ACK), tcpFlagClass(RST | ACK), tcpFlagClass(0)])
      .toEqual([FlagClass.Syn, FlagClass.SynAck, FlagClass.Ack, FlagClass.Fin, FlagClass.Rst, FlagClass.Ack]);
  });

  it('SYN -> SYN-ACK -> ACK is Established', () => {
    expect(run([[F, SYN]])).toBe(FlowState.SynSent);
    expect(run([[F, SYN], [R, SYN | ACK]])).toBe(FlowState.SynReceived);
    expect(run([[F, SYN], [R, SYN | ACK], [F, ACK]])).toBe(FlowState.Established);
    expect(run([[F, SYN], [R, SYN | ACK], [F, ACK], [R, PSH | ACK]])).toBe(FlowState.Established);
    expect(run([[F, SYN], [F, ACK]])).toBe(FlowState.SynSent); // no ACK before the SYN-ACK
  });

  it('FIN both ways then the last ACK is Closed, from either side first', () => {
    const est: [number, number][] = [[F, SYN], [R, SYN | ACK], [F, ACK]];
    expect(run([...est, [F, FIN | ACK]])).toBe(FlowState.FinFwd);
    expect(run([...est, [F, FIN | ACK], [R, FIN | ACK]])).toBe(FlowState.FinBoth);
    expect(run([...est, [F, FIN | ACK], [R, FIN | ACK], [F, ACK]])).toBe(FlowState.Closed);
    expect(run([...est, [R, FIN | ACK], [F, FIN | ACK], [R, ACK]])).toBe(FlowState.Closed);
    expect(run([...est, [R, FIN | ACK], [R, ACK]])).toBe(FlowState.FinRev);
  });

  it('an endpoint RST closes from any TCP state; a new SYN reopens a closed 5-tuple', () => {
    for (const s of [FlowState.New, FlowState.SynSent, FlowState.SynReceived, FlowState.Established, FlowState.FinFwd, FlowState.FinBoth])
      for (const d of [F, R]) expect(tcpNextState(s, d, RST | ACK)).toBe(FlowState.Closed);
    expect(tcpNextState(FlowState.Closed, F, SYN)).toBe(FlowState.SynSent);
  });

  it('R-SE-2: Reset is sticky (later packets of a reset connection stay Reset); Open stays Open', () => {
    for (const f of [SYN, SYN | ACK, ACK, FIN, RST]) for (const d of [F, R]) {
      expect(tcpNextState(FlowState.Reset, d, f)).toBe(FlowState.Reset);
      expect(tcpNextState(FlowState.Open, d, f)).toBe(FlowState.Open);
    }
  });

  it('a mid-stream first packet (after eviction or expiry) is picked up as Established', () => {
    expect(run([[F, PSH | ACK]])).toBe(FlowState.Established);
  });
});
