// Learning-rate schedules, evaluated once per epoch: lr(epoch) from the base rate η.
// e counts the model's epochs over every fit call, so continued training continues the schedule;
// cosine spans E = schedule.epochs, or (by default) the epochs trained so far plus this fit's epochs:
// set schedule.epochs to the total when a run is split over several fit calls (resume).
// | type        | lr at epoch e (0-based)                                                      |
// |-------------|------------------------------------------------------------------------------|
// | constant    | η                                                                            |
// | step        | η · γ^⌊e / stepSize⌋                         (torch StepLR)                  |
// | exponential | η · γ^e                                      (torch ExponentialLR)           |
// | cosine      | warm-up η·(e+1)/(w+1) for e < w, then                                        |
// |             | ηmin + ½(η − ηmin)(1 + cos(π (e − w)/(E − w)))  (Loshchilov & Hutter 2016)   |
// | plateau     | η, multiplied by `factor` after `patience` epochs without improvement of the |
// |             | monitored loss by more than `threshold` (relative), never below ηmin        |
// |             |                                              (torch ReduceLROnPlateau)       |

import { ConfigError } from '../errors.ts';

/** How the learning rate changes from epoch to epoch: constant, step decay, exponential decay, cosine, or reduce-on-plateau. */
export type Schedule =
  | { type: 'constant' }
  | { type: 'step'; stepSize: number; gamma?: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; warmup?: number; minLr?: number; epochs?: number }
  | { type: 'plateau'; factor?: number; patience?: number; threshold?: number; minLr?: number };

/** A learning-rate scheduler's state: the current rate and the plateau bookkeeping. */
export interface SchedulerState {
  lr: number;
  best: number;
  badEpochs: number;
}

/** Gives the learning rate for each epoch according to a Schedule. */
export class LrScheduler {
  private state: SchedulerState;

  constructor(
    readonly baseLr: number,
    readonly schedule: Schedule,
    readonly epochs: number,
  ) {
    const s = schedule as Record<string, unknown>;
    const types = ['constant', 'step', 'exponential', 'cosine', 'plateau'];
    if (!types.includes(s.type as string)) throw new ConfigError('E_CONFIG', `schedule: unknown type ${JSON.stringify(s.type)}; expected one of ${types.join(', ')}`);
    for (const k of ['stepSize', 'gamma', 'warmup', 'minLr', 'factor', 'patience', 'threshold']) {
      if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k] as number) || (s[k] as number) < 0)) {
        throw new ConfigError('E_CONFIG', `schedule.${k}: expected a finite number ≥ 0, received ${JSON.stringify(s[k])}`);
      }
    }
    if (schedule.type === 'step' && !(schedule.stepSize >= 1)) throw new ConfigError('E_CONFIG', `schedule.stepSize: expected an integer ≥ 1, received ${schedule.stepSize}`);
    this.state = { lr: baseLr, best: Infinity, badEpochs: 0 };
  }

  /** The learning rate for epoch e. */
  lrAt(e: number): number {
    const s = this.schedule;
    const lr = this.baseLr;
    switch (s.type) {
      case 'constant': return lr;
      case 'step': return lr * Math.pow(s.gamma ?? 0.1, Math.floor(e / s.stepSize));
      case 'exponential': return lr * Math.pow(s.gamma, e);
      case 'cosine': {
        const w = s.warmup ?? 0;
        const min = s.minLr ?? 0;
        if (e < w) return (lr * (e + 1)) / (w + 1);
        const span = Math.max(1, (s.epochs ?? this.epochs) - w);
        return min + 0.5 * (lr - min) * (1 + Math.cos((Math.PI * Math.min(e - w, span)) / span));
      }
      case 'plateau': return this.state.lr;
    }
  }

  /** Tell the plateau schedule the monitored loss at the end of an epoch. */
  observe(loss: number): void {
    const s = this.schedule;
    if (s.type !== 'plateau') return;
    const threshold = s.threshold ?? 1e-4;
    if (loss < this.state.best * (1 - threshold)) {
      this.state.best = loss;
      this.state.badEpochs = 0;
    } else if (++this.state.badEpochs > (s.patience ?? 10)) {
      this.state.lr = Math.max(s.minLr ?? 0, this.state.lr * (s.factor ?? 0.1));
      this.state.badEpochs = 0;
    }
  }

  /** A copy of the state, for saving. */
  getState(): SchedulerState {
    return { ...this.state };
  }

  /** Restore a state from getState (or a saved model). */
  setState(s: SchedulerState): void {
    this.state = { ...s };
  }
}
