// Issue 7: the address and prefix parsers on random and near-valid text. Every input ends in a result or an
// AddressError (never another exception, never a hang), and whatever parses formats back to a canonical text that
// parses to the same value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressError,
  formatCidr,
  formatIpv4,
  formatIpv6,
  parseAddress,
  parseCidr,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv6,
  parseIpv6Cidr,
} from './index.js';

const SEED = 7_0001;
const RUNS = 4000;
const ALPHABET = '0123456789abcdefABCDEFx.:/ -%[]\u0660\uff11\n';

/** Calls f; returns the result, or undefined when it threw an AddressError; rethrows anything else. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof AddressError) {
      expect(e.message.length).toBeGreaterThan(0);
      return undefined;
    }
    throw e;
  }
}

/** Text that looks like an address or prefix: valid forms, then a few character edits. */
const word = fc.nat({ max: 0xffffffff });
const validText = fc.oneof(
  fc.tuple(word, fc.nat(32)).map(([a, l]) => `${formatIpv4(a)}/${l}`),
  fc.tuple(word, word, word, word, fc.nat(128)).map(([a, b, c, d, l]) => `${formatIpv6([a, b, c, d])}/${l}`),
  word.map(formatIpv4),
  fc.tuple(word, word, word, word).map((w) => formatIpv6(w)),
  word.map((a) => `::ffff:${formatIpv4(a)}`),
);
const edit = fc.record({ op: fc.constantFrom('insert', 'delete', 'replace', 'double'), pos: fc.nat(), ch: fc.constantFrom(...ALPHABET) });
const nearValid = fc.tuple(validText, fc.array(edit, { minLength: 0, maxLength: 3 })).map(([text, edits]) => {
  let t = text;
  for (const e of edits) {
    const p = e.pos % (t.length + 1);
    if (e.op === 'insert') t = t.slice(0, p) + e.ch + t.slice(p);
    else if (e.op === 'delete') t = t.slice(0, p) + t.slice(p + 1);
    else if (e.op === 'replace') t = t.slice(0, p) + e.ch + t.slice(p + 1);
    else t = t.slice(0, p) + t.slice(p, p + 4).repeat(2) + t.slice(p + 4);
  }
  return t;
});
const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }), nearValid, nearValid);

let cases = 0;

/** Every parser on one text: the properties above. */
function checkText(t: string): void {
  cases++;
  const v4 = attempt(() => parseIpv4(t));
  // Strict IPv4 text (no leading zeros, four octets) is already canonical.
  if (v4 !== undefined) expect(formatIpv4(v4)).toBe(t);
  const v6 = attempt(() => parseIpv6(t));
  if (v6 !== undefined) {
    const canon = formatIpv6(v6);
    expect(Array.from(parseIpv6(canon))).toEqual(Array.from(v6));
    expect(formatIpv6(parseIpv6(canon))).toBe(canon);
  }
  for (const bare of [false, true]) {
    const c4 = attempt(() => parseIpv4Cidr(t, bare));
    if (c4 !== undefined) expect(parseIpv4Cidr(`${formatIpv4(c4.prefix)}/${c4.length}`)).toEqual(c4);
    const c6 = attempt(() => parseIpv6Cidr(t, bare));
    if (c6 !== undefined) {
      const canon = `${formatIpv6(c6.words)}/${c6.length}`;
      const again = parseIpv6Cidr(canon);
      expect([Array.from(again.words), again.length]).toEqual([Array.from(c6.words), c6.length]);
    }
    const c = attempt(() => parseCidr(t, bare));
    if (c !== undefined) {
      const canon = formatCidr(c);
      expect(formatCidr(parseCidr(canon))).toBe(canon);
      expect(c.length).toBeGreaterThanOrEqual(0);
      expect(c.length).toBeLessThanOrEqual(c.family === 4 ? 32 : 128);
    }
  }
  const a = attempt(() => parseAddress(t));
  if (a !== undefined) expect(a.family === 4 ? a.addr === v4 : v6 !== undefined).toBe(true);
}

describe('address parsers under fuzzing (issue 7)', () => {
  it('R-ADDR-1: random and near-valid text gives a value or an AddressError; what parses round-trips canonically (fast-check, seeded)', () => {
    fc.assert(fc.property(anyText, (t) => checkText(t)), { seed: SEED, numRuns: RUNS });
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  });

  it('R-ADDR-1: long and pathological text is refused quickly (no regex blow-up, no hang)', () => {
    const long = [
      '1'.repeat(100_000),
      ':'.repeat(100_000),
      '1:'.repeat(50_000),
      '1.'.repeat(50_000) + '1',
      `${'0'.repeat(50_000)}/${'9'.repeat(50_000)}`,
      `::${'ffff:'.repeat(20_000)}1.2.3.4`,
      `10.0.0.0/${'/'.repeat(100_000)}`,
    ];
    for (const t of long) checkText(t);
    // Non-strings are AddressErrors too (values from YAML or JSON may be anything).
    for (const x of [undefined, null, 42, {}, [], Symbol('s'), 10n])
      for (const f of [parseIpv4, parseIpv6, parseIpv4Cidr, parseIpv6Cidr, parseCidr, parseAddress] as ((v: unknown) => unknown)[])
        expect(() => f(x), `${f.name}(${String(x)})`).toThrow(AddressError);
  });
});
