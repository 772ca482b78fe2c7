// Training that goes wrong (issue 13, items 15-16): a diverged model keeps weights whose forward
// pass is finite, no label or number is ever computed from a NaN output, and a second training
// call on a model that is already training is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DataError, DivergenceError, MLP, datasets, fromJSON, toJSON } from '../../src/index.ts';

const { x, y } = datasets.iris();

test('item 15: after a DivergenceError (SGD at lr 100) the kept weights give finite probabilities on the training rows', () => {
  let diverged = 0;
  for (let seed = 0; seed < 6; seed++) {
    for (const batchSize of [1, 32]) {
      const m = new MLP({ hidden: [16], seed, optimizer: 'sgd' });
      assert.throws(() => m.fit(x, y, { epochs: 30, learningRate: 100, batchSize }), (e: unknown) => e instanceof DivergenceError);
      diverged++;
      const p = m.predictProba(x);
      for (const row of p) for (const v of row) assert.ok(Number.isFinite(v), `seed ${seed}, batch ${batchSize}: probability ${v}`);
      assert.equal(m.predict(x).length, x.length);
    }
  }
  assert.equal(diverged, 12);
});

test('item 15: a NaN output is an error naming the row, never a label or a number', () => {
  const m = new MLP({ hidden: [4], seed: 0, dtype: 'float64' });
  m.fit(x, y, { epochs: 2 });
  const d = toJSON(m, { weights: 'nested' }) as unknown as { weights: { layers: { W: number[][] }[] } };
  // finite weights whose products overflow: ±Infinity − Infinity in the next layer is NaN
  d.weights.layers[0].W = d.weights.layers[0].W.map((r) => r.map(() => 1e300));
  d.weights.layers[1].W = d.weights.layers[1].W.map((r) => r.map((_, j) => (j % 2 ? 1e300 : -1e300)));
  const bad = fromJSON(d);
  for (const call of [() => bad.predict(x), () => bad.predictProba(x), () => bad.evaluate(x, y)]) {
    assert.throws(call, (e: unknown) => e instanceof DataError && e.code === 'E_NONFINITE' && typeof e.row === 'number' && new RegExp(`output for row ${e.row} is NaN`).test(e.message));
  }
  const reg = new MLP({ hidden: [4], seed: 0 });
  const yr = x.map((r) => r[0] + r[1]);
  reg.fit(x, yr, { epochs: 2 });
  assert.throws(() => reg.predict([[1e300, 1, 1, 1]]), (e: unknown) => e instanceof DataError && e.code === 'E_NONFINITE');
});

test('item 16: a second fitAsync (or fit, or trainer) while fitAsync runs is refused with E_BUSY; the first ends right', async () => {
  const m = new MLP({ hidden: [8], seed: 0 });
  const first = m.fitAsync(x, y, { epochs: 30, batchSize: 1 });
  await assert.rejects(m.fitAsync(x, y, { epochs: 5 }), (e: unknown) => e instanceof ConfigError && e.code === 'E_BUSY' && /already training \(fitAsync has not finished\)/.test(e.message));
  assert.throws(() => m.fit(x, y, { epochs: 1 }), (e: unknown) => e instanceof ConfigError && e.code === 'E_BUSY');
  assert.throws(() => m.trainer(x, y), (e: unknown) => e instanceof ConfigError && e.code === 'E_BUSY');
  const h = await first;
  assert.equal(h.epochs.length, 30);
  assert.deepEqual(h.epochs.map((e) => e.epoch), Array.from({ length: 30 }, (_, i) => i + 1), 'one history, in order');
  assert.equal(m.epochsTrained, 30);
  // once it has finished, training again is fine, and a failed fit frees the model too
  await m.fitAsync(x, y, { epochs: 1 });
  assert.equal(m.epochsTrained, 31);
  assert.throws(() => m.fit(x, y, { epochs: 0 }), (e: unknown) => e instanceof ConfigError && e.code === 'E_CONFIG');
  m.fit(x, y, { epochs: 1 });
  assert.equal(m.epochsTrained, 32);
});
