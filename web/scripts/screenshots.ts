// Takes the playground's screenshots for the docs: docs/playground.png (training) and
// docs/inspector.png (the backprop inspector on one point). Builds the page, serves it on
// 127.0.0.1 and drives Debian's chromium, like the tests.
//   node --import tsx web/scripts/screenshots.ts

import { fileURLToPath } from 'node:url';
import { buildPage, cleanup, launch, serve } from '../../test/web/harness.ts';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const dir = await buildPage();
const { url, server } = await serve(dir);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 940 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  // the defaults (circle, 2-8-8-1 tanh, adam), x1² and x2² added, watched at 20 epochs/s
  await page.goto(`${url}#f=x1,x2,x1sq,x2sq&speed=20`);
  await page.waitForFunction(() => (window as unknown as { playground: { state: unknown } }).playground.state !== null);
  await page.click('#play');
  await page.waitForTimeout(4000);
  await page.screenshot({ path: `${docs}playground.png` });
  await page.click('#play');

  // the inspector, on a smaller network (2-4-3-1) so its tables fit a picture
  await page.goto(`${url}#h=4,3&act=tanh,tanh&speed=0`);
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { playground: { state: unknown } }).playground.state !== null);
  await page.click('#play');
  await page.waitForTimeout(1500);
  await page.click('#play');

  // the inspector on a point the network still gets somewhat wrong: the largest loss among the first 40
  let best = { index: 0, loss: -1 };
  for (let i = 0; i < 40; i++) {
    await page.fill('#insp-index', String(i));
    await page.click('#insp-load');
    await page.waitForSelector(`#insp-point[data-index="${i}"]`);
    await page.click('#insp-all');
    const L = Number(await page.getAttribute('#insp-loss', 'data-value'));
    if (L > best.loss) best = { index: i, loss: L };
  }
  await page.fill('#insp-index', String(best.index));
  await page.click('#insp-load');
  await page.waitForSelector(`#insp-point[data-index="${best.index}"]`);
  for (let k = 0; k < 7; k++) await page.click('#insp-next'); // up to the backward pass through layer 1
  await page.click('#insp-check');
  await page.waitForSelector('#check-verdict');
  // the sticky header would cover the top of an element screenshot
  await page.addStyleTag({ content: '.top { position: static; }' });
  const insp = page.locator('#inspector');
  await insp.screenshot({ path: `${docs}inspector.png` });
  console.log(`screenshots written; inspector on training point #${best.index} (loss ${best.loss})`);
} finally {
  await browser.close();
  server.close();
  cleanup(dir);
}
