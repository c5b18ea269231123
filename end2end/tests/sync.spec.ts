import { test, expect, expectOnlyHttpErrors, signIn, waitForHydration } from './fixtures';
import { OrderRow } from '../pages/order-row';
import { holdNextWrite } from '../pages/faults';
import { OrdersApi, formatMoney, lineTotalCents } from '../pages/orders-api';
import { AcceptedPage } from '../pages/jobs';
import { OrdersPage } from '../pages/orders-page';
import type { Page, Request } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { SAME_ORIGIN } from '../pages/same-origin';

// The app-wide sync engine (issue "One sync engine"): pending writes outlive the page they
// were made on, every write has a deadline, the server's prices win, and two tabs never
// overwrite each other with values computed from a stale record. Every claim is checked on
// the server's own records (versions count effects), not only on the page.
//
// These run on the sync server (its own database and an 8 s write deadline; see
// playwright.config.ts), serially, because fault rules are global to a server.

test.describe.configure({ mode: 'serial' });

let api: OrdersApi;

test.beforeEach(async ({ request }) => {
  api = new OrdersApi(request);
});

/** Every quantity write the page sends from now on, with its idempotency key. */
function quantityWrites(page: Page): { key: string; quantity: string }[] {
  const seen: { key: string; quantity: string }[] = [];
  page.on('request', (r: Request) => {
    if (!r.url().endsWith('/api/orders/quantity')) return;
    const form = new URLSearchParams(r.postData() ?? '');
    seen.push({ key: form.get('key') ?? '', quantity: form.get('quantity') ?? '' });
  });
  return seen;
}

test('an edit in flight survives placing another order, its accepted screen and status page: confirmed once', async ({
  page,
  ordersPage,
}) => {
  const before = await api.get('ORD-1003');
  // Held on its way until the person is on the status page.
  const release = await holdNextWrite(page, 'quantity');
  const writes = quantityWrites(page);
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1003');

  await row.increase();
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  // While the edit is out: place another draft, then follow the accepted screen's links.
  await ordersPage.row('ORD-1004').getByTestId('place-order').click();
  const accepted = new AcceptedPage(page);
  await expect(accepted.title).toHaveText('Got it — ORD-1004 is being placed');
  await accepted.statusLink.click();
  await expect(page.getByTestId('job-status')).toBeVisible();
  expect((await api.get('ORD-1003')).version, 'still on its way').toBe(before.version);
  // The answer arrives while the person is on the status page.
  release();
  await expect.poll(async () => (await api.get('ORD-1003')).version, { timeout: 5_000 }).toBe(before.version + 1);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();

  await expect(row.root).toHaveAttribute('data-state', 'idle');
  await expect(row.quantityValue).toHaveText(String(before.quantity + 1));
  const after = await api.get('ORD-1003');
  expect([after.quantity, after.version], 'exactly one effect on the server').toEqual([before.quantity + 1, before.version + 1]);
  expect(writes.length, 'one request: nothing was dropped and resent').toBe(1);
});

test('an edit survives in-app navigation to the gallery and back while it is still queued', async ({ page, ordersPage }) => {
  const before = await api.get('ORD-1010');
  // The star is held on its way until the gallery shows, so the + is still queued behind it.
  const release = await holdNextWrite(page, 'star');
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1010');
  await row.star();
  // Queued behind the star: made on this page, sent after the star's answer, wherever we are.
  await row.increase();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'State gallery' }).click();
  await expect(page.getByRole('heading', { name: 'State gallery', level: 1 })).toBeVisible();
  expect((await api.get('ORD-1010')).version, 'both still on their way').toBe(before.version);
  release();
  await expect.poll(async () => (await api.get('ORD-1010')).version, { timeout: 6_000 }).toBe(before.version + 2);
  await nav.getByRole('link', { name: 'Orders' }).click();

  await expect(row.root).toHaveAttribute('data-state', 'idle');
  expect(await row.starred()).toBe(!before.starred);
  await expect(row.quantityValue).toHaveText(String(before.quantity + 1));
  const after = await api.get('ORD-1010');
  expect([after.starred, after.quantity, after.version]).toEqual([!before.starred, before.quantity + 1, before.version + 2]);
});

test('a request that hangs: "Still saving…" after 3 s, then the resend with the same key lands once', async ({
  page,
  ordersPage,
  faults,
  consoleErrors,
}) => {
  const before = await api.get('ORD-1006');
  await faults.next('quantity', 'hang');
  const writes = quantityWrites(page);
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1006');

  const clicked = Date.now();
  await row.increase();
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.statusMessage).toHaveText('Still saving…', { timeout: 6_000 });
  expect(Date.now() - clicked, 'not before 3 s').toBeGreaterThanOrEqual(2_900);

  await expect(row.root).toHaveAttribute('data-state', 'idle', { timeout: 15_000 });
  await expect(row.quantityValue).toHaveText(String(before.quantity + 1));
  await expect(row.statusMessage).toHaveCount(0);
  expect(writes.length, 'abandoned at the deadline and resent').toBeGreaterThanOrEqual(2);
  expect(new Set(writes.map((w) => w.key)).size, 'every resend carries the same key').toBe(1);
  const after = await api.get('ORD-1006');
  expect([after.quantity, after.version], 'one effect').toEqual([before.quantity + 1, before.version + 1]);
  // A resend that meets the held first request is told "in progress" (409) and waits.
  expectOnlyHttpErrors(consoleErrors, [409]);
});

test('soft conflict: the server prices 20 units with a promotion the client cannot predict; the row shows its total', async ({
  ordersPage,
  faults,
}) => {
  const start = await api.setQuantity('ORD-1007', 19);
  const predicted = lineTotalCents(20, start.unit_price);
  await faults.next('quantity', 'delay', { ms: 2_000 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1007');

  await row.increase();
  // The guess first (shared bulk-discount rule) …
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.totalValue).toHaveText(formatMoney(predicted));
  // … then the server's record, which differs from it.
  await expect(row.root).toHaveAttribute('data-state', 'idle');
  const server = await api.get('ORD-1007');
  expect(server.quantity).toBe(20);
  expect(server.total, 'the server computes something the client did not predict').not.toBe(predicted);
  await expect(row.totalValue).toHaveText(formatMoney(server.total));
  await expect(row.statusMessage).toHaveCount(0);
});

test('two browsers on one row: no confirmed change is overwritten by a stale computation, and every note tells the truth', async ({
  browser,
  baseURL,
  faults,
}) => {
  await api.setQuantity('ORD-1008', 40);
  await faults.latency(300);
  // Two browsers (tabs of one browser share confirmed records through storage, see
  // nothing-lost.spec.ts): A hears nothing pushed (its event stream never opens), so it surely
  // still shows 40 when it acts, the stale one of the scenario, whatever the machine's speed.
  const [contextA, contextB] = [await browser.newContext({ baseURL }), await browser.newContext({ baseURL })];
  await signIn(contextA.request, baseURL!);
  await signIn(contextB.request, baseURL!);
  const [pageA, pageB] = [await contextA.newPage(), await contextB.newPage()];
  await pageA.route('**/api/events?*', () => {});
  const tabA = new OrdersPage(pageA);
  const tabB = new OrdersPage(pageB);
  await tabA.goto();
  await tabB.goto();
  const rowA = tabA.orderRow('ORD-1008');
  const rowB = tabB.orderRow('ORD-1008');
  await expect(rowA.quantityValue).toHaveText('40');

  // B lowers 40 → 39 and it is confirmed; A, still showing 40, presses + twice.
  await rowB.decrease();
  await expect(rowB.root).toHaveAttribute('data-state', 'idle');
  const b39 = await api.get('ORD-1008');
  expect(b39.quantity).toBe(39);
  await expect(rowA.quantityValue).toHaveText('40');
  // A's first + is answered late enough that its second is surely pressed before (a + pressed
  // after the conflict note would be a new intent on a row showing 39, which clears the note).
  await faults.next('quantity', 'delay', { ms: 3_000 });
  await rowA.increase();
  await rowA.increase();
  await expect(rowA.quantityValue).toHaveText('42');

  // Settled: A's first + met the conflict and took no effect; its second took one.
  await expect.poll(async () => (await api.get('ORD-1008')).version, { timeout: 10_000 }).toBe(b39.version + 1);
  await expect(rowA.root).toHaveAttribute('aria-busy', 'false');
  const server = await api.get('ORD-1008');
  // B's 39 stands, with A's second + re-made on it: never the stale 42 (or 41).
  expect(server.quantity).toBe(40);
  await expect(rowA.quantityValue).toHaveText(String(server.quantity));
  await expect(rowB.quantityValue).toHaveText(String(server.quantity));
  // A lost its first +, and says so; B's change was confirmed, and B says nothing.
  await expect(rowA.root).toHaveAttribute('data-state', 'updated-elsewhere');
  await expect(rowA.statusMessage).toContainText("ORD-1008 was changed elsewhere, so your change to the quantity wasn't saved.");
  await expect(rowB.statusMessage).toHaveCount(0);
  await contextA.close();
  await contextB.close();
});

/** Deletes the row of `draft` on the page, and waits until the server holds the delete. */
async function deleteHeld(ordersPage: OrdersPage, draft: { label: string }) {
  const row = ordersPage.orderRow(draft.label);
  await row.delete();
  await expect(row.statusMessage).toHaveText('Deleted ·');
  await expect.poll(async () => api.find(draft.label), { timeout: 5_000 }).toBeUndefined();
  return row;
}

test('a delete undone elsewhere brings the row back here at once, and an edit on it lands once', async ({ request, ordersPage }) => {
  const draft = await api.ownDraft('Undone elsewhere', 'Lamp');
  await ordersPage.goto();
  const row = await deleteHeld(ordersPage, draft);
  // Someone else (another browser, a script) undoes it while this page shows its undo window.
  const res = await request.post('/api/orders/undo_delete', { headers: SAME_ORIGIN, form: { key: randomUUID(), id: draft.id } });
  expect(res.status(), await res.text()).toBe(200);
  const restored = await api.get(draft.label);
  expect(restored.version, 'deleted, then restored').toBe(draft.version + 2);
  // The pushed record says it is live again: the row is an ordinary row here, not "Deleted".
  await expect(row.root).toHaveAttribute('data-state', 'idle');
  await expect(row.undoButton).toHaveCount(0);
  await row.star();
  await expect.poll(async () => (await api.get(draft.label)).version, { timeout: 5_000 }).toBe(restored.version + 1);
  expect((await api.get(draft.label)).starred).toBe(true);
  await expect(row.root).toHaveAttribute('data-state', 'idle');
});

test('move up passes over a row shown deleted: the row goes above the live one, moved once on the server', async ({ ordersPage }) => {
  // Drafts go on top: the list reads jug, cup, bowl.
  const bowl = await api.ownDraft('Passed over', 'Bowl');
  const cup = await api.ownDraft('Passed over', 'Cup');
  const jug = await api.ownDraft('Passed over', 'Jug');
  await ordersPage.goto();
  await deleteHeld(ordersPage, cup);
  // The row above the bowl is the deleted cup; the server places rows among live ones only.
  const row = ordersPage.orderRow(bowl.label);
  await row.moveUpButton.click();
  await expect.poll(async () => (await api.get(bowl.label)).version, { timeout: 5_000 }).toBe(bowl.version + 1);
  await expect(row.root).toHaveAttribute('data-state', 'idle');
  const [movedBowl, stillJug] = [await api.get(bowl.label), await api.get(jug.label)];
  expect(movedBowl.position, 'the bowl is above the jug').toBeLessThan(stillJug.position);
  expect(stillJug.version, 'the jug was not moved').toBe(jug.version);
  const shown = async () => (await ordersPage.numbers()).filter((n) => [bowl.label, cup.label, jug.label].includes(n));
  await expect.poll(shown).toEqual([bowl.label, jug.label, cup.label]);
});

// A page the server drew with a draft's editor open (a form's result, or a reload of it)
// hydrates with it, and then works as the app. Here, not in hydration.spec.ts: it adds a draft,
// and the app server's specs count the seeded list.
test('a page drawn with the editor open hydrates with it, and the rename lands once', async ({ page }) => {
  const rowOf = async (number: string) => {
    const row = new OrderRow(page, number);
    await expect(row.root).toBeVisible();
    return row;
  };
  const draft = await api.ownDraft('No-JS', 'Editor drawn open');
  await page.goto(`/orders?edit=${draft.id}`);
  await waitForHydration(page);
  const row = await rowOf(draft.label);
  await expect(row.editor.customer).toHaveValue(draft.customer);
  await row.editor.customer.fill('Drawn Open Ltd');
  await row.editor.customer.press('Enter');
  // Saved by the app (no page load): the editor closes, the row shows it, the server has it once.
  await expect(row.editor.customer).toHaveCount(0);
  await expect(row.customer).toHaveText('Drawn Open Ltd');
  await api.expectLanded({ [draft.label]: { customer: 'Drawn Open Ltd', version: draft.version + 1 } });
});
