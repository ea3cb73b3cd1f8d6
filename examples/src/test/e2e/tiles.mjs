// Drives headless Chromium (Debian's, through playwright-core) against a running tile server:
// opens the page, browses images, zooms in twice on each, then zooms in and out fast (so that
// OpenSeadragon drops tile jobs and the page cancels them), and prints one JSON line of findings
// for the JUnit test that started it, with the last tiles the page drew (base64) for comparison.
// Usage: node tiles.mjs URL SCREENSHOT VISITS IMAGES [fly]  (fly: the fast flight that cancels)
import { chromium } from 'playwright-core';

const [url, screenshot, visitsArg, imagesArg, flyArg] = process.argv.slice(2);
const fly = flyArg === 'fly';
const visits = Number(visitsArg || 1);
const images = Number(imagesArg || 1);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const result = { errors: [], visits: 0, drawnPixels: [], clientTiles: 0, cancels: 0, jpeg: 0, png: 0, recent: [], panel: {} };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => result.errors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push('console: ' + m.text()); });
  // the page's WebSocket goes through the driver, which can hold the server's answers back, as a
  // slow network does: while it does, a view that moves on leaves tile requests behind
  let answerDelayMs = 0;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => (answerDelayMs ? setTimeout(() => ws.send(m), answerDelayMs) : ws.send(m)));
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction((n) => Number(document.body.dataset.images || 0) >= n, images, { timeout: 30000 });
  const names = await page.$$eval('#gallery figure', (fs) => fs.map((f) => f.dataset.name));
  const settled = () => page.waitForFunction(() => {
    const v = window.switchboardViewer;
    return v.world.getItemCount() > 0 && v.world.getItemAt(0).getFullyLoaded();
  }, null, { timeout: 30000 });
  for (let i = 0; i < visits; i++) {
    await page.evaluate((n) => window.switchboardOpen(n), names[i % names.length]);
    await settled();
    for (let z = 0; z < 2; z++) {
      await page.evaluate(() => {
        const v = window.switchboardViewer;
        v.viewport.zoomBy(2.5, v.viewport.getCenter(), true);
        v.viewport.applyConstraints(true);
      });
      await page.waitForTimeout(100);
      await settled();
    }
    result.drawnPixels.push(await page.evaluate(() => {
      const c = window.switchboardViewer.drawer.canvas;
      const ctx = c.getContext('2d');
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let p = 0; p < d.length; p += 4) if (d[p] + d[p + 1] + d[p + 2] > 30) lit++;
      return lit;
    }));
    result.visits++;
  }
  // over a slow network, open an image afresh and fly from corner to corner at full zoom: the
  // page cancels the tiles of the views it left before their answers came
  answerDelayMs = fly ? 400 : 0;
  if (fly) await page.evaluate((n) => window.switchboardOpen(n), names[0]);
  await page.waitForFunction(() => window.switchboardViewer.world.getItemCount() > 0, null, { timeout: 30000 });
  for (let i = 0; fly && i < 8; i++) {
    await page.evaluate((i) => {
      const v = window.switchboardViewer;
      const size = v.world.getItemAt(0).getContentSize();
      const corner = [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]][i % 4];
      v.viewport.panTo(new OpenSeadragon.Point(corner[0], corner[1] * size.y / size.x), false);
      v.viewport.zoomTo(v.viewport.getMaxZoom(), null, false);
    }, i);
    await page.waitForTimeout(150);
  }
  answerDelayMs = 0;
  await settled();
  await page.waitForTimeout(1500);
  Object.assign(result, await page.evaluate(() => {
    const t = window.switchboardTiles;
    const b64 = (bytes) => { let s = ''; for (const c of bytes) s += String.fromCharCode(c); return btoa(s); };
    return { clientTiles: t.tiles, cancels: t.cancels || 0, jpeg: t.jpeg, png: t.png,
      recent: t.recent.map((r) => ({ image: r.image, level: r.level, x: r.x, y: r.y, type: r.type, bytes: b64(r.bytes) })) };
  }));
  result.panel = await page.$$eval('#numbers dd', (dds) => Object.fromEntries(dds.map((d) => [d.dataset.stat, d.textContent])));
  await page.screenshot({ path: screenshot, fullPage: false });
} catch (e) {
  result.errors.push('driver: ' + e.message);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
