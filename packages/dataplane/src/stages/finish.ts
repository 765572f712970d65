import { type PacketBatch } from '../packet/batch.js';

/** Ends packet i with a disposition and a drop reason (0 = none). A packet's disposition is set exactly once. */
export function finish(b: PacketBatch, i: number, disposition: number, reason: number): void {
  b.disposition[i] = disposition;
  b.dropReason[i] = reason;
}
