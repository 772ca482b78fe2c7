// KaTeX for the CLI's report and the playground's build.
// - The stylesheet made self-contained: its fonts inlined as woff2 data: URLs, so a page that uses
//   it needs no font files and no network (the CLI's report is one HTML file; the playground's build
//   must also open from file://, where Chromium refuses @font-face files). Used by the report at
//   write time and by web/vite.config.ts at build time.
// - The renderer (katex.renderToString), for the report at write time.
// katex is a build-time dependency: the package build (scripts/build.mjs) puts katex.min.js (as .cjs) and the
// finished stylesheet in dist/cli/vendor/, as it does Chart.js; from the sources both come from
// node_modules.
//
// Only the families our formulas use are kept (≈130 KB of woff2, ≈175 KB as base64); the others'
// @font-face rules are dropped, so a stray \mathcal or \mathfrak would fall back to a system font
// rather than fetch a file. woff2 only: every browser that runs the playground reads it.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Katex from 'katex';

const vendored = (file: string) => {
  const path = fileURLToPath(new URL(`./vendor/${file}`, import.meta.url));
  return existsSync(path) ? path : null;
};

/** Font files kept (KaTeX_<name>.woff2): upright and bold text, math italics (and bold vectors), big delimiters, AMS symbols. */
export const KATEX_FONTS = [
  'Main-Regular', 'Main-Bold', 'Math-Italic', 'Math-BoldItalic', 'AMS-Regular',
  'Size1-Regular', 'Size2-Regular', 'Size3-Regular', 'Size4-Regular',
] as const;

let cached: string | null = null;

/** katex.min.css with the kept fonts inlined and the rest of the @font-face rules removed. */
export function katexCss(): string {
  if (cached !== null) return cached;
  const copy = vendored('katex.css');
  cached = copy ? readFileSync(copy, 'utf8') : buildKatexCss();
  return cached;
}

let renderer: typeof Katex | null = null;

/** KaTeX itself (its UMD build, loaded with require: synchronous, no top-level await). */
export function katex(): typeof Katex {
  if (!renderer) {
    const require = createRequire(import.meta.url);
    renderer = require(vendored('katex.min.cjs') ?? 'katex') as typeof Katex;
  }
  return renderer;
}

/** The stylesheet from node_modules/katex (the package build writes its result to dist/cli/vendor/katex.css). */
export function buildKatexCss(): string {
  const require = createRequire(import.meta.url);
  // NOTE: the package's "exports" do not list its CSS; it sits beside the main file in dist/
  const dist = dirname(require.resolve('katex'));
  const css = readFileSync(join(dist, 'katex.min.css'), 'utf8');
  let kept = 0;
  const out = css.replace(/@font-face\{[^}]*\}/g, (rule) => {
    const m = /url\(fonts\/KaTeX_([A-Za-z0-9-]+)\.woff2\)/.exec(rule);
    if (!m || !(KATEX_FONTS as readonly string[]).includes(m[1])) return '';
    kept++;
    const data = readFileSync(join(dist, 'fonts', `KaTeX_${m[1]}.woff2`)).toString('base64');
    return rule.replace(/src:[^}]*/, `src:url(data:font/woff2;base64,${data}) format("woff2")`);
  });
  // a KaTeX upgrade that renames its fonts must not silently leave us with none
  if (kept !== KATEX_FONTS.length) throw new Error(`katexCss: expected ${KATEX_FONTS.length} KaTeX fonts, found ${kept}; check KATEX_FONTS against node_modules/katex/dist/fonts`);
  return out;
}
