import { launchChromium, signedInContext, startReleaseServer } from './release-server.mjs';
const server = await startReleaseServer({ name: 'probe', port: 3199, env: { ORDERDESK_FAULTS: 'true' } });
const browser = await launchChromium();
let failed = 0;
const runs = Number(process.env.RUNS ?? 30);
const delay = Number(process.env.DELAY ?? 0);
try {
  for (let i = 0; i < runs; i++) {
    const context = await signedInContext(browser, server.base);
    const page = await context.newPage();
    await page.goto(`${server.base}/orders`);
    await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached' });
    if (delay) await page.waitForTimeout(delay);
    await context.setOffline(true);
    await page.waitForTimeout(800);
    const n = await page.locator('[data-testid="app-failure"]').count();
    if (n) failed++;
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(`app stopped in ${failed} of ${runs} loads`);
