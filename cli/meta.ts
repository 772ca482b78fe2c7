// What the CLI keeps inside a model file (model.metadata.mlpkit): the column schema, where the
// data came from, the per-epoch history, and how the run went. Plus the model summary that
// `info` prints and the report shows, built from the public toJSON document.

import { toJSON, type MLP, type EpochLog } from '../src/index.ts';
import { UsageError } from './errors.ts';
import type { Schema, Selection, ImputeMethod } from './data/schema.ts';

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
  const m = model.metadata[META_KEY] as CliMeta | undefined;
  if (!m || typeof m !== 'object' || !m.schema || !Array.isArray(m.schema.features) || !Array.isArray(m.schema.inputs)) {
    throw new UsageError(`${path} is an mlpkit model without a column schema (it was saved by the library, not by \`mlpkit train\`), so its CSV columns are unknown; train it with \`mlpkit train\``);
  }
  if (m.schema.inputs.length !== model.inputs) throw new UsageError(`${path}: the column schema lists ${m.schema.inputs.length} inputs but the network has ${model.inputs}; the file was edited or damaged`);
  return m;
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
  const target = model.targetName ?? 'label';
  return {
    schema: {
      features: names.map((name) => ({ name, type: 'numeric' as const })),
      inputs: names.slice(),
      target: { name: target, type: classes && classes.some((c) => typeof c !== 'number') ? 'text' : 'numeric' },
      impute: null,
    },
    data: { rows: 0, selection: { target, features: names.slice(), ignored: [] }, valSplit: 0 },
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
    scaling: `inputs ${doc.preprocessing.inputs.method}${doc.preprocessing.targets ? `, targets ${doc.preprocessing.targets.method}` : ''}`,
    ...(doc.training?.optimizer ? { optimizer: `${doc.training.optimizer.name} (${doc.training.optimizer.t} steps)` } : {}),
    epochsTrained: doc.training?.epochs ?? 0,
    config: cfg,
  };
}
