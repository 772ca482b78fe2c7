// Which initializers learn the two-spiral protocol (bench/quality/spirals.ts)? Runs mlpkit with each
// weight/bias initializer pair, and PyTorch and scikit-learn on the same splits where Debian's
// python3 has them. Prints a markdown table (docs/initialization.md holds the last one).
//   node --import tsx bench/quality/init-spirals.ts [--seeds 3] [--pairs glorotUniform/torchUniform,…] [--no-peers]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MLP, type InitName } from '../../src/index.ts';
import { Network, Rng, reference } from '../../src/lowlevel.ts';
import { spiralSplit, SPIRAL_PROTOCOL, type SpiralSet } from './spirals.ts';

const seeds = Number(process.argv[process.argv.indexOf('--seeds') + 1] || 3);
const PYTHON = process.env.BENCH_PYTHON || '/usr/bin/python3';
const pairsArg = process.argv.includes('--pairs') ? process.argv[process.argv.indexOf('--pairs') + 1] : undefined;
const pairs: [InitName, InitName][] = pairsArg
  ? pairsArg.split(',').map((p) => p.split('/') as [InitName, InitName])
  : [['heUniform', 'zeros'], ['glorotUniform', 'zeros'], ['glorotUniform', 'glorotUniform'], ['heUniform', 'torchUniform'], ['glorotUniform', 'torchUniform'], ['torchUniform', 'zeros'], ['torchUniform', 'torchUniform']];
const peers = !process.argv.includes('--no-peers');

function mlpkitRun(set: SpiralSet, seed: number, w: InitName, b: InitName): number {
  const { train, test } = spiralSplit(set, seed);
  const m = new MLP({ hidden: [...SPIRAL_PROTOCOL.hidden], activation: 'relu', seed, backend: 'js' });
  m.build(2, 1, 'classification', [0, 1]);
  // the initial weights drawn as a Network with these initializers would draw them
  const snap = m.snapshot({ training: false });
  const net = new Network(reference, snap.dtype, snap.inputs, snap.layers);
  net.initialize(new Rng(seed), { weights: w, biases: b });
  m.setParameters(net.params);
  m.fit(train.x, train.y, { epochs: 200, batchSize: 32, optimizer: 'adam', learningRate: 1e-3 });
  return m.score(test.x, test.y);
}

function pythonRun(peer: 'torch' | 'sklearn', set: SpiralSet, seed: number): number | null {
  const { train, test } = spiralSplit(set, seed);
  const script = fileURLToPath(new URL('./peer.py', import.meta.url));
  const r = spawnSync(PYTHON, [script, peer, 'spirals-protocol'], { input: JSON.stringify({ train, test, seed }), encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) {
    process.stderr.write(`${peer}: ${r.stderr.split('\n').filter(Boolean).at(-1) ?? 'failed'}\n`);
    return null;
  }
  return JSON.parse(r.stdout).accuracy;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const rows: string[] = ['| weights | biases | mlpkit spirals | classic spirals |', '|---|---|---|---|'];
for (const [w, b] of pairs) {
  const cells = (['mlpkit', 'classic'] as SpiralSet[]).map((set) => {
    const acc = Array.from({ length: seeds }, (_, s) => mlpkitRun(set, s, w, b));
    return `${mean(acc).toFixed(3)} (${Math.min(...acc).toFixed(2)}–${Math.max(...acc).toFixed(2)})`;
  });
  rows.push(`| ${w} | ${b} | ${cells.join(' | ')} |`);
  process.stderr.write(rows.at(-1) + '\n');
}
for (const peer of peers ? (['torch', 'sklearn'] as const) : []) {
  const cells = (['mlpkit', 'classic'] as SpiralSet[]).map((set) => {
    const acc = Array.from({ length: seeds }, (_, s) => pythonRun(peer, set, s));
    if (acc.some((a) => a === null)) return 'not installed';
    const a = acc as number[];
    return `${mean(a).toFixed(3)} (${Math.min(...a).toFixed(2)}–${Math.max(...a).toFixed(2)})`;
  });
  rows.push(`| ${peer === 'torch' ? 'PyTorch nn.Linear default' : 'scikit-learn MLPClassifier'} | (theirs) | ${cells.join(' | ')} |`);
  process.stderr.write(rows.at(-1) + '\n');
}
console.log(`Two-spiral protocol, test accuracy, mean (min–max) over seeds 0..${seeds - 1}:\n`);
console.log(rows.join('\n'));
