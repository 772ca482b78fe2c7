// The README's example runs as written (examples/iris.ts is the same code) and reaches 95%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

test('README example: examples/iris.ts runs, prints test accuracy ≥ 0.95 and the first sample\'s class', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/iris.ts'], { encoding: 'utf8' });
  const acc = Number(/test accuracy ([\d.]+)/.exec(out)?.[1]);
  assert.ok(acc >= 0.95, `accuracy ${acc} in:\n${out}`);
  assert.match(out, /\[ 0 \]/);
  const readme = readFileSync('README.md', 'utf8');
  const code = readFileSync('examples/iris.ts', 'utf8').trim();
  assert.ok(readme.includes(code), 'README.md must show examples/iris.ts verbatim');
});

test('low-level example: the hand-written loop learns XOR', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/low-level-xor.ts'], { encoding: 'utf8' });
  const L = Number(/loss ([\d.e-]+)/.exec(out)?.[1]);
  assert.ok(L < 0.05, `final loss ${L} in:\n${out}`);
  const outs = /outputs (.*)/.exec(out)![1].split(' ').map(Number);
  assert.deepEqual(outs.map((v) => (v > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
});
