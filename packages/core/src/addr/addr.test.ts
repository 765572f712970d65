import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressError,
  formatCidr,
  formatIpv4,
  formatIpv6,
  ipv4InPrefix,
  ipv4PrefixContains,
  ipv4PrefixesOverlap,
  ipv6InPrefix,
  ipv6PrefixContains,
  maskIpv4,
  maskIpv6InPlace,
  parseAddress,
  parseCidr,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv6,
  parseIpv6Cidr,
} from './index.js';

const words = (w: Uint32Array) => Array.from(w);

describe('IPv4 addresses', () => {
  it('R-ADDR-1: parses dotted quads to uint32 and formats them back', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('10.1.2.3')).toBe(0x0a010203);
    expect(parseIpv4('192.168.0.1')).toBe(0xc0a80001); // above 2^31: stays positive
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    expect(formatIpv4(-1)).toBe('255.255.255.255'); // an int32 view of the same bits
  });

  it('R-ADDR-1: rejects malformed addresses with a message that says what was wrong', () => {
    const bad: [string, RegExp][] = [
      ['', /not an IPv4 address/],
      ['1.2.3', /not an IPv4 address/],
      ['1.2.3.4.5', /not an IPv4 address/],
      ['1.2.3.256', /octet 256 is greater than 255/],
      ['01.2.3.4', /leading zero/],
      ['1.2.3.-4', /not an IPv4 address/],
      [' 1.2.3.4', /not an IPv4 address/],
      ['1.2.3.4 ', /not an IPv4 address/],
      ['a.b.c.d', /not an IPv4 address/],
      ['1.2.3.4/32', /not an IPv4 address/],
    ];
    for (const [text, why] of bad) {
      expect(() => parseIpv4(text), text).toThrow(AddressError);
      expect(() => parseIpv4(text), text).toThrow(why);
    }
    expect(() => parseIpv4(42 as unknown as string)).toThrow(/expected an IPv4 address string, got number/);
  });

  it('R-ADDR-1: a prefix with host bits set is rejected, and the error shows the canonical form', () => {
    expect(() => parseIpv4Cidr('10.0.0.1/24')).toThrow('did you mean 10.0.0.0/24?');
    expect(() => parseIpv4Cidr('10.0.0.1/24')).toThrow(AddressError);
    expect(() => parseIpv4Cidr('192.168.1.0/16')).toThrow('did you mean 192.168.0.0/16?');
    expect(() => parseIpv4Cidr('0.0.0.1/0')).toThrow('did you mean 0.0.0.0/0?');
    const err = (() => {
      try {
        parseIpv4Cidr('10.0.0.1/24');
      } catch (e) {
        return e as AddressError;
      }
      return undefined;
    })();
    expect(err?.input).toBe('10.0.0.1/24');
  });

  it('R-ADDR-1: parses canonical prefixes at every length and rejects bad lengths', () => {
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ prefix: 0, length: 0 });
    expect(parseIpv4Cidr('10.0.0.0/8')).toEqual({ prefix: 0x0a000000, length: 8 });
    expect(parseIpv4Cidr('255.255.255.255/32')).toEqual({ prefix: 0xffffffff, length: 32 });
    for (const text of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8.5', '10.0.0.0/ 8', '10.0.0.0/008'])
      expect(() => parseIpv4Cidr(text), text).toThrow(AddressError);
    expect(() => parseIpv4Cidr('10.0.0.0')).toThrow(/expected a\.b\.c\.d\/n/);
    expect(parseIpv4Cidr('10.0.0.1', true)).toEqual({ prefix: 0x0a000001, length: 32 });
  });

  it('masks, containment and overlap', () => {
    expect(maskIpv4(0)).toBe(0);
    expect(maskIpv4(1)).toBe(0x80000000);
    expect(maskIpv4(24)).toBe(0xffffff00);
    expect(maskIpv4(32)).toBe(0xffffffff);
    expect(ipv4InPrefix(parseIpv4('10.255.0.1'), parseIpv4('10.0.0.0'), 8)).toBe(true);
    expect(ipv4InPrefix(parseIpv4('11.0.0.0'), parseIpv4('10.0.0.0'), 8)).toBe(false);
    expect(ipv4InPrefix(parseIpv4('200.1.2.3'), 0, 0)).toBe(true);
    expect(ipv4InPrefix(parseIpv4('200.1.2.3'), parseIpv4('200.1.2.3'), 32)).toBe(true);
    const a = parseIpv4Cidr('10.0.0.0/8');
    const b = parseIpv4Cidr('10.1.0.0/16');
    const c = parseIpv4Cidr('11.0.0.0/8');
    expect(ipv4PrefixContains(a, b)).toBe(true);
    expect(ipv4PrefixContains(b, a)).toBe(false);
    expect(ipv4PrefixContains(a, a)).toBe(true);
    expect(ipv4PrefixesOverlap(b, a)).toBe(true);
    expect(ipv4PrefixesOverlap(a, c)).toBe(false);
  });

  it('R-ADDR-1: format(parse(x)) is the identity on uint32 addresses and canonical prefixes (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat(32), (addr, len) => {
        expect(parseIpv4(formatIpv4(addr))).toBe(addr);
        const prefix = (addr & maskIpv4(len)) >>> 0;
        expect(parseIpv4Cidr(`${formatIpv4(prefix)}/${len}`)).toEqual({ prefix, length: len });
        if (prefix !== addr) expect(() => parseIpv4Cidr(`${formatIpv4(addr)}/${len}`)).toThrow(`did you mean ${formatIpv4(prefix)}/${len}?`);
      }),
    );
  });
});

describe('IPv6 addresses', () => {
  it('R-ADDR-1: parses full, compressed and dotted-tail forms into 4 words, most significant first', () => {
    expect(words(parseIpv6('::'))).toEqual([0, 0, 0, 0]);
    expect(words(parseIpv6('::1'))).toEqual([0, 0, 0, 1]);
    expect(words(parseIpv6('2001:db8::'))).toEqual([0x20010db8, 0, 0, 0]);
    expect(words(parseIpv6('2001:0db8:0000:0000:0000:0000:0000:0001'))).toEqual([0x20010db8, 0, 0, 1]);
    expect(words(parseIpv6('FFFF:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect(words(parseIpv6('::ffff:192.0.2.1'))).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect(words(parseIpv6('1:2:3:4:5:6:7::'))).toEqual([0x00010002, 0x00030004, 0x00050006, 0x00070000]);
    expect(words(parseIpv6('::2:3:4:5:6:7:8'))).toEqual([0x00000002, 0x00030004, 0x00050006, 0x00070008]);
  });

  it('R-ADDR-1: rejects malformed IPv6 text with a reason', () => {
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['1::2::3', /"::" appears more than once/],
      ['1:2:3:4:5:6:7', /expected 8 groups, found 7/],
      ['1:2:3:4:5:6:7:8:9', /expected 8 groups, found 9/],
      ['1:2:3:4::5:6:7:8', /too many groups around "::"/],
      ['12345::', /not a group of 1 to 4 hex digits/],
      ['g::', /not a group of 1 to 4 hex digits/],
      ['1:::2', /empty group/],
      ['::1.2.3.256', /octet above 255/],
      ['::1.2.3', /not a dotted IPv4 tail/],
    ];
    for (const [text, why] of bad) {
      expect(() => parseIpv6(text), text).toThrow(AddressError);
      expect(() => parseIpv6(text), text).toThrow(why);
    }
  });

  it('formats per RFC 5952: lower case, the longest zero run compressed, a single zero group not compressed', () => {
    expect(formatIpv6(parseIpv6('2001:DB8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatIpv6(parseIpv6('::'))).toBe('::');
    expect(formatIpv6(parseIpv6('::1'))).toBe('::1');
    expect(formatIpv6(parseIpv6('1::'))).toBe('1::');
    expect(formatIpv6(parseIpv6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(parseIpv6('2001:0:0:1:0:0:0:1'))).toBe('2001:0:0:1::1');
    expect(formatIpv6(parseIpv6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1'); // first of equal runs
  });

  it('R-ADDR-1: a prefix with host bits set is rejected with its canonical form; lengths are checked', () => {
    expect(() => parseIpv6Cidr('2001:db8::1/64')).toThrow('did you mean 2001:db8::/64?');
    expect(() => parseIpv6Cidr('2001:db8:ffff::/20')).toThrow('did you mean 2001::/20?');
    expect(() => parseIpv6Cidr('2001:db8:ffff::/36')).toThrow('did you mean 2001:db8:f000::/36?');
    expect(() => parseIpv6Cidr('::1/0')).toThrow('did you mean ::/0?');
    expect(() => parseIpv6Cidr('2001:db8::/129')).toThrow(/not a number from 0 to 128/);
    expect(() => parseIpv6Cidr('2001:db8::/x')).toThrow(AddressError);
    expect(() => parseIpv6Cidr('2001:db8::')).toThrow(/expected address\/n/);
    const c = parseIpv6Cidr('2001:db8::/32');
    expect(words(c.words)).toEqual([0x20010db8, 0, 0, 0]);
    expect(c.length).toBe(32);
    expect(parseIpv6Cidr('::1', true).length).toBe(128);
  });

  it('masks and containment across word boundaries', () => {
    expect(words(maskIpv6InPlace(parseIpv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 33))).toEqual([0xffffffff, 0x80000000, 0, 0]);
    expect(words(maskIpv6InPlace(parseIpv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 0))).toEqual([0, 0, 0, 0]);
    expect(words(maskIpv6InPlace(parseIpv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 128))).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect(ipv6InPrefix(parseIpv6('2001:db8:1::5'), parseIpv6('2001:db8::'), 32)).toBe(true);
    expect(ipv6InPrefix(parseIpv6('2001:db9::5'), parseIpv6('2001:db8::'), 32)).toBe(false);
    expect(ipv6InPrefix(parseIpv6('2001:db8::5'), parseIpv6('2001:db8::5'), 128)).toBe(true);
    expect(ipv6InPrefix(parseIpv6('2001:db8::4'), parseIpv6('2001:db8::5'), 128)).toBe(false);
    expect(ipv6PrefixContains(parseIpv6Cidr('2001:db8::/32'), parseIpv6Cidr('2001:db8:1::/48'))).toBe(true);
    expect(ipv6PrefixContains(parseIpv6Cidr('2001:db8:1::/48'), parseIpv6Cidr('2001:db8::/32'))).toBe(false);
  });

  it('R-ADDR-1: format(parse(x)) is the identity on random words; canonical prefixes round-trip (property)', () => {
    const word = fc.nat({ max: 0xffffffff });
    fc.assert(
      fc.property(fc.tuple(word, word, word, word), fc.nat(128), (w, len) => {
        const a = Uint32Array.from(w);
        expect(words(parseIpv6(formatIpv6(a)))).toEqual(w);
        const p = maskIpv6InPlace(Uint32Array.from(a), len);
        const c = parseIpv6Cidr(`${formatIpv6(p)}/${len}`);
        expect([words(c.words), c.length]).toEqual([words(p), len]);
      }),
    );
  });
});

describe('either family', () => {
  it('R-ADDR-1: parseCidr and parseAddress pick the family from the text; formatCidr inverts parseCidr', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ family: 4, prefix: 0x0a000000, length: 8 });
    const six = parseCidr('2001:db8::/32');
    expect(six.family).toBe(6);
    expect(formatCidr(six)).toBe('2001:db8::/32');
    expect(formatCidr(parseCidr('10.0.0.0/8'))).toBe('10.0.0.0/8');
    expect(parseCidr('10.0.0.1', true)).toEqual({ family: 4, prefix: 0x0a000001, length: 32 });
    expect(() => parseCidr('10.0.0.1')).toThrow(AddressError);
    expect(() => parseCidr('10.0.0.1/8')).toThrow('did you mean 10.0.0.0/8?');
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, addr: 0x0a000001 });
    const a6 = parseAddress('::1');
    expect(a6.family === 6 && words(a6.words)).toEqual([0, 0, 0, 1]);
    expect(() => parseAddress('nonsense')).toThrow(AddressError);
    expect(() => parseCidr(undefined as unknown as string)).toThrow(/expected an address or prefix string/);
  });
});

describe('prefix lengths are canonical', () => {
  it('R-ADDR-1: a prefix length with a leading zero is rejected (IPv4 and IPv6), 0 itself is fine', () => {
    expect(() => parseIpv4Cidr('10.0.0.0/08')).toThrow(/prefix length "08"/);
    expect(() => parseIpv6Cidr('2001:db8::/064')).toThrow(/prefix length "064"/);
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ prefix: 0, length: 0 });
    expect(parseIpv6Cidr('::/0').length).toBe(0);
  });
});
