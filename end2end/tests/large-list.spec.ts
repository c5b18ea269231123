import { test, expect, signIn, waitForHydration } from './fixtures';
import { OrdersApi, type ServerOrder } from '../pages/orders-api';
import type { Page } from '@playwright/test';

// A desk with 5,000 orders (its own server, seeded with `ORDERDESK_DEMO_ORDERS`): the list is
// read a page (50) at a time by key, and the page's sync engine works over what it loaded.
// Serial: the specs change the list and count on the server.
test.describe.configure({ mode: 'serial' });

const PAGE = 50;

const loadMore = (page: Page) => page.getByTestId('load-more');
const number = (o: ServerOrder) => `ORD-${o.number}`;
const thousands = (n: number) => n.toLocaleString('en-US');

/** The server's first `count` orders in list order, read page by page as the app reads them. */
async function serverHead(api: OrdersApi, count: number): Promise<string[]> {
  const out: string[] = [];
  let after = '';
  while (out.length < count) {
    const page = await api.page(after);
    out.push(...page.orders.map(number));
    if (!page.next) break;
    after = `${page.next.position}.${page.next.number}`;
  }
  return out.slice(0, count);
}

/**
 * Loads pages with the "Load more" button until at least `count` rows show. (A click scrolls
 * the button into view, so the list may read one more page by itself.)
 */
async function loadUntil(page: Page, count: number) {
  const rows = page.getByTestId('order-row');
  while ((await rows.count()) < count) {
    const before = await rows.count();
    await loadMore(page).click();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(before + PAGE);
  }
  await expect(loadMore(page)).toHaveText('Load more');
}

test('the first page renders with an honest count, a real link to the next, and hydrates', async ({ page, ordersPage, request }) => {
  const api = new OrdersApi(request);
  const { total } = await api.page();
  expect(total).toBeGreaterThanOrEqual(5_000);
  const response = await page.goto('/orders');
  const html = await response!.text();
  expect(html.length, 'the server renders one page, not the list').toBeLessThan(400_000);
  await waitForHydration(page);
  await expect(ordersPage.rows).toHaveCount(PAGE);
  await expect(ordersPage.summary).toHaveText(`Showing ${PAGE} of ${thousands(total)} orders`);
  expect(await ordersPage.numbers()).toEqual(await serverHead(api, PAGE));
  await expect(loadMore(page)).toHaveAttribute('href', /^\/orders\?after=-?\d+\.\d+$/);
});

test('"Load more" and scrolling read the next pages: every order once, in order, while orders are added', async ({ page, ordersPage, request }) => {
  const api = new OrdersApi(request);
  await ordersPage.goto();
  await expect(ordersPage.feedMode).toHaveAttribute('data-mode', 'live');
  await loadUntil(page, 2 * PAGE);
  // Orders created elsewhere between page reads go on top, pushed; the pages go on by key.
  const created = [await api.createDraft('Between Pages Ltd', 'Desk lamp'), await api.createDraft('Between Pages Ltd', 'Floor lamp')];
  for (const o of created) await expect(ordersPage.row(number(o))).toBeVisible();
  // Scrolling the end of the list near the screen reads the next page by itself.
  const before = await ordersPage.rows.count();
  await loadMore(page).scrollIntoViewIfNeeded();
  await expect.poll(() => ordersPage.rows.count()).toBeGreaterThanOrEqual(before + PAGE);
  await expect(loadMore(page)).toHaveText('Load more');
  const shown = await ordersPage.numbers();
  expect(new Set(shown).size, 'no order twice').toBe(shown.length);
  expect(shown, 'no order skipped: the server list from the top').toEqual(await serverHead(api, shown.length));
  const { total } = await api.page();
  await expect(ordersPage.summary).toHaveText(`Showing ${thousands(shown.length)} of ${thousands(total)} orders`);
});

test('an edit on the third page is confirmed and the server holds it once', async ({ page, ordersPage, request }) => {
  const api = new OrdersApi(request);
  await ordersPage.goto();
  await loadUntil(page, 3 * PAGE);
  const target = (await ordersPage.numbers())[2 * PAGE + 20];
  const before = await api.get(target);
  const row = ordersPage.orderRow(target);
  await row.star();
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(!before.starred));
  await api.expectLanded({ [target]: { starred: !before.starred, version: before.version + 1 } });
  await row.expectConfirmed(await api.get(target));
});

test('a row moved across a page boundary lands where the person put it, on the page and on the server', async ({ page, ordersPage, request }) => {
  const api = new OrdersApi(request);
  await ordersPage.goto();
  // Only the first page: its last row can't go down until the next page is read.
  const firstPage = await ordersPage.numbers();
  await expect(ordersPage.orderRow(firstPage[PAGE - 1]).moveDownButton).toBeDisabled();
  await loadUntil(page, 2 * PAGE);
  const shown = await ordersPage.numbers();
  const [a, b] = [shown[PAGE - 1], shown[PAGE]];
  const [va, vb] = [(await api.get(a)).version, (await api.get(b)).version];

  // Down, across the boundary: just behind the first row of the second page.
  await ordersPage.orderRow(a).moveDownButton.click();
  await expect.poll(async () => (await ordersPage.numbers()).slice(PAGE - 1, PAGE + 1)).toEqual([b, a]);
  await expect(ordersPage.orderRow(a).root).toHaveAttribute('data-state', 'idle');
  await api.expectLanded({ [a]: { version: va + 1 }, [b]: { version: vb } });
  expect((await serverHead(api, PAGE + 1)).slice(PAGE - 1), 'the server lists it there too').toEqual([b, a]);
  const now = await ordersPage.numbers();
  expect(now, 'the page shows the server order').toEqual(await serverHead(api, now.length));

  // And up again, back across it.
  await ordersPage.orderRow(a).moveUpButton.click();
  await expect.poll(async () => (await ordersPage.numbers()).slice(PAGE - 1, PAGE + 1)).toEqual([a, b]);
  await api.expectLanded({ [a]: { version: va + 2 }, [b]: { version: vb } });
  expect((await serverHead(api, PAGE + 1)).slice(PAGE - 1)).toEqual([a, b]);

  // After a reload the page reads the same order from the server.
  await ordersPage.goto();
  await loadUntil(page, 2 * PAGE);
  expect((await ordersPage.numbers()).slice(PAGE - 1, PAGE + 1)).toEqual([a, b]);
});

test('a push for an order outside the loaded window does not add it; a new draft still shows on top', async ({ page, ordersPage, request }) => {
  const api = new OrdersApi(request);
  await ordersPage.goto();
  await expect(ordersPage.feedMode).toHaveAttribute('data-mode', 'live');
  const shown = await ordersPage.numbers();
  // Just past the window's end, and far down the list.
  const second = await api.page(`${(await api.page()).next!.position}.${(await api.page()).next!.number}`);
  const justPast = second.orders[0];
  const farDown = await api.get('ORD-1001');
  await api.setStarred(justPast, !justPast.starred);
  await api.setStarred(farDown, !farDown.starred);
  const created = await api.createDraft('Pushed Along Co', 'Pendant lamp');
  // The new draft arrives by the same push channel, after the two changes.
  await expect(ordersPage.row(number(created))).toBeVisible();
  expect(await ordersPage.numbers()).toEqual([number(created), ...shown]);
  await expect(ordersPage.row(number(justPast))).toHaveCount(0);
  await expect(ordersPage.row('ORD-1001')).toHaveCount(0);
  // Reading the next page brings the changed order in, in its place, as changed.
  await loadUntil(page, 2 * PAGE + 1);
  await expect(ordersPage.orderRow(number(justPast)).starButton).toHaveAttribute('aria-pressed', String(!justPast.starred));
  expect((await ordersPage.numbers())[PAGE + 1]).toBe(number(justPast));
});

test('without JavaScript, "Load more" is a link to the next page, and back', async ({ browser, request, baseURL }) => {
  const api = new OrdersApi(request);
  const context = await browser.newContext({ javaScriptEnabled: false });
  await signIn(context.request, baseURL!);
  const page = await context.newPage();
  await page.goto('/orders');
  const rows = page.getByTestId('order-row');
  await expect(rows).toHaveCount(PAGE);
  await loadMore(page).click();
  await expect(page).toHaveURL(/\/orders\?after=-?\d+\.\d+$/);
  await expect(rows).toHaveCount(PAGE);
  const numbers = await rows.getByTestId('order-number').allTextContents();
  expect(numbers).toEqual((await serverHead(api, 2 * PAGE)).slice(PAGE));
  await page.getByTestId('first-page').click();
  await expect(page).toHaveURL(/\/orders$/);
  expect(await rows.getByTestId('order-number').allTextContents()).toEqual(await serverHead(api, PAGE));
  await context.close();
});
