// Naive references for the tests: one Map per prefix length, probed from the longest length down.
import { maskIpv4, maskIpv6InPlace } from '../addr/index.js';

export class RefV4 {
  readonly maps: Map<number, number>[] = Array.from({ length: 33 }, () => new Map());
  set(prefix: number, length: number, value: number): void {
    this.maps[length]!.set(prefix, value);
  }
  delete(prefix: number, length: number): boolean {
    return this.maps[length]!.delete(prefix);
  }
  lookup(addr: number): number {
    for (let len = 32; len >= 0; len--) {
      const v = this.maps[len]!.get((addr & maskIpv4(len)) >>> 0);
      if (v !== undefined) return v;
    }
    return -1;
  }
  get size(): number {
    return this.maps.reduce((s, m) => s + m.size, 0);
  }
}

const key6 = (w: ArrayLike<number>, length: number): string => {
  const m = maskIpv6InPlace(Uint32Array.from(w), length);
  return `${m[0]},${m[1]},${m[2]},${m[3]}`;
};

export class RefV6 {
  readonly maps: Map<string, number>[] = Array.from({ length: 129 }, () => new Map());
  set(w: ArrayLike<number>, length: number, value: number): void {
    this.maps[length]!.set(key6(w, length), value);
  }
  delete(w: ArrayLike<number>, length: number): boolean {
    return this.maps[length]!.delete(key6(w, length));
  }
  lookup(w: ArrayLike<number>): number {
    for (let len = 128; len >= 0; len--) {
      if (this.maps[len]!.size === 0) continue;
      const v = this.maps[len]!.get(key6(w, len));
      if (v !== undefined) return v;
    }
    return -1;
  }
}

/** Small seeded PRNG (mulberry32) so that failing cases replay. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
