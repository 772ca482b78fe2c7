// Layer options below the model: bias: false, dropout, sample weights, and initializers per layer.
// Hand-derived values in plain Math; tolerances stated per test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, Rng, reference, initializers, type Backend } from '../../src/lowlevel.ts';
import { getBackend, listBackends } from '../../src/kernels/select.ts';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} ≠ ${b}`);
const sig = (z: number) => 1 / (1 + Math.exp(-z));

test('bias: false: no b in the parameters, a = W x, and the chain rule by hand (bias only in the first layer)', () => {
  // 2-2-1: a1 = W1 x + b1, h1 = tanh(a1), a2 = W2 h1 (no bias), ŷ = σ(a2), L = bce(a2, y)
  const net = new Network(reference, 'float64', 2, [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid', bias: false }]);
  assert.equal(net.size, 2 * 2 + 2 + 2 * 1, 'W1, b1, W2 and no b2');
  assert.equal(net.nWeights, 6);
  assert.equal(net.layers[1].db.length, 0);
  const [W1, b1, W2] = [[0.3, -0.7, 0.5, 0.2], [0.1, -0.4], [1.2, -0.8]];
  net.layers[0].W.set(W1);
  net.layers[0].b.set(b1);
  net.layers[1].W.set(W2);
  const x = [0.9, -1.3];
  const y = 1;
  const a1 = [W1[0] * x[0] + W1[1] * x[1] + b1[0], W1[2] * x[0] + W1[3] * x[1] + b1[1]];
  const h1 = a1.map(Math.tanh);
  const a2 = W2[0] * h1[0] + W2[1] * h1[1];
  const L = Math.max(a2, 0) - a2 * y + Math.log1p(Math.exp(-Math.abs(a2)));
  const d2 = sig(a2) - y; // δ2 = ∂L/∂a2 for bce on the logit
  const d1 = [0, 1].map((j) => d2 * W2[j] * (1 - h1[j] ** 2)); // δ1 = (δ2 W2) ∘ tanh'(a1)
  net.zeroGrad();
  net.forward(Float64Array.from(x), 1, true);
  close(net.output.a[0], a2, 1e-15, 'a2 = W2 h1, no bias');
  close(net.lossAndDelta('bce', Float64Array.from([y]), 1), L, 1e-15, 'L');
  net.backward(1);
  close(net.layers[1].dW[0], d2 * h1[0], 1e-15, 'dW2[0]');
  close(net.layers[1].dW[1], d2 * h1[1], 1e-15, 'dW2[1]');
  for (let j = 0; j < 2; j++) {
    close(net.layers[0].db[j], d1[j], 1e-15, `db1[${j}]`);
    for (let k = 0; k < 2; k++) close(net.layers[0].dW[j * 2 + k], d1[j] * x[k], 1e-15, `dW1[${j}][${k}]`);
  }
  // the zero bias is not a parameter: the flat gradient holds exactly dW1, dW2, db1
  assert.deepEqual(Array.from(net.grads), [...net.layers[0].dW, ...net.layers[1].dW, ...net.layers[0].db]);
});

test('bias: false layers draw no bias and keep a zero b through initialization', () => {
  const net = new Network(reference, 'float64', 3, [{ units: 4, activation: 'relu', bias: false }, { units: 2, activation: 'identity' }]);
  net.initialize(new Rng(1));
  assert.deepEqual(Array.from(net.layers[0].b), [0, 0, 0, 0]);
  // the default bias initializer (glorotUniform) for the layer with a bias: fans 4 → 2
  assert.ok(Array.from(net.layers[1].b).every((v) => v !== 0 && Math.abs(v) <= Math.sqrt(6 / (4 + 2))));
});

test('initializers per layer, and the default is scikit-learn\'s U(±√(6/(fanIn+fanOut))) for W and b', () => {
  const net = new Network(reference, 'float64', 50, [{ units: 40, activation: 'relu' }, { units: 3, activation: 'softmax' }]);
  net.initialize(new Rng(3));
  for (const l of net.layers) {
    const lim = Math.sqrt(6 / (l.nIn + l.nOut));
    const w = Array.from(l.W);
    assert.ok(w.every((v) => Math.abs(v) <= lim), 'W inside ±√(6/(fanIn+fanOut))');
    assert.ok(Math.max(...w.map(Math.abs)) > 0.9 * lim, 'and filling it');
    // NOTE: 3 biases in the output layer are too few to check that they fill the range
    assert.ok(Array.from(l.b).every((v) => v !== 0 && Math.abs(v) <= lim), 'b: random, inside the same bound');
  }
  // PyTorch's rule stays available by name: U(±1/√fanIn) for W and b
  net.initialize(new Rng(3), { weights: 'torchUniform', biases: 'torchUniform' });
  for (const l of net.layers) assert.ok([...l.W, ...l.b].every((v) => Math.abs(v) <= 1 / Math.sqrt(l.nIn)), 'inside ±1/√fanIn');
  net.initialize(new Rng(3), { weights: ['heNormal', 'zeros'], biases: ['zeros', 'glorotUniform'] });
  assert.ok(net.layers[0].b.every((v) => v === 0) && net.layers[1].W.every((v) => v === 0));
  const w = Array.from(net.layers[0].W);
  const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  close(sd, Math.sqrt(2 / 50), 0.05, 'He normal std (2,000 draws: ±5%)');
  assert.ok(net.layers[1].b.every((v) => v !== 0 && Math.abs(v) <= Math.sqrt(6 / 43)));
  assert.throws(() => net.initialize(new Rng(3), { weights: ['heNormal'] }), /one initializer name or one per layer \(2\)/);
  assert.throws(() => net.initialize(new Rng(3), { biases: 'ones' as never }), /layer 1 biases: unknown initializer "ones"/);
  // same rng state, same draws: the default is deterministic
  const a = new Network(reference, 'float64', 5, [{ units: 3, activation: 'relu' }]);
  const b = new Network(reference, 'float64', 5, [{ units: 3, activation: 'relu' }]);
  a.initialize(new Rng(9));
  b.initialize(new Rng(9));
  assert.deepEqual(Array.from(a.params), Array.from(b.params));
  assert.equal(initializers.torchUniform(new Rng(1), 4, 9) <= 0.5, true);
});

test('bad layer options are refused with the layer named', () => {
  assert.throws(() => new Network(reference, 'float64', 2, [{ units: 2, activation: 'relu', dropout: 1 }, { units: 1, activation: 'identity' }]), /layer 1 expected dropout to be a rate in \[0, 1\), received 1/);
  assert.throws(() => new Network(reference, 'float64', 2, [{ units: 2, activation: 'relu', dropout: -0.1 }, { units: 1, activation: 'identity' }]), /received -0.1/);
  assert.throws(() => new Network(reference, 'float64', 2, [{ units: 1, activation: 'identity', dropout: 0.5 }]), /dropout applies to hidden layers/);
  assert.throws(() => new Network(reference, 'float64', 2, [{ units: 1, activation: 'identity', bias: 'no' as never }]), /layer 1 expected bias to be true or false, received "no"/);
});

function twoNets(dropout: number | undefined, dtype: 'float32' | 'float64' = 'float64', be: Backend = reference) {
  const spec = (p: number | undefined) => [{ units: 16, activation: 'tanh' as const, ...(p === undefined ? {} : { dropout: p }) }, { units: 3, activation: 'identity' as const }];
  const net = new Network(be, dtype, 4, spec(dropout));
  net.initialize(new Rng(5));
  return net;
}

test('dropout at rate 0 is no dropout, bit for bit (forward, loss and gradients, training pass)', () => {
  const rng = new Rng(2);
  const B = 7;
  const x = Float64Array.from({ length: B * 4 }, () => rng.range(-2, 2));
  const y = Float64Array.from({ length: B * 3 }, () => rng.range(-1, 1));
  const out: number[][] = [];
  for (const p of [undefined, 0]) {
    const net = twoNets(p);
    net.zeroGrad();
    net.forward(x, B, false, new Rng(11)); // a training pass
    const L = net.lossAndDelta('mse', y, B);
    net.backward(B);
    out.push([L, ...net.grads, ...net.output.h.subarray(0, B * 3)]);
  }
  assert.deepEqual(out[0], out[1]);
});

for (const name of listBackends()) {
  test(`dropout on ${name}: the expected activation is kept (inverted dropout) and about p of the units drop`, () => {
    // h = 1 everywhere, n = 200,000 entries, p = 0.3: mean(hd) has std √(p/(1−p)/n) ≈ 0.0015; tolerance 0.01 (≈ 7σ).
    // The fraction dropped has std √(p(1−p)/n) ≈ 0.001; tolerance 0.01.
    const be = getBackend(name, 'float32');
    const n = 200_000;
    const p = 0.3;
    const h = be.alloc(n, 'float32');
    be.fill(h, 1, n);
    const mask = be.alloc(n, 'float32');
    const hd = be.alloc(n, 'float32');
    be.dropout(h, mask, hd, n, p, new Rng(4));
    let sum = 0;
    let zeros = 0;
    for (let k = 0; k < n; k++) {
      sum += hd[k];
      if (hd[k] === 0) zeros++;
      else assert.equal(hd[k], Math.fround(1 / (1 - p)));
    }
    assert.ok(Math.abs(sum / n - 1) < 0.01, `mean ${sum / n}`);
    assert.ok(Math.abs(zeros / n - p) < 0.01, `dropped ${zeros / n}`);
    // every backend drops the same units as the reference for the same generator state
    const mr = new Float32Array(n);
    reference.dropout(new Float32Array(n).fill(1), mr, new Float32Array(n), n, p, new Rng(4));
    assert.deepEqual(Array.from(mask.subarray(0, 1000)), Array.from(mr.subarray(0, 1000)));
    // backward: dh = dhd ∘ m
    const dh = be.alloc(n, 'float32');
    be.fill(dh, 2, n);
    be.dropoutBackward(dh, mask, dh, n);
    for (let k = 0; k < 1000; k++) assert.equal(dh[k], Math.fround(2 * mask[k]));
    for (const a of [h, mask, hd, dh]) be.release?.(a);
  });
}

test('dropout backprop agrees with finite differences under the same mask (float64)', () => {
  // The mask is part of the function: re-running forward from the same generator state replays it.
  const rng = new Rng(8);
  const B = 5;
  const x = Float64Array.from({ length: B * 4 }, () => rng.range(-2, 2));
  const y = Float64Array.from({ length: B * 3 }, () => rng.range(-1, 1));
  const net = twoNets(0.4);
  const seed = new Rng(21);
  const lossAt = () => {
    net.forward(x, B, false, seed.clone());
    return net.lossAndDelta('mse', y, B);
  };
  net.zeroGrad();
  lossAt();
  net.backward(B);
  assert.ok(net.layers[0].dropped);
  const g = Float64Array.from(net.grads);
  const eps = 1e-6;
  for (let k = 0; k < net.size; k++) {
    const t = net.params[k];
    net.params[k] = t + eps;
    const up = lossAt();
    net.params[k] = t - eps;
    const down = lossAt();
    net.params[k] = t;
    const num = (up - down) / (2 * eps);
    // stated: |g − n| ≤ 1e-7 · max(1, |n|) (central difference error ~ eps² · L''' ≈ 1e-12, float64 noise ~ 1e-10)
    assert.ok(Math.abs(g[k] - num) <= 1e-7 * Math.max(1, Math.abs(num)), `param ${k}: backprop ${g[k]} vs numeric ${num}`);
  }
  const m = Array.from(net.layers[0].mask!.subarray(0, B * 16));
  assert.ok(m.includes(0) && m.includes(1 / 0.6), 'the mask dropped some units and scaled the rest');
  // and off at inference: a pass without rng uses h itself
  const h = Float64Array.from(net.forward(x, B));
  net.forward(x, B);
  assert.deepEqual(Array.from(net.output.h.subarray(0, B * 3)), Array.from(h.subarray(0, B * 3)));
  assert.equal(net.layers[0].dropped, false);
});

test('a sample weight of 2 equals duplicating the row: loss and gradients within 1e-12 (float64, full batch)', () => {
  for (const [loss, act, outs] of [['mse', 'identity', 3], ['crossentropy', 'softmax', 3], ['bce', 'sigmoid', 1], ['huber', 'identity', 3]] as const) {
    const rng = new Rng(6);
    const B = 6;
    const x = Array.from({ length: B }, () => [rng.range(-2, 2), rng.range(-2, 2), rng.range(-2, 2), rng.range(-2, 2)]);
    const y = Array.from({ length: B }, () => (loss === 'crossentropy' ? [0, 1, 2].map((j) => (j === rng.int(3) ? 1 : 0)) : Array.from({ length: outs }, () => rng.int(2))));
    const w = [1, 2, 1, 1, 2, 1];
    const dupX = x.flatMap((r, i) => (w[i] === 2 ? [r, r] : [r]));
    const dupY = y.flatMap((r, i) => (w[i] === 2 ? [r, r] : [r]));
    const run = (X: number[][], Y: number[][], W: number[] | null) => {
      const net = new Network(reference, 'float64', 4, [{ units: 8, activation: 'tanh' }, { units: outs, activation: act }]);
      net.initialize(new Rng(5));
      net.zeroGrad();
      net.forward(Float64Array.from(X.flat()), X.length, loss === 'crossentropy' || loss === 'bce');
      const L = net.lossAndDelta(loss, Float64Array.from(Y.flat()), X.length, W ? Float64Array.from(W) : null);
      net.backward(X.length);
      return [L, ...net.grads];
    };
    const weighted = run(x, y, w);
    const dup = run(dupX, dupY, null);
    weighted.forEach((v, k) => assert.ok(Math.abs(v - dup[k]) <= 1e-12, `${loss}: entry ${k}: weighted ${v} vs duplicated ${dup[k]}`));
    // and all-ones weights are the unweighted loss
    const ones = run(x, y, w.map(() => 1));
    const plain = run(x, y, null);
    ones.forEach((v, k) => assert.ok(Math.abs(v - plain[k]) <= 1e-15, `${loss}: ones vs none at ${k}`));
  }
});
