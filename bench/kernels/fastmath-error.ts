// Error of the wasm kernels' float32 exp, tanh and sigmoid (wasm/sgemm.c: exp4, tanh4, sigmoid4)
// against Math.exp / Math.tanh / the float64 sigmoid rounded to float32, over the whole float32
// range: every `stride`-th bit pattern (both signs, subnormals, ±Infinity and NaN included).
// Reports the largest error in float32 ulps (of the correctly rounded result) and where it occurs,
// the largest absolute error among results below FLT_MIN (subnormal), and NaN/Infinity handling.
// Usage: node --import tsx bench/kernels/fastmath-error.ts [stride, default 64]
import { getBackend } from '../../src/kernels/select.ts';
import { wasmFastMath } from '../../src/kernels/wasm.ts';

const stride = Number(process.argv[2] ?? 64);
const be = getBackend('wasm-simd');
const CHUNK = 1 << 20;
const x = be.alloc(CHUNK, 'float32') as Float32Array, out = be.alloc(CHUNK, 'float32') as Float32Array;
const xi = new Uint32Array(x.buffer, x.byteOffset, CHUNK);
const sig = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
/** Distance in float32 ulps between a and b (both float32 values), counting across zero. */
function ulps(a: number, b: number): number {
  const key = (v: number) => { f32[0] = v; const u = u32[0]; return u & 0x80000000 ? -(u & 0x7fffffff) : u; };
  return Math.abs(key(a) - key(b));
}
console.log(`# float32 polynomial error over every ${stride}th float32 bit pattern (${Math.floor(2 ** 32 / stride).toLocaleString('en-US')} inputs)`);
console.log('| function | max error (ulps), normal results | at x = | max abs error, subnormal results | NaN in → NaN out | non-finite out for finite x |');
console.log('|---|---|---|---|---|---|');
for (const [name, ref] of [['exp', Math.exp], ['tanh', Math.tanh], ['sigmoid', sig]] as const) {
  let worst = 0, at = 0, sub = 0, nanOk = true, bad = 0;
  for (let start = 0; start < 2 ** 32; start += stride * CHUNK) {
    const n = Math.min(CHUNK, Math.ceil((2 ** 32 - start) / stride));
    for (let i = 0; i < n; i++) xi[i] = start + i * stride;
    wasmFastMath(name, x, out, n);
    for (let i = 0; i < n; i++) {
      const v = x[i], got = out[i];
      if (Number.isNaN(v)) { if (!Number.isNaN(got)) nanOk = false; continue; }
      const want = Math.fround(ref(v));
      if (!Number.isFinite(got) && Number.isFinite(want)) bad++;
      if (Math.abs(want) < 2 ** -126) { sub = Math.max(sub, Math.abs(got - want)); continue; }
      const e = ulps(got, want);
      if (e > worst) { worst = e; at = v; }
    }
  }
  console.log(`| ${name} | ${worst} | ${at.toPrecision(7)} | ${sub === 0 ? '0' : sub.toExponential(2)} | ${nanOk ? 'yes' : 'NO'} | ${bad} |`);
}
