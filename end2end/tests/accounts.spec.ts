import { test, expect, expectOnlyHttpErrors, signIn, watchConsole, DEMO, DEMO_EDITOR } from './fixtures';
import { AuthPage, Members, openOrders } from '../pages/accounts';
import { OrdersApi } from '../pages/orders-api';
import { OrdersPage } from '../pages/orders-page';

// Accounts and shared workspaces: every spec here changes who may do what in the demo
// workspace, so they run one at a time on their own server.
test.describe.configure({ mode: 'serial' });

test.afterEach(async ({ request, baseURL }) => {
  // Sam is the demo workspace's editor again for the next spec.
  const members = new Members(request, baseURL!);
  const res = await request.post('/api/workspace/members', { form: {}, headers: { origin: baseURL! } });
  const body = await res.json();
  if (!body.members.some((m: { email: string }) => m.email === DEMO_EDITOR.email)) {
    await members.share(DEMO_EDITOR.email, 'editor');
  } else {
    await members.setRole(DEMO_EDITOR.email, 'editor');
  }
});

test('a new account signs up to an empty list of its own, creates a draft and places it', async ({ browser, consoleErrors }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  watchConsole(page, consoleErrors);
  const email = `new-${Date.now()}@example.com`;
  await new AuthPage(page).signUp(email, 'a good long password');
  await expect(page).toHaveURL(/\/orders$/);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(page.getByTestId('empty-list')).toContainText('No orders yet.');
  await expect(page.getByTestId('order-row')).toHaveCount(0);

  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByTestId('new-order').click();
  const row = page.getByTestId('order-row').first();
  await row.getByTestId('edit-customer').fill('Nia Adeyemi');
  await row.getByTestId('edit-item').fill('Walnut desk');
  await row.getByTestId('edit-save').click();
  await expect(row).toHaveAttribute('data-state', 'idle');
  await row.getByTestId('place-order').click();
  await expect(page.getByTestId('accepted')).toBeVisible();
  // Not in the demo workspace: the demo owner never sees it.
  const demo = new OrdersApi(context.request);
  const theirs = await demo.list();
  expect(theirs.map((o) => o.customer)).toEqual(['Nia Adeyemi']);
  await context.close();
});

test('a wrong password says so at the form, and the demo accounts are shown in demo mode', async ({ page }) => {
  await page.context().clearCookies();
  const auth = new AuthPage(page);
  await auth.signIn(DEMO.email, 'not the password');
  await expect(auth.error).toHaveText("That email and password don't match an account. Check them and try again.");
  await expect(page.getByTestId('email')).toHaveValue(DEMO.email);
  await expect(page.getByTestId('demo-accounts')).toContainText(DEMO_EDITOR.email);
});

test('two people sharing a workspace see each other\u2019s edits live', async ({ page, browser, baseURL }) => {
  const sam = await browser.newContext();
  await signIn(sam.request, baseURL!, DEMO_EDITOR);
  const samPage = await sam.newPage();
  const owner = new OrdersPage(page);
  await owner.goto();
  await openOrders(samPage);
  const samView = new OrdersPage(samPage);
  await expect(samView.feedMode).toHaveAttribute('data-mode', 'live');
  await expect(owner.feedMode).toHaveAttribute('data-mode', 'live');

  const mine = owner.orderRow('ORD-1006');
  const before = await mine.quantity();
  await mine.increase();
  await expect(samView.orderRow('ORD-1006').quantityValue).toHaveText(String(before + 1));
  const starred = (await new OrdersApi(page.request).get('ORD-1010')).starred;
  await samView.orderRow('ORD-1010').star();
  await expect(owner.orderRow('ORD-1010').starButton).toHaveAttribute('aria-pressed', String(!starred));
  await sam.close();
});

test('an editor demoted while an edit is on its way gets it rolled back in place, with why', async ({ page, browser, baseURL, request }) => {
  const sam = await browser.newContext();
  await signIn(sam.request, baseURL!, DEMO_EDITOR);
  const samPage = await sam.newPage();
  const errors: string[] = [];
  watchConsole(samPage, errors);
  await openOrders(samPage);
  const samView = new OrdersPage(samPage);
  await expect(samView.feedMode).toHaveAttribute('data-mode', 'live');
  const api = new OrdersApi(request);
  const before = await api.get('ORD-1007');

  // Sam's + is held on its way until the owner has demoted Sam to viewer.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  await samPage.route('**/api/orders/quantity', async (route) => {
    await held;
    await route.continue();
  });
  const row = samView.orderRow('ORD-1007');
  await row.increase();
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await new Members(request, baseURL!).setRole(DEMO_EDITOR.email, 'viewer');
  // The page hears of the new role at once: no more edit controls…
  await expect(samPage.getByTestId('role')).toHaveAttribute('data-role', 'viewer');
  release();
  // … and the held change comes back refused and rolls back in place, saying why.
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.statusMessage).toContainText('You can view this order but no longer change it.');
  await expect(row.quantityValue).toHaveText(String(before.quantity));
  await expect(row.increaseButton).toHaveCount(0);
  await expect(samPage.getByTestId('new-order')).toHaveCount(0);
  expect((await api.get('ORD-1007')).version, 'nothing changed on the server').toBe(before.version);
  expectOnlyHttpErrors(errors, [403]);
  await sam.close();
});

test('removing a member takes the workspace\u2019s rows off their open page at once', async ({ browser, baseURL, request }) => {
  const sam = await browser.newContext();
  await signIn(sam.request, baseURL!, DEMO_EDITOR);
  const samPage = await sam.newPage();
  await openOrders(samPage);
  const samView = new OrdersPage(samPage);
  await expect(samView.feedMode).toHaveAttribute('data-mode', 'live');
  await expect(samView.rows.first()).toBeVisible();
  await new Members(request, baseURL!).setRole(DEMO_EDITOR.email, 'remove');
  await expect(samPage.getByTestId('revoked-banner')).toContainText('You no longer have access to this workspace');
  await expect(samView.rows).toHaveCount(0);
  await sam.close();
});

test('a session that ends with changes pending holds them; after signing in (another tab) each lands once', async ({ page, context, baseURL, consoleErrors }) => {
  const orders = new OrdersPage(page);
  await orders.goto();
  await expect(orders.feedMode).toHaveAttribute('data-mode', 'live');
  const api = new OrdersApi(context.request);
  const before = { a: await api.get('ORD-1014'), b: await api.get('ORD-1015') };
  // The session ends on the server (as it would by expiring): the page doesn't know yet.
  const out = await context.request.post('/api/accounts/sign-out', { headers: { origin: baseURL!, accept: 'application/json' } });
  expect(out.status()).toBe(200);
  await orders.orderRow('ORD-1014').star();
  await orders.orderRow('ORD-1015').star();
  await expect(orders.offlineBanner).toHaveText(/Sign in to send 2 changes/);
  await expect(orders.offlineBanner).toHaveAttribute('data-net', 'signed-out');
  await expect(orders.orderRow('ORD-1014').root).toHaveAttribute('data-state', 'pending');

  // Someone else signs in on this browser: the held changes are not theirs to send.
  await signIn(context.request, baseURL!, DEMO_EDITOR);
  await page.waitForTimeout(4_000); // more than one probe (every 3 s)
  await expect(orders.offlineBanner).toHaveText(/Sign in to send 2 changes/);
  await api.expectHolds({ 'ORD-1014': { version: before.a.version }, 'ORD-1015': { version: before.b.version } }, 'nothing sent as someone else');

  // Sign in in a new tab; this page and its changes stay.
  const [tab] = await Promise.all([context.waitForEvent('page'), page.getByTestId('sign-in-to-send').click()]);
  watchConsole(tab, consoleErrors);
  await tab.getByTestId('email').fill(DEMO.email);
  await tab.getByTestId('password').fill(DEMO.password);
  await tab.getByTestId('sign-in').click();
  await expect(tab).toHaveURL(/\/orders$/);

  await expect(orders.orderRow('ORD-1014').root).toHaveAttribute('data-state', 'idle', { timeout: 15_000 });
  await expect(orders.orderRow('ORD-1015').root).toHaveAttribute('data-state', 'idle');
  await expect(orders.offlineBanner).toHaveCount(0);
  const after = { a: await api.get('ORD-1014'), b: await api.get('ORD-1015') };
  // Each landed exactly once: one version step, the star flipped once.
  expect([after.a.version, after.b.version]).toEqual([before.a.version + 1, before.b.version + 1]);
  expect([after.a.starred, after.b.starred]).toEqual([!before.a.starred, !before.b.starred]);
  expectOnlyHttpErrors(consoleErrors, [401]);
});

test('a viewer sees the orders without any edit control', async ({ browser, baseURL, request }) => {
  await new Members(request, baseURL!).setRole(DEMO_EDITOR.email, 'viewer');
  const sam = await browser.newContext();
  await signIn(sam.request, baseURL!, DEMO_EDITOR);
  const samPage = await sam.newPage();
  await openOrders(samPage);
  const rows = samPage.getByTestId('order-row');
  await expect(rows.first()).toBeVisible();
  await expect(samPage.getByTestId('role')).toHaveText('Viewer');
  for (const control of ['star', 'qty-increase', 'edit-names', 'delete', 'place-order', 'new-order']) {
    await expect(samPage.getByTestId(control), control).toHaveCount(0);
  }
  await sam.close();
});
