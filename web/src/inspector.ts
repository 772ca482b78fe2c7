// The backprop inspector: one training point's forward and backward pass, stage by stage, with
// every chain-rule factor as a number (from the library's `trace`, in float64), the plain
// gradient-descent update θ ← θ − η∇θ for that point, and the gradient check's verdict.
// Notation as in the library: a = W x + b, h = f(a), δ = ∂L/∂a, W is [nOut, nIn].

import { lossInfo, type GradCheckReport, type LossName, type TraceLayer } from 'mlpkit';
import type { FromEngine } from './protocol.ts';
import { LOSS_TEX, tex, texActivation, texNum } from './tex.ts';
import { isSeedNetwork, seedBackwardCard, seedForwardCard, seedGradients, seedLossCard, seedNetworkCard, seedUpdateCard, vectorizedBlock } from './lecture.ts';

export type TraceReply = Extract<FromEngine, { type: 'trace' }>;

type Child = Node | string | number | null | undefined | false;

/** A DOM element; strings become text nodes (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string | number | boolean> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else if (typeof v === 'boolean') {
      if (v) e.setAttribute(k, '');
    } else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** `digits` significant digits (default 4), true minus sign. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  const s = a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(digits))) : v.toExponential(Math.max(2, digits - 2));
  return s.replace('-', '−');
}

const sub = (s: string | number) => el('sub', {}, String(s));
const sup = (s: string | number) => el('sup', {}, String(s));
/** A number with its exact value kept for copying and for tests. */
const num = (v: number, attrs: Record<string, string | number> = {}, digits = 4) => el('span', { class: 'num', 'data-value': String(v), title: String(v), ...attrs }, fmt(v, digits));

/**
 * Significant digits that show an update: a step Δ on a value θ is visible when the digits reach
 * down to Δ's leading digit and one more (θ = −3.501, Δ = 2e-4 → 6 digits: −3.5010 → −3.5008).
 */
export function updateDigits(theta: number, delta: number): number {
  const big = Math.max(Math.abs(theta), Math.abs(theta + delta));
  if (delta === 0 || big === 0) return 4;
  return Math.max(4, Math.min(12, Math.ceil(Math.log10(big / Math.abs(delta))) + 2));
}

/** θ → θ − η g, with enough digits that the change shows, and Δ beside it. */
export function updateCell(theta: number, g: number, eta: number, attrs: Record<string, string | number> = {}): HTMLElement {
  const delta = -eta * g;
  const next = theta + delta;
  const digits = updateDigits(theta, delta);
  return el('td', {}, num(theta, {}, digits), ' → ', num(next, attrs, digits), el('span', { class: 'delta' }, ' Δ ', num(delta, { 'data-delta-theta': '' }, 3)));
}

function vec(xs: readonly number[]): HTMLElement {
  const s = el('span', { class: 'vec' }, '[');
  xs.forEach((x, k) => {
    if (k) s.append(', ');
    s.append(num(x));
  });
  s.append(']');
  return s;
}

export class Inspector {
  reply: TraceReply | null = null;
  stage = 0;

  constructor(
    private readonly body: HTMLElement,
    private readonly stageLabel: HTMLElement,
    private readonly optimizerName: () => string,
  ) {}

  /** Stages: 0 the point, 1…L forward through layer l, L+1 the loss, L+2…2L+1 backward through L…1, 2L+2 the update. */
  get lastStage(): number {
    return this.reply ? 2 * this.reply.trace.layers.length + 2 : 0;
  }

  set(reply: TraceReply, keepStage: boolean): void {
    this.reply = reply;
    this.stage = keepStage ? Math.min(this.stage, this.lastStage) : 0;
    this.render();
  }

  go(stage: number): void {
    if (!this.reply) return;
    this.stage = Math.max(0, Math.min(this.lastStage, stage));
    this.render();
  }

  stageName(s: number): string {
    const L = this.reply!.trace.layers.length;
    if (s === 0) return 'the point';
    if (s <= L) return `forward, layer ${s}`;
    if (s === L + 1) return 'the loss';
    if (s <= 2 * L + 1) return `backward, layer ${2 * L + 2 - s}`;
    return 'the update';
  }

  render(): void {
    const r = this.reply;
    this.body.replaceChildren();
    if (!r) return;
    const L = r.trace.layers.length;
    this.stageLabel.textContent = `Stage ${this.stage + 1} of ${this.lastStage + 1}: ${this.stageName(this.stage)}`;
    const cards: HTMLElement[] = [this.pointCard(r)];
    if (isSeedNetwork(r.trace)) {
      // the lecture's network: the slide's derivation, parameter by parameter (web/src/lecture.ts)
      const t = r.trace;
      const g = seedGradients(t);
      cards.push(seedNetworkCard(t));
      for (let l = 1; l <= L && l <= this.stage; l++) cards.push(seedForwardCard(t, l));
      if (this.stage >= L + 1) cards.push(seedLossCard(t));
      for (let s = L + 2; s <= 2 * L + 1 && s <= this.stage; s++) cards.push(seedBackwardCard(t, 2 * L + 2 - s, g));
      if (this.stage >= 2 * L + 2) cards.push(seedUpdateCard(t, g, r.learningRate, updateDigits));
      cards[cards.length - 1].classList.add('current');
      this.body.append(...cards);
      return;
    }
    for (let l = 1; l <= L && l <= this.stage; l++) cards.push(this.forwardCard(r.trace.layers[l - 1]));
    if (this.stage >= L + 1) cards.push(this.lossCard(r));
    // the vectorized slides' diagonal Jacobian is written out once: in the first card with an elementwise f'
    // (the topmost layer with an elementwise f' and at least two units: a 1 × 1 "matrix" shows nothing)
    const elementwise = [...r.trace.layers].reverse().filter((t) => t.fprime !== null);
    const firstDiag = (elementwise.find((t) => t.a.length >= 2) ?? elementwise[0])?.layer;
    for (let s = L + 2; s <= 2 * L + 1 && s <= this.stage; s++) {
      const t = r.trace.layers[2 * L + 1 - s];
      const c = this.backwardCard(r, t, L);
      c.append(vectorizedBlock(t, t.layer === firstDiag));
      cards.push(c);
    }
    if (this.stage >= 2 * L + 2) cards.push(this.updateCard(r));
    cards[cards.length - 1].classList.add('current');
    this.body.append(...cards);
  }

  private card(title: string, kind: 'backward' | 'wide' | '', ...children: Child[]): HTMLElement {
    return el('article', { class: `card ${kind}`.trim() }, el('h3', {}, title), ...children);
  }

  private pointCard(r: TraceReply): HTMLElement {
    const t = r.trace;
    return this.card(`Training point #${r.index}`, '',
      el('p', { id: 'insp-point', 'data-index': r.index, 'data-features': JSON.stringify(r.features), 'data-label': JSON.stringify(r.label) }, 'point (x1, x2) = ', vec(r.point), ', label ', el('strong', {}, String(r.label)), ', target as the network sees it y = ', vec(t.y)),
      el('p', {}, 'input x = ', vec(t.x), ' (the chosen features', t.x.some((v, k) => Math.abs(v - r.features[k]) > 1e-6 * Math.max(1, Math.abs(v))) ? ', after the model\'s input scaling' : '', ')'),
      el('p', { class: 'muted' }, `Weights as of this trace. Step ▶ runs the forward pass layer by layer, then the loss, then the backward pass from the output back to layer 1.`),
    );
  }

  private forwardCard(t: TraceLayer): HTMLElement {
    const l = t.layer;
    const expand = t.x.length <= 4;
    const rows = t.a.map((a, i) => el('tr', {},
      el('th', { scope: 'row' }, String(i)),
      el('td', { class: 'expr' }, expand
        ? el('span', {}, ...t.W[i].flatMap((w, j) => [j ? ' + ' : '', '(', num(w), ')(', num(t.x[j]), ')']), ' + ', num(t.b[i]))
        : `Σ of ${t.x.length} terms W${'ᵢⱼ'}x${'ⱼ'} + b${'ᵢ'}`),
      el('td', {}, num(a, { 'data-a': `${l},${i}` })),
      el('td', {}, num(t.h[i], { 'data-h': `${l},${i}` })),
    ));
    return this.card(`Layer ${l} · forward`, '',
      el('p', {}, 'x = h', sub(l - 1), ' = ', vec(t.x)),
      el('p', { class: 'formula' }, tex(`a_{${l}} = W_{${l}}\\,x + b_{${l}}, \\qquad h_{${l}} = f(a_{${l}}), \\quad f = ${texActivation(t.activation)}`)),
      el('table', {},
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'i'), el('th', { scope: 'col' }, 'a', sub('i'), ' = Σ', sub('j'), ' W', sub('ij'), ' x', sub('j'), ' + b', sub('i')), el('th', { scope: 'col' }, 'a', sub('i')), el('th', { scope: 'col' }, 'h', sub('i'), ' = f(a', sub('i'), ')'))),
        el('tbody', {}, ...rows)),
    );
  }

  private lossCard(r: TraceReply): HTMLElement {
    const t = r.trace;
    const out = t.layers[t.layers.length - 1];
    const info = lossInfo[t.loss as LossName];
    return this.card('The loss', '',
      el('p', {}, 'ŷ = h', sub(t.layers.length), ' = ', vec(t.yhat), ',  y = ', vec(t.y)),
      el('p', { class: 'formula' }, `${t.loss}:`),
      LOSS_TEX[t.loss] ? tex(LOSS_TEX[t.loss], true) : el('p', {}, info?.formula ?? ''),
      el('p', {}, 'L = ', num(t.L, { id: 'insp-loss' })),
      el('p', {}, '∂L/∂ŷ = ∂L/∂h', sub(t.layers.length), ' = ', vec(out.dLdh)),
      t.fused ? el('p', { class: 'muted' }, `NOTE: ${t.loss} is computed from the logits a${t.layers.length} (${out.activation} fused with the loss, for stability); the library forms δ = ∂L/∂a directly. ∂L/∂ŷ above is the same chain written out.`) : null,
    );
  }

  private backwardCard(r: TraceReply, t: TraceLayer, L: number): HTMLElement {
    const l = t.layer;
    const soft = t.fprime === null;
    const source = l === L ? el('span', {}, 'from the loss: ∂L/∂ŷ') : el('span', {}, 'Σ', sub('k'), ' δ', sub('k'), sup(`(${l + 1})`), ' W', sub('ki'), sup(`(${l + 1})`), ' — re-used from layer ', l + 1);
    const rows = t.delta.map((d, i) => el('tr', {},
      el('th', { scope: 'row' }, String(i)),
      el('td', {}, num(t.dLdh[i])),
      el('td', {}, soft ? '(Jacobian)' : num(t.fprime![i])),
      el('td', {}, num(d, { 'data-delta': `${l},${i}` })),
      el('td', {}, t.db.length ? num(t.db[i], { 'data-grad': 'b', 'data-l': l, 'data-i': i }) : '— (no bias)'),
    ));
    const gradRows = t.dW.map((row, i) => el('tr', {},
      el('th', { scope: 'row' }, String(i)),
      ...row.map((g, j) => el('td', {}, num(g, {
        'data-grad': 'W', 'data-l': l, 'data-i': i, 'data-j': j,
        title: `∂L/∂W[${i},${j}] = ∂L/∂h${i} · f'(a${i}) · x${j} = ${fmt(t.dLdh[i])} · ${soft ? 'J' : fmt(t.fprime![i])} · ${fmt(t.x[j])} = ${g}`,
      }))),
    ));
    const i0 = 0;
    const j0 = 0;
    return this.card(`Layer ${l} · backward`, 'backward',
      el('p', { class: 'formula' }, tex(`\\frac{\\partial L}{\\partial h_{${l}}} = `), ' ', source),
      soft
        ? el('p', { class: 'formula' }, tex(`\\delta_{${l}} = J^\\top \\frac{\\partial L}{\\partial h_{${l}}}, \\quad J = \\frac{\\partial h}{\\partial a} = \\operatorname{diag}(h) - h h^\\top`), ' (softmax: not elementwise)')
        : el('p', { class: 'formula' }, tex(`\\delta_{${l}} = \\frac{\\partial L}{\\partial a_{${l}}} = \\frac{\\partial L}{\\partial h_{${l}}} \\circ f'(a_{${l}})`)),
      el('table', {},
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'i'), el('th', { scope: 'col' }, '∂L/∂h', sub('i')), el('th', { scope: 'col' }, 'f\'(a', sub('i'), ')'), el('th', { scope: 'col' }, 'δ', sub('i')), el('th', { scope: 'col' }, '∂L/∂b', sub('i'), ' = δ', sub('i')))),
        el('tbody', {}, ...rows)),
      el('p', { class: 'formula' }, tex(`\\frac{\\partial L}{\\partial W_{${l}}} = \\delta_{${l}}\\, x^\\top: \\quad \\frac{\\partial L}{\\partial W_{ij}} = \\frac{\\partial L}{\\partial f}\\,\\frac{\\partial f}{\\partial a}\\,\\frac{\\partial a}{\\partial w} = \\frac{\\partial L}{\\partial h_i}\\, f'(a_i)\\, x_j`)),
      soft ? null : el('p', { class: 'chain' }, 'e.g. ∂L/∂W', sub(`${i0}${j0}`), ' = (', num(t.dLdh[i0]), ') · (', num(t.fprime![i0]), ') · (', num(t.x[j0]), ') = ', num(t.dW[i0][j0])),
      el('table', { class: 'grad' },
        el('caption', {}, '∂L/∂W', sub(l), ' (rows i, columns j; hover a cell for its factors)'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'i \\ x', sub('j')), ...t.x.map((x, j) => el('th', { scope: 'col' }, `${j}: `, num(x))))),
        el('tbody', {}, ...gradRows)),
    );
  }

  private updateCard(r: TraceReply): HTMLElement {
    const eta = r.learningRate;
    const tables = r.trace.layers.map((t) => el('table', { class: 'grad' },
      el('caption', {}, tex(`W_{${t.layer}} \\leftarrow W_{${t.layer}} - \\eta\\, \\frac{\\partial L}{\\partial W_{${t.layer}}}, \\qquad b_{${t.layer}} \\leftarrow b_{${t.layer}} - \\eta\\, \\frac{\\partial L}{\\partial b_{${t.layer}}}`), ' (Δ = −η ∂L/∂θ beside each new value)'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'i'), ...t.x.map((_, j) => el('th', { scope: 'col' }, `W[i,${j}]`)), el('th', { scope: 'col' }, 'b[i]'))),
      el('tbody', {}, ...t.W.map((row, i) => el('tr', {},
        el('th', { scope: 'row' }, String(i)),
        ...row.map((w, j) => updateCell(w, t.dW[i][j], eta, { 'data-new-w': `${t.layer},${i},${j}` })),
        t.db.length ? updateCell(t.b[i], t.db[i], eta, { 'data-new-b': `${t.layer},${i}` }) : el('td', {}, '— (no bias)'),
      )))));
    return this.card('The update', 'wide',
      el('p', { class: 'formula' }, tex(`\\theta \\leftarrow \\theta - \\eta\\, \\nabla_\\theta L, \\qquad \\eta = ${texNum(eta)}`)),
      el('p', { class: 'muted' }, `Plain gradient descent on this one point. Training itself uses ${this.optimizerName()} over minibatches; "Apply update" writes the new values below into the model.`),
      ...tables,
    );
  }
}

export function renderCheck(target: HTMLElement, report: GradCheckReport): void {
  const worst = Math.max(...report.entries.map((e) => e.maxRelError));
  const parts: (HTMLElement | null)[] = [
    el('p', { class: report.passed ? 'ok' : 'bad', id: 'check-verdict', 'data-passed': String(report.passed) },
      report.passed ? '✓ ' : '✗ ',
      `Backprop ${report.passed ? 'agrees' : 'disagrees'} with finite differences: largest relative error ${worst.toExponential(2)} ${report.passed ? '<' : '≥'} ${report.tolerance} (fourth-order central difference, h = ${report.eps}, float64; |g| < ${report.floor} compared absolutely).`),
    report.passed ? null : el('p', { class: 'muted' }, 'Near a kink (relu at a = 0) the difference quotient straddles it and disagrees legitimately; elsewhere a disagreement means a wrong gradient.'),
    el('p', { class: 'muted' }, `Training runs this backprop in float32: its gradients differ from the float64 ones here by a relative ${report.backendMaxRelError.toExponential(1)} at most (float32 keeps ~7 digits; a saturated unit's f'(a) = 1 − h² loses most of them).`),
    el('table', {},
      el('thead', {}, el('tr', {}, ...['layer', 'param', 'entries', 'max |g − n|', 'max relative', 'passed'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...report.entries.map((e) => el('tr', {},
        el('td', {}, String(e.layer)), el('td', {}, e.param), el('td', {}, String(e.checked)),
        el('td', {}, e.maxAbsError.toExponential(2)), el('td', {}, e.maxRelError.toExponential(2)), el('td', {}, e.passed ? '✓' : '✗'))))),
  ];
  target.replaceChildren(...parts.filter((n): n is HTMLElement => n !== null));
}
