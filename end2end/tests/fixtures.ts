import { test as base, expect, type Page } from '@playwright/test';
import { Faults } from '../pages/faults';
import { OrdersPage } from '../pages/orders-page';

/** Every test fails if the page logs a console error or throws. */
export const test = base.extend<{ consoleErrors: string[]; ordersPage: OrdersPage; faults: Faults }>({
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
  /**
   * The server's fault controls, cleared before and after the test. Rules are global to a
   * server: a spec that uses them runs serially (`test.describe.configure({ mode: 'serial' })`).
   */
  faults: async ({ request }, use) => {
    const faults = new Faults(request);
    await faults.clear();
    await use(faults);
    await faults.clear();
  },
});

/** Waits until the WASM client has hydrated the server-rendered page: clicks work from here. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

export { expect };

/**
 * Chromium logs "Failed to load resource" for every API call a test makes fail on purpose:
 * "the server responded with a status of 500 (…)", or "net::ERR_FAILED" for an aborted
 * request ('network'). Consumes those (only the listed kinds) and fails on anything else.
 */
export function expectOnlyHttpErrors(consoleErrors: string[], expected: (number | 'network')[]) {
  const failed = /^Failed to load resource: (?:the server responded with a status of (\d{3})\b|net::ERR_FAILED)/;
  const unexpected = consoleErrors.filter((text) => {
    const m = failed.exec(text);
    if (!m) return true;
    const kind = m[1] === undefined ? 'network' : Number(m[1]);
    return !expected.includes(kind);
  });
  consoleErrors.length = 0;
  expect(unexpected, 'console errors other than the expected failed requests').toEqual([]);
}
