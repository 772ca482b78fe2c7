// The plain stack of dense layers that ONNX, PyTorch (safetensors) and TensorFlow.js all speak,
// read from and written to the model document (io/format.ts), never from MLP internals.
//
//   export: document → fold the scalers into the weights → Sequential (float32) → a format's bytes
//   import: a format's bytes → Sequential → document (identity scalers) → fromJSON
//
// Folding makes every export take raw inputs and answer in the user's units, as predict does:
//   input scaler  x' = (x − shift) / scale   into layer 0:        W' = W / scale (per input column),
//                                                                  b' = b − W'·shift
//   target scaler y = a · scale + shift       into the output layer (identity activation only):
//                                                                  W' = W · scale (per output row),
//                                                                  b' = b · scale + shift
// computed in float64 and rounded once to float32. A model without scaling keeps its weights bit
// for bit; with scaling the exported weights are the folded ones, and an import gives them back bit
// for bit (with identity scalers), so export → import → export is a fixed point.

import { InteropError, type InteropWhere } from '../errors.ts';
import { MLP } from '../model.ts';
import { fromJSON, toJSON, type ModelDocument } from './format.ts';
import { ACTIVATIONS, type ActivationName } from '../math/activations.ts';
import type { Label } from '../data/input.ts';

export type Format = InteropWhere['format'];

/** One dense layer a = W x + b, h = f(a); W is [nOut, nIn] row-major, b null for a bias-less layer. */
export interface DenseLayer {
  nIn: number;
  nOut: number;
  W: Float32Array;
  b: Float32Array | null;
  activation: ActivationName;
  /** leakyRelu slope / elu α */
  alpha?: number;
}

/** A network with its scalers folded in: raw inputs in, probabilities or the user's units out. */
export interface Sequential {
  task: 'classification' | 'regression';
  inputs: number;
  layers: DenseLayer[];
  classes?: Label[];
  featureNames?: string[];
  targetName?: string;
}

/** What travels in each format's metadata (one JSON string under the key "mlpkit"). */
export interface SequentialMeta {
  task: 'classification' | 'regression';
  inputs: number;
  layers: { units: number; activation: ActivationName; alpha?: number; bias?: false }[];
  classes?: Label[];
  featureNames?: string[];
  targetName?: string;
}

/** Options every importer takes: what the file does not say, or what to say instead. */
export interface ImportOptions {
  /** default: from the metadata, else classification when the output is softmax or sigmoid */
  task?: 'classification' | 'regression';
  /** class labels in output order (default: from the metadata, else 0, 1, …) */
  classes?: Label[];
  featureNames?: string[];
  targetName?: string;
  /** where the imported model runs (as fromJSON) */
  backend?: string;
}

/** Largest file an importer reads (bytes); a larger one is refused before anything is allocated. */
export const MAX_IMPORT_BYTES = 1 << 30;

// ---- export: document → Sequential ------------------------------------------------------------

/** The model's document as a folded float32 Sequential; `format` names the target in errors. */
export function toSequential(model: MLP | ModelDocument, format: Format): Sequential {
  // nested weights are plain numbers (bit-exact); a document given by the caller is checked by
  // fromJSON first, whatever its encoding
  const doc = toJSON(model instanceof MLP ? model : fromJSON(model), { weights: 'nested', training: false });
  const wide: Dense64[] = [];
  let nIn = doc.inputs;
  doc.layers.forEach((l, k) => {
    const w = doc.weights.layers[k] as { W: number[][]; b?: number[] };
    const W = new Float64Array(l.units * nIn);
    w.W.forEach((row, i) => W.set(row, i * nIn));
    wide.push({ nIn, nOut: l.units, W, b: w.b === undefined ? null : Float64Array.from(w.b) });
    nIn = l.units;
  });
  foldInputScaler(wide[0], doc.preprocessing.inputs);
  const last = doc.layers.length - 1;
  const t = doc.preprocessing.targets;
  if (doc.task === 'regression' && t && !isIdentity(t)) {
    if (doc.layers[last].activation !== 'identity') {
      throw new InteropError('E_UNSUPPORTED', `to ${format}: the output layer's activation is ${doc.layers[last].activation} and the targets are scaled; a target scaler folds only into an identity output layer. Train with outputActivation "identity" or scaleTargets "none"`, { format, layer: String(last) });
    }
    foldTargetScaler(wide[last], t);
  }
  const layers: DenseLayer[] = wide.map((l, k) => {
    const { activation, alpha } = doc.layers[k];
    return { nIn: l.nIn, nOut: l.nOut, W: Float32Array.from(l.W), b: l.b && Float32Array.from(l.b), activation, ...(alpha !== undefined ? { alpha } : {}) };
  });
  return {
    task: doc.task,
    inputs: doc.inputs,
    layers,
    ...(doc.preprocessing.classes ? { classes: doc.preprocessing.classes.slice() } : {}),
    ...(doc.featureNames ? { featureNames: doc.featureNames.slice() } : {}),
    ...(doc.targetName !== undefined ? { targetName: doc.targetName } : {}),
  };
}

type Dense64 = { nIn: number; nOut: number; W: Float64Array; b: Float64Array | null };
type Scaler = { shift: number[]; scale: number[] };

function isIdentity(s: Scaler): boolean {
  return s.shift.every((v) => v === 0) && s.scale.every((v) => v === 1);
}

// W' = W / scale per input column, b' = b − W'·shift. NOTE: a bias-less first layer gains a bias
// when the shift is not zero: the folded affine map needs one.
function foldInputScaler(l: Dense64, s: Scaler): void {
  if (isIdentity(s)) return;
  if (!l.b && s.shift.some((v) => v !== 0)) l.b = new Float64Array(l.nOut);
  for (let i = 0; i < l.nOut; i++) {
    let dot = 0;
    for (let j = 0; j < l.nIn; j++) {
      const w = l.W[i * l.nIn + j] / s.scale[j];
      l.W[i * l.nIn + j] = w;
      dot += w * s.shift[j];
    }
    if (l.b) l.b[i] -= dot;
  }
}

// y = (W h + b) · scale + shift per output row: W' = W · scale, b' = b · scale + shift
function foldTargetScaler(l: Dense64, s: Scaler): void {
  if (!l.b && s.shift.some((v) => v !== 0)) l.b = new Float64Array(l.nOut);
  for (let i = 0; i < l.nOut; i++) {
    for (let j = 0; j < l.nIn; j++) l.W[i * l.nIn + j] *= s.scale[i];
    if (l.b) l.b[i] = l.b[i] * s.scale[i] + s.shift[i];
  }
}

/** The metadata every export writes (architecture, task, labels, names). */
export function metaOf(seq: Sequential): SequentialMeta {
  return {
    task: seq.task,
    inputs: seq.inputs,
    layers: seq.layers.map((l) => ({ units: l.nOut, activation: l.activation, ...(l.alpha !== undefined ? { alpha: l.alpha } : {}), ...(l.b ? {} : { bias: false as const }) })),
    ...(seq.classes ? { classes: seq.classes } : {}),
    ...(seq.featureNames ? { featureNames: seq.featureNames } : {}),
    ...(seq.targetName !== undefined ? { targetName: seq.targetName } : {}),
  };
}

/** Parse the "mlpkit" metadata string; anything malformed is ignored field by field (the graph rules). */
export function parseMeta(text: string | undefined, format: Format): Partial<SequentialMeta> {
  if (text === undefined) return {};
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new InteropError('E_FORMAT', `from ${format}: the "mlpkit" metadata is not JSON; the file is damaged (remove the entry to import the bare network)`, { format });
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new InteropError('E_FORMAT', `from ${format}: the "mlpkit" metadata is not a JSON object; the file is damaged`, { format });
  return m as Partial<SequentialMeta>;
}

// ---- import: Sequential → document → MLP ------------------------------------------------------

/**
 * Build an mlpkit model from a Sequential read out of another format: identity scalers (the
 * weights already take raw inputs), labels and names from the options, else the metadata.
 * fromJSON checks the result field by field, as it checks any model file.
 */
export function fromSequential(seq: Pick<Sequential, 'inputs' | 'layers'>, meta: Partial<SequentialMeta>, options: ImportOptions, format: Format): MLP {
  const L = seq.layers;
  if (L.length === 0) throw new InteropError('E_UNSUPPORTED', `from ${format}: the graph has no dense layer; expected at least one Gemm/MatMul, Linear or Dense`, { format });
  const out = L[L.length - 1];
  L.forEach((l, k) => {
    if (!ACTIVATIONS.includes(l.activation)) throw new InteropError('E_UNSUPPORTED', `from ${format}: layer ${k} has the activation ${JSON.stringify(l.activation)}, which mlpkit lacks (it has ${ACTIVATIONS.join(', ')})`, { format, layer: String(k), op: String(l.activation) });
    if (l.activation === 'softmax' && k < L.length - 1) throw new InteropError('E_UNSUPPORTED', `from ${format}: layer ${k} ends in softmax, which mlpkit has only on the output layer`, { format, layer: String(k) });
  });
  const alphas = new Set(L.slice(0, -1).filter((l) => l.alpha !== undefined).map((l) => l.alpha));
  if (alphas.size > 1) throw new InteropError('E_UNSUPPORTED', `from ${format}: the hidden layers use different alphas (${[...alphas].join(', ')}); mlpkit has one leakyRelu/elu alpha per model`, { format });
  const probs = out.activation === 'softmax' || out.activation === 'sigmoid';
  const task = options.task ?? (meta.task === 'classification' || meta.task === 'regression' ? meta.task : probs ? 'classification' : 'regression');
  const m = out.nOut;
  const doc: ModelDocument = {
    format: 'mlpkit-model',
    version: 1,
    task,
    inputs: seq.inputs,
    layers: L.map((l) => ({ units: l.nOut, activation: l.activation, ...(l.alpha !== undefined ? { alpha: l.alpha } : {}), ...(l.b ? {} : { bias: false as const }) })),
    loss: task === 'regression' ? 'mse' : out.activation === 'softmax' ? 'crossentropy' : out.activation === 'sigmoid' ? 'bce' : 'mse',
    dtype: 'float32',
    config: {},
    preprocessing: { inputs: { method: 'none', shift: new Array(seq.inputs).fill(0), scale: new Array(seq.inputs).fill(1) } },
    weights: {
      encoding: 'nested',
      layers: L.map((l) => ({
        W: Array.from({ length: l.nOut }, (_, i) => Array.from(l.W.subarray(i * l.nIn, (i + 1) * l.nIn))),
        ...(l.b ? { b: Array.from(l.b) } : {}), // a bias-less layer (Linear(bias=False), Gemm without C) has no b
      })),
    },
  };
  if (task === 'regression') doc.preprocessing.targets = { method: 'none', shift: new Array(m).fill(0), scale: new Array(m).fill(1) };
  else doc.preprocessing.classes = (options.classes ?? (Array.isArray(meta.classes) ? meta.classes : Array.from({ length: m === 1 ? 2 : m }, (_, i) => i))).slice();
  const names = options.featureNames ?? (Array.isArray(meta.featureNames) ? meta.featureNames : undefined);
  if (names) doc.featureNames = names.slice();
  const target = options.targetName ?? (typeof meta.targetName === 'string' ? meta.targetName : undefined);
  if (target !== undefined) doc.targetName = target;
  return fromJSON(doc, options.backend ? { backend: options.backend } : {});
}

/** Refuse an activation a format lacks, naming it and the layer. */
export function unsupportedActivation(format: Format, k: number, activation: string, has: string): InteropError {
  return new InteropError('E_UNSUPPORTED', `to ${format}: layer ${k} uses the activation ${activation}, which ${format} cannot express exactly (it has ${has}); train with another activation to export`, { format, layer: String(k), op: activation });
}
