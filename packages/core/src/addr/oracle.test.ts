// The address parsers and formatters against an independent implementation: ip-num (a dependency the project chose
// for edges like this one) parses and formats the same texts to the same numbers.
import fc from 'fast-check';
import { IPv4, IPv4CidrRange, IPv6 } from 'ip-num';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, ipv4InPrefix, parseIpv4, parseIpv4Cidr, parseIpv6 } from './index.js';

const SEED = 11_0001;
const words = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 });
const toBig = (w: ArrayLike<number>): bigint => Array.from(w).reduce((a, x) => (a << 32n) | BigInt(x >>> 0), 0n);

describe('addresses against ip-num (an independent oracle)', () => {
  it('R-ADDR-1: IPv4 text round-trips the same number both ways', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => {
        expect(IPv4.fromString(formatIpv4(x)).getValue()).toBe(BigInt(x));
        expect(parseIpv4(IPv4.fromNumber(BigInt(x)).toString())).toBe(x);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('R-ADDR-1: IPv6 text (ours compressed, ip-num\'s) parses to the same 128-bit number', () => {
    fc.assert(
      fc.property(words, (w) => {
        const v = toBig(w);
        expect(IPv6.fromString(formatIpv6(Uint32Array.from(w))).getValue()).toBe(v);
        expect(toBig(parseIpv6(IPv6.fromBigInt(v).toString()))).toBe(v);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('R-ADDR-1: an IPv4 prefix holds exactly the addresses ip-num\'s range holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (base, len, probe) => {
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        const text = `${formatIpv4((base & mask) >>> 0)}/${len}`;
        const ours = parseIpv4Cidr(text);
        const theirs = IPv4CidrRange.fromCidr(text);
        expect(BigInt(ours.prefix)).toBe(theirs.getFirst().getValue());
        const inTheirs = theirs.contains(IPv4.fromNumber(BigInt(probe)));
        expect(ipv4InPrefix(probe, ours.prefix, ours.length)).toBe(inTheirs);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
