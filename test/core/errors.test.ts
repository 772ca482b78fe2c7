// Every bad input raises an MlpError subclass with a `code` and a message naming the problem and a fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, datasets, ShapeError, DataError, ConfigError, DivergenceError, MlpError } from '../../src/index.ts';

const { x, y } = datasets.iris();

function throwsWith(fn: () => unknown, cls: new (...a: any[]) => MlpError, code: string, message: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, received ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.equal((e as MlpError).code, code);
    assert.match((e as Error).message, message);
    return true;
  });
}

test('ragged rows name the row and the expected width', () => {
  throwsWith(() => new MLP().fit([[1, 2], [3]], [0, 1]), ShapeError, 'E_SHAPE', /row 1 has 1 values, expected 2 like row 0/);
});

test('NaN and Infinity name the row and column', () => {
  throwsWith(() => new MLP().fit([[1, 2], [3, NaN]], [0, 1]), DataError, 'E_NONFINITE', /row 1, column 1 is NaN, expected a finite number; remove or impute/);
  throwsWith(() => new MLP().fit([[1, Infinity], [3, 4]], [0, 1]), DataError, 'E_NONFINITE', /row 0, column 1 is Infinity/);
  throwsWith(() => new MLP().fit([[1, 2], [3, 4]], [0, NaN]), DataError, 'E_NONFINITE', /target 1 is NaN/);
});

test('NaN and ±Infinity in a float matrix name the first such entry, wherever it sits', () => {
  const m = new MLP({ hidden: [4] });
  m.fit(x, y, { epochs: 1 });
  // the check reads 8 entries at a time, then a tail: first, inside and last of a group, and the tail
  for (const [Arr, at, v] of [[Float32Array, 0, NaN], [Float64Array, 7, Infinity], [Float32Array, 8, -Infinity], [Float64Array, 33, NaN], [Float32Array, 38, Infinity], [Float32Array, 39, NaN]] as const) {
    const data = new Arr(40).fill(1.5);
    data[at] = v;
    if (at < 39) data[39] = NaN; // a later one must not be the one named
    throwsWith(() => m.predict({ data, shape: [10, 4] }), DataError, 'E_NONFINITE', new RegExp(`row ${Math.floor(at / 4)}, column ${at % 4} is ${v}`));
  }
  assert.equal(m.predict({ data: new Float32Array(40).fill(-0), shape: [10, 4] }).length, 10); // −0 is finite
  // predict checks float matrices chunk by chunk (1,024 rows) in its copy of them: a bad entry in a
  // later chunk, on the wasm path (≥ 256 entries), names the same row and column
  const big = new Float32Array(2500 * 4).fill(0.25);
  big[2100 * 4 + 3] = NaN;
  big[2400 * 4] = Infinity;
  throwsWith(() => m.predict({ data: big, shape: [2500, 4] }), DataError, 'E_NONFINITE', /row 2100, column 3 is NaN/);
  throwsWith(() => m.predictProba({ data: big, shape: [2500, 4] }), DataError, 'E_NONFINITE', /predictProba: row 2100, column 3 is NaN/);
  // finite inputs whose float32 copy overflows are not input errors: the output check names them, as before
  const huge = new Float64Array(2500 * 4).fill(0.25);
  huge[1500 * 4 + 1] = 1e300;
  throwsWith(() => m.predict({ data: huge, shape: [2500, 4] }), DataError, 'E_NONFINITE', /the model's output for row 1500 is NaN/);
});

test('wrong input width at predict says expected vs received', () => {
  const m = new MLP({ hidden: [4] });
  m.fit(x, y, { epochs: 1 });
  throwsWith(() => m.predict([[1, 2, 3]]), ShapeError, 'E_SHAPE', /expected x of shape \[N, 4\], received \[1, 3\]; pass the same 4 feature columns/);
  throwsWith(() => m.predict({ data: new Float32Array(12), shape: [3, 2, 2] as any }), ShapeError, 'E_SHAPE', /shape \[N, d\], received shape \[3, 2, 2\]; flatten/);
});

test('labels outside the class set name the label and the known classes', () => {
  const m = new MLP({ hidden: [4] });
  m.fit(x, y, { epochs: 1 });
  throwsWith(() => m.evaluate(x.slice(0, 2), [0, 7]), DataError, 'E_LABEL', /target 1 is 7, which is not one of the 3 classes the model knows \(0, 1, 2\)/);
});

test('a target with one class', () => {
  throwsWith(() => new MLP({ task: 'classification' }).fit([[1], [2]], ['a', 'a']), DataError, 'E_LABEL', /only one class \("a"\)/);
});

test('empty data and mismatched lengths', () => {
  throwsWith(() => new MLP().fit([], []), DataError, 'E_EMPTY', /at least one row/);
  throwsWith(() => new MLP().fit([[]], [1]), DataError, 'E_EMPTY', /at least one feature column/);
  throwsWith(() => new MLP().fit([[1], [2]], [1]), ShapeError, 'E_SHAPE', /x has 2 rows but y has 1/);
});

test('batch size 0, learning rate ≤ 0 and other bad options name the option', () => {
  throwsWith(() => new MLP().fit(x, y, { batchSize: 0 }), ConfigError, 'E_CONFIG', /batchSize to be an integer ≥ 1, received 0/);
  throwsWith(() => new MLP().fit(x, y, { learningRate: 0 }), ConfigError, 'E_CONFIG', /learningRate > 0, received 0; try 0.01/);
  throwsWith(() => new MLP().fit(x, y, { learningRate: -1 }), ConfigError, 'E_CONFIG', /learningRate > 0, received -1/);
  throwsWith(() => new MLP({ epochs: 0 }), ConfigError, 'E_CONFIG', /epochs to be an integer ≥ 1, received 0/);
  throwsWith(() => new MLP({ hidden: [0] }), ConfigError, 'E_CONFIG', /hidden to be an array of positive integers/);
  throwsWith(() => new MLP({ lr: 0.1 } as any), ConfigError, 'E_CONFIG', /unknown option "lr"/);
  throwsWith(() => new MLP({ validationSplit: 1 }), ConfigError, 'E_CONFIG', /validationSplit in \[0, 1\), received 1/);
});

test('unknown activation, loss, optimizer and initializer list the known ones', () => {
  throwsWith(() => new MLP({ activation: 'swish' as any }), ConfigError, 'E_UNKNOWN_ACTIVATION', /unknown activation "swish"; expected one of identity, sigmoid/);
  throwsWith(() => new MLP({ loss: 'hinge' as any }), ConfigError, 'E_UNKNOWN_LOSS', /unknown loss "hinge"; expected one of sse, mse/);
  throwsWith(() => new MLP({ optimizer: 'lbfgs' as any }), ConfigError, 'E_UNKNOWN_OPTIMIZER', /unknown optimizer "lbfgs"; expected one of sgd/);
  throwsWith(() => new MLP({ init: 'orthogonal' as any }), ConfigError, 'E_CONFIG', /unknown initializer "orthogonal"/);
  throwsWith(() => new MLP({ activation: 'softmax' }), ConfigError, 'E_CONFIG', /softmax is only an output activation/);
  throwsWith(() => new MLP({ loss: 'crossentropy', outputActivation: 'sigmoid' }).fit(x, y, { epochs: 1 }), ConfigError, 'E_CONFIG', /set outputActivation: "softmax"/);
});

test('predict before fit', () => {
  throwsWith(() => new MLP().predict([[1]]), MlpError, 'E_NOT_FITTED', /call fit\(x, y\) first/);
});

test('a diverging run stops with the epoch and batch, and keeps finite weights', () => {
  const xs = Array.from({ length: 64 }, (_, i) => [i, i * 2]);
  const ys = xs.map(([a]) => a * 1e3);
  const m = new MLP({ task: 'regression', hidden: [8], seed: 1, scaleInputs: 'none', scaleTargets: 'none' });
  let err: unknown;
  try {
    m.fit(xs, ys, { epochs: 50, optimizer: 'sgd', learningRate: 10, batchSize: 8 });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DivergenceError, `expected DivergenceError, received ${err}`);
  assert.equal(err.code, 'E_DIVERGED');
  assert.match(err.message, new RegExp(`the loss became (NaN|Infinity) at epoch ${err.epoch}, batch ${err.batch} of 8; the model keeps its last finite weights. Lower the learning rate`));
  assert.ok(err.epoch >= 1 && err.batch >= 1);
  assert.ok(Array.from(m.parameters()).every(Number.isFinite), 'weights must stay finite');
  assert.ok((m.predict([[1, 2]]) as number[]).every(Number.isFinite));
});

test('errors carry structure: code, field, row, column, expected, received as properties', () => {
  const m = new MLP({ hidden: [4], seed: 1 });
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as MlpError;
    }
    assert.fail('expected an error');
  };
  const nan = err(() => m.fit([[1, 2], [3, NaN]], [0, 1]));
  assert.ok(nan instanceof DataError);
  assert.deepEqual({ code: nan.code, field: nan.field, row: nan.row, column: nan.column, expected: nan.expected }, { code: 'E_NONFINITE', field: 'x', row: 1, column: 1, expected: 'a finite number' });
  assert.ok(Number.isNaN(nan.received as number));
  const ragged = err(() => m.fit([[1, 2], [3]], [0, 1]));
  assert.deepEqual({ code: ragged.code, row: ragged.row, expected: ragged.expected, received: ragged.received }, { code: 'E_SHAPE', row: 1, expected: 2, received: 1 });
  const cfg = err(() => new MLP({ hidden: [4], seed: 1 }).fit([[1], [2]], [0, 1], { epochs: 0 }));
  assert.deepEqual({ code: cfg.code, field: cfg.field, received: cfg.received }, { code: 'E_CONFIG', field: 'epochs', received: 0 });
  const unknown = err(() => new MLP({ hiden: [4] } as never));
  assert.equal(unknown.field, 'hiden');
  m.fit([[0], [1], [2], [3]], ['a', 'b', 'a', 'b'], { epochs: 1 });
  const label = err(() => m.evaluate([[0], [1]], ['a', 'c']));
  assert.deepEqual({ code: label.code, field: label.field, row: label.row, received: label.received }, { code: 'E_LABEL', field: 'y', row: 1, received: 'c' });
  assert.ok(!('column' in label), 'details that do not apply are absent, not undefined');
  const width = err(() => m.predict([[1, 2]]));
  assert.deepEqual({ code: width.code, expected: width.expected, received: width.received }, { code: 'E_SHAPE', expected: 1, received: 2 });
});
