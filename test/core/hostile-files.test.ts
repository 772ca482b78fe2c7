// Hostile model files (issue 13, items 1-9): every one refused with a coded SerializationError
// before anything is allocated from what it declares, or loaded correctly; never another exception.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLP, SerializationError, fromBytes, fromJSON, toBytes, toJSON } from '../../src/index.ts';
import { loadModel } from '../../src/node.ts';

const x = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2], [0.1, 0.9]];
const y = [0, 1, 1, 0, 1, 0];

function trained(optimizer: 'adam' | 'sgd' = 'adam'): MLP {
  const m = new MLP({ hidden: [3], seed: 1, optimizer, ...(optimizer === 'sgd' ? { schedule: { type: 'plateau' } } : {}) });
  m.fit(x, y, { epochs: 2 });
  return m;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
const doc = (weights: 'base64' | 'nested' = 'base64'): Doc => toJSON(trained(), { weights }) as unknown as Doc;

/** fromJSON(d) throws a SerializationError with this code and message. */
function refuses(d: unknown, code: string, message: RegExp): void {
  assert.throws(
    () => fromJSON(d),
    (e: unknown) => {
      assert.ok(e instanceof SerializationError, `expected a SerializationError, received ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('item 1: declared layer sizes are checked against the weights present before anything is allocated', () => {
  const d = doc();
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  d.layers = [{ units: 50000, activation: 'relu' }, { units: 50000, activation: 'relu' }, { units: 1, activation: 'sigmoid' }];
  d.weights.layers.push({ W: 'AAAA', b: 'AAAA' });
  refuses(d, 'E_FORMAT', /field "weights\.layers\[0\]\.W": expected 100000 float32 values.*received 24 bytes; the layer sizes and the weights disagree/);
  const big = doc();
  big.layers[0].units = 1e8;
  refuses(big, 'E_FORMAT', /weights\.layers\[0\]\.W": expected 200000000 float32 values/);
  const huge = doc();
  huge.inputs = 1e8;
  huge.layers[0].units = 1e8;
  refuses(huge, 'E_FORMAT', /weights\.layers\[0\]\.W": expected 10000000000000000 float32 values/); // a RangeError from the kernels before
  // the bound is generous: the point is gigabytes and seconds before, nothing now
  assert.ok(process.memoryUsage().rss - rss < 100e6, 'no more than 100 MB');
  assert.ok(performance.now() - t0 < 5000, 'milliseconds, not seconds');
});

test('item 2: base64 that atob cannot read, or of an impossible length, is a format error', () => {
  for (const W of ['A', 'AAAAA', 'AA=A', 'AAA*', '====']) {
    const d = doc();
    d.weights.layers[0].W = W;
    refuses(d, 'E_FORMAT', /field "weights\.layers\[0\]\.W": expected base64 text of 6 float32 values/);
  }
});

test('item 3: null where config wants an object, and an MLPK header that is null', () => {
  const m = trained();
  for (const key of ['optimizerOptions', 'schedule', 'earlyStopping', 'seed', 'epochs']) {
    const d = toJSON(m) as unknown as Doc;
    d.config[key] = null;
    refuses(d, 'E_FORMAT', new RegExp(`field "config\\.${key}": expected .*received null`));
  }
  const d = toJSON(m) as unknown as Doc;
  d.config.optimizerOptions = { beta1: 'x' };
  refuses(d, 'E_FORMAT', /config\.optimizerOptions\.beta1": expected a finite number/);
  d.config.optimizerOptions = {};
  d.config.schedule = { type: 'warp' };
  refuses(d, 'E_FORMAT', /config\.schedule": schedule: unknown type "warp"/);
  const header = new TextEncoder().encode('null');
  const bytes = new Uint8Array(16);
  bytes.set([0x4d, 0x4c, 0x50, 0x4b]);
  new DataView(bytes.buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  assert.throws(() => fromBytes(bytes), (e: unknown) => e instanceof SerializationError && e.code === 'E_FORMAT' && /header is null, expected a JSON object/.test(e.message));
});

test('item 4: a nested float32 weight outside the float32 range is refused, not stored as Infinity', () => {
  const d = doc('nested');
  d.weights.layers[0].W[0][0] = 1e300;
  refuses(d, 'E_NONFINITE', /W\[0\]\[0\]": 1e\+300 is outside the float32 range/);
  const ok = doc('nested');
  ok.weights.layers[0].W[0][0] = 3e38;
  const m = fromJSON(ok);
  assert.deepEqual(toJSON(fromJSON(toJSON(m))).weights, toJSON(m).weights, 'what loads survives its own round trip');
});

test('item 5: metadata nested 10,000 levels deep is refused on load', () => {
  const d = doc();
  let deep: Doc = {};
  for (let i = 0; i < 10000; i++) deep = { a: deep };
  d.metadata = deep;
  refuses(d, 'E_FORMAT', /field "metadata": expected JSON nested at most 100 levels deep/);
  const text = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
  const t = JSON.stringify(doc()).replace(/}$/, `,"metadata":${text}}`);
  refuses(t, 'E_FORMAT', /nested at most 100 levels/);
  const fine = doc();
  fine.metadata = { a: { b: { c: [1, { d: 2 }] } } };
  assert.deepEqual(toJSON(fromJSON(fine)).metadata, fine.metadata);
});

test('item 7: scalers that turn ordinary inputs into NaN, and a negative saved learning rate, are refused', () => {
  const d = doc();
  d.preprocessing.inputs.shift = [1e308, -1e308];
  refuses(d, 'E_FORMAT', /preprocessing\.inputs\.shift\[0\]": expected a shift of magnitude ≤ 1e300, received 1e\+308/);
  const s = doc();
  s.preprocessing.inputs.scale = [5e-324, 1];
  refuses(s, 'E_FORMAT', /preprocessing\.inputs\.scale\[0\]": expected a scale of magnitude in \[1e-300, 1e300\], received 5e-324/);
  const m = trained('sgd');
  const l = toJSON(m) as unknown as Doc;
  assert.ok(l.training.scheduler, 'a plateau schedule saves its state');
  l.training.scheduler.lr = -1;
  refuses(l, 'E_FORMAT', /training\.scheduler\.lr": expected a learning rate > 0, received -1/);
});

test('item 8: the bytes form carries a CRC-32; any flipped bit is refused; version 1 files still load', () => {
  const m = trained();
  const bytes = toBytes(m);
  const len = new DataView(bytes.buffer).getUint32(4, true);
  const start = Math.ceil((8 + len) / 8) * 8;
  // 40 bytes of data and 40 of header, each with one bit flipped
  const positions = [...Array.from({ length: 40 }, (_, k) => start + Math.floor((k * (bytes.length - 4 - start)) / 40)), ...Array.from({ length: 40 }, (_, k) => 8 + Math.floor((k * len) / 40))];
  for (const p of positions) {
    for (const bit of [0, 3, 7]) {
      const b = bytes.slice();
      b[p] ^= 1 << bit;
      assert.throws(() => fromBytes(b), (e: unknown) => e instanceof SerializationError, `byte ${p} bit ${bit}`);
    }
  }
  // a version 1 file: the same layout without the trailing checksum
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + len));
  assert.match(text, /"version":2/);
  const v1 = bytes.slice(0, bytes.length - 4);
  v1.set(new TextEncoder().encode(text.replace('"version":2', '"version":1')), 8);
  assert.deepEqual(toJSON(fromBytes(v1)).weights, toJSON(m).weights);
  assert.deepEqual(toJSON(fromBytes(bytes)).weights, toJSON(m).weights);
});

test('item 9: a JSON model file starting with a UTF-8 byte order mark loads', () => {
  const m = trained();
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-bom-'));
  try {
    const p = join(dir, 'm.json');
    writeFileSync(p, '\uFEFF' + JSON.stringify(toJSON(m)));
    assert.deepEqual(loadModel(p).predict(x), m.predict(x));
    assert.deepEqual(fromJSON('\uFEFF' + JSON.stringify(toJSON(m))).predict(x), m.predict(x));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
