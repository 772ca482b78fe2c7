// The model file: one versioned JSON document (docs/model-format.md), and a bytes form.
//
//   { "format": "mlpkit-model", "version": 1, "task", "inputs", "layers": [{units, activation, alpha}],
//     "loss", "dtype", "config", "preprocessing", "weights", "training"?, "metadata"? }
//
// Weights are saved as base64 of little-endian float32/float64 bytes (compact, bit-exact) or,
// with { weights: "nested" }, as W: [nOut][nIn] and b: [nOut] arrays a person can read and edit
// (also bit-exact: JSON numbers print the shortest string that parses back to the same double).
// Nothing read from a file is trusted: every field is checked, and an error names the field,
// the expected value and the received one.

import { SerializationError, describe, type MlpError } from '../errors.ts';
import { MLP, type ModelSnapshot, type Preprocessing } from '../model.ts';
import { defaults, type Config } from '../config/defaults.ts';
import { CONFIG_KEYS, optimizerOptionsOf, resolveConfig } from '../config/resolve.ts';
import { parameterLayout } from '../nn/network.ts';
import { ACTIVATIONS, type ActivationName } from '../math/activations.ts';
import { LOSSES, checkLossActivation, type LossName } from '../math/losses.ts';
import { OPTIMIZERS, optimizerBuffers, resolveOptimizer, type OptimizerName } from '../optim/optimizer.ts';
import type { FloatArray, DType } from '../tensor/tensor.ts';
import type { Label } from '../data/input.ts';
import type { SchedulerState } from '../optim/schedule.ts';

export const FORMAT = 'mlpkit-model';
export const VERSION = 1;

export interface SaveOptions {
  /** "base64" (default, compact) or "nested" (W as [nOut][nIn] arrays, for reading and editing). */
  weights?: 'base64' | 'nested';
  /** Save the optimizer state and the generator state so training resumes exactly (default true). */
  training?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Encoded = string | number[] | number[][];

export interface ModelDocument {
  format: typeof FORMAT;
  version: number;
  task: 'classification' | 'regression';
  inputs: number;
  layers: { units: number; activation: ActivationName; alpha?: number }[];
  loss: LossName;
  dtype: DType;
  config: Partial<Config>;
  preprocessing: Preprocessing;
  weights: { encoding: 'base64' | 'nested'; layers: { W: Encoded; b: Encoded }[] };
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
  metadata?: Record<string, Json>;
}

export function toJSON(model: MLP, options: SaveOptions = {}): ModelDocument {
  const snap = model.snapshot({ training: options.training !== false });
  const enc = options.weights ?? 'base64';
  const config: Partial<Config> = {};
  for (const [k, v] of Object.entries(snap.config)) {
    if (k === 'backend') continue; // where it runs is the loader's choice
    (config as Record<string, unknown>)[k] = v;
  }
  const { slots } = parameterLayout(snap.inputs, snap.layers.map((l) => l.units));
  const p = snap.params;
  const doc: ModelDocument = {
    format: FORMAT,
    version: VERSION,
    task: snap.task,
    inputs: snap.inputs,
    layers: snap.layers.map((l) => ({ units: l.units, activation: l.activation, ...(l.activation === 'leakyRelu' || l.activation === 'elu' ? { alpha: l.alpha } : {}) })),
    loss: snap.loss,
    dtype: snap.dtype,
    config,
    preprocessing: snap.preprocessing,
    weights: {
      encoding: enc,
      layers: slots.map((sl) => {
        const W = p.subarray(sl.w, sl.w + sl.nOut * sl.nIn);
        const b = p.subarray(sl.b, sl.b + sl.nOut);
        return { W: enc === 'nested' ? nested(W, sl.nOut, sl.nIn) : toBase64(W), b: enc === 'nested' ? Array.from(b) : toBase64(b) };
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
  if (Object.keys(snap.metadata).length) doc.metadata = snap.metadata as Record<string, Json>;
  return doc;
}

/** Build a model from a document (an object or a JSON string); `backend` picks where it runs. */
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
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new SerializationError('E_FORMAT', `fromJSON: the text is not JSON (${(e as Error).message}); expected an mlpkit model file`);
    }
  }
  const d = obj(doc, 'model');
  if (d.format !== FORMAT) throw new SerializationError('E_FORMAT', `fromJSON: field "format": expected "${FORMAT}", received ${describe(d.format)}; this file was not written by mlpkit`, { field: 'format', expected: FORMAT, received: d.format });
  if (d.version !== VERSION) throw new SerializationError('E_VERSION', `fromJSON: field "version": expected ${VERSION}, received ${describe(d.version)}; ${typeof d.version === 'number' && d.version > VERSION ? 'upgrade mlpkit to read this file' : 'this version is not supported'}`, { field: 'version', expected: VERSION, received: d.version });
  const task = oneOf(d.task, ['classification', 'regression'] as const, 'task');
  const dtype = oneOf(d.dtype, ['float32', 'float64'] as const, 'dtype');
  const inputs = posInt(d.inputs, 'inputs');
  const layersRaw = arr(d.layers, 'layers');
  if (layersRaw.length === 0) throw new SerializationError('E_FORMAT', 'fromJSON: field "layers": expected at least one layer, received an empty array', { field: 'layers', expected: 'at least one layer', received: 0 });
  const layers = layersRaw.map((l, i) => {
    const o = obj(l, `layers[${i}]`);
    const activation = oneOf(o.activation, ACTIVATIONS, `layers[${i}].activation`);
    return { units: posInt(o.units, `layers[${i}].units`), activation, ...(o.alpha !== undefined ? { alpha: finite(o.alpha, `layers[${i}].alpha`) } : {}) };
  });
  const loss = oneOf(d.loss, LOSSES, 'loss');
  try {
    checkLossActivation(loss, layers[layers.length - 1].activation, 'fromJSON');
  } catch (e) {
    throw new SerializationError('E_FORMAT', `fromJSON: fields "loss" and "layers": ${(e as Error).message}`, { field: 'loss', received: loss });
  }

  // config: known keys only; the model's defaults fill the rest (never restated here)
  const cfgIn = d.config === undefined ? {} : obj(d.config, 'config');
  const cfg: Partial<Config> = {};
  for (const [k, v] of Object.entries(cfgIn)) if (CONFIG_KEYS.includes(k)) (cfg as Record<string, unknown>)[k] = v;
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

  // preprocessing
  const outputs = layers[layers.length - 1].units;
  const p = obj(d.preprocessing, 'preprocessing');
  const pre: Preprocessing = { inputs: scaler(p.inputs, inputs, 'preprocessing.inputs') };
  if (task === 'regression') pre.targets = scaler(p.targets, outputs, 'preprocessing.targets');
  else {
    const classes = arr(p.classes, 'preprocessing.classes') as Label[];
    classes.forEach((c, i) => {
      if (!(typeof c === 'string' || typeof c === 'boolean' || (typeof c === 'number' && Number.isFinite(c)))) throw new SerializationError('E_FORMAT', `fromJSON: field "preprocessing.classes[${i}]": expected a string, number or boolean, received ${describe(c)}`, { field: `preprocessing.classes[${i}]`, expected: 'a string, number or boolean', received: c });
    });
    const want = outputs === 1 ? 2 : outputs;
    if (classes.length !== want) throw new SerializationError('E_FORMAT', `fromJSON: field "preprocessing.classes": expected ${want} classes for ${outputs} output${outputs > 1 ? 's' : ''}, received ${classes.length}`, { field: 'preprocessing.classes', expected: want, received: classes.length });
    if (new Set(classes).size !== classes.length) throw new SerializationError('E_FORMAT', 'fromJSON: field "preprocessing.classes": expected distinct labels, received duplicates', { field: 'preprocessing.classes', expected: 'distinct labels' });
    pre.classes = classes;
  }

  // weights: into one flat [W_1 … W_L | b_1 … b_L] array, the layout the network uses
  const layout = parameterLayout(inputs, layers.map((l) => l.units));
  const w = obj(d.weights, 'weights');
  const encoding = oneOf(w.encoding, ['base64', 'nested'] as const, 'weights.encoding');
  const wl = arr(w.layers, 'weights.layers');
  if (wl.length !== layers.length) throw new SerializationError('E_FORMAT', `fromJSON: field "weights.layers": expected ${layers.length} layers, received ${wl.length}`, { field: 'weights.layers', expected: layers.length, received: wl.length });
  const params = dtype === 'float64' ? new Float64Array(layout.size) : new Float32Array(layout.size);
  layout.slots.forEach((sl, i) => {
    const o = obj(wl[i], `weights.layers[${i}]`);
    readInto(o.W, params.subarray(sl.w, sl.w + sl.nOut * sl.nIn), [sl.nOut, sl.nIn], encoding, dtype, `weights.layers[${i}].W`);
    readInto(o.b, params.subarray(sl.b, sl.b + sl.nOut), [sl.nOut], encoding, dtype, `weights.layers[${i}].b`);
  });

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
      snap.training.scheduler = { lr: finite(sc.lr, 'training.scheduler.lr'), best: num(sc.best, 'training.scheduler.best'), badEpochs: nonNegInt(sc.badEpochs, 'training.scheduler.badEpochs') };
    }
  }
  if (d.featureNames !== undefined) {
    const names = arr(d.featureNames, 'featureNames');
    if (names.length !== inputs) throw new SerializationError('E_FORMAT', `fromJSON: field "featureNames": expected ${inputs} names (one per input), received ${names.length}`, { field: 'featureNames', expected: inputs, received: names.length });
    names.forEach((n, i) => {
      if (typeof n !== 'string') throw new SerializationError('E_FORMAT', `fromJSON: field "featureNames[${i}]": expected a string, received ${describe(n)}`, { field: `featureNames[${i}]`, expected: 'a string', received: n });
    });
    if (new Set(names).size !== names.length) throw new SerializationError('E_FORMAT', 'fromJSON: field "featureNames": expected distinct names, received duplicates', { field: 'featureNames', expected: 'distinct names' });
    snap.featureNames = names as string[];
  }
  if (d.targetName !== undefined) {
    if (typeof d.targetName !== 'string') throw new SerializationError('E_FORMAT', `fromJSON: field "targetName": expected a string, received ${describe(d.targetName)}`, { field: 'targetName', expected: 'a string', received: d.targetName });
    snap.targetName = d.targetName;
  }
  if (d.metadata !== undefined) snap.metadata = obj(d.metadata, 'metadata');
  return snap;
}

// ---- bytes form: "MLPK" | u32 header length | JSON header | padding to 8 | raw arrays ----------

const MAGIC = [0x4d, 0x4c, 0x50, 0x4b]; // "MLPK"

/** The document as bytes: a JSON header without the arrays, then the raw little-endian arrays. */
export function toBytes(model: MLP, options: Omit<SaveOptions, 'weights'> = {}): Uint8Array {
  const doc = toJSON(model, { ...options, weights: 'base64' });
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const ref = (b64: Encoded): Encoded => {
    const bytes = fromBase64(b64 as string);
    const r = `@${offset}:${bytes.length}`;
    blobs.push(bytes);
    offset += bytes.length;
    return r;
  };
  doc.weights.layers = doc.weights.layers.map((l) => ({ W: ref(l.W), b: ref(l.b) }));
  if (doc.training?.optimizer) doc.training.optimizer.buffers = Object.fromEntries(Object.entries(doc.training.optimizer.buffers).map(([k, v]) => [k, ref(v) as string]));
  const header = new TextEncoder().encode(JSON.stringify(doc));
  const start = Math.ceil((8 + header.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  let o = start;
  for (const b of blobs) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

export function fromBytes(bytes: Uint8Array, options: { backend?: string } = {}): MLP {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new SerializationError('E_FORMAT', 'fromBytes: expected bytes starting with "MLPK", received something else; this is not an mlpkit binary model (for a .json file use fromJSON)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + len > bytes.length) throw new SerializationError('E_FORMAT', `fromBytes: header length ${len} runs past the end of the ${bytes.length} bytes; the file is truncated`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch (e) {
    throw new SerializationError('E_FORMAT', `fromBytes: the header is not JSON (${(e as Error).message}); the file is damaged`);
  }
  const start = Math.ceil((8 + len) / 8) * 8;
  const deref = (v: unknown, field: string): string => {
    const m = typeof v === 'string' ? /^@(\d+):(\d+)$/.exec(v) : null;
    if (!m) throw new SerializationError('E_FORMAT', `fromBytes: field "${field}": expected a reference "@offset:length", received ${describe(v)}`);
    const o = start + Number(m[1]);
    const n = Number(m[2]);
    if (o + n > bytes.length) throw new SerializationError('E_FORMAT', `fromBytes: field "${field}": data at ${o}..${o + n} runs past the end of the ${bytes.length} bytes; the file is truncated`);
    return toBase64(bytes.subarray(o, o + n));
  };
  const w = obj(doc.weights, 'weights');
  w.layers = arr(w.layers, 'weights.layers').map((l, i) => {
    const o = obj(l, `weights.layers[${i}]`);
    return { W: deref(o.W, `weights.layers[${i}].W`), b: deref(o.b, `weights.layers[${i}].b`) };
  });
  const t = doc.training as Record<string, unknown> | undefined;
  if (t && t.optimizer) {
    const o = obj(t.optimizer, 'training.optimizer');
    o.buffers = Object.fromEntries(Object.entries(obj(o.buffers, 'training.optimizer.buffers')).map(([k, v]) => [k, deref(v, `training.optimizer.buffers.${k}`)]));
  }
  return fromJSON(doc, options);
}

// ---- encoding helpers ----------------------------------------------------------------------

function nested(a: FloatArray, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toBase64(a: FloatArray | Uint8Array): string {
  let bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (!LITTLE_ENDIAN && !(a instanceof Uint8Array)) bytes = swap(bytes, a.BYTES_PER_ELEMENT);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function swap(b: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += size) for (let k = 0; k < size; k++) out[i + k] = b[i + size - 1 - k];
  return out;
}

function readInto(v: unknown, dst: FloatArray, shape: number[], encoding: 'base64' | 'nested', dtype: DType, field: string): void {
  const n = dst.length;
  const shapeStr = `[${shape.join(', ')}]`;
  if (encoding === 'base64' || typeof v === 'string') {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected base64 text of ${n} ${dtype} values, received ${describe(v)}`);
    let bytes = fromBase64(v);
    const size = dtype === 'float64' ? 8 : 4;
    if (bytes.length !== n * size) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${n} ${dtype} values (shape ${shapeStr}, ${n * size} bytes), received ${bytes.length} bytes`);
    if (!LITTLE_ENDIAN) bytes = swap(bytes, size);
    const src = dtype === 'float64' ? new Float64Array(bytes.buffer, 0, n) : new Float32Array(bytes.buffer, 0, n);
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(src[k])) throw new SerializationError('E_NONFINITE', `fromJSON: field "${field}": value ${k} is ${src[k]}, expected a finite number`);
      dst[k] = src[k];
    }
    return;
  }
  // nested: W as [nOut][nIn], b as [nOut]
  const rows = arr(v, field);
  if (shape.length === 2) {
    if (rows.length !== shape[0]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected shape ${shapeStr} (${shape[0]} rows of ${shape[1]}), received ${rows.length} rows`);
    rows.forEach((r, i) => {
      const row = arr(r, `${field}[${i}]`);
      if (row.length !== shape[1]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}[${i}]": expected ${shape[1]} values (shape ${shapeStr}), received ${row.length}`);
      row.forEach((x, j) => (dst[i * shape[1] + j] = finite(x, `${field}[${i}][${j}]`)));
    });
  } else {
    if (rows.length !== shape[0]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${shape[0]} values, received ${rows.length}`);
    rows.forEach((x, j) => (dst[j] = finite(x, `${field}[${j}]`)));
  }
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an object, received ${describe(v)}`);
  return v as Record<string, unknown>;
}
function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an array, received ${describe(v)}`);
  return v;
}
function num(v: unknown, field: string): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (v === null) return Infinity; // JSON has no Infinity: JSON.stringify writes null
  throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a number, received ${describe(v)}`);
}
function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a finite number, received ${describe(v)}`);
  return v;
}
function posInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1e8) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a positive integer, received ${describe(v)}`);
  return v;
}
function nonNegInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an integer ≥ 0, received ${describe(v)}`);
  return v;
}
function oneOf<T extends string>(v: unknown, options: readonly T[], field: string): T {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected one of ${options.map((o) => `"${o}"`).join(', ')}, received ${describe(v)}`);
}
function scaler(v: unknown, n: number, field: string): Preprocessing['inputs'] {
  const o = obj(v, field);
  const method = oneOf(o.method, ['standard', 'minmax', 'none'] as const, `${field}.method`);
  const shift = arr(o.shift, `${field}.shift`).map((x, i) => finite(x, `${field}.shift[${i}]`));
  const scale = arr(o.scale, `${field}.scale`).map((x, i) => finite(x, `${field}.scale[${i}]`));
  if (shift.length !== n || scale.length !== n) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${n} shift and scale values, received ${shift.length} and ${scale.length}`);
  scale.forEach((s, i) => {
    if (s === 0) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}.scale[${i}]": expected a non-zero number, received 0`);
  });
  return { method, shift, scale };
}
