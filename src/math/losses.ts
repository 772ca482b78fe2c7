// Losses, each with its exact formula. Every loss is averaged over the batch:
//   L = (1/B) Σ_i ℓ(ŷ_i, y_i),   ŷ_i = h_L for sample i (the network output), y_i the target row.
// The backend's `loss` kernel returns Σ_i ℓ_i and writes the gradient, already scaled by 1/B:
//   - for plain losses:  grad = ∂L/∂ŷ  (the output activation's backward turns it into δ_L);
//   - for the two fused ones: grad = δ_L = ∂L/∂a_L directly, from the logits a_L, because
//     σ/softmax followed by a log is unstable in two steps (log(σ(−800)) = log 0 = −∞).
//
// | name         | ℓ for one sample with m outputs                          | ∂ℓ/∂ŷ_j or ∂ℓ/∂a_j        |
// |--------------|----------------------------------------------------------|---------------------------|
// | sse          | ½ Σ_j (ŷ_j − y_j)²   (the lecture's L2 loss)                | ŷ_j − y_j                 |
// | mse          | (1/m) Σ_j (ŷ_j − y_j)²                                   | 2(ŷ_j − y_j)/m            |
// | mae          | (1/m) Σ_j |ŷ_j − y_j|                                    | sign(ŷ_j − y_j)/m         |
// | huber        | (1/m) Σ_j  ½d² if |d| ≤ 1 else |d| − ½,  d = ŷ_j − y_j   | clamp(d, −1, 1)/m         |
// | bce          | (1/m) Σ_j max(a,0) − a y + log(1 + e^−|a|),  a = logit   | (σ(a_j) − y_j)/m          |
// | crossentropy | Σ_j y_j (logsumexp(a) − a_j)  = −Σ_j y_j log softmax(a)_j | softmax(a)_j Σ_k y_k − y_j |

import { ConfigError } from '../errors.ts';
import type { ActivationName } from './activations.ts';

/** The name of a loss L(ŷ, y), as config.loss accepts it. */
export type LossName = 'sse' | 'mse' | 'mae' | 'huber' | 'bce' | 'crossentropy';
/** Every loss name, in a fixed order. */
export const LOSSES: readonly LossName[] = ['sse', 'mse', 'mae', 'huber', 'bce', 'crossentropy'];

/** What a loss is: its name, its formula (for display), and the output activation it is fused with, if any. */
export interface LossInfo {
  name: LossName;
  /** Fused losses take the logits a_L and produce δ_L; they require this output activation. */
  fusedWith?: ActivationName;
  formula: string;
}

/** The description of each loss, by name. */
export const lossInfo: Record<LossName, LossInfo> = {
  sse: { name: 'sse', formula: '½ Σ_j (ŷ_j − y_j)², averaged over the batch' },
  mse: { name: 'mse', formula: '(1/m) Σ_j (ŷ_j − y_j)², averaged over the batch' },
  mae: { name: 'mae', formula: '(1/m) Σ_j |ŷ_j − y_j|, averaged over the batch' },
  huber: { name: 'huber', formula: '(1/m) Σ_j huber₁(ŷ_j − y_j), δ = 1, averaged over the batch' },
  bce: { name: 'bce', fusedWith: 'sigmoid', formula: '(1/m) Σ_j −[y log σ(a) + (1 − y) log(1 − σ(a))] from logits a, averaged over the batch' },
  crossentropy: { name: 'crossentropy', fusedWith: 'softmax', formula: '−Σ_j y_j log softmax(a)_j from logits a, averaged over the batch' },
};

/**
 * True for the losses computed from the logits a_L (bce after a sigmoid, crossentropy after a
 * softmax): the forward pass stops at a_L and the loss kernel writes δ_L = ∂L/∂a_L itself.
 * The one place this rule lives.
 */
export function isFused(loss: LossName): boolean {
  return lossInfo[loss].fusedWith !== undefined;
}

export function checkLoss(name: unknown, where: string): LossName {
  if (typeof name === 'string' && (LOSSES as readonly string[]).includes(name)) return name as LossName;
  throw new ConfigError('E_UNKNOWN_LOSS', `${where}: unknown loss ${JSON.stringify(name)}; expected one of ${LOSSES.join(', ')}`);
}

/** The fused losses fix the output activation; check the pair once, at build time. */
export function checkLossActivation(loss: LossName, output: ActivationName, where: string): void {
  const fused = lossInfo[loss].fusedWith;
  if (fused && output !== fused) {
    throw new ConfigError(
      'E_CONFIG',
      `${where}: loss "${loss}" is computed from the logits of a ${fused} output, received output activation "${output}"; set outputActivation: "${fused}" or choose another loss`,
    );
  }
}
