import type { Page } from '@playwright/test';
import { test, expect, waitForHydration, DEMO } from './fixtures';
import { OrdersApi, type ServerOrder } from '../pages/orders-api';
import { OrderRow } from '../pages/order-row';
import { AcceptedPage, JobStatusPage } from '../pages/jobs';

// Issue "Every action works without JavaScript": every write is a real form the server
// rendered. These run in project `nojs` (JavaScript off, its own server): each write is made
// by posting that form, and every proof counts the order's versions on the server (one applied
// write is one version). Each test works on drafts of its own, made through the API.

// Each test is a series of whole-page round trips (a post, its redirect, the page again): on a
// loaded machine the longest takes more than the default 30 s.
test.describe.configure({ timeout: 60_000 });

let api: OrdersApi;

test.beforeEach(async ({ request }) => {
  api = new OrdersApi(request);
});

/** A fresh draft of this test's own (on top of the list), as the server holds it. */
const ownDraft = (item = 'Form-made lamp') => api.ownDraft('No-JS', item);

/** The row of `number` on /orders, after the page (re)loaded. */
async function rowOf(page: Page, number: string): Promise<OrderRow> {
  const row = new OrderRow(page, number);
  await expect(row.root).toBeVisible();
  return row;
}

test('each write posts its form and lands once: star, − and +, rename and note, move, delete and undo, new order', async ({ page }) => {
  const draft = await ownDraft();
  await page.goto('/orders');
  let row = await rowOf(page, draft.label);
  const holds = (fields: Partial<ServerOrder>) => api.expectLanded({ [draft.label]: fields }, { quietMs: 300 });

  await row.star();
  await expect(page).toHaveURL(new RegExp(`/orders#order-${draft.id}$`));
  await holds({ starred: true, version: draft.version + 1 });
  await expect(row.starButton).toHaveAttribute('aria-pressed', 'true');

  await row.increase();
  await holds({ quantity: draft.quantity + 1, version: draft.version + 2 });
  await expect(row.quantityValue).toHaveText(String(draft.quantity + 1));
  await row.decrease();
  await holds({ quantity: draft.quantity, version: draft.version + 3 });

  // The editor without JavaScript: the page again, with it open; one Save sends names and note.
  await row.editButton.click();
  await expect(page).toHaveURL(new RegExp(`edit=${draft.id}`));
  await row.editor.customer.fill('Lantern & Co.');
  await row.editor.note.fill('Ring twice');
  await row.editor.save.click();
  await holds({ customer: 'Lantern & Co.', item: draft.item, note: 'Ring twice', version: draft.version + 5 });
  await expect(row.customer).toHaveText('Lantern & Co.');
  await expect(row.editor.customer).toHaveCount(0);

  // Cancel in the editor saves nothing.
  await row.editButton.click();
  await row.editor.customer.fill('Never saved');
  await row.editor.cancel.click();
  await expect(row.customer).toHaveText('Lantern & Co.');
  await holds({ customer: 'Lantern & Co.', version: draft.version + 5 });

  // Moves: the server's list order says where it went (relative to the row below, as other
  // tests may add drafts on top meanwhile).
  const numbers = async () => (await api.list()).map((o) => `ORD-${o.number}`);
  const below = (await numbers())[(await numbers()).indexOf(draft.label) + 1];
  const gap = async () => {
    const list = await numbers();
    return list.indexOf(draft.label) - list.indexOf(below);
  };
  expect(await gap()).toBe(-1);
  await row.moveDownButton.click();
  await expect.poll(gap).toBe(1);
  await rowOf(page, draft.label);
  await row.moveUpButton.click();
  await expect.poll(gap).toBe(-1);
  await holds({ version: draft.version + 7 });

  // Delete: the row is gone, the page offers Undo; Undo brings it back as it was.
  await row.delete();
  await expect(row.root).toHaveCount(0);
  const notice = page.getByTestId('form-notice');
  await expect(notice).toContainText(`Deleted ${draft.label}.`);
  expect(await api.find(draft.label)).toBeUndefined();
  await notice.getByTestId('undo').click();
  row = await rowOf(page, draft.label);
  await expect(row.customer).toHaveText('Lantern & Co.');
  expect((await api.get(draft.label)).customer).toBe('Lantern & Co.');

  // New order: one draft, its editor open on the page. Counted by the defaults it starts with
  // (only this test makes a draft that way here), not by the list's length, which the other
  // tests of this server change meanwhile.
  const newDrafts = async () => (await api.list()).filter((o) => o.customer === 'New customer').map((o) => o.id);
  const before = await newDrafts();
  await page.getByTestId('new-order').click();
  await expect(page).toHaveURL(/edit=[0-9a-f-]{36}#order-/);
  await expect(page.getByTestId('edit-customer')).toHaveCount(1);
  const made = (await newDrafts()).filter((id) => !before.includes(id));
  expect(made, 'one draft made').toHaveLength(1);
  expect(page.url()).toContain(`edit=${made[0]}`);
});

test('two posts of the same rendered form are one write', async ({ page, context }) => {
  const draft = await ownDraft();
  await page.goto('/orders');
  const row = await rowOf(page, draft.label);
  // The + form exactly as the page rendered it, posted twice as a browser would.
  const form = row.increaseButton.locator('xpath=ancestor::form');
  const fields: Record<string, string> = {};
  for (const input of await form.locator('input[type=hidden]').all()) {
    fields[(await input.getAttribute('name'))!] = (await input.getAttribute('value'))!;
  }
  expect(fields.key, 'the page made the key').toMatch(/^[0-9a-f-]{36}$/);
  const action = (await form.getAttribute('action'))!;
  for (let i = 0; i < 2; i++) {
    const res = await context.request.post(action, {
      form: fields,
      headers: { origin: new URL(page.url()).origin, accept: 'text/html' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
  }
  await api.expectLanded({ [draft.label]: { quantity: draft.quantity + 1, version: draft.version + 1 } });
});

test('a refused edit shows its message at the field and keeps what was typed', async ({ page }) => {
  const draft = await ownDraft('Brass desk lamp');
  // From a search: the editor opens, and comes back refused, on the same search.
  const search = `q=${encodeURIComponent(draft.customer).replace(/%20/g, '+')}`;
  await page.goto(`/orders?${search}`);
  const row = await rowOf(page, draft.label);
  await row.editButton.click();
  await expect(page).toHaveURL(new RegExp(`\\?${search.replace('+', '\\+')}&edit=${draft.id}$`));
  await row.editor.customer.fill('');
  await row.editor.item.fill('Typed, not saved');
  await row.editor.save.click();
  await expect(row.editor.customer).toHaveAttribute('aria-invalid', 'true');
  await expect(row.editor.errors).toHaveCount(1);
  await expect(row.editor.errors).not.toBeEmpty();
  await expect(row.editor.item).toHaveValue('Typed, not saved');
  await expect(page).toHaveURL(new RegExp(`\\?${search.replace('+', '\\+')}&edit=${draft.id}#order-${draft.id}$`));
  await api.expectHolds({ [draft.label]: { customer: draft.customer, item: 'Brass desk lamp', version: draft.version } }, 'nothing was saved');
});

test('a form from before a change made elsewhere says so and shows the current values', async ({ page }) => {
  const draft = await ownDraft();
  await page.goto('/orders');
  const row = await rowOf(page, draft.label);
  const changed = await api.setQuantity(draft.label, 7);
  await row.star();
  await expect(row.statusMessage).toContainText(`${draft.label} was changed elsewhere, so your star wasn't saved.`);
  await expect(row.quantityValue).toHaveText('7');
  await expect(row.starButton).toHaveAttribute('aria-pressed', 'false');
  await api.expectHolds({ [draft.label]: { starred: false, quantity: 7, version: changed.version } }, 'the stale star changed nothing');
  // Dismiss works without JavaScript too: the page again, without the notice, at the row.
  await row.root.getByTestId('dismiss').click();
  await expect(row.statusMessage).toHaveCount(0);
  await expect(row.quantityValue).toHaveText('7');
  await expect(page).toHaveURL(/\/orders\??(#order-[0-9a-f-]+)?$/);
});

test('place: the accepted screen, then the status page reloads itself until the job ends', async ({ page }) => {
  const draft = await ownDraft();
  await page.goto('/orders');
  const row = await rowOf(page, draft.label);
  await row.root.getByTestId('place-order').click();
  const accepted = new AcceptedPage(page);
  await expect(accepted.root).toBeVisible();
  const jobId = accepted.jobId();
  await accepted.statusLink.click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
  const status = new JobStatusPage(page);
  await expect(status.root).toHaveAttribute('data-state', 'placing');
  await expect(status.root).toHaveAttribute('data-state', 'placed', { timeout: 20_000 });
  expect((await api.get(draft.label)).status).toBe('placed');
  // Ended: it stops reloading (the same document for a while).
  const loads: string[] = [];
  page.on('load', () => loads.push(page.url()));
  await page.waitForTimeout(3_000);
  expect(loads, 'no reload after the job ended').toEqual([]);

  // Cancel: the dialog is a page of its own; Keep order goes back, Cancel order cancels it once.
  const placed = await api.get(draft.label);
  await page.goto('/orders');
  const cancelButton = row.root.getByTestId('cancel-order');
  const dialog = page.getByTestId('cancel-dialog');
  await cancelButton.click();
  await expect(page).toHaveURL(new RegExp(`cancel=${draft.id}`));
  await expect(dialog).toContainText(`Cancel ${draft.label}?`);
  await dialog.getByRole('button', { name: 'Keep order' }).click();
  await expect(dialog).toHaveCount(0);
  await api.expectHolds({ [draft.label]: { status: 'placed', version: placed.version } }, 'kept');
  await cancelButton.click();
  await dialog.getByRole('button', { name: 'Cancel order' }).click();
  await expect(page).toHaveURL(new RegExp(`/orders#order-${draft.id}$`));
  await expect(dialog).toHaveCount(0);
  await api.expectLanded({ [draft.label]: { status: 'cancelled', version: placed.version + 1 } });
  await expect(row.root.getByTestId('status-badge')).toContainText('Cancelled');
});

test('sign out and back in with forms', async ({ page }) => {
  await page.goto('/orders');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/orders');
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByTestId('sign-in-form').getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/orders/);
  await expect(page.getByTestId('order-row').first()).toBeVisible();
});

test.describe('with JavaScript', () => {
  test.use({ javaScriptEnabled: true });

  test('a click before the app has loaded submits the form the server rendered, once', async ({ page }) => {
    const draft = await ownDraft();
    // The client arrives late (held until the click has been made, and at least 2 s): the
    // click lands on server-rendered HTML, however slow the machine.
    let release!: () => void;
    const clicked = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/pkg/*.wasm', async (route) => {
      await Promise.all([clicked, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      // The page it was for may have been left meanwhile (the click's post reloads it).
      await route.continue().catch(() => {});
    });
    await page.goto('/orders', { waitUntil: 'domcontentloaded' });
    const row = await rowOf(page, draft.label);
    expect(await page.locator('body').getAttribute('data-hydrated')).toBeNull();
    await row.star();
    release();
    await api.expectLanded({ [draft.label]: { starred: true, version: draft.version + 1 } });
    await waitForHydration(page);
    await expect(row.starButton).toHaveAttribute('aria-pressed', 'true');
    await api.expectHolds({ [draft.label]: { starred: true, version: draft.version + 1 } }, 'still once after hydrating');
  });
});
