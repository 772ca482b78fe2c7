// The training engine: owns the dataset and the model, trains in time slices, and answers the page.
// It runs in a Web Worker (worker.ts) or, where workers are unavailable, on the main thread
// (main.ts), with the same code. It uses the library only through its public API ('mlpkit' is
// src/index.ts, as for any user of the package).

import {
  DivergenceError, MLP, datasets, defaults, fromJSON, gradCheck, gradients, inferTask, toJSON, trace, trainTestSplit,
  type Dataset, type Label, type Trainer,
} from 'mlpkit';
import type { CsvData, FromEngine, LayerInfo, StateMessage, ToEngine } from './protocol.ts';
import { DEFAULT_SETTINGS, FEATURES, FEATURE_FNS, HIDDEN_ACTIVATIONS, type FeatureName, type Settings } from './settings.ts';

/** Whether this library takes per-layer `bias` in MLP's options. */
export const BIAS_OPTION = 'bias' in defaults;
/** Grid resolution of the surfaces: G × G points over the plane. */
export const GRID = 50;
/** Training epochs given to one trainer; the page trains until paused, this is only an upper bound. */
const EPOCHS = 1_000_000;
/** Post the state at most this often while training (ms): ~20 updates a second is smooth to the eye. */
const POST_EVERY_MS = 50;
/** The inspector's gradient check: relative error below this passes … */
export const GRADCHECK_TOLERANCE = 1e-5;
/** … with |gradients| below this compared absolutely. */
export const GRADCHECK_FLOOR = 1e-5;
/** Keep at most this many loss-curve points waiting for the page. */
const CURVE_MAX = 2000;

type Post = (msg: FromEngine, transfer?: Transferable[]) => void;

interface Split {
  /** raw points (x1, x2) */
  points: [number, number][];
  /** feature rows, one per point */
  x: number[][];
  y: Label[];
}

const now = () => performance.now();

/** Built-in datasets scaled into about [−3, 3]², the plane the page draws ([−3.5, 3.5]²). */
function generate(s: Settings): Dataset<number> {
  const o = { n: s.points, noise: s.noise, seed: s.dataSeed };
  const scale = (d: Dataset<number>, k: number, dx = 0, dy = 0): Dataset<number> => ({ ...d, x: d.x.map(([a, b]) => [(a + dx) * k, (b + dy) * k]) });
  switch (s.dataset) {
    case 'circle': return scale(datasets.circles(o), 3);
    case 'xor': return scale(datasets.xor(o), 3);
    case 'gauss': return scale(datasets.blobs({ ...o, centers: 2 }), 1.6);
    case 'gauss3': return scale(datasets.blobs({ ...o, centers: 3 }), 1.6);
    case 'spiral': return scale(datasets.spirals(o), 0.55);
    case 'moons': return scale(datasets.moons(o), 2, -0.5, -0.25);
    case 'lecture': {
      // one input x; each point is drawn at the height of its target (x2 = 12 (y − 0.7)), so x2 is no input
      if (s.features.some((f) => f.includes('x2'))) throw new Error(`dataset "lecture": x2 is where a point is drawn (its target), not an input; choose features of x1 only`);
      const d = datasets.lecture(o);
      return { ...d, x: d.x.map(([v], i) => [v, 12 * (d.y[i] - 0.7)]), featureNames: ['x1', 'x2'] };
    }
    default: throw new Error(`dataset "${s.dataset}" needs a CSV file; drop one on the page`);
  }
}

function sortedClasses(y: readonly Label[]): Label[] {
  const c = [...new Set(y)];
  if (c.every((v) => typeof v === 'number')) return (c as number[]).sort((a, b) => a - b);
  return c.sort((a, b) => String(a).localeCompare(String(b)));
}

export function featuresOf(names: readonly FeatureName[], x1: number, x2: number): number[] {
  return names.map((n) => FEATURE_FNS[n](x1, x2));
}

export class Engine {
  settings: Settings = structuredClone(DEFAULT_SETTINGS);
  private csv: CsvData | undefined;
  private train: Split = { points: [], x: [], y: [] };
  private test: Split = { points: [], x: [], y: [] };
  private task: 'classification' | 'regression' = 'classification';
  private classes: Label[] = [];
  private domain: [number, number, number, number] = [-3.5, 3.5, -3.5, 3.5];
  model: MLP | null = null;
  private trainer: Trainer | null = null;
  private playing = false;
  private scheduled = false;
  private steps = 0;
  private curve: StateMessage['curve'] = [];
  private fresh = true;
  private lastPost = 0;
  private samplesSincePost = 0;
  private samplesPerSecond = 0;
  private lastTrainerSamples = 0;
  /** the grid's feature rows, raw (for the input maps) */
  private gridFeatures: Float64Array = new Float64Array(0);

  constructor(
    private readonly post: Post,
    /** run fn soon, letting messages in first */
    private readonly schedule: (fn: () => void) => void,
    /** how long one training slice may run (ms) */
    private readonly sliceMs: number,
  ) {}

  handle(msg: ToEngine): void {
    try {
      this.dispatch(msg);
    } catch (e) {
      if (this.playing) this.playing = false;
      // a request's error carries its id: the page is waiting for that reply
      this.post({ type: 'error', message: (e as Error).message ?? String(e), ...('id' in msg ? { id: msg.id } : {}) });
      if (this.model) this.postState();
    }
  }

  private dispatch(msg: ToEngine): void {
    switch (msg.type) {
      case 'configure':
        this.configure(msg.settings, msg.csv, msg.weights);
        break;
      case 'hyper': {
        const old = this.settings;
        this.settings = structuredClone(msg.settings);
        const fitChanged = (['optimizer', 'learningRate', 'batchSize', 'weightDecay'] as const).some((k) => old[k] !== this.settings[k]);
        if (this.model && fitChanged) {
          // the library keeps the optimizer's state while the optimizer and its hyperparameters
          // (the weight decay included) stay the same, and starts a fresh one when they change
          this.trainer = this.newTrainer();
        }
        this.postState();
        break;
      }
      case 'play':
        this.playing = true;
        this.allowance = 1;
        this.lastTick = now();
        this.samplesSincePost = 0;
        this.lastPost = now();
        this.kick();
        this.postState();
        break;
      case 'pause':
        this.playing = false;
        this.postState();
        break;
      case 'step':
        this.playing = false;
        this.stepOnce();
        this.postState();
        break;
      case 'setParam': {
        const model = this.requireModel();
        if (msg.param === 'W') model.setWeight(msg.layer, msg.i, msg.j, msg.value);
        else model.setBias(msg.layer, msg.i, msg.value);
        this.postState();
        break;
      }
      case 'trace': {
        const { x, y, point } = this.sample(msg.index);
        const model = this.requireModel();
        const t = trace(model, x, y);
        this.post({ type: 'trace', id: msg.id, index: msg.index, point, label: y, features: x, target: t.y, trace: t, learningRate: this.settings.learningRate });
        break;
      }
      case 'gradCheck': {
        const { x, y } = this.sample(msg.index);
        // NOTE: on a trained network some units saturate (tanh at |a| ≈ 7 has f' ≈ 1e-6) and confident
        // outputs have losses ~1e-8, so many gradients are ~1e-6 or smaller, while the difference
        // quotient's round-off is ~1e-11 (ε·|terms of L|/h with h = 1e-4): a relative 1e-5 of those
        // gradients. Hence tolerance 1e-5 with gradients below 1e-5 compared absolutely, as the
        // library's own gradient tests do (test/core/gradcheck.test.ts).
        const report = gradCheck(this.requireModel(), [x], [y] as Label[], { tolerance: GRADCHECK_TOLERANCE, floor: GRADCHECK_FLOOR });
        this.post({ type: 'gradCheck', id: msg.id, report });
        break;
      }
      case 'applyUpdate': {
        // one plain gradient-descent step on this sample alone: θ ← θ − η ∂L/∂θ
        const { x, y } = this.sample(msg.index);
        const model = this.requireModel();
        const before = gradients(model, [x], [y] as Label[], { float64: true }).loss;
        model.gradientStep([x], [y] as Label[], this.settings.learningRate);
        const after = gradients(model, [x], [y] as Label[], { float64: true }).loss;
        this.post({ type: 'applyUpdate', id: msg.id, lossBefore: before, lossAfter: after });
        this.postState();
        break;
      }
      case 'export':
        this.post({ type: 'export', id: msg.id, doc: this.exportDoc() });
        break;
      case 'import':
        this.importModel(msg.json);
        this.post({ type: 'import', id: msg.id });
        break;
    }
  }

  private requireModel(): MLP {
    if (!this.model) throw new Error('no model yet: the page has not configured one');
    return this.model;
  }

  private sample(index: number): { x: number[]; y: Label; point: [number, number] } {
    if (!Number.isInteger(index) || index < 0 || index >= this.train.x.length) throw new Error(`training point ${index}: expected an index in 0..${this.train.x.length - 1}`);
    return { x: this.train.x[index], y: this.train.y[index], point: this.train.points[index] };
  }

  // ---- data and model ---------------------------------------------------------------------------

  private configure(settings: Settings, csv: CsvData | undefined, weights?: Float32Array): void {
    const prev = { csv: this.csv, settings: this.settings, hadModel: this.model !== null };
    if (csv) this.csv = csv;
    const s = structuredClone(settings);
    let model: MLP;
    try {
      this.loadData(s);
      model = this.buildModel(s);
    } catch (e) {
      // keep the page consistent: the old data, model and settings stay, the controls go back
      this.csv = prev.csv;
      if (prev.hadModel) {
        this.loadData(prev.settings);
        this.post({ type: 'settings', settings: prev.settings });
      }
      throw e;
    }
    if (weights) {
      const n = model.parameters().length;
      if (weights.length !== n) {
        this.post({ type: 'error', message: `the URL's weights have ${weights.length} values but this network has ${n}; starting from fresh weights` });
      } else model.setParameters(weights);
    }
    this.settings = s;
    this.useModel(model);
  }

  private loadData(s: Settings): void {
    let points: [number, number][];
    let labels: Label[];
    let columns: [string, string, string] = ['x1', 'x2', 'label'];
    if (s.dataset === 'csv') {
      if (!this.csv) throw new Error('dataset "CSV file": no CSV loaded yet; drop a CSV file with two numeric columns and a label on the page');
      points = this.csv.x.map((p) => [p[0], p[1]]);
      labels = this.csv.y.slice();
      columns = this.csv.columns;
    } else {
      const d = generate(s);
      points = d.x as [number, number][];
      labels = d.y;
    }
    this.task = inferTask(labels); // the library's rule, as fit's task "auto" applies it
    this.classes = this.task === 'classification' ? sortedClasses(labels) : [];
    const { train, test } = trainTestSplit(points, labels, { testSize: s.testRatio, seed: s.dataSeed, stratify: this.task === 'classification' });
    const split = (p: { x: number[][]; y: Label[] }): Split => ({
      points: p.x as [number, number][],
      x: p.x.map(([a, b]) => featuresOf(s.features, a, b)),
      y: p.y,
    });
    this.train = split(train);
    this.test = split(test);
    if (s.dataset === 'csv') {
      let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
      for (const [a, b] of points) {
        x0 = Math.min(x0, a); x1 = Math.max(x1, a); y0 = Math.min(y0, b); y1 = Math.max(y1, b);
      }
      const px = (x1 - x0 || 1) * 0.08;
      const py = (y1 - y0 || 1) * 0.08;
      this.domain = [x0 - px, x1 + px, y0 - py, y1 + py];
    } else this.domain = [-3.5, 3.5, -3.5, 3.5];
    // the grid's features, raw
    const G = GRID;
    const [a0, a1, b0, b1] = this.domain;
    const f = s.features.length;
    this.gridFeatures = new Float64Array(G * G * f);
    for (let r = 0; r < G; r++) {
      for (let c = 0; c < G; c++) {
        const x1 = a0 + ((c + 0.5) / G) * (a1 - a0);
        const x2 = b1 - ((r + 0.5) / G) * (b1 - b0); // row 0 at the top
        const row = featuresOf(s.features, x1, x2);
        for (let k = 0; k < f; k++) this.gridFeatures[(r * G + c) * f + k] = row[k];
      }
    }
    const ys = this.task === 'regression' ? (labels as number[]) : [0, 1];
    const toXY = (sp: Split) => ({
      x: Float64Array.from(sp.points.flat()),
      y: Float64Array.from(sp.y, (v) => (this.task === 'classification' ? this.classes.indexOf(v) : (v as number))),
    });
    this.post({
      type: 'data', task: this.task, classes: this.classes, train: toXY(this.train), test: toXY(this.test), domain: this.domain,
      yRange: [Math.min(...ys), Math.max(...ys)], columns,
    });
  }

  private buildModel(s: Settings): MLP {
    const K = this.classes.length;
    const outputs = this.task === 'classification' && (K > 2 || s.loss === 'crossentropy') ? K : 1;
    const model = new MLP({
      task: this.task,
      hidden: s.hidden,
      activation: s.activations,
      ...(s.loss !== 'auto' ? { loss: s.loss } : {}),
      ...(s.output !== 'auto' ? { outputActivation: s.output } : {}),
      // per-layer bias (the lecture's network has one in its first layer only); said only when some layer has none
      // NOTE: a library without the per-layer `bias` option (older than the training issue) gets every
      // layer a bias; the inspector then shows the extra ∂L/∂b (the page says so on the preset)
      ...(s.bias.some((b) => !b) && BIAS_OPTION ? { bias: s.bias } : {}),
      seed: s.seed,
      // built-in data is already in a small range; a CSV's columns are standardized by the model
      scaleInputs: s.dataset === 'csv' ? 'standard' : 'none',
      // the lecture's targets are the sigmoid output's own numbers, in (0, 1)
      scaleTargets: s.dataset === 'csv' ? 'standard' : 'none',
      optimizer: s.optimizer,
      learningRate: s.learningRate,
      batchSize: s.batchSize,
      weightDecay: s.weightDecay,
    });
    model.build(s.features.length, outputs, this.task, this.task === 'classification' ? this.classes : undefined);
    return model;
  }

  private useModel(model: MLP): void {
    this.model = model;
    this.trainer = this.newTrainer();
    this.steps = 0;
    this.curve = [];
    this.fresh = true;
    this.samplesPerSecond = 0;
    this.pushCurvePoint(model.epochsTrained);
    this.postState();
  }

  private newTrainer(): Trainer {
    const s = this.settings;
    const t = this.model!.trainer(this.train.x, this.train.y, {
      epochs: EPOCHS, batchSize: s.batchSize, optimizer: s.optimizer, learningRate: s.learningRate, weightDecay: s.weightDecay, shuffle: true,
    });
    this.lastTrainerSamples = 0;
    return t;
  }

  // ---- training ---------------------------------------------------------------------------------

  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.tick);
  }

  /** Batches allowed by the speed limit but not yet taken (fractional). */
  private allowance = 0;
  private lastTick = 0;

  private tick = (): void => {
    this.scheduled = false;
    if (!this.playing) return;
    const t0 = now();
    const limit = this.settings.speed;
    if (limit > 0) {
      // the speed limit: epochs/s × batches per epoch, accumulated over time (at most one slice's worth)
      const perEpoch = Math.ceil(this.train.x.length / Math.min(this.settings.batchSize, this.train.x.length));
      this.allowance = Math.min(this.allowance + ((t0 - this.lastTick) / 1000) * limit * perEpoch, Math.max(1, limit * perEpoch * 0.1));
    }
    this.lastTick = t0;
    try {
      while (this.playing && now() - t0 < this.sliceMs && (limit <= 0 || this.allowance >= 1)) {
        this.stepOnce();
        this.allowance--;
      }
    } catch (e) {
      this.handle({ type: 'pause' });
      this.post({ type: 'error', message: (e as Error).message });
      return;
    }
    if (now() - this.lastPost >= POST_EVERY_MS) this.postState();
    if (limit > 0 && this.allowance < 1) {
      // nothing to do until the allowance refills: sleep rather than spin
      this.scheduled = true;
      setTimeout(this.tick, 10);
    } else this.kick();
  };

  private stepOnce(): void {
    const model = this.requireModel();
    if (!this.trainer || this.trainer.done) this.trainer = this.newTrainer();
    let r;
    try {
      r = this.trainer.step();
    } catch (e) {
      this.playing = false;
      if (e instanceof DivergenceError) throw new Error(`${e.message}. Training paused.`);
      throw e;
    }
    if (!r) return;
    this.steps++;
    this.samplesSincePost += r.batch.samples - this.lastTrainerSamples;
    this.lastTrainerSamples = r.batch.samples;
    if (r.epoch) this.pushCurvePoint(model.epochsTrained);
  }

  private pushCurvePoint(epoch: number): void {
    const m = this.metrics();
    this.curve.push({ epoch, train: m.trainLoss, test: m.testLoss });
    if (this.curve.length > CURVE_MAX) this.curve.splice(0, this.curve.length - CURVE_MAX);
  }

  private metrics(): { trainLoss: number; testLoss: number; trainMetric: number; testMetric: number } {
    const model = this.model!;
    const ev = (sp: Split) => {
      if (sp.x.length === 0) return { loss: NaN, metric: NaN };
      const e = model.evaluate(sp.x, sp.y);
      return { loss: e.loss, metric: e.task === 'classification' ? e.accuracy : e.r2 };
    };
    const tr = ev(this.train);
    const te = ev(this.test);
    return { trainLoss: tr.loss, testLoss: te.loss, trainMetric: tr.metric, testMetric: te.metric };
  }

  // ---- what the page draws ------------------------------------------------------------------------

  postState(): void {
    const model = this.model;
    if (!model) return;
    const t = now();
    const dt = (t - this.lastPost) / 1000;
    if (this.playing && dt > 0) this.samplesPerSecond = this.samplesSincePost / dt;
    else if (!this.playing) this.samplesPerSecond = 0;
    this.samplesSincePost = 0;
    this.lastPost = t;

    const G = GRID;
    const n = G * G;
    const f = model.inputs!;
    const layers: LayerInfo[] = model.layers.map((l) => ({ nIn: l.inputs, nOut: l.units, activation: l.activation, bias: l.bias }));
    const nodes = f + layers.reduce((s, l) => s + l.nOut, 0);
    const maps = new Float32Array(nodes * n);
    // input maps: the raw features
    for (let k = 0; k < f; k++) for (let p = 0; p < n; p++) maps[k * n + p] = this.gridFeatures[p * f + k];
    // every layer's h over the grid: one batched forward pass of the G² points, through the scaler
    const acts = model.activations({ data: this.gridFeatures, shape: [n, f] });
    let off = f * n;
    for (const { units, h } of acts) {
      // h: [n, units] → one map of n points per unit
      for (let u = 0; u < units; u++) {
        for (let p = 0; p < n; p++) maps[off + p] = h[p * units + u];
        off += n;
      }
    }
    const m = this.metrics();
    const params = Float32Array.from(model.parameters());
    const msg: StateMessage = {
      type: 'state', playing: this.playing, epoch: model.epochsTrained, steps: this.steps, samplesPerSecond: this.samplesPerSecond,
      ...m, curve: this.curve, fresh: this.fresh, features: this.settings.features, layers, loss: model.loss!, backend: model.backendName, params, grid: G, maps,
    };
    this.curve = [];
    this.fresh = false;
    this.post(msg, [params.buffer, maps.buffer]);
  }

  // ---- export and import ------------------------------------------------------------------------

  private exportDoc() {
    const model = this.requireModel();
    const s = this.settings;
    model.metadata = { playground: { features: s.features, settings: { ...s } as unknown as Record<string, unknown> } };
    // the inputs' names, so `mlpkit predict` can read a CSV with these columns
    model.featureNames = s.features.slice();
    model.targetName = 'label';
    const doc = toJSON(model);
    // the fit settings in force now (the page may have changed them since the model was made)
    Object.assign(doc.config, { optimizer: s.optimizer, learningRate: s.learningRate, batchSize: s.batchSize, weightDecay: s.weightDecay });
    return doc;
  }

  private importModel(json: string): void {
    const model = fromJSON(json);
    const inputs = model.inputs!;
    const outputs = model.layers[model.layers.length - 1].units;
    const meta = (model.metadata.playground ?? {}) as { features?: unknown; settings?: Partial<Settings> };
    let features: FeatureName[];
    if (Array.isArray(meta.features) && meta.features.length === inputs && meta.features.every((f) => (FEATURES as readonly string[]).includes(f))) features = meta.features as FeatureName[];
    else if (inputs === 2) features = ['x1', 'x2'];
    else throw new Error(`import: the model takes ${inputs} inputs and does not say which features they are; the playground can load models of 2 inputs (x1, x2) or models it exported`);
    const hiddenLayers = model.layers.slice(0, -1);
    const bad = hiddenLayers.find((l) => !(HIDDEN_ACTIVATIONS as string[]).includes(l.activation));
    if (bad) throw new Error(`import: hidden activation "${bad.activation}" is not one the playground offers (${HIDDEN_ACTIVATIONS.join(', ')})`);
    const ms = meta.settings ?? {};
    const s: Settings = {
      ...this.settings,
      ...pick(ms, ['dataset', 'points', 'noise', 'testRatio', 'dataSeed', 'seed'] as const),
      features,
      hidden: hiddenLayers.map((l) => l.units),
      activations: hiddenLayers.map((l) => l.activation) as Settings['activations'],
      bias: model.layers.map((l) => l.bias),
      loss: model.loss!,
      output: model.config.outputActivation ?? 'auto',
      optimizer: model.config.optimizer,
      learningRate: model.config.learningRate ?? this.settings.learningRate,
      batchSize: model.config.batchSize,
      weightDecay: model.config.weightDecay ?? 0,
    };
    if (s.dataset === 'csv' && !this.csv) s.dataset = this.settings.dataset === 'csv' ? 'circle' : this.settings.dataset;
    this.loadData(s);
    const K = this.classes.length;
    let problem = '';
    if (model.task !== this.task) problem = `the model does ${model.task} but the dataset "${s.dataset}" needs ${this.task}`;
    else if (this.task === 'classification' && outputs !== (K > 2 || outputs > 1 ? K : 1)) problem = `the model has ${outputs} outputs but the dataset has ${K} classes`;
    if (problem) {
      this.loadData(this.settings); // back to the data of the model the page still has
      throw new Error(`import: ${problem}; nothing was changed`);
    }
    this.settings = s;
    this.playing = false;
    this.post({ type: 'settings', settings: s });
    this.useModel(model);
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
