// TCP sequence and acknowledgement numbers for captured packets, kept per connection so that a capture reads as real
// TCP to Wireshark: SYN carries the initial sequence number (ISN), SYN|ACK acknowledges ISN + 1, data advances the
// sender's number by its payload, FIN by one, RST takes the sender's next number. The pipeline tracks no sequence
// numbers (flows/tcp-state.ts); this is capture-side state only, never on the per-packet path of a run.
//
// ISN (RFC 6528's shape): a hash of the 4-tuple plus a clock that ticks every 4 microseconds of simulated time, so a
// connection's numbers are deterministic and a later connection on the same 4-tuple starts elsewhere.
import { TcpFlag } from '../packet/batch.js';

interface Conn {
  /** The initiator's end (`addr/port` text). */
  init: string;
  nextInit: number;
  nextResp: number;
  /** Anything the capture wants to remember per connection (the disposition text of its first packet). */
  note: string;
}

export class TcpNumbers {
  /** Numbers of the last packet `next*` computed. */
  seq = 0;
  ack = 0;
  /** Connection of the last packet (its `note` may be read and written). */
  private conn: Conn | null = null;
  private readonly conns = new Map<string, Conn>();

  get size(): number {
    return this.conns.size;
  }

  get note(): string {
    return this.conn?.note ?? '';
  }

  set note(text: string) {
    if (this.conn !== null) this.conn.note = text;
  }

  /** Numbers for an IPv4 TCP packet src:sport -> dst:dport with `flags` and `payload` bytes at `time` (seconds). */
  next4(src: number, dst: number, sport: number, dport: number, flags: number, payload: number, time: number): void {
    this.next(`${src >>> 0}/${sport}`, `${dst >>> 0}/${dport}`, flags, payload, time);
  }

  /** next4 for IPv6 (addresses: 4 words at s[sOff], d[dOff]). */
  next6(s: ArrayLike<number>, sOff: number, d: ArrayLike<number>, dOff: number, sport: number, dport: number, flags: number, payload: number, time: number): void {
    const a = `${s[sOff]! >>> 0}.${s[sOff + 1]! >>> 0}.${s[sOff + 2]! >>> 0}.${s[sOff + 3]! >>> 0}/${sport}`;
    const b = `${d[dOff]! >>> 0}.${d[dOff + 1]! >>> 0}.${d[dOff + 2]! >>> 0}.${d[dOff + 3]! >>> 0}/${dport}`;
    this.next(a, b, flags, payload, time);
  }

  private next(from: string, to: string, flags: number, payload: number, time: number): void {
    const key = from < to ? `${from}|${to}` : `${to}|${from}`;
    let c = this.conns.get(key);
    const syn = (flags & TcpFlag.SYN) !== 0, ackFlag = (flags & TcpFlag.ACK) !== 0;
    if (c === undefined || (syn && !ackFlag)) {
      // A SYN opens a new connection; a packet of a connection whose start was not captured picks it up mid-stream.
      const clock = Math.floor(time * 250_000);
      const isnI = (hashText(key, 0x1b873593) + clock) >>> 0;
      const isnR = (hashText(key, 0x85ebca6b) + clock) >>> 0;
      c = { init: from, nextInit: syn && !ackFlag ? isnI : (isnI + 1) >>> 0, nextResp: (isnR + 1) >>> 0, note: '' };
      if (syn && !ackFlag) c.nextResp = isnR; // the SYN|ACK will carry isnR itself
      this.conns.set(key, c);
    }
    this.conn = c;
    const fromInit = c.init === from;
    const mine = fromInit ? c.nextInit : c.nextResp;
    let other = fromInit ? c.nextResp : c.nextInit;
    // The initiator's SYN has not been answered yet: its ACK field is 0 (and not set).
    if (fromInit && syn && !ackFlag) other = 0;
    this.seq = mine;
    this.ack = ackFlag ? other : 0;
    if (flags & TcpFlag.RST) return; // RST consumes no sequence space
    const used = payload + (syn ? 1 : 0) + (flags & TcpFlag.FIN ? 1 : 0);
    if (fromInit) c.nextInit = (mine + used) >>> 0;
    else c.nextResp = (mine + used) >>> 0;
  }
}

/** 32-bit FNV-1a of a string, then a murmur finalizer (seeded). */
function hashText(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
