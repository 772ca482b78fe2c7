// Config resolution, next to the defaults it fills in: every option is checked here, once, with
// its name in the message. Unknown options are refused (a typo must not silently train with a default).

import { ConfigError, describe } from '../errors.ts';
import { checkActivation } from '../math/activations.ts';
import { checkLoss } from '../math/losses.ts';
import { checkInit } from '../nn/init.ts';
import { checkOptimizer, type OptimizerOptions } from '../optim/optimizer.ts';
import { defaults, type Config, type FitConfig } from './defaults.ts';

/** The options that say how to train (they may change from one fit call to the next). */
export const FIT_KEYS: readonly (keyof FitConfig)[] = ['epochs', 'maxEpochs', 'tol', 'nIterNoChange', 'batchSize', 'optimizer', 'learningRate', 'optimizerOptions', 'weightDecay', 'clipNorm', 'schedule', 'shuffle', 'validationSplit', 'earlyStopping', 'classWeight'];

/** Model options that have no default (undefined means "from the task" or "by activation"). */
export const OPTIONAL_KEYS = ['alpha', 'outputActivation', 'loss', 'init', 'biasInit', 'learningRate', 'weightDecay', 'epochs', 'classWeight'] as const;

/** Every option a Config may hold. */
export const CONFIG_KEYS: readonly string[] = [...new Set([...Object.keys(defaults), ...OPTIONAL_KEYS])];

/** The fit options present (not undefined) in o, and nothing else. */
export function pickFit(o: Partial<FitConfig>): Partial<FitConfig> {
  const out: Record<string, unknown> = {};
  for (const k of FIT_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as Partial<FitConfig>;
}

/** Defaults filled in and every value checked: bad options fail here, with the option's name. */
export function resolveConfig(c: Partial<Config>): Config {
  if (c === null || typeof c !== 'object') throw new ConfigError('E_CONFIG', `MLP: expected a config object, received ${describe(c)}`, { field: 'config', expected: 'an object', received: c });
  for (const k of Object.keys(c)) {
    if (!CONFIG_KEYS.includes(k)) throw unknownOption('MLP', k, CONFIG_KEYS);
  }
  const cfg: Config = { ...defaults, ...stripUndefined(c) };
  if (!['auto', 'classification', 'regression'].includes(cfg.task)) throw new ConfigError('E_CONFIG', `MLP: expected task "auto", "classification" or "regression", received ${JSON.stringify(cfg.task)}`, { field: 'task', expected: '"auto", "classification" or "regression"', received: cfg.task });
  if (!Array.isArray(cfg.hidden) || cfg.hidden.some((u) => !Number.isInteger(u) || u < 1)) throw new ConfigError('E_CONFIG', `MLP: expected hidden to be an array of positive integers like [64, 32], received ${JSON.stringify(cfg.hidden)}`, { field: 'hidden', expected: 'an array of positive integers', received: cfg.hidden });
  for (const a of Array.isArray(cfg.activation) ? cfg.activation : [cfg.activation]) {
    checkActivation(a, 'MLP: activation');
    if (a === 'softmax') throw new ConfigError('E_CONFIG', 'MLP: softmax is only an output activation, received it as a hidden activation; use relu or tanh for hidden layers', { field: 'activation', expected: 'a hidden-layer activation', received: a });
  }
  if (Array.isArray(cfg.activation) && cfg.activation.length !== cfg.hidden.length) throw new ConfigError('E_CONFIG', `MLP: expected one activation per hidden layer (${cfg.hidden.length}), received ${cfg.activation.length}`, { field: 'activation', expected: cfg.hidden.length, received: cfg.activation.length });
  if (cfg.outputActivation !== undefined) checkActivation(cfg.outputActivation, 'MLP: outputActivation');
  if (cfg.loss !== undefined) checkLoss(cfg.loss, 'MLP: loss');
  const layers = cfg.hidden.length + 1;
  for (const k of ['init', 'biasInit'] as const) {
    const v = cfg[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length !== layers) throw new ConfigError('E_CONFIG', `MLP: expected ${k} to be one initializer or one per layer (${layers}: the hidden layers, then the output), received ${v.length}`, { field: k, expected: layers, received: v.length });
      v.forEach((name, l) => checkInit(name, `MLP: ${k}[${l}]`));
    } else checkInit(v, `MLP: ${k}`);
  }
  if (Array.isArray(cfg.bias) ? cfg.bias.length !== layers || cfg.bias.some((b) => typeof b !== 'boolean') : typeof cfg.bias !== 'boolean') {
    throw new ConfigError('E_CONFIG', `MLP: expected bias to be true, false, or one boolean per layer (${layers}: the hidden layers, then the output), received ${JSON.stringify(cfg.bias)}`, { field: 'bias', expected: `a boolean or ${layers} booleans`, received: cfg.bias });
  }
  const rates = Array.isArray(cfg.dropout) ? cfg.dropout : [cfg.dropout];
  if ((Array.isArray(cfg.dropout) && cfg.dropout.length !== cfg.hidden.length) || rates.some((p) => typeof p !== 'number' || !(p >= 0 && p < 1))) {
    throw new ConfigError('E_CONFIG', `MLP: expected dropout to be a rate in [0, 1), or one per hidden layer (${cfg.hidden.length}), received ${JSON.stringify(cfg.dropout)}; 0.1 to 0.5 are usual`, { field: 'dropout', expected: `a rate in [0, 1) or ${cfg.hidden.length} of them`, received: cfg.dropout });
  }
  if (cfg.alpha !== undefined && !(Number.isFinite(cfg.alpha) && cfg.alpha >= 0)) throw new ConfigError('E_CONFIG', `MLP: expected alpha ≥ 0, received ${cfg.alpha}`, { field: 'alpha', expected: '≥ 0', received: cfg.alpha });
  if (cfg.dtype !== 'float32' && cfg.dtype !== 'float64') throw new ConfigError('E_CONFIG', `MLP: expected dtype "float32" or "float64", received ${JSON.stringify(cfg.dtype)}`, { field: 'dtype', expected: '"float32" or "float64"', received: cfg.dtype });
  if (!Number.isInteger(cfg.seed) || cfg.seed < 0 || cfg.seed > 0xffffffff) throw new ConfigError('E_CONFIG', `MLP: expected seed to be an integer in 0..4294967295, received ${cfg.seed}`, { field: 'seed', expected: 'an integer in 0..4294967295', received: cfg.seed });
  for (const k of ['scaleInputs', 'scaleTargets'] as const) {
    if (!['standard', 'minmax', 'none'].includes(cfg[k])) throw new ConfigError('E_CONFIG', `MLP: expected ${k} "standard", "minmax" or "none", received ${JSON.stringify(cfg[k])}`, { field: k, expected: '"standard", "minmax" or "none"', received: cfg[k] });
  }
  resolveFit(pickFit(cfg));
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fit settings in force: defaults, overridden by o; every value checked. */
export function resolveFit(o: Partial<FitConfig>): FitConfig {
  const f: FitConfig = { ...pickFit(defaults), ...o } as FitConfig;
  const where = 'fit';
  const bad = (field: string, expected: string, received: unknown, fix = ''): never => {
    throw new ConfigError('E_CONFIG', `${where}: expected ${field} ${expected}, received ${typeof received === 'object' ? JSON.stringify(received) : received}${fix}`, { field, expected, received });
  };
  if (f.epochs !== undefined && (!Number.isInteger(f.epochs) || f.epochs < 1)) bad('epochs', 'to be an integer ≥ 1', f.epochs, '; or leave it out to train until the loss stops improving');
  if (!Number.isInteger(f.maxEpochs) || f.maxEpochs < 1) bad('maxEpochs', 'to be an integer ≥ 1', f.maxEpochs);
  if (!(Number.isFinite(f.tol) && f.tol >= 0)) bad('tol', '≥ 0', f.tol);
  if (!Number.isInteger(f.nIterNoChange) || f.nIterNoChange < 1) bad('nIterNoChange', 'to be an integer ≥ 1', f.nIterNoChange);
  if (f.classWeight !== undefined && f.classWeight !== 'balanced' && (f.classWeight === null || typeof f.classWeight !== 'object' || Array.isArray(f.classWeight))) bad('classWeight', 'to be "balanced" or an object of label → weight', f.classWeight);
  if (!Number.isInteger(f.batchSize) || f.batchSize < 1) bad('batchSize', 'to be an integer ≥ 1', f.batchSize, '; use 1 for per-sample SGD or e.g. 32');
  checkOptimizer(f.optimizer, where);
  if (f.learningRate !== undefined && !(Number.isFinite(f.learningRate) && f.learningRate > 0)) bad('learningRate', '> 0', f.learningRate, '; try 0.01');
  if (f.weightDecay !== undefined && !(Number.isFinite(f.weightDecay) && f.weightDecay >= 0)) bad('weightDecay', '≥ 0', f.weightDecay);
  if (!(Number.isFinite(f.clipNorm) && f.clipNorm >= 0)) bad('clipNorm', '≥ 0 (0 = off)', f.clipNorm);
  if (!(Number.isFinite(f.validationSplit) && f.validationSplit >= 0 && f.validationSplit < 1)) bad('validationSplit', 'in [0, 1)', f.validationSplit);
  if (f.earlyStopping !== false) {
    const es = f.earlyStopping as Partial<{ patience: number; minDelta: number }>;
    if (!es || typeof es !== 'object' || !Number.isInteger(es.patience) || (es.patience as number) < 1) bad('earlyStopping', 'to be false or { patience: integer ≥ 1, minDelta?: number }', f.earlyStopping);
    f.earlyStopping = { patience: es.patience as number, minDelta: es.minDelta ?? 0 };
  }
  return f;
}

/** An unknown option: its name, the nearest known one, and the known ones. */
export function unknownOption(where: string, key: string, known: readonly string[]): ConfigError {
  const near = nearestName(key, known);
  return new ConfigError('E_CONFIG', `${where}: unknown option "${key}"${near ? `; did you mean "${near}"?` : ''} Known options: ${known.join(', ')}`, { field: key, expected: near ?? known.join(', '), received: key });
}

/** The known name closest to `name` by edit distance, when it is close (at most max(2, ⌊length/3⌋) edits). */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The optimizer's options a fit config implies: optimizerOptions, with weightDecay as its shortcut. */
export function optimizerOptionsOf(f: Pick<FitConfig, 'optimizerOptions' | 'weightDecay'>): OptimizerOptions {
  return { ...f.optimizerOptions, ...(f.weightDecay !== undefined ? { weightDecay: f.weightDecay } : {}) };
}
