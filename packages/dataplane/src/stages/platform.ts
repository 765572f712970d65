// Stage: VM disk traffic (managed and unmanaged disks: attach, detach, disk IO) takes the platform's storage path:
// no NSG, no route, no endpoint, no flow record (R-SE-8: it is never diverted by endpoint routes).
import { Disposition } from '@vnetsim/core';
import { Purpose, type PacketBatch } from '../packet/batch.js';
import { Todo, type StageContext } from './context.js';
import { finish } from './finish.js';

export function platformStage(b: PacketBatch, ctx: StageContext): void {
  const purpose = b.purpose;
  const sc = ctx.scratch;
  const todo = sc.todo, rows = sc.own, all = sc.ownAll;
  for (let j = 0, n = sc.ownCount; j < n; j++) {
    const i = all ? j : rows[j]!;
    if (purpose[i] === Purpose.DiskIo && todo[i] === Todo.Pending) finish(b, ctx, i, Disposition.Delivered, 0);
  }
}
