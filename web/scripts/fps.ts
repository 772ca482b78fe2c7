// Frames per second the playground draws while training 2-8-8-1 tanh on 500 points (the default),
// counted with requestAnimationFrame over 3 s: paused, at the default speed limit, flat out in the
// worker, and flat out on the main-thread fallback. A measurement, not a test.
//   node --import tsx web/scripts/fps.ts

import { buildPage, cleanup, launch, serve } from '../../test/web/harness.ts';

const dir = await buildPage();
const { url, server } = await serve(dir);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const frames = () => page.evaluate(() => (window as unknown as { playground: { frames: number } }).playground.frames);
  const ready = () => page.waitForFunction(() => (window as unknown as { playground: { state: unknown } }).playground.state !== null);
  const measure = async (label: string) => {
    const f0 = await frames();
    const t0 = Date.now();
    await page.waitForTimeout(3000);
    const fps = (await frames()) - f0;
    console.log(`${label.padEnd(28)} ${(fps / ((Date.now() - t0) / 1000)).toFixed(1)} frames/s, ${await page.textContent('#sps')} samples/s`);
  };
  await page.goto(`${url}#speed=20`);
  await ready();
  await measure('paused');
  await page.click('#play');
  await measure('20 epochs/s, worker');
  await page.selectOption('#speed', '0');
  await measure('flat out, worker');
  await page.goto(`${url}#speed=0&engine=main`);
  await page.reload();
  await ready();
  await page.click('#play');
  await measure('flat out, main thread');
} finally {
  await browser.close();
  server.close();
  cleanup(dir);
}
