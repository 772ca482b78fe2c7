// mlpkit export / import as a user runs them: a trained model goes out as ONNX, PyTorch and TF.js
// files and comes back with the same predictions; a file that is not a model is refused (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, mlpkit, tempDir } from './helpers.ts';

test('mlpkit export --format onnx|pytorch|tfjs, then mlpkit import: the same predictions', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const iris = join(DATA, 'iris.csv');
    const tr = await mlpkit(['train', iris, '--target', 'label', '--epochs', '30', '--seed', '1', '-q', '--out', 'm.json'], dir);
    assert.equal(tr.code, 0, tr.stderr);
    const want = await mlpkit(['predict', 'm.json', iris, '--proba'], dir);
    assert.equal(want.code, 0, want.stderr);
    const exports: [string, string, string[], string][] = [
      ['onnx', 'm.onnx', ['m.onnx'], 'm.onnx'],
      ['pytorch', 'py/m.safetensors', ['py/m.safetensors', 'py/m.py'], 'py/m.safetensors'],
      ['tfjs', 'web', ['web/model.json', 'web/group1-shard1of1.bin'], 'web'],
    ];
    for (const [format, out, files, from] of exports) {
      const ex = await mlpkit(['export', 'm.json', '--format', format, '--out', out], dir);
      assert.equal(ex.code, 0, ex.stderr);
      for (const f of files) assert.ok(existsSync(join(dir, f)), `${format}: wrote ${f}`);
      const im = await mlpkit(['import', from, '--out', `${format}.json`, '--json'], dir);
      assert.equal(im.code, 0, im.stderr);
      assert.equal(JSON.parse(im.stdout).format, format === 'pytorch' ? 'safetensors' : format);
      const got = await mlpkit(['predict', `${format}.json`, iris, '--proba'], dir);
      assert.equal(got.code, 0, got.stderr);
      // labels identical; probabilities within 1e-5 relative (the scaler is folded into float32 weights)
      const rows = (s: string) => s.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
      const [a, b] = [rows(got.stdout), rows(want.stdout)];
      assert.equal(a.length, 150);
      a.forEach((r, i) => {
        assert.equal(r[0], b[i][0], `${format}: row ${i} label`);
        r.slice(1).forEach((p, k) => assert.ok(Math.abs(p - b[i][k + 1]) <= 1e-5 * Math.max(b[i][k + 1], 1e-6), `${format}: row ${i} p${k} ${p} vs ${b[i][k + 1]}`));
      });
    }
    writeFileSync(join(dir, 'junk.onnx'), 'this is not a model');
    const bad = await mlpkit(['import', 'junk.onnx'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^mlpkit: fromONNX: .*not an ONNX model/);
    assert.ok(!existsSync(join(dir, 'model.json')), 'nothing written for a refused file');
    const fmt = await mlpkit(['export', 'm.json', '--format', 'keras'], dir);
    assert.equal(fmt.code, 2);
  } finally {
    cleanup();
  }
});
