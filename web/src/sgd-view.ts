// "What we are truly minimizing": the lecture's slide on stochastic gradient descent as a view.
// The objective is the loss over all N samples, (1/N) Σ_i L(y_i, f(x_i)); its gradient is the sum
// (mean) of every sample's gradient; SGD steps along one random sample's gradient, minibatch SGD
// along the mean of B of them. This view trains the same network (same seed, so the same initial
// weights) three ways side by side, for real, through the library's public Trainer: B = 1, B, and
// B = N (full batch), and plots the true objective after every update, against updates and against
// epochs. float64, so the full-batch run equals `fit` with batchSize N bit for bit (the tests check).

import { Chart, LogarithmicScale } from 'chart.js';
import { MLP, datasets, type Trainer } from 'mlpkit';
import { tex } from './tex.ts';
import { el } from './inspector.ts';

Chart.register(LogarithmicScale);

export interface SgdOptions {
  /** training samples (the lecture's data) */
  n: number;
  /** the data's seed */
  dataSeed: number;
  /** the weights' seed: all three runs start from the same weights */
  seed: number;
  /** the minibatch size of the middle run (1 < B < n) */
  batchSize: number;
  learningRate: number;
  epochs: number;
}

export const SGD_DEFAULTS: SgdOptions = { n: 100, dataSeed: 1, seed: 42, batchSize: 10, learningRate: 1, epochs: 100 };

export interface SgdRun {
  name: string;
  batchSize: number;
  model: MLP;
  trainer: Trainer;
  updates: number;
  epochs: number;
  /** the objective (1/N) Σ_i L_i after 0, 1, 2, … updates */
  byUpdate: number[];
  /** the objective after 0, 1, 2, … epochs */
  byEpoch: number[];
  /** the training loss the library logged for each epoch (mean over its batches, before each update) */
  epochLog: number[];
  colour: string;
}

/** The three runs' models: the lecture's network in float64, same seed. */
export function lectureModel(seed: number): MLP {
  return new MLP({ ...datasets.lectureNetwork, seed, dtype: 'float64' });
}

/** The three-way view. Call start() / pause(); everything runs on the page's thread (4 parameters, 100 samples). */
export class SgdView {
  opts: SgdOptions = { ...SGD_DEFAULTS };
  runs: SgdRun[] = [];
  data = datasets.lecture({ n: SGD_DEFAULTS.n, seed: SGD_DEFAULTS.dataSeed });
  playing = false;
  private charts: { updates: Chart; epochs: Chart } | null = null;
  private dirty = false;
  private lastDraw = 0;

  constructor(private readonly root: HTMLElement) {}

  /** Build the controls and the charts; set up the runs. */
  mount(): void {
    const r = this.root;
    const q = <T extends HTMLElement>(sel: string) => r.querySelector(sel) as T;
    q<HTMLElement>('#sgd-formulas').replaceChildren(
      el('p', {}, 'What we are truly minimizing, and its gradient:'),
      // one formula per display: on a phone two side by side would scroll
      el('div', { class: 'tex-row' },
        tex('\\min_\\theta \\; \\frac1N \\sum_{i=1}^{N} L\\big(y_i, f_{\\text{MLP}}(x_i;\\theta)\\big)', true),
        tex('\\nabla_\\theta = \\frac1N \\sum_{i=1}^{N} \\frac{\\partial L(y_i, f_{\\text{MLP}}(x_i))}{\\partial \\theta}', true)),
      el('p', {}, 'What we use for the update: one random sample\'s gradient (SGD), or the mean over a minibatch of B:'),
      el('div', { class: 'tex-row' },
        tex('\\theta \\leftarrow \\theta - \\eta\\, \\frac{\\partial L(y_i, f_{\\text{MLP}}(x_i))}{\\partial \\theta} \\;\\text{ for some } i', true),
        tex('\\theta \\leftarrow \\theta - \\eta\\, \\frac1B \\sum_{i \\in \\text{batch}} \\frac{\\partial L_i}{\\partial \\theta}', true)),
      el('p', { class: 'muted' }, 'The slide writes a sum; the library (like PyTorch) averages, which only rescales η by N. Same network, same initial weights, same η: one update per sample, per minibatch, or per pass over all the data.'),
    );
    const num = (id: string, key: keyof SgdOptions, lo: number, hi: number, int: boolean) => {
      const inp = q<HTMLInputElement>(`#${id}`);
      inp.value = String(this.opts[key]);
      inp.addEventListener('change', () => {
        const v = Number(inp.value);
        const hiNow = key === 'batchSize' ? this.opts.n - 1 : hi;
        if (inp.value === '' || !Number.isFinite(v) || v < lo || v > hiNow || (int && !Number.isInteger(v))) {
          this.say(`${inp.labels?.[0]?.textContent ?? id}: expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hiNow}], received "${inp.value}"`, true);
          inp.value = String(this.opts[key]);
          return;
        }
        this.opts = { ...this.opts, [key]: v };
        this.reset();
      });
    };
    num('sgd-batch', 'batchSize', 2, 1000, true);
    num('sgd-lr', 'learningRate', 1e-4, 100, false);
    num('sgd-epochs', 'epochs', 1, 2000, true);
    num('sgd-seed', 'seed', 0, 0xffffffff, true);
    q<HTMLButtonElement>('#sgd-run').addEventListener('click', () => (this.playing ? this.pause() : this.start()));
    q<HTMLButtonElement>('#sgd-reset').addEventListener('click', () => this.reset());
    q<HTMLButtonElement>('#sgd-check').addEventListener('click', () => {
      this.pause();
      const c = this.checkFullBatch();
      const out = q<HTMLElement>('#sgd-check-result');
      out.className = c.equal ? 'ok' : 'bad';
      out.dataset.equal = String(c.equal);
      out.textContent = c.equal
        ? `✓ The full-batch curve is fit(x, y, { batchSize: ${this.data.x.length}, epochs: ${c.epochs} }) from the same seed, bit for bit: every epoch's loss and the final weights.`
        : `✗ The full-batch run and fit({ batchSize: ${this.data.x.length} }) differ after ${c.epochs} epochs.`;
    });
    this.reset();
  }

  private say(text: string, error = false): void {
    const s = this.root.querySelector('#sgd-status') as HTMLElement;
    s.textContent = text;
    s.className = error ? 'bad' : 'muted';
  }

  /** New runs from the same seed: B = 1, B, N. */
  reset(): void {
    this.pause();
    const o = this.opts;
    this.data = datasets.lecture({ n: o.n, seed: o.dataSeed });
    const { x, y } = this.data;
    const N = x.length;
    const make = (name: string, batchSize: number, colour: string): SgdRun => {
      const model = lectureModel(o.seed);
      const trainer = model.trainer(x, y, { epochs: o.epochs, batchSize, optimizer: 'sgd', learningRate: o.learningRate, shuffle: true });
      // the trainer fitted the (identity) preprocessing and built the network: the objective at θ₀
      const L0 = model.evaluate(x, y).loss;
      return { name, batchSize, model, trainer, updates: 0, epochs: 0, byUpdate: [L0], byEpoch: [L0], epochLog: [], colour };
    };
    this.runs = [
      make('SGD: one random sample per update (B = 1)', 1, '#c76b00'),
      make(`minibatches of B = ${o.batchSize}`, o.batchSize, '#0877bd'),
      make(`full batch (B = N = ${N})`, N, '#1d2429'),
    ];
    this.dirty = true;
    this.draw(true);
    this.say(`Ready: ${N} samples, ${o.epochs} epochs, η = ${o.learningRate}. Run trains all three.`);
  }

  start(): void {
    if (this.runs.every((r) => r.trainer.done)) this.reset();
    this.playing = true;
    this.button();
    requestAnimationFrame(this.frame);
  }

  pause(): void {
    this.playing = false;
    this.button();
  }

  private button(): void {
    const b = this.root.querySelector('#sgd-run') as HTMLButtonElement | null;
    if (!b) return;
    b.textContent = this.playing ? 'Pause' : 'Run';
    b.setAttribute('aria-pressed', String(this.playing));
  }

  /** One epoch of one run: its updates, the objective after each. */
  epoch(run: SgdRun): void {
    const { x, y } = this.data;
    for (;;) {
      const r = run.trainer.step();
      if (!r) return;
      run.updates++;
      run.byUpdate.push(run.model.evaluate(x, y).loss);
      if (r.epoch) {
        run.epochs++;
        run.byEpoch.push(run.byUpdate[run.byUpdate.length - 1]);
        run.epochLog.push(r.epoch.loss);
        return;
      }
    }
  }

  /**
   * The check: the library's `fit` with batchSize N from the same seed, next to the full-batch run.
   * Same engine, same float64 arithmetic: its epoch losses and final weights must be the same bits.
   */
  checkFullBatch(): { equal: boolean; epochs: number; fitLosses: number[]; fitParams: number[] } {
    const full = this.runs[2];
    const model = lectureModel(this.opts.seed);
    const h = model.fit(this.data.x, this.data.y, { epochs: full.epochs, batchSize: this.data.x.length, optimizer: 'sgd', learningRate: this.opts.learningRate, shuffle: true });
    const fitLosses = h.epochs.map((e) => e.loss);
    const fitParams = Array.from(model.parameters());
    const equal = fitLosses.length === full.epochLog.length && fitLosses.every((v, k) => Object.is(v, full.epochLog[k])) &&
      fitParams.every((v, k) => Object.is(v, full.model.parameters()[k]));
    return { equal, epochs: full.epochs, fitLosses, fitParams };
  }

  /** Run everything to the end at once (for tests and the impatient). */
  finish(): void {
    for (const run of this.runs) while (!run.trainer.done && run.epochs < this.opts.epochs) this.epoch(run);
    this.dirty = true;
    this.draw(true);
  }

  private frame = (): void => {
    if (!this.playing) return;
    const t0 = performance.now();
    // the three runs advance epoch by epoch together, for ~10 ms a frame
    do {
      for (const run of this.runs) if (run.epochs < this.opts.epochs) this.epoch(run);
    } while (performance.now() - t0 < 10 && this.runs.some((r) => r.epochs < this.opts.epochs));
    this.dirty = true;
    const finished = this.runs.every((r) => r.epochs >= this.opts.epochs);
    this.draw(finished);
    if (finished) {
      this.pause();
      this.say(`Done: ${this.opts.epochs} epochs. ` + this.runs.map((r) => `${r.batchSize === 1 ? 'SGD' : r.batchSize === this.data.x.length ? 'full batch' : `B = ${r.batchSize}`}: ${r.updates} updates, objective ${r.byUpdate[r.byUpdate.length - 1].toPrecision(4)}`).join('; ') + '.');
    } else requestAnimationFrame(this.frame);
  };

  /** Redraw the charts (at most ~8 times a second unless forced) and the table. */
  draw(force = false): void {
    if (!this.dirty) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 120) return;
    this.lastDraw = now;
    this.dirty = false;
    const canvases = { updates: this.root.querySelector('#sgd-updates') as HTMLCanvasElement, epochs: this.root.querySelector('#sgd-epochs-chart') as HTMLCanvasElement };
    if (!this.charts) {
      const make = (c: HTMLCanvasElement, xTitle: string, xLog: boolean) => new Chart(c, {
        type: 'line',
        data: { datasets: [] },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
          scales: {
            x: { type: xLog ? 'logarithmic' : 'linear', min: xLog ? 1 : 0, title: { display: true, text: xTitle } },
            y: { type: 'logarithmic', title: { display: true, text: 'objective (1/N) Σ L_i (log)' } },
          },
          plugins: { legend: { position: 'bottom', labels: { usePointStyle: true, pointStyle: 'line', boxWidth: 24 } } },
        },
      });
      this.charts = { updates: make(canvases.updates, 'updates (log scale)', true), epochs: make(canvases.epochs, 'epochs (passes over the data)', false) };
    }
    // at most ~400 points a line; updates on a log axis start at 1 (the objective after the first update)
    const thin = (ys: number[], xOf: (k: number) => number, from: number) => {
      const out: { x: number; y: number }[] = [];
      const n = ys.length - from;
      const stride = Math.max(1, Math.ceil(n / 400));
      for (let k = from; k < ys.length; k += stride) out.push({ x: xOf(k), y: ys[k] });
      if (n > 0 && (n - 1) % stride !== 0) out.push({ x: xOf(ys.length - 1), y: ys[ys.length - 1] });
      return out;
    };
    const line = (r: SgdRun, data: { x: number; y: number }[]) => ({ label: r.name, data, borderColor: r.colour, backgroundColor: r.colour, borderWidth: 2, pointRadius: data.length < 40 ? 2 : 0 });
    this.charts.updates.data.datasets = this.runs.map((r) => line(r, thin(r.byUpdate, (k) => k, 1)));
    this.charts.epochs.data.datasets = this.runs.map((r) => line(r, thin(r.byEpoch, (k) => k, 0)));
    this.charts.updates.update('none');
    this.charts.epochs.update('none');
    const table = this.root.querySelector('#sgd-table') as HTMLElement;
    const last = (r: SgdRun) => r.byUpdate[r.byUpdate.length - 1];
    table.replaceChildren(el('table', {},
      el('thead', {}, el('tr', {}, ...['run', 'epochs', 'updates', 'objective now'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...this.runs.map((r) => el('tr', {},
        el('th', { scope: 'row' }, r.name), el('td', {}, String(r.epochs)), el('td', {}, String(r.updates)),
        el('td', { 'data-objective': String(last(r)) }, last(r).toPrecision(5)))))));
  }
}

