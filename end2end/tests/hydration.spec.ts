import { test, expect } from './fixtures';

test('after hydration, searching filters the list in place without a reload', async ({ page, ordersPage }) => {
  await ordersPage.goto();
  // A marker on window survives client-side updates but not a page load.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await ordersPage.search.fill('espresso');
  await expect(ordersPage.rows).toHaveCount(2);
  await expect(ordersPage.summary).toHaveText('2 of 25 orders match “espresso”');
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

test('a search link opened directly is filtered by the server', async ({ ordersPage }) => {
  await ordersPage.goto('?q=bakery');
  await expect(ordersPage.rows).toHaveCount(1);
  await expect(ordersPage.search).toHaveValue('bakery');
});
