// Backprop against central finite differences in float64, for every activation × loss pair,
// batch sizes 1 to 16, including pre-activations about ±50.
// Criterion (stated): |g − n| / max(|g|, |n|, 1e-5 · max(1, |L|)) < 1e-6 for every checked entry, where n is the
// fourth-order central difference with h = 1e-4 (see src/inspect/inspect.ts, gradCheck).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheck, gradients, jacobian, trace, MLP } from '../../src/index.ts';
import { Rng, reference } from '../../src/lowlevel.ts';
import { allCases, buildCase } from '../helpers/cases.ts';

const TOL = 1e-6;

for (const c of allCases()) {
  test(`gradCheck float64: ${c.name}`, () => {
    const { model, x, y } = buildCase(c);
    const r = gradCheck(model, x, y, { tolerance: TOL, floor: 1e-5 });
    for (const e of r.entries) {
      assert.ok(e.passed, `layer ${e.layer} ${e.param}: max relative error ${e.maxRelError.toExponential(2)} ≥ ${TOL} at ${e.worst}`);
      assert.ok(Number.isFinite(e.maxAbsError));
    }
    assert.ok(Number.isFinite(r.loss), `loss ${r.loss}`);
  });
}

test('gradCheck can fail: a backward pass that drops f\'(a) is caught', () => {
  const { model, x, y } = buildCase({ name: '', hidden: 'tanh', output: 'identity', loss: 'mse', B: 4, extreme: 0 });
  assert.ok(gradCheck(model, x, y).passed);
  // break the reference kernel (gradCheck runs on it in float64): δ = ∂L/∂h, forgetting ∘ f'(a)
  const original = reference.activationBackward;
  reference.activationBackward = (kind, alpha, a, h, dh, delta, n) => {
    for (let k = 0; k < n; k++) delta[k] = dh[k];
  };
  try {
    const bad = gradCheck(model, x, y);
    assert.equal(bad.passed, false);
    assert.ok(bad.entries.find((e) => e.layer === 1)!.maxRelError > 1e-2);
  } finally {
    reference.activationBackward = original;
  }
});

test('jacobian agrees with finite differences of predictions (softmax and regression outputs)', () => {
  for (const [task, out] of [['classification', 'softmax'], ['regression', 'identity']] as const) {
    const model = new MLP({ task, hidden: [6], activation: 'tanh', outputActivation: out, dtype: 'float64', seed: 1 });
    const rng = new Rng(5);
    const x = Array.from({ length: 20 }, () => [rng.normal(), rng.normal() * 3 + 1, rng.normal()]);
    const y = task === 'classification' ? x.map((_, i) => i % 3) : x.map((r) => [r[0] + r[1], r[2]]);
    model.fit(x, y, { epochs: 3 });
    const x0 = [0.3, 1.7, -0.4];
    const J = jacobian(model, x0);
    const f = (v: number[]): number[] => (task === 'classification' ? model.predictProba([v])[0] : (model.predict([v]) as number[][])[0]);
    const h = 1e-5;
    for (let j = 0; j < 3; j++) {
      const xp = x0.slice();
      const xm = x0.slice();
      xp[j] += h;
      xm[j] -= h;
      const fp = f(xp);
      const fm = f(xm);
      for (let k = 0; k < J.length; k++) {
        const n = (fp[k] - fm[k]) / (2 * h);
        assert.ok(Math.abs(J[k][j] - n) <= 1e-7 * Math.max(1, Math.abs(n)), `J[${k}][${j}] = ${J[k][j]} vs ${n}`);
      }
    }
  }
});

test('trace agrees with gradients, layer by layer, and its factors multiply out', () => {
  const { model, x, y } = buildCase({ name: '', hidden: 'sigmoid', output: 'softmax', loss: 'crossentropy', B: 1, extreme: 0 });
  const t = trace(model, x[0], (y as number[])[0]);
  const g = gradients(model, [x[0]], [(y as number[])[0]]);
  assert.ok(Math.abs(t.L - g.loss) < 1e-12);
  t.layers.forEach((l, i) => {
    l.dW.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - g.layers[i].dW[r][c]) < 1e-12)));
    l.db.forEach((v, r) => assert.ok(Math.abs(v - g.layers[i].db[r]) < 1e-12));
    // δ = ∂L/∂h ∘ f'(a) for elementwise layers; ∂L/∂W = δ xᵀ
    if (l.fprime) l.delta.forEach((d, j) => assert.ok(Math.abs(d - l.dLdh[j] * l.fprime![j]) < 1e-12));
    l.dW.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - l.delta[r] * l.x[c]) < 1e-12)));
  });
  // the softmax output: δ_L = J_softmaxᵀ ∂L/∂h, and = p − y for cross-entropy
  const out = t.layers.at(-1)!;
  out.delta.forEach((d, j) => {
    const viaJ = out.jacobian!.reduce((s, row, i) => s + row[j] * out.dLdh[i], 0);
    assert.ok(Math.abs(d - viaJ) < 1e-9);
    assert.ok(Math.abs(d - (out.h[j] - t.y[j])) < 1e-12);
  });
  // hidden ∂L/∂h is δ_{l+1} W_{l+1}: re-used from the layer above
  for (let l = 0; l < t.layers.length - 1; l++) {
    const up = t.layers[l + 1];
    t.layers[l].dLdh.forEach((v, j) => assert.ok(Math.abs(v - up.delta.reduce((s, d, r) => s + d * up.W[r][j], 0)) < 1e-12));
  }
});
