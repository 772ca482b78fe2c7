// TensorFlow.js: a layers model (model.json + one weight shard) that tf.loadLayersModel reads,
// and import of a Sequential of Dense layers saved by TF.js or converted from Keras.
//
//   model.json: { format: "layers-model", modelTopology: Keras Sequential config,
//                 weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: [{ name, shape, dtype }] }],
//                 userDefinedMetadata: { mlpkit: { task, layers, classes, featureNames, targetName } } }
//   group1-shard1of1.bin: the float32 weights, little-endian, in manifest order
//
// Keras keeps a Dense kernel as [nIn, nOut] (a = x·K + b), mlpkit W as [nOut, nIn]: transposed
// on the way out and back. A binary model answers one column, p = P(classes[1]), as Keras's
// Dense(1, "sigmoid") does (predictProba's [1 − p, p]).

import { InteropError } from '../errors.ts';
import type { MLP } from '../model.ts';
import type { ModelDocument } from './format.ts';
import type { ActivationName } from '../math/activations.ts';
import { MAX_IMPORT_BYTES, fromSequential, metaOf, toSequential, type DenseLayer, type ImportOptions, type SequentialMeta } from './sequential.ts';

const fmt = 'tfjs';
const SHARD = 'group1-shard1of1.bin';

/** Keras activation names for mlpkit's (leakyRelu becomes a LeakyReLU layer after a linear Dense). */
const KERAS_ACTIVATION: Partial<Record<ActivationName, string>> = {
  identity: 'linear', sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', softplus: 'softplus', gelu: 'gelu', softmax: 'softmax', elu: 'elu',
};

/**
 * The files of a TF.js layers model: `{ "model.json": bytes, "group1-shard1of1.bin": bytes }`.
 *
 * @example
 * ```ts
 * import { mkdirSync, writeFileSync } from 'node:fs';
 * import { MLP, iris } from 'mlpkit';
 * import { toTFJS } from 'mlpkit/interop';
 * const { x, y } = iris();
 * const model = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * model.fit(x, y);
 * mkdirSync('tfjs', { recursive: true });
 * for (const [name, bytes] of Object.entries(toTFJS(model))) writeFileSync(`tfjs/${name}`, bytes);
 * // tf.loadLayersModel('…/tfjs/model.json') predicts as model.predictProba
 * ```
 */
export function toTFJS(model: MLP | ModelDocument): Record<string, Uint8Array> {
  const seq = toSequential(model, fmt);
  const layers: unknown[] = [];
  const weights: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const total = seq.layers.reduce((s, l) => s + l.nIn * l.nOut + (l.b ? l.nOut : 0), 0);
  const bin = new Uint8Array(total * 4);
  const view = new DataView(bin.buffer);
  let at = 0;
  seq.layers.forEach((l, k) => {
    const name = `dense_${k}`;
    // NOTE: TF.js's ELU layer throws for α ≠ 1 ("not supported yet"), and its elu activation has α = 1
    if (l.activation === 'elu' && (l.alpha ?? 1) !== 1) {
      throw new InteropError('E_UNSUPPORTED', `to tfjs: layer ${k} is an elu with α = ${l.alpha}; TF.js has elu only with α = 1 (its ELU layer refuses other values). Train with alpha 1, or export to ONNX or PyTorch`, { format: fmt, layer: String(k), op: 'elu' });
    }
    const own = l.activation === 'leakyRelu';
    layers.push({
      class_name: 'Dense',
      config: {
        name, trainable: true, dtype: 'float32', units: l.nOut, activation: own ? 'linear' : KERAS_ACTIVATION[l.activation], use_bias: l.b !== null,
        ...(k === 0 ? { batch_input_shape: [null, l.nIn] } : {}),
      },
    });
    if (own) layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_re_lu_${k}`, trainable: true, dtype: 'float32', alpha: l.alpha ?? 0.01 } });
    // kernel [nIn, nOut] = Wᵀ
    weights.push({ name: `${name}/kernel`, shape: [l.nIn, l.nOut], dtype: 'float32' });
    for (let j = 0; j < l.nIn; j++) for (let i = 0; i < l.nOut; i++, at += 4) view.setFloat32(at, l.W[i * l.nIn + j], true);
    if (l.b) {
      weights.push({ name: `${name}/bias`, shape: [l.nOut], dtype: 'float32' });
      for (let i = 0; i < l.nOut; i++, at += 4) view.setFloat32(at, l.b[i], true);
    }
  });
  const json = {
    format: 'layers-model',
    generatedBy: 'mlpkit',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'mlpkit', layers }, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [SHARD], weights }],
    userDefinedMetadata: { mlpkit: metaOf(seq) },
  };
  return { 'model.json': new TextEncoder().encode(JSON.stringify(json)), [SHARD]: bin };
}

type Json = Record<string, any>;
/** A TF.js layers model as in-memory files: model.json and its weight shards, by file name. */
export type TFJSFiles = Record<string, Uint8Array | string>;

/**
 * An mlpkit model from a TF.js layers model: `files` holds "model.json" and the weight files it
 * names (bytes; model.json may be text). Sequential of Dense layers, with Activation, ReLU,
 * LeakyReLU, ELU, Softmax layers after them; InputLayer and Dropout are skipped.
 *
 * @example
 * ```ts
 * import { MLP, iris } from 'mlpkit';
 * import { toTFJS, fromTFJS } from 'mlpkit/interop';
 * const { x, y } = iris();
 * const trained = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * trained.fit(x, y);
 * const files = toTFJS(trained); // or model.json and its shards, as tf.io.withSaveHandler or a download gave them
 * const model = fromTFJS(files);
 * console.log(model.predict([x[0]!]), trained.predict([x[0]!]));
 * ```
 */
export function fromTFJS(files: TFJSFiles, options: ImportOptions = {}): MLP {
  const fail = (code: 'E_FORMAT' | 'E_TRUNCATED' | 'E_TOO_LARGE' | 'E_UNSUPPORTED', msg: string, where: { layer?: string; op?: string; tensor?: string } = {}) =>
    new InteropError(code, `fromTFJS: ${msg}`, { format: fmt, ...where });
  const mj = files['model.json'];
  if (mj === undefined) throw fail('E_FORMAT', `no "model.json" among the files (${Object.keys(files).join(', ')})`);
  if (mj.length > MAX_IMPORT_BYTES) throw fail('E_TOO_LARGE', `model.json has ${mj.length} bytes, more than the limit of ${MAX_IMPORT_BYTES}`);
  let doc: Json;
  try {
    doc = JSON.parse(typeof mj === 'string' ? mj : new TextDecoder('utf-8', { fatal: true }).decode(mj));
  } catch (e) {
    throw fail('E_FORMAT', `model.json is not JSON (${(e as Error).message}); the file is damaged`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw fail('E_FORMAT', 'model.json is not a JSON object');
  if (doc.format === 'graph-model') throw fail('E_UNSUPPORTED', 'this is a TF.js graph model (converted from a SavedModel); mlpkit imports layers models (tf.LayersModel.save, or tensorflowjs_converter --input_format keras)');
  const topo: Json = doc.modelTopology?.model_config ?? doc.modelTopology;
  if (!topo || typeof topo !== 'object') throw fail('E_FORMAT', 'model.json has no modelTopology');
  const cls = topo.class_name;
  const raw: Json[] = Array.isArray(topo.config) ? topo.config : topo.config?.layers;
  if (!Array.isArray(raw)) throw fail('E_FORMAT', `modelTopology of class ${JSON.stringify(cls)} has no layer list`);
  if (cls !== 'Sequential') {
    if (cls !== 'Model' && cls !== 'Functional') throw fail('E_UNSUPPORTED', `modelTopology is a ${JSON.stringify(cls)}; mlpkit imports Sequential models (or functional ones that are a plain chain)`);
    // a functional model is importable when each layer takes exactly the one before it
    raw.forEach((l, i) => {
      const from = inboundLayers(l);
      if (i > 0 && (from.length !== 1 || from[0] !== raw[i - 1].config?.name)) {
        const c = String(l.class_name);
        const what = c === 'Add' || c === 'Concatenate' ? `a residual ${c}` : `a layer fed by ${from.length ? from.map((f) => `"${f}"`).join(', ') : 'nothing'}`;
        throw fail('E_UNSUPPORTED', `layer "${l.config?.name}" (${c}) is ${what}; mlpkit imports a plain chain of layers`, { layer: String(l.config?.name ?? i), op: c });
      }
    });
  }

  // the layers: Dense, then at most one activation each
  type Pending = { name: string; nIn: number; nOut: number; bias: boolean; activation: ActivationName; alpha?: number; activated: boolean };
  const dense: Pending[] = [];
  let inputs = -1;
  for (const [i, l] of raw.entries()) {
    const c = String(l.class_name);
    const cfg: Json = l.config ?? {};
    const name = String(cfg.name ?? `layer ${i}`);
    const where = { layer: name, op: c };
    const shape = cfg.batch_input_shape ?? cfg.batch_shape;
    if (Array.isArray(shape) && inputs === -1) {
      if (shape.length !== 2 || !Number.isInteger(shape[1])) throw fail('E_UNSUPPORTED', `layer "${name}" takes inputs of shape [${shape.join(', ')}]; an MLP takes [null, features]`, where);
      inputs = shape[1];
    }
    const last = dense[dense.length - 1];
    const activate = (a: { activation: ActivationName; alpha?: number }) => {
      if (!last || last.activated) throw fail('E_UNSUPPORTED', `layer "${name}" (${c}) does not follow a Dense layer; mlpkit has one activation after each dense layer`, where);
      last.activation = a.activation;
      if (a.alpha !== undefined) last.alpha = a.alpha;
      last.activated = true;
    };
    switch (c) {
      case 'InputLayer':
      case 'Dropout':
        continue;
      case 'Dense': {
        const units = cfg.units;
        if (!Number.isInteger(units) || units < 1) throw fail('E_FORMAT', `layer "${name}": units ${JSON.stringify(units)} is not a positive integer`, where);
        const nIn = last ? last.nOut : inputs;
        if (nIn < 1) throw fail('E_UNSUPPORTED', `layer "${name}": the input width is not given (no batch_input_shape); save the model after building it`, where);
        const act = kerasActivation(cfg.activation, name, fail);
        dense.push({ name, nIn, nOut: units, bias: cfg.use_bias !== false, ...act, activated: act.activation !== 'identity' });
        continue;
      }
      case 'Activation':
        activate(kerasActivation(cfg.activation, name, fail));
        continue;
      case 'ReLU':
        if ((cfg.max_value ?? null) !== null || (cfg.negative_slope ?? 0) !== 0 || (cfg.threshold ?? 0) !== 0) throw fail('E_UNSUPPORTED', `layer "${name}" is a ReLU with max_value, negative_slope or threshold; mlpkit has the plain ReLU`, where);
        activate({ activation: 'relu' });
        continue;
      case 'LeakyReLU':
        activate({ activation: 'leakyRelu', alpha: alphaOf(cfg.alpha ?? cfg.negative_slope ?? 0.3, name, c) }); // 0.3: Keras's default
        continue;
      case 'ELU':
        activate({ activation: 'elu', alpha: alphaOf(cfg.alpha ?? 1, name, c) });
        continue;
      case 'Softmax':
        if (cfg.axis !== undefined && cfg.axis !== -1 && cfg.axis !== 1) throw fail('E_UNSUPPORTED', `layer "${name}" is a Softmax over axis ${cfg.axis}; mlpkit's runs over the outputs`, where);
        activate({ activation: 'softmax' });
        continue;
      default:
        throw fail('E_UNSUPPORTED', `layer "${name}" is a ${c}, which an MLP does not have (mlpkit imports Dense, Activation, ReLU, LeakyReLU, ELU, Softmax, Dropout and InputLayer)`, where);
    }
  }
  if (dense.length === 0) throw fail('E_UNSUPPORTED', 'the model has no Dense layer');

  // the weights: sizes checked against the manifest before anything is read
  const manifest = doc.weightsManifest;
  if (!Array.isArray(manifest)) throw fail('E_FORMAT', 'model.json has no weightsManifest');
  type Spec = { name: string; shape: number[]; bytes: Uint8Array; at: number };
  const specs: Spec[] = [];
  for (const group of manifest) {
    const paths: unknown[] = Array.isArray(group?.paths) ? group.paths : [];
    const shards = paths.map((p) => {
      const f = files[String(p)];
      if (f === undefined) throw fail('E_FORMAT', `the weight file "${String(p)}" named in model.json is missing`);
      if (typeof f === 'string') throw fail('E_FORMAT', `the weight file "${String(p)}" was given as text; pass its bytes`);
      return f;
    });
    const size = shards.reduce((s, b) => s + b.length, 0);
    if (size > MAX_IMPORT_BYTES) throw fail('E_TOO_LARGE', `the weight files of one group hold ${size} bytes, more than the limit of ${MAX_IMPORT_BYTES}`);
    let need = 0;
    for (const w of Array.isArray(group?.weights) ? group.weights : []) {
      const wname = String(w?.name);
      if (w?.quantization) throw fail('E_UNSUPPORTED', `weight "${wname}" is quantized; mlpkit imports float32 weights`, { tensor: wname });
      if (w?.dtype !== 'float32') throw fail('E_UNSUPPORTED', `weight "${wname}" has dtype ${JSON.stringify(w?.dtype)}; mlpkit imports float32 weights`, { tensor: wname });
      const shape = w.shape;
      if (!Array.isArray(shape) || !shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) throw fail('E_FORMAT', `weight "${wname}": shape ${JSON.stringify(shape)} is not a list of sizes`, { tensor: wname });
      const count = shape.reduce((a: number, d: number) => a * d, 1);
      if (count * 4 > MAX_IMPORT_BYTES) throw fail('E_TOO_LARGE', `weight "${wname}" of shape [${shape.join(', ')}] is larger than the import limit`, { tensor: wname });
      specs.push({ name: wname, shape, bytes: new Uint8Array(0), at: need });
      need += count * 4;
    }
    if (need > size) throw fail('E_TRUNCATED', `the manifest needs ${need} bytes of weights, the files "${paths.join('", "')}" hold ${size}; they are truncated`, { tensor: specs[specs.length - 1]?.name });
    if (need < size) throw fail('E_TOO_LARGE', `the files "${paths.join('", "')}" hold ${size} bytes, the manifest needs ${need}; they are not the weights of this model`);
    const joined = shards.length === 1 ? shards[0] : concat(shards, size);
    for (const s of specs) if (s.bytes.length === 0) s.bytes = joined;
  }
  const used = new Set<Spec>();
  const find = (layer: string, kind: 'kernel' | 'bias', k: number): Spec => {
    const byName = specs.find((s) => s.name === `${layer}/${kind}` || s.name.endsWith(`/${layer}/${kind}`));
    // NOTE: converted Keras models may rename scopes; fall back to manifest order (kernel, bias per Dense)
    const s = byName ?? specs.filter((x) => !used.has(x))[0];
    if (!s) throw fail('E_FORMAT', `no weight for ${kind} of layer "${layer}" (Dense ${k}) in the manifest`, { layer, tensor: `${layer}/${kind}` });
    used.add(s);
    return s;
  };
  const layers: DenseLayer[] = dense.map((d, k) => {
    const kernel = find(d.name, 'kernel', k);
    if (kernel.shape.length !== 2 || kernel.shape[0] !== d.nIn || kernel.shape[1] !== d.nOut) throw fail('E_FORMAT', `weight "${kernel.name}" has shape [${kernel.shape.join(', ')}], layer "${d.name}" needs [${d.nIn}, ${d.nOut}]`, { layer: d.name, tensor: kernel.name });
    const view = new DataView(kernel.bytes.buffer, kernel.bytes.byteOffset, kernel.bytes.byteLength);
    const W = new Float32Array(d.nOut * d.nIn);
    for (let j = 0; j < d.nIn; j++) for (let i = 0; i < d.nOut; i++) W[i * d.nIn + j] = view.getFloat32(kernel.at + 4 * (j * d.nOut + i), true);
    let b: Float32Array | null = null;
    if (d.bias) {
      const bs = find(d.name, 'bias', k);
      if (bs.shape.length !== 1 || bs.shape[0] !== d.nOut) throw fail('E_FORMAT', `weight "${bs.name}" has shape [${bs.shape.join(', ')}], layer "${d.name}" needs [${d.nOut}]`, { layer: d.name, tensor: bs.name });
      const bv = new DataView(bs.bytes.buffer, bs.bytes.byteOffset, bs.bytes.byteLength);
      b = Float32Array.from({ length: d.nOut }, (_, i) => bv.getFloat32(bs.at + 4 * i, true));
    }
    return { nIn: d.nIn, nOut: d.nOut, W, b, activation: d.activation, ...(d.alpha !== undefined ? { alpha: d.alpha } : {}) };
  });
  const meta = (doc.userDefinedMetadata?.mlpkit ?? {}) as Partial<SequentialMeta>;
  return fromSequential({ inputs: layers[0].nIn, layers }, typeof meta === 'object' && meta !== null ? meta : {}, options, fmt);
}

function alphaOf(v: unknown, layer: string, op: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new InteropError('E_FORMAT', `fromTFJS: layer "${layer}" (${op}): alpha ${JSON.stringify(v)} is not a number`, { format: fmt, layer, op });
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The layers a functional-model layer takes its input from (Keras 2 and Keras 3 layouts). */
function inboundLayers(l: Json): string[] {
  const nodes = l.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  const names: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      // Keras 2: [layer_name, node_index, tensor_index, kwargs]
      if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0]);
      else v.forEach(walk);
    } else if (v && typeof v === 'object') {
      const o = v as Json;
      // Keras 3: { args: [{ class_name: "__keras_tensor__", config: { keras_history: [name, i, j] } }] }
      if (Array.isArray(o.keras_history)) names.push(String(o.keras_history[0]));
      else Object.values(o).forEach(walk);
    }
  };
  walk(nodes);
  return names;
}

function kerasActivation(a: unknown, layer: string, fail: (code: 'E_UNSUPPORTED', msg: string, where: { layer?: string; op?: string }) => InteropError): { activation: ActivationName; alpha?: number } {
  const name = typeof a === 'string' ? a : a && typeof a === 'object' ? String((a as Json).class_name ?? (a as Json).config?.name) : 'linear';
  switch (name.toLowerCase()) {
    case 'linear': return { activation: 'identity' };
    case 'relu': return { activation: 'relu' };
    case 'sigmoid': return { activation: 'sigmoid' };
    case 'tanh': return { activation: 'tanh' };
    case 'softmax': return { activation: 'softmax' };
    case 'softplus': return { activation: 'softplus' };
    case 'elu': return { activation: 'elu', alpha: 1 };
    case 'gelu': return { activation: 'gelu' };
    case 'leaky_relu': case 'leakyrelu': return { activation: 'leakyRelu', alpha: 0.2 }; // Keras 3's default slope
  }
  throw fail('E_UNSUPPORTED', `layer "${layer}" uses the activation ${JSON.stringify(name)}, which mlpkit lacks (it has linear, relu, leaky_relu, elu, sigmoid, tanh, softplus, gelu, softmax)`, { layer, op: name });
}
