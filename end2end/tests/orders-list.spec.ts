import { test, expect, signIn } from './fixtures';

test('the list shows every seeded order with its details', async ({ ordersPage }) => {
  await ordersPage.goto();
  await expect(ordersPage.rows).toHaveCount(25);
  await expect(ordersPage.summary).toHaveText('25 orders · 5 starred');
  const first = ordersPage.row('ORD-1025');
  await expect(first.getByTestId('customer')).toHaveText('Harbor Street Café');
  await expect(first.getByTestId('item')).toHaveText('Espresso beans, 1 kg');
  await expect(first.getByTestId('quantity')).toHaveText('12');
  await expect(first.getByTestId('total')).toHaveText('$264.60');
  await expect(first.getByTestId('status-badge')).toHaveText('Draft');
  await expect(first.getByTestId('star')).toHaveAttribute('aria-pressed', 'true');
  expect((await ordersPage.numbers()).slice(0, 3)).toEqual(['ORD-1025', 'ORD-1024', 'ORD-1023']);
});

test('the list is rendered by the server, before any JavaScript runs', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  await signIn(context.request, baseURL!);
  const page = await context.newPage();
  await page.goto('/orders');
  await expect(page.getByTestId('order-row')).toHaveCount(25);
  await expect(page.getByText('Mina Okafor')).toBeVisible();
  await context.close();
});

test('the root address opens the orders list', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/orders$/);
  await expect(page.getByRole('heading', { name: 'Orders' })).toBeVisible();
});

test('an unknown address shows the not-found page with a way back', async ({ page, consoleErrors }) => {
  const response = await page.goto('/nowhere');
  expect(response?.status()).toBe(404);
  // Chromium reports the 404 document itself; that one message is expected, nothing else.
  const expected = 'Failed to load resource: the server responded with a status of 404 (Not Found)';
  expect(consoleErrors).toEqual([expected]);
  consoleErrors.length = 0;
  await expect(page.getByTestId('not-found')).toContainText("This page doesn't exist");
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name: 'Go to orders' }).click();
  await expect(page).toHaveURL(/\/orders$/);
});
