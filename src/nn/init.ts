// Initialization: (rng, fanIn, fanOut) → one draw per parameter. W is row-major [nOut, nIn];
// the bias b: [nOut] is drawn by its own initializer with the layer's fans.
//
// | name          | draw                                   | who uses it by default                  |
// |---------------|----------------------------------------|-----------------------------------------|
// | zeros         | 0                                      | Keras biases                            |
// | glorotUniform | U(±√(6/(fanIn+fanOut)))                | Keras weights; scikit-learn W and b     |
// | glorotNormal  | N(0, 2/(fanIn+fanOut))                 |                                         |
// | heUniform     | U(±√(6/fanIn))                         |                                         |
// | heNormal      | N(0, 2/fanIn)                          |                                         |
// | torchUniform  | U(±1/√fanIn)                           | PyTorch nn.Linear, W and b              |
//
// The default (defaultInit / defaultBiasInit) is scikit-learn's: glorotUniform for W and for b,
// whatever the activation. NOTE: biases must be random: He weights with zero biases put every ReLU
// kink through the origin at the start, and on two spirals (2-64-64-1, Adam 1e-3, batch 32, 200
// epochs, 500 points) that run stays at ~0.62 test accuracy, where glorotUniform W and b reach ~0.96
// (bench/quality/init-spirals.ts). PyTorch's torchUniform learns spirals as well (~0.97) but its
// U(±1/√fanIn) is too small on wide inputs: MNIST 784-128-10 with Adam for 10 epochs ends 0.6 points
// below scikit-learn (bench/quality/a1-init.ts). Both tables are in docs/initialization.md.

import type { Rng } from '../tensor/rng.ts';
import { ConfigError } from '../errors.ts';
import type { ActivationName } from '../math/activations.ts';

/** The name of a weight or bias initializer, as config.init and config.biasInit accept it. */
export type InitName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'torchUniform' | 'zeros';
/** Every initializer name, in a fixed order. */
export const INITS: readonly InitName[] = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'torchUniform', 'zeros'];

/** Draws one initial parameter for a layer with fanIn = nIn inputs and fanOut = nOut outputs, using rng. */
export type Initializer = (rng: Rng, fanIn: number, fanOut: number) => number;

/** The initializers by name: Glorot/He uniform and normal, PyTorch's default uniform U(±1/√fanIn), and zeros. */
export const initializers: Record<InitName, Initializer> = {
  // Glorot & Bengio 2010, eq. 16: U(−√(6/(fanIn+fanOut)), +√(6/(fanIn+fanOut)))
  glorotUniform: (rng, fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return rng.range(-limit, limit);
  },
  // Glorot normal: N(0, 2/(fanIn+fanOut)) (not truncated)
  glorotNormal: (rng, fanIn, fanOut) => rng.normal(0, Math.sqrt(2 / (fanIn + fanOut))),
  // He et al. 2015: variance 2/fanIn keeps the ReLU signal's scale through depth
  heUniform: (rng, fanIn) => {
    const limit = Math.sqrt(6 / fanIn);
    return rng.range(-limit, limit);
  },
  heNormal: (rng, fanIn) => rng.normal(0, Math.sqrt(2 / fanIn)),
  // torch.nn.Linear.reset_parameters: kaiming_uniform_(a=√5) for W, which is U(±√(6/((1+5)·fanIn)))
  // = U(±1/√fanIn), and U(±1/√fanIn) for b
  torchUniform: (rng, fanIn) => {
    const limit = 1 / Math.sqrt(fanIn);
    return rng.range(-limit, limit);
  },
  zeros: () => 0,
};

/** The default weight initializer. The activation is accepted so the rule can depend on it; today it does not. */
export function defaultInit(_activation: ActivationName): InitName {
  return 'glorotUniform';
}

/** The default bias initializer. */
export function defaultBiasInit(_activation: ActivationName): InitName {
  return 'glorotUniform';
}

export function checkInit(name: unknown, where: string): InitName {
  if (typeof name === 'string' && (INITS as readonly string[]).includes(name)) return name as InitName;
  throw new ConfigError('E_CONFIG', `${where}: unknown initializer ${JSON.stringify(name)}; expected one of ${INITS.join(', ')}`);
}
