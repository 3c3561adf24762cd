// Copyright 2026 the kprobes-sim authors. MIT license.
// A small seeded PRNG for the fuzzers: sfc32 (Chris Doty-Humphrey's "small
// fast counting" generator, public domain), seeded through splitmix32 so
// that nearby seeds give unrelated streams. Deterministic on every platform:
// a fuzzer prints the seed of the input that failed and `FUZZ_SEED=<seed>`
// regenerates exactly that input.

/** A seeded random source. Not for cryptography. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** The seed this generator started from. */
  readonly seed: number;

  /**
   * Creates a generator.
   *
   * @param seed Any 32-bit integer; the same seed gives the same stream.
   */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    let s = this.seed;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix() | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** A uniform integer in `[0, n)` (`n` ≤ 2^32). */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** A uniform integer in `[lo, hi]`. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** `n` uniform random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** A 64-bit unsigned value, biased toward edges (0, all ones, sign bits, small). */
  u64(): bigint {
    switch (this.below(6)) {
      case 0:
        return 0n;
      case 1:
        return (1n << 64n) - 1n;
      case 2:
        return 1n << BigInt(this.below(64));
      case 3:
        return BigInt(this.below(256));
      default:
        return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    }
  }
}

/** Derives the seed of iteration `i` of a run started from `base` (a 32-bit hash). */
export function iterationSeed(base: number, i: number): number {
  let z = (Math.imul(base >>> 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca77)) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x2c1b3c6d);
  z = Math.imul(z ^ (z >>> 12), 0x297a2d39);
  return (z ^ (z >>> 15)) >>> 0;
}
