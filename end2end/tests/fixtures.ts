import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { Faults } from '../pages/faults';
import { OrdersPage } from '../pages/orders-page';

/** The demo accounts the seeded servers have: the owner of the demo workspace, and its editor. */
export const DEMO = { email: 'demo@orderdesk.test', password: 'demo-password' } as const;
export const DEMO_EDITOR = { email: 'sam@orderdesk.test', password: 'demo-password' } as const;

/**
 * Signs `request` in (a browser context's `context.request` shares its cookies with the pages).
 * It sends `Origin` as the app's own pages do.
 */
export async function signIn(request: APIRequestContext, baseURL: string, who: { email: string; password: string } = DEMO) {
  const res = await request.post('/api/accounts/sign-in', {
    form: { email: who.email, password: who.password },
    headers: { origin: baseURL, accept: 'application/json' },
  });
  expect(res.status(), `sign-in of ${who.email}: ${await res.text()}`).toBe(200);
}

/**
 * Every test fails if the page logs a console error or throws. Pages (`context`) and API calls
 * (`request`) are signed in as the demo owner.
 */
export const test = base.extend<{ consoleErrors: string[]; ordersPage: OrdersPage; faults: Faults }>({
  context: async ({ context, baseURL }, use) => {
    await signIn(context.request, baseURL!);
    await use(context);
  },
  request: async ({ request, baseURL }, use) => {
    await signIn(request, baseURL!);
    await use(request);
  },
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      watchConsole(page, errors);
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

/**
 * Collects `page`'s console errors and uncaught exceptions into `errors`. The `consoleErrors`
 * fixture does this for `page`; a test that opens more pages (a second tab, a page opened after
 * closing the first) watches them into the same list, so one check covers them all.
 */
export function watchConsole(page: Page, errors: string[]) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
}

/** Waits until the WASM client has hydrated the server-rendered page: clicks work from here. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
}

export { expect };

/**
 * Chromium logs "Failed to load resource" for every API call a test makes fail on purpose:
 * "the server responded with a status of 500 (…)", "net::ERR_FAILED" for an aborted
 * request ('network'), or "net::ERR_INTERNET_DISCONNECTED" for a request (or the event stream)
 * tried while the browser is offline (`context.setOffline(true)`: 'offline'). Consumes those
 * (only the listed kinds) and fails on anything else.
 */
export function expectOnlyHttpErrors(consoleErrors: string[], expected: (number | 'network' | 'offline')[]) {
  const failed =
    /^Failed to load resource: (?:the server responded with a status of (\d{3})\b|net::(ERR_FAILED|ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED)\b)/;
  const unexpected = consoleErrors.filter((text) => {
    const m = failed.exec(text);
    if (!m) return true;
    const kind = m[1] !== undefined ? Number(m[1]) : m[2] === 'ERR_FAILED' ? 'network' : 'offline';
    return !expected.includes(kind);
  });
  consoleErrors.length = 0;
  expect(unexpected, 'console errors other than the expected failed requests').toEqual([]);
}
