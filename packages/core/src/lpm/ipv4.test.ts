import { describe, expect, it } from 'vitest';
import { maskIpv4, parseIpv4, parseIpv4Cidr } from '../addr/index.js';
import {
  compileIpv4Multibit,
  compileIpv4Packed,
  compileIpv4Popcount,
  Ipv4MultibitTable,
  Ipv4PackedTable,
  compileIpv4Ranges,
  Ipv4SmallMultibitTable,
  Ipv4Trie,
  LpmArgumentError,
  LpmCapacityError,
} from './index.js';

const ip = parseIpv4;
const cidr = (t: Ipv4Trie, text: string, value: number): void => {
  const c = parseIpv4Cidr(text);
  t.insert(c.prefix, c.length, value);
};
/** Every compiled layout under test: the default and the other direct-table widths. */
const layouts = (t: Ipv4Trie) => [
  t.compile(),
  compileIpv4Multibit(t, '20-4-8'),
  compileIpv4Multibit(t, '16-4-4-8'),
  compileIpv4Popcount(t),
  compileIpv4Packed(t),
  compileIpv4Ranges(t, 16),
  compileIpv4Ranges(t, 20),
];
const lookupAll = (t: Ipv4Trie, addr: string): number[] => {
  const a = ip(addr);
  const batchOut = new Int32Array(1);
  return layouts(t).flatMap((c) => {
    c.lookupBatch(Uint32Array.of(a), batchOut);
    return [c.lookup(a), batchOut[0]!];
  });
};
const expectLookup = (t: Ipv4Trie, addr: string, value: number): void => {
  expect(lookupAll(t, addr), addr).toEqual(Array(14).fill(value));
  expect(t.longestMatch(ip(addr)), addr).toBe(value);
};

describe('Ipv4Trie and its compiled table (rte_lpm checklist)', () => {
  it('an empty table matches nothing', () => {
    const t = new Ipv4Trie();
    expect(t.size).toBe(0);
    for (const a of ['0.0.0.0', '10.1.2.3', '255.255.255.255']) expectLookup(t, a, -1);
    expect(t.get(0, 0)).toBe(-1);
  });

  it('/0 matches every address, /32 only its own', () => {
    const t = new Ipv4Trie();
    t.insert(0, 0, 7);
    cidr(t, '192.0.2.1/32', 9);
    expectLookup(t, '0.0.0.0', 7);
    expectLookup(t, '255.255.255.255', 7);
    expectLookup(t, '192.0.2.1', 9);
    expectLookup(t, '192.0.2.0', 7);
    expectLookup(t, '192.0.2.2', 7);
    cidr(t, '255.255.255.255/32', 3);
    cidr(t, '0.0.0.0/32', 4);
    expectLookup(t, '255.255.255.255', 3);
    expectLookup(t, '0.0.0.0', 4);
    expectLookup(t, '0.0.0.1', 7);
  });

  // Stride boundaries of the layouts: multibit 20-4-8 (/20|/21, /24|/25) and 16-4-4-8 (/16|/17, /20|/21, /24|/25),
  // packed (/20|/21 split into /24 slots), DXR with direct tables of 16 and 20 bits (runs keyed below them); plus /8 and /31.
  for (const len of [1, 7, 8, 9, 15, 16, 17, 19, 20, 21, 23, 24, 25, 31, 32]) {
    it(`a /${len} covers exactly its range, around every stride boundary`, () => {
      const t = new Ipv4Trie();
      const prefix = (ip('172.20.128.0') & maskIpv4(len)) >>> 0;
      t.insert(prefix, len, 5);
      const size = 2 ** (32 - len);
      const first = prefix;
      const last = prefix + size - 1;
      const at = (a: number) => lookupAll(t, `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`);
      expect(at(first)).toEqual(Array(14).fill(5));
      expect(at(last)).toEqual(Array(14).fill(5));
      if (first > 0) expect(at(first - 1)).toEqual(Array(14).fill(-1));
      if (last < 0xffffffff) expect(at(last + 1)).toEqual(Array(14).fill(-1));
      expect(t.get(prefix, len)).toBe(5);
    });
  }

  it('more specific beats less specific, at every length from /0 to /32', () => {
    const t = new Ipv4Trie();
    const addr = ip('203.0.113.77');
    for (let len = 0; len <= 32; len++) {
      t.insert((addr & maskIpv4(len)) >>> 0, len, 100 + len);
      const c = t.compile();
      expect(c.lookup(addr)).toBe(100 + len);
    }
    // Walking down: deleting the longest restores the next covering route each time.
    for (let len = 32; len >= 0; len--) {
      expectLookup(t, '203.0.113.77', 100 + len);
      expect(t.delete((addr & maskIpv4(len)) >>> 0, len)).toBe(true);
    }
    expectLookup(t, '203.0.113.77', -1);
    expect(t.size).toBe(0);
  });

  it('delete restores the covering route and reports whether the prefix was there', () => {
    const t = new Ipv4Trie();
    cidr(t, '10.0.0.0/8', 1);
    cidr(t, '10.1.0.0/16', 2);
    cidr(t, '10.1.2.0/24', 3);
    cidr(t, '10.1.2.128/25', 4);
    expectLookup(t, '10.1.2.200', 4);
    expect(t.delete(ip('10.1.2.128'), 25)).toBe(true);
    expectLookup(t, '10.1.2.200', 3);
    expect(t.delete(ip('10.1.2.128'), 25)).toBe(false);
    expect(t.delete(ip('10.1.2.0'), 24)).toBe(true);
    expectLookup(t, '10.1.2.200', 2);
    expect(t.delete(ip('10.1.0.0'), 16)).toBe(true);
    expectLookup(t, '10.1.2.200', 1);
    expect(t.delete(ip('10.2.0.0'), 16)).toBe(false); // never inserted, below an existing prefix
    expect(t.delete(ip('11.0.0.0'), 8)).toBe(false); // no path at all
    expect(t.size).toBe(1);
  });

  it('insert replaces the value of an existing prefix (overwrite) without growing the size', () => {
    const t = new Ipv4Trie();
    cidr(t, '198.51.100.0/24', 1);
    cidr(t, '198.51.100.0/24', 2);
    expect(t.size).toBe(1);
    expect(t.get(ip('198.51.100.0'), 24)).toBe(2);
    expectLookup(t, '198.51.100.9', 2);
  });

  it('a compiled table is a snapshot: later inserts and deletes do not change it', () => {
    const t = new Ipv4Trie();
    cidr(t, '10.0.0.0/8', 1);
    const before = t.compile();
    cidr(t, '10.0.0.0/24', 2);
    t.delete(ip('10.0.0.0'), 8);
    expect(before.lookup(ip('10.0.0.1'))).toBe(1);
    expect(t.compile().lookup(ip('10.0.0.1'))).toBe(2);
    expect(t.compile().lookup(ip('10.9.0.1'))).toBe(-1);
  });

  it('neighbouring prefixes with equal values and a gap between them stay distinct', () => {
    const t = new Ipv4Trie();
    cidr(t, '10.0.0.0/24', 1);
    cidr(t, '10.0.2.0/24', 1);
    cidr(t, '10.0.1.0/25', 2);
    expectLookup(t, '10.0.0.255', 1);
    expectLookup(t, '10.0.1.0', 2);
    expectLookup(t, '10.0.1.127', 2);
    expectLookup(t, '10.0.1.128', -1);
    expectLookup(t, '10.0.2.0', 1);
    expectLookup(t, '10.0.3.0', -1);
  });

  it('walk and entries list every prefix once, in address order, with its value', () => {
    const t = new Ipv4Trie();
    cidr(t, '10.1.0.0/16', 2);
    cidr(t, '0.0.0.0/0', 0);
    cidr(t, '10.0.0.0/8', 1);
    cidr(t, '192.168.0.0/16', 3);
    const seen: string[] = [];
    t.walk((p, l, v) => seen.push(`${p}/${l}=${v}`));
    expect(seen).toEqual(['0/0=0', `${ip('10.0.0.0')}/8=1`, `${ip('10.1.0.0')}/16=2`, `${ip('192.168.0.0')}/16=3`]);
    expect([...t.entries()]).toEqual([
      [0, 0, 0],
      [ip('10.0.0.0'), 8, 1],
      [ip('10.1.0.0'), 16, 2],
      [ip('192.168.0.0'), 16, 3],
    ]);
  });

  it('R-ADDR-1: a prefix with host bits set is rejected with its canonical form', () => {
    const t = new Ipv4Trie();
    expect(() => t.insert(ip('10.0.0.1'), 24, 1)).toThrow(LpmArgumentError);
    expect(() => t.insert(ip('10.0.0.1'), 24, 1)).toThrow('did you mean 10.0.0.0/24?');
    expect(() => t.delete(ip('10.0.0.1'), 8)).toThrow('did you mean 10.0.0.0/8?');
    expect(() => t.get(1, 0)).toThrow('did you mean 0.0.0.0/0?');
    expect(t.size).toBe(0);
  });

  it('rejects lengths, prefixes and values out of range instead of defaulting', () => {
    const t = new Ipv4Trie();
    expect(() => t.insert(0, 33, 1)).toThrow(/prefix length 33 is not an integer from 0 to 32/);
    expect(() => t.insert(0, -1, 1)).toThrow(LpmArgumentError);
    expect(() => t.insert(0, 1.5, 1)).toThrow(LpmArgumentError);
    expect(() => t.insert(-1, 32, 1)).toThrow(/not a uint32/);
    expect(() => t.insert(2 ** 32, 32, 1)).toThrow(/not a uint32/);
    expect(() => t.insert(0, 0, -1)).toThrow(/value -1 is not an integer from 0 to 2147483647/);
    expect(() => t.insert(0, 0, 0.5)).toThrow(LpmArgumentError);
    expect(() => t.insert(0, 0, 2 ** 31)).toThrow(LpmArgumentError);
    expect(() => t.insert(0, 0, Number.NaN)).toThrow(LpmArgumentError);
    t.insert(0, 0, 2 ** 31 - 1);
    expect(t.compile().lookup(5)).toBe(2 ** 31 - 1);
    expect(() => compileIpv4Ranges(t, 12)).toThrow(LpmArgumentError);
  });

  it('lookupBatch fills count results, defaults count to addrs.length, and rejects a count that does not fit', () => {
    const t = new Ipv4Trie();
    cidr(t, '10.0.0.0/8', 1);
    const c = t.compile();
    const addrs = Uint32Array.of(ip('10.0.0.1'), ip('11.0.0.1'), ip('10.255.255.255'));
    const out = new Int32Array(4).fill(99);
    c.lookupBatch(addrs, out);
    expect([...out]).toEqual([1, -1, 1, 99]);
    out.fill(99);
    c.lookupBatch(addrs, out, 1);
    expect([...out]).toEqual([1, 99, 99, 99]);
    expect(() => c.lookupBatch(addrs, new Int32Array(2))).toThrow(LpmArgumentError);
    expect(() => c.lookupBatch(addrs, out, 4)).toThrow(LpmArgumentError);
  });

  it('capacity exhaustion is a named error that leaves the trie unchanged, and deleted nodes are reused', () => {
    const t = new Ipv4Trie({ maxNodes: 1 + 24 });
    cidr(t, '10.1.2.0/24', 1); // uses exactly 24 nodes below the root
    const err = (() => {
      try {
        cidr(t, '10.1.3.0/24', 2);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(LpmCapacityError);
    expect((err as LpmCapacityError).limit).toBe(25);
    expect((err as Error).message).toMatch(/10\.1\.3\.0\/24.*limit of 25 nodes/);
    expect(t.size).toBe(1);
    expectLookup(t, '10.1.3.1', -1);
    cidr(t, '10.1.2.0/23', 3); // an existing path: no new node needed
    expect(t.delete(ip('10.1.2.0'), 24)).toBe(true);
    cidr(t, '10.1.3.0/24', 2); // the freed node is reused
    expectLookup(t, '10.1.3.1', 2);
    expectLookup(t, '10.1.2.1', 3);
    expect(t.size).toBe(2);
  });

  it('20-4-8 layout: a 4 MiB root; longer than /20 adds a 16-entry node, longer than /24 a run list or a 256-entry node', () => {
    const t = new Ipv4Trie();
    const bytes = () => compileIpv4Multibit(t, '20-4-8').byteLength;
    cidr(t, '10.0.0.0/8', 1);
    expect(bytes()).toBe(4 << 20);
    cidr(t, '10.0.0.0/21', 2);
    expect(bytes()).toBe((4 << 20) + 16 * 4);
    cidr(t, '10.0.8.0/25', 3); // 2 runs in 10.0.8.0/24: a run list (count, 2 pairs, padding) = 6 entries
    expect(bytes()).toBe((4 << 20) + 16 * 4 + 6 * 4);
    expectLookup(t, '10.0.7.255', 2);
    expectLookup(t, '10.0.8.127', 3);
    expectLookup(t, '10.0.8.128', 1);
    expectLookup(t, '10.0.16.0', 1);
    // 16 /32s with distinct values in 10.0.9.0/24: 33 runs, a direct 256-entry node.
    for (let i = 0; i < 16; i++) t.insert(ip(`10.0.9.${2 * i + 1}`), 32, 100 + i);
    expect(bytes()).toBe((4 << 20) + 16 * 4 + 6 * 4 + 256 * 4);
    expectLookup(t, '10.0.9.0', 1);
    expectLookup(t, '10.0.9.1', 100);
    expectLookup(t, '10.0.9.2', 1);
    expectLookup(t, '10.0.9.31', 115);
    expectLookup(t, '10.0.9.32', 1);
    // 8 /32s: 17 runs or fewer -> run list; every run found by the scan, including the last one.
    for (let i = 0; i < 8; i++) t.insert(ip(`10.0.10.${30 * i + 5}`), 32, 200 + i);
    for (let i = 0; i < 8; i++) {
      expectLookup(t, `10.0.10.${30 * i + 5}`, 200 + i);
      expectLookup(t, `10.0.10.${30 * i + 6}`, 1);
      expectLookup(t, `10.0.10.${30 * i + 4}`, 1);
    }
    expectLookup(t, '10.0.10.255', 1);
  });

  it('small tables compile to 16-4-4-8: a 256 KiB root, 16-entry nodes under /16 and /20, a run list under /24', () => {
    const t = new Ipv4Trie();
    cidr(t, '10.0.0.0/8', 1);
    expect(t.compile()).toBeInstanceOf(Ipv4SmallMultibitTable);
    expect(t.compile().byteLength).toBe(256 << 10);
    cidr(t, '10.0.8.0/25', 3);
    expect(t.compile().byteLength).toBe((256 << 10) + 16 * 4 + 16 * 4 + 6 * 4);
    expectLookup(t, '10.0.8.127', 3);
    expectLookup(t, '10.0.8.128', 1);
    expect(() => compileIpv4Multibit(t, '8-8-8-8' as '20-4-8')).toThrow(LpmArgumentError);
  });

  it('compile() picks 20-4-8 for large tables and the packed form when long prefixes cover most /20s', () => {
    const t = new Ipv4Trie();
    for (let i = 0; i < 70_000; i++) t.insert((i << 12) >>> 0, 20, i); // /20s only: no /20 nodes
    expect(t.compile()).toBeInstanceOf(Ipv4MultibitTable);
    for (let i = 0; i < 250_000; i++) t.insert(((i << 12) | 0x100) >>> 0, 24, 1_000_000 + i); // a /24 in 250k /20s
    const c = t.compile();
    expect(c).toBeInstanceOf(Ipv4PackedTable);
    expect(c.byteLength).toBeLessThan(compileIpv4Multibit(t, '20-4-8').byteLength / 2);
    expect(c.byteLength).toBeLessThan(compileIpv4Popcount(t).byteLength);
    const addrs = Uint32Array.from({ length: 5000 }, (_, i) => (((i * 40) << 12) | ((i * 7919) & 0xfff)) >>> 0);
    const got = new Int32Array(addrs.length);
    c.lookupBatch(addrs, got);
    for (let i = 0; i < addrs.length; i++) expect(got[i]).toBe(t.longestMatch(addrs[i]!));
  });

  it('packed layout: runs starting at every /24 slot of a /20, the largest value as a leaf, and full /12 blocks', () => {
    const t = new Ipv4Trie();
    // 10.0.0.0/20: a run at each of the 16 /24 slots (values 0..15), the last slot split by a /25 (a /24 node).
    for (let s = 0; s < 16; s++) t.insert(((10 << 24) | (s << 8)) >>> 0, 24, s);
    t.insert(((10 << 24) | (15 << 8) | 128) >>> 0, 25, 99);
    // 11.0.0.0/12 entirely made of /24s: 4,096 entries in one /12 block, the most its 16-bit offsets address.
    for (let i = 0; i < 4096; i++) t.insert(((11 << 24) | (i << 8)) >>> 0, 24, 100 + i);
    // A /20 whose only value is the largest one a table stores: a one-entry node, not a leaf word.
    t.insert(((12 << 24) | (5 << 12)) >>> 0, 20, 0x7fffffff);
    t.insert(((12 << 24) | (6 << 12)) >>> 0, 20, 0x7ffffffe);
    const c = compileIpv4Packed(t);
    const addrs: number[] = [];
    for (let s = 0; s < 16; s++) addrs.push(((10 << 24) | (s << 8) | 0x7f) >>> 0, ((10 << 24) | (s << 8) | 0x80) >>> 0);
    for (let i = 0; i < 4096; i += 255) addrs.push(((11 << 24) | (i << 8) | 1) >>> 0);
    addrs.push(((11 << 24) | (4095 << 8) | 255) >>> 0, ((12 << 24) | (5 << 12) | 77) >>> 0, ((12 << 24) | (6 << 12)) >>> 0);
    addrs.push(((12 << 24) | (7 << 12)) >>> 0, ((12 << 24) | (5 << 12)) - 1);
    const a = Uint32Array.from(addrs);
    const out = new Int32Array(a.length);
    c.lookupBatch(a, out);
    for (let i = 0; i < a.length; i++) expect([out[i], c.lookup(a[i]!)], String(i)).toEqual([t.longestMatch(a[i]!), t.longestMatch(a[i]!)]);
    expect(out[31]).toBe(99);
    expect(out[30]).toBe(15);
    expect(Array.from(out.subarray(-4))).toEqual([0x7fffffff, 0x7ffffffe, -1, -1]);
  });

  it('byteLength counts the compiled arrays and grows with the table', () => {
    const t = new Ipv4Trie();
    const empty = t.compile().byteLength;
    expect(empty).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) t.insert(((i * 7919) << 8) >>> 0, 24, i);
    expect(t.compile().byteLength).toBeGreaterThan(empty);
  });
});
