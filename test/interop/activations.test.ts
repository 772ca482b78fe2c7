// Every hidden activation mlpkit has goes through ONNX (onnxruntime-web), TF.js and back with the
// same answers (within 1e-5 relative); what a format cannot express is refused on export by name.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs';
import { MLP, datasets, fromJSON, toJSON, type ActivationName } from '../../src/index.ts';
import { toPyTorch } from '../../src/interop.ts';
import { toONNX, fromONNX, toTFJS, fromTFJS, toSafetensors, fromSafetensors, InteropError } from '../../src/interop.ts';
import { maxRel, TOL } from './models.ts';

before(async () => {
  ort.env.wasm.numThreads = 1;
  await tf.setBackend('cpu');
  await tf.ready();
});

const HIDDEN: [ActivationName, number | undefined][] = [
  ['identity', undefined], ['sigmoid', undefined], ['tanh', undefined], ['relu', undefined],
  ['leakyRelu', 0.2], ['elu', 0.5], ['softplus', undefined], ['gelu', undefined],
];

for (const [act, alpha] of HIDDEN) {
  test(`hidden ${act}${alpha !== undefined ? ` (α ${alpha})` : ''}: onnxruntime-web, TF.js and the imports answer as mlpkit`, async (t) => {
    const { x, y } = datasets.iris();
    const m = new MLP({ hidden: [7, 5], activation: act, ...(alpha !== undefined ? { alpha } : {}), seed: 7 });
    m.fit(x, y, { epochs: 10 });
    const want = m.predictProba(x);
    const onnx = toONNX(m);
    const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
    const res = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, 4]) });
    await session.release();
    if (act === 'elu' && alpha !== 1) {
      // TF.js has elu with α = 1 only: refused by name, the other routes carry it
      assert.throws(() => toTFJS(m), (e: unknown) => e instanceof InteropError && e.code === 'E_UNSUPPORTED' && e.format === 'tfjs' && e.layer === '0' && e.op === 'elu' && /α = 0\.5/.test(e.message));
      const errs = { onnxruntime: maxRel(res.probabilities.data as Float32Array, want), fromONNX: maxRel(fromONNX(onnx).predictProba(x).flat(), want), fromSafetensors: maxRel(fromSafetensors(toSafetensors(m)).predictProba(x).flat(), want) };
      for (const [k, e] of Object.entries(errs)) assert.ok(e <= TOL, `${k}: max relative difference ${e}`);
      return;
    }
    const files = toTFJS(m);
    const json = JSON.parse(new TextDecoder().decode(files['model.json']));
    const tm = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: files['group1-shard1of1.bin'].slice().buffer }));
    const tfOut = tf.tidy(() => (tm.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
    tm.dispose();
    const errs = {
      onnxruntime: maxRel(res.probabilities.data as Float32Array, want),
      tfjs: maxRel(tfOut, want),
      fromONNX: maxRel(fromONNX(onnx).predictProba(x).flat(), want),
      fromTFJS: maxRel(fromTFJS(files).predictProba(x).flat(), want),
      fromSafetensors: maxRel(fromSafetensors(toSafetensors(m)).predictProba(x).flat(), want),
    };
    for (const [k, e] of Object.entries(errs)) assert.ok(e <= TOL, `${k}: max relative difference ${e}`);
    t.diagnostic(Object.entries(errs).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', '));
  });
}

test('export refuses a regression model whose scaled targets meet a non-identity output, naming the layer', () => {
  const { x } = datasets.iris();
  const m = new MLP({ hidden: [4], outputActivation: 'softplus', seed: 8 });
  m.fit(x.map((r) => r.slice(0, 3)), x.map((r) => r[3]), { epochs: 2 });
  for (const [fn, format] of [[toONNX, 'onnx'], [toSafetensors, 'safetensors'], [toTFJS, 'tfjs']] as const) {
    assert.throws(() => fn(m), (e: unknown) => {
      assert.ok(e instanceof InteropError);
      assert.equal(e.code, 'E_UNSUPPORTED');
      assert.equal(e.format, format);
      assert.equal(e.layer, '1');
      assert.match(e.message, /output layer's activation is softplus and the targets are scaled.*scaleTargets "none"/);
      return true;
    });
  }
  // without target scaling the same model exports, and answers in the target's units
  const n = new MLP({ hidden: [4], outputActivation: 'softplus', scaleTargets: 'none', seed: 8 });
  const rx = x.map((r) => r.slice(0, 3));
  n.fit(rx, x.map((r) => r[3]), { epochs: 2 });
  const e = maxRel(fromONNX(toONNX(n)).predict(rx) as number[], (n.predict(rx) as number[]).map((v) => [v]));
  assert.ok(e <= TOL, `max relative difference ${e}`);
});

test('bias: false layers export without biases (Gemm without C, Linear(bias=False), use_bias false) and come back bias-less', async () => {
  const { x, y } = datasets.iris();
  const m0 = new MLP({ hidden: [6], activation: 'tanh', scaleInputs: 'none', seed: 9 });
  m0.fit(x, y, { epochs: 5 });
  const doc = toJSON(m0, { weights: 'nested', training: false });
  for (const k of [0, 1]) {
    doc.layers[k].bias = false;
    delete doc.weights.layers[k].b;
  }
  const m = fromJSON(doc);
  const want = m.predictProba(x);
  const onnx = toONNX(m);
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
  const res = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, 4]) });
  await session.release();
  assert.ok(maxRel(res.probabilities.data as Float32Array, want) <= TOL);
  const py = new TextDecoder().decode(toPyTorch(m)['model.py']);
  assert.match(py, /nn\.Linear\(4, 6, bias=False\),\n\s+nn\.Tanh\(\),\n\s+nn\.Linear\(6, 3, bias=False\)/);
  const st = toSafetensors(m);
  const header = new TextDecoder().decode(st.subarray(8, 8 + new DataView(st.buffer).getUint32(0, true)));
  assert.ok(!/"\d+\.bias"/.test(header), 'no bias tensors in the safetensors header');
  const files = toTFJS(m);
  assert.match(new TextDecoder().decode(files['model.json']), /"use_bias":false/);
  for (const back of [fromONNX(onnx), fromSafetensors(st), fromTFJS(files)]) {
    const d = toJSON(back, { weights: 'nested', training: false });
    assert.deepEqual(d.layers.map((l) => l.bias), [false, false]);
    assert.deepEqual(d.weights.layers, doc.weights.layers, 'the weights bit for bit');
  }
});
