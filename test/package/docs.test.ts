// The API reference's rule: every exported symbol of the five entry points has a doc comment, and
// every type they name is exported (TypeDoc's validation, typedoc.json). Warnings found when the
// check came in are listed in docs/reference-debt.txt: a warning not in the list fails (a new
// undocumented export), and so does a listed one that is gone (remove it from the list).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** TypeDoc's warnings, one line each, without colours and source excerpts. */
export function typedocWarnings(): string[] {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none', '--logLevel', 'Warn'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  const text = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  if (/\[error\]/.test(text)) throw new Error(`typedoc failed:\n${text}`);
  return text.split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('[warning]') && !/Found \d+ errors and \d+ warnings/.test(l))
    .map((l) => l.replace(/^.*\[warning\]\s*/, ''))
    .sort();
}

test('every export of mlpkit, mlpkit/node, mlpkit/lowlevel, mlpkit/interop and mlpkit/infer is documented (TypeDoc validation, less the listed debt)', () => {
  const debt = readFileSync(join(ROOT, 'docs/reference-debt.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const found = typedocWarnings();
  const added = found.filter((w) => !debt.includes(w));
  const fixed = debt.filter((w) => !found.includes(w));
  assert.deepEqual(added, [], 'new TypeDoc warnings: document these exports (a /** … */ comment) or export the types they name');
  assert.deepEqual(fixed, [], 'fixed: remove these lines from docs/reference-debt.txt');
});

// ---- the examples run ----------------------------------------------------------------------------

/** One `@example` of a doc comment: its code, where it is, and the declaration it documents. */
export interface DocExample { file: string; line: number; name: string; code: string }

/** Every ```ts block under an `@example` tag in the doc comments of src/. */
export function docExamples(): DocExample[] {
  const out: DocExample[] = [];
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  for (const f of files) {
    const lines = readFileSync(join(ROOT, 'src', f), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue;
      // the comment's lines up to its end or the next tag, without the leading " * "
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^\s*\*\//.test(lines[j]!); j++) {
        const text = lines[j]!.replace(/^\s*\* ?/, '');
        if (/^@\w/.test(text)) break;
        body.push(text);
      }
      const fenced = /```(?:ts|typescript|js)\n([\s\S]*?)\n```/.exec(body.join('\n'));
      assert.ok(fenced, `src/${f}:${i + 1}: an @example without a \`\`\`ts block`);
      while (j < lines.length && !/\*\//.test(lines[j]!)) j++;
      const decl = lines.slice(j + 1).find((l) => l.trim() && !l.trim().startsWith('@')) ?? '';
      const name = /(?:function|class|const|interface|type)\s+(\w+)/.exec(decl)?.[1] ?? /^\s*(?:static\s+|async\s+|get\s+)*(\w+)\s*[(<]/.exec(decl)?.[1] ?? '?';
      out.push({ file: `src/${f}`, line: i + 1, name, code: fenced[1]! });
    }
  }
  return out;
}

const ENTRIES: Record<string, string> = { mlpkit: 'index', 'mlpkit/node': 'node', 'mlpkit/lowlevel': 'lowlevel', 'mlpkit/interop': 'interop', 'mlpkit/infer': 'infer' };

test('every @example in the doc comments runs (against the sources, under tsx, in a scratch folder)', () => {
  const examples = docExamples();
  const tmp = mkdtempSync(join(tmpdir(), 'mlpkit-examples-'));
  try {
    const files = examples.map((ex, k) => {
      const code = ex.code.replace(/from '(mlpkit(?:\/\w+)?)'/g, (m, spec: string) => {
        assert.ok(ENTRIES[spec], `${ex.file}:${ex.line}: imports ${spec}, not an entry point of the package`);
        return `from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', `${ENTRIES[spec]}.ts`)).href)}`;
      });
      const file = join(tmp, `example-${k}.mts`); // .mts: ES modules (top-level await) outside a "type": "module" package
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    // one process for all (loading the library once): each example a module of its own, imported in
    // turn; their console output is dropped (unless MLPKIT_EXAMPLES_LOG is set), the values they log are still computed
    writeFileSync(join(tmp, 'run.mts'), `process.chdir(${JSON.stringify(tmp)}); // files the examples write land here
const files = ${JSON.stringify(files)};
const failures: { k: number; error: string }[] = [];
const log = !!process.env.MLPKIT_EXAMPLES_LOG;
if (!log) console.log = () => {};
for (let k = 0; k < files.length; k++) {
  if (log) console.log('---- ' + ${JSON.stringify(examples.map((e) => `${e.file}:${e.line} (${e.name})`))}[k]);
  try {
    await import(${'`file://${files[k]}`'});
  } catch (e) {
    failures.push({ k, error: String((e as Error)?.stack ?? e) });
  }
}
process.stdout.write('\\n' + JSON.stringify(failures));
`);
    // from the repository, where --import tsx resolves
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(tmp, 'run.mts')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    // MLPKIT_EXAMPLES_LOG=1: what each example prints, to check its comments against
    if (process.env.MLPKIT_EXAMPLES_LOG) process.stderr.write(r.stdout);
    const failures = JSON.parse(r.stdout.trim().split('\n').pop()!) as { k: number; error: string }[];
    const report = failures.map(({ k, error }) => `${examples[k]!.file}:${examples[k]!.line} (${examples[k]!.name}): ${error.split('\n').slice(0, 3).join(' | ')}`);
    assert.deepEqual(report, [], 'these @examples fail');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('every @example type-checks against the sources (strict, the repository\'s tsconfig)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mlpkit-examples-tsc-'));
  try {
    docExamples().forEach((ex, k) => writeFileSync(join(tmp, `example-${k}.ts`), `// ${ex.file}:${ex.line} (${ex.name})\n${ex.code}\nexport {};\n`));
    // 'mlpkit', 'mlpkit/node', … resolve to the sources through the repository's `paths`
    writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { typeRoots: [join(ROOT, 'node_modules/@types')] },
      include: ['*.ts'],
    }));
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(tmp, 'tsconfig.json')], { cwd: tmp, encoding: 'utf8' });
    const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l)).map((l) => {
      const k = Number(/example-(\d+)\.ts/.exec(l)?.[1]);
      return Number.isNaN(k) ? l : l.replace(/^.*example-\d+\.ts/, readFileSync(join(tmp, `example-${k}.ts`), 'utf8').split('\n')[0]!.slice(3));
    });
    assert.deepEqual(errors, [], 'these @examples do not type-check');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the main API symbols carry a runnable example', () => {
  const have = new Set(docExamples().map((e) => e.name));
  const main = ['MLP', 'fit', 'predict', 'predictProba', 'evaluate', 'score', 'toJSON', 'fromJSON', 'toBytes', 'fromBytes', 'saveModel', 'loadModel',
    'crossValidate', 'gridSearch', 'randomSearch', 'permutationImportance', 'iris', 'digits', 'xor', 'trainTestSplit', 'parseCsv', 'gradients', 'trace',
    'toONNX', 'fromONNX', 'toSafetensors', 'fromSafetensors', 'toPyTorch', 'toTFJS', 'fromTFJS', 'InferenceModel', 'MlpError'];
  assert.deepEqual(main.filter((n) => !have.has(n)), [], 'add an @example to these');
});
