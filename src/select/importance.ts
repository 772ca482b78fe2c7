// Permutation feature importance (Breiman 2001; scikit-learn's permutation_importance): how much a
// fitted model's score drops when one column's values are shuffled across rows, which breaks that
// column's link to the target and keeps its distribution. Reported in the user's column names.
// Uses only the model's public methods (score, featureNames).

import type { MLP } from '../model.ts';
import { ConfigError } from '../errors.ts';
import type { Features, Targets } from '../data/input.ts';
import { Rng } from '../tensor/rng.ts';
import { checkKeys, type Scorer } from './cross-validate.ts';
import { toTable } from './rows.ts';

/** How permutationImportance shuffles and scores. */
export interface ImportanceOptions {
  /** Shuffles per column. Default 5. */
  repeats?: number;
  /** Seed of the shuffles. Default 0. */
  seed?: number;
  /** Score to compare; default model.score (accuracy or R²). */
  scoring?: Scorer;
  /** Column names; default the model's featureNames, else x1, x2, … */
  featureNames?: readonly string[];
  /**
   * Columns shuffled together under one name (the inputs one-hot encoding made of one text
   * column: the same row permutation for all, so each row keeps one category). Default: each column alone.
   */
  groups?: readonly { name: string; columns: readonly number[] }[];
}

/** One feature's importance: the mean (and std) drop of the score when its column(s) are shuffled. */
export interface FeatureImportance {
  feature: string;
  /** The first input column of the feature (its group's first). */
  column: number;
  /** Mean drop in score over the repeats (baseline − shuffled); ≤ 0: the model does not use it. */
  importance: number;
  std: number;
  drops: number[];
}

/** The result of permutationImportance: the unshuffled score and every feature, most important first. */
export interface Importance {
  baseline: number;
  /** One entry per column, most important first. */
  features: FeatureImportance[];
}

/**
 * Permutation importance: how much the score of a fitted model drops when each feature's column is shuffled (repeats times, seeded). The model is not changed.
 * @throws {@link MlpError} (E_CONFIG) for bad options, (E_NOT_FITTED) for a model not fitted yet
 *
 * @example
 * ```ts
 * import { MLP, permutationImportance, iris } from 'mlpkit';
 * const { x, y, featureNames } = iris();
 * const model = new MLP({ hidden: [8], epochs: 100, seed: 0 });
 * model.fit(x, y);
 * const imp = permutationImportance(model, x, y, { repeats: 3, seed: 0, featureNames });
 * console.log(imp.baseline, imp.features.map((f) => `${f.feature} ${f.importance.toFixed(3)}`)); // petal width first, by far
 * ```
 */
export function permutationImportance(model: MLP, x: Features, y: Targets, options: ImportanceOptions = {}): Importance {
  checkKeys(options, ['repeats', 'seed', 'scoring', 'featureNames', 'groups'], 'permutationImportance');
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new ConfigError('E_CONFIG', `permutationImportance: expected repeats to be an integer ≥ 1, received ${JSON.stringify(repeats)}`, { field: 'repeats', expected: 'an integer ≥ 1', received: repeats });
  const scoring = options.scoring ?? ((m, xs, ys) => m.score(xs, ys));
  const baseline = scoring(model, x, y); // an unfitted model or wrong width fails here, as score does
  const t = toTable(x, y, 'permutationImportance');
  const [n, d] = t.x.shape;
  const names = options.featureNames ?? model.featureNames ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  if (names.length !== d) throw new ConfigError('E_CONFIG', `permutationImportance: ${names.length} feature names for ${d} columns; give one name per column`, { field: 'featureNames', expected: d, received: names.length });
  const groups = options.groups ?? names.map((name, j) => ({ name, columns: [j] }));
  groups.forEach((grp, k) => {
    if (!grp || !Array.isArray(grp.columns) || grp.columns.length === 0 || grp.columns.some((j) => !Number.isInteger(j) || j < 0 || j >= d)) {
      throw new ConfigError('E_CONFIG', `permutationImportance: groups[${k}] (${JSON.stringify(grp?.name)}): expected columns as indices in 0..${d - 1}, received ${JSON.stringify(grp?.columns)}`, { field: `groups[${k}].columns`, expected: `indices in 0..${d - 1}`, received: grp?.columns });
    }
  });
  const rng = new Rng(options.seed ?? 0);
  const data = Float64Array.from(t.x.data);
  const yy = t.y.kind === 'labels' ? t.y.labels : t.y.m;
  const features: FeatureImportance[] = [];
  for (const grp of groups) {
    const saved = grp.columns.map((j) => Float64Array.from({ length: n }, (_, i) => data[i * d + j]));
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const p = rng.permutation(n);
      grp.columns.forEach((j, c) => {
        for (let i = 0; i < n; i++) data[i * d + j] = saved[c][p[i]];
      });
      drops.push(baseline - scoring(model, { data, shape: [n, d] }, yy as Targets));
    }
    grp.columns.forEach((j, c) => {
      for (let i = 0; i < n; i++) data[i * d + j] = saved[c][i];
    });
    const mean = drops.reduce((s, v) => s + v, 0) / repeats;
    const std = Math.sqrt(drops.reduce((s, v) => s + (v - mean) ** 2, 0) / repeats);
    features.push({ feature: grp.name, column: grp.columns[0], importance: mean, std, drops });
  }
  features.sort((a, b) => b.importance - a.importance || a.column - b.column);
  return { baseline, features };
}
