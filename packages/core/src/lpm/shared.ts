import { LpmArgumentError } from './errors.js';
import { Ipv4RangeTable } from './ipv4-ranges.js';
import { Ipv4MultibitTable, Ipv4SmallMultibitTable } from './ipv4-multibit.js';
import { Ipv4PopcountTable } from './ipv4-popcount.js';
import { Ipv4PackedTable } from './ipv4-packed.js';
import { Ipv6MultibitTable } from './ipv6-compiled.js';
import { Ipv6PopcountTable } from './ipv6-popcount.js';
import type { CompiledIpv4Trie, CompiledIpv6Trie } from './types.js';

/**
 * A compiled table as plain data (typed arrays and a layout tag): it crosses postMessage, and when its arrays live in
 * SharedArrayBuffers (shareTable) every worker reads the same memory without a copy (DESIGN: compiled tables in SAB).
 */
export type LpmTableData =
  | { layout: 'ipv4-20-4-8' | 'ipv4-16-4-4-8'; t: Int32Array }
  | { layout: 'ipv4-20-4-8-popcount'; root: Int32Array; bits: Uint16Array; t: Int32Array }
  | { layout: 'ipv4-20-4-8-packed'; root: Int32Array; base: Int32Array; t: Int32Array }
  | { layout: 'ipv4-ranges'; directBits: number; direct: Int32Array; chunkStart: Int32Array; keys: Uint16Array; vals: Int32Array }
  | { layout: 'ipv6-multibit'; t: Int32Array; keys: Uint16Array }
  | { layout: 'ipv6-popcount'; t: Int32Array };

type WithData = { toData(): LpmTableData };

function toShared<T extends Int32Array | Uint16Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/** The table's data with every array in a SharedArrayBuffer (copied once; already-shared arrays are kept). */
export function shareTable(table: CompiledIpv4Trie | CompiledIpv6Trie): LpmTableData {
  const toData = (table as Partial<WithData>).toData;
  if (typeof toData !== 'function') throw new LpmArgumentError('shareTable: not a table compiled by this module');
  const d = toData.call(table);
  switch (d.layout) {
    case 'ipv4-20-4-8':
    case 'ipv4-16-4-4-8':
      return { layout: d.layout, t: toShared(d.t) };
    case 'ipv4-20-4-8-popcount':
      return { layout: d.layout, root: toShared(d.root), bits: toShared(d.bits), t: toShared(d.t) };
    case 'ipv4-20-4-8-packed':
      return { layout: d.layout, root: toShared(d.root), base: toShared(d.base), t: toShared(d.t) };
    case 'ipv4-ranges':
      return { ...d, direct: toShared(d.direct), chunkStart: toShared(d.chunkStart), keys: toShared(d.keys), vals: toShared(d.vals) };
    case 'ipv6-multibit':
      return { layout: d.layout, t: toShared(d.t), keys: toShared(d.keys) };
    case 'ipv6-popcount':
      return { layout: d.layout, t: toShared(d.t) };
  }
}

/** Rebuilds an IPv4 table around data from toData/shareTable (no copy). */
export function ipv4TableFromData(d: LpmTableData): CompiledIpv4Trie {
  switch (d.layout) {
    case 'ipv4-20-4-8':
      return new Ipv4MultibitTable(d.t);
    case 'ipv4-16-4-4-8':
      return new Ipv4SmallMultibitTable(d.t);
    case 'ipv4-20-4-8-popcount':
      return new Ipv4PopcountTable(d.root, d.bits, d.t);
    case 'ipv4-20-4-8-packed':
      return new Ipv4PackedTable(d.root, d.base, d.t);
    case 'ipv4-ranges':
      return new Ipv4RangeTable(d.directBits, d.direct, d.chunkStart, d.keys, d.vals);
    default:
      throw new LpmArgumentError(`ipv4TableFromData: layout "${String(d.layout)}" is not an IPv4 layout`);
  }
}

/** Rebuilds an IPv6 table around data from toData/shareTable (no copy). */
export function ipv6TableFromData(d: LpmTableData): CompiledIpv6Trie {
  switch (d.layout) {
    case 'ipv6-multibit':
      return new Ipv6MultibitTable(d.t, d.keys);
    case 'ipv6-popcount':
      return new Ipv6PopcountTable(d.t);
    default:
      throw new LpmArgumentError(`ipv6TableFromData: layout "${String(d.layout)}" is not an IPv6 layout`);
  }
}
