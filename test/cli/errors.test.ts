// Every error a user will hit: one clear message, exit code 2, no stack trace unless --verbose.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, FIXTURES, mlpkit, tempDir, usageMessage } from './helpers.ts';

const iris = join(DATA, 'iris.csv');
const fx = (f: string) => join(FIXTURES, f);

describe('mlpkit errors: exit code 2 and one message', { concurrency: 4 }, () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const run = async (...args: string[]) => usageMessage(await mlpkit(args, tmp.dir));

  test('unknown column', async () => {
    assert.match(await run('train', iris, '--target', 'species'), /--target: unknown column "species"; .*iris\.csv has columns "sepal_length_cm", .*"label"/);
    assert.match(await run('train', iris, '--ignore', 'petal'), /--ignore: unknown column "petal"/);
  });

  test('empty file', async () => {
    assert.match(await run('train', fx('empty.csv')), /empty\.csv is empty; expected a header row and at least one data row/);
  });

  test('header only', async () => {
    assert.match(await run('train', fx('header-only.csv')), /header-only\.csv has a header \(3 columns: a, b, label\) but no data rows/);
  });

  test('a row with the wrong field count names its line', async () => {
    assert.match(await run('train', fx('bad-fields.csv')), /bad-fields\.csv line 4: expected 3 fields like the header, received 2/);
  });

  test('a non-numeric value in a numeric column names line and column', async () => {
    assert.match(await run('train', fx('bad-number.csv')), /bad-number\.csv line 5, column "b" \(column 2\): "abc" is not a number/);
  });

  test('a target with one class', async () => {
    assert.match(await run('train', fx('one-class.csv')), /the target "label" has one value \("x"\) in all 3 rows/);
  });

  test('--hidden that does not parse', async () => {
    assert.match(await run('train', iris, '--hidden', '64,x'), /--hidden: expected hidden layer sizes as comma-separated positive integers like 64,32 .* received "64,x"/);
  });

  test('a model file from another program, or from another version', async () => {
    assert.match(await run('info', fx('not-a-model.json')), /not-a-model\.json: fromJSON: field "format": expected "mlpkit-model", received undefined; this file was not written by mlpkit/);
    const t = await mlpkit(['train', iris, '--epochs', '1', '--out', 'm.json', '--quiet'], tmp.dir);
    assert.equal(t.code, 0, t.stderr);
    const doc = JSON.parse(readFileSync(join(tmp.dir, 'm.json'), 'utf8'));
    writeFileSync(join(tmp.dir, 'future.json'), JSON.stringify({ ...doc, version: 99 }));
    assert.match(await run('eval', 'future.json', iris), /field "version": expected 1 or 2, received 99; upgrade mlpkit to read this file/);
    assert.match(await run('predict', 'no-such-model.json', iris), /cannot read no-such-model\.json: ENOENT/);
  });

  test('bad usage: unknown option, missing argument, out-of-range numbers', async () => {
    assert.match(await run('train', '--dataset', 'iris', '--bogus'), /unknown option '--bogus'/);
    assert.match(await run('eval'), /missing required argument 'model'/);
    assert.match(await run('train', '--dataset', 'iris', '--val-split', '1.5'), /--val-split: expected a fraction in \[0, 1\)/);
    assert.match(await run('train', '--dataset', 'spam'), /--dataset: unknown data set "spam"; choose one of iris, digits, mnist, spirals, moons, xor/);
    assert.match(await run('train', '--dataset', 'iris', '--activation', 'sine'), /unknown activation "sine"/);
  });

  test('--verbose adds the stack trace', async () => {
    const r = await mlpkit(['train', fx('empty.csv'), '--verbose'], tmp.dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\n\s+at /);
  });

  test('--help on every command shows examples, exit code 0', async () => {
    for (const cmd of ['train', 'eval', 'predict', 'info', 'gradcheck', 'trace']) {
      const r = await mlpkit([cmd, '--help'], tmp.dir);
      assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Examples:\\n  \\$ mlpkit ${cmd}`), `${cmd} --help`);
    }
  });
});
