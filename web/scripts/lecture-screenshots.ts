// Screenshots of the lecture views for the docs: every stage of the inspector on the lecture's
// network (docs/lecture/stage-1.png … stage-9.png, the card that stage adds), the vectorized view
// on a 2-4-3-1 network (docs/lecture/vectorized.png), "what we are truly minimizing" after a run
// (docs/lecture/sgd.png), and the lecture's preset on a 390 px phone (docs/lecture/phone.png).
// Builds the page, serves it on 127.0.0.1 and drives Debian's chromium, like the tests.
//   node --import tsx web/scripts/lecture-screenshots.ts

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPage, cleanup, launch, serve } from '../../test/web/harness.ts';

const out = fileURLToPath(new URL('../../docs/lecture/', import.meta.url));
mkdirSync(out, { recursive: true });
const dir = await buildPage();
const { url, server } = await serve(dir);
const browser = await launch();
const ready = "(window).playground.state !== null";
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  // the lecture's network, trained a little (10 epochs of per-sample SGD)
  await page.goto(`${url}#preset=lecture&speed=0`);
  await page.waitForFunction(ready);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#epoch')!.textContent) >= 10);
  await page.click('#play');
  await page.addStyleTag({ content: '.top { position: static; }' });
  await page.fill('#insp-index', '5');
  await page.click('#insp-load');
  await page.waitForSelector('#insp-point[data-index="5"]');
  for (let s = 1; s <= 9; s++) {
    if (s > 1) await page.click('#insp-next');
    // stage 1 is the point and the network; later stages add one card each
    const target = s === 1 ? page.locator('#insp-body') : page.locator('#insp-body .card.current');
    await target.screenshot({ path: `${out}stage-${s}.png` });
  }
  // the vectorized view on a 2-4-3-1 tanh network, backward through layer 2
  await page.goto(`${url}#h=4,3&act=tanh,tanh&speed=0`);
  await page.reload();
  await page.waitForFunction(ready);
  await page.click('#play');
  await page.waitForTimeout(800);
  await page.click('#play');
  await page.addStyleTag({ content: '.top { position: static; }' });
  await page.fill('#insp-index', '3');
  await page.click('#insp-load');
  await page.waitForSelector('#insp-point[data-index="3"]');
  for (let k = 0; k < 5; k++) await page.click('#insp-next'); // backward, layer 3
  await page.locator('#insp-body .card.current').screenshot({ path: `${out}vectorized.png` });
  await page.click('#insp-all');
  await page.locator('#insp-body .card.wide').last().screenshot({ path: `${out}update.png` });
  // the three-way SGD view after 100 epochs
  await page.click('#sgd-run');
  await page.waitForFunction(() => document.querySelector('#sgd-status')!.textContent!.startsWith('Done'), null, { timeout: 120_000 });
  await page.click('#sgd-check');
  await page.locator('#sgd').screenshot({ path: `${out}sgd.png` });
  // a phone
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  await phone.goto(`${url}#preset=lecture&speed=20`);
  await phone.waitForFunction(ready);
  await phone.click('#play');
  await phone.waitForTimeout(3000);
  await phone.click('#play');
  await phone.screenshot({ path: `${out}phone.png` });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  server.close();
  cleanup(dir);
}
