// The page: controls, drawing, and the link to the training engine. The engine runs in a Web
// Worker; if one cannot start (some browsers refuse workers on file:// pages), the same engine runs
// here on the main thread in short time slices.

import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip } from 'chart.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, guessDelimiter, parseCsv, parseNumber, type Label, type ModelDocument } from 'mlpkit';
import EngineWorker from './worker.ts?worker&inline';
import { BIAS_OPTION, Engine } from './engine.ts';
import type { CsvData, DataMessage, FromEngine, StateMessage, ToEngine } from './protocol.ts';
import {
  DATASETS, DATASET_LABELS, DEFAULT_SETTINGS, FEATURES, HIDDEN_ACTIVATIONS, PRESETS, SPEEDS, biasFor, fromHash, needsReset, toHash, type Settings,
} from './settings.ts';
import { MapCache, PointsLayer, biasAt, drawNetwork, drawSurface, layoutNetwork, linksNear, pickNetwork, pickPoint, surfaceImage, weightAt, type NetLayout } from './draw.ts';
import { Inspector, el, fmt, renderCheck, type TraceReply } from './inspector.ts';
import { SgdView } from './sgd-view.ts';
import { SpikeWatch, spikeNote } from './loss-notes.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- the engine link ----------------------------------------------------------------------------

let send: (msg: ToEngine, transfer?: Transferable[]) => void = () => {};
let engineWhere: 'worker' | 'main thread' = 'worker';
const waiting = new Map<number, { resolve: (m: FromEngine) => void; reject: (e: Error) => void }>();
let nextId = 1;

function request<T extends FromEngine['type']>(msg: ToEngine & { id: number }): Promise<Extract<FromEngine, { type: T }>> {
  return new Promise((resolve, reject) => {
    waiting.set(msg.id, { resolve: resolve as (m: FromEngine) => void, reject });
    send(msg);
  });
}

function startEngine(): void {
  const queue: ToEngine[] = [];
  let ready = false;
  let worker: Worker | null = null;
  const fallback = (why: string) => {
    if (ready) return;
    ready = true;
    worker?.terminate();
    engineWhere = 'main thread';
    console.info(`mlpkit playground: training on the main thread (${why})`);
    // the same engine, in 8 ms slices between frames
    const engine = new Engine((m) => queueMicrotask(() => onEngine(m)), (fn) => setTimeout(fn, 0), 8);
    send = (m) => engine.handle(m);
    for (const m of queue.splice(0)) engine.handle(m);
  };
  send = (m) => queue.push(m);
  // #engine=main forces the main-thread engine (for comparing, and for testing the fallback)
  if (new URLSearchParams(location.hash.slice(1)).get('engine') === 'main') {
    fallback('asked for by #engine=main');
    return;
  }
  try {
    worker = new EngineWorker();
    worker.onmessage = (e: MessageEvent<FromEngine>) => {
      if (e.data.type === 'ready') {
        if (ready) return;
        ready = true;
        send = (m, transfer) => worker!.postMessage(m, transfer ?? []);
        for (const m of queue.splice(0)) worker!.postMessage(m);
        return;
      }
      onEngine(e.data);
    };
    worker.onerror = (e) => {
      if (!ready) {
        e.preventDefault();
        fallback('the worker failed to start');
      }
    };
    setTimeout(() => fallback('the worker did not answer'), 4000);
  } catch (e) {
    fallback(`no worker: ${(e as Error).message}`);
  }
}

// ---- page state -------------------------------------------------------------------------------

const initial = fromHash(location.hash);
let settings: Settings = initial.settings;
let csv: CsvData | undefined;
let data: DataMessage | null = null;
let state: StateMessage | null = null;
let playing = false;
let dirty = true;
let layout: NetLayout | null = null;
let selected: number | null = null;
const curve = { epoch: [] as number[], train: [] as number[], test: [] as number[] };
const spikes = new SpikeWatch();
let chartDirty = false;
const maps = new MapCache();
const pointsLayer = new PointsLayer();
let surfaceCanvas = document.createElement('canvas');
let surfaceImg: ImageData | null = null;

function status(text: string, kind: 'info' | 'error' = 'info'): void {
  const s = $('status');
  s.textContent = text;
  s.className = kind;
  s.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  if (kind === 'info') {
    const t = text;
    setTimeout(() => {
      if (s.textContent === t) s.textContent = '';
    }, 4000);
  }
}

function onEngine(m: FromEngine): void {
  if ('id' in m && m.id !== undefined && waiting.has(m.id)) {
    const w = waiting.get(m.id)!;
    waiting.delete(m.id);
    if (m.type === 'error') w.reject(new Error(m.message));
    else w.resolve(m);
    if (m.type !== 'error') return;
  }
  switch (m.type) {
    case 'data':
      data = m;
      surfaceImg = null;
      if (selected !== null && selected >= m.train.y.length) selected = null;
      $('metric-name').textContent = m.task === 'classification' ? 'Accuracy' : 'R²';
      ($('insp-index') as HTMLInputElement).max = String(m.train.y.length - 1);
      dirty = true;
      break;
    case 'state':
      onState(m);
      break;
    case 'settings':
      settings = m.settings;
      syncControls();
      history.replaceState(null, '', toHash(settings));
      break;
    case 'error':
      status(m.message, 'error');
      break;
  }
}

function onState(m: StateMessage): void {
  const archChanged = !state || JSON.stringify(state.layers) !== JSON.stringify(m.layers) || state.features.join() !== m.features.join();
  state = m;
  playing = m.playing;
  if (m.fresh) {
    curve.epoch.length = 0;
    curve.train.length = 0;
    curve.test.length = 0;
    spikes.reset();
    $('loss-note').textContent = '';
  }
  for (const p of m.curve) {
    const spike = spikes.push(p.epoch, p.train);
    if (spike) $('loss-note').textContent = spikeNote(spike, settings.optimizer, settings.learningRate, settings.batchSize);
    curve.epoch.push(p.epoch);
    curve.train.push(p.train);
    curve.test.push(p.test);
  }
  // keep the chart light: halve the points when there are too many
  if (curve.epoch.length > 1200) for (const k of ['epoch', 'train', 'test'] as const) curve[k] = curve[k].filter((_, i) => i % 2 === 0);
  chartDirty = true;
  if (archChanged) {
    layout = null;
    buildWeightsTable();
  } else if (($('weights-details') as HTMLDetailsElement).open) updateWeightsTable();
  $('epoch').textContent = String(m.epoch);
  $('steps').textContent = String(m.steps);
  $('sps').textContent = m.samplesPerSecond ? Math.round(m.samplesPerSecond).toLocaleString('en') : '0';
  $('backend').textContent = m.backend;
  $('backend').title = `kernels: ${m.backend}; training on the ${engineWhere}`;
  $('train-loss').textContent = fmt(m.trainLoss);
  $('test-loss').textContent = fmt(m.testLoss);
  $('train-metric').textContent = fmt(m.trainMetric);
  $('test-metric').textContent = fmt(m.testMetric);
  $('train-loss').dataset.value = String(m.trainLoss);
  $('test-loss').dataset.value = String(m.testLoss);
  const play = $('play');
  play.textContent = playing ? '❚❚' : '▶';
  play.title = playing ? 'Pause (space)' : 'Play (space)';
  play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  play.setAttribute('aria-pressed', String(playing));
  dirty = true;
}

// ---- drawing ------------------------------------------------------------------------------------

let frames = 0;
/** time spent drawing (ms) and draws, for measuring */
const drawStats = { ms: 0, draws: 0, chartMs: 0 };
function frame(): void {
  frames++;
  const t0 = performance.now();
  if (dirty && data && state) {
    drawStats.draws++;
    dirty = false;
    const netCanvas = $('network') as HTMLCanvasElement;
    const nodeMaps = maps.render(state, data);
    const width = netCanvas.parentElement!.clientWidth || 400;
    if (!layout || layout.width !== width) layout = layoutNetwork(state.features, state.layers, width);
    fitCanvas(netCanvas, layout.width, layout.height);
    const nctx = netCanvas.getContext('2d')!;
    nctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
    drawNetwork(nctx, layout, state, nodeMaps, editing && editing.param === 'W' ? editing : null);

    const G = state.grid;
    if (!surfaceImg || surfaceImg.width !== G) {
      surfaceImg = new ImageData(G, G);
      surfaceCanvas = document.createElement('canvas');
      surfaceCanvas.width = G;
      surfaceCanvas.height = G;
    }
    surfaceImage(state, data, surfaceImg);
    surfaceCanvas.getContext('2d')!.putImageData(surfaceImg, 0, 0);
    const sc = $('surface') as HTMLCanvasElement;
    const size = Math.min(sc.parentElement!.clientWidth || 360, 480);
    fitCanvas(sc, size, size);
    const sctx = sc.getContext('2d')!;
    sctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
    const overlay = pointsLayer.get(data, { size, showTest: ($('show-test') as HTMLInputElement).checked, selected }, devicePixelRatio || 1);
    drawSurface(sctx, surfaceCanvas, overlay, size);
  }
  const t1 = performance.now();
  drawStats.ms += t1 - t0;
  if (chartDirty && t1 - lastChart > 500) {
    updateChart();
    drawStats.chartMs += performance.now() - t1;
  }
  requestAnimationFrame(frame);
}

function fitCanvas(c: HTMLCanvasElement, w: number, h: number): void {
  const dpr = devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
  }
}

let chart: Chart | null = null;
let lastChart = 0;
function updateChart(): void {
  lastChart = performance.now();
  chartDirty = false;
  // at most ~300 points per line: chart.js redraws every point, and a frame has ~16 ms
  const stride = Math.max(1, Math.ceil(curve.epoch.length / 300));
  const points = (ys: number[]) => {
    const out: { x: number; y: number }[] = [];
    for (let i = 0; i < curve.epoch.length; i += stride) out.push({ x: curve.epoch[i], y: ys[i] });
    const last = curve.epoch.length - 1;
    if (last >= 0 && last % stride !== 0) out.push({ x: curve.epoch[last], y: ys[last] });
    return out;
  };
  if (!chart) {
    chart = new Chart($('chart') as HTMLCanvasElement, {
      type: 'line',
      data: {
        datasets: [
          { label: 'train loss', data: [], borderColor: '#0877bd', backgroundColor: '#0877bd', borderWidth: 2, pointRadius: 0 },
          { label: 'test loss', data: [], borderColor: '#333', backgroundColor: '#333', borderWidth: 2, pointRadius: 0, borderDash: [5, 3] },
        ],
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        // an empty chart would show chart.js's default −1 … 1 on both axes: epochs start at 0, losses at 0
        scales: { x: { type: 'linear', min: 0, suggestedMax: 10, title: { display: true, text: 'epoch' } }, y: { type: 'linear', min: 0, title: { display: true, text: 'loss' } } },
        plugins: { legend: { position: 'bottom', labels: { usePointStyle: true, pointStyle: 'line' } } },
      },
    });
  }
  // no loss yet: 0 … 1 rather than a degenerate axis
  chart.options.scales!.y!.suggestedMax = curve.train.some(Number.isFinite) ? undefined : 1;
  chart.data.datasets[0].data = points(curve.train);
  chart.data.datasets[1].data = points(curve.test);
  chart.update('none');
}

// ---- controls -----------------------------------------------------------------------------------

function fillSelect(id: string, options: readonly string[], labels: Record<string, string> = {}): void {
  const s = $(id) as HTMLSelectElement;
  s.replaceChildren(...options.map((o) => el('option', { value: o }, labels[o] ?? o)));
}

function syncControls(): void {
  ($('dataset') as HTMLSelectElement).value = settings.dataset;
  const set = (id: string, v: number) => (($(id) as HTMLInputElement).value = String(v));
  set('points', settings.points);
  set('noise', settings.noise);
  set('test-ratio', settings.testRatio);
  set('data-seed', settings.dataSeed);
  set('lr', settings.learningRate);
  set('batch', settings.batchSize);
  set('weight-decay', settings.weightDecay);
  set('seed', settings.seed);
  ($('loss') as HTMLSelectElement).value = settings.loss;
  ($('output') as HTMLSelectElement).value = settings.output;
  // the preset the settings match, if any
  ($('preset') as HTMLSelectElement).value = Object.keys(PRESETS).find((k) => Object.entries(PRESETS[k].settings).every(([key, v]) => JSON.stringify(settings[key as keyof Settings]) === JSON.stringify(v))) ?? '';
  ($('optimizer') as HTMLSelectElement).value = settings.optimizer;
  ($('speed') as HTMLSelectElement).value = String(settings.speed);
  $('points-out').textContent = String(settings.points);
  $('noise-out').textContent = String(settings.noise);
  $('test-ratio-out').textContent = `${Math.round(settings.testRatio * 100)}%`;
  for (const f of FEATURES) (document.querySelector(`input[data-feature="${f}"]`) as HTMLInputElement).checked = settings.features.includes(f);
  const builtIn = settings.dataset !== 'csv';
  for (const id of ['points', 'noise', 'data-seed']) ($(id) as HTMLInputElement).disabled = !builtIn;
  renderLayers();
}

function renderLayers(): void {
  $('layer-count').textContent = `${settings.hidden.length} hidden layer${settings.hidden.length === 1 ? '' : 's'}`;
  ($('add-layer') as HTMLButtonElement).disabled = settings.hidden.length >= 6;
  ($('remove-layer') as HTMLButtonElement).disabled = settings.hidden.length === 0;
  const box = $('layers');
  box.replaceChildren(...settings.hidden.map((units, l) => {
    const u = el('input', { type: 'number', id: `units-${l}`, min: 1, max: 16, step: 1, value: units });
    const a = el('select', { id: `act-${l}` }, ...HIDDEN_ACTIVATIONS.map((x) => el('option', { value: x }, x)));
    a.value = settings.activations[l];
    u.addEventListener('change', () => {
      const v = Math.round(Number(u.value));
      if (!(v >= 1 && v <= 16)) {
        status(`Layer ${l + 1}: expected 1 to 16 units, received ${u.value}`, 'error');
        u.value = String(settings.hidden[l]);
        return;
      }
      change({ hidden: settings.hidden.map((x, k) => (k === l ? v : x)) });
    });
    a.addEventListener('change', () => change({ activations: settings.activations.map((x, k) => (k === l ? a.value : x)) as Settings['activations'] }));
    return el('div', { class: 'layer' },
      el('label', { for: `units-${l}` }, `Layer ${l + 1} units`), u,
      el('label', { for: `act-${l}` }, 'activation'), a,
      biasBox(l, `bias-${l}`));
  }), el('div', { class: 'layer' }, el('span', {}, 'Output'), el('span', {}, ''), biasBox(settings.hidden.length, 'bias-out')));
}

/** A layer's "bias" checkbox (unchecked: a = W x, PyTorch bias=False). */
function biasBox(l: number, id: string): HTMLElement {
  const cb = el('input', { type: 'checkbox', id });
  cb.checked = settings.bias[l] ?? true;
  cb.addEventListener('change', () => change({ bias: settings.bias.map((b, k) => (k === l ? cb.checked : b)) }));
  return el('label', { class: 'inline bias-box', for: id }, cb, 'bias');
}

/** Apply a settings change: rebuild when it changes the data or the network, else adjust training. */
function change(patch: Partial<Settings>, extra: { csv?: CsvData } = {}): void {
  const next = { ...settings, ...patch };
  const reset = needsReset(settings, next) || extra.csv !== undefined;
  settings = next;
  syncControls();
  history.replaceState(null, '', toHash(settings));
  if (reset) {
    closeInspector();
    send({ type: 'configure', settings, ...(extra.csv ? { csv: extra.csv } : {}) });
  } else send({ type: 'hyper', settings });
}

function numberInput(id: string, key: keyof Settings, lo: number, hi: number, int: boolean): void {
  const inp = $(id) as HTMLInputElement;
  inp.addEventListener('change', () => {
    const v = Number(inp.value);
    if (inp.value === '' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      status(`${inp.labels?.[0]?.textContent ?? id}: expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], received "${inp.value}"`, 'error');
      inp.value = String(settings[key]);
      return;
    }
    change({ [key]: v } as Partial<Settings>);
  });
}

function setupControls(): void {
  fillSelect('dataset', DATASETS, DATASET_LABELS);
  fillSelect('loss', ['auto', ...LOSSES], { auto: 'auto (from the task)' });
  fillSelect('optimizer', OPTIMIZERS);
  fillSelect('output', ['auto', ...ACTIVATIONS], { auto: 'auto (from the task)' });
  fillSelect('preset', ['', ...Object.keys(PRESETS)], { '': 'none: your settings', ...Object.fromEntries(Object.entries(PRESETS).map(([k, v]) => [k, v.label])) });
  ($('output') as HTMLSelectElement).addEventListener('change', (e) => change({ output: (e.target as HTMLSelectElement).value as Settings['output'] }));
  ($('preset') as HTMLSelectElement).addEventListener('change', (e) => {
    const k = (e.target as HTMLSelectElement).value;
    if (!PRESETS[k]) return;
    change(structuredClone(PRESETS[k].settings));
    if (PRESETS[k].settings.bias?.some((b) => !b) && !BIAS_OPTION) status('This library version has no per-layer bias option yet: every layer gets a bias (6 parameters, not the lecture\'s 4)');
  });
  // editing the URL's hash in an open tab applies it (the page's own updates use replaceState, which fires no hashchange)
  addEventListener('hashchange', () => {
    const h = fromHash(location.hash);
    if (h.problems.length) status(`Ignored in the URL: ${h.problems.join('; ')}`, 'error');
    settings = h.settings;
    syncControls();
    closeInspector();
    send({ type: 'configure', settings, ...(h.weights ? { weights: h.weights } : {}) });
  });
  fillSelect('speed', SPEEDS.map(String), Object.fromEntries(SPEEDS.map((v) => [String(v), v === 0 ? 'as fast as possible' : `${v} epoch${v === 1 ? '' : 's'}/s`])));
  ($('speed') as HTMLSelectElement).addEventListener('change', (e) => change({ speed: Number((e.target as HTMLSelectElement).value) }));
  const fs = $('features');
  for (const f of FEATURES) {
    const id = `feature-${FEATURES.indexOf(f)}`;
    const cb = el('input', { type: 'checkbox', id, 'data-feature': f });
    cb.addEventListener('change', () => {
      const next = FEATURES.filter((g) => (g === f ? cb.checked : settings.features.includes(g)));
      if (next.length === 0) {
        cb.checked = true;
        status('Keep at least one input feature', 'error');
        return;
      }
      change({ features: next });
    });
    fs.append(el('div', { class: 'check' }, cb, el('label', { for: id }, f)));
  }
  ($('dataset') as HTMLSelectElement).addEventListener('change', (e) => {
    const v = (e.target as HTMLSelectElement).value as Settings['dataset'];
    if (v === 'csv' && !csv) {
      status('Choose or drop a CSV file first', 'error');
      ($('dataset') as HTMLSelectElement).value = settings.dataset;
      $('csv').click();
      return;
    }
    change({ dataset: v });
  });
  const slider = (id: string, key: 'points' | 'noise' | 'testRatio') => {
    const s = $(id) as HTMLInputElement;
    s.addEventListener('input', () => ($(`${id}-out`).textContent = key === 'testRatio' ? `${Math.round(Number(s.value) * 100)}%` : s.value));
    s.addEventListener('change', () => change({ [key]: Number(s.value) } as Partial<Settings>));
  };
  slider('points', 'points');
  slider('noise', 'noise');
  slider('test-ratio', 'testRatio');
  numberInput('data-seed', 'dataSeed', 0, 0xffffffff, true);
  numberInput('lr', 'learningRate', 1e-6, 10, false);
  numberInput('batch', 'batchSize', 1, 2000, true);
  numberInput('weight-decay', 'weightDecay', 0, 10, false);
  numberInput('seed', 'seed', 0, 0xffffffff, true);
  ($('loss') as HTMLSelectElement).addEventListener('change', (e) => change({ loss: (e.target as HTMLSelectElement).value as Settings['loss'] }));
  ($('optimizer') as HTMLSelectElement).addEventListener('change', (e) => change({ optimizer: (e.target as HTMLSelectElement).value as Settings['optimizer'] }));
  $('add-layer').addEventListener('click', () => change({ hidden: [...settings.hidden, 4], activations: [...settings.activations, settings.activations.at(-1) ?? 'tanh'], bias: biasFor(settings.hidden.length + 1, settings.bias) }));
  $('remove-layer').addEventListener('click', () => change({ hidden: settings.hidden.slice(0, -1), activations: settings.activations.slice(0, -1), bias: [...settings.bias.slice(0, settings.hidden.length - 1), settings.bias[settings.bias.length - 1]] }));
  $('show-test').addEventListener('change', () => (dirty = true));

  $('play').addEventListener('click', () => send({ type: playing ? 'pause' : 'play' }));
  $('step').addEventListener('click', () => send({ type: 'step' }));
  $('reset').addEventListener('click', () => {
    closeInspector();
    send({ type: 'configure', settings });
  });
  document.addEventListener('keydown', (e) => {
    // space toggles play when no control has the focus
    if (e.key === ' ' && (e.target === document.body || e.target === null)) {
      e.preventDefault();
      send({ type: playing ? 'pause' : 'play' });
    }
  });

  // share, export, import
  $('share').addEventListener('click', async () => {
    const withW = ($('share-weights') as HTMLInputElement).checked && state ? state.params : undefined;
    history.replaceState(null, '', toHash(settings, withW));
    try {
      await navigator.clipboard.writeText(location.href);
      status('Link copied to the clipboard');
    } catch {
      status('The link is in the address bar');
    }
  });
  $('export').addEventListener('click', async () => {
    const r = await request<'export'>({ type: 'export', id: nextId++ });
    download(r.doc);
  });
  ($('import') as HTMLInputElement).addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      await request<'import'>({ type: 'import', id: nextId++, json: await file.text() });
      closeInspector();
      status(`Loaded ${file.name}`);
    } catch (err) {
      status(`${file.name}: ${(err as Error).message}`, 'error');
    }
  });

  // CSV
  const loadCsv = async (file: File) => {
    try {
      const parsed = await readCsvData(file.name, await file.text());
      csv = parsed;
      $('csv-name').textContent = `${file.name}: ${parsed.x.length} rows; ${parsed.columns[0]}, ${parsed.columns[1]} → ${parsed.columns[2]}`;
      change({ dataset: 'csv' }, { csv: parsed });
    } catch (err) {
      status(`${file.name}: ${(err as Error).message}`, 'error');
    }
  };
  ($('csv') as HTMLInputElement).addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    const f = input.files?.[0];
    input.value = '';
    if (f) void loadCsv(f);
  });
  const drop = $('drop');
  for (const t of [drop, document.body]) {
    t.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    t.addEventListener('dragleave', () => drop.classList.remove('over'));
    t.addEventListener('drop', (e) => {
      e.preventDefault();
      e.stopPropagation();
      drop.classList.remove('over');
      const f = (e as DragEvent).dataTransfer?.files?.[0];
      if (!f) return;
      if (/\.json$/i.test(f.name)) {
        const dt = new DataTransfer();
        dt.items.add(f);
        const imp = $('import') as HTMLInputElement;
        imp.files = dt.files;
        imp.dispatchEvent(new Event('change'));
      } else void loadCsv(f);
    });
  }

  // surface: pick a training point
  $('surface').addEventListener('click', (e) => {
    if (!data) return;
    const c = e.currentTarget as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const i = pickPoint(data, r.width, e.clientX - r.left, e.clientY - r.top, 12);
    if (i === null) {
      status('No training point there; click on a point with a white rim');
      return;
    }
    void inspect(i);
  });

  // network: edit a weight or a bias
  $('network').addEventListener('click', (e) => {
    if (!layout || !state) return;
    const c = e.currentTarget as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    // a finger covers ~14 px: every link within that reach is offered in the editor, nearest first
    const touch = (e as PointerEvent).pointerType === 'touch' || matchMedia('(pointer: coarse)').matches;
    const hit = pickNetwork(layout, e.clientX - r.left, e.clientY - r.top, touch ? 14 : 5);
    if (!hit) return;
    const near = hit.param === 'W' ? linksNear(layout, e.clientX - r.left, e.clientY - r.top, touch ? 14 : 5) : [];
    openEditor(hit, e.clientX + scrollX, e.clientY + scrollY, near);
  });
  const input = $('editor-input') as HTMLInputElement;
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') commitEditor();
    if (e.key === 'Escape') closeEditor();
  });
  $('editor-ok').addEventListener('click', commitEditor);

  // inspector
  $('insp-load').addEventListener('click', () => {
    const v = Number(($('insp-index') as HTMLInputElement).value);
    void inspect(v);
  });
  ($('insp-index') as HTMLInputElement).addEventListener('keydown', (e) => {
    if (e.key === 'Enter') $('insp-load').click();
  });
  $('insp-next').addEventListener('click', () => inspector.go(inspector.stage + 1));
  $('insp-prev').addEventListener('click', () => inspector.go(inspector.stage - 1));
  $('insp-all').addEventListener('click', () => inspector.go(inspector.lastStage));
  $('insp-check').addEventListener('click', async () => {
    if (selected === null) return status('Pick a training point first', 'error');
    $('insp-check-result').textContent = 'Checking…';
    try {
      const r = await request<'gradCheck'>({ type: 'gradCheck', id: nextId++, index: selected });
      renderCheck($('insp-check-result'), r.report);
    } catch (err) {
      $('insp-check-result').textContent = (err as Error).message;
    }
  });
  $('insp-apply').addEventListener('click', async () => {
    if (selected === null) return status('Pick a training point first', 'error');
    const r = await request<'applyUpdate'>({ type: 'applyUpdate', id: nextId++, index: selected });
    $('insp-result').replaceChildren(el('p', { id: 'update-result' }, `Applied θ ← θ − η∇θ for point #${selected}: its loss went from ${fmt(r.lossBefore)} to ${fmt(r.lossAfter)}.`));
    await inspect(selected, true);
  });
}

// ---- inspector ----------------------------------------------------------------------------------

const inspector = new Inspector($('insp-body'), $('insp-stage'), () => settings.optimizer);
let inspectSeq = 0;

async function inspect(index: number, keepStage = false): Promise<void> {
  if (!data || !Number.isInteger(index) || index < 0 || index >= data.train.y.length) {
    status(`Training point #: expected 0 to ${data ? data.train.y.length - 1 : 0}`, 'error');
    return;
  }
  if (playing) send({ type: 'pause' });
  const seq = ++inspectSeq;
  selected = index;
  ($('insp-index') as HTMLInputElement).value = String(index);
  if (!keepStage) {
    $('insp-check-result').replaceChildren();
    $('insp-result').replaceChildren();
  }
  dirty = true;
  const r = await request<'trace'>({ type: 'trace', id: nextId++, index });
  if (seq !== inspectSeq) return;
  inspector.set(r as TraceReply, keepStage);
}

function closeInspector(): void {
  selected = null;
  inspector.reply = null;
  inspector.render();
  $('insp-stage').textContent = '';
  $('insp-check-result').replaceChildren();
  $('insp-result').replaceChildren();
}

// ---- weight editing -----------------------------------------------------------------------------

let editing: { param: 'W' | 'b'; layer: number; i: number; j: number } | null = null;

function paramLabel(p: { param: 'W' | 'b'; layer: number; i: number; j: number }): string {
  return p.param === 'W' ? `W${p.layer + 1}[${p.i},${p.j}] (layer ${p.layer + 1}, unit ${p.i}, input ${p.j})` : `b${p.layer + 1}[${p.i}] (layer ${p.layer + 1}, unit ${p.i})`;
}

function openEditor(p: NonNullable<typeof editing>, x: number, y: number, near: { layer: number; i: number; j: number }[] = []): void {
  if (!state) return;
  editing = p;
  // several links under the finger: choose among them
  const choose = $('editor-near') as HTMLSelectElement;
  $('editor-near-row').hidden = near.length < 2;
  choose.replaceChildren(...near.map((n) => el('option', { value: `${n.layer},${n.i},${n.j}` }, paramLabel({ param: 'W', ...n }))));
  choose.onchange = () => {
    const [layer, i, j] = choose.value.split(',').map(Number);
    openEditor({ param: 'W', layer, i, j }, x, y, near);
    choose.value = `${layer},${i},${j}`;
    choose.focus();
  };
  const ed = $('editor');
  $('editor-label').textContent = paramLabel(p);
  const v = p.param === 'W' ? weightAt(state.params, state.layers, p.layer, p.i, p.j) : biasAt(state.params, state.layers, p.layer, p.i);
  const input = $('editor-input') as HTMLInputElement;
  input.value = String(Number(v.toPrecision(6)));
  ed.hidden = false;
  ed.style.left = `${Math.min(x, scrollX + innerWidth - 260)}px`;
  ed.style.top = `${y + 12}px`;
  input.focus();
  input.select();
  dirty = true;
}

function closeEditor(): void {
  editing = null;
  $('editor').hidden = true;
  dirty = true;
}

function commitEditor(): void {
  if (!editing) return;
  const v = Number(($('editor-input') as HTMLInputElement).value);
  if (!Number.isFinite(v)) {
    status(`${paramLabel(editing)}: expected a number`, 'error');
    return;
  }
  send({ type: 'setParam', layer: editing.layer, param: editing.param, i: editing.i, j: editing.j, value: v });
  closeEditor();
  if (selected !== null) void inspect(selected, true);
}

function buildWeightsTable(): void {
  const box = $('weights-table');
  if (!state) return;
  box.replaceChildren(...state.layers.map((l, li) => {
    const input = (param: 'W' | 'b', i: number, j: number) => {
      const id = `w-${li}-${param}-${i}-${j}`;
      const v = param === 'W' ? weightAt(state!.params, state!.layers, li, i, j) : biasAt(state!.params, state!.layers, li, i);
      const inp = el('input', { type: 'number', step: 'any', id, 'aria-label': param === 'W' ? `W${li + 1}[${i},${j}]` : `b${li + 1}[${i}]`, value: Number(v.toPrecision(5)) });
      inp.addEventListener('change', () => {
        const x = Number(inp.value);
        if (inp.value === '' || !Number.isFinite(x)) return status('Expected a number', 'error');
        send({ type: 'setParam', layer: li, param, i, j, value: x });
        if (selected !== null) void inspect(selected, true);
      });
      return inp;
    };
    return el('table', { class: 'wtable' },
      el('caption', {}, `Layer ${li + 1}: W${li + 1} [${l.nOut} × ${l.nIn}]${l.bias ? ` and b${li + 1}` : ' (no bias)'}`),
      el('tbody', {}, ...Array.from({ length: l.nOut }, (_, i) => el('tr', {},
        el('th', { scope: 'row' }, String(i)),
        ...Array.from({ length: l.nIn }, (_, j) => el('td', {}, input('W', i, j))),
        l.bias ? el('td', { class: 'bias' }, input('b', i, 0)) : null))));
  }));
}

function updateWeightsTable(): void {
  if (!state) return;
  for (const inp of $('weights-table').querySelectorAll('input')) {
    if (inp === document.activeElement) continue;
    const [, li, param, i, j] = inp.id.split('-');
    const v = param === 'W' ? weightAt(state.params, state.layers, +li, +i, +j) : biasAt(state.params, state.layers, +li, +i);
    inp.value = String(Number(v.toPrecision(5)));
  }
}
($('weights-details') as HTMLDetailsElement).addEventListener('toggle', updateWeightsTable);
addEventListener('resize', () => (dirty = true));

// ---- files --------------------------------------------------------------------------------------

function download(doc: ModelDocument): void {
  const blob = new Blob([JSON.stringify(doc, null, 1)], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'mlpkit-playground-model.json' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  status('Exported mlpkit-playground-model.json (load it with the CLI or fromJSON)');
}

/**
 * Two numeric columns and a label, read by the library's CSV reader (parseCsv, as the CLI reads
 * CSV): the first two columns are x1, x2, the last column is the label. A file without a header
 * (its first line starts with two numbers) is read with the header x1, x2, …, label.
 */
export async function readCsvData(name: string, text: string): Promise<CsvData> {
  const delimiter = guessDelimiter(text.slice(0, 65536));
  const first = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0].split(delimiter).map((c) => c.trim());
  const headerless = first.length >= 2 && first.slice(0, 2).every((c) => parseNumber(c) !== null);
  const header = first.map((_, j) => (j === 0 ? 'x1' : j === 1 ? 'x2' : j === first.length - 1 ? 'label' : `column_${j + 1}`)).join(delimiter);
  const t = await parseCsv(headerless ? `${header}\n${text}` : text, { source: name, delimiter });
  const width = t.names.length;
  if (width < 3) throw new Error(`expected at least 3 columns (x1, x2, label), received ${width}`);
  const [a, b] = t.columns;
  const label = t.columns[width - 1];
  for (const c of [a, b]) {
    if (c.kind !== 'numeric') throw new Error(`column "${c.name}" holds text (e.g. ${JSON.stringify(c.words.values[0] ?? c.levels[0])} on line ${t.line(c.words.rows[0] ?? 0)}); the first two columns must be numbers`);
  }
  const x: [number, number][] = [];
  const y: Label[] = [];
  let skipped = 0;
  for (let i = 0; i < t.rows; i++) {
    const x1 = (a as { values: Float64Array }).values[i];
    const x2 = (b as { values: Float64Array }).values[i];
    const v = label.kind === 'numeric' ? label.values[i] : label.codes[i] < 0 ? NaN : label.levels[label.codes[i]];
    if (Number.isNaN(x1) || Number.isNaN(x2) || (typeof v === 'number' && Number.isNaN(v))) {
      skipped++;
      continue;
    }
    x.push([x1, x2]);
    y.push(v);
  }
  if (x.length < 10) throw new Error(`expected at least 10 rows with two numbers and a label, found ${x.length}${skipped ? ` (${skipped} rows with missing values skipped)` : ''}`);
  if (skipped) status(`${name}: skipped ${skipped} rows with missing values`);
  if (new Set(y).size < 2) throw new Error(`the label column "${label.name}" has only one value; expected at least two classes or varying targets`);
  return { name, columns: [t.names[0], t.names[1], t.names[width - 1]], x, y };
}

// ---- start --------------------------------------------------------------------------------------

setupControls();
syncControls();
startEngine();
if (initial.problems.length) status(`Ignored in the URL: ${initial.problems.join('; ')}`, 'error');
send({ type: 'configure', settings, ...(initial.weights ? { weights: initial.weights } : {}) });
requestAnimationFrame(frame);
const sgdView = new SgdView($('sgd'));
sgdView.mount();

// for tests and the curious: read-only facts about the page (never needed by the UI itself)
(window as unknown as { playground: unknown }).playground = {
  get frames() { return frames; },
  drawStats,
  get engine() { return engineWhere; },
  get state() { return state; },
  get layout() { return layout; },
  get chart() { return chart; },
  get lossNote() { return $('loss-note').textContent; },
  DEFAULT_SETTINGS,
  sgd: sgdView,
};
