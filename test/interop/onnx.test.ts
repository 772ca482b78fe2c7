// ONNX: the exported graph run by onnxruntime-web (WebAssembly backend, offline) answers as mlpkit's
// predictProba / predict on raw rows; the import gives the same model back bit for bit; graphs
// mlpkit cannot represent, and damaged files, are refused with a coded error naming the node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { MLP, datasets, toJSON } from '../../src/index.ts';
import { toONNX, fromONNX, InteropError } from '../../src/interop.ts';
import { ModelProto } from '../../src/io/onnx-schema.ts';
import { cases, maxRel, weightsOf, TOL } from './models.ts';

const realFetch = globalThis.fetch;
before(() => {
  // onnxruntime-web must load its .wasm from node_modules, never from the network
  globalThis.fetch = ((url: unknown) => {
    throw new Error(`network fetch during the ONNX tests: ${String(url)}`);
  }) as typeof fetch;
  ort.env.wasm.numThreads = 1;
});
after(() => {
  globalThis.fetch = realFetch;
});

async function runOrt(bytes: Uint8Array, x: number[][], output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0].length]);
  const res = await session.run({ input });
  await session.release();
  return res[output].data as Float32Array;
}

for (const c of cases()) {
  test(`ONNX ${c.name}: onnxruntime-web and the re-imported model answer as mlpkit within ${TOL} relative`, async (t) => {
    const bytes = toONNX(c.model);
    const out = c.model.task === 'classification' ? 'probabilities' : 'output';
    const ortOut = await runOrt(bytes, c.x, out);
    const e1 = maxRel(ortOut, c.expected);
    assert.ok(e1 <= TOL, `onnxruntime-web: max relative difference ${e1}`);
    const back = fromONNX(bytes);
    const got = back.task === 'classification' ? back.predictProba(c.x).flat() : (back.predict(c.x) as number[]);
    const e2 = maxRel(got, c.expected);
    assert.ok(e2 <= TOL, `re-imported: max relative difference ${e2}`);
    t.diagnostic(`max relative difference: onnxruntime-web ${e1.toExponential(2)}, re-imported ${e2.toExponential(2)}`);
    // labels and names travel as metadata
    const d0 = toJSON(c.model);
    const d1 = toJSON(back);
    assert.deepEqual(d1.preprocessing.classes, d0.preprocessing.classes);
    assert.deepEqual(d1.featureNames, d0.featureNames);
    assert.equal(d1.targetName, d0.targetName);
    assert.equal(d1.task, d0.task);
    if (back.task === 'classification') assert.deepEqual(back.predict(c.x), c.model.predict(c.x));
  });

  test(`ONNX ${c.name}: export → import → export keeps every weight bit for bit`, () => {
    const a = toONNX(c.model);
    assert.deepEqual(toONNX(toJSON(c.model)), a, 'the model document exports as the model does');
    const back = fromONNX(a);
    assert.deepEqual(toONNX(back), a);
  });
}

test('ONNX: a model without scaling comes back with its own float32 weights, bit for bit', () => {
  const { x, y } = datasets.iris();
  const m = new MLP({ hidden: [5], activation: 'leakyRelu', alpha: 0.1, scaleInputs: 'none', seed: 4 });
  m.fit(x, y, { epochs: 5 });
  const back = fromONNX(toONNX(m));
  assert.deepEqual(weightsOf(back), weightsOf(m));
  assert.deepEqual(toJSON(back).layers, toJSON(m).layers.map((l) => ({ ...l, ...(l.alpha !== undefined ? { alpha: Math.fround(l.alpha) } : {}) })));
});

// ---- graphs as PyTorch and skl2onnx write them ----------------------------------------------

type P = Record<string, any>;
const f32 = (name: string, dims: number[], v: number[]): P => {
  const raw = new Uint8Array(new Float32Array(v).buffer);
  return { name, dims, dataType: 1, rawData: raw };
};
function encode(graph: P, opset = 13): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject({ irVersion: 7, opsetImport: [{ domain: '', version: opset }], graph })).finish();
}
const io = (name: string, cols: number): P => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] } } } });

test('ONNX import: MatMul + Add layers (skl2onnx style, W stored [nIn, nOut]) answer as onnxruntime-web', async () => {
  // 3 → 4 (relu) → 2 (softmax)
  const W1 = [0.5, -1, 0.25, 2, 1.5, 0.75, -0.5, -2, 0.1, 0.2, 0.3, -0.4]; // [3, 4]
  const W2 = [1, -1, 0.5, 0.5, -0.25, 2, 1, 0]; // [4, 2]
  const graph = {
    name: 'skl',
    node: [
      { name: 'mm1', opType: 'MatMul', input: ['X', 'W1'], output: ['m1'] },
      { name: 'add1', opType: 'Add', input: ['m1', 'B1'], output: ['a1'] },
      { name: 'relu1', opType: 'Relu', input: ['a1'], output: ['h1'] },
      { name: 'mm2', opType: 'MatMul', input: ['h1', 'W2'], output: ['m2'] },
      { name: 'add2', opType: 'Add', input: ['B2', 'm2'], output: ['a2'] },
      { name: 'softmax', opType: 'Softmax', input: ['a2'], output: ['probabilities'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      { name: 'argmax', opType: 'ArgMax', input: ['probabilities'], output: ['label'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
    ],
    initializer: [f32('W1', [3, 4], W1), f32('B1', [4], [0.1, -0.1, 0, 0.5]), f32('W2', [4, 2], W2), f32('B2', [2], [0.3, -0.3])],
    input: [io('X', 3)],
    output: [{ name: 'label', type: { tensorType: { elemType: 7 } } }, io('probabilities', 2)],
  };
  const bytes = encode(graph);
  const x = [[1, 2, 3], [-1, 0.5, 2], [0, 0, 0], [3, -2, 1]];
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const res = await session.run({ X: new ort.Tensor('float32', Float32Array.from(x.flat()), [4, 3]) });
  await session.release();
  const want = Array.from(res.probabilities.data as Float32Array);
  const m = fromONNX(bytes);
  assert.equal(m.task, 'classification');
  const e = maxRel(want, m.predictProba(x));
  assert.ok(e <= TOL, `max relative difference ${e}`);
});

test('ONNX import: a Gemm without bias input imports as a layer with bias: false (Linear(bias=False))', async () => {
  const W = [0.5, -1, 0.25, 2, 1.5, 0.75]; // [2, 3], transB = 1
  const graph = {
    name: 'nobias',
    node: [
      { name: 'fc', opType: 'Gemm', input: ['input', 'W'], output: ['a'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
      { name: 'out', opType: 'Sigmoid', input: ['a'], output: ['output'] },
    ],
    initializer: [f32('W', [2, 3], W)],
    input: [io('input', 3)],
    output: [io('output', 2)],
  };
  const bytes = encode(graph);
  const x = [[1, 2, 3], [-1, 0.5, 2]];
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const res = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [2, 3]) });
  await session.release();
  const m = fromONNX(bytes, { task: 'regression' });
  const e = maxRel(res.output.data as Float32Array, (m.predict(x) as number[][]));
  assert.ok(e <= TOL, `max relative difference ${e}`);
  assert.equal(toJSON(m).layers[0].bias, false);
  assert.equal(toJSON(m, { weights: 'nested' }).weights.layers[0].b, undefined);
});

// ---- refusals -----------------------------------------------------------------------------------

function edited(edit: (g: P) => void): Uint8Array {
  const m = ModelProto.toObject(ModelProto.decode(toONNX(cases()[0].model)), { longs: Number, arrays: true }) as P;
  edit(m.graph);
  return ModelProto.encode(ModelProto.fromObject(m)).finish();
}

function refuses(bytes: Uint8Array, code: string, fields: Partial<InteropError>, message: RegExp) {
  assert.throws(() => fromONNX(bytes), (e: unknown) => {
    assert.ok(e instanceof InteropError, `an InteropError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.format, 'onnx');
    for (const [k, v] of Object.entries(fields)) assert.equal((e as unknown as Record<string, unknown>)[k], v, `field ${k}`);
    assert.match(e.message, message);
    return true;
  });
}

test('ONNX import refuses a Conv, naming the node and the op', () => {
  const bytes = edited((g) => {
    g.node.find((n: P) => n.name === 'layer0.gemm').opType = 'Conv';
  });
  refuses(bytes, 'E_UNSUPPORTED', { node: 'layer0.gemm', op: 'Conv' }, /layer0\.gemm.*Conv/);
});

test('ONNX import refuses a residual Add, naming the node', () => {
  const bytes = edited((g) => {
    g.node.push({ name: 'skip', opType: 'Add', input: ['layer1.h', 'layer0.h'], output: ['skip.out'] });
    g.node.find((n: P) => n.name === 'layer2.gemm').input[0] = 'skip.out';
  });
  refuses(bytes, 'E_UNSUPPORTED', { node: 'skip', op: 'Add' }, /residual Add of "layer1\.h" and "layer0\.h"/);
});

test('ONNX import refuses an activation mlpkit lacks, naming the node and the op', () => {
  const bytes = edited((g) => {
    g.node.find((n: P) => n.name === 'layer1.tanh').opType = 'Selu';
  });
  refuses(bytes, 'E_UNSUPPORTED', { node: 'layer1.tanh', op: 'Selu' }, /Selu/);
});

test('ONNX import refuses a truncated file and a tensor larger or smaller than its dims', () => {
  const bytes = toONNX(cases()[0].model);
  refuses(bytes.subarray(0, bytes.length - 7), 'E_TRUNCATED', {}, /truncated/);
  refuses(edited((g) => g.initializer.find((t: P) => t.name === 'layer0.W').dims = [8, 5]), 'E_TRUNCATED', { tensor: 'layer0.W' }, /needs 40 values, the file holds 32/);
  refuses(edited((g) => g.initializer.find((t: P) => t.name === 'layer0.W').dims = [8, 3]), 'E_TOO_LARGE', { tensor: 'layer0.W' }, /needs 24 values, the file holds 32/);
  // dims claiming billions of values are refused before anything is allocated
  refuses(edited((g) => g.initializer.find((t: P) => t.name === 'layer0.W').dims = [1e6, 1e6]), 'E_TOO_LARGE', { tensor: 'layer0.W' }, /more than the file can hold/);
  refuses(new TextEncoder().encode('not an onnx file at all'), 'E_FORMAT', {}, /not an ONNX model/);
});
