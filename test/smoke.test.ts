import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, datasets, trainTestSplit } from '../src/index.ts';

test('iris: the README example trains and predicts labels', () => {
  const { x, y } = datasets.iris();
  const { train, test: held } = trainTestSplit(x, y, { testSize: 0.2, seed: 1, stratify: true });
  const model = new MLP({ hidden: [16], seed: 1 });
  model.fit(train.x, train.y, { epochs: 100, learningRate: 0.01 });
  const ev = model.evaluate(held.x, held.y);
  assert.equal(ev.task, 'classification');
  assert.ok(ev.accuracy >= 0.9, `accuracy ${ev.accuracy} < 0.9`);
  const pred = model.predict(held.x.slice(0, 3));
  assert.equal(pred.length, 3);
});
