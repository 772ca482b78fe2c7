// Determinism and the model file: same seed → identical weights; save → load → identical
// predictions and identical continued training; every field of a bad document is rejected by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLP, datasets, toJSON, fromJSON, toBytes, fromBytes, SerializationError } from '../../src/index.ts';
import { saveModel, loadModel } from '../../src/node.ts';

const { x, y } = datasets.iris();
const opts = { epochs: 5, learningRate: 0.01, validationSplit: 0.2 };

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

test('same seed twice → bit-identical weights and history', () => {
  const a = new MLP({ hidden: [8], seed: 3 });
  const b = new MLP({ hidden: [8], seed: 3 });
  const ha = a.fit(x, y, opts);
  const hb = b.fit(x, y, opts);
  assert.ok(sameBits(a.parameters(), b.parameters()));
  assert.deepEqual(ha.epochs.map((e) => e.loss), hb.epochs.map((e) => e.loss));
  const c = new MLP({ hidden: [8], seed: 4 });
  c.fit(x, y, opts);
  assert.ok(!sameBits(a.parameters(), c.parameters()), 'another seed must give other weights');
});

for (const dtype of ['float32', 'float64'] as const) {
  for (const form of ['base64', 'nested', 'bytes'] as const) {
    test(`save → load (${dtype}, ${form}) → identical predictions and identical continued training`, () => {
      const a = new MLP({ hidden: [8, 4], activation: 'elu', seed: 5, dtype, optimizer: 'adam' });
      a.fit(x, y, opts);
      const b = form === 'bytes' ? fromBytes(toBytes(a)) : fromJSON(JSON.stringify(toJSON(a, { weights: form })));
      assert.ok(sameBits(a.parameters(), b.parameters()));
      assert.deepEqual(b.predictProba(x), a.predictProba(x));
      assert.deepEqual(b.predict(x), a.predict(x));
      a.fit(x, y, opts);
      b.fit(x, y, opts);
      assert.ok(sameBits(a.parameters(), b.parameters()), 'continued training diverged after load');
      assert.equal(b.epochsTrained, 10);
    });
  }
}

test('string labels, regression targets and metadata travel with the model', () => {
  const labels = y.map((c) => ['setosa', 'versicolor', 'virginica'][c]);
  const clf = new MLP({ hidden: [8], seed: 1 });
  clf.fit(x, labels, { epochs: 30, learningRate: 0.01 });
  clf.metadata = { columns: ['a', 'b', 'c', 'd'] };
  clf.featureNames = ['sl', 'sw', 'pl', 'pw'];
  clf.targetName = 'species';
  const back = fromJSON(toJSON(clf));
  assert.deepEqual(back.featureNames, ['sl', 'sw', 'pl', 'pw']);
  assert.equal(back.targetName, 'species');
  assert.deepEqual(back.predict(x.slice(0, 5)), clf.predict(x.slice(0, 5)));
  assert.deepEqual(back.metadata, { columns: ['a', 'b', 'c', 'd'] });
  assert.deepEqual(back.preprocessing!.classes, ['setosa', 'versicolor', 'virginica']);
  const reg = new MLP({ hidden: [8], seed: 1, task: 'regression' });
  const ty = x.map((r) => 1000 * r[0]);
  reg.fit(x, ty, { epochs: 3 });
  assert.deepEqual(fromJSON(toJSON(reg)).predict(x.slice(0, 3)), reg.predict(x.slice(0, 3)));
});

test('saveModel writes atomically (no temp file left) and loadModel reads both forms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-'));
  const m = new MLP({ hidden: [4], seed: 1 });
  m.fit(x, y, { epochs: 2 });
  saveModel(m, join(dir, 'model.json'));
  saveModel(m, join(dir, 'model.mlpk'));
  saveModel(m, join(dir, 'model.json')); // overwrite in place
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'model.mlpk']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).format, 'mlpkit-model');
  assert.deepEqual(loadModel(join(dir, 'model.mlpk')).predict(x), m.predict(x));
  assert.deepEqual(loadModel(join(dir, 'model.json')).predict(x), m.predict(x));
});

test('hand-written nested weights load: W as [nOut][nIn], b as [nOut]', () => {
  const doc = {
    format: 'mlpkit-model', version: 1, task: 'regression', inputs: 2, loss: 'mse', dtype: 'float64',
    layers: [{ units: 1, activation: 'identity' }],
    preprocessing: { inputs: { method: 'none', shift: [0, 0], scale: [1, 1] }, targets: { method: 'none', shift: [0], scale: [1] } },
    weights: { encoding: 'nested', layers: [{ W: [[2, -1]], b: [0.5] }] },
  };
  const m = fromJSON(doc);
  assert.deepEqual(m.predict([[1, 1], [3, 2]]), [1.5, 4.5]); // 2·x1 − x2 + 0.5
});

// Every field is checked; the message names the field, what was expected and what was received.
const good = () => {
  const m = new MLP({ hidden: [3], seed: 1 });
  m.fit(x, y, { epochs: 1 });
  return toJSON(m, { weights: 'nested' }) as unknown as Record<string, any>;
};
const bad: [string, (d: Record<string, any>) => void, RegExp, string][] = [
  ['another program', (d) => (d.format = 'keras'), /field "format": expected "mlpkit-model", received "keras"/, 'E_FORMAT'],
  ['a newer version', (d) => (d.version = 3), /field "version": expected 1 or 2, received 3; upgrade mlpkit/, 'E_VERSION'],
  ['unknown activation', (d) => (d.layers[0].activation = 'swish'), /field "layers\[0\]\.activation": expected one of .*received "swish"/, 'E_FORMAT'],
  ['wrong W shape', (d) => d.weights.layers[0].W.pop(), /field "weights\.layers\[0\]\.W": expected shape \[3, 4\].*received 2 rows/, 'E_FORMAT'],
  ['short W row', (d) => d.weights.layers[0].W[1].pop(), /field "weights\.layers\[0\]\.W\[1\]": expected 4 values.*received 3/, 'E_FORMAT'],
  ['non-finite weight', (d) => (d.weights.layers[1].b[0] = null), /field "weights\.layers\[1\]\.b\[0\]": expected a finite number, received null/, 'E_FORMAT'],
  ['string weight', (d) => (d.weights.layers[0].W[0][0] = '1'), /W\[0\]\[0\]": expected a finite number, received "1"/, 'E_FORMAT'],
  ['loss/output mismatch', (d) => (d.loss = 'bce'), /fields "loss" and "layers".*sigmoid/, 'E_FORMAT'],
  ['missing classes', (d) => delete d.preprocessing.classes, /field "preprocessing\.classes": expected an array, received undefined/, 'E_FORMAT'],
  ['scaler length', (d) => d.preprocessing.inputs.shift.pop(), /field "preprocessing\.inputs": expected 4 shift and scale values, received 3 and 4/, 'E_FORMAT'],
  ['wrong featureNames count', (d) => (d.featureNames = ['a', 'b']), /field "featureNames": expected 4 names \(one per input\), received 2/, 'E_FORMAT'],
  ['bad rng state', (d) => (d.training.rng = [0, 0, 0, 0]), /field "training\.rng"/, 'E_FORMAT'],
  ['truncated base64', (d) => { d.weights.encoding = 'base64'; d.weights.layers[0].W = 'AAAA'; }, /field "weights\.layers\[0\]\.W": expected 12 float32 values.*received 3 bytes/, 'E_FORMAT'],
];
for (const [name, mutate, message, code] of bad) {
  test(`fromJSON rejects ${name}`, () => {
    const d = good();
    mutate(d);
    assert.throws(() => fromJSON(d), (e: unknown) => e instanceof SerializationError && e.code === code && message.test(e.message));
  });
}

test('fromJSON rejects text that is not JSON, and fromBytes a truncated file', () => {
  assert.throws(() => fromJSON('{"format": '), (e: unknown) => e instanceof SerializationError && /not JSON/.test((e as Error).message));
  const m = new MLP({ hidden: [3], seed: 1 });
  m.fit(x, y, { epochs: 1 });
  const bytes = toBytes(m);
  assert.throws(() => fromBytes(bytes.subarray(0, bytes.length - 10)), /truncated/);
  assert.throws(() => fromBytes(new TextEncoder().encode('{"format":1}')), /not an mlpkit binary model/);
});

test('training split over several fit calls equals one call: validation split, step and cosine schedules', () => {
  for (const schedule of [{ type: 'step', stepSize: 2, gamma: 0.5 }, { type: 'cosine', warmup: 1, epochs: 6 }] as const) {
    const o = { learningRate: 0.02, validationSplit: 0.2, schedule };
    const one = new MLP({ hidden: [6], seed: 9 });
    const h1 = one.fit(x, y, { ...o, epochs: 6 });
    const two = new MLP({ hidden: [6], seed: 9 });
    const ha = two.fit(x, y, { ...o, epochs: 2 });
    const resumed = fromJSON(JSON.stringify(toJSON(two)));
    const hb = resumed.fit(x, y, { ...o, epochs: 4 });
    assert.deepEqual([...ha.epochs, ...hb.epochs].map((e) => e.lr), h1.epochs.map((e) => e.lr));
    assert.deepEqual([...ha.epochs, ...hb.epochs].map((e) => e.valLoss), h1.epochs.map((e) => e.valLoss));
    assert.ok(sameBits(one.parameters(), resumed.parameters()), `${schedule.type}: continued training differs from one run`);
  }
});
