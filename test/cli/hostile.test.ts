// Hostile files and CSVs at the command line (issue 13): a damaged column schema, formula cells,
// columns that cannot be scaled, out-of-range numbers, a huge --proba output, Ctrl-C in the first
// epoch, temporary files left by a kill -9. Each an exit code and a message, or a correct result.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLP } from '../../src/index.ts';
import { saveModel, writeFileAtomic } from '../../src/node.ts';
import { checkCliMeta } from '../../cli/meta.ts';
import { csvCell } from '../../cli/format.ts';
import { UsageError } from '../../cli/errors.ts';
import { BIN, DATA, mlpkit, tempDir, usageMessage } from './helpers.ts';

const iris = join(DATA, 'iris.csv');

describe('a damaged column schema in metadata.mlpkit (item 6)', () => {
  const tmp = tempDir();
  const at = (f: string) => join(tmp.dir, f);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;
  before(async () => {
    const r = await mlpkit(['train', iris, '--epochs', '2', '--out', 'iris.json', '--quiet'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    doc = JSON.parse(readFileSync(at('iris.json'), 'utf8'));
  });
  after(tmp.cleanup);

  const cases: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['target null', (m) => (m.schema.target = null), /"metadata\.mlpkit\.schema\.target": expected an object, received null/],
    ['data null', (m) => (m.data = null), /"metadata\.mlpkit\.data": expected an object, received null/],
    ['a feature null', (m) => (m.schema.features[0] = null), /"metadata\.mlpkit\.schema\.features\[0\]": expected an object, received null/],
    ['one feature for four inputs', (m) => m.schema.features.splice(1), /"metadata\.mlpkit\.schema\.features": expected features that make the 4 inputs in schema\.inputs, received features making 1/],
    ['a category list that is not strings', (m) => (m.schema.features[0] = { name: 'a', type: 'categorical', categories: [1] }), /features\[0\]\.categories\[0\]": expected a string/],
    ['history not an array', (m) => (m.history = {}), /"metadata\.mlpkit\.history": expected an array/],
    ['run without a backend', (m) => delete m.run.backend, /"metadata\.mlpkit\.run\.backend": expected a string, received undefined/],
  ];
  for (const [name, mutate, message] of cases) {
    test(name, () => {
      const m = structuredClone(doc.metadata.mlpkit);
      mutate(m);
      assert.throws(() => checkCliMeta(m, 'iris.json', 4), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }

  test('info, eval and predict exit 2 naming the field, never a TypeError or a wrong answer', async () => {
    const one = structuredClone(doc);
    one.metadata.mlpkit.schema.features.splice(1);
    writeFileSync(at('one.json'), JSON.stringify(one));
    const p = await mlpkit(['predict', at('one.json'), iris], tmp.dir);
    assert.match(usageMessage(p), /schema\.features": expected features that make the 4 inputs/);
    assert.equal(p.stdout, '', 'no predictions');
    const t = structuredClone(doc);
    t.metadata.mlpkit.schema.target = null;
    writeFileSync(at('t.json'), JSON.stringify(t));
    for (const cmd of [['info', at('t.json')], ['eval', at('t.json'), iris]]) {
      assert.match(usageMessage(await mlpkit(cmd, tmp.dir)), /schema\.target": expected an object, received null/);
    }
  });
});

describe('formula injection (item 10)', () => {
  test('csvCell: formula starts neutralized and quoted; numbers, negative ones too, as they are', () => {
    assert.equal(csvCell("=cmd|' /C calc'!A0"), `"'=cmd|' /C calc'!A0"`);
    assert.equal(csvCell('@SUM(A1:A2)'), `"'@SUM(A1:A2)"`);
    assert.equal(csvCell('+1+2'), `"'+1+2"`);
    assert.equal(csvCell('-x'), `"'-x"`);
    assert.equal(csvCell('\tx'), `"'\tx"`);
    assert.equal(csvCell('\rx'), `"'\rx"`);
    assert.equal(csvCell('p_=cmd'), 'p_=cmd', 'only the first character matters');
    assert.equal(csvCell(-1.5), '-1.5');
    assert.equal(csvCell('-1.5'), '-1.5', 'a number written as text is no formula');
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
  });

  test('predict --proba writes formula labels and a formula target name as text', async () => {
    const tmp = tempDir();
    try {
      const labels = ["=cmd|' /C calc'!A0", '@SUM(A1:A2)'];
      const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},${(i * 7) % 5},"${labels[i % 2].replace(/"/g, '""')}"`);
      writeFileSync(join(tmp.dir, 'evil.csv'), ['a,b,=HYPERLINK("x")', ...rows].join('\n') + '\n');
      const tr = await mlpkit(['train', 'evil.csv', '--epochs', '3', '--out', 'evil.json', '--quiet'], tmp.dir);
      assert.equal(tr.code, 0, tr.stderr);
      const p = await mlpkit(['predict', 'evil.json', 'evil.csv', '--proba'], tmp.dir);
      assert.equal(p.code, 0, p.stderr);
      const lines = p.stdout.trim().split('\n');
      // a header "p_=cmd…" starts with p: no spreadsheet runs it
      assert.equal(lines[0], `"'=HYPERLINK(""x"")",p_=cmd|' /C calc'!A0,p_@SUM(A1:A2)`);
      for (const line of lines.slice(1)) assert.match(line, /^"'[=@]/, line);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('numbers a float64 scaler cannot hold (items 11, 12)', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  test('a column of ±1e308 is refused at train, naming the column; targets of ±1e200 train to finite predictions', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 2 ? '1e308' : '-1e308'},${i},${i % 3 === 0 ? 'a' : 'b'}`);
    writeFileSync(join(tmp.dir, 'wide.csv'), ['big,n,y', ...rows].join('\n') + '\n');
    const r = await mlpkit(['train', 'wide.csv', '--epochs', '2', '--out', 'wide.json'], tmp.dir);
    assert.match(usageMessage(r), /wide\.csv, column "big": values from -1e\+308 to 1e\+308 cannot be scaled in float64/);
    assert.ok(!existsSync(join(tmp.dir, 'wide.json')), 'no model written');

    const reg = Array.from({ length: 40 }, (_, i) => `${i},${(i % 2 ? 1 : -1) * (1 + i / 40)}e200`);
    writeFileSync(join(tmp.dir, 'huge.csv'), ['x,y', ...reg].join('\n') + '\n');
    const t = await mlpkit(['train', 'huge.csv', '--epochs', '5', '--out', 'huge.json', '--quiet'], tmp.dir);
    assert.equal(t.code, 0, t.stderr);
    const p = await mlpkit(['predict', 'huge.json', 'huge.csv'], tmp.dir);
    assert.equal(p.code, 0, p.stderr);
    const preds = p.stdout.trim().split('\n').slice(1).map(Number);
    assert.equal(preds.length, 40);
    assert.ok(preds.every((v) => Number.isFinite(v) && Math.abs(v) < 1e202), `finite predictions in the targets' range: ${preds.slice(0, 3)}`);
  });

  test('a cell of 1e400 names the file, the line and the column', async () => {
    writeFileSync(join(tmp.dir, 'inf.csv'), 'x,size,y\n1,2,0\n3,1e400,1\n');
    const m = usageMessage(await mlpkit(['train', 'inf.csv', '--epochs', '1'], tmp.dir));
    assert.match(m, /inf\.csv line 3, column "size" \(column 2\): "1e400" is outside the range of a float64 number/);
  });
});

test('predict --proba streams: 1,000 rows × 3,000 classes in a 96 MB heap (item 14)', async () => {
  const tmp = tempDir();
  try {
    const N = 1000;
    const C = 3000;
    const x = Array.from({ length: C }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const y = Array.from({ length: C }, (_, i) => `c${i}`);
    const m = new MLP({ hidden: [4], seed: 0 });
    m.fit(x, y, { epochs: 1, batchSize: 256 });
    m.featureNames = ['a', 'b'];
    saveModel(m, join(tmp.dir, 'many.json'));
    writeFileSync(join(tmp.dir, 'rows.csv'), ['a,b', ...x.slice(0, N).map((r) => r.join(','))].join('\n') + '\n');
    // NOTE: the whole output is about 60 MB of text; building it in memory (as before) needs
    // several times that and dies with a V8 heap out-of-memory
    const child = spawn(process.execPath, ['--max-old-space-size=96', BIN, 'predict', 'many.json', 'rows.csv', '--proba', '--out', 'p.csv'], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    assert.equal(code, 0, stderr);
    const text = readFileSync(join(tmp.dir, 'p.csv'), 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, N + 1);
    assert.equal(lines[0].split(',').length, 1 + C);
    const row = lines[N].split(',');
    const sum = row.slice(1).reduce((a, v) => a + Number(v), 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities of a row sum to 1 (float32): ${sum}`);
  } finally {
    tmp.cleanup();
  }
});

describe('writes and interrupts (item 17)', () => {
  test('a write removes temporary files that a killed process left beside its target, and no others', async () => {
    const tmp = tempDir();
    try {
      // a process id that has surely ended: a child's, after it exited
      const dead = spawn(process.execPath, ['-e', '0']);
      await new Promise((done) => dead.on('close', done));
      const stale = `.m.json.${dead.pid}.1700000000000.tmp`;
      const mine = `.m.json.${process.pid}.1700000000000.tmp`;
      const other = `.n.json.${dead.pid}.1700000000000.tmp`;
      for (const f of [stale, mine, other]) writeFileSync(join(tmp.dir, f), '{"half":');
      writeFileAtomic(join(tmp.dir, 'm.json'), '{}');
      assert.deepEqual(readdirSync(tmp.dir).sort(), [mine, other, 'm.json'].sort());
    } finally {
      tmp.cleanup();
    }
  });

  test('Ctrl-C in the middle of the first epoch saves 0 epochs trained, so --resume runs the first epoch again', async () => {
    const tmp = tempDir();
    try {
      // long enough an epoch (100,000 rows at batch size 1) that the signal lands inside it
      const rows = Array.from({ length: 100_000 }, (_, i) => `${Math.sin(i)},${Math.cos(i)},${i % 2}`);
      writeFileSync(join(tmp.dir, 'long.csv'), ['a,b,y', ...rows].join('\n') + '\n');
      const child = spawn(process.execPath, [BIN, 'train', 'long.csv', '--batch-size', '1', '--epochs', '3', '--out', 'long.json'], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        // "model: …" is printed after the first batch
        if (!sent && /^model: /m.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.resume();
      const code = await new Promise<number | null>((done) => child.on('close', done));
      assert.ok(sent, stdout);
      assert.equal(code, 130, stdout);
      assert.match(stdout, /interrupted before the first epoch ended: saved the partly trained model to long\.json \(as 0 epochs trained; --resume runs epoch 1 again\)/);
      const doc = JSON.parse(readFileSync(join(tmp.dir, 'long.json'), 'utf8'));
      assert.equal(doc.training.epochs, 0);
      assert.deepEqual(doc.metadata.mlpkit.history, []);
      assert.equal(doc.metadata.mlpkit.run.stopReason, 'aborted');
    } finally {
      tmp.cleanup();
    }
  });
});
