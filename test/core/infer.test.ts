// mlpkit/infer (src/infer.ts): a saved model loaded for prediction only. Its answers must be
// MLP's on the js backend bit for bit (deepStrictEqual compares numbers with Object.is: no
// tolerance), on real data (iris, digits) with fixed seeds; a malformed document must be refused
// with a coded MlpError naming the field (the same code and field mlpkit's fromJSON gives), never
// a crash inside or a NaN answer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MLP, MlpError, datasets, fromJSON as fullFromJSON, fromBytes as fullFromBytes, toBytes, toJSON, type ModelDocument } from '../../src/index.ts';
import { fromJSON, fromBytes, InferenceModel } from '../../src/infer.ts';

const iris = datasets.iris();
const digits = datasets.digits();

function trained(config: ConstructorParameters<typeof MLP>[0], x: number[][], y: (number | string)[] | number[][], epochs: number): MLP {
  const m = new MLP({ seed: 3, backend: 'js', ...config });
  m.fit(x, y, { epochs });
  return m;
}

const irisModel = trained({ hidden: [16] }, iris.x, iris.y, 100);
const digitsModel = trained({ hidden: [32], activation: 'tanh' }, digits.x, digits.y, 4);

test('iris and digits: predict and predictProba equal MLP on the js backend, bit for bit (base64 and nested, object and text)', () => {
  for (const [name, model, x] of [['iris', irisModel, iris.x], ['digits', digitsModel, digits.x]] as const) {
    // a model as trained, and the same document loaded by mlpkit's own fromJSON on js
    const loaded = fullFromJSON(toJSON(model), { backend: 'js' });
    const want = model.predict(x);
    const wantP = model.predictProba(x);
    assert.deepStrictEqual(loaded.predictProba(x), wantP, `${name}: fromJSON on js`);
    for (const doc of [toJSON(model), toJSON(model, { weights: 'nested' }), JSON.stringify(toJSON(model, { training: false }))]) {
      const inf = fromJSON(doc);
      assert.ok(inf instanceof InferenceModel);
      assert.equal(inf.backendName, 'js');
      assert.deepStrictEqual(inf.predict(x), want, `${name}: labels`);
      assert.deepStrictEqual(inf.predictProba(x), wantP, `${name}: probabilities`);
      // one row at a time (batch 1 takes other gemm paths) still matches MLP row by row
      assert.deepStrictEqual(inf.predictProba(x.slice(7, 8)), model.predictProba(x.slice(7, 8)));
      inf.dispose();
    }
  }
  // digits has 1,797 rows: more than one chunk of the forward pass
  assert.ok(digits.x.length > 1024);
  // and the models learned something (the comparison is not between two constant answers)
  assert.ok(irisModel.score(iris.x, iris.y) > 0.9);
  assert.ok(digitsModel.score(digits.x, digits.y) > 0.8);
});

test('fromBytes: the bytes form (toBytes) loads for prediction only, with MLP\'s answers bit for bit; damaged bytes give the code mlpkit\'s fromBytes gives', () => {
  for (const [model, x] of [[irisModel, iris.x], [digitsModel, digits.x]] as const) {
    const bytes = toBytes(model);
    const inf = fromBytes(bytes);
    assert.deepStrictEqual(inf.predictProba(x), model.predictProba(x));
    assert.deepStrictEqual(inf.predict(x), model.predict(x));
    inf.dispose();
  }
  const bytes = toBytes(irisModel);
  // every single flipped bit in the first 300 bytes and a sample after; truncations; not bytes at all
  const damaged: unknown[] = [];
  for (let i = 0; i < bytes.length; i += i < 300 ? 1 : 97) {
    const b = bytes.slice();
    b[i] ^= 1 << (i % 8);
    damaged.push(b);
  }
  for (const n of [0, 3, 8, 20, bytes.length >> 1, bytes.length - 1]) damaged.push(bytes.slice(0, n));
  damaged.push([1, 2, 3], 'MLPK', null, bytes.buffer);
  for (const d of damaged) {
    const codeOf = (f: () => unknown): string => {
      try {
        f();
        return 'loaded';
      } catch (e) {
        assert.ok(e instanceof MlpError, `not an MlpError: ${e}`);
        return e.code;
      }
    };
    const full = codeOf(() => fullFromBytes(d as Uint8Array));
    const small = codeOf(() => fromBytes(d as Uint8Array));
    assert.equal(small, full);
    assert.notEqual(small, 'loaded', 'a damaged model must be refused (the CRC-32 covers every byte)');
  }
});

test('the model as it describes itself: task, inputs, classes, featureNames', () => {
  const inf = fromJSON(toJSON(irisModel));
  assert.equal(inf.task, 'classification');
  assert.equal(inf.inputs, 4);
  assert.deepEqual(inf.classes, irisModel.classes);
  assert.equal(inf.featureNames, null);
});

test('regression (scaled targets, two outputs), float64, the reference backend, records by feature name, multi-label', () => {
  const x = iris.x.map((r) => [r[0], r[1]]);
  const y = iris.x.map((r) => [r[2], r[3]]);
  const reg = trained({ hidden: [8], dtype: 'float64' }, x, y, 20);
  const inf = fromJSON(toJSON(reg));
  assert.equal(inf.task, 'regression');
  assert.equal(inf.classes, null);
  assert.deepStrictEqual(inf.predict(x), reg.predict(x));
  assert.throws(() => inf.predictProba(x), (e: MlpError) => e.code === 'E_CONFIG');

  // the reference backend: equal to MLP on reference
  const ref = trained({ hidden: [8], backend: 'reference' }, iris.x, iris.y, 10);
  assert.deepStrictEqual(fromJSON(toJSON(ref), { backend: 'reference' }).predictProba(iris.x), ref.predictProba(iris.x));

  // records are read by the saved feature names, in any field order
  const names = ['sl', 'sw', 'pl', 'pw'];
  const records = iris.x.map((r) => Object.fromEntries(names.map((n, j) => [n, r[j]])));
  const named = new MLP({ hidden: [8], seed: 1, backend: 'js' });
  named.fit(records, iris.y, { epochs: 10 });
  const infNamed = fromJSON(toJSON(named));
  assert.deepEqual(infNamed.featureNames, names);
  const shuffled = records.map((r) => ({ pw: r.pw, pl: r.pl, sw: r.sw, sl: r.sl }));
  assert.deepStrictEqual(infNamed.predict(shuffled), named.predict(records));

  // multi-label: label sets
  const sets = iris.x.map((r) => [...(r[0] > 5.8 ? ['long'] : []), ...(r[2] > 4 ? ['wide'] : [])]);
  const ml = new MLP({ hidden: [8], seed: 1, backend: 'js' });
  ml.fit(iris.x, sets, { epochs: 10 });
  assert.deepStrictEqual(fromJSON(toJSON(ml)).predict(iris.x), ml.predict(iris.x));
});

/** A document with one change made by `edit` (on a deep copy). */
function edited(doc: ModelDocument, edit: (d: any) => void): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  const d = structuredClone(doc);
  edit(d);
  return d;
}

function base64Floats(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

test('bad documents: a coded error naming the field, the same as mlpkit\'s fromJSON gives', () => {
  const doc = toJSON(irisModel, { training: false });
  const nested = toJSON(irisModel, { weights: 'nested', training: false });
  const W0 = doc.weights.layers[0].W as string;
  const cases: [string, unknown, string, string][] = [
    ['not JSON', '{"format": "mlpkit-model",', 'E_FORMAT', 'model'],
    ['not an object', [1, 2], 'E_FORMAT', 'model'],
    ['another format', edited(doc, (d) => (d.format = 'keras')), 'E_FORMAT', 'format'],
    ['a newer version', edited(doc, (d) => (d.version = 3)), 'E_VERSION', 'version'],
    ['no layers', edited(doc, (d) => (d.layers = [])), 'E_FORMAT', 'layers'],
    ['unknown activation', edited(doc, (d) => (d.layers[0].activation = 'swish')), 'E_FORMAT', 'layers[0].activation'],
    ['inputs not an integer', edited(doc, (d) => (d.inputs = 4.5)), 'E_FORMAT', 'inputs'],
    ['a huge layer declared, the weights of a small one', edited(doc, (d) => (d.layers[0].units = 50000)), 'E_FORMAT', 'weights.layers[0].W'],
    ['truncated base64 weights', edited(doc, (d) => (d.weights.layers[0].W = W0.slice(0, W0.length - 8))), 'E_FORMAT', 'weights.layers[0].W'],
    ['NaN inside base64 weights', edited(doc, (d) => (d.weights.layers[1].b = base64Floats([0, NaN, 0]))), 'E_NONFINITE', 'weights.layers[1].b'],
    ['a string inside nested weights', edited(nested, (d) => (d.weights.layers[0].W[2][1] = '0.5')), 'E_FORMAT', 'weights.layers[0].W[2][1]'],
    ['null (Infinity) inside nested weights', edited(nested, (d) => (d.weights.layers[1].b[0] = null)), 'E_FORMAT', 'weights.layers[1].b[0]'],
    ['a float32 weight out of range', edited(nested, (d) => (d.weights.layers[0].W[0][0] = 1e300)), 'E_NONFINITE', 'weights.layers[0].W[0][0]'],
    ['a missing layer of weights', edited(doc, (d) => d.weights.layers.pop()), 'E_FORMAT', 'weights.layers'],
    ['a zero input scale', edited(doc, (d) => (d.preprocessing.inputs.scale[1] = 0)), 'E_FORMAT', 'preprocessing.inputs.scale[1]'],
    ['a scale of 5e-324', edited(doc, (d) => (d.preprocessing.inputs.scale[0] = 5e-324)), 'E_FORMAT', 'preprocessing.inputs.scale[0]'],
    ['a shift too short', edited(doc, (d) => d.preprocessing.inputs.shift.pop()), 'E_FORMAT', 'preprocessing.inputs'],
    ['two classes for three outputs', edited(doc, (d) => d.preprocessing.classes.pop()), 'E_FORMAT', 'preprocessing.classes'],
    ['duplicate classes', edited(doc, (d) => (d.preprocessing.classes = [0, 0, 1])), 'E_FORMAT', 'preprocessing.classes'],
    ['a loss that does not fit the output', edited(doc, (d) => (d.loss = 'bce')), 'E_FORMAT', 'loss'],
    ['duplicate feature names', edited(doc, (d) => (d.featureNames = ['a', 'a', 'b', 'c'])), 'E_FORMAT', 'featureNames'],
  ];
  for (const [what, bad, code, field] of cases) {
    let full: MlpError | undefined;
    try {
      fullFromJSON(bad);
    } catch (e) {
      full = e as MlpError;
    }
    assert.throws(() => fromJSON(bad), (e: unknown) => {
      assert.ok(e instanceof MlpError, `${what}: ${(e as Error)?.message}`);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      assert.equal(e.field, field, `${what}: ${e.message}`);
      assert.match(e.message, /^fromJSON: /);
      // the same refusal as mlpkit's fromJSON (which checks the config and training state as well)
      assert.equal(full?.code, code, `${what}: mlpkit's fromJSON: ${full?.message}`);
      assert.equal(full?.field, field, `${what}: mlpkit's fromJSON: ${full?.message}`);
      return true;
    }, what);
  }
  // what only the network checks: softmax on a hidden layer
  assert.throws(() => fromJSON(edited(doc, (d) => (d.layers[0].activation = 'softmax'))), (e: MlpError) => e.code === 'E_FORMAT' && e.field === 'layers' && /softmax/.test(e.message));
  // an option it does not have
  assert.throws(() => fromJSON(doc, { backend: 'wasm-simd' as 'js' }), (e: MlpError) => e.code === 'E_CONFIG' && e.field === 'backend');
  // a byte order mark before the JSON text is not part of the document
  assert.deepStrictEqual(fromJSON('\ufeff' + JSON.stringify(doc)).predict(iris.x.slice(0, 5)), irisModel.predict(iris.x.slice(0, 5)));
});

test('bad inputs to predict: coded errors (width, NaN, disposed), and overflowing weights give E_NONFINITE, never a NaN answer', () => {
  const inf = fromJSON(toJSON(irisModel));
  assert.throws(() => inf.predict([[1, 2, 3]]), (e: MlpError) => e.code === 'E_SHAPE');
  assert.throws(() => inf.predict([[1, 2, NaN, 4]]), (e: MlpError) => e.code === 'E_NONFINITE');
  inf.dispose();
  assert.throws(() => inf.predict(iris.x), (e: MlpError) => e.code === 'E_NOT_FITTED');
  // weights that are finite but overflow float32 on ordinary inputs
  const doc = toJSON(irisModel, { weights: 'nested', training: false }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  doc.weights.layers[0].W = doc.weights.layers[0].W.map((r: number[]) => r.map(() => 3e38));
  doc.layers[0].activation = 'identity';
  const big = fromJSON(doc);
  assert.throws(() => big.predict(iris.x), (e: MlpError) => e.code === 'E_NONFINITE' && typeof e.row === 'number');
});

test('generated damage to a document: a coded MlpError, or a model whose answers are finite', () => {
  const docs = [toJSON(irisModel), toJSON(irisModel, { weights: 'nested', training: false })];
  const values = fc.oneof(fc.constantFrom(null, true, 0, -1, 1e8, 5e4, 1e300, 5e-324, '', 'AAAA', 'softmax', 'float64', 'nested', [], {}), fc.double(), fc.string({ maxLength: 8 }));
  const paths = (v: any, p: (string | number)[] = [], out: (string | number)[][] = []) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (p.length) out.push(p);
    if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) paths(c, [...p, Array.isArray(v) ? Number(k) : k], out);
    return out;
  };
  let refused = 0;
  fc.assert(fc.property(fc.nat({ max: 1 }), fc.nat(), values, (which, pick, value) => {
    const d = structuredClone(docs[which]) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const all = paths(d);
    const p = all[pick % all.length];
    let parent = d;
    for (const k of p.slice(0, -1)) parent = parent[k];
    parent[p[p.length - 1]] = value;
    try {
      const m = fromJSON(d);
      const out = m.task === 'classification' ? m.predictProba(iris.x).flat() : (m.predict(iris.x) as number[]);
      assert.ok(out.every((v) => Number.isFinite(v)));
    } catch (e) {
      if (!(e instanceof MlpError)) throw new Error(`${p.join('.')} = ${JSON.stringify(value)}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.ok(e.code.startsWith('E_'));
      refused++;
    }
  }), { seed: 9, numRuns: 300 });
  assert.ok(refused > 50, `${refused} of 300 refused`);
});
