// Training progress on stderr (stdout stays for results and --json):
//   "bar"   a terminal: one cli-progress bar per epoch with loss, validation loss, the metric,
//           samples/s and the run's ETA; the finished bar stays as that epoch's line
//   "lines" not a terminal (a pipe, a log file, CI): one summary line per epoch
//   "none"  --quiet

import cliProgress from 'cli-progress';
import type { BatchEvent, EpochLog } from '../src/index.ts';
import { duration, fixed, int } from './format.ts';

export type ProgressMode = 'bar' | 'lines' | 'none';

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private t0 = performance.now();
  private lastDraw = 0;
  private batchesDone = 0;
  private lossSum = 0;
  private lossN = 0;
  private last: EpochLog | null = null;

  constructor(
    private readonly mode: ProgressMode,
    /** epochs this run will train, and the epoch it starts after (resume) */
    private readonly epochs: number,
    private readonly startEpoch: number,
    private readonly metricName: () => string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  batch(e: BatchEvent): void {
    this.batchesDone++;
    this.lossSum += e.loss;
    this.lossN++;
    if (this.mode !== 'bar') return;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.out,
          format: ' epoch {ep} {bar} {value}/{total} | loss {loss} | val loss {vloss} | {mname} {metric} | {sps} samples/s | ETA {runEta}',
          barsize: 20,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(e.batches, 0, this.payload(e.epoch, 0));
    }
    const now = performance.now();
    if (now - this.lastDraw > 50 || e.batch === e.batches) {
      this.lastDraw = now;
      // samples/s over this run so far (e.samples counts from the run's start)
      const secs = (now - this.t0) / 1000;
      this.bar.update(e.batch, this.payload(e.epoch, secs > 0 ? e.samples / secs : 0, e));
    }
  }

  private payload(epoch: number, sps: number, e?: BatchEvent) {
    const doneEpochs = epoch - this.startEpoch - 1 + (e ? e.batch / e.batches : 0);
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = doneEpochs > 0 ? (elapsed / doneEpochs) * (this.epochs - doneEpochs) : NaN;
    return {
      ep: `${String(epoch).padStart(String(this.startEpoch + this.epochs).length)}/${this.startEpoch + this.epochs}`,
      loss: fixed(this.lossN ? this.lossSum / this.lossN : undefined),
      vloss: fixed(this.last?.valLoss),
      mname: this.last?.valMetric !== undefined ? `val ${this.metricName()}` : this.metricName(),
      metric: fixed(this.last ? (this.last.valMetric ?? this.last.accuracy) : undefined),
      sps: int(sps),
      runEta: duration(eta),
    };
  }

  epoch(log: EpochLog): void {
    this.last = log;
    const doneEpochs = log.epoch - this.startEpoch;
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = (elapsed / doneEpochs) * (this.epochs - doneEpochs);
    if (this.mode === 'bar' && this.bar) {
      this.bar.update({ ...this.payload(log.epoch, log.samplesPerSecond), loss: fixed(log.loss), runEta: duration(eta) });
      this.bar.stop();
      this.bar = null;
    } else if (this.mode === 'lines') {
      const m = this.metricName();
      const parts = [
        `epoch ${String(log.epoch).padStart(String(this.startEpoch + this.epochs).length)}/${this.startEpoch + this.epochs}`,
        `loss ${fixed(log.loss)}`,
        ...(log.accuracy !== undefined ? [`${m === 'subset_accuracy' ? m : 'accuracy'} ${fixed(log.accuracy)}`] : []),
        ...(log.valLoss !== undefined ? [`val_loss ${fixed(log.valLoss)}`, `val_${m === 'R²' ? 'r2' : m} ${fixed(log.valMetric)}`] : []),
        `${int(log.samplesPerSecond)} samples/s`,
        `ETA ${duration(eta)}`,
      ];
      this.out.write(parts.join('  ') + '\n');
    }
    this.lossSum = 0;
    this.lossN = 0;
  }

  /** Leave the terminal clean (Ctrl-C, errors). */
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }

  note(message: string): void {
    if (this.mode === 'none') return;
    this.stop();
    this.out.write(message + '\n');
  }
}
