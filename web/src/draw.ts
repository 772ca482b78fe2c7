// Canvas drawing: the colour scale, node heat maps, the decision surface with its points, and the
// network diagram (nodes as heat maps, weights as links whose colour is the sign and width |w|).

import type { DataMessage, LayerInfo, StateMessage } from './protocol.ts';

// TensorFlow Playground's palette: orange for negative / class 0, blue for positive / class 1.
const NEG: [number, number, number] = [245, 147, 34];
const MID: [number, number, number] = [232, 234, 235];
const POS: [number, number, number] = [8, 119, 189];
/** Colours of classes 0, 1, 2, … (multi-class). */
export const CLASS_COLOURS: [number, number, number][] = [NEG, POS, [76, 175, 80], [156, 39, 176], [233, 30, 99], [121, 85, 72], [0, 150, 136], [255, 193, 7], [96, 125, 139], [63, 81, 181]];

// 256-entry lookup table over v ∈ [−1, 1]
const LUT = new Uint8ClampedArray(256 * 3);
for (let k = 0; k < 256; k++) {
  const v = (k / 255) * 2 - 1;
  const [from, t] = v < 0 ? [NEG, -v] : [POS, v];
  for (let c = 0; c < 3; c++) LUT[k * 3 + c] = Math.round(MID[c] + (from[c] - MID[c]) * t);
}

export function colourOf(v: number): string {
  const k = Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5);
  return `rgb(${LUT[k * 3]},${LUT[k * 3 + 1]},${LUT[k * 3 + 2]})`;
}

export function classColour(c: number): string {
  const [r, g, b] = CLASS_COLOURS[c % CLASS_COLOURS.length];
  return `rgb(${r},${g},${b})`;
}

/** Write a G × G map into `img` with values scaled by 1/`scale` and shifted by −`mid`, clamped to [−1, 1]. */
function fillMap(img: ImageData, map: Float32Array, offset: number, n: number, mid: number, scale: number): void {
  const d = img.data;
  for (let p = 0; p < n; p++) {
    const v = (map[offset + p] - mid) / scale;
    const k = Math.round((Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0)) + 1) * 127.5) * 3;
    d[p * 4] = LUT[k];
    d[p * 4 + 1] = LUT[k + 1];
    d[p * 4 + 2] = LUT[k + 2];
    d[p * 4 + 3] = 255;
  }
}

/** How a node's values map to [−1, 1]: outputs of probabilities around ½, regression around the target's middle, the rest by size. */
function mapScale(maps: Float32Array, off: number, n: number, kind: 'prob' | 'regression' | 'free' | 'range', yRange: [number, number]): [number, number] {
  if (kind === 'prob') return [0.5, 0.5];
  if (kind === 'regression') return [(yRange[0] + yRange[1]) / 2, Math.max(1e-9, (yRange[1] - yRange[0]) / 2)];
  if (kind === 'range') {
    // input features: their range over the plane spans the whole colour scale
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < n; p++) {
      lo = Math.min(lo, maps[off + p]);
      hi = Math.max(hi, maps[off + p]);
    }
    return [(lo + hi) / 2, Math.max(1e-9, (hi - lo) / 2)];
  }
  let m = 0;
  for (let p = 0; p < n; p++) m = Math.max(m, Math.abs(maps[off + p]));
  return [0, Math.max(1, m)];
}

/** Offscreen G × G canvases, one per node, reused between frames. */
export class MapCache {
  private canvases: OffscreenCanvas[] | HTMLCanvasElement[] = [];
  private images: ImageData[] = [];
  private G = 0;

  /** Node k's map as a small canvas. */
  render(state: StateMessage, data: DataMessage): (HTMLCanvasElement | OffscreenCanvas)[] {
    const G = state.grid;
    const n = G * G;
    const nodes = state.maps.length / n;
    if (G !== this.G || this.canvases.length !== nodes) {
      this.G = G;
      this.canvases = Array.from({ length: nodes }, () => {
        const c = document.createElement('canvas');
        c.width = G;
        c.height = G;
        return c;
      });
      this.images = this.canvases.map(() => new ImageData(G, G));
    }
    const outStart = nodes - state.layers[state.layers.length - 1].nOut;
    const outAct = state.layers[state.layers.length - 1].activation;
    for (let k = 0; k < nodes; k++) {
      const isOut = k >= outStart;
      const kind = k < state.features.length ? 'range' : isOut && (outAct === 'sigmoid' || outAct === 'softmax') ? 'prob' : isOut && data.task === 'regression' ? 'regression' : 'free';
      const [mid, scale] = mapScale(state.maps, k * n, n, kind, data.yRange);
      fillMap(this.images[k], state.maps, k * n, n, mid, scale);
      (this.canvases[k].getContext('2d') as CanvasRenderingContext2D).putImageData(this.images[k], 0, 0);
    }
    return this.canvases;
  }
}

/** The decision surface as a G × G image: binary → the colour scale of p, multi-class → argmax class tinted by confidence. */
export function surfaceImage(state: StateMessage, data: DataMessage, img: ImageData): void {
  const G = state.grid;
  const n = G * G;
  const out = state.layers[state.layers.length - 1];
  const off = state.maps.length - out.nOut * n;
  const d = img.data;
  if (data.task === 'regression') {
    const mid = (data.yRange[0] + data.yRange[1]) / 2;
    fillMap(img, state.maps, off, n, mid, Math.max(1e-9, (data.yRange[1] - data.yRange[0]) / 2));
  } else if (out.nOut === 1) {
    fillMap(img, state.maps, off, n, 0.5, 0.5);
  } else {
    const K = out.nOut;
    for (let p = 0; p < n; p++) {
      let best = 0;
      let pmax = -Infinity;
      for (let c = 0; c < K; c++) {
        const v = state.maps[off + c * n + p];
        if (v > pmax) {
          pmax = v;
          best = c;
        }
      }
      if (K === 2) {
        // two softmax outputs: the same scale as one sigmoid output, p = p(class 1)
        const v = state.maps[off + n + p] * 2 - 1;
        const k = Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5) * 3;
        d[p * 4] = LUT[k];
        d[p * 4 + 1] = LUT[k + 1];
        d[p * 4 + 2] = LUT[k + 2];
      } else {
        const t = Math.max(0, Math.min(1, (pmax - 1 / K) / (1 - 1 / K)));
        const col = CLASS_COLOURS[best % CLASS_COLOURS.length];
        for (let c = 0; c < 3; c++) d[p * 4 + c] = Math.round(MID[c] + (col[c] - MID[c]) * t * 0.75);
      }
      d[p * 4 + 3] = 255;
    }
  }
}

export interface SurfaceView {
  size: number;
  showTest: boolean;
  selected: number | null;
}

/** Plane → canvas pixels. */
export function toPixel(domain: DataMessage['domain'], size: number, x1: number, x2: number): [number, number] {
  const [a0, a1, b0, b1] = domain;
  return [((x1 - a0) / (a1 - a0)) * size, ((b1 - x2) / (b1 - b0)) * size];
}

function pointColour(data: DataMessage, y: number): string {
  if (data.task === 'regression') {
    const mid = (data.yRange[0] + data.yRange[1]) / 2;
    return colourOf((y - mid) / Math.max(1e-9, (data.yRange[1] - data.yRange[0]) / 2));
  }
  return classColour(y);
}

/** The decision surface, scaled up smoothly, with the cached layer of points on top. */
export function drawSurface(ctx: CanvasRenderingContext2D, surface: HTMLCanvasElement, points: HTMLCanvasElement, size: number): void {
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(surface, 0, 0, size, size);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(points, 0, 0);
  ctx.restore();
}

/**
 * The points, the selection ring and the axis labels, drawn once into a transparent canvas and
 * re-used while only the surface changes (hundreds of stroked arcs per frame add up).
 */
export class PointsLayer {
  readonly canvas = document.createElement('canvas');
  private key = '';
  private data: DataMessage | null = null;

  get(data: DataMessage, view: SurfaceView, dpr: number): HTMLCanvasElement {
    const key = `${view.size}|${view.showTest}|${view.selected}|${dpr}`;
    if (data === this.data && key === this.key) return this.canvas;
    this.data = data;
    this.key = key;
    const S = view.size;
    this.canvas.width = Math.round(S * dpr);
    this.canvas.height = Math.round(S * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const r = Math.max(2.5, S / 110);
    const draw = (xs: Float64Array, ys: Float64Array, stroke: string) => {
      for (let i = 0; i < ys.length; i++) {
        const [px, py] = toPixel(data.domain, S, xs[2 * i], xs[2 * i + 1]);
        ctx.beginPath();
        ctx.arc(px, py, r, 0, 2 * Math.PI);
        ctx.fillStyle = pointColour(data, ys[i]);
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = stroke;
        ctx.stroke();
      }
    };
    draw(data.train.x, data.train.y, '#fff');
    if (view.showTest) draw(data.test.x, data.test.y, '#000');
    if (view.selected !== null && view.selected < data.train.y.length) {
      const i = view.selected;
      const [px, py] = toPixel(data.domain, S, data.train.x[2 * i], data.train.x[2 * i + 1]);
      ctx.beginPath();
      ctx.arc(px, py, r * 3, 0, 2 * Math.PI);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = '#111';
      ctx.stroke();
    }
    // the plane's extent
    ctx.fillStyle = 'rgba(0,0,0,0.55)';
    ctx.font = `${Math.max(10, S / 36)}px system-ui, sans-serif`;
    const [a0, a1, b0, b1] = data.domain;
    ctx.textBaseline = 'bottom';
    ctx.fillText(`${data.columns[0]} ${fmtTick(a0)}…${fmtTick(a1)}`, 4, S - 2);
    ctx.textBaseline = 'top';
    ctx.fillText(`${data.columns[1]} ${fmtTick(b0)}…${fmtTick(b1)}`, 4, 2);
    return this.canvas;
  }
}

const fmtTick = (v: number) => String(Number(v.toPrecision(3)));

/** The nearest training point to canvas pixel (px, py) within `radius` pixels, or null. */
export function pickPoint(data: DataMessage, size: number, px: number, py: number, radius: number): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  for (let i = 0; i < data.train.y.length; i++) {
    const [x, y] = toPixel(data.domain, size, data.train.x[2 * i], data.train.x[2 * i + 1]);
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

// ---- the network diagram ------------------------------------------------------------------------

export interface NodeBox {
  /** column: 0 = input features, l = layer l */
  col: number;
  unit: number;
  x: number;
  y: number;
  size: number;
  /** index of its heat map */
  map: number;
}

export interface LinkPath {
  /** 0-based layer index (model.layers[layer]) */
  layer: number;
  i: number;
  j: number;
  p0: [number, number];
  p1: [number, number];
}

export interface NetLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  links: LinkPath[];
  /** bias squares: 0-based layer, unit */
  biases: { layer: number; i: number; x: number; y: number; size: number }[];
}

export function layoutNetwork(features: readonly string[], layers: readonly LayerInfo[], width: number): NetLayout {
  const cols = [features.length, ...layers.map((l) => l.nOut)];
  const maxNodes = Math.max(...cols);
  const size = Math.max(20, Math.min(40, Math.floor(width / (cols.length * 2.6))));
  const gap = Math.max(8, Math.round(size * 0.35));
  const top = 22;
  const height = top + maxNodes * (size + gap) + gap;
  const left = 54; // room for feature names
  const colX = (c: number) => left + (cols.length === 1 ? 0 : (c / (cols.length - 1)) * (width - left - size - 34));
  const nodes: NodeBox[] = [];
  let map = 0;
  cols.forEach((count, c) => {
    const offsetY = top + ((maxNodes - count) * (size + gap)) / 2;
    for (let u = 0; u < count; u++) nodes.push({ col: c, unit: u, x: colX(c), y: offsetY + u * (size + gap), size, map: map++ });
  });
  const at = (c: number, u: number) => nodes.find((n) => n.col === c && n.unit === u)!;
  const links: LinkPath[] = [];
  const biases: NetLayout['biases'] = [];
  layers.forEach((l, li) => {
    for (let i = 0; i < l.nOut; i++) {
      const to = at(li + 1, i);
      for (let j = 0; j < l.nIn; j++) {
        const from = at(li, j);
        links.push({ layer: li, i, j, p0: [from.x + from.size, from.y + from.size / 2], p1: [to.x, to.y + to.size / 2] });
      }
      const bs = Math.max(6, Math.round(size / 4));
      if (l.bias) biases.push({ layer: li, i, x: to.x - bs - 2, y: to.y + to.size - bs, size: bs });
    }
  });
  return { width, height, nodes, links, biases };
}

/** Point on the link's cubic Bézier (horizontal tangents at both ends) at t ∈ [0, 1]. */
function bezier(l: LinkPath, t: number): [number, number] {
  const [x0, y0] = l.p0;
  const [x3, y3] = l.p1;
  const mx = (x0 + x3) / 2;
  const u = 1 - t;
  const x = u * u * u * x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x3;
  const y = u * u * u * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y3 + t * t * t * y3;
  return [x, y];
}

/** W of layer `layer`, unit i, input j, from the flat buffer [W_1 … W_L | b_1 … b_L]. */
export function weightAt(params: Float32Array, layers: readonly LayerInfo[], layer: number, i: number, j: number): number {
  let off = 0;
  for (let l = 0; l < layer; l++) off += layers[l].nIn * layers[l].nOut;
  return params[off + i * layers[layer].nIn + j];
}

export function biasAt(params: Float32Array, layers: readonly LayerInfo[], layer: number, i: number): number {
  // a bias-less layer has no b among the parameters: its b is 0
  if (!layers[layer].bias) return 0;
  let off = layers.reduce((s, l) => s + l.nIn * l.nOut, 0);
  for (let l = 0; l < layer; l++) if (layers[l].bias) off += layers[l].nOut;
  return params[off + i];
}

export function drawNetwork(ctx: CanvasRenderingContext2D, lay: NetLayout, state: StateMessage, maps: (HTMLCanvasElement | OffscreenCanvas)[], highlight: { layer: number; i: number; j: number } | null): void {
  ctx.clearRect(0, 0, lay.width, lay.height);
  // links, thin first
  let wmax = 1e-9;
  for (const l of lay.links) wmax = Math.max(wmax, Math.abs(weightAt(state.params, state.layers, l.layer, l.i, l.j)));
  const scale = Math.max(1, wmax);
  for (const l of lay.links) {
    const w = weightAt(state.params, state.layers, l.layer, l.i, l.j);
    linkPath(ctx, l.p0, l.p1);
    ctx.strokeStyle = colourOf(Math.sign(w) * Math.min(1, 0.35 + Math.abs(w) / scale));
    ctx.lineWidth = Math.max(0.5, Math.min(7, (Math.abs(w) / scale) * 7));
    ctx.stroke();
  }
  if (highlight) {
    const l = lay.links.find((k) => k.layer === highlight.layer && k.i === highlight.i && k.j === highlight.j);
    if (l) {
      ctx.save();
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 1.5;
      linkPath(ctx, l.p0, l.p1);
      ctx.stroke();
      ctx.restore();
    }
  }
  // nodes as heat maps
  ctx.imageSmoothingEnabled = true;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const n of lay.nodes) {
    ctx.drawImage(maps[n.map] as CanvasImageSource, n.x, n.y, n.size, n.size);
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1;
    ctx.strokeRect(n.x + 0.5, n.y + 0.5, n.size - 1, n.size - 1);
    if (n.col === 0) {
      ctx.fillStyle = '#333';
      ctx.textAlign = 'right';
      ctx.fillText(state.features[n.unit], n.x - 4, n.y + n.size / 2);
    }
  }
  for (const b of lay.biases) {
    ctx.fillStyle = colourOf(Math.max(-1, Math.min(1, biasAt(state.params, state.layers, b.layer, b.i))));
    ctx.fillRect(b.x, b.y, b.size, b.size);
    ctx.strokeStyle = '#555';
    ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.size - 1, b.size - 1);
  }
  // column titles
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const cols = new Map<number, NodeBox>();
  for (const n of lay.nodes) if (!cols.has(n.col)) cols.set(n.col, n);
  const last = state.layers.length;
  for (const [c, n] of cols) {
    const title = c === 0 ? 'input' : c === last ? `output` : `${state.layers[c - 1].activation}`;
    ctx.fillText(title, n.x + n.size / 2, 2);
  }
}

/** What was clicked: a bias square, a link (nearest within `radius`), or nothing. */
export function pickNetwork(lay: NetLayout, x: number, y: number, radius = 5): { param: 'W' | 'b'; layer: number; i: number; j: number } | null {
  for (const b of lay.biases) if (x >= b.x - 2 && x <= b.x + b.size + 2 && y >= b.y - 2 && y <= b.y + b.size + 2) return { param: 'b', layer: b.layer, i: b.i, j: 0 };
  // a click on a neuron (not an input) edits its bias too
  for (const n of lay.nodes) {
    if (n.col > 0 && x >= n.x && x <= n.x + n.size && y >= n.y && y <= n.y + n.size) return lay.biases.some((b) => b.layer === n.col - 1) ? { param: 'b', layer: n.col - 1, i: n.unit, j: 0 } : null;
  }
  let best: LinkPath | null = null;
  let bestD = radius * radius;
  for (const l of lay.links) {
    if (x < Math.min(l.p0[0], l.p1[0]) - radius || x > Math.max(l.p0[0], l.p1[0]) + radius) continue;
    for (let k = 0; k <= 24; k++) {
      const [px, py] = bezier(l, k / 24);
      const d = (px - x) ** 2 + (py - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = l;
      }
    }
  }
  return best ? { param: 'W', layer: best.layer, i: best.i, j: best.j } : null;
}

/**
 * Every weight whose link passes within `radius` of (x, y), nearest first. Between two layers of 8
 * units 64 links cross in a few dozen pixels: a finger (radius ~14 px) touches several, so the page
 * offers them all rather than guess.
 */
export function linksNear(lay: NetLayout, x: number, y: number, radius: number): { layer: number; i: number; j: number; distance: number }[] {
  const out: { layer: number; i: number; j: number; distance: number }[] = [];
  for (const l of lay.links) {
    if (x < Math.min(l.p0[0], l.p1[0]) - radius || x > Math.max(l.p0[0], l.p1[0]) + radius) continue;
    let best = Infinity;
    for (let k = 0; k <= 48; k++) {
      const [px, py] = bezier(l, k / 48);
      best = Math.min(best, (px - x) ** 2 + (py - y) ** 2);
    }
    if (best <= radius * radius) out.push({ layer: l.layer, i: l.i, j: l.j, distance: Math.sqrt(best) });
  }
  return out.sort((a, b) => a.distance - b.distance);
}

/** The midpoint of a link, for tests and for placing the editor. */
export function linkMidpoint(l: LinkPath): [number, number] {
  return bezier(l, 0.5);
}

/** The curve of one weight's link, from its input unit to its output unit (a horizontal S). */
function linkPath(ctx: CanvasRenderingContext2D, [x0, y0]: readonly number[], [x3, y3]: readonly number[]): void {
  const mx = (x0 + x3) / 2;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.bezierCurveTo(mx, y0, mx, y3, x3, y3);
}
