// PyTorch (Debian's python3-torch; .ci/run installs it): the Python file toPyTorch writes builds the
// nn.Sequential and loads the exported weights, which answer as mlpkit within 1e-5 relative; a few
// SGD steps in PyTorch, saved with that file's save(), come back through fromSafetensors with
// PyTorch's answers, and so does the trained net exported by torch.onnx through fromONNX.
// Without a python3 that imports torch, the test says it was skipped and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLP, datasets, toJSON } from '../../src/index.ts';
import { toPyTorch, fromSafetensors, fromONNX } from '../../src/interop.ts';
import { cases, maxRel, TOL } from './models.ts';

/** The first python3 that imports torch: $MLPKIT_PYTHON, Debian's /usr/bin/python3, then PATH's. */
function findPython(): string | null {
  for (const py of [process.env.MLPKIT_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!py) continue;
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const python = findPython();
const skip = python ? false : 'no python3 that imports torch: install Debian\'s python3-torch (apt-get install python3-torch; .ci/run does) or set MLPKIT_PYTHON';

test('PyTorch: the generated nn.Sequential answers as mlpkit; trained weights and torch.onnx exports come back with PyTorch\'s answers', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-torch-'));
  try {
    const all = cases();
    const names = ['softmax', 'sigmoid', 'regression'];
    const spec = all.map((c, i) => {
      const name = names[i];
      for (const [file, bytes] of Object.entries(toPyTorch(c.model, { name }))) writeFileSync(join(dir, file), bytes);
      const doc = toJSON(c.model);
      // training targets: class indices (classes order; every 7th label moved on, so the loss has work
      // to do), or the regression target in its units, scaled by 1.1
      const y = doc.task === 'classification' ? (c.model.predict(c.x) as unknown[]).map((l, k) => (k % 7 === 0 ? (doc.preprocessing.classes!.indexOf(l as never) + 1) % doc.preprocessing.classes!.length : doc.preprocessing.classes!.indexOf(l as never))) : c.expected.map((r) => r[0] * 1.1);
      return { name, task: name, x: c.x, y, lr: name === 'regression' ? 1e-3 : 1e-2 };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(spec));
    const r = spawnSync(python!, ['test/interop/torch_check.py', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `torch_check.py failed:\n${r.stderr}`);
    const res = JSON.parse(r.stdout) as { safetensors_package: boolean; cases: Record<string, { loaded: number[][]; trained: number[][] }> };
    t.diagnostic(`weights loaded with ${res.safetensors_package ? 'safetensors.torch' : "the generated file's own reader (no safetensors package)"}`);
    all.forEach((c, i) => {
      const name = names[i];
      const { loaded, trained } = res.cases[name];
      const binary = name === 'sigmoid';
      // the nn.Sequential ends in Sigmoid for a binary model: one column, p = predictProba[:, 1]
      const want = binary ? c.expected.map((row) => [row[1]]) : c.expected;
      const e1 = maxRel(loaded.flat(), want);
      assert.ok(e1 <= TOL, `${name}: PyTorch on the exported weights, max relative difference ${e1}`);
      const moved = maxRel(trained.flat(), loaded);
      assert.ok(moved > 1e-4, `${name}: training in PyTorch changed the answers (${moved})`);
      const answers = (m: ReturnType<typeof fromSafetensors>) => (m.task === 'classification' ? m.predictProba(c.x).map((p) => (binary ? [p[1]] : p)).flat() : (m.predict(c.x) as number[]));
      const back = fromSafetensors(new Uint8Array(readFileSync(join(dir, `${name}.trained.safetensors`))));
      const e2 = maxRel(answers(back), trained);
      assert.ok(e2 <= TOL, `${name}: fromSafetensors after PyTorch training, max relative difference ${e2}`);
      assert.deepEqual(toJSON(back).preprocessing.classes, toJSON(c.model).preprocessing.classes);
      const viaOnnx = fromONNX(new Uint8Array(readFileSync(join(dir, `${name}.trained.onnx`))), { task: c.model.task! });
      const e3 = maxRel(answers(viaOnnx), trained);
      assert.ok(e3 <= TOL, `${name}: fromONNX of torch.onnx.export, max relative difference ${e3}`);
      t.diagnostic(`${name}: max relative difference loaded ${e1.toExponential(2)}, fromSafetensors ${e2.toExponential(2)}, fromONNX ${e3.toExponential(2)}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PyTorch DDP route of docs/interop.md: mlpkit train → export → 2-process DistributedDataParallel → import → the same accuracy', { skip }, async () => {
  const { mlpkit, tempDir, DATA, ROOT } = await import('../cli/helpers.ts');
  const { dir, cleanup } = tempDir();
  try {
    const iris = join(DATA, 'iris.csv');
    const run = async (args: string[]) => {
      const r = await mlpkit(args, dir);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    await run(['train', iris, '--target', 'label', '--epochs', '10', '--seed', '2', '-q', '--out', 'model.json']);
    await run(['export', 'model.json', '--format', 'pytorch', '--out', 'model.safetensors', '-q']);
    const r = spawnSync(python!, [join(ROOT, 'examples/pytorch-ddp/train_ddp.py'), 'model', iris, 'label', 'trained.safetensors', '3'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NPROC: '2', OMP_NUM_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const torchAcc = Number(/accuracy ([\d.]+)/.exec(r.stdout)?.[1]);
    assert.match(r.stdout, /on 2 processes/);
    await run(['import', 'trained.safetensors', '--out', 'trained.json', '-q']);
    const ev = JSON.parse(await run(['eval', 'trained.json', iris, '--json']));
    const before = JSON.parse(await run(['eval', 'model.json', iris, '--json']));
    assert.ok(Math.abs(ev.accuracy - torchAcc) < 1e-4, `mlpkit accuracy ${ev.accuracy} vs PyTorch ${torchAcc}`);
    assert.notEqual(ev.loss, before.loss, 'the weights came back changed by the PyTorch training');
  } finally {
    cleanup();
  }
});

test('the generated Python file parses whatever the feature names, labels and target name hold', { skip: spawnSync('python3', ['-c', '1']).status === 0 ? false : 'no python3' }, () => {
  const { x } = datasets.iris();
  const m = new MLP({ hidden: [3], seed: 1 });
  m.fit(x, ['a"""b', "c'd", 'e\\Nf'].flatMap((l) => new Array(50).fill(l)), { epochs: 1 });
  m.featureNames = ['x"""', 'y\\N{', "z'''", '\u00e9\u{1F600}'];
  m.targetName = 'the """target\\';
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-py-'));
  try {
    writeFileSync(join(dir, 'model.py'), toPyTorch(m)['model.py']);
    const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1], encoding="utf-8").read())', join(dir, 'model.py')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
