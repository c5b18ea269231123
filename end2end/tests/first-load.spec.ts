import { test, expect, waitForHydration } from './fixtures';

// Issue "First load": /orders loads only its own code; every other page's code is a chunk the
// browser fetches when the page is first needed, and a chunk that can't be fetched leaves a
// page that says so, with Reload, instead of one that ignores every click.

/** The WASM files the page fetches from now on. */
function wasmRequests(page: import('@playwright/test').Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) seen.push(path);
  });
  return seen;
}

test('the list loads one WASM file before it works; the gallery and members pages load their own code when first opened', async ({ page, ordersPage }) => {
  // When the hydrated marker went up, in the page's own clock.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated) {
        (window as unknown as { hydratedAt: number }).hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  });
  const wasm = wasmRequests(page);
  await ordersPage.goto();
  const beforeHydrated = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname.endsWith('.wasm') && e.startTime < (window as unknown as { hydratedAt: number }).hydratedAt)
      .map((e) => new URL(e.name).pathname),
  );
  expect(beforeHydrated, '/orders needs only the main file').toHaveLength(1);
  const main = beforeHydrated[0];
  // This server has fault controls on: the browser draws them after hydrating, from a chunk of
  // their own (a server without them never sends it).
  await expect(page.getByTestId('fault-panel')).toBeAttached();
  expect(wasm.some((p) => p.includes('split_fault_panel')), 'the fault controls came in their own chunk').toBe(true);
  const loaded = new Set(wasm);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'State gallery' }).click();
  await expect(page.getByRole('heading', { name: 'State gallery', level: 1 })).toBeVisible();
  const gallery = wasm.filter((p) => !loaded.has(p));
  expect(gallery.length, 'the gallery came in its own chunk(s)').toBeGreaterThan(0);
  expect(gallery).not.toContain(main);

  await nav.getByRole('link', { name: 'Members' }).click();
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  // Back to the list: nothing fetched again, and it still works.
  const before = wasm.length;
  await nav.getByRole('link', { name: 'Orders' }).click();
  await expect(ordersPage.rows.first()).toBeVisible();
  expect(wasm.length, 'the list needed nothing new').toBe(before);
});

test('a direct visit to a page with its own chunk: the answer names its chunks, fetched once, alongside the main file; it hydrates and works', async ({ page }) => {
  const wasm = wasmRequests(page);
  const answer = await page.goto('/members');
  await waitForHydration(page);
  // The server's preload hints: every chunk of the page, in the answer's `Link` header.
  const hinted = [...(answer!.headers()['link'] ?? '').matchAll(/<([^>]+)>; rel=preload; as=fetch/g)].map((m) => m[1]);
  expect(hinted.some((p) => p.includes('split___members_view')), "the page's own chunk is hinted").toBe(true);
  const timing = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd })),
  );
  const main = timing.find((e) => /\/orderdesk\.[^/]*\.wasm$/.test(e.path));
  expect(main, 'the main file').toBeDefined();
  for (const chunk of hinted) {
    // Fetched once: the page's loader took the preloaded answer, not a second copy.
    expect(wasm.filter((p) => p === chunk), `${chunk} fetched once`).toHaveLength(1);
    // Alongside the main file: without the hint it could start only once the main file ran.
    const entry = timing.find((e) => e.path === chunk);
    expect(entry!.start, `${chunk} asked for before the main file had arrived`).toBeLessThan(main!.end);
  }
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  // It works: the app took over, so a link is followed in the page, not by a new document.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await expect(page.getByTestId('order-row').first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), 'same document: routed by the app').toBe(true);
});

test("a page whose code can't be fetched says so, with Reload, and Reload recovers", async ({ page, ordersPage, consoleErrors }) => {
  await ordersPage.goto();
  // From now on every WASM fetch fails, as on a dropped connection.
  await page.route('**/pkg/*.wasm', (route) => route.abort('internetdisconnected'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'State gallery' }).click();
  // The page's own notice (the gallery shows one too, further down).
  const failure = page.locator('body > [data-testid="app-failure"]');
  await expect(failure).toBeVisible();
  await expect(failure).toHaveAttribute('role', 'alert');
  await expect(failure).toContainText("Couldn't load this page. Reload to carry on.");
  // What the browser logged is the failed fetch and the stopped app, nothing else.
  expect(consoleErrors.length).toBeGreaterThan(0);
  for (const e of consoleErrors) expect(e).toMatch(/ERR_INTERNET_DISCONNECTED|load callback should succeed|unreachable|Failed to fetch|wasm-split|TypeError/);
  consoleErrors.length = 0;

  // Back online: Reload brings a working page.
  await page.unroute('**/pkg/*.wasm');
  await failure.getByRole('link', { name: 'Reload' }).click();
  await waitForHydration(page);
  await expect(failure).toHaveCount(0);
});
