// The module layering of docs/layout.md, checked by dependency-cruiser with the rules in
// .dependency-cruiser.cjs: no upward import, no cycle (type-only imports included), cli/ and web/
// only through the public entry points. The second test plants one violation of each rule in a
// scratch tree and checks that the rules catch it, so this check can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

interface Violation { from: string; to: string; rule: { name: string } }

function cruise(cwd: string, paths: string[]): Violation[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [depcruise, '--config', config, '--output-type', 'json', ...paths], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    // depcruise exits non-zero when it finds errors; its JSON is still on stdout
    out = (e as { stdout?: string }).stdout ?? '';
    if (!out) throw e;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

test('src/, cli/ and web/ keep the layering: no cycle, no upward import, cli/web through the public API only', () => {
  const v = cruise(root, ['src', 'cli', 'web/src']);
  assert.deepEqual(v.map((x) => `${x.rule.name}: ${x.from} → ${x.to}`), []);
});

test('the layering rules catch an upward import, a type-only cycle and a CLI import past the public API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-arch-'));
  try {
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    put('tsconfig.json', '{ "compilerOptions": { "module": "ESNext", "moduleResolution": "bundler", "allowImportingTsExtensions": true, "noEmit": true } }');
    put('src/model.ts', 'export class MLP {}\n');
    put('src/index.ts', "export { MLP } from './model.ts';\n");
    put('src/kernels/upward.ts', "import { MLP } from '../model.ts';\nexport const m = MLP;\n");
    put('src/train/a.ts', "import type { B } from './b.ts';\nexport interface A { b?: B }\n");
    put('src/train/b.ts', "import type { A } from './a.ts';\nexport interface B { a?: A }\n");
    put('cli/main.ts', "import { MLP } from '../src/model.ts';\nexport const m = MLP;\n");
    const rules = new Set(cruise(dir, ['src', 'cli']).map((x) => x.rule.name));
    for (const r of ['no-upward-from-kernels', 'no-circular', 'cli-web-public-api-only']) assert.ok(rules.has(r), `rule ${r} did not fire; fired: ${[...rules].join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
