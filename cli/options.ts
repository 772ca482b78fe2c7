// Flags → the library's config. Only flags the user gave are set: every default comes from the
// one defaults object in src/config.ts (through new MLP(...)), never from here.

import type { ActivationName, Config, EarlyStopping, FitConfig, LossName, OptimizerName, Task } from '../src/index.ts';
import { UsageError } from './errors.ts';
import { IMPUTE_METHODS, type ImputeMethod } from './data/schema.ts';

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface ModelFlags {
  hidden?: number[];
  /** the old name of --hidden, still accepted */
  layers?: number[];
  /** dropout rate of every hidden layer, or one per hidden layer */
  dropout?: number[];
  activation?: string;
  loss?: string;
  task?: string;
  seed?: number;
  dtype?: string;
  backend?: string;
  /** worker threads for the WebAssembly kernels (setThreads) */
  threads?: number;
}

/** The data source and its columns: train, cv and search read them alike (cli/main.ts columnOptions). */
export interface ColumnFlags {
  dataset?: string;
  delimiter?: string;
  target?: string;
  features?: string[];
  ignore?: string[];
  categorical?: string[];
  impute?: ImputeMethod;
}

export interface FitFlags {
  optimizer?: string;
  lr?: number;
  epochs?: number;
  batchSize?: number;
  earlyStop?: number;
  maxEpochs?: number;
  weightDecay?: number;
  clipNorm?: number;
}

// ---- parsers for commander (each names its flag in the error) ----------------------------------

export const parseInteger = (flag: string, min: number) => (v: string): number => {
  if (!/^\s*\d+\s*$/.test(v) || Number(v) < min) throw new UsageError(`${flag}: expected an integer ≥ ${min}, received ${JSON.stringify(v)}`);
  return Number(v);
};

export const parseNumber = (flag: string, check: (x: number) => boolean, expected: string) => (v: string): number => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`${flag}: expected ${expected}, received ${JSON.stringify(v)}`);
  return x;
};

export function parseHidden(v: string): number[] {
  const s = v.trim();
  if (s === 'none' || s === '0') return [];
  const parts = s.split(/[,x]/).map((p) => p.trim());
  if (!parts.length || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`--hidden: expected hidden layer sizes as comma-separated positive integers like 64,32 (or "none" for no hidden layer), received ${JSON.stringify(v)}`);
  }
  return parts.map(Number);
}

export function parseDropout(v: string): number[] {
  const parts = v.split(',').map((p) => p.trim());
  const rates = parts.map(Number);
  if (!parts.length || parts.some((p, k) => p === '' || !Number.isFinite(rates[k]) || rates[k] < 0 || rates[k] >= 1)) {
    throw new UsageError(`--dropout: expected a rate in [0, 1) such as 0.2, or one per hidden layer like 0.3,0.1, received ${JSON.stringify(v)}`);
  }
  return rates;
}

/** --class-weight balanced, or label=weight pairs: spam=5,ham=1 */
export function parseClassWeight(v: string): 'balanced' | Record<string, number> {
  if (v.trim() === 'balanced') return 'balanced';
  const out: Record<string, number> = {};
  for (const pair of v.split(',')) {
    const m = /^\s*([^=]+?)\s*=\s*([^=]+?)\s*$/.exec(pair);
    const w = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(w) || w < 0) throw new UsageError(`--class-weight: expected "balanced" or label=weight pairs like spam=5,ham=1, received ${JSON.stringify(v)}`);
    out[m[1]] = w;
  }
  return out;
}

export function parseList(v: string): string[] {
  return v.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseImpute(v: string): ImputeMethod {
  if (!(IMPUTE_METHODS as readonly string[]).includes(v)) throw new UsageError(`--impute: expected one of ${IMPUTE_METHODS.join(', ')}, received ${JSON.stringify(v)}`);
  return v as ImputeMethod;
}

export function parseTask(v: string): Task {
  const ok = ['auto', 'classification', 'regression'];
  if (!ok.includes(v)) throw new UsageError(`--task: expected one of ${ok.join(', ')}, received ${JSON.stringify(v)}`);
  return v as Task;
}

/** Several --target columns mean multi-label classification: refuse the flags that contradict it. */
export function checkMultiLabelFlags(targets: readonly string[], o: { task?: string; loss?: string; classWeight?: unknown }): void {
  if (targets.length < 2) return;
  const also = `--target ${targets.join(',')} names ${targets.length} label columns (multi-label classification)`;
  if (o.task === 'regression') throw new UsageError(`--task regression: ${also}; for several numeric targets train one model per target, or leave --task out`, { field: '--task', expected: 'classification', received: o.task });
  if (o.classWeight !== undefined) throw new UsageError(`--class-weight: ${also}, and class weights apply to one label per row; weigh rows with --sample-weight COLUMN instead`, { field: '--class-weight', expected: 'one target column', received: targets });
  if (o.loss !== undefined && o.loss !== 'bce') throw new UsageError(`--loss ${o.loss}: ${also}, which train one sigmoid output per label with binary cross-entropy; leave --loss out (or pass --loss bce)`, { field: '--loss', expected: 'bce', received: o.loss });
}

// ---- flags → config ------------------------------------------------------------------------

export function modelConfig(o: ModelFlags & FitFlags): Partial<Config> {
  const c: Partial<Config> = { ...fitConfig(o) };
  const hidden = o.hidden ?? o.layers;
  if (hidden !== undefined) c.hidden = hidden;
  if (o.dropout !== undefined) c.dropout = o.dropout.length === 1 ? o.dropout[0] : o.dropout;
  if (o.activation !== undefined) c.activation = o.activation as ActivationName;
  if (o.loss !== undefined) c.loss = o.loss as LossName;
  if (o.task !== undefined) c.task = o.task as Task;
  if (o.seed !== undefined) c.seed = o.seed;
  if (o.dtype !== undefined) c.dtype = o.dtype as Config['dtype'];
  if (o.backend !== undefined) c.backend = o.backend;
  return c;
}

export function fitConfig(o: FitFlags): Partial<FitConfig> {
  const c: Partial<FitConfig> = {};
  if (o.optimizer !== undefined) c.optimizer = o.optimizer as OptimizerName;
  if (o.lr !== undefined) c.learningRate = o.lr;
  if (o.epochs !== undefined) c.epochs = o.epochs;
  if (o.maxEpochs !== undefined) c.maxEpochs = o.maxEpochs;
  if (o.batchSize !== undefined) c.batchSize = o.batchSize;
  // minDelta is left to the library's own default
  if (o.earlyStop !== undefined) c.earlyStopping = { patience: o.earlyStop } as EarlyStopping;
  if (o.weightDecay !== undefined) c.weightDecay = o.weightDecay;
  if (o.clipNorm !== undefined) c.clipNorm = o.clipNorm;
  return c;
}

/** Flags that fix what the network is: they cannot change when a run resumes. */
export const STRUCTURE_FLAGS: [keyof (ModelFlags & { target?: string; features?: string[]; ignore?: string[]; categorical?: string[]; impute?: string; valSplit?: number; sampleWeight?: string; classWeight?: unknown }), string][] = [
  ['sampleWeight', '--sample-weight'], ['classWeight', '--class-weight'], ['dropout', '--dropout'],
  ['hidden', '--hidden'], ['layers', '--layers'], ['activation', '--activation'], ['loss', '--loss'], ['task', '--task'], ['seed', '--seed'], ['dtype', '--dtype'],
  ['target', '--target'], ['features', '--features'], ['ignore', '--ignore'], ['categorical', '--categorical'], ['impute', '--impute'], ['valSplit', '--val-split'],
];
