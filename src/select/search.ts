// Hyperparameter search over config: every combination of a grid, or n random draws from a space,
// each scored by crossValidate on the same folds; the best (highest mean score) first.

import type { Config } from '../config/defaults.ts';
import { MLP } from '../model.ts';
import { ConfigError } from '../errors.ts';
import type { Features, Targets } from '../data/input.ts';
import { Rng } from '../tensor/rng.ts';
import { checkKeys, crossValidateTable, type CrossValidateOptions } from './cross-validate.ts';
import { toTable } from './rows.ts';

/** Candidate values per config option, e.g. { hidden: [[32], [64, 64]], learningRate: [1e-3, 1e-2] }. */
export type Grid = { [K in keyof Config & string]?: readonly Config[K][] };

/** A range to draw from: uniform, or log-uniform (learning rates); integer rounds the draw. */
export interface Range {
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
}
/** Per option: a list to pick from (uniformly) or a numeric range. */
export type Space = { [K in keyof Config & string]?: readonly Config[K][] | Range };

/** How gridSearch and randomSearch cross-validate each candidate. */
export interface SearchOptions extends CrossValidateOptions {
  /** Options every candidate shares (the candidate's values override them). */
  base?: Partial<Config>;
}

/** Options of randomSearch: those of gridSearch plus the number of candidates. */
export interface RandomSearchOptions extends SearchOptions {
  /** Number of candidates drawn. Default 10. */
  iterations?: number;
}

/** One candidate of a search: its options and its cross-validated mean and std score. */
export interface SearchResult {
  params: Partial<Config>;
  mean: number;
  std: number;
  scores: number[];
}

/** What gridSearch and randomSearch return: the best candidate and every one tried. */
export interface Search {
  /** The best candidate's options (without base). */
  best: SearchResult;
  /** Every candidate, best first (ties keep the order they were tried in). */
  results: SearchResult[];
}

const SEARCH_KEYS = ['folds', 'seed', 'stratify', 'fit', 'scoring', 'base'];

/**
 * Every combination of the grid's values, each cross-validated.
 *
 * @example
 * ```ts
 * import { gridSearch, iris } from 'mlpkit';
 * const { x, y } = iris();
 * const search = gridSearch({ hidden: [[4], [16]], learningRate: [0.01, 0.05] }, x, y, { folds: 3, base: { epochs: 10, seed: 0 } });
 * console.log(search.best.params, search.best.mean, search.results.length); // the best of 4 candidates
 * ```
 */
export function gridSearch(grid: Grid, x: Features, y: Targets, options: SearchOptions = {}): Search {
  checkKeys(options, SEARCH_KEYS, 'gridSearch');
  const keys = checkSpace(grid, 'gridSearch', false);
  let candidates: Partial<Config>[] = [{}];
  for (const k of keys) {
    const values = grid[k as keyof Config] as readonly unknown[];
    candidates = candidates.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return run(candidates, x, y, options, 'gridSearch');
}

/**
 * `iterations` candidates drawn from the space with a generator seeded by options.seed.
 *
 * @example
 * ```ts
 * import { randomSearch, iris } from 'mlpkit';
 * const { x, y } = iris();
 * const search = randomSearch({ learningRate: { min: 1e-3, max: 0.1, log: true }, hidden: [[8], [8, 8]] }, x, y, { iterations: 3, folds: 3, seed: 1, base: { epochs: 10, seed: 0 } });
 * console.log(search.best.params, search.best.mean);
 * ```
 */
export function randomSearch(space: Space, x: Features, y: Targets, options: RandomSearchOptions = {}): Search {
  checkKeys(options, [...SEARCH_KEYS, 'iterations'], 'randomSearch');
  const keys = checkSpace(space, 'randomSearch', true);
  const n = options.iterations ?? 10;
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('E_CONFIG', `randomSearch: expected iterations to be an integer ≥ 1, received ${JSON.stringify(n)}`, { field: 'iterations', expected: 'an integer ≥ 1', received: n });
  const rng = new Rng((options.seed ?? 0) ^ 0x5eed);
  const candidates: Partial<Config>[] = [];
  for (let i = 0; i < n; i++) {
    const c: Record<string, unknown> = {};
    for (const k of keys) {
      const s = space[k as keyof Config] as readonly unknown[] | Range;
      if (Array.isArray(s)) c[k] = s[rng.int(s.length)];
      else {
        const r = s as Range;
        let v = r.log ? Math.exp(rng.range(Math.log(r.min), Math.log(r.max))) : rng.range(r.min, r.max);
        if (r.integer) v = Math.round(v);
        c[k] = v;
      }
    }
    candidates.push(c as Partial<Config>);
  }
  const { iterations: _, ...cv } = options;
  return run(candidates, x, y, cv, 'randomSearch');
}

function run(candidates: Partial<Config>[], x: Features, y: Targets, options: SearchOptions, where: string): Search {
  const { base = {}, ...cv } = options;
  // every candidate's config is checked before anything trains
  for (const c of candidates) new MLP({ ...base, ...c });
  const table = toTable(x, y, where);
  const results = candidates.map((params) => {
    const r = crossValidateTable({ ...base, ...params }, table, cv);
    return { params, mean: r.mean, std: r.std, scores: r.scores };
  });
  const sorted = results.map((r, i) => ({ r, i })).sort((a, b) => b.r.mean - a.r.mean || a.i - b.i).map((e) => e.r);
  return { best: sorted[0], results: sorted };
}

function checkSpace(space: object, where: string, ranges: boolean): string[] {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) throw new ConfigError('E_CONFIG', `${where}: expected an object of option → candidate values, like { learningRate: [0.001, 0.01] }, received ${JSON.stringify(space)}`, { field: 'grid', expected: 'an object', received: space });
  const keys = Object.keys(space);
  if (keys.length === 0) throw new ConfigError('E_CONFIG', `${where}: expected at least one option to search, received {}; e.g. { hidden: [[32], [64]] }`, { field: 'grid', expected: 'at least one option', received: {} });
  for (const k of keys) {
    const v = (space as Record<string, unknown>)[k];
    const isRange = ranges && v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isRange) {
      const r = v as Range;
      if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max) || (r.log && !(r.min > 0))) {
        throw new ConfigError('E_CONFIG', `${where}: option "${k}": expected a range { min, max } with min ≤ max${r.log ? ' and min > 0 for log' : ''}, received ${JSON.stringify(v)}`, { field: k, expected: '{ min, max }', received: v });
      }
    } else if (!Array.isArray(v) || v.length === 0) {
      throw new ConfigError('E_CONFIG', `${where}: option "${k}": expected a non-empty array of candidate values${ranges ? ' or a range { min, max }' : ''}, received ${JSON.stringify(v)}`, { field: k, expected: 'a non-empty array', received: v });
    }
  }
  return keys;
}
