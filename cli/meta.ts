// What the CLI keeps inside a model file (model.metadata.mlpkit): the column schema, where the
// data came from, the per-epoch history, and how the run went. Plus the model summary that
// `info` prints and the report shows, built from the public toJSON document.

import { toJSON, type MLP, type EpochLog, type Label } from '../src/index.ts';
import { UsageError } from './errors.ts';
import { IMPUTE_METHODS, type Schema, type Selection, type ImputeMethod } from './data/schema.ts';

export const META_KEY = 'mlpkit';

/** One epoch of the saved history: the library's EpochLog without the per-run display fields. */
export type HistoryRow = Omit<EpochLog, 'type' | 'samplesPerSecond'>;

export interface RunData {
  /** absolute path of the CSV file, or the bundled data set's name */
  file?: string;
  dataset?: string;
  delimiter?: string;
  rows: number;
  selection: Selection;
  categorical?: string[];
  impute?: ImputeMethod;
  /** fraction held out for validation by the CLI's own seeded split (0 = none) */
  valSplit: number;
  /** --sample-weight: the column of per-row weights */
  sampleWeight?: string;
  /** --class-weight */
  classWeight?: 'balanced' | Record<string, number>;
}

export interface CliMeta {
  schema: Schema;
  data: RunData;
  history: HistoryRow[];
  run: {
    /** backend that ran training */
    backend: string;
    started: string;
    seconds: number;
    stopReason?: string;
    /** the total epochs the run asked for */
    epochs: number;
    /** where the model is saved (a resumed run saves there too unless --out says otherwise) */
    out?: string;
  };
}

export function historyRow(e: EpochLog): HistoryRow {
  return {
    epoch: e.epoch, loss: e.loss, lr: e.lr, seconds: e.seconds,
    ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}),
    ...(e.valLoss !== undefined ? { valLoss: e.valLoss, valMetric: e.valMetric } : {}),
  };
}

/** The CLI's data from a loaded model; a model saved by the library alone has none. */
export function cliMeta(model: MLP, path: string): CliMeta {
  const m = model.metadata[META_KEY];
  if (m === undefined) {
    throw new UsageError(`${path} is an mlpkit model without a column schema (it was saved by the library, not by \`mlpkit train\`), so its CSV columns are unknown; train it with \`mlpkit train\``);
  }
  return checkCliMeta(m, path, model.inputs!, multiLabels(model));
}

/** A multi-label model's labels (its classes), or null for any other model. */
export function multiLabels(model: MLP): Label[] | null {
  return model.preprocessing?.multiLabel ? model.preprocessing.classes ?? null : null;
}

/**
 * metadata.mlpkit read from a file, checked field by field like the rest of the model: every
 * feature, every category, the inputs they make (exactly the network's), the target, the data and
 * run records and the history. A damaged schema is an error naming the field, never a TypeError
 * in eval, or one feature silently feeding four inputs. `labels`: the model's labels when it is
 * multi-label (null when it is not): a multi-label schema must name exactly those. Files written
 * before multi-label (data.selection.target: one name) are read as a list of one target.
 */
export function checkCliMeta(raw: unknown, path: string, inputs: number, labels?: readonly Label[] | null): CliMeta {
  const fail = (field: string, expected: string, v: unknown): never => {
    const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v) : typeof v === 'object' ? 'an object' : String(v);
    throw new UsageError(`${path}: field "metadata.${META_KEY}.${field}": expected ${expected}, received ${got}; the file was edited or damaged (retrain with \`mlpkit train\`)`);
  };
  const obj = (v: unknown, f: string) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(f, 'an object', v));
  const arr = (v: unknown, f: string) => (Array.isArray(v) ? v : fail(f, 'an array', v));
  const str = (v: unknown, f: string) => (typeof v === 'string' ? v : fail(f, 'a string', v));
  const strs = (v: unknown, f: string) => arr(v, f).map((x, i) => str(x, `${f}[${i}]`));
  const numb = (v: unknown, f: string) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(f, 'a finite number', v));
  const m = obj(raw, '');
  const schema = obj(m.schema, 'schema');
  const features = arr(schema.features, 'schema.features');
  if (features.length === 0) fail('schema.features', 'at least one feature', features);
  const derived: string[] = [];
  const seen = new Set<string>();
  features.forEach((fv, i) => {
    const f = obj(fv, `schema.features[${i}]`);
    const name = str(f.name, `schema.features[${i}].name`);
    if (seen.has(name)) fail(`schema.features[${i}].name`, 'a name no other feature has', name);
    seen.add(name);
    if (f.type === 'numeric') {
      if (f.impute !== undefined) numb(f.impute, `schema.features[${i}].impute`);
      derived.push(name);
    } else if (f.type === 'categorical') {
      const cats = strs(f.categories, `schema.features[${i}].categories`);
      if (cats.length === 0 || new Set(cats).size !== cats.length) fail(`schema.features[${i}].categories`, 'distinct categories, at least one', f.categories);
      if (f.impute !== undefined && !cats.includes(str(f.impute, `schema.features[${i}].impute`))) fail(`schema.features[${i}].impute`, 'one of its categories', f.impute);
      for (const c of cats) derived.push(`${name}=${c}`);
    } else fail(`schema.features[${i}].type`, '"numeric" or "categorical"', f.type);
  });
  const ins = strs(schema.inputs, 'schema.inputs');
  const damaged = `the file was edited or damaged (retrain with \`mlpkit train\`)`;
  if (ins.length !== inputs) throw new UsageError(`${path}: field "metadata.${META_KEY}.schema.inputs": expected ${inputs} inputs (the network's input width), received ${ins.length}; ${damaged}`);
  if (derived.length !== inputs || derived.some((n, k) => n !== ins[k])) throw new UsageError(`${path}: field "metadata.${META_KEY}.schema.features": expected features that make the ${inputs} inputs in schema.inputs, received features making ${derived.length}${derived.length === inputs ? ' other ones' : ''}; ${damaged}`);
  const target = obj(schema.target, 'schema.target');
  if (target.type === 'labels') {
    const names = strs(target.names, 'schema.target.names');
    if (names.length < 2 || new Set(names).size !== names.length) fail('schema.target.names', 'two or more distinct label columns', target.names);
    if (labels === null) fail('schema.target.type', 'the type of a single target ("numeric" or "text"): the model is not multi-label', target.type);
    if (labels && (labels.length !== names.length || labels.some((c) => !names.includes(String(c))))) fail('schema.target.names', `the model's labels (${labels.map((c) => JSON.stringify(String(c))).join(', ')})`, target.names);
  } else {
    str(target.name, 'schema.target.name');
    if (target.type !== 'numeric' && target.type !== 'text') fail('schema.target.type', '"numeric", "text" or "labels"', target.type);
    if (labels) fail('schema.target', `the model's ${labels.length} label columns (it is multi-label)`, target);
  }
  if (schema.impute !== null && !(IMPUTE_METHODS as readonly unknown[]).includes(schema.impute)) fail('schema.impute', `null or one of ${IMPUTE_METHODS.join(', ')}`, schema.impute);
  const data = obj(m.data, 'data');
  for (const k of ['file', 'dataset', 'delimiter'] as const) if (data[k] !== undefined) str(data[k], `data.${k}`);
  if (data.delimiter !== undefined && (data.delimiter as string).length !== 1) fail('data.delimiter', 'one character', data.delimiter);
  numb(data.rows, 'data.rows');
  numb(data.valSplit, 'data.valSplit');
  const sel = obj(data.selection, 'data.selection');
  if (sel.targets === undefined && typeof sel.target === 'string') {
    // a file from before multi-label: one target name
    sel.targets = [sel.target];
    delete sel.target;
  }
  if (strs(sel.targets, 'data.selection.targets').length === 0) fail('data.selection.targets', 'at least one column', sel.targets);
  strs(sel.features, 'data.selection.features');
  strs(sel.ignored, 'data.selection.ignored');
  if (data.categorical !== undefined) strs(data.categorical, 'data.categorical');
  if (data.impute !== undefined && !(IMPUTE_METHODS as readonly unknown[]).includes(data.impute)) fail('data.impute', IMPUTE_METHODS.join(', '), data.impute);
  arr(m.history, 'history').forEach((h, i) => {
    const row = obj(h, `history[${i}]`);
    for (const k of ['epoch', 'loss', 'lr', 'seconds'] as const) if (typeof row[k] !== 'number' && row[k] !== null) fail(`history[${i}].${k}`, 'a number', row[k]);
  });
  const run = obj(m.run, 'run');
  str(run.backend, 'run.backend');
  str(run.started, 'run.started');
  numb(run.seconds, 'run.seconds');
  numb(run.epochs, 'run.epochs');
  if (run.out !== undefined) str(run.out, 'run.out');
  if (run.stopReason !== undefined) str(run.stopReason, 'run.stopReason');
  return m as unknown as CliMeta;
}

/**
 * For eval, predict, gradcheck and trace: the CLI's schema, or for a model saved by the library or
 * the playground, an all-numeric schema from the model's own featureNames (and targetName).
 */
export function cliMetaOrNumeric(model: MLP, path: string): CliMeta {
  if (model.metadata[META_KEY] || !model.featureNames) {
    if (!model.metadata[META_KEY] && !model.featureNames) {
      throw new UsageError(`${path} is an mlpkit model without column names (no CLI schema, no "featureNames"), so its CSV columns are unknown; set model.featureNames before saving, or train it with \`mlpkit train\``);
    }
    return cliMeta(model, path);
  }
  const names = model.featureNames;
  const classes = model.preprocessing?.classes;
  // a multi-label model reads one 0/1 column per label, named by its labels
  const labels = multiLabels(model)?.map(String);
  const target = model.targetName ?? 'label';
  return {
    schema: {
      features: names.map((name) => ({ name, type: 'numeric' as const })),
      inputs: names.slice(),
      target: labels ? { names: labels, type: 'labels' } : { name: target, type: classes && classes.some((c) => typeof c !== 'number') ? 'text' : 'numeric' },
      impute: null,
    },
    data: { rows: 0, selection: { targets: labels ?? [target], features: names.slice(), ignored: [] }, valSplit: 0 },
    history: [],
    run: { backend: model.backendName, started: '', seconds: 0, epochs: model.epochsTrained },
  };
}

export interface LayerRow {
  name: string;
  units: number;
  shape: string;
  activation: string;
  params: number;
}

export interface ModelSummary {
  task: string;
  inputs: number;
  layers: LayerRow[];
  totalParams: number;
  loss: string;
  dtype: string;
  backend: string;
  classes?: string[];
  /** several labels per row: classes are the labels, one sigmoid output each */
  multiLabel?: boolean;
  scaling: string;
  optimizer?: string;
  epochsTrained: number;
  config: Record<string, unknown>;
}

export function modelSummary(model: MLP): ModelSummary {
  const doc = toJSON(model, { training: true });
  let prev = doc.inputs;
  const layers: LayerRow[] = [{ name: 'input', units: doc.inputs, shape: `[N, ${doc.inputs}]`, activation: '', params: 0 }];
  doc.layers.forEach((l, i) => {
    const params = l.units * (prev + 1);
    layers.push({ name: `dense_${i + 1}${i === doc.layers.length - 1 ? ' (output)' : ''}`, units: l.units, shape: `[N, ${l.units}]`, activation: l.activation + (l.alpha !== undefined ? ` (α=${l.alpha})` : ''), params });
    prev = l.units;
  });
  const cfg = doc.config as Record<string, unknown>;
  return {
    task: doc.task,
    inputs: doc.inputs,
    layers,
    totalParams: layers.reduce((a, l) => a + l.params, 0),
    loss: doc.loss,
    dtype: doc.dtype,
    backend: model.backendName,
    ...(doc.preprocessing.classes ? { classes: doc.preprocessing.classes.map(String) } : {}),
    ...(doc.preprocessing.multiLabel ? { multiLabel: true } : {}),
    scaling: `inputs ${doc.preprocessing.inputs.method}${doc.preprocessing.targets ? `, targets ${doc.preprocessing.targets.method}` : ''}`,
    ...(doc.training?.optimizer ? { optimizer: `${doc.training.optimizer.name} (${doc.training.optimizer.t} steps)` } : {}),
    epochsTrained: doc.training?.epochs ?? 0,
    config: cfg,
  };
}
