// Shared fixtures for the gradient tests: small seeded networks for every activation × loss pair.
import { MLP, lossInfo, type ActivationName, type InitName, type LossName } from '../../src/index.ts';
import { Network, Rng, getBackend, parameterLayout, type ParamSlot } from '../../src/lowlevel.ts';

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
  // initializers pinned to the ones these cases were written with (He for the relu family, else
  // Glorot; zero biases, overwritten below): the default is Glorot for W and b now, and other
  // draws put units on kinks (mae, leakyRelu) that a central difference straddles
  const old = (a: ActivationName) => (['relu', 'leakyRelu', 'elu', 'gelu'].includes(a) ? 'heUniform' : 'glorotUniform') as InitName;
  {
    const snap = model.snapshot({ training: false });
    const net = new Network(getBackend(model.backendName, snap.dtype), snap.dtype, snap.inputs, snap.layers);
    net.initialize(new Rng(7 + c.B), { weights: net.layers.map((l) => old(l.activation)), biases: 'zeros' });
    model.setParameters(net.params);
    net.dispose();
  }
  const rng = new Rng(100 + c.B);
  // biases non-zero too, so their gradients are exercised
  model.layers.forEach((l, i) => {
    for (let j = 0; j < l.units; j++) model.setBias(i, j, rng.range(-0.5, 0.5));
  });
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
  // the model's network rebuilt on its backend, fed x in float64 (the cases use no scaling)
  const snap = model.snapshot({ training: false });
  const net = new Network(getBackend(model.backendName, snap.dtype), snap.dtype, snap.inputs, snap.layers);
  net.setParams(snap.params);
  net.forward(Float64Array.from(x.flat()) as never, x.length);
  const a = net.layers[l - 1].a;
  let max = 0;
  for (let k = 0; k < x.length * net.layers[l - 1].nOut; k++) max = Math.max(max, Math.abs(a[k]));
  net.dispose();
  const s = 50 / max;
  const p = model.parameters();
  const slot = layerSlots(model)[l - 1];
  for (let k = slot.w; k < slot.w + slot.nOut * slot.nIn; k++) p[k] *= s;
  for (let k = slot.b; k < slot.b + slot.nOut; k++) p[k] *= s;
  model.setParameters(p);
}

/** Where each layer's W and b sit in model.parameters(). */
export function layerSlots(model: MLP): ParamSlot[] {
  return parameterLayout(model.inputs!, model.layers).slots;
}

/** Each layer's W: [nOut, nIn] and b: [nOut] as copies, with its activation. */
export function layerWeights(model: MLP): { nIn: number; nOut: number; W: Float64Array; b: Float64Array; activation: ActivationName; alpha: number }[] {
  const p = model.parameters();
  return layerSlots(model).map((sl, i) => ({
    nIn: sl.nIn, nOut: sl.nOut, activation: model.layers[i].activation, alpha: model.layers[i].alpha,
    W: Float64Array.from(p.subarray(sl.w, sl.w + sl.nOut * sl.nIn)), b: sl.b >= 0 ? Float64Array.from(p.subarray(sl.b, sl.b + sl.nOut)) : new Float64Array(0),
  }));
}
