// Shared fixtures for the gradient tests: small seeded networks for every activation × loss pair.
import { MLP, Rng, lossInfo, type ActivationName, type InitName, type LossName } from '../../src/index.ts';

export const HIDDEN: ActivationName[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softplus', 'gelu'];
export const OUTPUTS: ActivationName[] = [...HIDDEN, 'softmax'];
export const REGRESSION_LOSSES: LossName[] = ['sse', 'mse', 'mae', 'huber'];

export interface Case {
  name: string;
  hidden: ActivationName;
  output: ActivationName;
  loss: LossName;
  B: number;
  /** push pre-activations of this layer (1-based; 0 = none) to about ±50 */
  extreme: number;
}

/** Every hidden activation with every loss, and every output activation with every regression loss; B cycles 1..16. */
export function allCases(): Case[] {
  const cases: Case[] = [];
  let k = 0;
  const add = (hidden: ActivationName, output: ActivationName, loss: LossName, extreme = 0) => {
    const B = (k++ % 16) + 1;
    cases.push({ name: `hidden ${hidden}, output ${output}, loss ${loss}, B=${B}${extreme ? `, a≈±50 in layer ${extreme}` : ''}`, hidden, output, loss, B, extreme });
  };
  const losses: LossName[] = [...REGRESSION_LOSSES, 'bce', 'crossentropy'];
  for (const hidden of HIDDEN) for (const loss of losses) add(hidden, lossInfo[loss].fusedWith ?? OUTPUTS[k % OUTPUTS.length], loss);
  for (const output of OUTPUTS) for (const loss of REGRESSION_LOSSES) add('tanh', output, loss);
  // the overflow zone: logits about ±50 for every output/loss pair, and saturated hidden units
  for (const loss of losses) for (const output of lossInfo[loss].fusedWith ? [lossInfo[loss].fusedWith!] : OUTPUTS) add('relu', output, loss, 3);
  for (const hidden of HIDDEN) add(hidden, 'softmax', 'crossentropy', 1);
  return cases;
}

/** A 3-5-4-m network with seeded weights and seeded data for a case. dtype float64 unless asked. */
export function buildCase(c: Case, dtype: 'float32' | 'float64' = 'float64', backend = 'auto') {
  const fused = lossInfo[c.loss].fusedWith;
  const classification = fused !== undefined;
  const outputs = c.loss === 'bce' ? 2 : 3;
  const model = new MLP({
    task: classification ? 'classification' : 'regression', hidden: [5, 4], activation: c.hidden,
    outputActivation: c.output, loss: c.loss, dtype, backend, seed: 7 + c.B, scaleInputs: 'none', scaleTargets: 'none',
  });
  model.build(3, c.loss === 'bce' ? 1 : outputs, classification ? 'classification' : 'regression');
  const net = model.net!;
  // initializers pinned to the ones these cases were written with (He for the relu family, else
  // Glorot; zero biases, overwritten below): the default is PyTorch's U(±1/√fanIn) now, and other
  // draws put units on kinks (mae, leakyRelu) that a central difference straddles
  const old = (a: ActivationName) => (['relu', 'leakyRelu', 'elu', 'gelu'].includes(a) ? 'heUniform' : 'glorotUniform') as InitName;
  net.initialize(new Rng(7 + c.B), { weights: net.layers.map((l) => old(l.activation)), biases: 'zeros' });
  const rng = new Rng(100 + c.B);
  // biases non-zero too, so their gradients are exercised
  for (const l of net.layers) for (let j = 0; j < l.b.length; j++) l.b[j] = rng.range(-0.5, 0.5);
  const x = Array.from({ length: c.B }, () => [rng.range(-2, 2), rng.range(-2, 2), rng.range(-2, 2)]);
  let y: number[] | number[][];
  if (c.loss === 'bce') y = x.map(() => rng.int(2));
  else if (c.loss === 'crossentropy') y = x.map(() => rng.int(3));
  else y = x.map(() => [rng.range(-1, 1), rng.range(0, 1), rng.range(-1, 1)]);
  if (c.extreme) scaleToExtreme(model, x, c.extreme);
  return { model, x, y };
}

/** Scale layer l's W and b so the largest |a| over the batch is 50 (so naive σ, softmax and log would overflow in float32). */
function scaleToExtreme(model: MLP, x: number[][], l: number) {
  const net = model.net!;
  const layer = net.layers[l - 1];
  const X = Float64Array.from(x.flat());
  net.forward(X as never, x.length);
  let max = 0;
  for (let k = 0; k < x.length * layer.nOut; k++) max = Math.max(max, Math.abs(layer.a[k]));
  const s = 50 / max;
  for (let k = 0; k < layer.W.length; k++) layer.W[k] *= s;
  for (let k = 0; k < layer.b.length; k++) layer.b[k] *= s;
}
