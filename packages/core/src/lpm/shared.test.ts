import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { maskIpv4 } from '../addr/index.js';
import {
  compileIpv4Multibit,
  compileIpv4Packed,
  compileIpv4Popcount,
  compileIpv4Ranges,
  compileIpv6,
  ipv4TableFromData,
  ipv6TableFromData,
  Ipv4Trie,
  Ipv6Trie,
  LpmArgumentError,
  shareTable,
  type LpmTableData,
} from './index.js';
import { rng } from './reference.test-util.js';

const postAndReceive = (data: LpmTableData): Promise<LpmTableData> =>
  new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port2.once('message', (received: LpmTableData) => {
      port1.close();
      port2.close();
      resolve(received);
    });
    port1.postMessage(data);
  });

describe('compiled tables as shared data (for worker_threads)', () => {
  it('shareTable puts every array in a SharedArrayBuffer; a table rebuilt after postMessage answers the same', async () => {
    const v4 = new Ipv4Trie();
    const v6 = new Ipv6Trie();
    const rand = rng(7);
    const p6: number[][] = [];
    for (let i = 0; i < 3000; i++) {
      const len = 8 + (rand() % 25);
      v4.insert((rand() & maskIpv4(len)) >>> 0, len, i);
      const w = [(0x20010000 | (rand() & 0xffff)) >>> 0, (rand() & 0xffff0000) >>> 0, 0, 0];
      v6.insert(w, 48, i);
      p6.push(w);
    }
    const addrs = Uint32Array.from({ length: 4000 }, () => rand());
    for (const table of [v4.compile(), compileIpv4Multibit(v4, '20-4-8'), compileIpv4Popcount(v4), compileIpv4Packed(v4), compileIpv4Ranges(v4, 16)]) {
      const data = shareTable(table);
      for (const a of Object.values(data)) if (ArrayBuffer.isView(a)) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      const copy = ipv4TableFromData(await postAndReceive(data));
      const want = new Int32Array(addrs.length);
      const got = new Int32Array(addrs.length);
      table.lookupBatch(addrs, want);
      copy.lookupBatch(addrs, got);
      expect(got).toEqual(want);
      expect(copy.byteLength).toBe(table.byteLength);
      const again = shareTable(copy) as Record<string, unknown>;
      for (const [k, a] of Object.entries(data)) if (ArrayBuffer.isView(a)) expect(again[k]).toBe((copy as unknown as { toData(): Record<string, unknown> }).toData()[k]); // already shared: kept, not copied
    }
    // Half inside inserted /48s, half random under 2001::/16.
    const a6 = Uint32Array.from({ length: 4 * 4000 }, (_, i) => {
      const w = p6[(i >>> 2) % p6.length]!;
      if ((i >>> 2) % 2 === 0) return i % 4 < 2 ? w[i % 4]! : rand();
      return i % 4 === 0 ? (0x20010000 | (rand() & 0xffff)) >>> 0 : rand();
    });
    for (const t6 of [v6.compile(), compileIpv6(v6)]) {
      const data6 = shareTable(t6);
      for (const a of Object.values(data6)) if (ArrayBuffer.isView(a)) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      const copy6 = ipv6TableFromData(await postAndReceive(data6));
      const want6 = new Int32Array(4000);
      const got6 = new Int32Array(4000);
      t6.lookupBatch(a6, want6);
      copy6.lookupBatch(a6, got6);
      expect(got6).toEqual(want6);
      expect(copy6.byteLength).toBe(t6.byteLength);
      expect([...want6].some((v) => v >= 0)).toBe(true);
    }
  });

  it('rejects data of the other family and objects that are not compiled tables', () => {
    const d4 = shareTable(new Ipv4Trie().compile());
    const d6 = shareTable(new Ipv6Trie().compile());
    expect(() => ipv6TableFromData(d4)).toThrow(LpmArgumentError);
    expect(() => ipv4TableFromData(d6)).toThrow(/not an IPv4 layout/);
    expect(() => shareTable({ lookup: () => -1, lookupBatch: () => undefined, byteLength: 0 })).toThrow(LpmArgumentError);
  });
});
