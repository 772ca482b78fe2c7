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
import { MLP, type ModelSnapshot, type Preprocessing } from '../model.ts';
import { defaults, type Config } from '../config/defaults.ts';
import { CONFIG_KEYS, optimizerOptionsOf, resolveConfig } from '../config/resolve.ts';
import { parameterLayout } from '../nn/network.ts';
import { ACTIVATIONS, type ActivationName } from '../math/activations.ts';
import { LOSSES, checkLossActivation, type LossName } from '../math/losses.ts';
import { OPTIMIZERS, optimizerBuffers, resolveOptimizer, type OptimizerName } from '../optim/optimizer.ts';
import type { FloatArray, DType } from '../tensor/tensor.ts';
import type { Label } from '../data/input.ts';
import { SCALER_LIMIT } from '../data/preprocess.ts';
import { LrScheduler, type Schedule, type SchedulerState } from '../optim/schedule.ts';

/** The `format` field of every model document ("mlpkit-model"); a document without it is refused. */
export const FORMAT = 'mlpkit-model';
/** 2: the bytes form ends with a CRC-32 of everything before it. Versions 1 and 2 are read. */
export const VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

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
      // a UTF-8 byte order mark (some editors write one) is not part of the document
      doc = JSON.parse(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
    } catch (e) {
      throw new SerializationError('E_FORMAT', `fromJSON: the text is not JSON (${(e as Error).message}); expected an mlpkit model file`);
    }
  }
  const d = obj(doc, 'model');
  if (d.format !== FORMAT) throw new SerializationError('E_FORMAT', `fromJSON: field "format": expected "${FORMAT}", received ${describe(d.format)}; this file was not written by mlpkit`, { field: 'format', expected: FORMAT, received: d.format });
  if (!READABLE_VERSIONS.includes(d.version as number)) throw new SerializationError('E_VERSION', `fromJSON: field "version": expected ${READABLE_VERSIONS.join(' or ')}, received ${describe(d.version)}; ${typeof d.version === 'number' && d.version > VERSION ? 'upgrade mlpkit to read this file' : 'this version is not supported'}`, { field: 'version', expected: READABLE_VERSIONS, received: d.version });
  const task = oneOf(d.task, ['classification', 'regression'] as const, 'task');
  const dtype = oneOf(d.dtype, ['float32', 'float64'] as const, 'dtype');
  const inputs = posInt(d.inputs, 'inputs');
  const layersRaw = arr(d.layers, 'layers');
  if (layersRaw.length === 0) throw new SerializationError('E_FORMAT', 'fromJSON: field "layers": expected at least one layer, received an empty array', { field: 'layers', expected: 'at least one layer', received: 0 });
  const layers = layersRaw.map((l, i) => {
    const o = obj(l, `layers[${i}]`);
    const activation = oneOf(o.activation, ACTIVATIONS, `layers[${i}].activation`);
    if (o.bias !== undefined && typeof o.bias !== 'boolean') throw new SerializationError('E_FORMAT', `fromJSON: field "layers[${i}].bias": expected true or false, received ${describe(o.bias)}`, { field: `layers[${i}].bias`, expected: 'a boolean', received: o.bias });
    if (o.dropout !== undefined && !(typeof o.dropout === 'number' && o.dropout >= 0 && o.dropout < 1)) throw new SerializationError('E_FORMAT', `fromJSON: field "layers[${i}].dropout": expected a rate in [0, 1), received ${describe(o.dropout)}`, { field: `layers[${i}].dropout`, expected: '[0, 1)', received: o.dropout });
    return {
      units: posInt(o.units, `layers[${i}].units`), activation,
      ...(o.alpha !== undefined ? { alpha: finite(o.alpha, `layers[${i}].alpha`) } : {}),
      ...(o.bias === false ? { bias: false } : {}),
      ...(typeof o.dropout === 'number' && o.dropout > 0 ? { dropout: o.dropout } : {}),
    };
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
    if (p.multiLabel !== undefined) {
      if (p.multiLabel !== true && p.multiLabel !== false) throw new SerializationError('E_FORMAT', `fromJSON: field "preprocessing.multiLabel": expected true or false, received ${describe(p.multiLabel)}`, { field: 'preprocessing.multiLabel', expected: 'a boolean', received: p.multiLabel });
      if (p.multiLabel && loss !== 'bce') throw new SerializationError('E_FORMAT', `fromJSON: field "preprocessing.multiLabel": a multi-label model has sigmoid outputs and loss "bce", received loss ${JSON.stringify(loss)}`, { field: 'preprocessing.multiLabel', expected: 'loss "bce"', received: loss });
      if (p.multiLabel) pre.multiLabel = true;
    }
  }

  // weights: into one flat [W_1 … W_L | b_1 … b_L] array, the layout the network uses
  const layout = parameterLayout(inputs, layers);
  const w = obj(d.weights, 'weights');
  const encoding = oneOf(w.encoding, ['base64', 'nested'] as const, 'weights.encoding');
  const wl = arr(w.layers, 'weights.layers');
  if (wl.length !== layers.length) throw new SerializationError('E_FORMAT', `fromJSON: field "weights.layers": expected ${layers.length} layers, received ${wl.length}`, { field: 'weights.layers', expected: layers.length, received: wl.length });
  const params = dtype === 'float64' ? new Float64Array(layout.size) : new Float32Array(layout.size);
  layout.slots.forEach((sl, i) => {
    const o = obj(wl[i], `weights.layers[${i}]`);
    readInto(o.W, params.subarray(sl.w, sl.w + sl.nOut * sl.nIn), [sl.nOut, sl.nIn], encoding, dtype, `weights.layers[${i}].W`);
    if (sl.b >= 0) readInto(o.b, params.subarray(sl.b, sl.b + sl.nOut), [sl.nOut], encoding, dtype, `weights.layers[${i}].b`);
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
      const lr = finite(sc.lr, 'training.scheduler.lr');
      if (!(lr > 0)) throw new SerializationError('E_FORMAT', `fromJSON: field "training.scheduler.lr": expected a learning rate > 0, received ${lr}`, { field: 'training.scheduler.lr', expected: '> 0', received: lr });
      snap.training.scheduler = { lr, best: num(sc.best, 'training.scheduler.best'), badEpochs: nonNegInt(sc.badEpochs, 'training.scheduler.badEpochs') };
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

// ---- bytes form: "MLPK" | u32 header length | JSON header | padding to 8 | raw arrays | CRC-32 --
// The CRC-32 (version 2 on) covers every byte before it, so a flipped bit anywhere is refused;
// version 1 files have no checksum and are still read.

const MAGIC = [0x4d, 0x4c, 0x50, 0x4b]; // "MLPK"

/** The document as bytes: a JSON header without the arrays, then the raw little-endian arrays. */
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
 */
export function fromBytes(bytes: Uint8Array, options: { backend?: string } = {}): MLP {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new SerializationError('E_FORMAT', 'fromBytes: expected bytes starting with "MLPK", received something else; this is not an mlpkit binary model (for a .json file use fromJSON)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + len > bytes.length) throw new SerializationError('E_FORMAT', `fromBytes: header length ${len} runs past the end of the ${bytes.length} bytes; the file is truncated`);
  // the checksum first: when it holds, nothing below meets damaged bytes
  const end = bytes.length - 4;
  const sumOk = end >= 8 + len && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end, true) === crc32(bytes.subarray(0, end));
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + len)));
  } catch (e) {
    throw new SerializationError('E_FORMAT', `fromBytes: the header is not JSON (${(e as Error).message}); the file is damaged`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SerializationError('E_FORMAT', `fromBytes: the header is ${describe(raw)}, expected a JSON object; the file is damaged`);
  const doc = raw as Record<string, unknown>;
  if (!sumOk && doc.version !== 1) throw new SerializationError('E_FORMAT', `fromBytes: the CRC-32 checksum does not match the ${bytes.length} bytes; the file is damaged or truncated`);
  const start = Math.ceil((8 + len) / 8) * 8;
  const deref = (v: unknown, field: string): string => {
    const m = typeof v === 'string' ? /^@(\d+):(\d+)$/.exec(v) : null;
    if (!m) throw new SerializationError('E_FORMAT', `fromBytes: field "${field}": expected a reference "@offset:length", received ${describe(v)}`);
    const o = start + Number(m[1]);
    const n = Number(m[2]);
    if (o + n > (sumOk ? end : bytes.length)) throw new SerializationError('E_FORMAT', `fromBytes: field "${field}": data at ${o}..${o + n} runs past the end of the ${bytes.length} bytes; the file is truncated`);
    return toBase64(bytes.subarray(o, o + n));
  };
  const w = obj(doc.weights, 'weights');
  w.layers = arr(w.layers, 'weights.layers').map((l, i) => {
    const o = obj(l, `weights.layers[${i}]`);
    return { W: deref(o.W, `weights.layers[${i}].W`), ...(o.b !== undefined ? { b: deref(o.b, `weights.layers[${i}].b`) } : {}) };
  });
  const t = doc.training as Record<string, unknown> | undefined;
  if (t && t.optimizer) {
    const o = obj(t.optimizer, 'training.optimizer');
    o.buffers = Object.fromEntries(Object.entries(obj(o.buffers, 'training.optimizer.buffers')).map(([k, v]) => [k, deref(v, `training.optimizer.buffers.${k}`)]));
  }
  return fromJSON(doc, options);
}

// ---- encoding helpers ----------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib and PNG compute it) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

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
    if (typeof v !== 'string' || !isBase64(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected base64 text of ${n} ${dtype} values, received ${describe(v)}`);
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
      row.forEach((x, j) => (dst[i * shape[1] + j] = weight(x, dtype, `${field}[${i}][${j}]`)));
    });
  } else {
    if (rows.length !== shape[0]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${shape[0]} values, received ${rows.length}`);
    rows.forEach((x, j) => (dst[j] = weight(x, dtype, `${field}[${j}]`)));
  }
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

/** The bytes a base64 text decodes to, or −1 when it is not canonical padded base64. */
function base64Bytes(s: string): number {
  if (s.length % 4 !== 0) return -1;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/** Canonical padded base64 (what btoa writes): atob never throws on it. */
function isBase64(s: string): boolean {
  return base64Bytes(s) >= 0 && /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s);
}

/**
 * The declared layer sizes against the weights actually present: every W and b must hold exactly
 * the values its shape needs (base64 length, or nested array lengths), so the network that build()
 * allocates is never bigger than the file.
 */
function checkWeightSizes(weights: unknown, inputs: number, layers: readonly { units: number; bias?: boolean }[], dtype: DType): void {
  const units = layers.map((l) => l.units);
  const w = obj(weights, 'weights');
  const encoding = oneOf(w.encoding, ['base64', 'nested'] as const, 'weights.encoding');
  const wl = arr(w.layers, 'weights.layers');
  if (wl.length !== units.length) throw new SerializationError('E_FORMAT', `fromJSON: field "weights.layers": expected ${units.length} layers, received ${wl.length}`, { field: `weights.layers` });
  const size = dtype === 'float64' ? 8 : 4;
  let prev = inputs;
  units.forEach((u, i) => {
    const o = obj(wl[i], `weights.layers[${i}]`);
    if (layers[i].bias === false && o.b !== undefined) throw new SerializationError('E_FORMAT', `fromJSON: field "weights.layers[${i}].b": layer ${i} has bias: false, so it has no b; remove it or set layers[${i}].bias to true`, { field: `weights.layers[${i}].b`, expected: 'absent', received: 'a bias' });
    const parts = layers[i].bias === false ? ([['W', [u, prev]]] as const) : ([['W', [u, prev]], ['b', [u]]] as const);
    for (const [name, shape] of parts) {
      const field = `weights.layers[${i}].${name}`;
      const v = o[name];
      const n = shape.length === 2 ? shape[0] * shape[1] : shape[0];
      const shapeStr = `[${shape.join(', ')}]`;
      if (encoding === 'base64' || typeof v === 'string') {
        if (typeof v !== 'string' || !isBase64(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected base64 text of ${n} ${dtype} values, received ${describe(v)}`, { field: `${field}` });
        const bytes = base64Bytes(v);
        if (bytes !== n * size) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${n} ${dtype} values (shape ${shapeStr}, ${n * size} bytes), received ${bytes} bytes; the layer sizes and the weights disagree`, { field: `${field}` });
      } else {
        const rows = arr(v, field);
        if (rows.length !== shape[0]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected shape ${shapeStr}${shape.length === 2 ? ` (${shape[0]} rows of ${shape[1]})` : ''}, received ${rows.length} ${shape.length === 2 ? 'rows' : 'values'}`, { field: `${field}` });
        if (shape.length === 2) {
          rows.forEach((r, k) => {
            const row = arr(r, `${field}[${k}]`);
            if (row.length !== shape[1]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}[${k}]": expected ${shape[1]} values (shape ${shapeStr}), received ${row.length}`, { field: `${field}[${k}]` });
          });
        }
      }
    }
    prev = u;
  });
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

/** A weight: finite, and for float32 inside the float32 range (1e300 would be stored as Infinity). */
function weight(v: unknown, dtype: DType, field: string): number {
  const x = finite(v, field);
  if (dtype === 'float32' && !Number.isFinite(Math.fround(x))) throw new SerializationError('E_NONFINITE', `fromJSON: field "${field}": ${x} is outside the float32 range (±3.4e38); use dtype "float64" or a smaller value`, { field: `${field}` });
  return x;
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an object, received ${describe(v)}`, { field: `${field}` });
  return v as Record<string, unknown>;
}
function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an array, received ${describe(v)}`, { field: `${field}` });
  return v;
}
function num(v: unknown, field: string): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (v === null) return Infinity; // JSON has no Infinity: JSON.stringify writes null
  throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a number, received ${describe(v)}`, { field: `${field}` });
}
function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a finite number, received ${describe(v)}`, { field: `${field}` });
  return v;
}
function posInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1e8) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a positive integer, received ${describe(v)}`, { field: `${field}` });
  return v;
}
function nonNegInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an integer ≥ 0, received ${describe(v)}`, { field: `${field}` });
  return v;
}
function oneOf<T extends string>(v: unknown, options: readonly T[], field: string): T {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected one of ${options.map((o) => `"${o}"`).join(', ')}, received ${describe(v)}`, { field: `${field}` });
}
function scaler(v: unknown, n: number, field: string): Preprocessing['inputs'] {
  const o = obj(v, field);
  const method = oneOf(o.method, ['standard', 'minmax', 'none'] as const, `${field}.method`);
  const shift = arr(o.shift, `${field}.shift`).map((x, i) => finite(x, `${field}.shift[${i}]`));
  const scale = arr(o.scale, `${field}.scale`).map((x, i) => finite(x, `${field}.scale[${i}]`));
  if (shift.length !== n || scale.length !== n) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${n} shift and scale values, received ${shift.length} and ${scale.length}`, { field: `${field}` });
  // NOTE: (x − shift) / scale and z · scale + shift: a shift beyond ±1e300 or a scale outside
  // [1e-300, 1e300] (e.g. 5e-324) turns ordinary inputs into ±Infinity or collapses them to one
  // value. fitScaler never writes such values.
  scale.forEach((s, i) => {
    if (s === 0) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}.scale[${i}]": expected a non-zero number, received 0`, { field: `${field}.scale[${i}]` });
    if (!(Math.abs(s) >= 1 / SCALER_LIMIT && Math.abs(s) <= SCALER_LIMIT)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}.scale[${i}]": expected a scale of magnitude in [1e-300, 1e300], received ${s}; the file was edited or damaged`, { field: `${field}.scale[${i}]` });
  });
  shift.forEach((s, i) => {
    if (!(Math.abs(s) <= SCALER_LIMIT)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}.shift[${i}]": expected a shift of magnitude ≤ 1e300, received ${s}; the file was edited or damaged`, { field: `${field}.shift[${i}]` });
  });
  return { method, shift, scale };
}
