// Multi-label targets: each row may have any number of labels at once (tags, symptoms, genres).
// Given either as label sets ([["news", "sport"], [], ["sport"]]) or as rows of 0/1 indicators
// with several columns (multi-hot), they train one sigmoid output per label with binary
// cross-entropy; predict answers label sets, predictProba one probability per label.

import { DataError, describe } from '../errors.ts';
import type { Matrix } from '../tensor/tensor.ts';
import type { Label } from './input.ts';
import { fitClasses } from './preprocess.ts';

/** Whether y is an array of label sets: arrays whose entries are not all numbers, or of different lengths. */
export function isLabelSets(y: unknown): y is readonly (readonly Label[])[] {
  if (!Array.isArray(y) || y.length === 0 || !y.every((r) => Array.isArray(r))) return false;
  const rows = y as unknown[][];
  return rows.some((r) => r.some((v) => typeof v !== 'number')) || rows.some((r) => r.length !== rows[0].length) || rows[0].length === 0;
}

/** Rows of 0/1 with several columns where some row does not have exactly one 1: multi-hot, not one-hot. */
export function isMultiHot(m: Matrix): boolean {
  const [n, c] = m.shape;
  if (c < 2) return false;
  let notOneHot = false;
  for (let i = 0; i < n; i++) {
    let ones = 0;
    for (let j = 0; j < c; j++) {
      const v = m.data[i * c + j];
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (ones !== 1) notOneHot = true;
  }
  return notOneHot;
}

/** The labels of all sets, in the order fitClasses gives (numbers ascending, else first seen). */
export function labelSetClasses(sets: readonly (readonly Label[])[]): Label[] {
  const all = sets.flat();
  if (all.length === 0) throw new DataError('E_LABEL', 'fit: every label set is empty; a multi-label classifier needs at least one label in some row', { field: 'y', expected: 'at least one label', received: 0 });
  return fitClasses(all);
}

/** Label sets → rows of 0/1 over `classes`: [n, classes.length]. A label outside classes is an error naming the row. */
export function labelSetsToMatrix(sets: readonly (readonly Label[])[], classes: readonly Label[], where: string): Matrix {
  const k = classes.length;
  const index = new Map(classes.map((c, j) => [c, j]));
  const data = new Float64Array(sets.length * k);
  sets.forEach((set, i) => {
    if (!Array.isArray(set)) throw new DataError('E_LABEL', `${where}: target ${i} is ${describe(set)}, expected a label set (an array of labels, possibly empty)`, { field: 'y', row: i, expected: 'an array of labels', received: describe(set) });
    for (const v of set) {
      const j = index.get(v);
      if (j === undefined) throw new DataError('E_LABEL', `${where}: target ${i} has label ${JSON.stringify(v)}, which the model was not trained on (labels: ${classes.map((c) => JSON.stringify(c)).join(', ')})`, { field: 'y', row: i, expected: classes, received: v });
      data[i * k + j] = 1;
    }
  });
  return { data, shape: [sets.length, k] };
}
