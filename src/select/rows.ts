// Taking rows of user data (features and targets, in any of the forms fit accepts) by index, so
// model selection can hand each fold to MLP.fit as ordinary data.

import { checkTargets, toMatrix, type Features, type Label, type Targets } from '../data/input.ts';
import type { Matrix } from '../tensor/tensor.ts';

export interface Table {
  x: Matrix;
  /** labels or numbers (one target), or rows (one-hot, several outputs) */
  y: { kind: 'labels'; labels: readonly Label[] } | { kind: 'matrix'; m: Matrix };
  n: number;
}

/** Check x and y once (as fit does) into a table whose rows can be taken by index. */
export function toTable(x: Features, y: Targets, where: string): Table {
  const X = toMatrix(x, where);
  const T = checkTargets(y, where, X.shape[0]);
  return { x: X, y: T.kind === 'labels' ? { kind: 'labels', labels: T.labels } : { kind: 'matrix', m: T.m }, n: X.shape[0] };
}

/** Rows idx of the table as Features and Targets. */
export function takeRows(t: Table, idx: Uint32Array): { x: Matrix; y: Targets } {
  return { x: take(t.x, idx), y: t.y.kind === 'labels' ? Array.from(idx, (i) => (t.y as { labels: readonly Label[] }).labels[i]) : take(t.y.m, idx) };
}

function take(m: Matrix, idx: Uint32Array): Matrix {
  const cols = m.shape[1];
  const out = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) out.set(m.data.subarray(idx[r] * cols, (idx[r] + 1) * cols), r * cols);
  return { data: out, shape: [idx.length, cols] };
}
