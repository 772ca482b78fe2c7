// mlpkit against PyTorch 1.13 in float64 (test/golden/pytorch.json, made by make-golden.py beside it):
// the loss, every ∂L/∂W and ∂L/∂b, and the weights after three steps of every optimizer.
// Tolerance (stated): 1e-12 relative (max(1, |value|)) for the loss and gradients, 1e-10 after the steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type ActivationName, type LossName, type OptimizerName } from '../../src/index.ts';
import { Network, Optimizer, reference } from '../../src/lowlevel.ts';

interface Case {
  name: string; sizes: number[]; acts: ActivationName[]; out: ActivationName; loss: LossName; B: number;
  W: number[][][]; b: number[][]; x: number[][]; y: number[][]; L: number; dW: number[][][]; db: number[][];
  steps: Record<string, { lr: number; weightDecay?: number; W: number[][][]; b: number[][] }>;
}
const golden = JSON.parse(readFileSync(new URL('../golden/pytorch.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

function build(c: Case) {
  const specs = c.sizes.slice(1).map((units, l) => ({ units, activation: l < c.acts.length ? c.acts[l] : c.out }));
  const net = new Network(reference, 'float64', c.sizes[0], specs);
  net.layers.forEach((layer, l) => {
    layer.W.set(c.W[l].flat());
    layer.b.set(c.b[l]);
  });
  return { net, X: Float64Array.from(c.x.flat()), Y: Float64Array.from(c.y.flat()) };
}

function step(net: Network, c: Case, X: Float64Array, Y: Float64Array) {
  net.zeroGrad();
  net.forward(X, c.B, c.loss === 'bce' || c.loss === 'crossentropy');
  const L = net.lossAndDelta(c.loss, Y, c.B);
  net.backward(c.B);
  return L;
}

const near = (got: ArrayLike<number>, want: number[], tol: number, what: string) => {
  assert.equal(got.length, want.length, what);
  want.forEach((w, k) => assert.ok(Math.abs(got[k] - w) <= tol * Math.max(1, Math.abs(w)), `${what}[${k}]: mlpkit ${got[k]} vs PyTorch ${w}`));
};

for (const c of golden.cases) {
  test(`PyTorch ${golden.torch} golden: ${c.name}: loss and gradients`, () => {
    const { net, X, Y } = build(c);
    const L = step(net, c, X, Y);
    near([L], [c.L], 1e-12, 'loss');
    net.layers.forEach((layer, l) => {
      near(layer.dW, c.dW[l].flat(), 1e-12, `dW${l + 1}`);
      near(layer.db, c.db[l], 1e-12, `db${l + 1}`);
    });
  });
  for (const [name, s] of Object.entries(c.steps)) {
    test(`PyTorch ${golden.torch} golden: ${c.name}: 3 steps of ${name}${s.weightDecay ? ` (weight decay ${s.weightDecay})` : ''}`, () => {
      const { net, X, Y } = build(c);
      const opt = new Optimizer(net, name as OptimizerName, { weightDecay: s.weightDecay ?? (name === 'adamw' ? 0 : undefined) });
      for (let k = 0; k < 3; k++) {
        step(net, c, X, Y);
        opt.step(s.lr);
      }
      net.layers.forEach((layer, l) => {
        near(layer.W, s.W[l].flat(), 1e-10, `W${l + 1}`);
        near(layer.b, s.b[l], 1e-10, `b${l + 1}`);
      });
    });
  }
}
