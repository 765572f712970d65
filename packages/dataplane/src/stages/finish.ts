import { DISPOSITION_PENDING, type PacketBatch } from '../packet/batch.js';

/** Ends packet i with a disposition and a drop reason (0 = none). A packet's disposition is set exactly once. */
export function finish(b: PacketBatch, i: number, disposition: number, reason: number): void {
  b.disposition[i] = disposition;
  b.dropReason[i] = reason;
}

export function pending(b: PacketBatch, i: number): boolean {
  return b.disposition[i] === DISPOSITION_PENDING;
}
