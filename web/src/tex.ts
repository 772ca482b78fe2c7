// Typeset math: KaTeX renders the formulas of the inspector and the lecture views (the seed's
// formulas are LaTeX). Numbers inside a formula keep their exact value in a data-value attribute
// (KaTeX's \htmlData), as the inspector's other numbers do, for copying and for the tests.
//
// Strict mode is "error" and throwOnError is on: a malformed formula is a bug that the browser
// tests must see (as a page error), not a red box or a console warning.

import katex from 'katex';
import css from 'virtual:katex-css';

let styled = false;

/** KaTeX's stylesheet (fonts inlined) into the document, once. */
function style(): void {
  if (styled) return;
  styled = true;
  const s = document.createElement('style');
  s.dataset.katex = '';
  s.textContent = css;
  document.head.append(s);
}

const OPTIONS = {
  throwOnError: true,
  // every LaTeX incompatibility is an error, except \htmlData (a KaTeX extension we use on purpose)
  strict: (code: string) => (code === 'htmlExtension' ? 'ignore' : 'error'),
  // \htmlData only: it writes data-* attributes, no links, classes or styles
  trust: (ctx: { command: string }) => ctx.command === '\\htmlData',
  output: 'htmlAndMathml' as const,
};

/** A formula as a DOM element: inline (span) or display (div). */
export function tex(src: string, display = false): HTMLElement {
  style();
  const e = document.createElement(display ? 'div' : 'span');
  e.className = display ? 'tex display' : 'tex';
  katex.render(src, e, { ...OPTIONS, displayMode: display });
  return e;
}

/** A number for a formula: `digits` significant digits, ×10ⁿ outside [1e-3, 1e5). */
export function texNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return '\\text{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '\\infty' : '-\\infty';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(digits)));
  const [m, e] = v.toExponential(Math.max(0, digits - 2)).split('e');
  return `${m}\\times10^{${Number(e)}}`;
}

/**
 * A number in a formula that keeps its exact value: data-value, plus any further data-* attributes
 * (keys of letters, digits and dashes; values without commas or '=').
 */
export function texNum(v: number, data: Record<string, string | number> = {}, digits = 4): string {
  const attrs = Object.entries({ value: v, ...data }).map(([k, x]) => `${k}=${x}`).join(',');
  return `\\htmlData{${attrs}}{${texNumber(v, digits)}}`;
}

/** A number wrapped in parentheses when negative, for products written out: (−0.3)(0.5). */
export function texFactor(v: number, data: Record<string, string | number> = {}, digits = 4): string {
  return v < 0 ? `\\left(${texNum(v, data, digits)}\\right)` : texNum(v, data, digits);
}

/** Each library loss as the formula of one sample's ℓ (m outputs; the library averages over the batch). */
export const LOSS_TEX: Record<string, string> = {
  sse: 'L = \\tfrac12 \\sum_j (\\hat y_j - y_j)^2',
  mse: 'L = \\tfrac1m \\sum_j (\\hat y_j - y_j)^2',
  mae: 'L = \\tfrac1m \\sum_j \\lvert \\hat y_j - y_j \\rvert',
  huber: 'L = \\tfrac1m \\sum_j \\begin{cases} \\tfrac12 d_j^2 & \\lvert d_j\\rvert \\le 1 \\\\ \\lvert d_j\\rvert - \\tfrac12 & \\text{otherwise} \\end{cases},\\quad d_j = \\hat y_j - y_j',
  bce: 'L = -\\tfrac1m \\sum_j \\big[ y_j \\log \\sigma(a_j) + (1 - y_j) \\log(1 - \\sigma(a_j)) \\big]',
  crossentropy: 'L = -\\sum_j y_j \\log \\operatorname{softmax}(a)_j',
};

/** Activation names as they read in a formula. */
export function texActivation(name: string): string {
  const known: Record<string, string> = { sigmoid: '\\sigma', tanh: '\\tanh', relu: '\\operatorname{relu}', identity: '\\operatorname{id}', softmax: '\\operatorname{softmax}' };
  return known[name] ?? `\\operatorname{${name.replace(/[^A-Za-z]/g, '')}}`;
}
