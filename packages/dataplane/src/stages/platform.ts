// Stage: VM disk traffic (managed and unmanaged disks: attach, detach, disk IO) takes the platform's storage path:
// no NSG, no route, no endpoint, no flow record (R-SE-8: it is never diverted by endpoint routes).
import { Disposition, RowState } from '@vnetsim/core';
import { Purpose, type PacketBatch } from '../packet/batch.js';
import type { StageContext } from './context.js';
import { finish } from './finish.js';

export function platformStage(b: PacketBatch, ctx: StageContext): void {
  const purpose = b.purpose;
  const sc = ctx.scratch;
  const rows = sc.own;
  if (sc.ownAll) {
    for (let i = 0; i < b.count; i++) if (purpose[i] === Purpose.DiskIo && b.disposition[i] === RowState.Pending) finish(b, i, Disposition.Delivered, 0);
    return;
  }
  for (let j = 0, n = sc.ownCount; j < n; j++) {
    const i = rows[j]!;
    if (purpose[i] === Purpose.DiskIo && b.disposition[i] === RowState.Pending) finish(b, i, Disposition.Delivered, 0);
  }
}
