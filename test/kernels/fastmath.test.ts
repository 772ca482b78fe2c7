// The wasm kernels' float32 exp, tanh and sigmoid polynomials (wasm/sgemm.c) against Math.exp,
// Math.tanh and the float64 sigmoid rounded to float32, on every 65,536th float32 bit pattern
// (65,536 inputs across the whole range, both signs, subnormals, ±Infinity, NaN) plus the edges:
// within 2 ulps (exp, tanh) and 3 ulps (sigmoid) where the result is a normal float32 (one more
// than measured over every 64th pattern, since this test samples other inputs), within
// 2⁻¹⁴⁹ (one subnormal step) below that; NaN → NaN; ±Infinity → exp: Infinity / 0, tanh: ±1,
// sigmoid: 1 / 0. docs/backends.md gives the figures over every 64th pattern
// (bench/kernels/fastmath-error.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend } from '../../src/kernels/select.ts';
import { wasmExp64, wasmFastMath } from '../../src/kernels/wasm.ts';
import { Rng } from '../../src/tensor/rng.ts';

const sig = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const key = (v: number) => { f32[0] = v; const u = u32[0]; return u & 0x80000000 ? -(u & 0x7fffffff) : u; };

test('wasm exp, tanh, sigmoid: within 2, 2, 3 float32 ulps over the whole range; NaN and ±Infinity handled', () => {
  const be = getBackend('wasm-simd');
  const edges = [0, -0, 1e-45, -1e-45, 1.1754944e-38, 88.72, 88.73, 89, 1e30, -87.3, -103.9, -104, -1e30, Infinity, -Infinity, NaN, 0.625, -0.625, 0.62499994, 9, -9, 20];
  const n = 65536 + edges.length;
  const x = be.alloc(n, 'float32') as Float32Array, out = be.alloc(n, 'float32') as Float32Array;
  const xi = new Uint32Array(x.buffer, x.byteOffset, n);
  for (let i = 0; i < 65536; i++) xi[i] = i * 65536 + 12345;
  x.set(edges, 65536);
  for (const [name, ref, maxUlps] of [['exp', Math.exp, 2], ['tanh', Math.tanh, 2], ['sigmoid', sig, 3]] as const) {
    assert.ok(wasmFastMath(name, x, out, n), 'the wasm engine runs here');
    for (let i = 0; i < n; i++) {
      const v = x[i], got = out[i], want = Math.fround(ref(v));
      if (Number.isNaN(v)) { assert.ok(Number.isNaN(got), `${name}(NaN) = ${got}`); continue; }
      if (!Number.isFinite(want) || Math.abs(want) >= 2 ** -126) {
        if (!Number.isFinite(want)) assert.equal(got, want, `${name}(${v})`);
        else assert.ok(Math.abs(key(got) - key(want)) <= maxUlps, `${name}(${v}) = ${got}, want ${want} (${Math.abs(key(got) - key(want))} ulps)`);
      } else assert.ok(Math.abs(got - want) <= 2 ** -149, `${name}(${v}) = ${got}, want ${want} (subnormal)`);
    }
  }
});

test('the float64 exp of the wasm softmax equals Math.exp bit for bit (random bit patterns, softmax\'s range, edges)', () => {
  // the softmax of forward_rows must give the js backend's bits, so its exp must be Math.exp's
  const rng = new Rng(11);
  const n = 1 << 18;
  const x = new Float64Array(n);
  const u = new Uint32Array(x.buffer);
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) { u[2 * i] = rng.uniform() * 2 ** 32; u[2 * i + 1] = rng.uniform() * 2 ** 32; } // any double
    else x[i] = Math.fround(-rng.uniform() * [0, 2, 40, 800][i % 4]) - Math.fround(rng.uniform()); // a − max of float32s
  }
  x.set([0, -0, 1, -1, 0.5, -0.5, 1e-300, -1e-300, 709.78, 709.79, -745.13, -745.14, -708.4, -708.5, Infinity, -Infinity, NaN, 0.34657359027997264, 1.0397207708399179]);
  const got = wasmExp64(x);
  assert.ok(got, 'the wasm engine runs here');
  for (let i = 0; i < n; i++) {
    const want = Math.exp(x[i]);
    if (!Object.is(got[i], want) && !(Number.isNaN(want) && Number.isNaN(got[i]))) assert.fail(`exp(${x[i]}) = ${got[i]}, Math.exp gives ${want}`);
  }
});
