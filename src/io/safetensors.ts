// PyTorch by way of safetensors: the tensors of a torch.nn.Sequential of Linear layers, each
// followed by its activation module (0.weight, 0.bias, 2.weight, 2.bias, …), float32, with the
// architecture, task, labels and names in the header's __metadata__ (key "mlpkit").
//
//   file = u64 LE header length N | N bytes of JSON header (space-padded to a multiple of 8) | data
//   header = { "__metadata__": { "format": "pt", "mlpkit": "<json>" },
//              "0.weight": { "dtype": "F32", "shape": [nOut, nIn], "data_offsets": [begin, end] }, … }
//
// nn.Linear stores weight as [out_features, in_features], mlpkit's W as [nOut, nIn]: the same
// bytes, no transpose. toPyTorch adds a Python file that builds the nn.Sequential and loads them.

import { InteropError } from '../errors.ts';
import type { MLP } from '../model.ts';
import type { ModelDocument } from './format.ts';
import type { ActivationName } from '../math/activations.ts';
import { MAX_IMPORT_BYTES, fromSequential, metaOf, parseMeta, toSequential, type DenseLayer, type ImportOptions, type Sequential } from './sequential.ts';

/** The safetensors header limit (the reference implementation's): larger headers are refused. */
const MAX_HEADER_BYTES = 100_000_000;

/** PyTorch's module for each activation (the output softmax over the class dimension). */
const TORCH_MODULE: Record<ActivationName, (alpha?: number) => string> = {
  identity: () => 'nn.Identity()',
  sigmoid: () => 'nn.Sigmoid()',
  tanh: () => 'nn.Tanh()',
  relu: () => 'nn.ReLU()',
  leakyRelu: (a) => `nn.LeakyReLU(${pyFloat(a ?? 0.01)})`,
  elu: (a) => `nn.ELU(${pyFloat(a ?? 1)})`,
  softplus: () => 'nn.Softplus()',
  gelu: () => 'nn.GELU()', // exact erf form, as mlpkit's
  softmax: () => 'nn.Softmax(dim=1)',
};

/**
 * The model's weights as a .safetensors file (scalers folded in: raw inputs, outputs in the user's units).
 *
 * @example
 * ```ts
 * import { MLP, iris } from 'mlpkit';
 * import { toSafetensors, fromSafetensors } from 'mlpkit/interop';
 * const { x, y } = iris();
 * const model = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * model.fit(x, y);
 * const bytes = toSafetensors(model); // "0.weight", "0.bias", "2.weight", … as torch.nn.Sequential names them
 * console.log(bytes.length, fromSafetensors(bytes).predict([x[0]!]));
 * ```
 */
export function toSafetensors(model: MLP | ModelDocument): Uint8Array {
  return encode(toSequential(model, 'safetensors'));
}

function encode(seq: Sequential): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', mlpkit: JSON.stringify(metaOf(seq)) } };
  const tensors: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, a: Float32Array, shape: number[]) => {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + a.byteLength] };
    tensors.push(a);
    offset += a.byteLength;
  };
  seq.layers.forEach((l, k) => {
    add(`${2 * k}.weight`, l.W, [l.nOut, l.nIn]);
    if (l.b) add(`${2 * k}.bias`, l.b, [l.nOut]);
  });
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  const pad = (8 - (enc.encode(json).length % 8)) % 8;
  json += ' '.repeat(pad); // the format pads with spaces so the data starts 8-aligned
  const head = enc.encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true);
  view.setUint32(4, 0, true);
  out.set(head, 8);
  let o = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.length; i++) view.setFloat32(o + 4 * i, t[i], true);
    o += t.byteLength;
  }
  return out;
}

export interface SafetensorsImportOptions extends ImportOptions {
  /**
   * The activation after each Linear layer, hidden layers then output, when the file has no mlpkit
   * metadata (e.g. saved by safetensors.torch.save_file without it); `alpha` for leakyRelu / elu.
   */
  architecture?: { activations: ActivationName[]; alpha?: number };
}

/**
 * An mlpkit model from a .safetensors file of a torch.nn.Sequential of Linear layers (float32),
 * the architecture given or read from the header's metadata.
 *
 * @example
 * ```ts
 * import { MLP, datasets } from 'mlpkit';
 * import { toSafetensors, fromSafetensors } from 'mlpkit/interop';
 * const { x, y } = datasets.xor({ n: 100, seed: 0 });
 * const trained = new MLP({ hidden: [4], activation: 'tanh', epochs: 10, seed: 0 });
 * trained.fit(x, y);
 * const bytes = toSafetensors(trained); // or the file safetensors.torch.save_file wrote for an nn.Sequential
 * // without mlpkit's metadata in the file, say what follows each Linear layer
 * const model = fromSafetensors(bytes, { architecture: { activations: ['tanh', 'sigmoid'] } });
 * console.log(model.predict(x.slice(0, 3)));
 * ```
 */
export function fromSafetensors(bytes: Uint8Array, options: SafetensorsImportOptions = {}): MLP {
  const fmt = 'safetensors';
  const fail = (code: 'E_FORMAT' | 'E_TRUNCATED' | 'E_TOO_LARGE' | 'E_UNSUPPORTED', msg: string, tensor?: string) =>
    new InteropError(code, `fromSafetensors: ${msg}`, { format: fmt, ...(tensor !== undefined ? { tensor } : {}) });
  if (bytes.length > MAX_IMPORT_BYTES) throw fail('E_TOO_LARGE', `the file has ${bytes.length} bytes, more than the limit of ${MAX_IMPORT_BYTES}`);
  if (bytes.length < 8) throw fail('E_TRUNCATED', `the file has ${bytes.length} bytes, fewer than the 8 of the header length; it is truncated or not a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) throw fail('E_TOO_LARGE', `header length ${n} is over the limit of ${MAX_HEADER_BYTES} bytes; this is not a safetensors file or it is damaged`);
  if (8 + n > bytes.length) throw fail('E_TRUNCATED', `the header says ${n} bytes of JSON, but the file has only ${bytes.length - 8} after the length; it is truncated`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw fail('E_FORMAT', `the header is not JSON (${(e as Error).message}); this is not a safetensors file or it is damaged`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('E_FORMAT', 'the header is not a JSON object; this is not a safetensors file');
  const { __metadata__: metaRaw, ...entries } = header as Record<string, unknown>;
  const metadata = (metaRaw ?? {}) as Record<string, unknown>;
  const dataBytes = bytes.length - 8 - n;

  // every entry checked, and the data region covered exactly, before anything is allocated
  type Entry = { name: string; index: number; kind: 'weight' | 'bias'; shape: number[]; begin: number; end: number };
  const list: Entry[] = [];
  for (const [name, v] of Object.entries(entries)) {
    const m = /^(\d+)\.(weight|bias)$/.exec(name);
    if (!m) throw fail('E_UNSUPPORTED', `tensor "${name}" is not the weight or bias of a Linear layer in an nn.Sequential ("0.weight", "0.bias", "2.weight", …); mlpkit imports Sequentials of Linear layers only`, name);
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (t === null || typeof t !== 'object') throw fail('E_FORMAT', `tensor "${name}": expected an object with dtype, shape and data_offsets`, name);
    if (t.dtype !== 'F32') throw fail('E_UNSUPPORTED', `tensor "${name}" has dtype ${JSON.stringify(t.dtype)}; mlpkit imports float32 (F32) weights. Convert in PyTorch with model.float() before saving`, name);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail('E_FORMAT', `tensor "${name}": shape ${JSON.stringify(shape)} is not a list of sizes`, name);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[1] < off[0]) throw fail('E_FORMAT', `tensor "${name}": data_offsets ${JSON.stringify(off)} is not [begin, end]`, name);
    const kind = m[2] as 'weight' | 'bias';
    if (shape.length !== (kind === 'weight' ? 2 : 1)) throw fail('E_UNSUPPORTED', `tensor "${name}" has shape [${shape.join(', ')}]; a Linear ${kind} is ${kind === 'weight' ? '2-D [out_features, in_features]' : '1-D [out_features]'}`, name);
    const count = shape.reduce((a: number, d: number) => a * d, 1);
    if (count * 4 !== off[1] - off[0]) throw fail('E_FORMAT', `tensor "${name}": shape [${shape.join(', ')}] needs ${count * 4} bytes, data_offsets span ${off[1] - off[0]}`, name);
    if (off[1] > dataBytes) throw fail('E_TRUNCATED', `tensor "${name}" ends at byte ${off[1]} of the data, but the file has only ${dataBytes} data bytes; it is truncated`, name);
    list.push({ name, index: Number(m[1]), kind, shape, begin: off[0], end: off[1] });
  }
  const byOffset = [...list].sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const e of byOffset) {
    if (e.begin !== at) throw fail('E_FORMAT', `tensor "${e.name}" starts at data byte ${e.begin}, expected ${at}: tensors overlap or leave a hole`, e.name);
    at = e.end;
  }
  if (at !== dataBytes) throw fail('E_TOO_LARGE', `the file has ${dataBytes - at} bytes after its last tensor; it is damaged or not what its header says`);

  // layers in module order: weight (and bias) per index
  const indices = [...new Set(list.map((e) => e.index))].sort((a, b) => a - b);
  const meta = parseMeta(typeof metadata.mlpkit === 'string' ? metadata.mlpkit : undefined, fmt);
  const acts = options.architecture?.activations ?? meta.layers?.map((l) => l.activation);
  if (!acts) throw fail('E_UNSUPPORTED', 'the file has no mlpkit metadata, so the activations are unknown; pass { architecture: { activations: ["relu", …, "softmax"] } } (one per Linear layer)');
  if (acts.length !== indices.length) throw fail('E_FORMAT', `the architecture lists ${acts.length} activations, the file has ${indices.length} Linear layers`);
  const layers: DenseLayer[] = [];
  let nIn = -1;
  indices.forEach((idx, k) => {
    const w = list.find((e) => e.index === idx && e.kind === 'weight');
    const b = list.find((e) => e.index === idx && e.kind === 'bias');
    if (!w) throw fail('E_FORMAT', `module ${idx} has a bias but no weight`, `${idx}.bias`);
    const [nOut, cols] = w.shape;
    if (k > 0 && cols !== nIn) throw fail('E_UNSUPPORTED', `tensor "${w.name}" takes ${cols} inputs, the layer before gives ${nIn}: not a chain of Linear layers`, w.name);
    if (b && b.shape[0] !== nOut) throw fail('E_FORMAT', `tensor "${b.name}" has ${b.shape[0]} values, its weight ${nOut} rows`, b.name);
    const activation = acts[k];
    const alpha = options.architecture ? options.architecture.alpha : meta.layers?.[k]?.alpha;
    layers.push({ nIn: cols, nOut, W: read(view, 8 + n + w.begin, nOut * cols), b: b ? read(view, 8 + n + b.begin, nOut) : null, activation, ...(alpha !== undefined && (activation === 'leakyRelu' || activation === 'elu') ? { alpha } : {}) });
    nIn = nOut;
  });
  return fromSequential({ inputs: layers[0]?.nIn ?? 0, layers }, meta, options, fmt);
}

function read(view: DataView, at: number, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
  return out;
}

// ---- PyTorch: the weights and a Python file that builds the nn.Sequential ------------------------

/**
 * `{ "<name>.safetensors": bytes, "<name>.py": Python source }`: the Python file builds the
 * nn.Sequential, loads the weights (safetensors.torch, or a 20-line reader when that package is
 * missing) and saves them back with the same metadata for fromSafetensors.
 *
 * @example
 * ```ts
 * import { mkdirSync, writeFileSync } from 'node:fs';
 * import { MLP, iris } from 'mlpkit';
 * import { toPyTorch } from 'mlpkit/interop';
 * const { x, y } = iris();
 * const model = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * model.fit(x, y);
 * mkdirSync('torch', { recursive: true });
 * for (const [name, bytes] of Object.entries(toPyTorch(model, { name: 'iris' }))) writeFileSync(`torch/${name}`, bytes);
 * // torch/iris.py builds the nn.Sequential and loads torch/iris.safetensors into it
 * ```
 */
export function toPyTorch(model: MLP | ModelDocument, options: { name?: string } = {}): Record<string, Uint8Array> {
  const name = options.name ?? 'model';
  const seq = toSequential(model, 'pytorch');
  const bytes = encode(seq);
  return { [`${name}.safetensors`]: bytes, [`${name}.py`]: new TextEncoder().encode(pytorchSource(seq, `${name}.safetensors`)) };
}

function pyFloat(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function pytorchSource(seq: Sequential, file: string): string {
  const meta = JSON.stringify({ format: 'pt', mlpkit: JSON.stringify(metaOf(seq)) });
  const modules = seq.layers.flatMap((l) => [`        nn.Linear(${l.nIn}, ${l.nOut}${l.b ? '' : ', bias=False'}),`, `        ${TORCH_MODULE[l.activation](l.alpha)},`]);
  const out = seq.layers[seq.layers.length - 1].activation;
  // NOTE: names go into the docstring as JSON strings: their escapes are valid in Python and a
  // quote in a name cannot end the docstring
  const what = seq.task === 'classification' ? `class probabilities${seq.classes ? ` (${seq.classes.map((c) => JSON.stringify(c)).join(', ')})` : ''}` : `predictions in the target's units${seq.targetName !== undefined ? ` (${JSON.stringify(seq.targetName)})` : ''}`;
  return `"""PyTorch twin of an mlpkit model (written by mlpkit's toPyTorch / \`mlpkit export --format pytorch\`).

    model = load(build(), "${file}")    # the nn.Sequential with the exported weights
    ...                                  # train it, wrap it in DistributedDataParallel, ...
    save(model, "trained.safetensors")   # back to mlpkit: fromSafetensors / \`mlpkit import\`

Inputs are raw feature rows, float32 [N, ${seq.inputs}]${seq.featureNames ? ` (${seq.featureNames.map((n) => JSON.stringify(n)).join(', ')})` : ''}: the input
scaling mlpkit fitted is folded into the first Linear layer. Outputs are ${what}.${out === 'softmax' || out === 'sigmoid' ? `
For training on logits (nn.CrossEntropyLoss / nn.BCEWithLogitsLoss) use model[:-1], which drops the final ${out === 'softmax' ? 'Softmax' : 'Sigmoid'}.` : ''}
"""
import json

import torch
from torch import nn

# The header metadata save() writes back, so mlpkit knows the architecture, labels and names.
METADATA = json.loads(${JSON.stringify(meta)})


def build():
    return nn.Sequential(
${modules.join('\n')}
    )


try:
    from safetensors.torch import load_file, save_file
except ImportError:  # the safetensors package is missing: the format is simple enough to read and write here

    def load_file(path):
        with open(path, "rb") as f:
            data = f.read()
        n = int.from_bytes(data[:8], "little")
        header = json.loads(data[8 : 8 + n])
        header.pop("__metadata__", None)
        out = {}
        for name, t in header.items():
            if t["dtype"] != "F32":
                raise ValueError(f"{name}: dtype {t['dtype']}, expected F32")
            begin, end = t["data_offsets"]
            buf = bytearray(data[8 + n + begin : 8 + n + end])
            out[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(t["shape"]) if buf else torch.zeros(t["shape"])
        return out

    def save_file(tensors, path, metadata=None):
        header, blobs, offset = {}, [], 0
        for name, t in tensors.items():
            blob = t.detach().cpu().contiguous().to(torch.float32).numpy().tobytes()
            header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
            blobs.append(blob)
            offset += len(blob)
        if metadata:
            header["__metadata__"] = metadata
        head = json.dumps(header, separators=(",", ":")).encode()
        head += b" " * (-len(head) % 8)
        with open(path, "wb") as f:
            f.write(len(head).to_bytes(8, "little"))
            f.write(head)
            for blob in blobs:
                f.write(blob)


def load(model, path="${file}"):
    model.load_state_dict(load_file(path))
    return model


def save(model, path):
    state = {k: v.detach().cpu().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    save_file(state, path, metadata=METADATA)


if __name__ == "__main__":
    import sys

    print(load(build(), sys.argv[1] if len(sys.argv) > 1 else "${file}"))
`;
}
