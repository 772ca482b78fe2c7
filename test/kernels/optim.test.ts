// Optimizer kernels of every float32 backend against the reference backend, over several steps,
// on sizes below and above the wasm and threading thresholds, with and without weight decay:
// SGD (plain, momentum, dampening, Nesterov), Adam, AdamW, RMSprop (with and without momentum),
// Adagrad, and the clipping norm (sumSquares, scale).
//
// Tolerances:
// - the SGD family, scale and (up to summation order) sumSquares are computed in float64 as the
//   reference does: SGD and scale must be bit-identical, sumSquares within 1e-12 relative;
// - Adam, RMSprop and Adagrad run in float32 on the wasm backends (PyTorch's arithmetic); per step
//   each of the few operations rounds to float32, so after T steps a state value s (m, v, sum,
//   the momentum buffer) may differ by 2⁻²⁰·Σ_t (|s_{t−1}| + |s_t|) (s_t the reference's after step t:
//   this bounds the terms of each update, which may cancel, as in m) and each parameter by
//   2⁻²²·T·|θ| + 2⁻¹⁹·Σ_t |Δθ_t| (|Δθ_t| the reference's update at step t; θ is rounded to float32
//   up to twice per step, AdamW's decay and the update, by either side).
// - every thread count gives the same bits (test/kernels/threads.test.ts runs them on 2 threads).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { reference } from '../../src/kernels/reference.ts';
import { getBackend, listBackends, setThreads } from '../../src/kernels/select.ts';
import { disposeWasm, setWasmAdaptive, waitForWorkers, wasmInfo } from '../../src/kernels/wasm.ts';
import type { Backend } from '../../src/kernels/backend.ts';
import { Rng } from '../../src/tensor/rng.ts';

// every large enough job split, even on a busy machine (the tests check that the split ran)
setWasmAdaptive(false);
after(() => disposeWasm());

const backends: Backend[] = listBackends().filter((n) => n !== 'reference').map((n) => getBackend(n, 'float32'));
const SIZES = [1, 7, 37, 300, 70001];
const T = 5;

type Step = (be: Backend, arrs: Float32Array[], n: number, t: number) => void;
interface Case { name: string; state: number; step: Step; exact: boolean }

const cases: Case[] = [];
for (const wd of [0, 0.01]) {
  cases.push({ name: `sgd wd=${wd}`, state: 0, exact: true, step: (be, [p, g], n) => be.sgdStep(p, g, null, n, 0.1, 0, 0, false, wd, false) });
  for (const [mom, damp, nest] of [[0.9, 0, false], [0.9, 0.1, false], [0.8, 0, true]] as const) {
    cases.push({ name: `sgd μ=${mom} dampening=${damp} nesterov=${nest} wd=${wd}`, state: 1, exact: true, step: (be, [p, g, b], n, t) => be.sgdStep(p, g, b, n, 0.05, mom, damp, nest, wd, t === 1) });
  }
  for (const decoupled of [false, true]) {
    cases.push({ name: `${decoupled ? 'adamw' : 'adam'} wd=${wd}`, state: 2, exact: false, step: (be, [p, g, m, v], n, t) => be.adamStep(p, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, wd, decoupled, t) });
  }
  for (const mom of [0, 0.9]) {
    cases.push({ name: `rmsprop μ=${mom} wd=${wd}`, state: 2, exact: false, step: (be, [p, g, s, b], n) => be.rmspropStep(p, g, s, mom > 0 ? b : null, n, 0.01, 0.99, 1e-8, mom, wd) });
  }
  cases.push({ name: `adagrad wd=${wd}`, state: 1, exact: false, step: (be, [p, g, s], n) => be.adagradStep(p, g, s, n, 0.01, 1e-10, wd) });
}

/** T steps of c on be and on reference from the same start: both sets of arrays [θ, g, …state], and per array Σ_t of the reference's |change| (θ) or |s_{t−1}| + |s_t| (state). */
function run(be: Backend, c: Case, n: number, seed: number): { got: Float32Array[]; want: Float32Array[]; scale: Float64Array[] } {
  const rng = new Rng(seed);
  const p0 = Float32Array.from({ length: n }, () => rng.normal(0, 1));
  const grads = Array.from({ length: T }, () => Float32Array.from({ length: n }, () => rng.normal(0, 0.5)));
  const got = [p0, new Float32Array(n), ...Array.from({ length: c.state }, () => new Float32Array(n))].map((a) => {
    const b = be.alloc(n, 'float32') as Float32Array;
    b.set(a);
    return b;
  });
  const want = [new Float32Array(p0), new Float32Array(n), ...Array.from({ length: c.state }, () => new Float32Array(n))];
  const scale = want.map(() => new Float64Array(n));
  for (let t = 1; t <= T; t++) {
    got[1].set(grads[t - 1]);
    want[1].set(grads[t - 1]);
    const before = want.map((a) => new Float32Array(a));
    c.step(be, got, n, t);
    c.step(reference, want, n, t);
    for (let i = 0; i < n; i++) scale[0][i] += Math.abs(want[0][i] - before[0][i]);
    for (let a = 2; a < want.length; a++) for (let i = 0; i < n; i++) scale[a][i] += Math.abs(before[a][i]) + Math.abs(want[a][i]);
  }
  return { got, want, scale };
}

for (const be of backends) {
  test(`${be.name}: every optimizer step agrees with reference over ${T} steps (sizes ${SIZES.join(', ')})`, () => {
    for (const c of cases) {
      for (const n of SIZES) {
        const { got, want, scale } = run(be, c, n, n + 17);
        for (let a = 0; a < got.length; a++) {
          if (a === 1) continue; // the gradient (read only; AdamW/Adam do not change it)
          for (let i = 0; i < n; i++) {
            const x = got[a][i], y = want[a][i];
            const tol = c.exact ? 0 : a === 0 ? 2 ** -22 * T * Math.abs(y) + 2 ** -19 * scale[0][i] : 2 ** -20 * scale[a][i];
            if (!(Math.abs(x - y) <= tol)) assert.fail(`${be.name} ${c.name} n=${n}: ${a === 0 ? 'θ' : `state ${a - 2}`}[${i}] = ${x}, reference ${y}, |err| ${Math.abs(x - y)} > ${tol}`);
          }
        }
      }
    }
  });

  test(`${be.name}: sumSquares and scale (the clipping norm) agree with reference`, () => {
    const rng = new Rng(2);
    for (const n of SIZES) {
      const x0 = Float32Array.from({ length: n }, () => rng.normal(0, 3));
      const x = be.alloc(n, 'float32') as Float32Array;
      x.set(x0);
      const want = reference.sumSquares(x0, n);
      const got = be.sumSquares(x, n);
      assert.ok(Math.abs(got - want) <= 1e-12 * want, `${be.name} sumSquares n=${n}: ${got} vs ${want}`);
      be.scale(x, 0.3, n);
      reference.scale(x0, 0.3, n);
      assert.deepEqual(Array.from(x), Array.from(x0), `${be.name} scale n=${n}`);
    }
    const x = be.alloc(1000, 'float32') as Float32Array;
    x[500] = NaN;
    assert.ok(Number.isNaN(be.sumSquares(x, 1000)), 'a NaN gradient gives a NaN norm');
  });
}

test('wasm optimizer steps and the norm on 2 threads: the same bits as on 1 thread, and really split', async () => {
  const be = getBackend('wasm-simd');
  setThreads(2);
  await waitForWorkers(10000);
  const n = 200003; // large enough to split, not a multiple of the 16-element granule
  for (const c of cases) {
    setThreads(1);
    const one = run(be, c, n, 5).got;
    setThreads(2);
    const before = wasmInfo()!.threadedCalls;
    const two = run(be, c, n, 5).got;
    assert.ok(wasmInfo()!.threadedCalls > before, `${c.name}: expected the update to be split over threads`);
    for (let a = 0; a < one.length; a++) for (let i = 0; i < n; i++) if (!Object.is(one[a][i], two[a][i])) assert.fail(`${c.name}: array ${a} entry ${i}: ${one[a][i]} (1 thread) vs ${two[a][i]} (2 threads)`);
  }
  const x = be.alloc(n, 'float32') as Float32Array;
  const rng = new Rng(8);
  for (let i = 0; i < n; i++) x[i] = rng.normal(0, 1);
  setThreads(1);
  const s1 = be.sumSquares(x, n);
  setThreads(2);
  const before = wasmInfo()!.threadedCalls;
  assert.equal(be.sumSquares(x, n), s1);
  assert.ok(wasmInfo()!.threadedCalls > before, 'expected sumSquares to be split');
});
