// Whoever allocates a backend buffer releases it: thousands of evaluate / predict / gradients
// calls leave the WebAssembly heap where they found it, and dispose() gives a model's memory back.
// Measured as the bump allocator's top (wasmInfo().heapTop): memory handed out and never returned
// moves it up; released blocks are reused below it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, datasets, gradCheck, gradients, jacobian, trace } from '../../src/index.ts';
import { wasmInfo } from '../../src/lowlevel.ts';

const MB = 1 << 20;

function heapTop(): number {
  const info = wasmInfo();
  assert.ok(info, 'the WebAssembly backend must be running for this test');
  return info.heapTop;
}

test('5,000 evaluate + predict + gradients calls on a trained digits model grow the WebAssembly heap by < 1 MB', () => {
  const { x, y } = datasets.digits();
  const model = new MLP({ hidden: [64], seed: 0 });
  model.fit(x, y, { epochs: 2 });
  assert.match(model.backendName, /^wasm/, 'the test is about backend memory: it needs a wasm backend');
  const rows = x.slice(0, 16);
  const labels = y.slice(0, 16);
  // warm-up: the first calls size the reusable buffers (the inference input buffer, workspace)
  for (let i = 0; i < 10; i++) {
    model.evaluate(rows, labels);
    model.predict(rows);
  }
  gradients(model, rows, labels);
  const before = heapTop();
  for (let i = 0; i < 5000; i++) {
    model.evaluate(rows, labels);
    model.predict(rows);
    gradients(model, rows, labels);
  }
  // the chain-rule tools take the same path: a few of each
  for (let i = 0; i < 50; i++) {
    trace(model, x[i], y[i]);
    jacobian(model, x[i], { float64: false });
    gradCheck(model, [x[i]], [y[i]], { maxPerTensor: 2 });
  }
  const grown = heapTop() - before;
  assert.ok(grown < MB, `the heap grew by ${(grown / MB).toFixed(2)} MB over 5,000 rounds`);
  // the whole data set once more: a larger batch takes larger buffers once, then reuses them
  model.evaluate(x, y);
  const afterBig = heapTop();
  for (let i = 0; i < 20; i++) model.evaluate(x, y);
  assert.ok(heapTop() - afterBig < MB, 'repeated full-data evaluation must reuse its buffers');
  model.dispose();
});

test('dispose() returns a model\'s memory: 100 models trained and disposed in turn grow the heap by < 1 MB', () => {
  const { x, y } = datasets.digits();
  const make = () => {
    const m = new MLP({ hidden: [64], seed: 1 });
    m.fit(x.slice(0, 200), y.slice(0, 200), { epochs: 1, optimizer: 'adam' });
    return m;
  };
  make().dispose(); // sizes every block once
  const before = heapTop();
  for (let i = 0; i < 100; i++) {
    const m = make();
    m.predict(x.slice(0, 5));
    m.dispose();
  }
  const grown = heapTop() - before;
  assert.ok(grown < MB, `the heap grew by ${(grown / MB).toFixed(2)} MB over 100 models`);
  const m = make();
  m.dispose();
  assert.equal(m.fitted, false);
  assert.throws(() => m.predict(x.slice(0, 1)), { code: 'E_NOT_FITTED' });
});

test('fit trains on float32 rows that need no scaling in place: no copy in backend memory, the same weights as from a copy, the caller\'s rows untouched', () => {
  const { x, y } = datasets.digits();
  const d = x[0].length; // 64 inputs, pixels 0 … 16
  const n = 1000;
  const flat = Float32Array.from(x.slice(0, n).flat());
  const labels = y.slice(0, n);
  const make = () => new MLP({ hidden: [32], scaleInputs: 'none', batchSize: 32, seed: 4 });
  // sizes the workspace blocks once (on fewer rows: a copy of these would be a block of another size)
  make().fit({ data: flat.subarray(0, (n - 100) * d), shape: [n - 100, d] }, labels.slice(0, n - 100), { epochs: 1 });
  const copy = flat.slice();
  const before = heapTop();
  const a = make();
  a.fit({ data: flat, shape: [n, d] }, labels, { epochs: 2 });
  const grown = heapTop() - before;
  assert.ok(grown < (n * d * 4) / 2, `fit grew the heap by ${grown} bytes: the ${n * d * 4} bytes of rows were copied`);
  assert.deepEqual(flat, copy, 'fit changed the caller\'s rows');
  // a float64 copy of the same values takes the copying path: the same training, bit for bit
  const b = make();
  b.fit({ data: Float64Array.from(flat), shape: [n, d] }, labels, { epochs: 2 });
  assert.deepEqual(a.parameters(), b.parameters());
  // with a validation split the rows are gathered by index: copied, same as before
  const c = make();
  const top = heapTop();
  c.fit({ data: flat, shape: [n, d] }, labels, { epochs: 1, validationSplit: 0.2 });
  assert.ok(heapTop() - top >= 0.8 * n * d * 4 * 0.9, 'expected the training rows of a split to be copied');
  for (const m of [a, b, c]) m.dispose();
});
