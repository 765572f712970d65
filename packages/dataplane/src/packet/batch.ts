// PacketBatch: a struct of typed arrays, allocated once with a fixed capacity and reused between runs (DESIGN.md
// "Packets"). Generators write rows with push4/push6 (no per-packet objects); stages read the input columns and fill
// the result columns.

import { Proto, RowState } from '@vnetsim/core';

/** IANA protocol numbers (core's protocol table), here because generators and stages write them into batches. */
export { Proto };

/** TCP flag bits as they appear in the TCP header's flag byte. */
export const TcpFlag = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

/** `purpose` column: what the packet is for. Disk IO of a VM's disks takes the platform storage path (R-SE-8). */
export const Purpose = { Normal: 0, DiskIo: 1 } as const;

/** `disposition` of a row no stage has decided yet (every packet must leave with a real one): RowState.Pending. */
export const DISPOSITION_PENDING = RowState.Pending;

export class PacketBatch {
  readonly capacity: number;
  /** Rows in use: 0..count-1. */
  count = 0;

  // Input columns, one entry per packet (src6/dst6: 4 words per packet, most significant first).
  readonly family: Uint8Array;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly src6: Uint32Array;
  readonly dst6: Uint32Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly proto: Uint8Array;
  readonly tcpFlags: Uint8Array;
  /** Total IP packet length in bytes. */
  readonly length: Uint16Array;
  /** Index of the source VM / on-premises site / subnet, as the pipeline defines it. */
  readonly ingress: Int32Array;
  /** Flow table id, -1 none. */
  readonly flowId: Int32Array;
  /** Seconds (simulation clock). */
  readonly time: Float64Array;
  /** Purpose (0 normal, 1 disk IO, R-SE-8); push4/push6 set 0, the caller marks disk rows after the push. */
  readonly purpose: Uint8Array;

  // Result columns.
  readonly disposition: Uint8Array;
  readonly dropReason: Uint8Array;
  readonly routeIndex: Int32Array;
  /** Winning NSG rule, -1 none. */
  readonly ruleIndex: Int32Array;
  /** Public source after translation, 0 = not translated. */
  readonly translatedSrc: Uint32Array;
  readonly translatedSrcPort: Uint16Array;
  /** 0 none, 403 (Storage AuthorizationFailure), 40914, 40615 (SQL). */
  readonly serviceError: Uint16Array;
  /** VM the packet was delivered to, -1 none. */
  readonly egressVm: Int32Array;

  /**
   * `buffer` (optional, at least `PacketBatch.byteLength(capacity)` bytes, e.g. a SharedArrayBuffer): the columns are
   * views into it, so another thread can read and write the same batch without copies (parallel/).
   */
  constructor(capacity: number, buffer?: ArrayBufferLike, parts?: ComposedParts) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24)
      throw new RangeError(`PacketBatch capacity: expected an integer from 1 to ${1 << 24}, got ${capacity}`);
    this.capacity = capacity;
    const at = new ColumnAllocator(parts === undefined ? buffer : undefined, parts === undefined ? capacity : 0);
    const inp = parts?.inputs, res = parts?.results;
    // Widest columns first, so every view stays aligned. Always the same fields in the same order (one shape).
    this.time = inp ? inp.time : at.take(Float64Array, 1);
    this.src = inp ? inp.src : at.take(Uint32Array, 1);
    this.dst = inp ? inp.dst : at.take(Uint32Array, 1);
    this.src6 = inp ? inp.src6 : at.take(Uint32Array, 4);
    this.dst6 = inp ? inp.dst6 : at.take(Uint32Array, 4);
    this.ingress = inp ? inp.ingress : at.take(Int32Array, 1);
    this.flowId = res ? res.flowId : at.take(Int32Array, 1);
    this.routeIndex = res ? res.routeIndex : at.take(Int32Array, 1);
    this.ruleIndex = res ? res.ruleIndex : at.take(Int32Array, 1);
    this.translatedSrc = res ? res.translatedSrc : at.take(Uint32Array, 1);
    this.egressVm = res ? res.egressVm : at.take(Int32Array, 1);
    this.srcPort = inp ? inp.srcPort : at.take(Uint16Array, 1);
    this.dstPort = inp ? inp.dstPort : at.take(Uint16Array, 1);
    this.length = inp ? inp.length : at.take(Uint16Array, 1);
    this.translatedSrcPort = res ? res.translatedSrcPort : at.take(Uint16Array, 1);
    this.serviceError = res ? res.serviceError : at.take(Uint16Array, 1);
    this.family = inp ? inp.family : at.take(Uint8Array, 1);
    this.proto = inp ? inp.proto : at.take(Uint8Array, 1);
    this.tcpFlags = inp ? inp.tcpFlags : at.take(Uint8Array, 1);
    this.disposition = res ? res.disposition : at.take(Uint8Array, 1);
    this.dropReason = res ? res.dropReason : at.take(Uint8Array, 1);
    this.purpose = inp ? inp.purpose : at.take(Uint8Array, 1);
    if (parts === undefined) this.resetResults();
  }

  /**
   * A batch that reads the packets (input columns) of `inputs` where they are and writes its results to the result
   * columns of `results`; nothing is copied (parallel/: a shard keeps its results in its own memory while it runs).
   */
  static compose(inputs: PacketBatch, results: PacketBatch): PacketBatch {
    if (results.capacity < inputs.capacity)
      throw new RangeError(`PacketBatch.compose: results of ${results.capacity} rows cannot hold a batch of ${inputs.capacity}`);
    return new PacketBatch(inputs.capacity, undefined, { inputs, results });
  }

  /** Bytes a `buffer` for a batch of `capacity` rows needs. */
  static byteLength(capacity: number): number {
    return capacity * BYTES_PER_ROW;
  }

  /** Empties the batch (rows are overwritten by the next pushes). */
  clear(): void {
    this.count = 0;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Appends an IPv4 packet; returns its row, or -1 when the batch is full. Result columns of the row are reset. */
  push4(
    src: number, dst: number, srcPort: number, dstPort: number, proto: number, tcpFlags: number,
    length: number, ingress: number, time: number,
  ): number {
    const i = this.count;
    if (i >= this.capacity) return -1;
    this.family[i] = 4;
    this.src[i] = src;
    this.dst[i] = dst;
    const w = i << 2;
    this.src6[w] = this.src6[w + 1] = this.src6[w + 2] = this.src6[w + 3] = 0;
    this.dst6[w] = this.dst6[w + 1] = this.dst6[w + 2] = this.dst6[w + 3] = 0;
    this.fillRow(i, srcPort, dstPort, proto, tcpFlags, length, ingress, time);
    this.count = i + 1;
    return i;
  }

  /** Appends an IPv6 packet: addresses are 4 words read from `s6[sOff..sOff+3]` and `d6[dOff..dOff+3]`. */
  push6(
    s6: ArrayLike<number>, sOff: number, d6: ArrayLike<number>, dOff: number, srcPort: number, dstPort: number,
    proto: number, tcpFlags: number, length: number, ingress: number, time: number,
  ): number {
    const i = this.count;
    if (i >= this.capacity) return -1;
    this.family[i] = 6;
    this.src[i] = 0;
    this.dst[i] = 0;
    const w = i << 2;
    for (let k = 0; k < 4; k++) {
      this.src6[w + k] = s6[sOff + k];
      this.dst6[w + k] = d6[dOff + k];
    }
    this.fillRow(i, srcPort, dstPort, proto, tcpFlags, length, ingress, time);
    this.count = i + 1;
    return i;
  }

  /** Appends the packet of row `i` of `from` (input columns only, results reset); returns the new row or -1. */
  pushPacket(from: PacketBatch, i: number): number {
    const j = this.count;
    if (j >= this.capacity) return -1;
    this.copyInputRow(from, i, j);
    this.flowId[j] = -1;
    this.resetRow(j);
    this.count = j + 1;
    return j;
  }

  /** Copies row `i` of `from` (input and result columns) to the end of this batch; returns the new row or -1. */
  pushRow(from: PacketBatch, i: number): number {
    const j = this.count;
    if (j >= this.capacity) return -1;
    this.copyInputRow(from, i, j);
    this.flowId[j] = from.flowId[i]!;
    this.disposition[j] = from.disposition[i]!;
    this.dropReason[j] = from.dropReason[i]!;
    this.routeIndex[j] = from.routeIndex[i]!;
    this.ruleIndex[j] = from.ruleIndex[i]!;
    this.translatedSrc[j] = from.translatedSrc[i]!;
    this.translatedSrcPort[j] = from.translatedSrcPort[i]!;
    this.serviceError[j] = from.serviceError[i]!;
    this.egressVm[j] = from.egressVm[i]!;
    this.count = j + 1;
    return j;
  }

  private copyInputRow(from: PacketBatch, i: number, j: number): void {
    this.family[j] = from.family[i]!;
    this.src[j] = from.src[i]!;
    this.dst[j] = from.dst[i]!;
    const x = i << 2, y = j << 2;
    for (let k = 0; k < 4; k++) {
      this.src6[y + k] = from.src6[x + k]!;
      this.dst6[y + k] = from.dst6[x + k]!;
    }
    this.srcPort[j] = from.srcPort[i]!;
    this.dstPort[j] = from.dstPort[i]!;
    this.proto[j] = from.proto[i]!;
    this.tcpFlags[j] = from.tcpFlags[i]!;
    this.length[j] = from.length[i]!;
    this.ingress[j] = from.ingress[i]!;
    this.time[j] = from.time[i]!;
    this.purpose[j] = from.purpose[i]!;
  }

  /** Result columns of row i as no stage has touched them. */
  private resetRow(i: number): void {
    this.disposition[i] = DISPOSITION_PENDING;
    this.dropReason[i] = 0;
    this.routeIndex[i] = -1;
    this.ruleIndex[i] = -1;
    this.translatedSrc[i] = 0;
    this.translatedSrcPort[i] = 0;
    this.serviceError[i] = 0;
    this.egressVm[i] = -1;
  }

  /** Resets the result columns of rows 0..count-1 (all rows when count is 0) and flowId to -1. */
  resetResults(): void {
    const n = this.count === 0 ? this.capacity : this.count;
    this.disposition.fill(DISPOSITION_PENDING, 0, n);
    this.dropReason.fill(0, 0, n);
    this.routeIndex.fill(-1, 0, n);
    this.ruleIndex.fill(-1, 0, n);
    this.translatedSrc.fill(0, 0, n);
    this.translatedSrcPort.fill(0, 0, n);
    this.serviceError.fill(0, 0, n);
    this.egressVm.fill(-1, 0, n);
    this.flowId.fill(-1, 0, n);
  }

  private fillRow(
    i: number, srcPort: number, dstPort: number, proto: number, tcpFlags: number, length: number, ingress: number,
    time: number,
  ): void {
    this.srcPort[i] = srcPort;
    this.dstPort[i] = dstPort;
    this.proto[i] = proto;
    this.tcpFlags[i] = tcpFlags;
    this.length[i] = length;
    this.ingress[i] = ingress;
    this.flowId[i] = -1;
    this.time[i] = time;
    this.purpose[i] = Purpose.Normal;
    this.resetRow(i);
  }
}

/** `PacketBatch.compose`: where the input and the result columns come from. */
export interface ComposedParts {
  inputs: PacketBatch;
  results: PacketBatch;
}

/** Bytes per row over all columns: time 8, eight 4-byte columns, IPv6 src/dst 2 x 16, five 2-byte, six 1-byte. */
const BYTES_PER_ROW = 8 + 4 * 8 + 4 * 8 + 2 * 5 + 6;

type ColumnType<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/** Hands out the columns of a batch: fresh arrays, or consecutive views into one buffer. */
class ColumnAllocator {
  private offset = 0;
  constructor(private readonly buffer: ArrayBufferLike | undefined, private readonly rows: number) {
    if (buffer !== undefined && buffer.byteLength < rows * BYTES_PER_ROW)
      throw new RangeError(`PacketBatch buffer: expected at least ${rows * BYTES_PER_ROW} bytes for ${rows} rows, got ${buffer.byteLength}`);
  }
  take<T>(type: ColumnType<T>, perRow: number): T {
    const n = this.rows * perRow;
    if (this.buffer === undefined) return new type(n);
    const view = new type(this.buffer, this.offset, n);
    this.offset += n * type.BYTES_PER_ELEMENT;
    return view;
  }
}
