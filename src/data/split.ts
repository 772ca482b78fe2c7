// The validation split: the one rule the library's fit and the CLI share.

import { ConfigError } from '../errors.ts';
import { Rng } from '../tensor/rng.ts';

/** 0, 1, …, n − 1 */
export function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/**
 * Hold out round(n · fraction) rows for validation, taken after shuffling with a generator of their
 * own seeded by `seed` (the model's config.seed).
 * NOTE: not drawn from the model's generator: every fit call on the same data gets the same split,
 * so continued training never moves validation rows into training.
 */
export function validationSplit(n: number, fraction: number, seed: number, shuffle = true, where = 'fit'): { train: Uint32Array; validation: Uint32Array } {
  const perm = shuffle ? new Rng(seed).permutation(n) : identity(n);
  const nVal = Math.round(n * fraction);
  if (nVal < 1 || nVal >= n) {
    throw new ConfigError('E_CONFIG', `${where}: validationSplit ${fraction} of ${n} rows leaves ${n - nVal} for training and ${nVal} for validation; both need at least one row`, { field: 'validationSplit', expected: `a fraction leaving ≥ 1 row on each side of ${n}`, received: fraction });
  }
  return { train: perm.subarray(0, n - nVal), validation: perm.subarray(n - nVal) };
}
