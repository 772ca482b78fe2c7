// Activation functions as adjacent { f, df } pairs: h = f(a), and f'(a) for backprop.
// These scalar pairs are the living definition; the reference backend maps them over arrays,
// faster backends must agree with them (test/kernels/conformance.test.ts).
//
// df receives both a and h = f(a): the sigmoid's s' = s(1 − s) (the lecture's formula) and
// tanh' = 1 − h² re-use h, as backprop re-uses factors computed on the way forward.
// NOTE: softmax is not elementwise; it lives in the backend (softmaxRows) and is used only as
// an output activation, normally fused with cross-entropy (loss/losses.ts).

import { ConfigError } from '../errors.ts';

/** The name of an activation f in h = f(a), as config.activation and config.outputActivation accept it. */
export type ActivationName =
  | 'identity'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'elu'
  | 'softplus'
  | 'gelu'
  | 'softmax';

/** Every activation name, in a fixed order (for menus and error messages). */
export const ACTIVATIONS: readonly ActivationName[] = [
  'identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softplus', 'gelu', 'softmax',
];

/** Elementwise activations: everything but softmax. */
export type ElementwiseActivation = Exclude<ActivationName, 'softmax'>;

/** An elementwise activation: f(a) and its derivative f'(a), the latter given a and h = f(a) (whichever is cheaper). */
export interface ActivationPair {
  /** h = f(a); `alpha` is the slope of leakyRelu and the α of elu. */
  f(a: number, alpha: number): number;
  /** f'(a), given a and h = f(a). */
  df(a: number, h: number, alpha: number): number;
}

/** Default α: leakyRelu slope 0.01 (as PyTorch), elu α = 1. */
export function defaultAlpha(name: ActivationName): number {
  return name === 'leakyRelu' ? 0.01 : name === 'elu' ? 1 : 0;
}

export const identity: ActivationPair = {
  f: (a) => a,
  df: () => 1,
};

// σ(a) = 1 / (1 + e^−a). NOTE: written in two branches so e^x never overflows: for a = −800,
// 1 + e^800 is Infinity in float64 (fine, gives 0) but e^a/(1+e^a) would be NaN.
export const sigmoid: ActivationPair = {
  f: (a) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))),
  df: (_a, h) => h * (1 - h), // s' = s(1 − s)
};

export const tanh: ActivationPair = {
  f: (a) => Math.tanh(a),
  df: (_a, h) => 1 - h * h,
};

// NOTE: f'(0) is taken as 0 (PyTorch and TF.js do the same).
export const relu: ActivationPair = {
  f: (a) => (a > 0 ? a : 0),
  df: (a) => (a > 0 ? 1 : 0),
};

export const leakyRelu: ActivationPair = {
  f: (a, alpha) => (a > 0 ? a : alpha * a),
  df: (a, _h, alpha) => (a > 0 ? 1 : alpha),
};

// elu(a) = a for a > 0, α(e^a − 1) otherwise (Clevert et al. 2015); f' = h + α for a ≤ 0.
export const elu: ActivationPair = {
  f: (a, alpha) => (a > 0 ? a : alpha * Math.expm1(a)),
  df: (a, h, alpha) => (a > 0 ? 1 : h + alpha),
};

// softplus(a) = log(1 + e^a) = max(a, 0) + log1p(e^−|a|): stable for |a| in the hundreds.
export const softplus: ActivationPair = {
  f: (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))),
  df: (a) => sigmoid.f(a, 0),
};

// gelu(a) = a Φ(a), Φ the standard normal CDF (Hendrycks & Gimpel 2016, exact erf form);
// gelu'(a) = Φ(a) + a φ(a).
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
export const gelu: ActivationPair = {
  f: (a) => a * normalCdf(a),
  df: (a) => normalCdf(a) + a * INV_SQRT_2PI * Math.exp(-0.5 * a * a),
};

/** The elementwise activations by name (all but softmax, which is not elementwise): the reference definitions the kernels follow. */
export const activations: Record<ElementwiseActivation, ActivationPair> = {
  identity, sigmoid, tanh, relu, leakyRelu, elu, softplus, gelu,
};

export function checkActivation(name: unknown, where: string): ActivationName {
  if (typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name)) return name as ActivationName;
  throw new ConfigError(
    'E_UNKNOWN_ACTIVATION',
    `${where}: unknown activation ${JSON.stringify(name)}; expected one of ${ACTIVATIONS.join(', ')}`,
  );
}

/** Φ(x) = ½ erfc(−x/√2), accurate in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/**
 * erf to near float64 precision. For |x| < 2.5 the everywhere-positive series
 * erf(x) = 2/√π · e^(−x²) · Σ (2x²)^n x / (1·3·…·(2n+1))  (Abramowitz & Stegun 7.1.6),
 * which has no cancellation; beyond, 1 − erfc(x) from the continued fraction.
 */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  }
  return 1 - erfcCf(x);
}

export function erfc(x: number): number {
  if (x < 2.5) return 1 - erf(x);
  return erfcCf(x);
}

// erfc(x) for x ≥ 2.5 by the continued fraction (A&S 7.1.14), evaluated with Lentz's method.
function erfcCf(x: number): number {
  if (x > 27) return 0;
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    D = x + an * D;
    D = D === 0 ? tiny : D;
    C = x + an / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
