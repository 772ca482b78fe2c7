// The relaxed-SIMD build (f32x4.relaxed_madd) against the reference. Node 20 has relaxed SIMD only
// behind --experimental-wasm-relaxed-simd, so the check runs in a child process with that flag;
// where this Node has it on by default, conformance.test.ts already covers "wasm-relaxed".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listBackends } from '../../src/kernels/select.ts';

test('wasm-relaxed gemm agrees with the float64 reference (child with relaxed SIMD enabled)', (t) => {
  if (listBackends().includes('wasm-relaxed')) {
    t.skip('relaxed SIMD is on by default here: conformance.test.ts covers wasm-relaxed');
    return;
  }
  const script = fileURLToPath(new URL('./relaxed-check.ts', import.meta.url));
  let text: string;
  try {
    text = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], { encoding: 'utf8', env: { ...process.env, MLPKIT_THREADS: '1' } });
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? e);
    if (/bad option|not allowed/i.test(msg)) {
      t.skip(`this Node does not know --experimental-wasm-relaxed-simd: ${msg.split('\n')[0]}`);
      return;
    }
    throw e;
  }
  const r = JSON.parse(text.trim().split('\n').pop()!) as { backends: string[]; checked: number; failures: string[] };
  assert.ok(r.backends.includes('wasm-relaxed'), `expected wasm-relaxed with the flag, got ${r.backends.join(', ')}`);
  assert.equal(r.checked, 48);
  assert.deepEqual(r.failures, []);
});

test('MLPKIT_RELAXED_SIMD=1 turns relaxed SIMD on in Node 20 and "auto" picks wasm-relaxed', (t) => {
  if (listBackends().includes('wasm-relaxed')) {
    t.skip('relaxed SIMD is on by default here');
    return;
  }
  const code = "import('./src/kernels/select.ts').then((s) => console.log(JSON.stringify({ list: s.listBackends(), auto: s.getBackend('auto').name })))";
  const text = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], {
    encoding: 'utf8', cwd: fileURLToPath(new URL('../../', import.meta.url)), env: { ...process.env, MLPKIT_RELAXED_SIMD: '1', MLPKIT_THREADS: '1' },
  });
  const r = JSON.parse(text.trim().split('\n').pop()!) as { list: string[]; auto: string };
  assert.deepEqual(r.list.slice(0, 2), ['wasm-relaxed', 'wasm-simd']);
  assert.equal(r.auto, 'wasm-relaxed');
});
