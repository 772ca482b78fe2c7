// Sample weights and class weights → one weight per training row.
// - sampleWeight: one number ≥ 0 per row (finite, not all 0);
// - classWeight: 'balanced' as scikit-learn computes it, w_c = n / (k · n_c) for n rows, k classes
//   and n_c rows of class c (so every class carries the same total weight), or a map label → weight
//   (classes left out weigh 1).
// Both given: the row's weight is their product, as in scikit-learn.
// The loss is then the weighted mean Σ wᵢℓᵢ / Σ wᵢ (nn/network.ts), so a weight of 2 counts a row twice.

import { ConfigError, DataError, describe } from '../errors.ts';
import type { Label } from './input.ts';

/** Class weights: 'balanced' (n_samples / (n_classes · count of the class), as scikit-learn computes it), or a weight per label. */
export type ClassWeight = 'balanced' | Record<string, number> | Map<Label, number>;

/** Per-row weights from the options, or null when neither is given. labels: class labels (classification) or null. */
export function rowWeights(n: number, sampleWeight: ArrayLike<number> | undefined, classWeight: ClassWeight | undefined, labels: readonly Label[] | null, where: string): Float64Array | null {
  if (sampleWeight === undefined && classWeight === undefined) return null;
  const w = new Float64Array(n).fill(1);
  if (sampleWeight !== undefined) {
    if (sampleWeight === null || typeof sampleWeight !== 'object' || typeof (sampleWeight as ArrayLike<number>).length !== 'number') {
      throw new ConfigError('E_CONFIG', `${where}: expected sampleWeight to be an array of one number per row, received ${describe(sampleWeight)}`, { field: 'sampleWeight', expected: 'an array of numbers', received: describe(sampleWeight) });
    }
    if (sampleWeight.length !== n) throw new DataError('E_SHAPE', `${where}: sampleWeight has ${sampleWeight.length} values for ${n} rows; give one weight per row`, { field: 'sampleWeight', expected: n, received: sampleWeight.length });
    for (let i = 0; i < n; i++) {
      const v = sampleWeight[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new DataError('E_NONFINITE', `${where}: sampleWeight[${i}] is ${describe(v)}, expected a finite number ≥ 0`, { field: 'sampleWeight', row: i, expected: 'a finite number ≥ 0', received: v });
      w[i] = v;
    }
  }
  if (classWeight !== undefined) {
    if (!labels) throw new ConfigError('E_CONFIG', `${where}: classWeight applies to classification with one label per row; use sampleWeight for regression or target rows`, { field: 'classWeight', expected: 'labels', received: 'numeric targets' });
    const per = classWeightMap(classWeight, labels, where);
    for (let i = 0; i < n; i++) w[i] *= per.get(labels[i]) ?? 1;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  if (!(total > 0)) throw new DataError('E_NONFINITE', `${where}: every sample weight is 0; at least one row must count`, { field: 'sampleWeight', expected: 'a positive total', received: 0 });
  return w;
}

/** label → weight. 'balanced': n / (k · n_c), scikit-learn's compute_class_weight. */
export function classWeightMap(cw: ClassWeight, labels: readonly Label[], where: string): Map<Label, number> {
  const counts = new Map<Label, number>();
  for (const v of labels) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (cw === 'balanced') {
    const n = labels.length;
    const k = counts.size;
    return new Map([...counts].map(([c, nc]) => [c, n / (k * nc)]));
  }
  const entries: [unknown, unknown][] = cw instanceof Map ? [...cw] : cw && typeof cw === 'object' ? Object.entries(cw) : [];
  if (!(cw instanceof Map) && (cw === null || typeof cw !== 'object')) {
    throw new ConfigError('E_CONFIG', `${where}: expected classWeight "balanced" or a map of label → weight like { spam: 5 }, received ${describe(cw)}`, { field: 'classWeight', expected: '"balanced" or { label: weight }', received: describe(cw) });
  }
  const out = new Map<Label, number>();
  // object keys are strings: match them to the labels as they appear in the data (numbers, booleans)
  const byString = new Map([...counts.keys()].map((c) => [String(c), c]));
  for (const [key, value] of entries) {
    const label = cw instanceof Map ? (key as Label) : byString.get(String(key));
    if (label === undefined || !counts.has(label)) throw new DataError('E_LABEL', `${where}: classWeight names class ${JSON.stringify(key)}, which is not among the labels (${[...counts.keys()].map((c) => JSON.stringify(c)).join(', ')})`, { field: 'classWeight', expected: [...counts.keys()], received: key });
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigError('E_CONFIG', `${where}: classWeight for ${JSON.stringify(key)} is ${describe(value)}, expected a finite number ≥ 0`, { field: `classWeight.${String(key)}`, expected: 'a finite number ≥ 0', received: value });
    out.set(label, value);
  }
  return out;
}
