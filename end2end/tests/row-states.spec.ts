import { test, expect } from './fixtures';
import { Faults, type WriteKind } from '../pages/faults';
import { OrdersApi, formatMoney, lineTotalCents } from '../pages/orders-api';
import type { OrderRow } from '../pages/order-row';
import type { Page } from '@playwright/test';

// Every optimistic row state, produced live with the server's fault controls.
//
// Fault rules are global to the one e2e server, so every test that uses them lives in this
// file and the file runs serially; rules are cleared before and after each test. Each test
// works on its own seeded row (ORD-1020 … ORD-1001, never ORD-1025/1024/1023/1004, which the
// other specs check), reads starting values from the page or the server rather than assuming
// seed values, and leaves the list as it found it: every delete is undone and every star
// restored, so "25 orders · 5 starred" and the searches in the other specs keep holding.
// Tests that change the star count or delete rows come last, well after the other (short)
// specs have finished on the second worker.

test.describe.configure({ mode: 'serial' });

let faults: Faults;
let api: OrdersApi;

test.beforeEach(async ({ request }) => {
  faults = new Faults(request);
  api = new OrdersApi(request);
  await faults.clear();
});

test.afterEach(async ({ request }) => {
  await new Faults(request).clear();
});

/**
 * Chromium logs "Failed to load resource" for every API call a test makes fail on purpose:
 * "the server responded with a status of 500 (…)", or "net::ERR_FAILED" for an aborted
 * request ('network'). Consumes those (only the listed kinds) and fails on anything else.
 */
function expectOnlyHttpErrors(consoleErrors: string[], expected: (number | 'network')[]) {
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

/** Waits for the next answer to a write of `kind` with `status`. */
function answer(page: Page, kind: WriteKind, status: number) {
  return page.waitForResponse((r) => r.url().endsWith(`/api/orders/${kind}`) && r.status() === status);
}

/** Write requests (anything but reads) the page sends from now on. */
function recordWrites(page: Page): string[] {
  const writes: string[] = [];
  page.on('request', (r) => {
    const m = /\/api\/orders\/(\w+)$/.exec(r.url());
    if (m && m[1] !== 'list' && m[1] !== 'get') writes.push(m[1]);
  });
  return writes;
}

async function expectIdle(row: OrderRow) {
  await expect(row.root).toHaveAttribute('data-state', 'idle');
  await expect(row.root).toHaveAttribute('aria-busy', 'false');
  await expect(row.statusMessage).toHaveCount(0);
}

/**
 * The optimistic, in-flight look. Tests that check it make the server hold the answer
 * (delay/latency) for longer than this may take, so it is seen before the answer lands.
 */
async function expectInFlight(row: OrderRow, state: 'pending' | 'deleted' = 'pending') {
  await expect(row.root).toHaveAttribute('data-state', state, { timeout: 1_000 });
  await expect(row.root).toHaveAttribute('aria-busy', 'true', { timeout: 1_000 });
}

// ----- Validation at the field (no write) ---------------------------------------------------

test('validation at the field: an empty customer name is refused at the input and nothing is sent', async ({
  page,
  ordersPage,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1019');
  const customer = await row.customer.textContent();
  const writes = recordWrites(page);

  await row.editButton.click();
  await row.editor.customer.fill('   ');
  await row.editor.save.click();

  await expect(row.editor.errors).toHaveText("Customer name can't be empty. Type a customer name.");
  await expect(row.editor.customer).toHaveAttribute('aria-invalid', 'true');
  await expect(row.editor.item).toHaveAttribute('aria-invalid', 'false');
  await expect(row.root).toHaveAttribute('data-state', 'idle');

  await row.editor.cancel.click();
  await expect(row.customer).toHaveText(customer!);
  await expectIdle(row);
  // Sending starts synchronously on an action; give a stray request a moment to show up.
  await page.waitForTimeout(200);
  expect(writes).toEqual([]);
});

// ----- Quantity ---------------------------------------------------------------------------

test('quantity ok: the new quantity shows at once, pending and busy, then idle with the server total', async ({
  ordersPage,
}) => {
  const before = await api.get('ORD-1016');
  await faults.next('quantity', 'delay', { ms: 1_500 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1016');
  await expect(row.quantityValue).toHaveText(String(before.quantity));

  await row.increase();
  await expect(row.quantityValue).toHaveText(String(before.quantity + 1), { timeout: 1_000 });
  await expectInFlight(row);
  await expect(row.quantityValue).toHaveClass(/hedged/);
  await expect(row.totalValue).toHaveClass(/hedged/);

  await expectIdle(row);
  await expect(row.quantityValue).not.toHaveClass(/hedged/);
  const after = await api.get('ORD-1016');
  expect(after.quantity).toBe(before.quantity + 1);
  expect(after.version).toBe(before.version + 1);
  await expect(row.quantityValue).toHaveText(String(after.quantity));
  await expect(row.totalValue).toHaveText(formatMoney(after.total));
});

test('quantity server error: rolled back with the reason and Retry; Retry saves it and keeps focus on the row', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1014');
  const q0 = await row.quantity();
  const total0 = await row.total();
  await faults.next('quantity', 'server_error');

  await row.increase();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.quantityValue).toHaveText(String(q0));
  await expect(row.totalValue).toHaveText(total0);
  await expect(row.statusMessage).toContainText("Couldn't save the quantity for ORD-1014.");
  await expect(row.statusMessage).not.toContainText(/something went wrong/i);
  await expect(row.retryButton).toBeVisible();
  expect((await api.get('ORD-1014')).quantity).toBe(q0);

  await row.retry();
  await expectIdle(row);
  await expect(row.retryButton).toHaveCount(0);
  await expect(row.quantityValue).toHaveText(String(q0 + 1));
  await expect(row.root).toBeFocused();
  const after = await api.get('ORD-1014');
  expect(after.quantity).toBe(q0 + 1);
  await expect(row.totalValue).toHaveText(formatMoney(after.total));
  expectOnlyHttpErrors(consoleErrors, [500]);
});

test('quantity rejected: rolled back without Retry; the message says what to do', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1010');
  const q0 = await row.quantity();
  await faults.next('quantity', 'reject');

  await row.increase();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.quantityValue).toHaveText(String(q0));
  await expect(row.statusMessage).toContainText("Couldn't save the quantity for ORD-1010.");
  await expect(row.statusMessage).toContainText('Change it and try again.');
  await expect(row.retryButton).toHaveCount(0);
  // The validation error is shown at the field it names.
  await expect(row.root.locator('.col-qty')).toHaveClass(/invalid/);
  expect((await api.get('ORD-1010')).quantity).toBe(q0);

  await row.dismiss();
  await expectIdle(row);
  expectOnlyHttpErrors(consoleErrors, [422]);
});

test('quantity conflict: updated elsewhere, the row shows the server record and a quiet note', async ({
  ordersPage,
  consoleErrors,
}) => {
  const before = await api.get('ORD-1008');
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1008');
  await faults.next('quantity', 'conflict');

  await row.increase();
  await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
  const current = await api.get('ORD-1008');
  expect(current.version).toBe(before.version + 1); // changed "elsewhere", not by our write
  expect(current.quantity).toBe(before.quantity);
  await expect(row.quantityValue).toHaveText(String(current.quantity));
  await expect(row.totalValue).toHaveText(formatMoney(current.total));
  await expect(row.statusMessage).toHaveText(
    /^ORD-1008 was changed elsewhere, so your change to the quantity wasn't saved\..*make the change again/,
  );
  await expect(row.retryButton).toHaveCount(0);

  // Acting on the latest version works without a reload.
  await row.dismiss();
  await expectIdle(row);
  await row.increase();
  await expectIdle(row);
  expect((await api.get('ORD-1008')).quantity).toBe(before.quantity + 1);
  await expect(row.quantityValue).toHaveText(String(before.quantity + 1));
  expectOnlyHttpErrors(consoleErrors, [409]);
});

test('quantity transient failure once: the row stays pending, retries by itself and confirms without a rollback', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1007');
  const q0 = await row.quantity();
  const history = await row.recordHistory();
  await faults.next('quantity', 'transient');
  await faults.next('quantity', 'delay', { ms: 1_000 }); // the resend: slow, so pending stays observable

  const failed = answer(page, 'quantity', 503);
  await row.increase();
  await failed;
  // Waiting for the backoff: still pending and still showing the new value.
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.quantityValue).toHaveText(String(q0 + 1));

  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(q0 + 1));
  expect((await api.get('ORD-1007')).quantity).toBe(q0 + 1);
  const seen = await history();
  expect(seen.some((s) => s.startsWith('pending|')), seen.join('\n')).toBe(true);
  expect(seen.filter((s) => !s.startsWith('idle|') && !s.startsWith('pending|')), seen.join('\n')).toEqual([]);
  expectOnlyHttpErrors(consoleErrors, [503]);
});

test('quantity through a dropped network: the row stays pending while retrying, then confirms when it is back', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1005');
  const q0 = await row.quantity();
  const history = await row.recordHistory();
  let aborted = 0;
  await page.route('**/api/orders/quantity', (route) => {
    aborted += 1;
    return route.abort();
  });

  await row.increase();
  // The first send and the resend after 1 s both fail; the next one is due 2 s later.
  await expect.poll(() => aborted, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.quantityValue).toHaveText(String(q0 + 1));
  expect((await api.get('ORD-1005')).quantity).toBe(q0);

  await page.unroute('**/api/orders/quantity');
  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(q0 + 1));
  expect((await api.get('ORD-1005')).quantity).toBe(q0 + 1);
  expect(aborted).toBe(2);
  const seen = await history();
  expect(seen.some((s) => s.startsWith('rolled-back|')), seen.join('\n')).toBe(false);
  expectOnlyHttpErrors(consoleErrors, ['network']);
});

test('quantity transient until the retry bound: rolled back with "check your connection" and Retry', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  test.setTimeout(30_000);
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1003');
  const q0 = await row.quantity();
  await faults.next('quantity', 'transient', { count: 4 });

  const first = answer(page, 'quantity', 503);
  await row.increase();
  await first;
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.quantityValue).toHaveText(String(q0 + 1));

  // Four sends, 1 s + 2 s + 4 s apart, then the rollback.
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back', { timeout: 12_000 });
  await expect(row.quantityValue).toHaveText(String(q0));
  await expect(row.statusMessage).toHaveText("Couldn't save the quantity for ORD-1003. Check your connection and retry.");
  await expect(row.retryButton).toBeVisible();
  expect((await api.get('ORD-1003')).quantity).toBe(q0);

  await row.retry();
  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(q0 + 1));
  expect((await api.get('ORD-1003')).quantity).toBe(q0 + 1);
  expectOnlyHttpErrors(consoleErrors, [503]);
});

test('soft conflict: from 9 to 10 units the row takes the server total with the bulk discount', async ({
  ordersPage,
}) => {
  const nine = await api.setQuantity('ORD-1001', 9);
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1001');
  await expect(row.quantityValue).toHaveText('9');
  await expect(row.totalValue).toHaveText(formatMoney(9 * nine.unit_price));
  await expect(row.root.locator('.discount')).toHaveCount(0);

  await row.increase();
  await expectIdle(row);
  const ten = await api.get('ORD-1001');
  expect(ten.quantity).toBe(10);
  expect(ten.total).toBe(lineTotalCents(10, ten.unit_price));
  expect(ten.total).toBeLessThan(10 * ten.unit_price);
  await expect(row.quantityValue).toHaveText('10');
  await expect(row.totalValue).toHaveText(formatMoney(ten.total));
  await expect(row.root.locator('.discount')).toHaveText('Bulk −10%');
});

test('timing drift: a second + while the first is in flight ends at +2 on the row and on the server', async ({
  ordersPage,
}) => {
  const before = await api.get('ORD-1013');
  const q0 = before.quantity;
  await faults.next('quantity', 'delay', { ms: 2_000 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1013');
  const history = await row.recordHistory();

  await row.increase();
  await expect(row.quantityValue).toHaveText(String(q0 + 1), { timeout: 1_000 });
  await expectInFlight(row);
  await row.increase();
  await expect(row.quantityValue).toHaveText(String(q0 + 2), { timeout: 1_000 });
  await expect(row.root).toHaveAttribute('data-state', 'pending');

  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(q0 + 2));
  const after = await api.get('ORD-1013');
  expect(after.quantity).toBe(q0 + 2);
  expect(after.version).toBe(before.version + 2);
  await expect(row.totalValue).toHaveText(formatMoney(after.total));
  // The first answer (q0 + 1) never overwrote the newer intent on screen.
  const quantities = (await history()).map((s) => Number(s.split('|')[1]));
  const firstAtTwo = quantities.indexOf(q0 + 2);
  expect(firstAtTwo).toBeGreaterThan(0);
  expect(quantities.slice(firstAtTwo).every((q) => q === q0 + 2), quantities.join(',')).toBe(true);
});

test('stale rollback: the first quantity write is rejected while a second is queued; the second value stays and is saved', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1011');
  const q0 = await row.quantity();
  const history = await row.recordHistory();
  await faults.latency(1_500);
  await faults.next('quantity', 'reject');

  await row.increase();
  await expectInFlight(row);
  await row.increase();
  await expect(row.quantityValue).toHaveText(String(q0 + 2), { timeout: 1_000 });

  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(q0 + 2));
  expect((await api.get('ORD-1011')).quantity).toBe(q0 + 2);
  const seen = await history();
  expect(seen.some((s) => s.startsWith('rolled-back|')), seen.join('\n')).toBe(false);
  const quantities = seen.map((s) => Number(s.split('|')[1]));
  expect(quantities.slice(quantities.indexOf(q0 + 2)).every((q) => q === q0 + 2), quantities.join(',')).toBe(true);
  expectOnlyHttpErrors(consoleErrors, [422]);
});

test('a rollback touches only its row: every other row keeps its text and its server record', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1017');
  const serverBefore = await api.list();
  const others = ordersPage.rows.and(ordersPage.page.locator(':not([data-order-number="ORD-1017"])'));
  await expect(others).toHaveCount(serverBefore.length - 1);
  const othersBefore = await others.allInnerTexts();
  const rowBefore = await row.text();
  await faults.next('quantity', 'server_error');

  await row.decrease();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.statusMessage).toContainText("Couldn't save the quantity for ORD-1017.");
  expect(await others.allInnerTexts()).toEqual(othersBefore);
  await expect(ordersPage.rows.and(ordersPage.page.locator('[data-state="idle"]'))).toHaveCount(serverBefore.length - 1);
  expect(await api.list()).toEqual(serverBefore);

  await row.dismiss();
  await expectIdle(row);
  expect(await row.text()).toBe(rowBefore);
  expectOnlyHttpErrors(consoleErrors, [500]);
});

// ----- Rename -----------------------------------------------------------------------------

test('rename ok: the new names show at once, pending and busy, then idle with the server record', async ({
  ordersPage,
}) => {
  await faults.next('rename', 'delay', { ms: 1_500 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1020');

  await row.rename('Priya Raman Studio', 'Ergonomic chair, mesh back');
  await expect(row.customer).toHaveText('Priya Raman Studio', { timeout: 1_000 });
  await expect(row.item).toHaveText('Ergonomic chair, mesh back');
  await expectInFlight(row);
  await expect(row.editButton).toHaveClass(/hedged/);

  await expectIdle(row);
  await expect(row.editButton).not.toHaveClass(/hedged/);
  const after = await api.get('ORD-1020');
  expect([after.customer, after.item]).toEqual(['Priya Raman Studio', 'Ergonomic chair, mesh back']);
  await expect(row.customer).toHaveText(after.customer);
});

test('rename server error: the names are restored with Retry; Retry saves them and keeps focus on the row', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1016');
  const [customer0, item0] = [await row.customer.textContent(), await row.item.textContent()];
  await faults.next('rename', 'server_error');

  await row.rename('Yuki Tanaka Design', '4K monitor, 27 inch, matte');
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.customer).toHaveText(customer0!);
  await expect(row.item).toHaveText(item0!);
  await expect(row.statusMessage).toContainText("Couldn't rename ORD-1016.");
  await expect(row.retryButton).toBeVisible();

  await row.retry();
  await expectIdle(row);
  await expect(row.customer).toHaveText('Yuki Tanaka Design');
  await expect(row.root).toBeFocused();
  const after = await api.get('ORD-1016');
  expect([after.customer, after.item]).toEqual(['Yuki Tanaka Design', '4K monitor, 27 inch, matte']);
  expectOnlyHttpErrors(consoleErrors, [500]);
});

test('rename rejected: the names are restored, no Retry, the message names what to do', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1014');
  const customer0 = await row.customer.textContent();
  await faults.next('rename', 'reject');

  await row.rename('Chen Wei Imports', 'USB-C docking station');
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.customer).toHaveText(customer0!);
  await expect(row.statusMessage).toContainText("Couldn't rename ORD-1014.");
  await expect(row.statusMessage).toContainText('Change it and try again.');
  await expect(row.retryButton).toHaveCount(0);
  await expect(row.editButton).toHaveClass(/invalid/);
  expect((await api.get('ORD-1014')).customer).toBe(customer0);
  expectOnlyHttpErrors(consoleErrors, [422]);
});

test('rename conflict: updated elsewhere, the server names stay and a note says the rename was not saved', async ({
  ordersPage,
  consoleErrors,
}) => {
  const before = await api.get('ORD-1010');
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1010');
  await faults.next('rename', 'conflict');

  await row.rename('Olivia Bennett Kitchens', 'Cast-iron skillet, 30 cm');
  await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
  await expect(row.customer).toHaveText(before.customer);
  await expect(row.item).toHaveText(before.item);
  await expect(row.statusMessage).toContainText("ORD-1010 was changed elsewhere, so your rename wasn't saved.");
  const current = await api.get('ORD-1010');
  expect([current.customer, current.version]).toEqual([before.customer, before.version + 1]);
  expectOnlyHttpErrors(consoleErrors, [409]);
});

test('rename transient failure once: pending until the automatic resend confirms it', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1008');
  const history = await row.recordHistory();
  await faults.next('rename', 'transient');
  await faults.next('rename', 'delay', { ms: 1_000 }); // the resend: slow, so pending stays observable

  const failed = answer(page, 'rename', 503);
  await row.rename('Arjun Mehta Works', 'Laptop stand, aluminium');
  await failed;
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.customer).toHaveText('Arjun Mehta Works');

  await expectIdle(row);
  expect((await api.get('ORD-1008')).customer).toBe('Arjun Mehta Works');
  const seen = await history();
  expect(seen.some((s) => s.startsWith('rolled-back|')), seen.join('\n')).toBe(false);
  expectOnlyHttpErrors(consoleErrors, [503]);
});

// ----- Star (changes the starred count for a moment: every star is restored) ---------------

test('star ok: the star shows at once, pending and busy, then idle with the server record', async ({ ordersPage }) => {
  await faults.next('star', 'delay', { ms: 1_500 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1021');
  const before = await api.get('ORD-1021');
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(before.starred));

  await row.star();
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(!before.starred), { timeout: 1_000 });
  await expectInFlight(row);
  await expect(row.starButton).toHaveClass(/hedged/);
  await expectIdle(row);
  const after = await api.get('ORD-1021');
  expect([after.starred, after.version]).toEqual([!before.starred, before.version + 1]);

  await row.star(); // restore
  await expectIdle(row);
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(before.starred));
  expect((await api.get('ORD-1021')).starred).toBe(before.starred);
});

test('star server error: rolled back with Retry; Retry stars it and keeps focus on the row', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1018');
  const starred0 = await row.starred();
  await faults.next('star', 'server_error');

  await row.star();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(starred0));
  await expect(row.statusMessage).toContainText(`Couldn't ${starred0 ? 'unstar' : 'star'} ORD-1018.`);
  await expect(row.retryButton).toBeVisible();

  await row.retry();
  await expectIdle(row);
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(!starred0));
  await expect(row.root).toBeFocused();
  expect((await api.get('ORD-1018')).starred).toBe(!starred0);

  await row.star(); // restore
  await expectIdle(row);
  expect((await api.get('ORD-1018')).starred).toBe(starred0);
  expectOnlyHttpErrors(consoleErrors, [500]);
});

test('star rejected: rolled back, no Retry, the message says what to do', async ({ ordersPage, consoleErrors }) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1015');
  const starred0 = await row.starred();
  await faults.next('star', 'reject');

  await row.star();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(starred0));
  await expect(row.statusMessage).toContainText(`Couldn't ${starred0 ? 'unstar' : 'star'} ORD-1015.`);
  await expect(row.statusMessage).toContainText('Change it and try again.');
  await expect(row.retryButton).toHaveCount(0);
  expect((await api.get('ORD-1015')).starred).toBe(starred0);
  expectOnlyHttpErrors(consoleErrors, [422]);
});

test('star conflict: updated elsewhere, the server star stays and a note says the star was not saved', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1012');
  const before = await api.get('ORD-1012');
  await faults.next('star', 'conflict');

  await row.star();
  await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(before.starred));
  await expect(row.statusMessage).toContainText("ORD-1012 was changed elsewhere, so your star wasn't saved.");
  const current = await api.get('ORD-1012');
  expect([current.starred, current.version]).toEqual([before.starred, before.version + 1]);
  expectOnlyHttpErrors(consoleErrors, [409]);
});

test('star transient failure once: pending until the automatic resend confirms it', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1009');
  const starred0 = await row.starred();
  const history = await row.recordHistory();
  await faults.next('star', 'transient');
  await faults.next('star', 'delay', { ms: 1_000 }); // the resend: slow, so pending stays observable

  const failed = answer(page, 'star', 503);
  await row.star();
  await failed;
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(!starred0));
  await expectIdle(row);
  expect((await api.get('ORD-1009')).starred).toBe(!starred0);
  const seen = await history();
  expect(seen.some((s) => s.startsWith('rolled-back|')), seen.join('\n')).toBe(false);

  await row.star(); // restore
  await expectIdle(row);
  expect((await api.get('ORD-1009')).starred).toBe(starred0);
  expectOnlyHttpErrors(consoleErrors, [503]);
});

test('double-click on the star: two intents in order, the row and the server end alike, no rollback shown', async ({
  page,
  ordersPage,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1002');
  const before = await api.get('ORD-1002');
  const history = await row.recordHistory();
  const writes = recordWrites(page);

  await row.starButton.dblclick();
  await expectIdle(row);
  const after = await api.get('ORD-1002');
  // Star then unstar: each click is one intent, sent once (the second waits for the first's
  // answer, against the version it produced) and applied once, in order.
  await expect(row.starButton).toHaveAttribute('aria-pressed', String(after.starred));
  expect(after.starred).toBe(before.starred);
  expect(writes).toEqual(['star', 'star']);
  expect(after.version).toBe(before.version + 2);
  const seen = await history();
  expect(seen.some((s) => s.startsWith('pending|')), seen.join('\n')).toBe(true);
  expect(seen.some((s) => /^(rolled-back|updated-elsewhere)\|/.test(s)), seen.join('\n')).toBe(false);
});

// ----- Delete (every delete is undone, within the server's undo window) --------------------

test('delete then Undo: "Deleted · Undo" in place at once, then the row comes back idle with the same values', async ({
  ordersPage,
}) => {
  await faults.next('delete', 'delay', { ms: 1_500 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1007');
  const before = await api.get('ORD-1007');
  const text0 = await row.text();

  await row.delete();
  await expectInFlight(row, 'deleted');
  await expect(row.statusMessage).toHaveText('Deleting… ·');
  await expect(row.statusMessage).toHaveText('Deleted ·');
  await expect(row.root).toHaveAttribute('aria-busy', 'false');
  await expect(row.undoButton).toBeVisible();
  expect(await api.find('ORD-1007')).toBeUndefined();

  await row.undo();
  await expectIdle(row);
  expect(await row.text()).toBe(text0);
  const after = await api.get('ORD-1007');
  expect([after.customer, after.item, after.quantity, after.total, after.starred]).toEqual([
    before.customer,
    before.item,
    before.quantity,
    before.total,
    before.starred,
  ]);
});

test('delete server error: the row comes back with Retry; Retry deletes it (then Undo restores it)', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1005');
  const text0 = await row.text();
  await faults.next('delete', 'server_error');

  await row.delete();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.statusMessage).toContainText("Couldn't delete ORD-1005.");
  await expect(row.quantityValue).toBeVisible();
  await expect(row.retryButton).toBeVisible();
  await api.get('ORD-1005');

  await row.retry();
  await expect(row.root).toHaveAttribute('data-state', 'deleted');
  await expect(row.statusMessage).toHaveText('Deleted ·');
  await expect(row.root).toBeFocused();
  expect(await api.find('ORD-1005')).toBeUndefined();

  await row.undo();
  await expectIdle(row);
  expect(await row.text()).toBe(text0);
  await api.get('ORD-1005');
  expectOnlyHttpErrors(consoleErrors, [500]);
});

test('delete rejected: the row comes back, no Retry, the message says what to do', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1003');
  await faults.next('delete', 'reject');

  await row.delete();
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.statusMessage).toContainText("Couldn't delete ORD-1003.");
  await expect(row.statusMessage).toContainText('Change it and try again.');
  await expect(row.retryButton).toHaveCount(0);
  await expect(row.undoButton).toHaveCount(0);
  await api.get('ORD-1003');
  expectOnlyHttpErrors(consoleErrors, [422]);
});

test('delete conflict: updated elsewhere, the row stays with a note that the delete was not saved', async ({
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1001');
  const before = await api.get('ORD-1001');
  await faults.next('delete', 'conflict');

  await row.delete();
  await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
  await expect(row.statusMessage).toContainText(
    "ORD-1001 was changed elsewhere, so your delete or undo wasn't saved.",
  );
  await expect(row.undoButton).toHaveCount(0);
  expect((await api.get('ORD-1001')).version).toBe(before.version + 1);
  expectOnlyHttpErrors(consoleErrors, [409]);
});

test('delete transient failure once: "Deleting…" until the automatic resend is held, then Undo', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1013');
  const history = await row.recordHistory();
  await faults.next('delete', 'transient');
  await faults.next('delete', 'delay', { ms: 1_000 }); // the resend: slow, so pending stays observable

  const failed = answer(page, 'delete', 503);
  await row.delete();
  await failed;
  await expect(row.root).toHaveAttribute('data-state', 'deleted');
  await expect(row.statusMessage).toHaveText('Deleting… ·');
  await expect(row.statusMessage).toHaveText('Deleted ·');
  expect(await api.find('ORD-1013')).toBeUndefined();

  await row.undo();
  await expectIdle(row);
  await api.get('ORD-1013');
  const seen = await history();
  expect(seen.some((s) => s.startsWith('rolled-back|')), seen.join('\n')).toBe(false);
  expectOnlyHttpErrors(consoleErrors, [503]);
});

test('a second delete after Undo keeps its own full undo window', async ({ page, ordersPage }) => {
  // The server holds each delete for 10 s (writes.undo_window_secs). Delete, Undo, wait, and
  // delete again: the row must keep "Deleted · Undo" until the SECOND window closes, not the first.
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1006');
  await row.delete();
  await expect(row.statusMessage).toHaveText('Deleted ·');
  await row.undo();
  await expectIdle(row);
  await page.waitForTimeout(3_500);
  await row.delete();
  await expect(row.statusMessage).toHaveText('Deleted ·');
  // Past the first delete's window (10 s after it), inside the second one.
  await page.waitForTimeout(7_500);
  await expect(row.undoButton).toBeVisible();
  await row.undo();
  await expectIdle(row);
  expect((await api.get('ORD-1006')).number).toBe(1006);
});
