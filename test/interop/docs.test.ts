// docs/interop.md's script runs as written (examples/interop.ts is the same code): onnxruntime-web
// and mlpkit print the same probabilities, and the PyTorch and TF.js round trips the same labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

test('docs/interop.md: examples/interop.ts runs and its routes agree', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/interop.ts'], { encoding: 'utf8' });
  const line = (name: string) => new RegExp(`^${name}\\s+(.*)$`, 'm').exec(out)?.[1];
  assert.ok(line('onnxruntime'), out);
  assert.equal(line('onnxruntime'), line('mlpkit'), out);
  assert.equal(line('from PyTorch'), "[ 'setosa', 'setosa' ]", out);
  assert.equal(line('from TF.js'), "[ 'setosa', 'setosa' ]", out);
  const doc = readFileSync('docs/interop.md', 'utf8');
  assert.ok(doc.includes(readFileSync('examples/interop.ts', 'utf8').trim()), 'docs/interop.md must show examples/interop.ts verbatim');
  assert.ok(doc.includes(out.trim()), 'docs/interop.md must show the script\'s output');
});
