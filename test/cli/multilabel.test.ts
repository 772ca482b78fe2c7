// Multi-label from the command line: --target a,b,c names one 0/1 column per label. A generated
// set whose labels are thresholds on the features (so it is learnable), trained with a fixed
// seed and scored on held-out rows; eval, predict, info, cv and importance on the model; the
// errors for bad label values and bad --target lists; and model files from before multi-label.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MLP } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';
import { readCsvFile, saveModel } from '../../src/node.ts';
import { fitSchema, selectColumns } from '../../cli/data/schema.ts';
import { checkCliMeta } from '../../cli/meta.ts';
import { UsageError } from '../../cli/errors.ts';
import { DATA, mlpkit, tempDir, usageMessage } from './helpers.ts';

const LABELS = ['sport', 'politics', 'tech'];

/**
 * n rows of x1, x2, x3 (uniform in [−1, 1]) and a pure-noise column, labelled by thresholds:
 *   sport = x1 > 0.2 (as 0/1),  politics = x2 + x3 > 0 (true/false),  tech = x1 · x2 > 0 (yes/no)
 * so every spelling of a label cell is read, and some rows have no label at all.
 */
function labelled(n: number, seed: number): { csv: string; truth: number[][] } {
  const rng = new Rng(seed);
  const lines = ['x1,x2,x3,noise,sport,politics,tech'];
  const truth: number[][] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c, z] = [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)];
    const t = [a > 0.2 ? 1 : 0, b + c > 0 ? 1 : 0, a * b > 0 ? 1 : 0];
    truth.push(t);
    lines.push([a, b, c, z].map((v) => v.toFixed(4)).join(',') + `,${t[0]},${t[1] ? 'true' : 'false'},${t[2] ? 'yes' : 'no'}`);
  }
  return { csv: lines.join('\n') + '\n', truth };
}

describe('mlpkit multi-label: --target a,b,c', { concurrency: 3 }, () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const at = (f: string) => join(tmp.dir, f);
  const run = (...args: string[]) => mlpkit(args, tmp.dir);
  const usage = async (...args: string[]) => usageMessage(await run(...args));
  let test_truth: number[][] = [];

  before(async () => {
    writeFileSync(at('train.csv'), labelled(600, 1).csv);
    const held = labelled(300, 2);
    test_truth = held.truth;
    writeFileSync(at('test.csv'), held.csv);
    const r = await run('train', 'train.csv', '--target', 'sport,politics,tech', '--val-split', '0.2', '--seed', '1', '--out', 'ml.json', '--json');
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.multiLabel, true);
    assert.deepEqual(o.targets, LABELS);
    assert.deepEqual(o.classes, ['politics', 'sport', 'tech'], 'the model keeps its labels sorted');
  });

  test('learns: micro F1 ≥ 0.93 on 300 held-out rows (seed 1; measured 0.986; predicting every label on scores 0.68)', async () => {
    assert.ok(test_truth.some((t) => t.every((v) => v === 0)), 'the data has rows without any label');
    const r = await run('eval', 'ml.json', 'test.csv', '--json');
    assert.equal(r.code, 0, r.stderr);
    const ev = JSON.parse(r.stdout);
    assert.equal(ev.multiLabel, true);
    assert.ok(ev.micro.f1 >= 0.93, `micro F1 ${ev.micro.f1}`);
    assert.ok(ev.macro.f1 >= 0.93, `macro F1 ${ev.macro.f1}`);
    assert.ok(ev.hammingLoss <= 0.05, `Hamming loss ${ev.hammingLoss}`);
    assert.ok(ev.subsetAccuracy >= 0.85, `subset accuracy ${ev.subsetAccuracy}`);
    // support: the rows that have each label, in the model's label order
    const support = ev.classes.map((c: string) => test_truth.filter((t) => t[LABELS.indexOf(c)] === 1).length);
    assert.deepEqual(ev.perLabel.map((p: { support: number }) => p.support), support);

    const text = await run('eval', 'ml.json', 'test.csv');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /targets "sport", "politics", "tech" \(multi-label\)/);
    assert.match(text.stdout, /micro F1 0\.9\d{3}  macro F1 0\.9\d{3}  Hamming loss 0\.0\d{3}  subset accuracy/);
    // one row per label in --target order, then the averages
    const rows = text.stdout.split('\n').filter((l) => /^(sport|politics|tech|micro avg|macro avg)\s/.test(l)).map((l) => l.split(/\s{2,}/)[0]);
    assert.deepEqual(rows, ['sport', 'politics', 'tech', 'micro avg', 'macro avg']);
  });

  test('predict: one 0/1 column per label (the target columns), --proba one p_<label> each; --json label sets', async () => {
    const r = await run('predict', 'ml.json', 'test.csv', '--proba');
    assert.equal(r.code, 0, r.stderr);
    const [head, ...rows] = r.stdout.trim().split('\n');
    assert.equal(head, 'sport,politics,tech,p_sport,p_politics,p_tech');
    assert.equal(rows.length, 300);
    let wrong = 0;
    rows.forEach((line, i) => {
      const v = line.split(',').map(Number);
      for (let k = 0; k < 3; k++) {
        assert.ok(v[k] === 0 || v[k] === 1, line);
        assert.equal(v[k], v[3 + k] > 0.5 ? 1 : 0, `row ${i + 1}: the label is on exactly when its probability is above ½`);
        if (v[k] !== test_truth[i][k]) wrong++;
      }
    });
    assert.ok(wrong / 900 <= 0.05, `${wrong} of 900 label decisions wrong`);
    const plain = await run('predict', 'ml.json', 'test.csv');
    assert.equal(plain.stdout.split('\n')[0], 'sport,politics,tech');
    const json = JSON.parse((await run('predict', 'ml.json', 'test.csv', '--json', '--proba')).stdout);
    assert.equal(json.predictions.length, 300);
    assert.ok(json.predictions.every((s: unknown) => Array.isArray(s) && s.every((l) => LABELS.includes(l as string))));
    assert.deepEqual(json.classes, ['politics', 'sport', 'tech']);
    assert.equal(json.probabilities[0].length, 3);
    // the label columns may be absent at predict
    writeFileSync(at('unlabelled.csv'), 'noise,x3,x2,x1\n0,0.5,0.5,0.5\n0,-0.5,-0.5,-0.9\n');
    const u = await run('predict', 'ml.json', 'unlabelled.csv');
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(u.stdout.trim().split('\n'), ['sport,politics,tech', '1,1,1', '0,0,1']);
  });

  test('info lists the targets; cv and importance score by micro F1', async () => {
    const text = await run('info', 'ml.json');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /multi-label classification with 3 labels \(politics, sport, tech\)/);
    assert.match(text.stdout, /targets "sport", "politics", "tech", one 0\/1 column per label/);
    const info = JSON.parse((await run('info', 'ml.json', '--json')).stdout);
    assert.deepEqual(info.schema.target, { names: LABELS, type: 'labels' });
    assert.deepEqual(info.data.selection.targets, LABELS);

    const cv = await run('cv', 'train.csv', '--target', 'sport,politics,tech', '--folds', '3', '--epochs', '30', '--seed', '1', '--json');
    assert.equal(cv.code, 0, cv.stderr);
    const c = JSON.parse(cv.stdout);
    assert.equal(c.scoring, 'micro F1');
    assert.equal(c.folds.length, 3);
    assert.ok(c.mean >= 0.85, `cv micro F1 ${c.mean} (measured 0.96)`);

    const imp = await run('importance', 'ml.json', 'test.csv', '--json');
    assert.equal(imp.code, 0, imp.stderr);
    const r = JSON.parse(imp.stdout);
    assert.equal(r.scoring, 'micro F1');
    assert.equal(r.features[0].feature, 'x1', 'x1 decides two labels of three');
    assert.equal(r.features[3].feature, 'noise');
  });

  test('a label cell that is not 0/1: line and column in the message and in the properties', async () => {
    const lines = labelled(40, 3).csv.split('\n');
    lines[5] = lines[5].replace(/,(true|false),/, ',maybe,'); // data row 5: file line 6
    writeFileSync(at('bad.csv'), lines.join('\n'));
    assert.match(await usage('train', 'bad.csv', '--target', 'sport,politics,tech'), /bad\.csv line 6, column "politics" \(column 6\): expected 0 or 1 \(or true\/false, yes\/no\), received "maybe"; .*Fix the value, or leave "politics" out of --target/);
    const table = await readCsvFile(at('bad.csv'));
    const sel = selectColumns(table, { target: 'sport,politics,tech' });
    assert.throws(() => fitSchema(table, sel), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.deepEqual({ code: e.code, row: e.row, column: e.column, received: e.received }, { code: 'E_LABEL', row: 6, column: 'politics', received: 'maybe' });
      return true;
    });
    // a number other than 0 and 1, and a missing cell, at eval too
    const evalLines = labelled(10, 4).csv.split('\n');
    evalLines[3] = evalLines[3].replace(/^((?:[^,]*,){4})[01],/, '$12,');
    writeFileSync(at('bad-eval.csv'), evalLines.join('\n'));
    assert.match(await usage('eval', 'ml.json', 'bad-eval.csv'), /bad-eval\.csv line 4, column "sport" \(column 5\): expected 0 or 1 .*received 2;/);
    evalLines[3] = evalLines[3].replace(/^((?:[^,]*,){4})2,/, '$1,');
    writeFileSync(at('bad-eval.csv'), evalLines.join('\n'));
    assert.match(await usage('eval', 'ml.json', 'bad-eval.csv'), /line 4, column "sport" \(column 5\): expected 0 or 1 .*received a missing value/);
  });

  test('bad --target lists and flags that contradict multi-label are refused, naming the column and the fix', async () => {
    assert.match(await usage('train', 'train.csv', '--target', 'sport,politcs,tech'), /--target: unknown column "politcs"; did you mean "politics"\? train\.csv has columns "x1", .*"tech"/);
    assert.match(await usage('train', 'train.csv', '--target', 'sport,tech,sport'), /--target: column "sport" is named twice in "sport,tech,sport"; name each label column once/);
    assert.match(await usage('train', 'train.csv', '--target', 'sport,,tech'), /--target: an empty column name in "sport,,tech"/);
    assert.match(await usage('train', 'train.csv', '--target', 'sport,tech', '--features', 'x1,tech'), /--features: column "tech" is one of the targets/);
    assert.match(await usage('train', 'train.csv', '--target', 'sport,politics', '--sample-weight', 'sport'), /--sample-weight: column "sport" is one of the targets; weights need a column of their own/);
    assert.match(await usage('train', 'train.csv', '--target', 'sport,tech', '--class-weight', 'balanced'), /--class-weight: --target sport,tech names 2 label columns \(multi-label classification\).*use --sample-weight|weigh rows with --sample-weight/);
    assert.match(await usage('train', 'train.csv', '--target', 'sport,tech', '--task', 'regression'), /--task regression: --target sport,tech names 2 label columns/);
    assert.match(await usage('cv', 'train.csv', '--target', 'sport,tech', '--task', 'regression'), /--task regression: --target sport,tech/);
    assert.match(await usage('train', 'train.csv', '--target', 'x1,tech'), /train\.csv line 2, column "x1" \(column 1\): expected 0 or 1/);
    writeFileSync(at('never.csv'), 'x,a,b\n1,0,1\n2,0,0\n3,0,1\n');
    assert.match(await usage('train', 'never.csv', '--target', 'a,b'), /the label "a" is 0 in every row of never\.csv: there is nothing to learn about it.*leave it out of --target/);
  });

  test('a model file from before multi-label (data.selection.target) loads, evaluates, predicts and resumes', async () => {
    const iris = join(DATA, 'iris.csv');
    const t = await run('train', iris, '--target', 'label', '--epochs', '2', '--seed', '0', '--out', 'old.json', '-q');
    assert.equal(t.code, 0, t.stderr);
    const doc = JSON.parse(readFileSync(at('old.json'), 'utf8'));
    const sel = doc.metadata.mlpkit.data.selection;
    doc.metadata.mlpkit.data.selection = { target: sel.targets[0], features: sel.features, ignored: sel.ignored };
    writeFileSync(at('old.json'), JSON.stringify(doc));
    const info = JSON.parse((await run('info', 'old.json', '--json')).stdout);
    assert.deepEqual(info.data.selection.targets, ['label']);
    assert.deepEqual(info.schema.target, { name: 'label', type: 'numeric' });
    const ev = await run('eval', 'old.json', iris, '--json');
    assert.equal(ev.code, 0, ev.stderr);
    assert.equal(JSON.parse(ev.stdout).rows, 150);
    const p = await run('predict', 'old.json', iris);
    assert.equal(p.stdout.split('\n')[0], 'label');
    const resumed = await run('train', '--resume', 'old.json', '--epochs', '3', '--out', 'old2.json', '-q');
    assert.equal(resumed.code, 0, resumed.stderr);
  });

  test('a multi-label model saved by the library (labels in preprocessing.classes) reads one 0/1 column per label', async () => {
    const rng = new Rng(7);
    const x: number[][] = [];
    const y: string[][] = [];
    for (let i = 0; i < 300; i++) {
      const [a, b] = [rng.range(-1, 1), rng.range(-1, 1)];
      x.push([a, b]);
      y.push([...(a > 0 ? ['pos'] : []), ...(b > 0 ? ['up'] : [])]);
    }
    const m = new MLP({ hidden: [8], epochs: 100, learningRate: 0.01, seed: 0 });
    m.featureNames = ['a', 'b'];
    m.fit(x, y);
    saveModel(m, at('lib.json'));
    m.dispose();
    writeFileSync(at('lib.csv'), 'b,a,up,pos\n0.5,0.5,1,1\n0.5,-0.5,1,0\n-0.5,-0.5,0,0\n');
    const ev = await run('eval', 'lib.json', 'lib.csv', '--json');
    assert.equal(ev.code, 0, ev.stderr);
    assert.equal(JSON.parse(ev.stdout).micro.f1, 1);
    const p = await run('predict', 'lib.json', 'lib.csv');
    assert.deepEqual(p.stdout.trim().split('\n'), ['pos,up', '1,1', '0,1', '0,0']);
  });

  test('a saved schema must name the model\'s labels', () => {
    const doc = JSON.parse(readFileSync(at('ml.json'), 'utf8'));
    const meta = doc.metadata.mlpkit;
    assert.doesNotThrow(() => checkCliMeta(structuredClone(meta), 'ml.json', 4, ['politics', 'sport', 'tech']));
    const renamed = structuredClone(meta);
    renamed.schema.target.names = ['sport', 'politics', 'science'];
    assert.throws(() => checkCliMeta(renamed, 'ml.json', 4, ['politics', 'sport', 'tech']), /field "metadata\.mlpkit\.schema\.target\.names": expected the model's labels \("politics", "sport", "tech"\)/);
    assert.throws(() => checkCliMeta(structuredClone(meta), 'ml.json', 4, null), /schema\.target\.type": expected the type of a single target .*the model is not multi-label/);
    const one = structuredClone(meta);
    one.schema.target.names = ['sport'];
    assert.throws(() => checkCliMeta(one, 'ml.json', 4), /schema\.target\.names": expected two or more distinct label columns/);
  });
});
