// Optimizers with PyTorch's update conventions (torch.optim), sorted by increasing complexity:
// sgd, momentum, nesterov, rmsprop, adagrad, adam, adamw. Each update is θ −= η · direction,
// computed by one backend kernel over the flat parameter buffer (see kernels/backend.ts for the
// exact formulas). Weight decay (L2) applies to the weights W only, never to the biases b,
// as in scikit-learn's alpha and Keras' kernel_regularizer.
// Papers: momentum (Polyak 1964; Sutskever et al. 2013 for Nesterov), RMSprop (Hinton 2012,
// lecture 6e), Adagrad (Duchi et al. 2011), Adam (Kingma & Ba 2014), AdamW (Loshchilov & Hutter 2017).

import { ConfigError } from '../errors.ts';
import type { Network } from '../nn/network.ts';
import type { FloatArray } from '../tensor/tensor.ts';

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adagrad' | 'adam' | 'adamw';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adagrad', 'adam', 'adamw'];

export interface OptimizerOptions {
  /** SGD momentum μ (default 0.9 for "momentum" and "nesterov", 0 for "sgd"), RMSprop momentum (default 0). */
  momentum?: number;
  /** SGD dampening (default 0). */
  dampening?: number;
  /** Adam β1, β2 (defaults 0.9, 0.999). */
  beta1?: number;
  beta2?: number;
  /** ε (defaults: Adam 1e-8, RMSprop 1e-8, Adagrad 1e-10). */
  eps?: number;
  /** RMSprop smoothing α (default 0.99). */
  rho?: number;
  /** L2 weight decay λ on W (default 0; AdamW: decoupled, default 0.01). */
  weightDecay?: number;
}

/** Per-optimizer state: the step count and named buffers parallel to the parameters. */
export interface OptimizerState {
  name: OptimizerName;
  t: number;
  buffers: Record<string, FloatArray>;
}

export function checkOptimizer(name: unknown, where: string): OptimizerName {
  if (typeof name === 'string' && (OPTIMIZERS as readonly string[]).includes(name)) return name as OptimizerName;
  throw new ConfigError('E_UNKNOWN_OPTIMIZER', `${where}: unknown optimizer ${JSON.stringify(name)}; expected one of ${OPTIMIZERS.join(', ')}`);
}

const BUFFERS: Record<OptimizerName, string[]> = {
  sgd: [],
  momentum: ['momentum'],
  nesterov: ['momentum'],
  rmsprop: ['square', 'momentum'],
  adagrad: ['sum'],
  adam: ['m', 'v'],
  adamw: ['m', 'v'],
};

export class Optimizer {
  /** Updates taken so far (Adam's t). */
  t = 0;
  readonly buffers: Record<string, FloatArray> = {};
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly rho: number;
  /** λ on the weights W */
  readonly weightDecay: number;
  // [weights | biases] views of params, grads and each buffer, made once (no allocation per step)
  private readonly parts: { p: FloatArray; g: FloatArray; bufs: Record<string, FloatArray>; wd: number }[];

  constructor(
    readonly net: Network,
    readonly name: OptimizerName,
    options: OptimizerOptions = {},
  ) {
    checkOptimizer(name, 'Optimizer');
    this.momentum = options.momentum ?? (name === 'momentum' || name === 'nesterov' ? 0.9 : 0);
    this.dampening = options.dampening ?? 0;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? (name === 'adagrad' ? 1e-10 : 1e-8);
    this.rho = options.rho ?? 0.99;
    this.weightDecay = options.weightDecay ?? (name === 'adamw' ? 0.01 : 0);
    const check = (k: string, v: number, lo: number, hi: number, loOpen = false) => {
      if (!Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) throw new ConfigError('E_CONFIG', `Optimizer "${name}": expected ${k} in ${loOpen ? '(' : '['}${lo}, ${hi}], received ${v}`);
    };
    check('momentum', this.momentum, 0, 1);
    check('dampening', this.dampening, 0, 1);
    check('beta1', this.beta1, 0, 0.999999);
    check('beta2', this.beta2, 0, 0.99999999);
    check('eps', this.eps, 0, 1, true);
    check('rho', this.rho, 0, 1);
    check('weightDecay', this.weightDecay, 0, 1e6);
    if (name === 'sgd' && this.momentum > 0) this.name = 'momentum';
    for (const b of BUFFERS[this.name]) {
      if (b === 'momentum' && this.name === 'rmsprop' && this.momentum === 0) continue;
      this.buffers[b] = net.backend.alloc(net.size, net.dtype);
    }
    const nW = net.nWeights;
    const n = net.size;
    const split = (a: FloatArray, w: boolean) => (w ? a.subarray(0, nW) : a.subarray(nW, n));
    this.parts = [true, false].map((w) => ({
      p: split(net.params, w),
      g: split(net.grads, w),
      bufs: Object.fromEntries(Object.entries(this.buffers).map(([k, v]) => [k, split(v, w)])),
      wd: w ? this.weightDecay : 0,
    }));
  }

  /** One update θ −= lr · direction(∇θ), from the gradients in net.grads. */
  step(lr: number): void {
    const be = this.net.backend;
    this.t += 1;
    for (const { p, g, bufs, wd } of this.parts) {
      const n = p.length;
      switch (this.name) {
        case 'sgd':
          be.sgdStep(p, g, null, n, lr, 0, 0, false, wd, this.t === 1);
          break;
        case 'momentum':
        case 'nesterov':
          be.sgdStep(p, g, bufs.momentum, n, lr, this.momentum, this.dampening, this.name === 'nesterov', wd, this.t === 1);
          break;
        case 'rmsprop':
          be.rmspropStep(p, g, bufs.square, bufs.momentum ?? null, n, lr, this.rho, this.eps, this.momentum, wd);
          break;
        case 'adagrad':
          be.adagradStep(p, g, bufs.sum, n, lr, this.eps, wd);
          break;
        case 'adam':
        case 'adamw':
          be.adamStep(p, g, bufs.m, bufs.v, n, lr, this.beta1, this.beta2, this.eps, wd, this.name === 'adamw', this.t);
          break;
      }
    }
  }

  getState(): OptimizerState {
    return { name: this.name, t: this.t, buffers: this.buffers };
  }

  setState(state: OptimizerState): void {
    this.t = state.t;
    for (const [k, v] of Object.entries(this.buffers)) {
      const src = state.buffers[k];
      if (!src || src.length !== v.length) throw new ConfigError('E_CONFIG', `Optimizer.setState: buffer "${k}" expected ${v.length} values, received ${src ? src.length : 'none'}`);
      this.net.backend.copy(src, v, v.length);
    }
  }
}

/** Scale the gradients so their global L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. */
export function clipGradNorm(net: Network, maxNorm: number): number {
  const be = net.backend;
  const norm = Math.sqrt(be.sumSquares(net.grads, net.size));
  if (norm > maxNorm) be.scale(net.grads, maxNorm / (norm + 1e-6), net.size);
  return norm;
}
