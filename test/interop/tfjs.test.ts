// TensorFlow.js: tf.loadLayersModel reads the exported files and answers as mlpkit on raw rows;
// a model TF.js itself saved (Sequential of Dense layers) imports with TF.js's answers; round trips
// keep the weights bit for bit; foreign layers and damaged files are refused by name.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MLP, datasets, toJSON } from '../../src/index.ts';
import { toTFJS, fromTFJS, InteropError } from '../../src/interop.ts';
import { cases, maxRel, weightsOf, TOL } from './models.ts';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** tf.loadLayersModel over in-memory files, parsing model.json as its http/file loaders do. */
async function load(files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as tf.io.ModelJSON;
  return tf.loadLayersModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const bytes = manifest.flatMap((g) => g.paths.map((p) => files[p]));
        const all = new Uint8Array(bytes.reduce((s, b) => s + b.length, 0));
        bytes.reduce((o, b) => (all.set(b, o), o + b.length), 0);
        return [specs, all.buffer];
      }),
  });
}

function predictTf(m: tf.LayersModel, x: number[][]): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
}

/** Save a TF.js model to in-memory files, as model.save('file://…') lays them out. */
async function saveTf(m: tf.LayersModel): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> = {};
  await m.save(tf.io.withSaveHandler(async (a) => {
    const json = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
    files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': new Uint8Array(a.weightData as ArrayBuffer) };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return files;
}

for (const c of cases()) {
  test(`TF.js ${c.name}: tf.loadLayersModel and the re-imported model answer as mlpkit within ${TOL} relative`, async (t) => {
    const files = toTFJS(c.model);
    assert.deepEqual(Object.keys(files), ['model.json', 'group1-shard1of1.bin']);
    const m = await load(files);
    const got = predictTf(m, c.x);
    m.dispose();
    // a binary model answers p = P(classes[1]), one column, as Keras's Dense(1, "sigmoid")
    const want = c.expected[0].length === 2 && got.length === c.x.length ? c.expected.map((r) => [r[1]]) : c.expected;
    const e1 = maxRel(got, want);
    assert.ok(e1 <= TOL, `TF.js: max relative difference ${e1}`);
    const back = fromTFJS(files);
    const mine = back.task === 'classification' ? back.predictProba(c.x).flat() : (back.predict(c.x) as number[]);
    const e2 = maxRel(mine, c.expected);
    assert.ok(e2 <= TOL, `re-imported: max relative difference ${e2}`);
    t.diagnostic(`max relative difference: TF.js ${e1.toExponential(2)}, re-imported ${e2.toExponential(2)}`);
    const d0 = toJSON(c.model);
    const d1 = toJSON(back);
    assert.deepEqual([d1.task, d1.preprocessing.classes, d1.featureNames, d1.targetName], [d0.task, d0.preprocessing.classes, d0.featureNames, d0.targetName]);
    assert.deepEqual(toTFJS(back), files, 'export → import → export is bit-exact');
  });
}

test('TF.js: a model without scaling keeps its weights bit for bit (leakyRelu as a LeakyReLU layer)', () => {
  const { x, y } = datasets.iris();
  const m = new MLP({ hidden: [6, 4], activation: 'leakyRelu', alpha: 0.125, scaleInputs: 'none', seed: 6 });
  m.fit(x, y, { epochs: 5 });
  const files = toTFJS(m);
  assert.match(new TextDecoder().decode(files['model.json']), /"class_name":"LeakyReLU"/);
  const back = fromTFJS(files);
  assert.deepEqual(weightsOf(back), weightsOf(m));
  assert.deepEqual(toJSON(back).layers, toJSON(m).layers);
});

test('TF.js import: a Sequential saved by TF.js itself (Dense, Activation, LeakyReLU, Dropout) gives TF.js\'s answers', async () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 7, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'ones' }));
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tf.layers.leakyReLU({ alpha: 0.25 }));
  m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tf.layers.activation({ activation: 'softmax' }));
  const files = await saveTf(m);
  const x = datasets.iris().x.slice(0, 30);
  const want = predictTf(m, x);
  m.dispose();
  const back = fromTFJS(files, { classes: ['a', 'b', 'c'] });
  const e = maxRel(want, back.predictProba(x));
  assert.ok(e <= TOL, `max relative difference ${e}`);
  assert.deepEqual(toJSON(back).preprocessing.classes, ['a', 'b', 'c']);
});

test('TF.js import: a Keras model as tensorflowjs_converter writes it (model_config, InputLayer, weights by name) gives TF.js\'s answers', async () => {
  const dense = (name: string, units: number, activation: string) => ({ class_name: 'Dense', config: { name, trainable: true, dtype: 'float32', units, activation, use_bias: true } });
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, name: 'dense_input' } }, dense('dense', 4, 'tanh'), dense('dense_1', 2, 'softmax')] } },
      training_config: { loss: 'categorical_crossentropy' },
    },
    // names as the converter writes them (layer/kernel, layer/bias), here in an order that puts biases first
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
      { name: 'dense/bias', shape: [4], dtype: 'float32' },
      { name: 'dense/kernel', shape: [3, 4], dtype: 'float32' },
      { name: 'dense_1/bias', shape: [2], dtype: 'float32' },
      { name: 'dense_1/kernel', shape: [4, 2], dtype: 'float32' },
    ] }],
  };
  const values = Float32Array.from({ length: 4 + 12 + 2 + 8 }, (_, i) => Math.sin(i + 1) * 0.7);
  const files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'group1-shard1of1.bin': new Uint8Array(values.buffer) };
  const m = await load(files);
  const x = [[1, 2, 3], [-1, 0.5, 0], [0.25, -2, 1]];
  const want = predictTf(m, x);
  m.dispose();
  const back = fromTFJS(files);
  const e = maxRel(want, back.predictProba(x));
  assert.ok(e <= TOL, `max relative difference ${e}`);
  assert.deepEqual(toJSON(back, { weights: 'nested' }).weights.layers[0].b, Array.from(values.subarray(0, 4)), 'biases matched by name, not by order');
});

function refuses(files: Record<string, Uint8Array | string>, code: string, fields: Record<string, string>, message: RegExp) {
  assert.throws(() => fromTFJS(files), (e: unknown) => {
    assert.ok(e instanceof InteropError, `an InteropError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.format, 'tfjs');
    for (const [k, v] of Object.entries(fields)) assert.equal((e as unknown as Record<string, unknown>)[k], v, `field ${k}`);
    assert.match(e.message, message);
    return true;
  });
}

test('TF.js import refuses a Conv layer, a residual Add, an unknown activation, truncated and oversized weights', async () => {
  const files = toTFJS(cases()[0].model);
  const json = JSON.parse(new TextDecoder().decode(files['model.json']));
  const withJson = (edit: (j: any) => void) => {
    const j = structuredClone(json);
    edit(j);
    return { ...files, 'model.json': JSON.stringify(j) };
  };
  refuses(withJson((j) => j.modelTopology.config.layers.splice(1, 0, { class_name: 'Conv2D', config: { name: 'conv', filters: 4, kernel_size: [3, 3] } })), 'E_UNSUPPORTED', { layer: 'conv', op: 'Conv2D' }, /"conv" is a Conv2D/);
  refuses(withJson((j) => (j.modelTopology.config.layers[1].config.activation = 'selu')), 'E_UNSUPPORTED', { layer: 'dense_1', op: 'selu' }, /activation "selu"/);
  const bin = files['group1-shard1of1.bin'];
  refuses({ ...files, 'group1-shard1of1.bin': bin.subarray(0, bin.length - 4) }, 'E_TRUNCATED', {}, /truncated/);
  const longer = new Uint8Array(bin.length + 8);
  longer.set(bin);
  refuses({ ...files, 'group1-shard1of1.bin': longer }, 'E_TOO_LARGE', {}, /hold \d+ bytes, the manifest needs/);
  refuses(withJson((j) => (j.weightsManifest[0].weights[0].shape = [4000000, 8000000])), 'E_TOO_LARGE', { tensor: 'dense_0/kernel' }, /larger than the import limit/);
  refuses({ 'model.json': files['model.json'] }, 'E_FORMAT', {}, /"group1-shard1of1\.bin" named in model\.json is missing/);

  // a functional model with a skip connection, as TF.js saves it
  const input = tf.input({ shape: [4] });
  const h1 = tf.layers.dense({ units: 4, activation: 'relu', name: 'h1' }).apply(input) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 4, activation: 'relu', name: 'h2' }).apply(h1) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'skip' }).apply([h1, h2]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(sum) as tf.SymbolicTensor;
  const resnet = tf.model({ inputs: input, outputs: out });
  const saved = await saveTf(resnet);
  resnet.dispose();
  refuses(saved, 'E_UNSUPPORTED', { layer: 'skip', op: 'Add' }, /residual Add/);
});
