// Words for what the loss curve shows. A loss that jumps up while training is a step that overshot:
// the learning rate is too large for where the weights are now. With Adam every weight moves by about
// η per step whatever its gradient's size (the step is m/√v), so near a minimum a fixed η = 0.03 keeps
// kicking the weights out of it: the curve spikes, then recovers. The page says so, once per spike.

export interface Spike {
  epoch: number;
  /** the lowest train loss before the spike */
  from: number;
  /** the train loss at the spike */
  to: number;
}

/** Watches the train loss, one value per epoch, for jumps. */
export class SpikeWatch {
  private first = NaN;
  private min = Infinity;
  private armed = true;

  /** A spike: the loss rose above 1.5× its lowest value so far, after training had made progress (the lowest ≤ 0.8× the first). */
  push(epoch: number, loss: number): Spike | null {
    if (!Number.isFinite(loss)) return null;
    if (Number.isNaN(this.first)) this.first = loss;
    let spike: Spike | null = null;
    if (this.armed && this.min <= 0.8 * this.first && loss > 1.5 * this.min) {
      spike = { epoch, from: this.min, to: loss };
      this.armed = false;
    }
    // re-armed once the loss is back near its best
    if (!this.armed && loss <= 1.2 * this.min) this.armed = true;
    this.min = Math.min(this.min, loss);
    return spike;
  }

  reset(): void {
    this.first = NaN;
    this.min = Infinity;
    this.armed = true;
  }
}

/** What happened and what to try. */
export function spikeNote(s: Spike, optimizer: string, learningRate: number, batchSize: number): string {
  const smaller = [learningRate / 3, learningRate / 10].map((v) => Number(v.toPrecision(1)));
  const why = optimizer === 'adam' || optimizer === 'adamw'
    ? `${optimizer} moves every weight by about η per step whatever the gradient's size, so near a minimum η = ${learningRate} overshoots it`
    : `a step of η = ${learningRate} times the gradient overshot the minimum`;
  return `Loss spike at epoch ${s.epoch}: the train loss jumped from ${s.from.toPrecision(3)} to ${s.to.toPrecision(3)}. The learning rate is too large here: ${why}. Try η = ${smaller[0]} or ${smaller[1]}${batchSize < 32 ? ', or a larger batch (less noisy steps)' : ''}.`;
}
