// The package build (`npm run build`; `prepack` runs it):
//   dist/src, dist/cli      tsc: ES modules, .d.ts declarations, source maps (tsconfig.build.json)
//   dist/cli/vendor/        Chart.js's UMD build, inlined into the CLI's HTML report (so chart.js
//                           is a build-time dependency only: 210 KB here instead of 6.4 MB installed);
//                           KaTeX's katex.min.js and its stylesheet with the fonts inlined, for the
//                           report's formulas (270 + 195 KB instead of 4.6 MB)
//   dist/mlpkit.min.js      one self-contained ES module for a <script type="module"> from a CDN
//                           (the whole public API; the WebAssembly modules inlined)
//   dist/mlpkit-infer.min.js the same for mlpkit/infer (prediction only, no WebAssembly)
// dist/ is emptied first, so a renamed source file never leaves a stale module behind.
// `prepack` runs it before `npm pack` and `npm publish`, so a tarball always holds fresh output.
// NOTE: no `prepare` script: npm ≥ 11 lists it as an install script of a tarball or git
// dependency (and blocks it); in a checkout, bin/mlpkit.mjs runs the sources instead.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// the CLI is a program, not an API: its declarations would only be dead weight in the package
for (const f of readdirSync(join(dist, 'cli'), { recursive: true, encoding: 'utf8' })) if (f.endsWith('.d.ts')) rmSync(join(dist, 'cli', f));

mkdirSync(join(dist, 'cli/vendor'), { recursive: true });
copyFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), join(dist, 'cli/vendor/chart.umd.js'));
// KaTeX for the report's formulas: its renderer (.cjs: the package is "type": "module", the file is UMD), and its stylesheet with the fonts inlined (cli/katex.ts)
copyFileSync(join(dirname(require.resolve('katex')), 'katex.min.js'), join(dist, 'cli/vendor/katex.min.cjs'));
const { buildKatexCss } = await import(pathToFileURL(join(dist, 'cli/katex.js')).href);
writeFileSync(join(dist, 'cli/vendor/katex.css'), buildKatexCss());

const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'src/index.ts')],
  outfile: join(dist, 'mlpkit.min.js'),
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
  legalComments: 'eof', logLevel: 'warning',
});
// and mlpkit/infer alone (fromJSON, fromBytes, predict on js): a few KB for a page that only predicts
await build({
  entryPoints: [join(root, 'src/infer.ts')],
  outfile: join(dist, 'mlpkit-infer.min.js'),
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
  legalComments: 'eof', logLevel: 'warning',
});
