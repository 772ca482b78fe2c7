// Vite config of the playground (web/). `npm run playground` serves it, `npm run build:web` writes
// web/dist. The page imports the library as 'mlpkit' (src/index.ts), as a user of the package would.
//
// NOTE: the build must also work opened straight from the file system (file://), where Chromium
// refuses module scripts and module workers (their origin is "null"). So the app is bundled as one
// classic script (IIFE), the worker is inlined into it (a blob: URL, with a data: URL fallback in
// Vite's inline-worker loader), and the page falls back to training on the main thread in time
// slices if a worker cannot start at all.
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { katexCss } from '../cli/katex.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** `<script type="module" crossorigin src=…>` → a classic deferred script, loadable from file://. */
function classicScript(): Plugin {
  return {
    name: 'mlpkit-classic-script',
    apply: 'build',
    enforce: 'post',
    transformIndexHtml(html) {
      return html.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/g, '<script defer src="$1"></script>');
    },
  };
}

/** `virtual:katex-css`: KaTeX's stylesheet with its fonts inlined (cli/katex.ts), as a string the page injects. */
function katexStylesheet(): Plugin {
  const id = 'virtual:katex-css';
  return {
    name: 'mlpkit-katex-css',
    resolveId: (source) => (source === id ? '\0' + id : null),
    load: (resolved) => (resolved === '\0' + id ? `export default ${JSON.stringify(katexCss())};` : null),
  };
}

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [
      { find: /^mlpkit$/, replacement: fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
      { find: /^mlpkit\/lowlevel$/, replacement: fileURLToPath(new URL('../src/lowlevel.ts', import.meta.url)) },
    ],
  },
  worker: { format: 'iife' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: { output: { format: 'iife' } },
    // one file by design (the library twice: in the page and inlined in the worker, plus chart.js)
    chunkSizeWarningLimit: 1200,
  },
  plugins: [classicScript(), katexStylesheet()],
  server: { host: '127.0.0.1' },
});
