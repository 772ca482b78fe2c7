// Weight initialization: (rng, fanIn, fanOut) → one draw per weight, W row-major [nOut, nIn].
// Biases start at zero. Defaults suit the activation: He for the relu family, Glorot otherwise.

import type { Rng } from '../tensor/rng.ts';
import { ConfigError } from '../errors.ts';
import type { ActivationName } from '../math/activations.ts';

export type InitName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'zeros';
export const INITS: readonly InitName[] = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'zeros'];

export type Initializer = (rng: Rng, fanIn: number, fanOut: number) => number;

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
  zeros: () => 0,
};

export function defaultInit(activation: ActivationName): InitName {
  return activation === 'relu' || activation === 'leakyRelu' || activation === 'elu' || activation === 'gelu'
    ? 'heUniform'
    : 'glorotUniform';
}

export function checkInit(name: unknown, where: string): InitName {
  if (typeof name === 'string' && (INITS as readonly string[]).includes(name)) return name as InitName;
  throw new ConfigError('E_CONFIG', `${where}: unknown initializer ${JSON.stringify(name)}; expected one of ${INITS.join(', ')}`);
}
