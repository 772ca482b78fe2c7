// While it trains: Ctrl-C stops after the current batch, the best model so far and a checkpoint
// are saved and named, and the run resumes from the checkpoint; on a terminal, progress bars.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, DATA, mlpkit, tempDir } from './helpers.ts';

test('SIGINT saves the best model and a checkpoint; --resume continues from it', async () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  let sent = false;
  const r = await mlpkit(['train', join(DATA, 'digits.csv'), '--epochs', '100000', '--val-split', '0.2', '--out', 'run.json'], tmp.dir, {
    onStderr: (text, child) => {
      // after the third epoch line
      if (!sent && /^epoch +3\/100000/m.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(sent, `no epoch line seen; stderr:\n${r.stderr}`);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Ctrl-C: stopping after the current batch/);
  const m = /saved the best model so far \(epoch (\d+), validation loss [\d.]+\) to run\.json, and epoch (\d+) to run\.ckpt\.json; continue with: mlpkit train --resume run\.ckpt\.json/.exec(r.stdout);
  assert.ok(m, `no save note in stdout:\n${r.stdout}`);
  const ckptEpoch = Number(m[2]);
  assert.ok(ckptEpoch >= 3, `checkpoint at epoch ${ckptEpoch}`);
  const best = JSON.parse(readFileSync(join(tmp.dir, 'run.json'), 'utf8'));
  assert.equal(best.training.epochs, Number(m[1]));
  assert.equal(best.metadata.mlpkit.run.stopReason, 'aborted');
  // no temp files left beside the saved ones
  assert.ok(existsSync(join(tmp.dir, 'run.ckpt.json')));

  const resumed = await mlpkit(['train', '--resume', 'run.ckpt.json', '--epochs', String(ckptEpoch + 1), '--out', 'more.json', '--json'], tmp.dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  const out = JSON.parse(resumed.stdout);
  assert.equal(out.epochs, ckptEpoch + 1);
  assert.equal(out.history.length, ckptEpoch + 1, 'the history of the first run is kept');
});

test('on a terminal: one progress bar per epoch with loss, validation loss, metric, samples/s and ETA', async () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  // util-linux `script` gives the CLI a pseudo-terminal, as a person's shell would
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} train --dataset iris --epochs 3 --val-split 0.2 --out tty.json`;
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: tmp.dir, encoding: 'utf8', env: { ...process.env, TERM: 'xterm' } });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
  for (const e of [1, 2, 3]) assert.match(screen, new RegExp(` epoch ${e}/3 [█░]{20} \\d+/\\d+ \\| loss \\d\\.\\d{4} \\| val loss [-\\d.]+ \\| (val )?accuracy [-\\d.]+ \\| [\\d,]+ samples/s \\| ETA `));
  assert.match(screen, / epoch 3\/3 █{20} 4\/4 \| loss \d\.\d{4} \| val loss \d\.\d{4} \| val accuracy \d\.\d{4}/);
  assert.doesNotMatch(screen, /^epoch +1\/3 {2}loss/m, 'no summary lines on a terminal');
});
