// Reading a model document (docs/model-format.md): the checks of the fields a prediction needs
// (format, version, task, dtype, inputs, layers, loss, preprocessing, weights, featureNames), and
// the helpers every other check is made of. Shared by fromJSON (io/format.ts, which adds config,
// training state and metadata) and the inference-only loader of `mlpkit/infer` (io/inference.ts),
// so the two refuse a bad document with the same error. Nothing here imports the model, the
// config, the optimizers or the WebAssembly loader: it is what a small inference bundle carries.
// NOTE: nothing read from a file is trusted: every field is checked, and the declared sizes are
// checked against the bytes present (checkWeightSizes) before anything is allocated from them.

import { SerializationError, describe } from '../errors.ts';
import { parameterLayout } from '../nn/network.ts';
import { ACTIVATIONS, type ActivationName } from '../math/activations.ts';
import { LOSSES, checkLossActivation, type LossName } from '../math/losses.ts';
import type { FloatArray, DType } from '../tensor/tensor.ts';
import type { Label } from '../data/input.ts';
import type { Preprocessing } from '../data/encode.ts';
import { SCALER_LIMIT } from '../data/preprocess.ts';
import type { TaskKind } from '../data/task.ts';

/** The `format` field of every model document ("mlpkit-model"); a document without it is refused. */
export const FORMAT = 'mlpkit-model';
/** 2: the bytes form ends with a CRC-32 of everything before it. Versions 1 and 2 are read. */
export const VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** The layers as a document declares them (checked): what the network is built from. */
export interface DocumentLayer { units: number; activation: ActivationName; alpha?: number; bias?: boolean; dropout?: number }

/** The architecture a document declares, checked: task, dtype, input width, layers, loss. */
export interface DocumentHeader {
  task: TaskKind;
  dtype: DType;
  inputs: number;
  layers: DocumentLayer[];
  loss: LossName;
}

/** A document given as an object or as JSON text (a UTF-8 byte order mark is skipped), as an object. */
export function parseDocument(input: unknown): Record<string, unknown> {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      // a UTF-8 byte order mark (some editors write one) is not part of the document
      doc = JSON.parse(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
    } catch (e) {
      throw new SerializationError('E_FORMAT', `fromJSON: the text is not JSON (${(e as Error).message}); expected an mlpkit model file`, { field: 'model', expected: 'JSON text of an mlpkit model' });
    }
  }
  return obj(doc, 'model');
}

/** format, version, task, dtype, inputs, layers and loss of a parsed document, each checked. */
export function readHeader(d: Record<string, unknown>): DocumentHeader {
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
  return { task, dtype, inputs, layers, loss };
}

/** The preprocessing of a document (scalers, classes) for the architecture its header declares. */
export function readPreprocessing(v: unknown, h: DocumentHeader): Preprocessing {
  const { task, inputs, layers, loss } = h;
  const outputs = layers[layers.length - 1].units;
  const p = obj(v, 'preprocessing');
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
  return pre;
}

/**
 * The weights of a document into one flat [W_1 … W_L | b_1 … b_L] array, the layout the network
 * uses. NOTE: call checkWeightSizes first (it checks the sizes without allocating).
 */
export function readWeights(v: unknown, h: DocumentHeader): FloatArray {
  const { dtype, inputs, layers } = h;
  const layout = parameterLayout(inputs, layers);
  const w = obj(v, 'weights');
  const encoding = oneOf(w.encoding, ['base64', 'nested'] as const, 'weights.encoding');
  const wl = arr(w.layers, 'weights.layers');
  if (wl.length !== layers.length) throw new SerializationError('E_FORMAT', `fromJSON: field "weights.layers": expected ${layers.length} layers, received ${wl.length}`, { field: 'weights.layers', expected: layers.length, received: wl.length });
  const params = dtype === 'float64' ? new Float64Array(layout.size) : new Float32Array(layout.size);
  layout.slots.forEach((sl, i) => {
    const o = obj(wl[i], `weights.layers[${i}]`);
    readInto(o.W, params.subarray(sl.w, sl.w + sl.nOut * sl.nIn), [sl.nOut, sl.nIn], encoding, dtype, `weights.layers[${i}].W`);
    if (sl.b >= 0) readInto(o.b, params.subarray(sl.b, sl.b + sl.nOut), [sl.nOut], encoding, dtype, `weights.layers[${i}].b`);
  });
  return params;
}

/** The names of the input columns a document gives (one per input, distinct), or null. */
export function readFeatureNames(v: unknown, inputs: number): string[] | null {
  if (v === undefined) return null;
  const names = arr(v, 'featureNames');
  if (names.length !== inputs) throw new SerializationError('E_FORMAT', `fromJSON: field "featureNames": expected ${inputs} names (one per input), received ${names.length}`, { field: 'featureNames', expected: inputs, received: names.length });
  names.forEach((n, i) => {
    if (typeof n !== 'string') throw new SerializationError('E_FORMAT', `fromJSON: field "featureNames[${i}]": expected a string, received ${describe(n)}`, { field: `featureNames[${i}]`, expected: 'a string', received: n });
  });
  if (new Set(names).size !== names.length) throw new SerializationError('E_FORMAT', 'fromJSON: field "featureNames": expected distinct names, received duplicates', { field: 'featureNames', expected: 'distinct names' });
  return names as string[];
}

// ---- encoding helpers ----------------------------------------------------------------------

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function toBase64(a: FloatArray | Uint8Array): string {
  let bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (!LITTLE_ENDIAN && !(a instanceof Uint8Array)) bytes = swap(bytes, a.BYTES_PER_ELEMENT);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function swap(b: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += size) for (let k = 0; k < size; k++) out[i + k] = b[i + size - 1 - k];
  return out;
}

export function readInto(v: unknown, dst: FloatArray, shape: number[], encoding: 'base64' | 'nested', dtype: DType, field: string): void {
  const n = dst.length;
  const shapeStr = `[${shape.join(', ')}]`;
  if (encoding === 'base64' || typeof v === 'string') {
    if (typeof v !== 'string' || !isBase64(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected base64 text of ${n} ${dtype} values, received ${describe(v)}`, { field });
    let bytes = fromBase64(v);
    const size = dtype === 'float64' ? 8 : 4;
    if (bytes.length !== n * size) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${n} ${dtype} values (shape ${shapeStr}, ${n * size} bytes), received ${bytes.length} bytes`, { field });
    if (!LITTLE_ENDIAN) bytes = swap(bytes, size);
    const src = dtype === 'float64' ? new Float64Array(bytes.buffer, 0, n) : new Float32Array(bytes.buffer, 0, n);
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(src[k])) throw new SerializationError('E_NONFINITE', `fromJSON: field "${field}": value ${k} is ${src[k]}, expected a finite number`, { field });
      dst[k] = src[k];
    }
    return;
  }
  // nested: W as [nOut][nIn], b as [nOut]
  const rows = arr(v, field);
  if (shape.length === 2) {
    if (rows.length !== shape[0]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected shape ${shapeStr} (${shape[0]} rows of ${shape[1]}), received ${rows.length} rows`, { field });
    rows.forEach((r, i) => {
      const row = arr(r, `${field}[${i}]`);
      if (row.length !== shape[1]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}[${i}]": expected ${shape[1]} values (shape ${shapeStr}), received ${row.length}`, { field: `${field}[${i}]` });
      row.forEach((x, j) => (dst[i * shape[1] + j] = weight(x, dtype, `${field}[${i}][${j}]`)));
    });
  } else {
    if (rows.length !== shape[0]) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected ${shape[0]} values, received ${rows.length}`, { field });
    rows.forEach((x, j) => (dst[j] = weight(x, dtype, `${field}[${j}]`)));
  }
}

/** The bytes a base64 text decodes to, or −1 when it is not canonical padded base64. */
export function base64Bytes(s: string): number {
  if (s.length % 4 !== 0) return -1;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/** Canonical padded base64 (what btoa writes): atob never throws on it. */
export function isBase64(s: string): boolean {
  return base64Bytes(s) >= 0 && /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s);
}

/**
 * The declared layer sizes against the weights actually present: every W and b must hold exactly
 * the values its shape needs (base64 length, or nested array lengths), so the network that build()
 * allocates is never bigger than the file.
 */
export function checkWeightSizes(weights: unknown, inputs: number, layers: readonly { units: number; bias?: boolean }[], dtype: DType): void {
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

/** A weight: finite, and for float32 inside the float32 range (1e300 would be stored as Infinity). */
export function weight(v: unknown, dtype: DType, field: string): number {
  const x = finite(v, field);
  if (dtype === 'float32' && !Number.isFinite(Math.fround(x))) throw new SerializationError('E_NONFINITE', `fromJSON: field "${field}": ${x} is outside the float32 range (±3.4e38); use dtype "float64" or a smaller value`, { field: `${field}` });
  return x;
}

export function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an object, received ${describe(v)}`, { field: `${field}` });
  return v as Record<string, unknown>;
}
export function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an array, received ${describe(v)}`, { field: `${field}` });
  return v;
}
export function num(v: unknown, field: string): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (v === null) return Infinity; // JSON has no Infinity: JSON.stringify writes null
  throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a number, received ${describe(v)}`, { field: `${field}` });
}
export function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a finite number, received ${describe(v)}`, { field: `${field}` });
  return v;
}
export function posInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1e8) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected a positive integer, received ${describe(v)}`, { field: `${field}` });
  return v;
}
export function nonNegInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected an integer ≥ 0, received ${describe(v)}`, { field: `${field}` });
  return v;
}
export function oneOf<T extends string>(v: unknown, options: readonly T[], field: string): T {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  throw new SerializationError('E_FORMAT', `fromJSON: field "${field}": expected one of ${options.map((o) => `"${o}"`).join(', ')}, received ${describe(v)}`, { field: `${field}` });
}
export function scaler(v: unknown, n: number, field: string): Preprocessing['inputs'] {
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

// ---- the bytes form: "MLPK" | u32 header length | JSON header | padding to 8 | raw arrays | CRC-32 --
// The CRC-32 (version 2 on) covers every byte before it, so a flipped bit anywhere is refused;
// version 1 files have no checksum and are still read. toBytes (io/format.ts) writes it.

/** The first four bytes of the bytes form: "MLPK". */
export const MAGIC = [0x4d, 0x4c, 0x50, 0x4b];

/**
 * The document inside the bytes form, its arrays as base64 strings (what fromJSON reads): the
 * checksum, the header and every array reference checked against the bytes present first.
 * `who` names the caller in the error messages ("fromBytes").
 */
export function documentFromBytes(bytes: Uint8Array, who: string): Record<string, unknown> {
  if (!(bytes instanceof Uint8Array)) throw new SerializationError('E_FORMAT', `${who}: expected a Uint8Array, received ${describe(bytes)}; pass new Uint8Array(arrayBuffer) (a Node Buffer is one)`, { expected: 'a Uint8Array', received: describe(bytes) });
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new SerializationError('E_FORMAT', `${who}: expected bytes starting with "MLPK", received something else; this is not an mlpkit binary model (for a .json file use fromJSON)`);
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + len > bytes.length) throw new SerializationError('E_FORMAT', `${who}: header length ${len} runs past the end of the ${bytes.length} bytes; the file is truncated`);
  // the checksum first: when it holds, nothing below meets damaged bytes
  const end = bytes.length - 4;
  const sumOk = end >= 8 + len && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end, true) === crc32(bytes.subarray(0, end));
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + len)));
  } catch (e) {
    throw new SerializationError('E_FORMAT', `${who}: the header is not JSON (${(e as Error).message}); the file is damaged`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SerializationError('E_FORMAT', `${who}: the header is ${describe(raw)}, expected a JSON object; the file is damaged`);
  const doc = raw as Record<string, unknown>;
  if (!sumOk && doc.version !== 1) throw new SerializationError('E_FORMAT', `${who}: the CRC-32 checksum does not match the ${bytes.length} bytes; the file is damaged or truncated`);
  const start = Math.ceil((8 + len) / 8) * 8;
  const deref = (v: unknown, field: string): string => {
    const m = typeof v === 'string' ? /^@(\d+):(\d+)$/.exec(v) : null;
    if (!m) throw new SerializationError('E_FORMAT', `${who}: field "${field}": expected a reference "@offset:length", received ${describe(v)}`);
    const o = start + Number(m[1]);
    const n = Number(m[2]);
    if (o + n > (sumOk ? end : bytes.length)) throw new SerializationError('E_FORMAT', `${who}: field "${field}": data at ${o}..${o + n} runs past the end of the ${bytes.length} bytes; the file is truncated`);
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
  return doc;
}

// built on first use: a bundle that never reads the bytes form carries no table-building code run at load
let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as zlib and PNG compute it) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
