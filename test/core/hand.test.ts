// Hand-derived cases: the lecture's chain rule worked out with pencil-and-paper formulas (plain Math
// here, independent of the library), and the optimizers' updates as PyTorch documents them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, gradients, trace, datasets } from '../../src/index.ts';
import { Network, Optimizer, LrScheduler, Rng, clipGradNorm, reference } from '../../src/lowlevel.ts';

const close = (a: number, b: number, tol = 1e-12, what = '') => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} ≠ ${b}`);
const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** 1-1-1 net: a1 = w1 x + b1, h1 = σ(a1), a2 = w2 h1 + b2, ŷ = a2, L = ½(ŷ − y)² (the lecture's L2 loss). */
function tiny(w1: number, b1: number, w2: number, b2: number) {
  const m = new MLP({ task: 'regression', hidden: [1], activation: 'sigmoid', outputActivation: 'identity', loss: 'sse', dtype: 'float64', scaleInputs: 'none', scaleTargets: 'none' });
  m.build(1, 1, 'regression');
  m.setWeight(0, 0, 0, w1); m.setBias(0, 0, b1); m.setWeight(1, 0, 0, w2); m.setBias(1, 0, b2);
  return m;
}

test('chain rule by hand: ∂L/∂w2 = ∂L/∂f2 · ∂f2/∂a2 · ∂a2/∂w2, and ∂L/∂w1 re-uses the factor', () => {
  const [x, y, w1, b1, w2, b2] = [1.5, 1, 0.5, -0.2, 2, 0.1];
  const a1 = w1 * x + b1;
  const h1 = sig(a1);
  const yhat = w2 * h1 + b2;
  const L = 0.5 * (yhat - y) ** 2;
  const dLdy = yhat - y; // ∂L/∂f2 (f2 = identity so ∂f2/∂a2 = 1)
  const d2 = dLdy * 1; // δ2
  const dw2 = d2 * h1; // ∂a2/∂w2 = h1
  const d1 = d2 * w2 * h1 * (1 - h1); // re-uses δ2; σ' = σ(1 − σ)
  const dw1 = d1 * x;
  const g = gradients(tiny(w1, b1, w2, b2), [[x]], [y]);
  close(g.loss, L, 1e-15, 'L');
  close(g.layers[1].dW[0][0], dw2, 1e-15, 'dw2');
  close(g.layers[1].db[0], d2, 1e-15, 'db2');
  close(g.layers[0].dW[0][0], dw1, 1e-15, 'dw1');
  close(g.layers[0].db[0], d1, 1e-15, 'db1');
  close(g.dx[0][0], d1 * w1, 1e-15, 'dx');
  const t = trace(tiny(w1, b1, w2, b2), [x], y);
  close(t.layers[0].fprime![0], h1 * (1 - h1), 1e-15, "f'(a1)");
  close(t.layers[0].dLdh[0], d2 * w2, 1e-15, '∂L/∂h1');
});

test('softmax + cross-entropy: δ_L = p − y by hand, and the batch mean', () => {
  const net = new Network(reference, 'float64', 2, [{ units: 3, activation: 'softmax' }]);
  net.params.set([1, 0, 0, 1, -1, 1, /* b */ 0, 0.5, -0.5]);
  const X = new Float64Array([1, 2, -1, 0]);
  const Y = new Float64Array([0, 1, 0, 1, 0, 0]);
  net.forward(X, 2, true);
  const L = net.lossAndDelta('crossentropy', Y, 2);
  const rows = [[1, 2], [-1, 0]].map(([u, v]) => [u + 0, v + 0.5, -u + v - 0.5]);
  let want = 0;
  rows.forEach((a, i) => {
    const e = a.map(Math.exp);
    const s = e[0] + e[1] + e[2];
    const p = e.map((v) => v / s);
    const t = i === 0 ? 1 : 0;
    want += -Math.log(p[t]) / 2;
    p.forEach((pj, j) => close(net.output.delta[i * 3 + j], (pj - (j === t ? 1 : 0)) / 2, 1e-15, `δ[${i},${j}]`));
  });
  close(L, want, 1e-15, 'L');
});

test('stable at the extremes: bce and cross-entropy from logits ±800 are finite and exact', () => {
  const z = new Float64Array([800, -800]);
  const y = new Float64Array([0, 1]);
  const g = new Float64Array(2);
  const L = reference.loss('bce', z, y, g, 2, 1, 0.5);
  close(L, 1600, 1e-15, 'bce'); // max(a,0) − a·y + log1p(e^−|a|) = 800 + 800
  close(g[0], 0.5, 1e-15); close(g[1], -0.5, 1e-15);
  const z2 = new Float64Array([800, -800, 0]);
  const g2 = new Float64Array(3);
  const L2 = reference.loss('crossentropy', z2, new Float64Array([0, 1, 0]), g2, 1, 3, 1);
  close(L2, 1600, 1e-15, 'ce');
  close(g2[0], 1); close(g2[1], -1); close(g2[2], 0);
  const h = new Float32Array(3);
  reference.biasActivate('sigmoid', 0, new Float32Array([-100, 100, 0]), new Float32Array(3), h, 1, 3);
  assert.deepEqual(Array.from(h), [Math.fround(sig(-100)), 1, 0.5]);
});

/** One parameter θ = 1 with gradient g = 2θ (loss θ²), stepped by hand as torch.optim documents. */
function stepsOf(name: 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad', lr: number, opts = {}, n = 3) {
  const net = new Network(reference, 'float64', 1, [{ units: 1, activation: 'identity' }]);
  net.params.set([1, 0.5]); // W, b
  const opt = new Optimizer(net, name, opts);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    net.grads.set([2 * net.params[0], 2 * net.params[1]]);
    opt.step(lr);
    out.push(net.params[0], net.params[1]);
  }
  return out;
}

test('optimizers follow torch.optim update rules (hand-computed)', () => {
  // SGD: θ −= lr g
  let w = 1; const r: number[] = [];
  for (let i = 0; i < 3; i++) { w -= 0.1 * 2 * w; r.push(w); }
  stepsOf('sgd', 0.1).filter((_, i) => i % 2 === 0).forEach((v, i) => close(v, r[i], 1e-15, 'sgd'));
  // momentum μ = 0.9: buf = g (first), then μ buf + g; θ −= lr buf.  Nesterov: θ −= lr (g + μ buf)
  for (const nesterov of [false, true]) {
    let t = 1, buf = 0; const want: number[] = [];
    for (let i = 0; i < 3; i++) {
      const g = 2 * t;
      buf = i === 0 ? g : 0.9 * buf + g;
      t -= 0.1 * (nesterov ? g + 0.9 * buf : buf);
      want.push(t);
    }
    stepsOf(nesterov ? 'nesterov' : 'momentum', 0.1).filter((_, i) => i % 2 === 0).forEach((v, i) => close(v, want[i], 1e-15, nesterov ? 'nesterov' : 'momentum'));
  }
  // Adam: m, v with bias correction
  {
    let t = 1, m = 0, v = 0; const want: number[] = [];
    for (let k = 1; k <= 3; k++) {
      const g = 2 * t;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      t -= (0.01 / (1 - 0.9 ** k)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** k) + 1e-8);
      want.push(t);
    }
    stepsOf('adam', 0.01).filter((_, i) => i % 2 === 0).forEach((v2, i) => close(v2, want[i], 1e-14, 'adam'));
  }
  // AdamW: θ *= 1 − lr wd first (weights only: the bias is not decayed)
  {
    const a = stepsOf('adamw', 0.01, { weightDecay: 0.1 }, 1);
    const plain = stepsOf('adam', 0.01, {}, 1);
    close(a[0], 1 * (1 - 0.01 * 0.1) - (1 - plain[0]), 1e-14, 'adamw W');
    close(a[1], plain[1], 1e-15, 'adamw b (no decay)');
  }
  // RMSprop α = 0.99, ε = 1e-8; Adagrad ε = 1e-10
  {
    let t = 1, s = 0, sum = 0, t2 = 1;
    const wantR: number[] = []; const wantA: number[] = [];
    for (let k = 0; k < 3; k++) {
      const g = 2 * t; s = 0.99 * s + 0.01 * g * g; t -= 0.01 * g / (Math.sqrt(s) + 1e-8); wantR.push(t);
      const g2 = 2 * t2; sum += g2 * g2; t2 -= 0.1 * g2 / (Math.sqrt(sum) + 1e-10); wantA.push(t2);
    }
    stepsOf('rmsprop', 0.01).filter((_, i) => i % 2 === 0).forEach((v, i) => close(v, wantR[i], 1e-14, 'rmsprop'));
    stepsOf('adagrad', 0.1).filter((_, i) => i % 2 === 0).forEach((v, i) => close(v, wantA[i], 1e-14, 'adagrad'));
  }
  // L2 weight decay on W only: g' = g + λθ
  const d = stepsOf('sgd', 0.1, { weightDecay: 0.5 }, 1);
  close(d[0], 1 - 0.1 * (2 + 0.5), 1e-15, 'sgd wd W');
  close(d[1], 0.5 - 0.1 * 1, 1e-15, 'sgd wd b');
});

test('learning-rate schedules', () => {
  const step = new LrScheduler(1, { type: 'step', stepSize: 2, gamma: 0.5 }, 10);
  assert.deepEqual([0, 1, 2, 3, 4].map((e) => step.lrAt(e)), [1, 1, 0.5, 0.5, 0.25]);
  const exp = new LrScheduler(1, { type: 'exponential', gamma: 0.9 }, 10);
  close(exp.lrAt(3), 0.729, 1e-15);
  const cos = new LrScheduler(1, { type: 'cosine', warmup: 2, minLr: 0 }, 10);
  assert.deepEqual([0, 1].map((e) => cos.lrAt(e)), [1 / 3, 2 / 3]);
  close(cos.lrAt(2), 1); close(cos.lrAt(6), 0.5); close(cos.lrAt(10), 0, 1e-15);
  const p = new LrScheduler(1, { type: 'plateau', patience: 1, factor: 0.1 }, 10);
  for (const l of [1, 0.5, 0.6, 0.6]) p.observe(l);
  close(p.lrAt(4), 0.1);
});

test('gradient clipping caps the global norm', () => {
  const net = new Network(reference, 'float64', 3, [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }]);
  net.initialize(new Rng(1));
  const x = Float64Array.from([1, -2, 3, 0.5, 0.25, -1]);
  const y = Float64Array.from([10, -10, 5, 3]);
  net.zeroGrad();
  net.forward(x, 2);
  net.lossAndDelta('mse', y, 2);
  net.backward(2);
  const before = clipGradNorm(net, 0.01);
  assert.ok(before > 0.01, `the test needs a norm above the cap, got ${before}`);
  const after = Math.sqrt(reference.sumSquares(net.grads, net.size));
  close(after, 0.01 * before / (before + 1e-6), 1e-12, 'norm after clipping');
  // and through fit: the same clipping keeps training finite at a learning rate where it would not be
  const { x: ix, y: iy } = datasets.iris();
  const m = new MLP({ hidden: [4], seed: 1 });
  const h = m.fit(ix, iy, { epochs: 1, clipNorm: 0.01, batchSize: 150 });
  assert.ok(Number.isFinite(h.epochs[0].loss));
});

test('early stopping restores the best weights; callbacks stop training; validation is reported', () => {
  const { x, y } = datasets.iris();
  const m = new MLP({ hidden: [8], seed: 1 });
  const weightsAt = new Map<number, number[]>();
  const h = m.fit(x, y, { epochs: 500, learningRate: 0.05, validationSplit: 0.3, earlyStopping: { patience: 5, minDelta: 0 }, onEpochEnd: (e) => void weightsAt.set(e.epoch, Array.from(m.parameters())) });
  assert.equal(h.stopReason, 'earlyStopping');
  assert.ok(h.epochs.length < 500);
  const best = h.epochs.find((e) => e.epoch === h.bestEpoch)!;
  assert.equal(best.valLoss, h.bestLoss);
  // the weights the model ends with are those it had at the best epoch, not the last one's
  assert.ok(h.bestEpoch < h.epochs[h.epochs.length - 1].epoch, 'the test needs the best epoch to be before the last');
  assert.deepEqual(Array.from(m.parameters()), weightsAt.get(h.bestEpoch));
  assert.notDeepEqual(Array.from(m.parameters()), weightsAt.get(h.epochs[h.epochs.length - 1].epoch));
  assert.equal(m.evaluate(x, y).loss > 0, true);
  assert.ok(h.epochs.every((e) => typeof e.valLoss === 'number' && typeof e.valMetric === 'number'));
  const m2 = new MLP({ hidden: [8], seed: 1 });
  const h2 = m2.fit(x, y, { epochs: 50, onEpochEnd: (e) => e.epoch < 3 });
  assert.equal(h2.stopReason, 'callback');
  assert.equal(h2.epochs.length, 3);
});

test('fitAsync yields and stops on AbortSignal; trainer steps one batch at a time', async () => {
  const { x, y } = datasets.iris();
  const m = new MLP({ hidden: [8], seed: 1 });
  const ac = new AbortController();
  let batches = 0;
  const h = await m.fitAsync(x, y, { epochs: 100, batchSize: 10, signal: ac.signal, onBatchEnd: () => { if (++batches === 7) ac.abort(); } });
  assert.equal(h.stopReason, 'aborted');
  assert.equal(batches, 7);
  const t = new MLP({ hidden: [8], seed: 1 }).trainer(x, y, { epochs: 2, batchSize: 50 });
  const steps = [];
  for (let s = t.step(); s; s = t.step()) steps.push(s);
  assert.equal(steps.length, 6);
  assert.ok(steps[2].epoch && steps[5].epoch && !steps[0].epoch);
  assert.equal(t.history!.epochs.length, 2);
  // the same batches as fit with the same seed
  const f = new MLP({ hidden: [8], seed: 1 });
  f.fit(x, y, { epochs: 2, batchSize: 50 });
  const viaTrainer = new MLP({ hidden: [8], seed: 1 });
  const tr = viaTrainer.trainer(x, y, { epochs: 2, batchSize: 50 });
  while (tr.step());
  assert.deepEqual(Array.from(viaTrainer.parameters()), Array.from(f.parameters()));
});
