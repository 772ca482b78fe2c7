// The lecture's own views inside the backprop inspector:
//   - the seed's network (a chain of one-unit sigmoid layers with the L2 loss L = ½(y − ŷ)²) gets the
//     slide's derivation, factor by factor, with this sample's numbers: ∂L/∂w3 = ∂L/∂f3 · ∂f3/∂a3 ·
//     ∂a3/∂w3 = −(y − ŷ) · f3(1 − f3) · f2, then ∂L/∂w2, ∂L/∂w1, ∂L/∂b with the factors already
//     computed marked "already computed: propagate", then θ ← θ − η∇θ for each parameter;
//   - any layer gets the vectorized view of the last slides: s = uᵀh, h = f(z), z = Wx + b,
//     ∂s/∂b = uᵀ diag(f'(z)) I = uᵀ ∘ f'(z), the diagonal Jacobian written out once, then the
//     elementwise product the code computes.
// The slide's names map onto the library's: a_l = W_l x + b_l, f_l = h_l = f(a_l), ŷ = f_L; in the
// vectorized slides z = a and u = ∂L/∂h (what the layers above pass down), so s moves as L does.
// The seed's gradients are computed here from the forward values alone (the slide's closed form);
// the inspector shows them next to the library's backprop (the trace), and the tests compare both.

import type { Trace, TraceLayer } from 'mlpkit';
import { tex, texFactor, texNum } from './tex.ts';

/** The seed's shape: every layer one unit on one input, sigmoid, and the L2 loss (sse). */
export function isSeedNetwork(t: Trace): boolean {
  return t.loss === 'sse' && t.layers.length >= 1 && t.layers.every((l) => l.x.length === 1 && l.a.length === 1 && l.activation === 'sigmoid');
}

/**
 * Does this layer have a bias? (Per-layer `bias: false`: the seed has a bias in its first layer
 * only.) A bias-less layer's trace keeps b as zeros but has no ∂L/∂b: db is empty.
 */
export function hasBias(t: TraceLayer): boolean {
  return t.db.length > 0;
}

export interface SeedGradients {
  /** ∂L/∂w_l, l = 1 … L (index 0 is w1) */
  w: number[];
  /** ∂L/∂b_l where layer l has a bias, else null */
  b: (number | null)[];
  /** δ_l = ∂L/∂a_l, the factor each layer passes down */
  delta: number[];
}

/**
 * The slide's closed form from the forward values only:
 *   δ_L = −(y − ŷ) f_L(1 − f_L),   δ_l = δ_{l+1} w_{l+1} f_l(1 − f_l),
 *   ∂L/∂w_l = δ_l f_{l−1} (f_0 = x),   ∂L/∂b_l = δ_l.
 */
export function seedGradients(t: Trace): SeedGradients {
  const L = t.layers.length;
  const f = t.layers.map((l) => l.h[0]);
  const w = t.layers.map((l) => l.W[0][0]);
  const input = (l: number) => (l === 0 ? t.layers[0].x[0] : f[l - 1]);
  const delta = new Array<number>(L);
  delta[L - 1] = -(t.y[0] - t.yhat[0]) * f[L - 1] * (1 - f[L - 1]);
  for (let l = L - 2; l >= 0; l--) delta[l] = delta[l + 1] * w[l + 1] * f[l] * (1 - f[l]);
  return {
    w: delta.map((d, l) => d * input(l)),
    b: delta.map((d, l) => (hasBias(t.layers[l]) ? d : null)),
    delta,
  };
}

// ---- TeX pieces ---------------------------------------------------------------------------------

const d = (num: string, den: string) => `\\frac{\\partial ${num}}{\\partial ${den}}`;
/** ∂L/∂f_L ∂f_L/∂a_L ∂a_L/∂f_{L−1} … down to ∂f_{l}/∂a_{l}: the factors layers L … l contribute. */
function chainDown(L: number, l: number): string {
  const parts = [d('L', `f_{${L}}`)];
  for (let k = L; k >= l; k--) {
    parts.push(d(`f_{${k}}`, `a_{${k}}`));
    if (k > l) parts.push(d(`a_{${k}}`, `f_{${k - 1}}`));
  }
  return parts.join('\\,');
}
const fIn = (l: number) => (l === 1 ? 'x' : `f_{${l - 1}}`);

/** A card (same look as the inspector's). */
function card(title: string, kind: string, ...children: (Node | null)[]): HTMLElement {
  const a = document.createElement('article');
  a.className = `card ${kind}`.trim();
  const h = document.createElement('h3');
  h.textContent = title;
  a.append(h, ...children.filter((c): c is Node => c !== null));
  return a;
}
function p(cls: string, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement('p');
  if (cls) e.className = cls;
  e.append(...children);
  return e;
}

// ---- the seed's cards ---------------------------------------------------------------------------

/** The whole network as one long equation, with the current parameters. */
export function seedNetworkCard(t: Trace): HTMLElement {
  const L = t.layers.length;
  let eq = `${fIn(1)}`;
  let a1 = `w_1 \\cdot x${hasBias(t.layers[0]) ? ' + b_1' : ''}`;
  for (let l = 1; l <= L; l++) {
    const inner = l === 1 ? a1 : `w_{${l}} \\cdot ${eq}`;
    eq = `f_{${l}}(${inner})`;
    a1 = inner;
  }
  const params = t.layers.flatMap((layer, k) => [`w_{${k + 1}} = ${texNum(layer.W[0][0], { theta: `w${k + 1}` })}`, ...(hasBias(layer) ? [`b_{${k + 1}} = ${texNum(layer.b[0], { theta: `b${k + 1}` })}`] : [])]);
  const count = params.length;
  return card(`The lecture's network: ${count} parameters, ${L + 1} layers`, 'wide',
    tex(`\\hat y = ${eq}, \\qquad f = \\sigma, \\quad \\sigma(a) = \\frac{1}{1 + e^{-a}}, \\quad L = \\tfrac12 (y - \\hat y)^2`, true),
    tex(`\\theta = \\{${params.join(',\\ ')}\\}`, true),
    p('muted', 'The slides write the target as y and the network\'s output as ŷ = f', `${L}`, '; the library\'s trace calls them y and ŷ = h', `${L}`, ' (f', '\u2097', ' = h', '\u2097', ').'),
  );
}

export function seedForwardCard(t: Trace, l: number): HTMLElement {
  const layer = t.layers[l - 1];
  const w = layer.W[0][0];
  const bias = hasBias(layer);
  const expr = l === 1 ? `w_1 \\cdot x${bias ? ' + b_1' : ''}` : `w_{${l}} \\cdot f_{${l - 1}}${bias ? ` + b_{${l}}` : ''}`;
  const nums = `${texFactor(w)} \\cdot ${texFactor(layer.x[0])}${bias ? ` + ${texFactor(layer.b[0])}` : ''}`;
  return card(`Layer ${l} · forward`, '',
    tex(`a_{${l}} = ${expr} = ${nums} = ${texNum(layer.a[0], { 'seed-a': l })}`, true),
    tex(`f_{${l}} = \\sigma(a_{${l}}) = \\frac{1}{1 + e^{-a_{${l}}}} = ${texNum(layer.h[0], { 'seed-f': l }, 6)}`, true),
  );
}

export function seedLossCard(t: Trace): HTMLElement {
  const L = t.layers.length;
  const y = t.y[0];
  const yhat = t.yhat[0];
  return card('The loss', '',
    tex(`\\hat y = f_{${L}} = ${texNum(yhat, {}, 6)}, \\qquad y = ${texNum(y, {}, 6)}`, true),
    tex(`L = \\tfrac12 (y - \\hat y)^2 = \\tfrac12 (${texNum(y, {}, 6)} - ${texNum(yhat, {}, 6)})^2 = ${texNum(t.L, { 'seed-loss': '' }, 6)}`, true),
    tex(`${d('L', `f_{${L}}`)} = -(y - \\hat y) = ${texNum(-(y - yhat), {}, 6)}`, true),
  );
}

/** Backward through layer l: the slide's chain for ∂L/∂w_l (and ∂L/∂b_l), with the re-used factor marked. */
export function seedBackwardCard(t: Trace, l: number, g: SeedGradients): HTMLElement {
  const L = t.layers.length;
  const layer = t.layers[l - 1];
  const f = (k: number) => t.layers[k - 1].h[0];
  const input = l === 1 ? layer.x[0] : f(l - 1);
  const bias = hasBias(layer);
  const lib = layer.dW[0][0];
  const gradAttrs = (param: 'W' | 'b', v: string) => ({ grad: param, l, i: 0, ...(param === 'W' ? { j: 0 } : {}), 'seed-grad': v });
  const children: HTMLElement[] = [];
  // the chain rule in the slide's letters
  const full = `${chainDown(L, l)}\\,${d(`a_{${l}}`, `w_{${l}}`)}`;
  children.push(tex(`${d('L', `w_{${l}}`)} = ${full}`, true));
  if (l === L) {
    // −(y − ŷ) · f_L(1 − f_L) · f_{L−1}
    children.push(tex(`= -(y - \\hat y)\\cdot f_{${L}}(1 - f_{${L}})\\cdot ${fIn(l)}`, true));
    children.push(tex(`= ${texFactor(-(t.y[0] - t.yhat[0]))}\\cdot ${texFactor(f(L) * (1 - f(L)))}\\cdot ${texFactor(input)} = ${texNum(g.w[l - 1], gradAttrs('W', `w${l}`), 8)}`, true));
  } else {
    // the factors of the layers above were computed for ∂L/∂w_{l+1}: δ_{l+1}
    const reused = `\\underbrace{${chainDown(L, l + 1)}}_{\\text{already computed: propagate } (\\delta_{${l + 1}})}`;
    children.push(tex(`${d('L', `w_{${l}}`)} = ${reused}\\,${d(`a_{${l + 1}}`, `f_{${l}}`)}\\,${d(`f_{${l}}`, `a_{${l}}`)}\\,${d(`a_{${l}}`, `w_{${l}}`)}`, true));
    children.push(tex(`= \\delta_{${l + 1}} \\cdot w_{${l + 1}} \\cdot f_{${l}}(1 - f_{${l}}) \\cdot ${fIn(l)}`, true));
    children.push(tex(`= ${texFactor(g.delta[l], { 'seed-reused': l + 1 }, 6)}\\cdot ${texFactor(t.layers[l].W[0][0])}\\cdot ${texFactor(f(l) * (1 - f(l)))}\\cdot ${texFactor(input)} = ${texNum(g.w[l - 1], gradAttrs('W', `w${l}`), 8)}`, true));
  }
  if (bias) {
    const chain = l === L ? chainDown(L, l) : `\\underbrace{${chainDown(L, l + 1)}}_{\\text{already computed}}\\,${d(`a_{${l + 1}}`, `f_{${l}}`)}\\,${d(`f_{${l}}`, `a_{${l}}`)}`;
    children.push(tex(`${d('L', `b_{${l}}`)} = ${chain}\\,${d(`a_{${l}}`, `b_{${l}}`)} = \\delta_{${l}} \\cdot 1 = ${texNum(g.b[l - 1]!, gradAttrs('b', `b${l}`), 8)}`, true));
  }
  children.push(tex(`\\delta_{${l}} = ${d('L', `a_{${l}}`)} = ${texNum(g.delta[l - 1], { 'seed-delta': l }, 6)}\\quad\\text{(passed down to layer ${l - 1 || 'none'})}`, true));
  const agree = Math.abs(g.w[l - 1] - lib) <= 1e-12 + 1e-9 * Math.abs(lib);
  children.push(p('muted', `The library's backprop (trace) for this layer: ∂L/∂w${l} = ${lib}${bias ? `, ∂L/∂b${l} = ${layer.db[0]}` : ''} — ${agree ? 'the same number' : 'DIFFERENT'}.`));
  return card(`Layer ${l} · backward: ∂L/∂w${l}${bias ? ` and ∂L/∂b${l}` : ''}`, 'backward', ...children);
}

/** θ ← θ − η∇θ for each parameter, with Δ. */
export function seedUpdateCard(t: Trace, g: SeedGradients, eta: number, updateDigits: (theta: number, delta: number) => number): HTMLElement {
  const rows: HTMLElement[] = [];
  const line = (name: string, theta: number, grad: number, attrs: Record<string, string | number>) => {
    const delta = -eta * grad;
    const digits = updateDigits(theta, delta);
    rows.push(tex(`${name} \\leftarrow ${name} - \\eta\\, \\nabla ${name} = ${texFactor(theta, {}, digits)} - ${texFactor(eta)}\\cdot ${texFactor(grad, {}, 6)} = ${texNum(theta + delta, attrs, digits)} \\quad (\\Delta = ${texNum(delta, {}, 3)})`, true));
  };
  for (let l = t.layers.length; l >= 1; l--) {
    const layer = t.layers[l - 1];
    line(`w_{${l}}`, layer.W[0][0], g.w[l - 1], { 'seed-new': `w${l}` });
  }
  for (let l = 1; l <= t.layers.length; l++) {
    const layer = t.layers[l - 1];
    if (hasBias(layer)) line(`b_{${l}}`, layer.b[0], g.b[l - 1]!, { 'seed-new': `b${l}` });
  }
  return card('The update', 'wide', tex(`\\theta \\leftarrow \\theta - \\eta\\, \\nabla_\\theta L, \\qquad \\eta = ${texNum(eta)}`, true), ...rows);
}

// ---- the vectorized view (any layer) ------------------------------------------------------------

const vecTex = (xs: readonly number[], attrs: (k: number) => Record<string, string | number> = () => ({})) =>
  `\\begin{bmatrix} ${xs.map((x, k) => texNum(x, attrs(k))).join(' & ')} \\end{bmatrix}`;

/** diag(v) written out: n ≤ 5 in full, larger with dots. */
function diagTex(v: readonly number[]): string {
  const n = v.length;
  if (n <= 5) {
    const rows = v.map((x, i) => v.map((_, j) => (i === j ? texNum(x) : '0')).join(' & '));
    return `\\begin{bmatrix} ${rows.join(' \\\\ ')} \\end{bmatrix}`;
  }
  return `\\begin{bmatrix} ${texNum(v[0])} & 0 & \\cdots & 0 \\\\ 0 & ${texNum(v[1])} & \\cdots & 0 \\\\ \\vdots & & \\ddots & \\vdots \\\\ 0 & 0 & \\cdots & ${texNum(v[n - 1])} \\end{bmatrix}`;
}

/**
 * The last slides for layer t: s = uᵀh, h = f(z), z = Wx + b, ∂s/∂b = uᵀ diag(f'(z)) I = uᵀ ∘ f'(z),
 * with u = ∂L/∂h of this layer. `withDiagonal`: write the n × n Jacobian out (once per trace).
 */
export function vectorizedBlock(t: TraceLayer, withDiagonal: boolean): HTMLElement {
  const l = t.layer;
  const box = document.createElement('div');
  box.className = 'vectorized';
  box.dataset.vectorized = String(l);
  const h = document.createElement('h4');
  h.textContent = 'Vectorized (the last slides)';
  box.append(h);
  if (t.fprime === null) {
    box.append(p('muted', 'softmax: its Jacobian diag(h) − h hᵀ is not diagonal, so there is no elementwise shortcut here.'));
    return box;
  }
  box.append(tex(`s = \\boldsymbol{u}^\\top \\boldsymbol{h}, \\quad \\boldsymbol{h} = f(\\boldsymbol{z}), \\quad \\boldsymbol{z} = \\boldsymbol{W}\\boldsymbol{x} + \\boldsymbol{b}, \\qquad \\boldsymbol{u} = ${d('L', `\\boldsymbol{h}_{${l}}`)}`, true));
  box.append(tex(`${d('s', '\\boldsymbol{b}')} = ${d('s', '\\boldsymbol{h}')}\\,${d('\\boldsymbol{h}', '\\boldsymbol{z}')}\\,${d('\\boldsymbol{z}', '\\boldsymbol{b}')} = \\boldsymbol{u}^\\top \\operatorname{diag}(f'(\\boldsymbol{z}))\\, \\boldsymbol{I} = \\boldsymbol{u}^\\top \\circ f'(\\boldsymbol{z})`, true));
  if (withDiagonal) {
    box.append(p('muted', `The Jacobian ∂h/∂z is ${t.a.length} × ${t.a.length} and diagonal (h_i depends on z_i alone):`));
    box.append(tex(`\\boldsymbol{u}^\\top \\operatorname{diag}(f'(\\boldsymbol{z}))\\,\\boldsymbol{I} = ${vecTex(t.dLdh)}\\, ${diagTex(t.fprime)}\\, \\boldsymbol{I}`, true));
  }
  box.append(p('muted', withDiagonal ? 'The code never builds that matrix: it multiplies elementwise (the backend\'s activationBackward kernel):' : 'Elementwise, as the code computes it:'));
  // a bias-less layer has no ∂L/∂b, but the same product is its δ (what ∂L/∂b would be)
  const bias = hasBias(t);
  box.append(tex(`\\boldsymbol{u}^\\top \\circ f'(\\boldsymbol{z}) = ${vecTex(t.dLdh)} \\circ ${vecTex(t.fprime)} = ${vecTex(bias ? t.db : t.delta, (k) => ({ 'vec-db': `${l}-${k}` }))} = ${bias ? `${d('L', `\\boldsymbol{b}_{${l}}`)} = ` : ''}\\boldsymbol{\\delta}_{${l}}`, true));
  if (!bias) box.append(p('muted', 'This layer has no bias (bias: false): the product is its δ, what ∂L/∂b would be.'));
  return box;
}
