import { test, expect } from './fixtures';

test('after hydration, searching filters the list in place without a reload', async ({ page, ordersPage }) => {
  await ordersPage.goto();
  // A marker on window survives client-side updates but not a page load.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await ordersPage.search.fill('espresso');
  await expect(ordersPage.rows).toHaveCount(2);
  await expect(ordersPage.summary).toHaveText('2 orders match “espresso”');
  await expect(page).toHaveURL(/\?q=espresso$/);

  await ordersPage.search.fill('ord-1004');
  await expect(ordersPage.rows).toHaveCount(1);
  await expect(ordersPage.row('ORD-1004')).toBeVisible();

  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('a search with no match says so and offers to clear it', async ({ page, ordersPage }) => {
  await ordersPage.goto();
  await ordersPage.search.fill('zzz-nothing');
  await expect(ordersPage.rows).toHaveCount(0);
  await expect(ordersPage.emptyState).toContainText('No orders match “zzz-nothing”.');
  await ordersPage.emptyState.getByRole('link', { name: 'Clear the search' }).click();
  await expect(ordersPage.rows).toHaveCount(25);
  await expect(page).toHaveURL(/\/orders$/);
});

test("a search typed while the live feed connects still gets its answer: the feed's catch-up reads the search, not the old list", async ({ page, ordersPage }) => {
  // The live feed's connection (whose "ready" starts a catch-up) waits until the search is out.
  let releaseFeed!: () => void;
  const feedHeld = new Promise<void>((resolve) => (releaseFeed = resolve));
  await page.route('**/api/events*', async (route) => {
    await feedHeld;
    await route.continue().catch(() => {});
  });
  // The search's first answer waits until the catch-up has begun; the list's reads are counted.
  let releaseSearch!: () => void;
  const searchHeld = new Promise<void>((resolve) => (releaseSearch = resolve));
  let heldSearch = false;
  let reads = 0;
  await page.route('**/api/orders/page', async (route) => {
    reads += 1;
    if (!heldSearch && (route.request().postData() ?? '').includes('zzz-race')) {
      heldSearch = true;
      await searchHeld;
    }
    await route.continue().catch(() => {});
  });
  await ordersPage.goto();
  await ordersPage.search.fill('zzz-race');
  await expect.poll(() => heldSearch, { message: 'the search is out' }).toBe(true);
  const before = reads;
  releaseFeed();
  await expect.poll(() => reads, { message: 'the catch-up read the list' }).toBeGreaterThan(before);
  releaseSearch();
  // The page tells the truth about the search: nothing matches, not "25 orders match".
  await expect(ordersPage.emptyState).toContainText('No orders match “zzz-race”.');
  await expect(ordersPage.summary).toHaveText('0 orders match “zzz-race”');
});

test('a search link opened directly is filtered by the server', async ({ ordersPage }) => {
  await ordersPage.goto('?q=bakery');
  await expect(ordersPage.rows).toHaveCount(1);
  await expect(ordersPage.search).toHaveValue('bakery');
});

// Every page runs under its Content-Security-Policy: scripts only with the page's nonce, no
// framing. A blocked script would log a console error (which fails any test) and the page
// would never hydrate.
test('every page hydrates under its Content-Security-Policy with no violation', async ({ page, consoleErrors }) => {
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as any).__cspViolations = [...((window as any).__cspViolations ?? []), `${e.violatedDirective} ${e.blockedURI}`];
    });
  });
  for (const path of ['/orders', '/states', '/jobs/00000000-0000-7000-8000-000000000000', '/no-such-page']) {
    const res = await page.goto(path);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp, path).toContain("'nonce-");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(res?.headers()['x-content-type-options'], path).toBe('nosniff');
    await expect(page.locator('body'), path).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
    expect((await page.evaluate(() => (window as any).__cspViolations)) ?? [], path).toEqual([]);
  }
  // The missing job and the unknown page answer 404: Chromium logs each as a failed load.
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !/status of 404/.test(e)));
});
