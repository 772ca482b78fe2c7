// Learning quality out of the box: mlpkit with no hyperparameters at all (its defaults object, as
// `mlpkit train` uses it) against scikit-learn's default MLPClassifier / MLPRegressor with
// StandardScaler, on the same stratified 70/30 splits, side by side in one run.
//   node --import tsx bench/quality/defaults.ts [--seeds 3] [--write] [--config '{"epochs": 200}']
// scikit-learn runs where Debian's python3-sklearn is installed (optional, like the bench's other
// Python peers). --write puts the table into bench/RESULTS.md (between the quality markers).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MLP, datasets, trainTestSplit, type Config } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';
import { spiralData } from './spirals.ts';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seeds = Number(arg('--seeds') ?? 3);
const overrides = JSON.parse(arg('--config') ?? '{}') as Partial<Config>;
const PYTHON = process.env.BENCH_PYTHON || '/usr/bin/python3';

type Task = 'classification' | 'regression';
interface Set { name: string; task: Task; load: (seed: number) => { x: number[][]; y: number[] } }

/** Friedman #1 (scikit-learn's make_friedman1): y = 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5 + N(0, 1), 10 inputs of which 5 matter. */
function friedman1(seed: number): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 500; i++) {
    const r = Array.from({ length: 10 }, () => rng.uniform());
    x.push(r);
    y.push(10 * Math.sin(Math.PI * r[0] * r[1]) + 20 * (r[2] - 0.5) ** 2 + 10 * r[3] + 5 * r[4] + rng.normal(0, 1));
  }
  return { x, y };
}

const SETS: Set[] = [
  { name: 'iris', task: 'classification', load: () => datasets.iris() as { x: number[][]; y: number[] } },
  { name: 'digits', task: 'classification', load: () => datasets.digits() as { x: number[][]; y: number[] } },
  { name: 'moons (500, σ 0.2)', task: 'classification', load: (s) => datasets.moons({ n: 500, noise: 0.2, seed: s }) as { x: number[][]; y: number[] } },
  { name: 'circles (500, σ 0.1)', task: 'classification', load: (s) => datasets.circles({ n: 500, noise: 0.1, seed: s }) as { x: number[][]; y: number[] } },
  { name: 'spirals (classic, 500)', task: 'classification', load: (s) => spiralData('classic', s) },
  { name: 'friedman1 (500, regression)', task: 'regression', load: friedman1 },
];

function split(set: Set, seed: number) {
  const { x, y } = set.load(seed);
  return trainTestSplit(x, y, { testSize: 0.3, seed, stratify: set.task === 'classification' });
}

function mlpkit(set: Set, seed: number): { score: number; epochs: number; seconds: number } {
  const { train, test } = split(set, seed);
  const t0 = performance.now();
  const m = new MLP({ seed, ...overrides });
  const h = m.fit(train.x, train.y);
  return { score: m.score(test.x, test.y), epochs: h.epochs.length, seconds: (performance.now() - t0) / 1000 };
}

function sklearn(set: Set, seed: number): { score: number; epochs: number; seconds: number } | null {
  const { train, test } = split(set, seed);
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [fileURLToPath(new URL('./peer.py', import.meta.url)), 'sklearn', 'default'], {
    input: JSON.stringify({ train, test, seed, task: set.task }), encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (r.status !== 0) return null;
  const o = JSON.parse(r.stdout) as { score: number; iterations: number };
  return { score: o.score, epochs: o.iterations, seconds: (performance.now() - t0) / 1000 };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const fmt = (a: number[]) => `${mean(a).toFixed(3)} (${Math.min(...a).toFixed(2)}–${Math.max(...a).toFixed(2)})`;
const fmtInt = (a: number[]) => (Math.min(...a) === Math.max(...a) ? `${a[0]}` : `${Math.round(mean(a))} (${Math.min(...a)}–${Math.max(...a)})`);
const rows = [
  '| data | metric | mlpkit defaults | epochs | scikit-learn defaults | iterations | mlpkit − sklearn |',
  '|---|---|---|---|---|---|---|',
];
let sklearnMissing = false;
for (const set of SETS) {
  const ours = Array.from({ length: seeds }, (_, s) => mlpkit(set, s));
  const theirs = Array.from({ length: seeds }, (_, s) => sklearn(set, s));
  const have = theirs.every((t) => t !== null);
  if (!have) sklearnMissing = true;
  const a = ours.map((o) => o.score);
  const b = have ? theirs.map((t) => t!.score) : [];
  rows.push(`| ${set.name} | ${set.task === 'classification' ? 'accuracy' : 'R²'} | ${fmt(a)} | ${fmtInt(ours.map((o) => o.epochs))} | ${have ? fmt(b) : 'not installed'} | ${have ? fmtInt(theirs.map((t) => t!.epochs)) : ''} | ${have ? (mean(a) - mean(b) >= 0 ? '+' : '') + (mean(a) - mean(b)).toFixed(3) : ''} |`);
  process.stderr.write(rows.at(-1) + '\n');
}
const table = [
  `Test ${'accuracy / R²'} on a 70/30 split (stratified for classes), mean (min–max) over seeds 0..${seeds - 1}; mlpkit \`new MLP({ seed${Object.keys(overrides).length ? ', ...' + JSON.stringify(overrides) : ''} })\`, then \`fit(x, y)\` (the CLI's defaults); scikit-learn \`MLPClassifier(random_state=seed)\` / \`MLPRegressor(random_state=seed)\` after \`StandardScaler\`${sklearnMissing ? ' (not installed here)' : ''}.`,
  '',
  ...rows,
].join('\n');
console.log(table);
if (process.argv.includes('--write')) {
  const path = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  const md = readFileSync(path, 'utf8');
  const begin = '<!-- quality:begin -->';
  const end = '<!-- quality:end -->';
  const block = `${begin}\n## Learning quality with defaults (bench/quality/defaults.ts)\n\n\`node --import tsx bench/quality/defaults.ts --seeds ${seeds} --write\`, ${new Date().toISOString().slice(0, 16)} UTC.\n\n${table}\n${end}`;
  const out = md.includes(begin) ? md.replace(new RegExp(`${begin}[\\s\\S]*${end}`), block) : `${md.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, out);
}
