// TCP connection tracking as a table (STYLE.md 7): next = TCP_TRANSITIONS[state][dir][flagClass]. The flow table
// tracks what an Azure host's connection tracker sees, not a full TCP endpoint: no sequence numbers, no windows.

/** Flow states. TCP flows start in New; other protocols live in Open. */
export const FlowState = {
  New: 0, // record created, first packet not yet classified
  SynSent: 1, // initiator sent SYN
  SynReceived: 2, // responder answered SYN|ACK
  Established: 3, // initiator ACKed the SYN|ACK (or a mid-stream flow was picked up)
  FinFwd: 4, // initiator sent FIN
  FinRev: 5, // responder sent FIN
  FinBoth: 6, // both sent FIN, waiting for the last ACK
  Closed: 7, // closed by FIN/ACK or by an endpoint's RST
  Reset: 8, // R-SE-2: reset by an endpoint toggle; a tombstone, later packets end as FlowReset
  Open: 9, // UDP, ICMP and other non-TCP flows
} as const;
export type FlowState = (typeof FlowState)[keyof typeof FlowState];
export const FLOW_STATE_NAMES = Object.keys(FlowState) as (keyof typeof FlowState)[];

/** Packet direction relative to the flow's initiator. */
export const Dir = { Forward: 0, Reverse: 1 } as const;

/** TCP flag classes, the columns of the table. */
export const FlagClass = { Syn: 0, SynAck: 1, Ack: 2, Fin: 3, Rst: 4 } as const;
const FLAG_CLASSES = 5;
const STATES = 10;

/** RST wins; then SYN|ACK, SYN, FIN; anything else (ACK, PSH|ACK, no flags) is Ack. */
export function tcpFlagClass(flags: number): number {
  if (flags & 4) return FlagClass.Rst;
  if (flags & 2) return flags & 16 ? FlagClass.SynAck : FlagClass.Syn;
  if (flags & 1) return FlagClass.Fin;
  return FlagClass.Ack;
}

const { SynSent: SS, SynReceived: SR, Established: ES, FinFwd: FF, FinRev: FR, FinBoth: FB, Closed: CL, Reset: RS, Open: OP } = FlowState;

/**
 * Rows: one per state; each row has the forward and reverse transitions, columns SYN, SYN|ACK, ACK, FIN, RST.
 * An endpoint's RST closes the connection (Closed); only an endpoint toggle (R-SE-2) makes Reset, and Reset is sticky.
 */
// prettier-ignore
export const TCP_TRANSITION_ROWS: readonly (readonly [readonly number[], readonly number[]])[] = [
  //                         forward: SYN  SYNACK ACK FIN RST      reverse: SYN SYNACK ACK FIN RST
  /* New: first packet */   [[SS, SR, ES, FF, CL],                [SS, SR, ES, FR, CL]],
  /* SynSent */             [[SS, SS, SS, SS, CL],                [SS, SR, SS, SS, CL]],
  /* SynReceived */         [[SR, SR, ES, FF, CL],                [SR, SR, SR, FR, CL]],
  /* Established */         [[ES, ES, ES, FF, CL],                [ES, ES, ES, FR, CL]],
  /* FinFwd */              [[FF, FF, FF, FF, CL],                [FF, FF, FF, FB, CL]],
  /* FinRev */              [[FR, FR, FR, FB, CL],                [FR, FR, FR, FR, CL]],
  /* FinBoth: last ACK */   [[FB, FB, CL, FB, CL],                [FB, FB, CL, FB, CL]],
  /* Closed: new SYN */     [[SS, CL, CL, CL, CL],                [CL, CL, CL, CL, CL]],
  /* Reset (sticky) */      [[RS, RS, RS, RS, RS],                [RS, RS, RS, RS, RS]],
  /* Open (non-TCP) */      [[OP, OP, OP, OP, OP],                [OP, OP, OP, OP, OP]],
];

/** The same table, flat: index ((state * 2 + dir) * 5 + flagClass). */
export const TCP_TRANSITIONS = new Uint8Array(STATES * 2 * FLAG_CLASSES);
TCP_TRANSITION_ROWS.forEach((row, state) =>
  row.forEach((cols, dir) => cols.forEach((next, cls) => (TCP_TRANSITIONS[(state * 2 + dir) * FLAG_CLASSES + cls] = next))),
);

/** Next state of a flow in `state` after a packet in direction `dir` with TCP `flags`. */
export function tcpNextState(state: number, dir: number, flags: number): number {
  return TCP_TRANSITIONS[(state * 2 + dir) * FLAG_CLASSES + tcpFlagClass(flags)];
}
