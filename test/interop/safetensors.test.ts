// safetensors (the PyTorch route, without Python): the file's layout is what safetensors.torch
// expects, the import answers as mlpkit on raw rows, round trips keep the weights bit for bit,
// and damaged or foreign files are refused with a coded error naming the tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, datasets, toJSON } from '../../src/index.ts';
import { toSafetensors, fromSafetensors, toPyTorch, InteropError } from '../../src/interop.ts';
import { cases, maxRel, weightsOf, TOL } from './models.ts';

function header(bytes: Uint8Array): { n: number; json: Record<string, any> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

/** Rebuild a file from a header object and the original data bytes (for the refusal tests). */
function withHeader(json: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('safetensors layout: nn.Sequential names, F32, [out, in] weights, 8-aligned data, metadata', () => {
  const bytes = toSafetensors(cases()[0].model);
  const { n, json } = header(bytes);
  assert.equal(n % 8, 0, 'header padded to a multiple of 8');
  assert.deepEqual(Object.keys(json), ['__metadata__', '0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  assert.deepEqual(json['0.weight'], { dtype: 'F32', shape: [8, 4], data_offsets: [0, 128] });
  assert.deepEqual(json['4.bias'].shape, [3]);
  assert.equal(json.__metadata__.format, 'pt');
  const meta = JSON.parse(json.__metadata__.mlpkit);
  assert.deepEqual(meta.layers.map((l: { activation: string }) => l.activation), ['tanh', 'tanh', 'softmax']);
  assert.deepEqual(meta.classes, ['setosa', 'versicolor', 'virginica']);
  assert.equal(bytes.length, 8 + n + json['4.bias'].data_offsets[1]);
});

for (const c of cases()) {
  test(`safetensors ${c.name}: the import answers as mlpkit within ${TOL} relative; export → import → export is bit-exact`, (t) => {
    const bytes = toSafetensors(c.model);
    const back = fromSafetensors(bytes);
    const got = back.task === 'classification' ? back.predictProba(c.x).flat() : (back.predict(c.x) as number[]);
    const e = maxRel(got, c.expected);
    assert.ok(e <= TOL, `max relative difference ${e}`);
    t.diagnostic(`max relative difference ${e.toExponential(2)}`);
    assert.deepEqual(toSafetensors(back), bytes);
    const d0 = toJSON(c.model);
    const d1 = toJSON(back);
    assert.deepEqual([d1.task, d1.preprocessing.classes, d1.featureNames, d1.targetName], [d0.task, d0.preprocessing.classes, d0.featureNames, d0.targetName]);
  });
}

test('safetensors: a model without scaling keeps its float32 weights bit for bit; the architecture can be given instead of the metadata', () => {
  const { x, y } = datasets.iris();
  const m = new MLP({ hidden: [5], activation: 'gelu', scaleInputs: 'none', seed: 5 });
  m.fit(x, y, { epochs: 5 });
  const bytes = toSafetensors(m);
  assert.deepEqual(weightsOf(fromSafetensors(bytes)), weightsOf(m));
  // a file saved without mlpkit's metadata (as safetensors.torch.save_file writes by default)
  const { n, json } = header(bytes);
  delete json.__metadata__;
  const bare = withHeader(json, bytes.subarray(8 + n));
  assert.throws(() => fromSafetensors(bare), (e: unknown) => e instanceof InteropError && e.code === 'E_UNSUPPORTED' && /architecture/.test(e.message));
  const m2 = fromSafetensors(bare, { architecture: { activations: ['gelu', 'softmax'] }, classes: [0, 1, 2] });
  assert.deepEqual(weightsOf(m2), weightsOf(m));
  assert.deepEqual(m2.predict(x), m.predict(x));
});

test('toPyTorch: the weights and a Python file that builds the same nn.Sequential', () => {
  const files = toPyTorch(cases()[2].model, { name: 'petals' });
  assert.deepEqual(Object.keys(files).sort(), ['petals.py', 'petals.safetensors']);
  const py = new TextDecoder().decode(files['petals.py']);
  assert.match(py, /nn\.Linear\(3, 6\),\n\s+nn\.ELU\(1\.0\),\n\s+nn\.Linear\(6, 1\),\n\s+nn\.Identity\(\),/);
  assert.match(py, /from safetensors\.torch import load_file, save_file/);
  assert.deepEqual(files['petals.safetensors'], toSafetensors(cases()[2].model));
});

function refuses(bytes: Uint8Array, code: string, fields: Record<string, string>, message: RegExp) {
  assert.throws(() => fromSafetensors(bytes), (e: unknown) => {
    assert.ok(e instanceof InteropError, `an InteropError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.format, 'safetensors');
    for (const [k, v] of Object.entries(fields)) assert.equal((e as unknown as Record<string, unknown>)[k], v, `field ${k}`);
    assert.match(e.message, message);
    return true;
  });
}

test('safetensors import refuses damaged, oversized and foreign files, naming the tensor', () => {
  const bytes = toSafetensors(cases()[0].model);
  const { n, json } = header(bytes);
  const data = bytes.subarray(8 + n);
  refuses(bytes.subarray(0, 5), 'E_TRUNCATED', {}, /fewer than the 8/);
  refuses(bytes.subarray(0, 8 + n - 3), 'E_TRUNCATED', {}, /header says \d+ bytes/);
  refuses(bytes.subarray(0, bytes.length - 4), 'E_TRUNCATED', { tensor: '4.bias' }, /truncated/);
  const big = bytes.slice();
  new DataView(big.buffer).setUint32(4, 1, true); // header length ≥ 4 GiB
  refuses(big, 'E_TOO_LARGE', {}, /over the limit/);
  const trailing = new Uint8Array(bytes.length + 16);
  trailing.set(bytes);
  refuses(trailing, 'E_TOO_LARGE', {}, /16 bytes after its last tensor/);
  // a shape that claims more than its bytes
  refuses(withHeader({ ...json, '0.weight': { ...json['0.weight'], shape: [8, 40000] } }, data), 'E_FORMAT', { tensor: '0.weight' }, /needs 1280000 bytes/);
  // BatchNorm between the layers, half precision, a residual-style mismatch in widths
  refuses(withHeader({ ...json, '1.running_mean': { dtype: 'F32', shape: [0], data_offsets: [data.length, data.length] } }, data), 'E_UNSUPPORTED', { tensor: '1.running_mean' }, /not the weight or bias of a Linear layer/);
  refuses(withHeader({ ...json, '0.weight': { ...json['0.weight'], dtype: 'F16' } }, data), 'E_UNSUPPORTED', { tensor: '0.weight' }, /dtype "F16"/);
  refuses(withHeader({ ...json, '2.weight': { ...json['2.weight'], shape: [8, 6] } }, data), 'E_UNSUPPORTED', { tensor: '2.weight' }, /takes 6 inputs, the layer before gives 8/);
  // an activation mlpkit lacks (given as the architecture)
  assert.throws(() => fromSafetensors(bytes, { architecture: { activations: ['tanh', 'selu' as never, 'softmax'] } }), (e: unknown) => e instanceof InteropError && e.code === 'E_UNSUPPORTED' && e.layer === '1' && e.op === 'selu');
});
