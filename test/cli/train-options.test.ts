// mlpkit train with issue 10's flags: no --epochs (the plateau rule), --class-weight, --sample-weight, --dropout.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, mlpkit, tempDir } from './helpers.ts';
import { Rng } from '../../src/lowlevel.ts';

const iris = join(DATA, 'iris.csv');

describe('mlpkit train: stopping, weights, dropout', { concurrency: 3 }, () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  // 1:20 imbalanced, overlapping blobs, with a weight column
  const rng = new Rng(1);
  const rows = ['x1,x2,w,label'];
  for (let i = 0; i < 630; i++) {
    const rare = i % 21 === 0;
    rows.push(`${rng.normal(rare ? 1.5 : 0, 1).toFixed(4)},${rng.normal(0, 1).toFixed(4)},${rare ? 20 : 1},${rare ? 'rare' : 'common'}`);
  }
  const imb = join(tmp.dir, 'imbalanced.csv');
  writeFileSync(imb, rows.join('\n') + '\n');

  test('the README\'s first command: no hyperparameters, validation accuracy ≥ 0.96, stops by itself', async () => {
    const r = await mlpkit(['train', '--dataset', 'iris', '--val-split', '0.2', '--json', '-o', join(tmp.dir, 'readme.json')], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.ok(o.results.validation.accuracy >= 0.96, `validation accuracy ${o.results.validation.accuracy}`);
    assert.ok(['converged', 'maxEpochs'].includes(o.stopReason), o.stopReason);
    const exact = await mlpkit(['train', iris, '--epochs', '3', '--json', '-o', join(tmp.dir, 'e3.json')], tmp.dir);
    assert.equal(JSON.parse(exact.stdout).epochs, 3);
  });

  test('--class-weight balanced and --sample-weight raise the rare class\'s recall', async () => {
    const recall = async (...flags: string[]) => {
      const r = await mlpkit(['train', imb, '--target', 'label', '--ignore', 'w', '--hidden', '8', '--epochs', '30', '--json', '-o', join(tmp.dir, `m${flags.join('')}.json`), ...flags], tmp.dir);
      assert.equal(r.code, 0, r.stderr);
      const ev = JSON.parse(r.stdout).results.training;
      return ev.perClass[ev.classes.indexOf('rare')].recall as number;
    };
    const plain = await recall();
    const balanced = await recall('--class-weight', 'balanced');
    const mapped = await recall('--class-weight', 'rare=20,common=1');
    assert.ok(balanced - plain >= 0.25, `recall ${plain} → ${balanced}`);
    assert.ok(mapped - plain >= 0.25, `recall ${plain} → ${mapped}`);
    const r = await mlpkit(['train', imb, '--target', 'label', '--sample-weight', 'w', '--hidden', '8', '--epochs', '30', '--json', '-o', join(tmp.dir, 'sw.json')], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.deepEqual(o.inputs, ['x1', 'x2'], 'the weight column is not a feature');
    const ev = o.results.training;
    assert.ok(ev.perClass[ev.classes.indexOf('rare')].recall - plain >= 0.25);
  });

  test('bad weight flags: one message, exit code 2', async () => {
    const bad = async (args: string[], re: RegExp) => {
      const r = await mlpkit(args, tmp.dir);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, re);
    };
    await bad(['train', imb, '--target', 'label', '--sample-weight', 'nope'], /--sample-weight: unknown column "nope"/);
    await bad(['train', imb, '--target', 'label', '--sample-weight', 'label'], /--sample-weight: column "label" holds text/);
    await bad(['train', imb, '--target', 'label', '--class-weight', 'even'], /--class-weight: expected "balanced" or label=weight pairs/);
    await bad(['train', imb, '--target', 'label', '--class-weight', 'nosuch=2', '--epochs', '1'], /classWeight names class "nosuch", which is not among the labels/);
    await bad(['train', iris, '--dropout', '1'], /--dropout: expected a rate in \[0, 1\)/);
    await bad(['train', iris, '--hidden', '8', '--dropout', '0.1,0.2'], /dropout to be a rate in \[0, 1\), or one per hidden layer \(1\)/);
  });

  test('--dropout trains and saves the rate with the model', async () => {
    const out = join(tmp.dir, 'drop.json');
    const r = await mlpkit(['train', iris, '--hidden', '16', '--dropout', '0.2', '--lr', '0.01', '--epochs', '60', '--json', '-o', out], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).results.training.accuracy >= 0.9);
  });
});
