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

/** The name of an optimizer, as config.optimizer accepts it. */
export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adagrad' | 'adam' | 'adamw';
/** Every optimizer name, in a fixed order. */
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adagrad', 'adam', 'adamw'];

/** Optimizer hyperparameters; each defaults to PyTorch's value for the chosen optimizer. */
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

/** Updates a network's flat parameters from its flat gradients (W and b of every layer), PyTorch's update rules; keeps the state (moments, step count) the rule needs. */
export class Optimizer {
  #t = 0;
  readonly buffers: Record<string, FloatArray> = {};
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly rho: number;
  /** λ on the weights W */
  readonly weightDecay: number;
  readonly name: OptimizerName;
  // [weights | biases] views of params, grads and each buffer, made once (no allocation per step)
  private readonly parts: { p: FloatArray; g: FloatArray; bufs: Record<string, FloatArray>; wd: number }[];

  constructor(
    readonly net: Network,
    name: OptimizerName,
    options: OptimizerOptions = {},
  ) {
    const r = resolveOptimizer(name, options);
    this.name = r.name;
    this.momentum = r.momentum;
    this.dampening = r.dampening;
    this.beta1 = r.beta1;
    this.beta2 = r.beta2;
    this.eps = r.eps;
    this.rho = r.rho;
    this.weightDecay = r.weightDecay;
    for (const b of optimizerBuffers(r)) this.buffers[b] = net.backend.alloc(net.size, net.dtype);
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

  /** Updates taken so far (Adam's t). */
  get t(): number {
    return this.#t;
  }

  /** The resolved hyperparameters (defaults filled in). */
  get options(): Required<OptimizerOptions> {
    return { momentum: this.momentum, dampening: this.dampening, beta1: this.beta1, beta2: this.beta2, eps: this.eps, rho: this.rho, weightDecay: this.weightDecay };
  }

  /** Whether an optimizer made with (name, options) would follow the same rule with the same hyperparameters. */
  matches(name: OptimizerName, options: OptimizerOptions = {}): boolean {
    const other = resolveOptimizer(name, options);
    const mine = this.options;
    return other.name === this.name && (Object.keys(mine) as (keyof typeof mine)[]).every((k) => other[k] === mine[k]);
  }

  /** Count `count` updates that a fused kernel applied with this optimizer's rule (plain SGD, kernels/fused.ts). */
  recordFusedStep(count = 1): void {
    this.#t += count;
  }

  /** One update θ −= lr · direction(∇θ), from the gradients in net.grads. */
  step(lr: number): void {
    const be = this.net.backend;
    this.#t += 1;
    for (const { p, g, bufs, wd } of this.parts) {
      const n = p.length;
      switch (this.name) {
        case 'sgd':
          be.sgdStep(p, g, null, n, lr, 0, 0, false, wd, this.#t === 1);
          break;
        case 'momentum':
        case 'nesterov':
          be.sgdStep(p, g, bufs.momentum, n, lr, this.momentum, this.dampening, this.name === 'nesterov', wd, this.#t === 1);
          break;
        case 'rmsprop':
          be.rmspropStep(p, g, bufs.square, bufs.momentum ?? null, n, lr, this.rho, this.eps, this.momentum, wd);
          break;
        case 'adagrad':
          be.adagradStep(p, g, bufs.sum, n, lr, this.eps, wd);
          break;
        case 'adam':
        case 'adamw':
          be.adamStep(p, g, bufs.m, bufs.v, n, lr, this.beta1, this.beta2, this.eps, wd, this.name === 'adamw', this.#t);
          break;
      }
    }
  }

  /** Give the state buffers back to the backend. NOTE: the optimizer is unusable afterwards. */
  dispose(): void {
    for (const v of Object.values(this.buffers)) this.net.backend.release(v);
  }

  /** The step count and state buffers, for saving (shared with the optimizer: copy them to keep them). */
  getState(): OptimizerState {
    return { name: this.name, t: this.t, buffers: this.buffers };
  }

  /** Restore a state from getState (or a saved model) so training resumes exactly. */
  setState(state: OptimizerState): void {
    this.#t = state.t;
    for (const [k, v] of Object.entries(this.buffers)) {
      const src = state.buffers[k];
      if (!src || src.length !== v.length) throw new ConfigError('E_CONFIG', `Optimizer.setState: buffer "${k}" expected ${v.length} values, received ${src ? src.length : 'none'}`);
      this.net.backend.copy(src, v, v.length);
    }
  }
}

/** The state buffers (each parallel to the parameters) an optimizer with these resolved options keeps. */
export function optimizerBuffers(r: { name: OptimizerName; momentum: number }): string[] {
  return BUFFERS[r.name].filter((b) => !(b === 'momentum' && r.name === 'rmsprop' && r.momentum === 0));
}

/**
 * An optimizer's hyperparameters with torch.optim's defaults filled in, each checked.
 * These per-optimizer defaults live here, beside the update rules they belong to.
 * "sgd" with momentum > 0 is "momentum".
 */
export function resolveOptimizer(name: OptimizerName, options: OptimizerOptions = {}): Required<OptimizerOptions> & { name: OptimizerName } {
  checkOptimizer(name, 'Optimizer');
  const r = {
    momentum: options.momentum ?? (name === 'momentum' || name === 'nesterov' ? 0.9 : 0),
    dampening: options.dampening ?? 0,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    eps: options.eps ?? (name === 'adagrad' ? 1e-10 : 1e-8),
    rho: options.rho ?? 0.99,
    weightDecay: options.weightDecay ?? (name === 'adamw' ? 0.01 : 0),
  };
  const check = (k: keyof typeof r, lo: number, hi: number, loOpen = false) => {
    const v = r[k];
    if (!Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
      throw new ConfigError('E_CONFIG', `Optimizer "${name}": expected ${k} in ${loOpen ? '(' : '['}${lo}, ${hi}], received ${v}`, { field: `optimizerOptions.${k}`, expected: `${loOpen ? '(' : '['}${lo}, ${hi}]`, received: v });
    }
  };
  check('momentum', 0, 1);
  check('dampening', 0, 1);
  check('beta1', 0, 0.999999);
  check('beta2', 0, 0.99999999);
  check('eps', 0, 1, true);
  check('rho', 0, 1);
  check('weightDecay', 0, 1e6);
  return { name: name === 'sgd' && r.momentum > 0 ? 'momentum' : name, ...r };
}

/** Scale the gradients so their global L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. */
export function clipGradNorm(net: Network, maxNorm: number): number {
  const be = net.backend;
  const norm = Math.sqrt(be.sumSquares(net.grads, net.size));
  if (norm > maxNorm) be.scale(net.grads, maxNorm / (norm + 1e-6), net.size);
  return norm;
}
