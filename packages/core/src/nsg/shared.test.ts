// A classifier rebuilt from its shared data (toData -> postMessage -> classifierFromData) classifies every packet as
// the compiled one: the data plane's workers read these arrays in place (DESIGN.md "Scale").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../addr/index.js';
import { builtinServiceTags } from '../model/service-tags/index.js';
import type { Direction, SecurityRuleSpec } from '../model/types.js';
import { oneNsgNetwork, rule } from './fixtures.test-util.js';
import { classifierCompiles, classifierFromData, compileNsgs, CompiledNsgClassifier } from './index.js';

const tags = builtinServiceTags();
const FIELDS = ['*', 'VirtualNetwork', 'Internet', 'Storage', 'Sql.WestEurope', '10.0.1.0/24', '52.239.0.0/16', '8.8.8.0/29', '0.0.0.0/1', 'fd00:1::/64', '2603:1020::/32'];
const PORTS = ['*', '22', '443', '1000-2000', '53'];

const ruleSet = (dir: Direction) =>
  fc.uniqueArray(fc.integer({ min: 100, max: 4096 }), { maxLength: 60 }).chain((prios) =>
    fc.tuple(...prios.map((priority, i) =>
      fc.record({
        access: fc.constantFrom('Allow' as const, 'Deny' as const),
        protocol: fc.constantFrom('Tcp' as const, 'Udp' as const, 'Icmp' as const, '*' as const),
        source: fc.constantFrom(...FIELDS), destination: fc.constantFrom(...FIELDS),
        sourcePorts: fc.constantFrom(...PORTS), destinationPorts: fc.constantFrom(...PORTS),
      }).map((r): SecurityRuleSpec => rule(`r${i}`, priority, dir, r.access, r.source, r.destination, r)),
    )),
  );
const tuple = fc.record({
  p: fc.constantFrom(6, 17, 1, 50), s: fc.nat({ max: 0xffffffff }), d: fc.nat({ max: 0xffffffff }),
  sp: fc.nat({ max: 65535 }), dp: fc.nat({ max: 65535 }),
  // Near the rules' prefixes too: 10.0.1.x, 52.239.x.x, 8.8.8.x.
  near: fc.constantFrom(0, 0x0a000100, 0x34ef0000, 0x08080800), low: fc.nat({ max: 0xffff }),
});

describe('CompiledNsgClassifier.toData / classifierFromData', () => {
  for (const dir of ['Outbound', 'Inbound'] as const) {
    it(`R-NSG-2: a classifier rebuilt from shared data gives the compiled one's rule for random 5-tuples (${dir})`, () => {
      fc.assert(
        fc.property(ruleSet(dir), fc.array(tuple, { minLength: 30, maxLength: 80 }), (rules, pkts) => {
          const c = compileNsgs(oneNsgNetwork(rules), tags).classifier('N', dir, 'hub') as CompiledNsgClassifier;
          const data = structuredClone(c.toData()); // what a worker receives: arrays still share memory
          const before = classifierCompiles.count;
          const r = classifierFromData(data);
          expect(classifierCompiles.count).toBe(before);
          expect(r.rules).toEqual(c.rules);
          expect(Array.from(r.allow)).toEqual(Array.from(c.allow));
          const addrs = new Uint32Array(8);
          for (const k of pkts) {
            const s = k.near === 0 ? k.s : (k.near | (k.low & 0xff)) >>> 0;
            const d = k.near === 0 ? k.d : (k.near | k.low) >>> 0;
            expect(r.classify4(k.p, s, k.sp, d, k.dp), `${k.p} ${formatIpv4(s)}:${k.sp} -> ${formatIpv4(d)}:${k.dp}`).toBe(c.classify4(k.p, s, k.sp, d, k.dp));
            addrs[0] = 0xfd000001; addrs[1] = k.s; addrs[2] = k.low; addrs[3] = k.d;
            addrs[4] = k.near === 0 ? 0x26031020 : 0xfd000001; addrs[5] = k.d; addrs[6] = 0; addrs[7] = k.s;
            expect(r.classify6(k.p, addrs, 0, k.sp, 4, k.dp)).toBe(c.classify6(k.p, addrs, 0, k.sp, 4, k.dp));
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('puts every typed array in a SharedArrayBuffer once, and the rebuilt classifier reads those very arrays', () => {
    const c = compileNsgs(oneNsgNetwork([rule('a', 100, 'Outbound', 'Deny', 'Storage', '*', {})]), tags).classifier('N', 'Outbound', 'hub') as CompiledNsgClassifier;
    const data = c.toData();
    const arrays = [data.allow, data.bits, data.proto, data.sport, data.dport, data.src6Starts, data.src6Offs, data.dst6Starts, data.dst6Offs,
      ...[data.src4, data.dst4].flatMap((f) => [f.l1, f.l2, f.l3, f.starts, f.offs])];
    for (const a of arrays) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    const r = classifierFromData(data);
    expect(r.bits).toBe(data.bits);
    expect(r.allow).toBe(data.allow);
    // Shared data shares again as itself (no second copy).
    expect(r.toData().bits).toBe(data.bits);
    expect(r.expanded).toEqual([]);
  });
});
