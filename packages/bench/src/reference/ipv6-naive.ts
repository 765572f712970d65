// A naive IPv6 LPM (one Map per prefix length, longest first): the correctness guard for the IPv6 cases.
// Slow by design (a string key per probed length); never timed.

function maskWord(w: number, bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? w >>> 0 : (w & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
}

function key(words: ArrayLike<number>, off: number, length: number): string {
  let k = '';
  for (let w = 0; w < 4; w++) k += maskWord(words[off + w], length - w * 32).toString(16) + ':';
  return k;
}

export class NaiveIpv6Lpm {
  private readonly byLength = new Map<number, Map<string, number>>();
  private lengthsDesc: number[] = [];

  insert(words: ArrayLike<number>, off: number, length: number, value: number): void {
    let m = this.byLength.get(length);
    if (!m) {
      m = new Map();
      this.byLength.set(length, m);
      this.lengthsDesc = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    m.set(key(words, off, length), value);
  }

  /** Address at addrs[off..off+3]. */
  lookup(addrs: ArrayLike<number>, off: number): number {
    for (const len of this.lengthsDesc) {
      const v = this.byLength.get(len)!.get(key(addrs, off, len));
      if (v !== undefined) return v;
    }
    return -1;
  }
}
