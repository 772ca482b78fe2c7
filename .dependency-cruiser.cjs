// The module layering of docs/layout.md, enforced by `npm test` (test/architecture.test.ts):
// folders in data-flow order, each importing only from those below it; no import cycle at all
// (type-only imports included); cli/ and web/ reach the library only through its public entry points.

/** src/ from the bottom up: a module may import from its own layer and the layers before it. */
const LAYERS = [
  ['errors', '^src/errors\\.ts$'],
  ['tensor', '^src/tensor/'],
  ['math', '^src/math/'],
  ['kernels', '^src/kernels/'],
  ['data', '^src/data/'],
  ['nn', '^src/nn/'],
  ['optim', '^src/optim/'],
  ['config', '^src/config/'],
  ['train', '^src/train/'],
  ['model', '^src/model\\.ts$'],
  ['select', '^src/select/'],
  ['inspect', '^src/inspect/'],
  ['io', '^src/io/'],
  ['entries', '^src/(index|lowlevel|node|interop|infer)\\.ts$'],
];

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} sits below ${LAYERS.slice(i + 1).map(([n]) => n).join(', ')} (docs/layout.md): it may not import from them`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => `(${p})`).join('|') },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'cli-web-public-api-only',
      comment: 'cli/ and web/ use the library only through its public entry points (src/index.ts, lowlevel.ts, node.ts, interop.ts, infer.ts)',
      severity: 'error',
      from: { path: '^(cli|web/src)/' },
      to: { path: '^src/', pathNot: '^src/(index|lowlevel|node|interop|infer)\\.ts$' },
    },
    {
      name: 'src-not-into-tools',
      comment: 'the library does not import the CLI, the playground, tests or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(cli|web|test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
