// Splitting rows into k folds, seeded: plain k-fold over a shuffled order, or stratified (each
// class spread over the folds in proportion, as scikit-learn's StratifiedKFold does: the rows of
// each class, shuffled, dealt to the folds in turn).

import { ConfigError } from '../errors.ts';
import { Rng } from '../tensor/rng.ts';
import type { Label } from '../data/input.ts';

/** The test rows of each fold; every row is in exactly one fold's test set. */
export function kFold(n: number, k: number, rng: Rng): Uint32Array[] {
  checkFolds(n, k);
  const order = rng.permutation(n);
  const folds: Uint32Array[] = [];
  // the first n mod k folds get one row more
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    folds.push(order.slice(start, start + size).sort());
    start += size;
  }
  return folds;
}

/** Stratified folds: each class's rows, shuffled, go round-robin over the folds. */
export function stratifiedKFold(labels: readonly Label[], k: number, rng: Rng): Uint32Array[] {
  checkFolds(labels.length, k);
  const byClass = new Map<Label, number[]>();
  labels.forEach((v, i) => (byClass.get(v) ?? byClass.set(v, []).get(v)!).push(i));
  for (const [label, rows] of byClass) {
    if (rows.length < k) {
      throw new ConfigError('E_CONFIG', `crossValidate: class ${JSON.stringify(label)} has ${rows.length} row${rows.length === 1 ? '' : 's'}, fewer than the ${k} folds, so some folds would test without it; use folds: ${Math.max(2, rows.length)} or stratify: false`, { field: 'folds', expected: `at most ${rows.length}`, received: k });
    }
  }
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0; // continue the round-robin across classes, so fold sizes differ by at most one
  for (const rows of byClass.values()) {
    const p = rng.permutation(rows.length);
    for (let i = 0; i < rows.length; i++) folds[next++ % k].push(rows[p[i]]);
  }
  return folds.map((f) => Uint32Array.from(f).sort());
}

function checkFolds(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 2) throw new ConfigError('E_CONFIG', `crossValidate: expected folds to be an integer ≥ 2, received ${JSON.stringify(k)}; 5 is usual`, { field: 'folds', expected: 'an integer ≥ 2', received: k });
  if (k > n) throw new ConfigError('E_CONFIG', `crossValidate: ${k} folds need at least ${k} rows, received ${n}; use fewer folds`, { field: 'folds', expected: `at most ${n}`, received: k });
}

/** The rows of 0..n-1 that are not in `test` (sorted). */
export function complement(n: number, test: Uint32Array): Uint32Array {
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  const out = new Uint32Array(n - test.length);
  let j = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) out[j++] = i;
  return out;
}
