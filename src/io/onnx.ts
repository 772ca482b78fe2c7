// ONNX: an MLP as a graph of Gemm nodes and activations, opset 13 (20 when a layer uses GELU).
//
//   input  "input" float32 [N, inputs]
//   layer k: Gemm(h, layer{k}.W [nOut, nIn], layer{k}.b [nOut], transB=1) → activation node
//   output "probabilities" [N, classes] (a single sigmoid unit answers two columns, 1 − p and p,
//          as predictProba: Sigmoid → Sub(1, p) → Concat) or "output" [N, outputs] (regression)
//   metadata_props "mlpkit": task, architecture, class labels, feature and target names (JSON)
//
// The scalers are folded into the weights (io/sequential.ts), so the graph takes raw rows and
// answers as predictProba / predict do. Import reads the MLP-shaped graphs PyTorch and skl2onnx
// write: Gemm, or MatMul followed by Add, each followed by one of mlpkit's activations, Softmax or
// Sigmoid at the end; anything else (Conv, a residual Add, an unknown activation) is refused by
// name. The protobuf encoding is protobufjs's (onnx-schema.ts holds the message layout).

import { InteropError } from '../errors.ts';
import type { MLP } from '../model.ts';
import type { ModelDocument } from './format.ts';
import type { ActivationName } from '../math/activations.ts';
import { AttributeType, DataType, ModelProto } from './onnx-schema.ts';
import { MAX_IMPORT_BYTES, fromSequential, metaOf, parseMeta, toSequential, type DenseLayer, type ImportOptions } from './sequential.ts';

const fmt = 'onnx';

/** ONNX operator for each elementwise activation (identity: none; GELU needs opset 20). */
const ONNX_OP: Record<ActivationName, string | null> = {
  identity: null,
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  leakyRelu: 'LeakyRelu',
  elu: 'Elu',
  softplus: 'Softplus',
  gelu: 'Gelu',
  softmax: 'Softmax',
};

interface Attr { name: string; type: number; f?: number; i?: number; ints?: number[]; s?: Uint8Array; t?: Tensor }
interface Tensor { name?: string; dims?: number[]; dataType?: number; rawData?: Uint8Array; floatData?: number[]; doubleData?: number[]; externalData?: unknown[]; dataLocation?: number }
interface Node { name?: string; opType?: string; domain?: string; input?: string[]; output?: string[]; attribute?: Attr[] }
interface ValueInfo { name?: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } } }
interface Graph { node?: Node[]; initializer?: Tensor[]; input?: ValueInfo[]; output?: ValueInfo[]; name?: string }
interface Model { irVersion?: number; opsetImport?: { domain?: string; version?: number }[]; graph?: Graph; metadataProps?: { key?: string; value?: string }[]; producerName?: string }

// ---- export ---------------------------------------------------------------------------------

/**
 * The model as ONNX bytes (a ModelProto): raw rows in, probabilities or the user's units out.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { MLP, iris } from 'mlpkit';
 * import { toONNX } from 'mlpkit/interop';
 * const { x, y } = iris();
 * const model = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * model.fit(x, y);
 * writeFileSync('iris.onnx', toONNX(model)); // onnxruntime (Python, web) answers as model.predictProba
 * ```
 */
export function toONNX(model: MLP | ModelDocument): Uint8Array {
  const seq = toSequential(model, fmt);
  const gelu = seq.layers.some((l) => l.activation === 'gelu');
  const opset = gelu ? 20 : 13;
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const L = seq.layers.length;
  const binary = seq.task === 'classification' && seq.layers[L - 1].nOut === 1 && seq.layers[L - 1].activation === 'sigmoid';
  const outName = seq.task === 'classification' ? 'probabilities' : 'output';
  let cur = 'input';
  seq.layers.forEach((l, k) => {
    const last = k === L - 1;
    const op = ONNX_OP[l.activation];
    inits.push(tensor(`layer${k}.W`, [l.nOut, l.nIn], l.W));
    if (l.b) inits.push(tensor(`layer${k}.b`, [l.nOut], l.b));
    const a = last && !op ? outName : `layer${k}.a`;
    nodes.push({ name: `layer${k}.gemm`, opType: 'Gemm', input: [cur, `layer${k}.W`, ...(l.b ? [`layer${k}.b`] : [])], output: [a], attribute: [intAttr('transB', 1)] });
    cur = a;
    if (!op) return;
    const h = last && !binary ? outName : `layer${k}.h`;
    const attribute =
      l.activation === 'leakyRelu' ? [floatAttr('alpha', l.alpha ?? 0.01)]
      : l.activation === 'elu' ? [floatAttr('alpha', l.alpha ?? 1)]
      : l.activation === 'softmax' ? [intAttr('axis', 1)]
      : [];
    nodes.push({ name: `layer${k}.${op.toLowerCase()}`, opType: op, input: [cur], output: [h], attribute });
    cur = h;
  });
  if (binary) {
    // predictProba's two columns for one sigmoid unit: [1 − p, p]
    inits.push(tensor('one', [1], Float32Array.of(1)));
    nodes.push({ name: 'negative', opType: 'Sub', input: ['one', cur], output: ['negative.p'], attribute: [] });
    nodes.push({ name: 'two_columns', opType: 'Concat', input: ['negative.p', cur], output: [outName], attribute: [intAttr('axis', 1)] });
  }
  const outCols = binary ? 2 : seq.layers[L - 1].nOut;
  const proto: Model = {
    irVersion: gelu ? 9 : 7,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'mlpkit',
    graph: {
      name: 'mlpkit',
      node: nodes,
      initializer: inits,
      input: [valueInfo('input', seq.inputs)],
      output: [valueInfo(outName, outCols)],
    },
    metadataProps: [{ key: 'mlpkit', value: JSON.stringify(metaOf(seq)) }],
  };
  const bytes = ModelProto.encode(ModelProto.fromObject(proto)).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
}

function tensor(name: string, dims: number[], data: Float32Array): Tensor {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true); // raw_data is little-endian
  return { name, dims, dataType: DataType.FLOAT, rawData: raw };
}
function intAttr(name: string, i: number): Attr {
  return { name, type: AttributeType.INT, i };
}
function floatAttr(name: string, f: number): Attr {
  return { name, type: AttributeType.FLOAT, f };
}
function valueInfo(name: string, cols: number): ValueInfo {
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] } } } };
}

// ---- import ---------------------------------------------------------------------------------

export interface OnnxImportOptions extends ImportOptions {
  /**
   * the value to follow back to the input: a graph output, or any value a node produces (e.g. the
   * probabilities before skl2onnx's ZipMap). Default: "probabilities", "output", else the first
   * float tensor output.
   */
  output?: string;
}

/**
 * An mlpkit model from ONNX bytes holding an MLP-shaped graph (Gemm or MatMul+Add, activations).
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs';
 * import { MLP, iris } from 'mlpkit';
 * import { toONNX, fromONNX } from 'mlpkit/interop';
 * const { x, y } = iris();
 * const trained = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * trained.fit(x, y);
 * writeFileSync('iris.onnx', toONNX(trained)); // or a file skl2onnx or torch.onnx.export wrote
 * const model = fromONNX(readFileSync('iris.onnx'));
 * console.log(model.layers.map((l) => `${l.units} ${l.activation}`), model.predict([x[0]!])); // ['8 relu', '3 softmax'] [0]
 * ```
 */
export function fromONNX(bytes: Uint8Array, options: OnnxImportOptions = {}): MLP {
  if (bytes.length > MAX_IMPORT_BYTES) throw new InteropError('E_TOO_LARGE', `fromONNX: the file has ${bytes.length} bytes, more than the limit of ${MAX_IMPORT_BYTES}`, { format: fmt });
  let model: Model;
  try {
    model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true }) as Model;
  } catch (e) {
    const msg = (e as Error).message;
    if (/index out of range/.test(msg)) throw new InteropError('E_TRUNCATED', `fromONNX: the protobuf ends in the middle of a field (${msg}); the file is truncated`, { format: fmt });
    throw new InteropError('E_FORMAT', `fromONNX: the bytes are not an ONNX model (${msg})`, { format: fmt });
  }
  const g = model.graph;
  if (!g || !g.node?.length) throw new InteropError('E_FORMAT', 'fromONNX: the file has no graph with nodes; it is not an ONNX model', { format: fmt });
  const meta = parseMeta(model.metadataProps?.find((p) => p.key === 'mlpkit')?.value, fmt);

  // constants: initializers and Constant nodes
  const consts = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) if (t.name) consts.set(t.name, t);
  const producer = new Map<string, Node>();
  for (const n of g.node) {
    if (n.opType === 'Constant' && n.output?.[0]) {
      const value = n.attribute?.find((a) => a.name === 'value')?.t;
      if (value) consts.set(n.output[0], value);
      continue;
    }
    for (const o of n.output ?? []) producer.set(o, n);
  }
  const inputs = (g.input ?? []).filter((v) => v.name && !consts.has(v.name));
  if (inputs.length !== 1) throw new InteropError('E_UNSUPPORTED', `fromONNX: the graph has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}); an MLP has one`, { format: fmt });
  const inputName = inputs[0].name!;
  const floatOutputs = (g.output ?? []).filter((v) => v.type?.tensorType?.elemType === DataType.FLOAT);
  const outName = options.output ?? (floatOutputs.find((v) => v.name === 'probabilities') ?? floatOutputs.find((v) => v.name === 'output') ?? floatOutputs[0])?.name;
  if (!outName || !(producer.has(outName) || (g.output ?? []).some((v) => v.name === outName))) throw new InteropError('E_UNSUPPORTED', `fromONNX: no float tensor output${options.output ? ` named "${options.output}"` : ''} (outputs: ${(g.output ?? []).map((v) => v.name).join(', ')})`, { format: fmt });

  // walk back from the output to the input along the one computed value each node takes
  const chain: Node[] = [];
  let binary = false;
  let v = outName;
  for (let steps = 0; v !== inputName; steps++) {
    const n = producer.get(v);
    if (!n || steps > g.node.length) throw new InteropError('E_FORMAT', `fromONNX: value "${v}" is produced by no node and is not the input`, { format: fmt, tensor: v });
    const label = nodeLabel(n);
    if (chain.length === 0 && n.opType === 'Concat' && n.input?.length === 2) {
      // predictProba's [1 − p, p] for one sigmoid unit
      const [q, p] = n.input;
      const sub = producer.get(q);
      const one = sub?.opType === 'Sub' && sub.input?.[1] === p ? consts.get(sub.input[0]) : undefined;
      if (one && floats(one, sub!.input![0]).every((x) => x === 1)) {
        binary = true;
        v = p;
        continue;
      }
    }
    const computed = (n.input ?? []).filter((i) => i !== '' && !consts.has(i));
    if (computed.length !== 1) {
      const what = n.opType === 'Add' || n.opType === 'Sum' ? `a residual ${n.opType} of ${computed.map((c) => `"${c}"`).join(' and ')}` : `${n.opType} of ${computed.length} computed values`;
      throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${label} is ${what}; mlpkit imports plain MLPs (one path from input to output)`, { format: fmt, node: n.name ?? '', op: n.opType ?? '' });
    }
    chain.push(n);
    v = computed[0];
  }
  chain.reverse();

  // forward: Gemm | MatMul [+ Add], then at most one activation per layer
  const layers: DenseLayer[] = [];
  let open = false; // the last layer still takes its activation
  let nIn = -1;
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i];
    const op = n.opType ?? '';
    const where = { format: fmt, node: n.name ?? '', op } as const;
    if (n.domain && n.domain !== 'ai.onnx') throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} is from the operator domain "${n.domain}"; mlpkit imports standard ONNX operators only`, where);
    if (op === 'Gemm' || op === 'MatMul') {
      const data = n.input![0];
      if (consts.has(data)) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} multiplies a constant by the data; expected the data as its first input`, where);
      const transB = op === 'Gemm' ? intOf(n, 'transB', 0) : 0;
      if (op === 'Gemm' && (intOf(n, 'transA', 0) !== 0 || floatOf(n, 'alpha', 1) !== 1 || floatOf(n, 'beta', 1) !== 1)) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} has transA, alpha or beta set; mlpkit imports Gemm as x·Wᵀ + b`, where);
      const bName = n.input![1];
      const B = consts.get(bName)!;
      const dims = B.dims ?? [];
      if (dims.length !== 2) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)}: weight "${bName}" has ${dims.length} dimensions, expected 2`, where);
      const [nOut, cols] = transB ? dims : [dims[1], dims[0]];
      if (nIn !== -1 && cols !== nIn) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} takes ${cols} values, the layer before gives ${nIn}`, where);
      const raw = floats(B, bName);
      const W = transB ? raw : transpose(raw, cols, nOut);
      let b: Float32Array | null = null;
      const cName = op === 'Gemm' ? n.input![2] : undefined;
      if (cName) b = bias(consts.get(cName)!, cName, nOut, n);
      else if (chain[i + 1]?.opType === 'Add') {
        const add = chain[++i];
        const c = add.input!.find((x) => consts.has(x))!;
        b = bias(consts.get(c)!, c, nOut, add);
      }
      layers.push({ nIn: cols, nOut, W, b, activation: 'identity' });
      nIn = nOut;
      open = true;
      continue;
    }
    if (op === 'Identity' || op === 'Dropout') continue; // no-ops at inference
    const act = activationOf(n);
    if (!open || layers.length === 0) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} (${op}) does not follow a Gemm or MatMul; mlpkit has one activation after each dense layer`, where);
    const l = layers[layers.length - 1];
    l.activation = act.activation;
    if (act.alpha !== undefined) l.alpha = act.alpha;
    open = false;
  }
  if (binary && (layers.length === 0 || layers[layers.length - 1].activation !== 'sigmoid' || layers[layers.length - 1].nOut !== 1)) {
    throw new InteropError('E_UNSUPPORTED', 'fromONNX: the output concatenates [1 − p, p], but p is not one sigmoid unit', { format: fmt });
  }
  return fromSequential({ inputs: layers[0]?.nIn ?? 0, layers }, meta, options, fmt);
}

function nodeLabel(n: Node): string {
  return n.name ? `"${n.name}" (${n.opType})` : `${n.opType} → "${n.output?.[0]}"`;
}

function attr(n: Node, name: string): Attr | undefined {
  return n.attribute?.find((a) => a.name === name);
}
function intOf(n: Node, name: string, dflt: number): number {
  return attr(n, name)?.i ?? dflt;
}
function floatOf(n: Node, name: string, dflt: number): number {
  return attr(n, name)?.f ?? dflt;
}

function activationOf(n: Node): { activation: ActivationName; alpha?: number } {
  const where = { format: fmt, node: n.name ?? '', op: n.opType ?? '' } as const;
  switch (n.opType) {
    case 'Relu': return { activation: 'relu' };
    case 'Sigmoid': return { activation: 'sigmoid' };
    case 'Tanh': return { activation: 'tanh' };
    case 'Softplus': return { activation: 'softplus' };
    // NOTE: ONNX attributes are float32; mlpkit keeps the float32 value's double
    case 'LeakyRelu': return { activation: 'leakyRelu', alpha: floatOf(n, 'alpha', 0.01) };
    case 'Elu': return { activation: 'elu', alpha: floatOf(n, 'alpha', 1) };
    case 'Gelu':
      if (attr(n, 'approximate')?.s && new TextDecoder().decode(attr(n, 'approximate')!.s) !== 'none') throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} is the tanh-approximate GELU; mlpkit has the exact (erf) GELU`, where);
      return { activation: 'gelu' };
    case 'Softmax': {
      const axis = intOf(n, 'axis', -1);
      if (axis !== 1 && axis !== -1) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} is a Softmax over axis ${axis}; mlpkit's softmax runs over the outputs (axis 1)`, where);
      return { activation: 'softmax' };
    }
  }
  throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)} is an operator mlpkit cannot represent (an MLP imports Gemm, MatMul, Add and the activations Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Gelu, Softmax)`, where);
}

function bias(t: Tensor, name: string, nOut: number, n: Node): Float32Array {
  const dims = t.dims ?? [];
  const count = dims.reduce((a, d) => a * d, 1);
  if (count !== nOut || dims.some((d, i) => d !== 1 && i !== dims.length - 1)) throw new InteropError('E_UNSUPPORTED', `fromONNX: node ${nodeLabel(n)}: bias "${name}" has shape [${dims.join(', ')}], expected [${nOut}]`, { format: fmt, node: n.name ?? '', op: n.opType ?? '', tensor: name });
  return floats(t, name);
}

/** A tensor's float32 values, its size checked against its dims before anything is allocated. */
function floats(t: Tensor, name: string): Float32Array {
  const where = { format: fmt, tensor: name } as const;
  if (t.dataLocation === 1 || t.externalData?.length) throw new InteropError('E_UNSUPPORTED', `fromONNX: tensor "${name}" keeps its data in an external file; save the model with its weights inside`, where);
  const dims = t.dims ?? [];
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new InteropError('E_FORMAT', `fromONNX: tensor "${name}" has dims [${dims.join(', ')}]`, where);
  const count = dims.reduce((a, d) => a * d, 1);
  if (count > MAX_IMPORT_BYTES / 4) throw new InteropError('E_TOO_LARGE', `fromONNX: tensor "${name}" of shape [${dims.join(', ')}] has ${count} values, more than the file can hold`, where);
  const type = t.dataType;
  if (type !== DataType.FLOAT && type !== DataType.DOUBLE) throw new InteropError('E_UNSUPPORTED', `fromONNX: tensor "${name}" has ONNX data type ${type}; mlpkit imports float32 (1) or float64 (11) weights`, where);
  const size = type === DataType.FLOAT ? 4 : 8;
  const raw = t.rawData;
  const listed = type === DataType.FLOAT ? t.floatData : t.doubleData;
  const have = raw?.length ? raw.length / size : listed?.length ?? 0;
  if (have !== count) {
    const code = have < count ? 'E_TRUNCATED' : 'E_TOO_LARGE';
    throw new InteropError(code, `fromONNX: tensor "${name}" of shape [${dims.join(', ')}] needs ${count} values, the file holds ${have}`, where);
  }
  const out = new Float32Array(count);
  if (raw?.length) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) out[i] = size === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
  } else out.set(listed!);
  return out;
}

/** [rows, cols] → [cols, rows] (MatMul keeps W as [nIn, nOut]). */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}
