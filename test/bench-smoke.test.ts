// The reduced bench, run once: every registered mlpkit backend and tfjs's cpu backend on tiny
// W1-W3, each in its child process. Checks that it runs and trains correctly, and that the table
// and the targets are rendered. Never a timed assertion: speed belongs to `npm run bench`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench, mergeResults } from '../bench/run.ts';
import { renderMarkdown, label } from '../bench/report.ts';
import { paramCount } from '../bench/workloads.ts';

test('reduced bench: mlpkit backends and tfjs cpu run W1-W3 and train', { timeout: 120_000 }, async () => {
  const o = await runBench({ smoke: true, peers: ['mlpkit', 'tfjs:cpu'], groupWorkloads: true });
  const backends = o.backends;
  assert.ok(backends.includes('js') && backends.includes('reference'), `expected js and reference among ${backends.join(', ')}`);
  // the children reach the wasm backends and their thread control through the public entry points
  assert.ok(backends.some((b) => b.startsWith('wasm-')), `expected a wasm backend among ${backends.join(', ')}`);
  assert.ok(o.results.some((r) => r.peer === 'mlpkit' && r.variant.startsWith('wasm') && r.threads === 2), 'expected a 2-thread wasm row');
  assert.deepEqual(o.failures, [], 'no child process failed');

  for (const w of ['W1', 'W2', 'W3'] as const) {
    for (const b of backends) {
      const rows = o.results.filter((r) => r.peer === 'mlpkit' && r.variant === b && r.workload === w);
      assert.ok(rows.length >= 1, `${w}: a row for mlpkit backend ${b}`);
      for (const r of rows) {
        assert.ok(r.trainPerSec > 0 && Number.isFinite(r.trainPerSec), `${w} ${b}: samples/s is a positive number`);
        assert.ok(r.peakRssMiB > 10, `${w} ${b}: peak RSS read from the child (${r.peakRssMiB} MiB)`);
        assert.ok(Number.isFinite(r.lossFirst) && Number.isFinite(r.lossFinal), `${w} ${b}: finite losses`);
      }
    }
    assert.ok(o.results.some((r) => r.peer === 'tfjs' && r.variant === 'cpu' && r.workload === w), `${w}: a row for tfjs cpu`);
  }

  // W1 (softmax + cross-entropy on MNIST): the loss falls from the first epoch to the last, and
  // every mlpkit backend computes the same thing (float32, same seed): final losses within 1e-3
  const w1 = o.results.filter((r) => r.workload === 'W1');
  for (const r of w1) assert.ok(r.lossFinal < r.lossFirst, `W1 ${label(r)}: loss ${r.lossFirst} → ${r.lossFinal} should fall`);
  const mk1 = w1.filter((r) => r.peer === 'mlpkit');
  for (const r of mk1) assert.ok(Math.abs(r.lossFinal - mk1[0].lossFinal) <= 1e-3, `W1: ${label(r)} final loss ${r.lossFinal} vs ${label(mk1[0])} ${mk1[0].lossFinal}`);
  for (const r of w1) assert.ok(r.accuracy! > 0.1, `W1 ${label(r)}: test accuracy ${r.accuracy} above chance (0.1)`);

  // W2: 6 × params × samples/s, params of 64-64-64-10 counted by hand
  assert.equal(paramCount(o.specs.W2.sizes), 64 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10);
  for (const r of o.results.filter((r) => r.workload === 'W2')) {
    const p = paramCount(o.specs.W2.sizes);
    assert.ok(Math.abs(r.gflops! - (6 * p * r.trainPerSec) / 1e9) <= 1e-9 * Math.max(1, r.gflops!), `W2 ${label(r)}: GFLOP/s = 6·params·samples/s`);
  }

  // W3 (XOR, batch 1): MSE on the 4 points falls; mlpkit gets all 4 right
  for (const r of o.results.filter((r) => r.workload === 'W3')) {
    assert.ok(r.lossFinal < r.lossFirst, `W3 ${label(r)}: MSE ${r.lossFirst} → ${r.lossFinal} should fall`);
    if (r.peer === 'mlpkit') assert.equal(r.accuracy, 1, `W3 ${label(r)}: all 4 XOR points right`);
  }

  // A1 (Adam on MNIST) and T1 (Adam on tabular data), one fit call each: every backend trains, the
  // loss falls, accuracy beats chance (10 and 4 classes), and every backend computes the same
  // thing to 1e-3 (float32 Adam in wasm, float64 in js: not the same bits)
  for (const [w, chance] of [['A1', 0.1], ['T1', 0.25]] as const) {
    const rows = o.results.filter((r) => r.workload === w && r.peer === 'mlpkit');
    assert.deepEqual([...new Set(rows.map((r) => r.variant))].sort(), [...backends].sort(), `${w}: a row for every mlpkit backend`);
    for (const r of rows) {
      assert.ok(r.lossFinal < r.lossFirst, `${w} ${label(r)}: loss ${r.lossFirst} → ${r.lossFinal} should fall`);
      assert.ok(r.accuracy! > chance + 0.1, `${w} ${label(r)}: test accuracy ${r.accuracy}`);
      assert.ok(r.firstSeconds! > 0 && r.secondsTimed > 0, `${w} ${label(r)}: first-fit and fit seconds measured`);
      assert.ok(Math.abs(r.lossFinal - rows[0].lossFinal) <= 1e-3, `${w}: ${label(r)} final loss ${r.lossFinal} vs ${label(rows[0])} ${rows[0].lossFinal}`);
    }
  }

  const md = renderMarkdown(o);
  for (const h of ['## Targets (issue 4)', '### W1:', '### W2:', '### W3:', '### A1:', '### T1:', 'W3: mlpkit best ≥ 2,000,000 updates/s']) assert.ok(md.includes(h), `table has "${h}"`);
  for (const r of o.results) assert.ok(md.includes(`| ${label(r)} |`), `table has a row for ${label(r)}`);
});

test('bench --write replaces only its own region of RESULTS.md: hand-written analyses and other sections stay', () => {
  const old = '# Benchmark results\n\nintro\n\n<!-- bench: written by npm run bench -->\nOLD TABLES\n<!-- /bench -->\n\n## Analysis\nkept text\n\n<!-- quality:begin -->\nquality\n<!-- quality:end -->\n';
  const merged = mergeResults(old, 'NEW TABLES');
  assert.equal(merged, old.replace('OLD TABLES', 'NEW TABLES'));
  // an old file without the markers: its marked sections survive, the tables are new
  const legacy = mergeResults('Command: x\n\n<!-- big-csv: written by test -->\nrows\n<!-- /big-csv -->\n', 'NEW');
  assert.match(legacy, /<!-- bench: written by npm run bench -->\nNEW\n<!-- \/bench -->/);
  assert.match(legacy, /<!-- big-csv: written by test -->\nrows\n<!-- \/big-csv -->/);
  assert.doesNotMatch(legacy, /Command: x/);
});
