// Learning on real data with fixed seeds and stated thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, datasets, trainTestSplit } from '../../src/index.ts';

test('XOR: 2-4-1 sigmoid net, per-sample SGD and the L2 loss as in the lecture, reaches 100%', () => {
  const { x, y } = datasets.xorTable();
  const model = new MLP({ task: 'classification', hidden: [4], activation: 'sigmoid', outputActivation: 'sigmoid', loss: 'sse', scaleInputs: 'none', seed: 1, init: 'glorotUniform' }); // init pinned: Glorot weights, as written
  const h = model.fit(x, y, { epochs: 2000, batchSize: 1, optimizer: 'sgd', learningRate: 0.5, shuffle: true });
  assert.deepEqual(model.predict(x), [0, 1, 1, 0]);
  assert.ok(h.epochs.at(-1)!.loss < 0.05 * h.epochs[0].loss, `loss ${h.epochs[0].loss} → ${h.epochs.at(-1)!.loss}`);
});

test('two spirals: ≥ 98% train accuracy', () => {
  const { x, y } = datasets.spirals({ n: 400, noise: 0.05, seed: 1 });
  const model = new MLP({ hidden: [32, 32], activation: 'tanh', seed: 1 });
  model.fit(x, y, { epochs: 300, learningRate: 0.01, batchSize: 32 });
  const acc = model.score(x, y);
  assert.ok(acc >= 0.98, `train accuracy ${acc} < 0.98`);
});

test('iris: ≥ 95% test accuracy (70/30 stratified split)', () => {
  const { x, y } = datasets.iris();
  const { train, test: held } = trainTestSplit(x, y, { testSize: 0.3, seed: 0, stratify: true });
  const model = new MLP({ hidden: [16], seed: 0 });
  model.fit(train.x, train.y, { epochs: 200, learningRate: 0.01 });
  const acc = model.score(held.x, held.y);
  assert.ok(acc >= 0.95, `test accuracy ${acc} < 0.95`);
});

test('digits: ≥ 96% test accuracy (75/25 stratified split)', () => {
  const { x, y } = datasets.digits();
  const { train, test: held } = trainTestSplit(x, y, { testSize: 0.25, seed: 0, stratify: true });
  const model = new MLP({ hidden: [64], seed: 0 });
  model.fit(train.x, train.y, { epochs: 30, learningRate: 0.003 });
  const acc = model.score(held.x, held.y);
  assert.ok(acc >= 0.96, `test accuracy ${acc} < 0.96`);
});

test('regression: a smooth function is fitted with R² ≥ 0.98, in the user\'s units', () => {
  const xs = Array.from({ length: 400 }, (_, i) => [(i / 400) * 6 - 3, Math.cos(i)]);
  const ys = xs.map(([a, b]) => 100 + 20 * Math.sin(a) + 5 * b); // outputs far outside 0..1
  const model = new MLP({ hidden: [32], activation: 'tanh', seed: 2 });
  model.fit(xs, ys, { epochs: 200, learningRate: 0.01 });
  const ev = model.evaluate(xs, ys);
  assert.equal(ev.task, 'regression');
  if (ev.task === 'regression') assert.ok(ev.r2 >= 0.98, `R² ${ev.r2}`);
  const p = model.predict([[0, 1]]) as number[];
  assert.ok(Math.abs(p[0] - 105) < 3, `predict(0, 1) = ${p[0]}, expected about 105`);
});
