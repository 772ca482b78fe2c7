// The inference-only model of `mlpkit/infer`: a saved model document (what toJSON writes) →
// predict and predictProba on the js backend (or reference), and nothing else. It reads the
// document with the checks fromJSON uses (io/document.ts) and predicts with the forward pass and
// the decoder MLP.predict uses (nn/inference.ts, data/decode.ts), so on the js backend its answers
// are MLP's bit for bit. It imports no training code, optimizer, config resolution, WebAssembly
// loader or dataset: a browser bundle of it is a few kilobytes (scripts/size.mjs measures it).
// Only what a prediction reads is read: config, training state and metadata are not looked at.

import { ConfigError, MlpError, SerializationError, describe } from '../errors.ts';
import type { Backend } from '../kernels/backend.ts';
import { js } from '../kernels/js.ts';
import { reference } from '../kernels/reference.ts';
import { Network } from '../nn/network.ts';
import { checkOutputs, chunkRows, forwardRows } from '../nn/inference.ts';
import type { FloatArray } from '../tensor/tensor.ts';
import { featureNamesOf, toMatrix, type Features, type Label } from '../data/input.ts';
import { decodeOutputs, probabilityRows } from '../data/decode.ts';
import type { Preprocessing } from '../data/encode.ts';
import type { TaskKind } from '../data/task.ts';
import { checkWeightSizes, documentFromBytes, parseDocument, readFeatureNames, readHeader, readPreprocessing, readWeights } from './document.ts';

/** Options of the inference-only {@link fromJSON}. */
export interface InferenceOptions {
  /** The kernels to run: "js" (default; predicts as MLP does on "js", bit for bit) or "reference" (plain loops). */
  backend?: 'js' | 'reference';
}

/**
 * A trained model loaded for prediction only (from `mlpkit/infer`): predict and predictProba,
 * answered as `MLP`'s on the js backend answers them, bit for bit. Made by the inference-only
 * {@link fromJSON}; it cannot train, evaluate or save (load the document with mlpkit's own fromJSON for that).
 *
 * @example
 * ```ts
 * import { MLP, toJSON, datasets } from 'mlpkit';
 * import { fromJSON } from 'mlpkit/infer';
 * const { x, y } = datasets.iris();
 * const trained = new MLP({ hidden: [8], epochs: 10, seed: 0, backend: 'js' });
 * trained.fit(x, y);
 * const model = fromJSON(JSON.stringify(toJSON(trained)));
 * console.log(model.task, model.classes, model.predict(x.slice(0, 2)), model.predictProba(x.slice(0, 1)));
 * model.dispose();
 * ```
 */
export class InferenceModel {
  readonly #net: Network;
  readonly #task: TaskKind;
  readonly #pre: Preprocessing;
  readonly #featureNames: string[] | null;
  /** The input buffer, reused across predict calls (as MLP reuses its own); released by dispose. */
  #buf: FloatArray | null = null;

  private constructor(net: Network, task: TaskKind, pre: Preprocessing, featureNames: string[] | null) {
    this.#net = net;
    this.#task = task;
    this.#pre = pre;
    this.#featureNames = featureNames;
  }

  /** @internal What fromJSON builds the model with, from a checked document (the constructor is private). */
  static of(net: Network, task: TaskKind, pre: Preprocessing, featureNames: string[] | null): InferenceModel {
    return new InferenceModel(net, task, pre, featureNames);
  }

  /** "classification" or "regression". */
  get task(): TaskKind {
    return this.#task;
  }

  /** Number of inputs the model takes. */
  get inputs(): number {
    return this.#net.inputs;
  }

  /** Classification: the class labels in output order (null for regression). */
  get classes(): Label[] | null {
    return this.#pre.classes?.slice() ?? null;
  }

  /** Names of the input columns, in order, when the document has them (records and columns are read by them). */
  get featureNames(): string[] | null {
    return this.#featureNames ? this.#featureNames.slice() : null;
  }

  /** Which backend runs the kernels ("js" or "reference"). */
  get backendName(): string {
    return this.#net.backend.name;
  }

  /**
   * Labels (classification), label sets (multi-label), numbers (one regression output) or rows
   * (several), in the user's labels and units: what MLP.predict answers.
   * @throws {@link MlpError}: a ShapeError for rows of the wrong width, a DataError for NaN or
   * Infinity in the inputs or in the outputs (E_NONFINITE), E_NOT_FITTED after dispose.
   */
  predict(x: Features): Label[] | Label[][] | number[] | number[][] {
    const out = this.#forward(x, 'predict');
    return decodeOutputs(this.#pre, this.#task, out, out.length / this.#net.outputs, this.#net.outputs);
  }

  /**
   * Class probabilities, one row per sample, one column per class (in `classes` order).
   * @throws {@link MlpError} (E_CONFIG) for a regression model, and what predict throws.
   */
  predictProba(x: Features): number[][] {
    if (this.#task !== 'classification') throw new ConfigError('E_CONFIG', 'predictProba: this model does regression; use predict');
    const out = this.#forward(x, 'predictProba');
    return probabilityRows(out, out.length / this.#net.outputs, this.#net.outputs);
  }

  /** Give the weights and buffers back to the backend; the model cannot predict afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#buf) this.#net.backend.release(this.#buf);
    this.#buf = null;
    this.#net.dispose();
    this.#disposed = true;
  }

  #disposed = false;

  #forward(x: Features, where: string): Float64Array {
    if (this.#disposed) throw new MlpError('E_NOT_FITTED', `${where}: this model was disposed; load it again with fromJSON`);
    const net = this.#net;
    const X = toMatrix(x, where, net.inputs, featureNamesOf(x) ? this.#featureNames : null);
    const need = chunkRows(net, X.shape[0]) * X.shape[1];
    if (!this.#buf || this.#buf.length < need) {
      if (this.#buf) net.backend.release(this.#buf);
      this.#buf = net.backend.alloc(need, net.dtype);
    }
    const out = forwardRows(net, this.#pre.inputs, X, this.#buf);
    checkOutputs(out, net.outputs, where);
    return out;
  }
}

/**
 * Load a saved model (the document toJSON writes: an object or its JSON text) for prediction only.
 * Every field a prediction reads is checked as mlpkit's fromJSON checks it, before anything is
 * allocated; config, training state and metadata are not read.
 * @throws {@link MlpError}: a SerializationError (E_FORMAT, E_VERSION, E_NONFINITE) naming the
 * field of a malformed document; a ConfigError for an unknown backend.
 *
 * @example
 * ```ts
 * import { fromJSON } from 'mlpkit/infer';
 * const doc = {
 *   format: 'mlpkit-model', version: 2, task: 'regression', inputs: 2, dtype: 'float64', loss: 'mse',
 *   layers: [{ units: 1, activation: 'identity' }],
 *   preprocessing: { inputs: { method: 'none', shift: [0, 0], scale: [1, 1] }, targets: { method: 'none', shift: [0], scale: [1] } },
 *   weights: { encoding: 'nested', layers: [{ W: [[2, -1]], b: [0.5] }] },
 * };
 * const model = fromJSON(doc);
 * console.log(model.predict([[1, 1], [3, 2]])); // [1.5, 4.5]: 2·x₁ − x₂ + 0.5
 * ```
 */
export function fromJSON(input: unknown, options: InferenceOptions = {}): InferenceModel {
  if (options === null || typeof options !== 'object') throw new ConfigError('E_CONFIG', `fromJSON: expected an options object, received ${describe(options)}`, { field: 'options', expected: 'an object', received: options });
  const backend = backendNamed(options.backend ?? 'js');
  const d = parseDocument(input);
  const header = readHeader(d);
  // sizes before anything is allocated: the declared layers against the values actually present
  checkWeightSizes(d.weights, header.inputs, header.layers, header.dtype);
  const pre = readPreprocessing(d.preprocessing, header);
  const params = readWeights(d.weights, header);
  const featureNames = readFeatureNames(d.featureNames, header.inputs);
  let net: Network;
  try {
    net = new Network(backend, header.dtype, header.inputs, header.layers);
  } catch (e) {
    // what the document's checks leave to the network (softmax on a hidden layer, dropout on the output)
    throw new SerializationError('E_FORMAT', `fromJSON: ${(e as Error).message}`, { field: 'layers' });
  }
  net.setParams(params);
  return InferenceModel.of(net, header.task, pre, featureNames);
}

function backendNamed(name: unknown): Backend {
  if (name === 'js') return js;
  if (name === 'reference') return reference;
  throw new ConfigError('E_CONFIG', `fromJSON: option "backend": expected "js" or "reference", received ${describe(name)}; the inference-only loader runs no WebAssembly (use mlpkit's fromJSON for that)`, { field: 'backend', expected: ['js', 'reference'], received: name });
}

/**
 * Load a model in the bytes form (what mlpkit's `toBytes` writes, `saveModel` to a .mlpk file) for
 * prediction only. The CRC-32, the header and every array reference are checked against the bytes
 * present as mlpkit's fromBytes checks them, then the document as in {@link fromJSON}.
 * @throws {@link MlpError}: a SerializationError (E_FORMAT …) for bytes that are truncated, damaged
 * or of another format.
 *
 * @example
 * ```ts
 * import { MLP, toBytes, iris } from 'mlpkit';
 * import { fromBytes } from 'mlpkit/infer';
 * const { x, y } = iris();
 * const trained = new MLP({ hidden: [8], epochs: 20, seed: 0 });
 * trained.fit(x, y);
 * const model = fromBytes(toBytes(trained)); // e.g. bytes fetched with `new Uint8Array(await res.arrayBuffer())`
 * console.log(model.predict([x[0]!, x[100]!])); // e.g. ['setosa', 'virginica']
 * ```
 */
export function fromBytes(bytes: Uint8Array, options: InferenceOptions = {}): InferenceModel {
  return fromJSON(documentFromBytes(bytes, 'fromBytes'), options);
}
