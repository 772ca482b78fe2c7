// One seeded pseudo-random generator for every draw in the library: weight init, shuffling,
// splits, data generators. No Math.random anywhere: the same seed gives the same numbers on
// every platform, and the state can be saved with a model so training resumes exactly.
//
// Algorithm: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/), 32-bit arithmetic
// with Math.imul, seeded through splitmix32 so that nearby seeds give unrelated streams.

import { ConfigError } from '../errors.ts';

/** The generator's whole state: four unsigned 32-bit words (xoshiro128**), not all zero. */
export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded pseudo-random generator (xoshiro128**): the only source of randomness in mlpkit, so the same seed gives the same numbers. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigError('E_CONFIG', `Rng: expected seed to be an integer in 0..4294967295, received ${seed}; use e.g. seed: 42`);
    }
    const sm = splitmix32(seed);
    // NOTE: the state words are held as int32 (| 0; getState gives them unsigned): kept uint32,
    // words ≥ 2³¹ made V8 store them as doubles, and a draw cost ~11 ns instead of ~3
    this.s0 = sm() | 0;
    this.s1 = sm() | 0;
    this.s2 = sm() | 0;
    this.s3 = sm() | 0;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer uniform in [0, n) without modulo bias (Lemire's rejection on 32 bits). */
  int(n: number): number {
    if (n <= 0 || n > 0x100000000) throw new ConfigError('E_CONFIG', `Rng.int: expected n in 1..2^32, received ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.nextU32();
      if (r < limit) return r % n;
    }
  }

  /** Standard normal by Box–Muller (one of the pair is used, so the state stays 4 words). */
  normal(mean = 0, std = 1): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T, n: number = a.length): T {
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** The four 32-bit state words, for saving. */
  getState(): RngState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Restore the state from getState. */
  setState(s: readonly number[]): this {
    if (s.length !== 4 || s.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff) || s.every((v) => v === 0)) {
      throw new ConfigError('E_CONFIG', `Rng.setState: expected 4 unsigned 32-bit integers, not all zero, received [${s.join(', ')}]`);
    }
    [this.s0, this.s1, this.s2, this.s3] = s.map((v) => v | 0);
    return this;
  }

  /** An independent generator in the same state. */
  clone(): Rng {
    return new Rng(0).setState(this.getState());
  }
}

/** x rotated left by k, as an int32 (its bits are what count). */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
