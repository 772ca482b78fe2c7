// The loss-spike note (web/src/loss-notes.ts): one note per jump, none for a curve that only falls
// or that never made progress, and the note names the learning rate and what to try.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpikeWatch, spikeNote } from '../../web/src/loss-notes.ts';

const run = (losses: number[]) => {
  const w = new SpikeWatch();
  return losses.map((l, k) => w.push(k + 1, l)).filter((s) => s !== null);
};

test('a falling curve, or noise around a curve that made no progress, is no spike', () => {
  assert.deepEqual(run([0.69, 0.5, 0.3, 0.2, 0.15, 0.14, 0.145, 0.13]), []);
  assert.deepEqual(run([0.69, 0.7, 0.68, 0.9, 0.69]), [], 'no progress yet (min > 0.8 × first): not a spike');
});

test('a jump above 1.5× the best is one spike, re-armed once the loss is back near its best', () => {
  const s = run([0.69, 0.3, 0.1, 0.05, 0.2, 0.3, 0.06, 0.05, 0.04, 0.5]);
  assert.deepEqual(s, [{ epoch: 5, from: 0.05, to: 0.2 }, { epoch: 10, from: 0.04, to: 0.5 }]);
});

test('the note says what happened and what to try', () => {
  const n = spikeNote({ epoch: 12, from: 0.05, to: 0.2 }, 'adam', 0.03, 10);
  assert.match(n, /epoch 12/);
  assert.match(n, /0\.05.*0\.2/);
  assert.match(n, /learning rate is too large/);
  assert.match(n, /η = 0\.01 or 0\.003/);
  assert.match(n, /larger batch/);
});
