// The model file: one versioned JSON document (docs/model-format.md), and a bytes form.
//
//   { "format": "mlpkit-model", "version": 1, "task", "inputs", "layers": [{units, activation, alpha}],
//     "loss", "dtype", "config", "preprocessing", "weights", "training"?, "metadata"? }
//
// Weights are saved as base64 of little-endian float32/float64 bytes (compact, bit-exact) or,
// with { weights: "nested" }, as W: [nOut][nIn] and b: [nOut] arrays a person can read and edit
// (also bit-exact: JSON numbers print the shortest string that parses back to the same double).
// Nothing read from a file is trusted: every field is checked, and an error names the field,
// the expected value and the received one. NOTE: the whole document is checked before anything is
// allocated from a number it declares (see "checks before anything is allocated" below): a 2 KB
// file declaring layers of 50,000 units is refused in milliseconds, not after 8 GB.

import { SerializationError, describe, type MlpError } from '../errors.ts';
import { MLP, type ModelSnapshot } from '../model.ts';
import { defaults, type Config } from '../config/defaults.ts';
import { CONFIG_KEYS, optimizerOptionsOf, resolveConfig } from '../config/resolve.ts';
import { parameterLayout } from '../nn/network.ts';
import type { ActivationName } from '../math/activations.ts';
import type { LossName } from '../math/losses.ts';
import { OPTIMIZERS, optimizerBuffers, resolveOptimizer, type OptimizerName } from '../optim/optimizer.ts';
import type { FloatArray, DType } from '../tensor/tensor.ts';
import type { Preprocessing } from '../data/encode.ts';
import { LrScheduler, type Schedule, type SchedulerState } from '../optim/schedule.ts';
import { FORMAT, MAGIC, VERSION, arr, crc32, documentFromBytes, base64Bytes, checkWeightSizes, finite, fromBase64, isBase64, nonNegInt, num, obj, oneOf, parseDocument, readFeatureNames, readHeader, readInto, readPreprocessing, readWeights, toBase64 } from './document.ts';

export { FORMAT, VERSION } from './document.ts';

/** How toJSON / model.toJSON writes a model. */
export interface SaveOptions {
  /** "base64" (default, compact) or "nested" (W as [nOut][nIn] arrays, for reading and editing). */
  weights?: 'base64' | 'nested';
  /** Save the optimizer state and the generator state so training resumes exactly (default true). */
  training?: boolean;
}

/** A JSON value: what metadata may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
/** An array as saved: a base64 string of little-endian floats, or plain numbers (nested: W as [nOut][nIn], b as [nOut]). */
export type EncodedArray = string | number[] | number[][];

/** A saved model (format "mlpkit-model"): architecture, config, preprocessing, the weights W_l [nOut, nIn] and b_l [nOut] of every layer, and optionally the training state. Plain JSON: JSON.stringify it to save. */
export interface ModelDocument {
  format: typeof FORMAT;
  version: number;
  task: 'classification' | 'regression';
  inputs: number;
  layers: { units: number; activation: ActivationName; alpha?: number; bias?: false; dropout?: number }[];
  loss: LossName;
  dtype: DType;
  config: Partial<Config>;
  preprocessing: Preprocessing;
  /** b is absent for a layer with bias: false */
  weights: { encoding: 'base64' | 'nested'; layers: { W: EncodedArray; b?: EncodedArray }[] };
  training?: {
    epochs: number;
    rng: number[];
    optimizer?: { name: OptimizerName; t: number; buffers: Record<string, string> };
    scheduler?: SchedulerState;
  };
  /** names of the input columns, in order (optional) */
  featureNames?: string[];
  /** name of the target column (optional) */
  targetName?: string;
  metadata?: Record<string, JsonValue>;
}

/**
 * The model as a plain, JSON-ready document; fromJSON(toJSON(m)) predicts bit-identically.
 * @throws {@link MlpError} (E_NOT_FITTED) for a model that has not been fitted
 * @example
 * ```ts
 * import { MLP, toJSON, fromJSON, datasets } from 'mlpkit';
 * const { x, y } = datasets.iris();
 * const model = new MLP({ hidden: [8], epochs: 20, seed: 1 });
 * model.fit(x, y);
 * const text = JSON.stringify(toJSON(model));
 * const again = fromJSON(text);
 * again.predict(x.slice(0, 3)); // same labels as model.predict
 * ```
 */
export function toJSON(model: MLP, options: SaveOptions = {}): ModelDocument {
  const snap = model.snapshot({ training: options.training !== false });
  const enc = options.weights ?? 'base64';
  const config: Partial<Config> = {};
  for (const [k, v] of Object.entries(snap.config)) {
    if (k === 'backend') continue; // where it runs is the loader's choice
    (config as Record<string, unknown>)[k] = v;
  }
  const { slots } = parameterLayout(snap.inputs, snap.layers);
  const p = snap.params;
  const doc: ModelDocument = {
    format: FORMAT,
    version: VERSION,
    task: snap.task,
    inputs: snap.inputs,
    layers: snap.layers.map((l) => ({
      units: l.units, activation: l.activation,
      ...(l.activation === 'leakyRelu' || l.activation === 'elu' ? { alpha: l.alpha } : {}),
      ...(l.bias === false ? { bias: false } : {}),
      ...(l.dropout ? { dropout: l.dropout } : {}),
    })),
    loss: snap.loss,
    dtype: snap.dtype,
    config,
    preprocessing: snap.preprocessing,
    weights: {
      encoding: enc,
      layers: slots.map((sl) => {
        const W = p.subarray(sl.w, sl.w + sl.nOut * sl.nIn);
        const entry: { W: EncodedArray; b?: EncodedArray } = { W: enc === 'nested' ? nested(W, sl.nOut, sl.nIn) : toBase64(W) };
        if (sl.b >= 0) {
          const b = p.subarray(sl.b, sl.b + sl.nOut);
          entry.b = enc === 'nested' ? Array.from(b) : toBase64(b);
        }
        return entry;
      }),
    },
  };
  if (snap.training) {
    const t = snap.training;
    doc.training = {
      epochs: snap.epochsTrained,
      rng: t.rng,
      ...(t.optimizer ? { optimizer: { name: t.optimizer.name, t: t.optimizer.t, buffers: Object.fromEntries(Object.entries(t.optimizer.buffers).map(([k, v]) => [k, toBase64(v)])) } } : {}),
      ...(t.scheduler ? { scheduler: t.scheduler } : {}),
    };
  }
  if (snap.featureNames) doc.featureNames = snap.featureNames;
  if (snap.targetName !== null) doc.targetName = snap.targetName;
  if (Object.keys(snap.metadata).length) doc.metadata = snap.metadata as Record<string, JsonValue>;
  return doc;
}

/**
 * Build a model from a document (an object or a JSON string); `backend` picks where it runs.
 *
 * @example
 * ```ts
 * import { MLP, fromJSON, toJSON, datasets } from 'mlpkit';
 * const { x, y } = datasets.xor({ n: 100, seed: 0 });
 * const model = new MLP({ hidden: [4], epochs: 5, seed: 0 });
 * model.fit(x, y);
 * const text = JSON.stringify(toJSON(model));
 * const again = fromJSON(text, { backend: 'js' }); // a full model: it predicts, and trains on where it stopped
 * again.fit(x, y, { epochs: 2 });
 * console.log(again.epochsTrained); // 7
 * ```
 */
export function fromJSON(input: unknown, options: { backend?: string } = {}): MLP {
  const snap = toSnapshot(input);
  try {
    return MLP.restore(snap, options);
  } catch (e) {
    if (e instanceof SerializationError) throw e;
    throw new SerializationError('E_FORMAT', `fromJSON: ${(e as Error).message}`);
  }
}

/** A document checked field by field and turned into a model snapshot (nothing of the model is built yet). */
export function toSnapshot(input: unknown): ModelSnapshot {
  const d = parseDocument(input);
  const header = readHeader(d);
  const { task, dtype, inputs, layers, loss } = header;

  // config: known keys only; the model's defaults fill the rest (never restated here)
  const cfgIn = d.config === undefined ? {} : obj(d.config, 'config');
  const cfg: Partial<Config> = {};
  for (const [k, v] of Object.entries(cfgIn)) if (CONFIG_KEYS.includes(k)) (cfg as Record<string, unknown>)[k] = v;
  checkConfigValues(cfg);
  // sizes before anything is allocated: the declared layers against the bytes actually present
  checkWeightSizes(d.weights, inputs, layers, dtype);
  if (d.training !== undefined) checkTrainingSizes(d.training, parameterLayout(inputs, layers).size, dtype);
  if (d.metadata !== undefined) checkDepth(d.metadata, 'metadata');
  const hidden = layers.slice(0, -1);
  cfg.hidden = hidden.map((l) => l.units);
  cfg.activation = hidden.length ? hidden.map((l) => l.activation) : (cfg.activation ?? defaults.activation);
  cfg.outputActivation = layers[layers.length - 1].activation;
  cfg.loss = loss;
  cfg.task = task;
  cfg.dtype = dtype;
  if (hidden.some((l) => l.alpha !== undefined)) cfg.alpha = hidden.find((l) => l.alpha !== undefined)!.alpha;
  let config: Config;
  try {
    config = resolveConfig(cfg);
  } catch (e) {
    throw new SerializationError('E_FORMAT', `fromJSON: field "config": ${(e as Error).message}`, { field: `config${(e as MlpError).field ? '.' + (e as MlpError).field : ''}`, received: (e as MlpError).received });
  }

  const pre = readPreprocessing(d.preprocessing, header);
  const layout = parameterLayout(inputs, layers);
  const params = readWeights(d.weights, header);

  const snap: ModelSnapshot = {
    config, task, loss, dtype, inputs, layers, params, preprocessing: pre, epochsTrained: 0,
    featureNames: null, targetName: null, metadata: {},
  };
  if (d.training !== undefined) {
    const t = obj(d.training, 'training');
    snap.epochsTrained = nonNegInt(t.epochs, 'training.epochs');
    const rng = arr(t.rng, 'training.rng');
    if (rng.length !== 4 || rng.some((v) => !Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffffffff) || rng.every((v) => v === 0)) {
      throw new SerializationError('E_FORMAT', `fromJSON: field "training.rng": expected 4 unsigned 32-bit integers, not all zero, received ${describe(rng)}`, { field: 'training.rng', expected: '4 unsigned 32-bit integers, not all 0', received: rng });
    }
    snap.training = { rng: rng as [number, number, number, number] };
    if (t.optimizer !== undefined) {
      const o = obj(t.optimizer, 'training.optimizer');
      const name = oneOf(o.name, OPTIMIZERS, 'training.optimizer.name');
      let resolved: ReturnType<typeof resolveOptimizer>;
      try {
        resolved = resolveOptimizer(name, optimizerOptionsOf(config));
      } catch (e) {
        throw new SerializationError('E_FORMAT', `fromJSON: field "config.optimizerOptions": ${(e as Error).message}`, { field: 'config.optimizerOptions' });
      }
      const bufs = obj(o.buffers, 'training.optimizer.buffers');
      const buffers: Record<string, FloatArray> = {};
      for (const k of optimizerBuffers(resolved)) {
        buffers[k] = dtype === 'float64' ? new Float64Array(layout.size) : new Float32Array(layout.size);
        readInto(bufs[k], buffers[k], [layout.size], 'base64', dtype, `training.optimizer.buffers.${k}`);
      }
      snap.training.optimizer = { name, t: nonNegInt(o.t, 'training.optimizer.t'), buffers };
    }
    if (t.scheduler !== undefined) {
      const sc = obj(t.scheduler, 'training.scheduler');
      const lr = finite(sc.lr, 'training.scheduler.lr');
      if (!(lr > 0)) throw new SerializationError('E_FORMAT', `fromJSON: field "training.scheduler.lr": expected a learning rate > 0, received ${lr}`, { field: 'training.scheduler.lr', expected: '> 0', received: lr });
      snap.training.scheduler = { lr, best: num(sc.best, 'training.scheduler.best'), badEpochs: nonNegInt(sc.badEpochs, 'training.scheduler.badEpochs') };
    }
  }
  snap.featureNames = readFeatureNames(d.featureNames, inputs);
  if (d.targetName !== undefined) {
    if (typeof d.targetName !== 'string') throw new SerializationError('E_FORMAT', `fromJSON: field "targetName": expected a string, received ${describe(d.targetName)}`, { field: 'targetName', expected: 'a string', received: d.targetName });
    snap.targetName = d.targetName;
  }
  if (d.metadata !== undefined) snap.metadata = obj(d.metadata, 'metadata');
  return snap;
}

// ---- bytes form: "MLPK" | u32 header length | JSON header | padding to 8 | raw arrays | CRC-32 --
// Written here; read by documentFromBytes (io/document.ts, shared with mlpkit/infer's fromBytes),
// which checks the CRC-32 (version 2 on; version 1 files have none and are still read).

/**
 * The document as bytes: a JSON header without the arrays, then the raw little-endian arrays.
 *
 * @example
 * ```ts
 * import { MLP, toBytes, fromBytes, datasets } from 'mlpkit';
 * const { x, y } = datasets.xor({ n: 100, seed: 0 });
 * const model = new MLP({ hidden: [4], epochs: 5, seed: 0 });
 * model.fit(x, y);
 * const bytes = toBytes(model); // "MLPK", a JSON header, the raw float32 arrays, a CRC-32
 * console.log(bytes.length, fromBytes(bytes).predict(x.slice(0, 3)));
 * ```
 */
export function toBytes(model: MLP, options: Omit<SaveOptions, 'weights'> = {}): Uint8Array {
  const doc = toJSON(model, { ...options, weights: 'base64' });
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const ref = (b64: EncodedArray): EncodedArray => {
    const bytes = fromBase64(b64 as string);
    const r = `@${offset}:${bytes.length}`;
    blobs.push(bytes);
    offset += bytes.length;
    return r;
  };
  doc.weights.layers = doc.weights.layers.map((l) => ({ W: ref(l.W), ...(l.b !== undefined ? { b: ref(l.b) } : {}) }));
  if (doc.training?.optimizer) doc.training.optimizer.buffers = Object.fromEntries(Object.entries(doc.training.optimizer.buffers).map(([k, v]) => [k, ref(v) as string]));
  const header = new TextEncoder().encode(JSON.stringify(doc));
  const start = Math.ceil((8 + header.length) / 8) * 8;
  const out = new Uint8Array(start + offset + 4);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  let o = start;
  for (const b of blobs) {
    out.set(b, o);
    o += b.length;
  }
  new DataView(out.buffer).setUint32(o, crc32(out.subarray(0, o)), true);
  return out;
}

/**
 * Read a model written by toBytes: the CRC-32 (version 2), the header and every array are checked before anything is allocated or built.
 * @throws {@link MlpError} (a SerializationError) when the bytes are truncated, corrupt, of another format or version, or shapes do not match
 *
 * @example
 * ```ts
 * import { MLP, MlpError, toBytes, fromBytes, iris } from 'mlpkit';
 * const { x, y } = iris();
 * const model = new MLP({ hidden: [4], epochs: 5, seed: 0 });
 * model.fit(x, y);
 * const bytes = toBytes(model);
 * console.log(fromBytes(bytes).predict([x[0]!]));
 * bytes[20] ^= 1; // one flipped bit
 * try {
 *   fromBytes(bytes);
 * } catch (e) {
 *   if (e instanceof MlpError) console.log(e.code, e.message); // E_FORMAT … the CRC-32 checksum does not match
 * }
 * ```
 */
export function fromBytes(bytes: Uint8Array, options: { backend?: string } = {}): MLP {
  return fromJSON(documentFromBytes(bytes, 'fromBytes'), options);
}

// ---- encoding helpers ----------------------------------------------------------------------

export { crc32 };


function nested(a: FloatArray, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));
}

// ---- checks before anything is allocated ---------------------------------------------------
// Each reads only what the document holds; none allocates from a number the document declares.

/** Config keys without a default value (undefined = chosen from the task). */
const OPTIONAL_CONFIG = ['alpha', 'outputActivation', 'loss', 'init', 'biasInit', 'learningRate', 'weightDecay', 'epochs', 'classWeight'];
const OPTIMIZER_OPTIONS = ['momentum', 'dampening', 'beta1', 'beta2', 'eps', 'rho', 'weightDecay'];

/**
 * Every config value of the type its default has, so a saved `optimizerOptions: null` or
 * `schedule: null` is refused here and not met as a TypeError in fit or in a resumed run.
 * (MLP's constructor then checks the ranges.)
 */
function checkConfigValues(config: Record<string, unknown>): void {
  const bad = (k: string, expected: string): never => {
    throw new SerializationError('E_FORMAT', `fromJSON: field "config.${k}": expected ${expected}, received ${describe(config[k])}`, { field: `config.${k}` });
  };
  for (const [k, v] of Object.entries(config)) {
    const d = (defaults as unknown as Record<string, unknown>)[k];
    if (k === 'earlyStopping') {
      if (v !== false && (v === null || typeof v !== 'object' || Array.isArray(v))) bad(k, 'false or an object { patience, minDelta }');
    } else if (k === 'activation') {
      if (typeof v !== 'string' && !(Array.isArray(v) && v.every((a) => typeof a === 'string'))) bad(k, 'an activation name or an array of them');
    } else if (k === 'hidden') {
      if (!Array.isArray(v)) bad(k, 'an array of layer sizes');
    } else if (k === 'init' || k === 'biasInit') {
      if (typeof v !== 'string' && !(Array.isArray(v) && v.every((a) => typeof a === 'string'))) bad(k, 'an initializer name or an array of them');
    } else if (k === 'bias') {
      if (typeof v !== 'boolean' && !(Array.isArray(v) && v.every((a) => typeof a === 'boolean'))) bad(k, 'a boolean or an array of them');
    } else if (k === 'dropout') {
      if (!(typeof v === 'number' && Number.isFinite(v)) && !(Array.isArray(v) && v.every((a) => typeof a === 'number' && Number.isFinite(a)))) bad(k, 'a rate or an array of rates');
    } else if (k === 'classWeight') {
      if (v !== 'balanced' && (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((w) => typeof w !== 'number' || !Number.isFinite(w)))) bad(k, '"balanced" or an object of label → weight');
    } else if (d === undefined) {
      const numeric = ['alpha', 'learningRate', 'weightDecay', 'epochs'].includes(k);
      if (numeric ? typeof v !== 'number' || !Number.isFinite(v) : typeof v !== 'string') bad(k, numeric ? 'a finite number' : 'a name');
    } else if (typeof d === 'object') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(k, 'an object');
    } else if (typeof v !== typeof d || (typeof v === 'number' && !Number.isFinite(v))) bad(k, typeof d === 'number' ? 'a finite number' : `a ${typeof d}`);
  }
  const oo = config.optimizerOptions as Record<string, unknown> | undefined;
  if (oo) {
    for (const [k, v] of Object.entries(oo)) {
      if (!OPTIMIZER_OPTIONS.includes(k)) throw new SerializationError('E_FORMAT', `fromJSON: field "config.optimizerOptions.${k}": unknown option; expected one of ${OPTIMIZER_OPTIONS.join(', ')}`, { field: `config.optimizerOptions.${k}` });
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "config.optimizerOptions.${k}": expected a finite number, received ${describe(v)}`, { field: `config.optimizerOptions.${k}` });
    }
  }
  const sched = config.schedule as Record<string, unknown> | undefined;
  if (sched) {
    try {
      new LrScheduler(1, sched as Schedule, 1); // checks the type and every number; allocates nothing
    } catch (e) {
      throw new SerializationError('E_FORMAT', `fromJSON: field "config.schedule": ${(e as Error).message}`, { field: `config.schedule` });
    }
  }
}

/** Optimizer buffers: base64 of exactly one value per parameter, before the optimizer allocates its own. */
function checkTrainingSizes(training: unknown, params: number, dtype: DType): void {
  const t = obj(training, 'training');
  if (t.optimizer === undefined) return;
  const o = obj(t.optimizer, 'training.optimizer');
  const bufs = obj(o.buffers, 'training.optimizer.buffers');
  const size = dtype === 'float64' ? 8 : 4;
  for (const [k, v] of Object.entries(bufs)) {
    const field = `training.optimizer.buffers.${k}`;
    if (typeof v !== 'string' || !isBase64(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected base64 text of ${params} ${dtype} values, received ${describe(v)}`, { field: `${field}` });
    if (base64Bytes(v) !== params * size) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${params} ${dtype} values (one per parameter, ${params * size} bytes), received ${base64Bytes(v)} bytes`, { field: `${field}` });
  }
}

/** How deep free-form JSON may nest: deeper metadata would load, then fail in toJSON (RangeError). */
const MAX_DEPTH = 100;

/** Nesting depth of plain JSON, iteratively (a recursive walk would itself overflow the stack). */
function checkDepth(v: unknown, field: string): void {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth > MAX_DEPTH) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected JSON nested at most ${MAX_DEPTH} levels deep, received deeper; flatten it`, { field: `${field}` });
    for (const c of Object.values(x)) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
}

