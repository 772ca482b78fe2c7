// The page's settings: one typed object, its defaults, and its form in the URL hash.
// Library settings (hidden, activation, loss, optimizer, …) keep the library's names; only what the
// library has no notion of (the 2-D dataset, the input features, the test ratio) is the page's own.

import { ACTIVATIONS, LOSSES, OPTIMIZERS, type ActivationName, type LossName, type OptimizerName } from 'mlpkit';

export const DATASETS = ['circle', 'xor', 'gauss', 'gauss3', 'spiral', 'moons', 'lecture', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const DATASET_LABELS: Record<DatasetName, string> = {
  circle: 'Circle', xor: 'XOR', gauss: 'Gaussian (2 blobs)', gauss3: 'Gaussian (3 blobs)', spiral: 'Two spirals', moons: 'Moons', lecture: 'The lecture\'s 1-D data (x1 → y)', csv: 'CSV file',
};

/** The input features, each a function of the point (x1, x2), as in TensorFlow Playground. */
export const FEATURES = ['x1', 'x2', 'x1²', 'x2²', 'x1·x2', 'sin x1', 'sin x2'] as const;
export type FeatureName = (typeof FEATURES)[number];
export const FEATURE_FNS: Record<FeatureName, (x1: number, x2: number) => number> = {
  'x1': (x1) => x1,
  'x2': (_x1, x2) => x2,
  'x1²': (x1) => x1 * x1,
  'x2²': (_x1, x2) => x2 * x2,
  'x1·x2': (x1, x2) => x1 * x2,
  'sin x1': (x1) => Math.sin(x1),
  'sin x2': (_x1, x2) => Math.sin(x2),
};

/** Activations a hidden layer may use (softmax is output-only in the library). */
export const HIDDEN_ACTIVATIONS = ACTIVATIONS.filter((a) => a !== 'softmax') as Exclude<ActivationName, 'softmax'>[];

export interface Settings {
  dataset: DatasetName;
  /** number of generated points (train + test) */
  points: number;
  /** the generator's noise (standard deviation, in the generator's own units) */
  noise: number;
  /** fraction of the points held out as the test set */
  testRatio: number;
  dataSeed: number;
  features: FeatureName[];
  hidden: number[];
  /** one per hidden layer */
  activations: Exclude<ActivationName, 'softmax'>[];
  /** whether each layer has a bias: one per hidden layer, then the output layer (PyTorch bias=False) */
  bias: boolean[];
  loss: 'auto' | LossName;
  /** the output layer's activation; auto = from the task (sigmoid, softmax or identity) */
  output: 'auto' | ActivationName;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** L2 weight decay λ on W (the library's weightDecay) */
  weightDecay: number;
  /** the model's seed (initial weights, shuffles) */
  seed: number;
  /** training speed limit in epochs per second; 0 = as fast as the machine goes */
  speed: number;
}

/**
 * Presets: settings that belong together. `lecture` is the lecture's network, "a function of FOUR
 * parameters and FOUR layers": x → one sigmoid unit → one sigmoid unit → sigmoid output, the L2 loss
 * ½(y − ŷ)², plain SGD on one sample at a time, on data made by that network (datasets.lecture).
 */
export const PRESETS: Record<string, { label: string; settings: Partial<Settings> }> = {
  lecture: {
    label: 'The lecture\'s network (1-1-1-1 sigmoid, L2 loss, SGD)',
    settings: {
      dataset: 'lecture', points: 200, noise: 0.02, testRatio: 0.5, features: ['x1'], hidden: [1, 1], activations: ['sigmoid', 'sigmoid'], bias: [true, false, false],
      loss: 'sse', output: 'sigmoid', optimizer: 'sgd', learningRate: 1, batchSize: 1, weightDecay: 0,
    },
  },
};

/** Speed limits offered (epochs per second); slow enough to watch, or flat out. */
export const SPEEDS = [1, 5, 20, 60, 250, 0] as const;

export const DEFAULT_SETTINGS: Settings = {
  dataset: 'circle',
  points: 500,
  noise: 0.1,
  testRatio: 0.5,
  dataSeed: 1,
  features: ['x1', 'x2'],
  hidden: [8, 8],
  activations: ['tanh', 'tanh'],
  bias: [true, true, true],
  loss: 'auto',
  output: 'auto',
  optimizer: 'adam',
  learningRate: 0.03,
  batchSize: 10,
  weightDecay: 0,
  seed: 42,
  speed: 20,
};

/** Settings whose change needs a new dataset or network (the rest only change how training goes on). */
export const RESET_KEYS: (keyof Settings)[] = ['dataset', 'points', 'noise', 'testRatio', 'dataSeed', 'features', 'hidden', 'activations', 'bias', 'loss', 'output', 'seed'];

export function needsReset(a: Settings, b: Settings): boolean {
  return RESET_KEYS.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

// ---- the URL hash ------------------------------------------------------------------------------
// #ds=circle&n=500&noise=0.1&test=0.5&dseed=1&f=x1,x2&h=8,8&act=tanh,tanh&loss=auto&opt=adam&lr=0.03&bs=10&wd=0&seed=42&speed=20[&w=…]
// w: the flat parameter buffer [W_1 … W_L | b_1 … b_L] as base64 of little-endian float32.

const FEATURE_CODES: Record<FeatureName, string> = { 'x1': 'x1', 'x2': 'x2', 'x1²': 'x1sq', 'x2²': 'x2sq', 'x1·x2': 'x1x2', 'sin x1': 'sinx1', 'sin x2': 'sinx2' };

export function toHash(s: Settings, weights?: Float32Array): string {
  const p = new URLSearchParams();
  p.set('ds', s.dataset);
  p.set('n', String(s.points));
  p.set('noise', String(s.noise));
  p.set('test', String(s.testRatio));
  p.set('dseed', String(s.dataSeed));
  p.set('f', s.features.map((f) => FEATURE_CODES[f]).join(','));
  p.set('h', s.hidden.join(','));
  p.set('act', s.activations.join(','));
  if (s.bias.some((b) => !b)) p.set('bias', s.bias.map((b) => (b ? 1 : 0)).join(','));
  p.set('loss', s.loss);
  p.set('out', s.output);
  p.set('opt', s.optimizer);
  p.set('lr', String(s.learningRate));
  p.set('bs', String(s.batchSize));
  p.set('wd', String(s.weightDecay));
  p.set('seed', String(s.seed));
  p.set('speed', String(s.speed));
  if (weights) p.set('w', floatsToBase64(weights));
  return '#' + p.toString();
}

/** Settings from a hash; anything missing or malformed keeps its default (the page never refuses a URL). */
export function fromHash(hash: string): { settings: Settings; weights?: Float32Array; problems: string[] } {
  const s: Settings = structuredClone(DEFAULT_SETTINGS);
  const problems: string[] = [];
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  // a preset first; the URL's other settings override it
  const preset = p.get('preset');
  if (preset !== null) {
    if (PRESETS[preset]) Object.assign(s, structuredClone(PRESETS[preset].settings));
    else problems.push(`preset=${preset}: expected one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const num = (key: string, lo: number, hi: number, int: boolean, set: (v: number) => void) => {
    const raw = p.get(key);
    if (raw === null) return;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) problems.push(`${key}=${raw}: expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]`);
    else set(v);
  };
  const ds = p.get('ds');
  if (ds !== null) {
    // a CSV cannot travel in a URL: fall back to the default dataset
    if ((DATASETS as readonly string[]).includes(ds) && ds !== 'csv') s.dataset = ds as DatasetName;
    else problems.push(`ds=${ds}: expected one of ${DATASETS.filter((d) => d !== 'csv').join(', ')}`);
  }
  num('n', 20, 2000, true, (v) => (s.points = v));
  num('noise', 0, 1, false, (v) => (s.noise = v));
  num('test', 0.1, 0.9, false, (v) => (s.testRatio = v));
  num('dseed', 0, 0xffffffff, true, (v) => (s.dataSeed = v));
  num('lr', 1e-6, 10, false, (v) => (s.learningRate = v));
  num('bs', 1, 2000, true, (v) => (s.batchSize = v));
  num('wd', 0, 10, false, (v) => (s.weightDecay = v));
  if (!p.has('wd')) num('l2', 0, 10, false, (v) => (s.weightDecay = v)); // links made before 0.2 called it l2
  num('seed', 0, 0xffffffff, true, (v) => (s.seed = v));
  num('speed', 0, 100000, false, (v) => (s.speed = v));
  const f = p.get('f');
  if (f !== null) {
    const codes = Object.entries(FEATURE_CODES);
    const names = f.split(',').map((c) => codes.find(([, code]) => code === c)?.[0] as FeatureName | undefined);
    if (names.length && names.every((n) => n !== undefined)) s.features = FEATURES.filter((n) => names.includes(n));
    else problems.push(`f=${f}: expected features among ${Object.values(FEATURE_CODES).join(', ')}`);
  }
  const h = p.get('h');
  if (h !== null) {
    const units = h === '' ? [] : h.split(',').map(Number);
    if (units.length <= 6 && units.every((u) => Number.isInteger(u) && u >= 1 && u <= 16)) s.hidden = units;
    else problems.push(`h=${h}: expected up to 6 layers of 1 to 16 units`);
  }
  if (s.activations.length !== s.hidden.length) s.activations = s.hidden.map(() => DEFAULT_SETTINGS.activations[0] ?? 'tanh');
  const act = p.get('act');
  if (act !== null) {
    const acts = act === '' ? [] : act.split(',');
    if (acts.length === s.hidden.length && acts.every((a) => (HIDDEN_ACTIVATIONS as string[]).includes(a))) s.activations = acts as Settings['activations'];
    else problems.push(`act=${act}: expected ${s.hidden.length} of ${HIDDEN_ACTIVATIONS.join(', ')}`);
  }
  s.bias = biasFor(s.hidden.length, s.bias);
  const bias = p.get('bias');
  if (bias !== null) {
    const flags = bias.split(',');
    if (flags.length === s.hidden.length + 1 && flags.every((f) => f === '0' || f === '1')) s.bias = flags.map((f) => f === '1');
    else problems.push(`bias=${bias}: expected ${s.hidden.length + 1} flags of 0 or 1 (hidden layers, then the output)`);
  }
  const loss = p.get('loss');
  if (loss !== null) {
    if (loss === 'auto' || (LOSSES as readonly string[]).includes(loss)) s.loss = loss as Settings['loss'];
    else problems.push(`loss=${loss}: expected auto or one of ${LOSSES.join(', ')}`);
  }
  const out = p.get('out');
  if (out !== null) {
    if (out === 'auto' || (ACTIVATIONS as readonly string[]).includes(out)) s.output = out as Settings['output'];
    else problems.push(`out=${out}: expected auto or one of ${ACTIVATIONS.join(', ')}`);
  }
  const opt = p.get('opt');
  if (opt !== null) {
    if ((OPTIMIZERS as readonly string[]).includes(opt)) s.optimizer = opt as OptimizerName;
    else problems.push(`opt=${opt}: expected one of ${OPTIMIZERS.join(', ')}`);
  }
  let weights: Float32Array | undefined;
  const w = p.get('w');
  if (w) {
    try {
      weights = base64ToFloats(w);
    } catch {
      problems.push('w: not base64 of float32 weights');
    }
  }
  return { settings: s, weights, problems };
}

/** Bias flags for `hidden` hidden layers and the output: the hidden layers' kept (new ones true), the output's last. */
export function biasFor(hidden: number, flags: readonly boolean[]): boolean[] {
  const out = flags.length ? flags[flags.length - 1] : true;
  return [...Array.from({ length: hidden }, (_, l) => (l < flags.length - 1 ? flags[l] : true)), out];
}

export function floatsToBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  // URL-safe alphabet, no padding: the hash stays readable by URLSearchParams
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64ToFloats(s: string): Float32Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  if (bin.length % 4 !== 0) throw new Error('length');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
