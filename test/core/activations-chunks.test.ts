// model.activations over more rows than one chunk, on a network trained at a batch larger than the
// default chunk (so its chunks are larger too): every row's h equals predictProba's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, datasets } from '../../src/index.ts';

test('activations() matches predictProba row for row when the network was trained at batch 1,500', () => {
  const { x, y } = datasets.digits();
  const m = new MLP({ hidden: [16], seed: 3 });
  m.fit(x, y, { epochs: 2, batchSize: 1500 });
  const acts = m.activations(x);
  const out = acts[acts.length - 1];
  const p = m.predictProba(x);
  assert.equal(out.h.length, x.length * 10);
  for (const i of [0, 1023, 1024, 1499, 1500, x.length - 1]) {
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(out.h[i * 10 + k] - p[i][k]) <= 1e-7, `row ${i}, class ${k}`);
  }
  m.dispose();
});
