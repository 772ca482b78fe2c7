// The API reference's rule: every exported symbol of the five entry points has a doc comment, and
// every type they name is exported (TypeDoc's validation, typedoc.json). Warnings found when the
// check came in are listed in docs/reference-debt.txt: a warning not in the list fails (a new
// undocumented export), and so does a listed one that is gone (remove it from the list).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
