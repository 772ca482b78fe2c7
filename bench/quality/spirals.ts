// The two-spiral protocol of issue 10, shared by the initializer measurement and the tests:
// 500 points with noise, a stratified 70/30 split, 2-64-64-1 ReLU, Adam 1e-3, batch 32, 200 epochs,
// standardized inputs, test accuracy.
//   - "mlpkit": datasets.spirals (1.5 turns, radius 0.2..5.2), Gaussian noise σ = 0.2;
//   - "classic": the two-spiral set of the PyTorch/scikit-learn tutorials: angle t = √u · 780° for
//     u ~ U(0, 1), one spiral (−t cos t, t sin t), the other its negation, plus U(0, 0.5) noise per
//     coordinate (as those tutorials add it).

import { datasets, trainTestSplit } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';

export type SpiralSet = 'mlpkit' | 'classic';

export function spiralData(set: SpiralSet, seed: number): { x: number[][]; y: number[] } {
  if (set === 'mlpkit') return datasets.spirals({ n: 500, noise: 0.2, seed });
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 250; i++) {
    const t = Math.sqrt(rng.uniform()) * 780 * (2 * Math.PI) / 360;
    const px = -Math.cos(t) * t + rng.uniform() * 0.5;
    const py = Math.sin(t) * t + rng.uniform() * 0.5;
    x.push([px, py], [-px, -py]);
    y.push(0, 1);
  }
  return { x, y };
}

export function spiralSplit(set: SpiralSet, seed: number) {
  const { x, y } = spiralData(set, seed);
  return trainTestSplit(x, y, { testSize: 0.3, seed, stratify: true });
}

/** The protocol's training settings (everything else is mlpkit's default). */
export const SPIRAL_PROTOCOL = { hidden: [64, 64], activation: 'relu', epochs: 200, batchSize: 32, optimizer: 'adam', learningRate: 1e-3 } as const;
