// A1's accuracy by initializer pair (issue 11's goal: within 0.5 points of scikit-learn's 94.7%).
//   node --import tsx bench/quality/a1-init.ts [--seeds 3] [--backend wasm]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLP } from '../../src/index.ts';
import { workloadSpecs, writeWorkloadData } from '../workloads.ts';
import { loadData } from '../protocol.ts';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seeds = Number(arg('--seeds') ?? 3);
const backend = arg('--backend') ?? 'auto';
const pairs = (arg('--pairs') ?? 'torchUniform/torchUniform,glorotUniform/glorotUniform,glorotUniform/torchUniform,heUniform/torchUniform,glorotUniform/zeros').split(',');
const specs = workloadSpecs();
const spec = specs.A1;
const dir = mkdtempSync(join(tmpdir(), 'mlpkit-a1-'));
try {
  writeWorkloadData(dir, specs, ['A1']);
  const data = loadData(dir, spec);
  const d = spec.sizes[0];
  const X = { data: data.xTrain, shape: [spec.nTrain, d] as [number, number] };
  const Xt = { data: data.xTest!, shape: [spec.nTest, d] as [number, number] };
  for (const p of pairs) {
    const [init, biasInit] = p.split('/');
    const accs: number[] = [];
    for (let s = 1; s <= seeds; s++) {
      const m = new MLP({ hidden: [128], activation: 'relu', optimizer: 'adam', learningRate: 1e-3, batchSize: 64, scaleInputs: 'none', backend, seed: s, init: init as never, biasInit: biasInit as never });
      m.fit(X, Array.from(data.yTrain), { epochs: 10 });
      const ev = m.evaluate(Xt, Array.from(data.yTest!));
      accs.push(ev.task === 'classification' ? ev.accuracy : NaN);
      m.dispose();
    }
    console.log(`${p}\t${accs.map((a) => (100 * a).toFixed(2)).join(' ')}\tmean ${(100 * accs.reduce((a, b) => a + b) / accs.length).toFixed(2)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
