import { test as base, expect, type Page } from '@playwright/test';
import { OrdersPage } from '../pages/orders-page';

/** Every test fails if the page logs a console error or throws. */
export const test = base.extend<{ consoleErrors: string[]; ordersPage: OrdersPage }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(String(err)));
      await use(errors);
      expect(errors, 'console errors on the page').toEqual([]);
    },
    { auto: true },
  ],
  ordersPage: async ({ page }, use) => {
    await use(new OrdersPage(page));
  },
});

/** Waits until the WASM client has hydrated the server-rendered page: clicks work from here. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

export { expect };
