// mlpkit cv, search and importance: model selection from a CSV file (or a bundled data set).
//   cv          k-fold cross-validation of the settings given as train flags
//   search      the same for every combination of --grid values (or --random draws), best first
//   importance  permutation importance of a saved model's input columns, in the CSV's column names
// Columns are read and encoded as train does (one schema fitted on all rows; each fold's model
// fits its own scaling on its training rows only). Multi-label (--target a,b,c) is scored by
// micro F1 instead of accuracy: with several labels a row's whole set is seldom exactly right.

import { crossValidate, gridSearch, parseDelimiter, randomSearch, permutationImportance, type Config, type CrossValidation, type MLP, type Scorer, type Targets } from '../../src/index.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { loadTable } from '../data/sources.ts';
import { describeTargets, encodeFeatures, encodeTargets, fitSchema, hasTarget, selectColumns, targetNames } from '../data/schema.ts';
import { checkMultiLabelFlags, modelConfig, parseInteger, parseHidden, parseNumber, type ColumnFlags, type FitFlags, type GlobalOptions, type ModelFlags } from '../options.ts';
import { modelAndData } from './common.ts';
import { fixed, table } from '../format.ts';

export interface SelectFlags extends ModelFlags, FitFlags, ColumnFlags {
  folds?: number;
  grid?: string[];
  random?: number;
}

async function loadXY(file: string | undefined, o: SelectFlags) {
  const tbl = await loadTable({ file, dataset: o.dataset, delimiter: parseDelimiter(o.delimiter, '--delimiter') }, 'train');
  const sel = selectColumns(tbl, { target: o.target ?? (o.dataset ? 'label' : undefined), features: o.features, ignore: o.ignore });
  checkMultiLabelFlags(sel.targets, o);
  const schema = fitSchema(tbl, sel, { impute: o.impute, categorical: o.categorical });
  // multi-label: rows of 0/1, one column per label (label sets of names cannot be split into folds)
  const multiLabel = sel.targets.length > 1;
  return {
    x: encodeFeatures(tbl, schema), y: encodeTargets(tbl, schema) as Targets, rows: tbl.rows, source: tbl.source, multiLabel,
    target: multiLabel ? `targets ${describeTargets(sel.targets)} (multi-label)` : `target ${JSON.stringify(sel.targets[0])}`,
    ...(multiLabel ? { scoring: microF1 } : {}),
  };
}

/** A multi-label model's micro F1 on x, y (rows of 0/1 in the order of its labels). */
const microF1: Scorer = (m: MLP, x, y) => {
  const e = m.evaluate(x, y);
  if (e.task !== 'classification' || !e.multiLabel) {
    // rows of 0/1 where every row has exactly one 1 read as one class per row (softmax)
    throw new UsageError('a fold\'s training rows each have exactly one label, so its model learnt one class per row instead of label sets; use fewer folds, or one target column if every row has one label');
  }
  return e.micro.f1;
};

const log = (g: GlobalOptions, s: string) => {
  if (!g.quiet && !g.json) process.stdout.write(s + '\n');
};

export async function cv(file: string | undefined, o: SelectFlags, g: GlobalOptions): Promise<number> {
  const d = await loadXY(file, o);
  const config = modelConfig(o);
  const r = crossValidate(config, d.x, d.y, { folds: o.folds ?? 5, ...(d.scoring ? { scoring: d.scoring } : {}) });
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'cv', config, scoring: d.multiLabel ? 'micro F1' : 'accuracy or R²', ...r }) + '\n');
    return EXIT_OK;
  }
  log(g, `data: ${d.source}, ${d.rows} rows; ${d.target}; ${r.folds.length}-fold${r.stratified ? ' stratified' : ''} cross-validation`);
  log(g, table(['fold', 'train rows', 'test rows', 'epochs', 'score'], r.folds.map((f) => [f.fold, f.trainRows, f.testRows, f.epochs, fixed(f.score)])));
  log(g, `score (${d.multiLabel ? 'micro F1' : 'accuracy or R²'}): mean ${fixed(r.mean)} ± ${fixed(r.std)} (std over folds)`);
  return EXIT_OK;
}

/** --grid "lr=0.001|0.01" --grid "hidden=16|64,32": a train flag and its candidate values. */
const GRID_FLAGS: Record<string, (v: string) => Partial<Config>> = {
  lr: (v) => modelConfig({ lr: parseNumber('--grid lr', (x) => x > 0, 'a number > 0')(v) }),
  hidden: (v) => modelConfig({ hidden: parseHidden(v) }),
  layers: (v) => modelConfig({ hidden: parseHidden(v) }), // the old name of hidden
  epochs: (v) => modelConfig({ epochs: parseInteger('--grid epochs', 1)(v) }),
  'batch-size': (v) => modelConfig({ batchSize: parseInteger('--grid batch-size', 1)(v) }),
  'weight-decay': (v) => modelConfig({ weightDecay: parseNumber('--grid weight-decay', (x) => x >= 0, 'a number ≥ 0')(v) }),
  activation: (v) => modelConfig({ activation: v }),
  optimizer: (v) => modelConfig({ optimizer: v }),
};

export function parseGrid(specs: readonly string[]): Record<string, unknown[]> {
  const grid: Record<string, unknown[]> = {};
  for (const spec of specs) {
    const m = /^\s*([a-z-]+)\s*=\s*(.+)$/.exec(spec);
    if (!m || !GRID_FLAGS[m[1]]) throw new UsageError(`--grid: expected FLAG=V1|V2|… with FLAG one of ${Object.keys(GRID_FLAGS).join(', ')}, received ${JSON.stringify(spec)}; e.g. --grid "lr=0.001|0.01" --grid "hidden=16|64,32"`);
    // values are separated by | (a layers value has commas of its own); plain numbers may use commas too
    const raw = m[2].includes('|') || m[1] === 'hidden' || m[1] === 'layers' ? m[2].split('|') : m[2].split(',');
    for (const v of raw.map((s) => s.trim()).filter(Boolean)) {
      const [[key, value]] = Object.entries(GRID_FLAGS[m[1]](v));
      (grid[key] ??= []).push(value);
    }
  }
  return grid;
}

export async function search(file: string | undefined, o: SelectFlags, g: GlobalOptions): Promise<number> {
  if (!o.grid?.length) throw new UsageError('search: expected at least one --grid FLAG=V1|V2, e.g. --grid "lr=0.001|0.01" --grid "hidden=16|64,32"');
  const d = await loadXY(file, o);
  const grid = parseGrid(o.grid);
  const base = modelConfig(o);
  const opts = { folds: o.folds ?? 5, base, seed: base.seed ?? 0, ...(d.scoring ? { scoring: d.scoring } : {}) };
  let s;
  if (o.random !== undefined) s = randomSearch(grid as never, d.x, d.y, { ...opts, iterations: o.random });
  else s = gridSearch(grid as never, d.x, d.y, opts);
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'search', base, scoring: d.multiLabel ? 'micro F1' : 'accuracy or R²', ...s }) + '\n');
    return EXIT_OK;
  }
  log(g, `data: ${d.source}, ${d.rows} rows; ${d.target}; ${s.results.length} candidates, ${opts.folds}-fold cross-validation each, scored by ${d.multiLabel ? 'micro F1' : 'accuracy or R²'}`);
  log(g, table(['rank', ...Object.keys(grid), 'mean score', 'std'], s.results.map((r, i) => [i + 1, ...Object.keys(grid).map((k) => JSON.stringify((r.params as Record<string, unknown>)[k])), fixed(r.mean), fixed(r.std)])));
  log(g, `best: ${JSON.stringify(s.best.params)} (mean ${fixed(s.best.mean)})`);
  return EXIT_OK;
}

export async function importance(modelPath: string, file: string | undefined, o: { dataset?: string; delimiter?: string; repeats?: number; seed?: number }, g: GlobalOptions): Promise<number> {
  const { model, meta, table: tbl } = await modelAndData(modelPath, file, o);
  const targets = targetNames(meta.schema);
  if (!hasTarget(tbl, meta.schema)) throw new UsageError(`importance: the data lacks the target column${targets.length > 1 ? 's' : ''} ${describeTargets(targets.filter((t) => !tbl.index.has(t)))}; permutation importance needs labelled rows`);
  const multiLabel = model.preprocessing?.multiLabel === true;
  const x = encodeFeatures(tbl, meta.schema);
  const y = encodeTargets(tbl, meta.schema, model.preprocessing?.classes);
  // one entry per CSV column: a text column's one-hot inputs are shuffled together
  let at = 0;
  const groups = meta.schema.features.map((f) => {
    const width = f.type === 'numeric' ? 1 : f.categories.length;
    const columns = Array.from({ length: width }, (_, k) => at + k);
    at += width;
    return { name: f.name, columns };
  });
  const r = permutationImportance(model, x, y, { repeats: o.repeats ?? 5, seed: o.seed ?? 0, groups, ...(multiLabel ? { scoring: microF1 } : {}) });
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'importance', scoring: multiLabel ? 'micro F1' : 'accuracy or R²', ...r }) + '\n');
    return EXIT_OK;
  }
  log(g, `baseline score (${multiLabel ? 'micro F1' : 'accuracy or R²'}) ${fixed(r.baseline)} on ${tbl.rows} rows; drop when one column is shuffled (${o.repeats ?? 5} shuffles each):`);
  log(g, table(['column', 'importance', 'std'], r.features.map((f) => [f.feature, fixed(f.importance), fixed(f.std)]), ['l', 'r', 'r']));
  return EXIT_OK;
}

export type { CrossValidation };
