import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, expectOnlyHttpErrors, waitForHydration } from './fixtures';
import { JobsApi, notification } from '../pages/jobs';
import { OrderRow } from '../pages/order-row';
import { OrdersApi } from '../pages/orders-api';
import type { OrdersPage } from '../pages/orders-page';

// Issue "Every state designed": zero axe-core violations at WCAG 2.2 AA on every route and on
// every section of the state gallery. Runs in project `a11y` on a server of its own (it places
// an order); each page is checked once hydrated, as people and designers see it.

const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** Every axe violation on the page (or in `within`), one line per element, for the report. */
async function violations(page: Page, within?: string): Promise<string[]> {
  // What is still arriving (a notification fades in over 200 ms) is measured once it has: axe
  // would take its colours half-way. Endless animations (spinners, pulses) are not waited for.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  let axe = new AxeBuilder({ page }).withTags(WCAG_22_AA);
  if (within) axe = axe.include(within);
  const { violations } = await axe.analyze();
  const lines: string[] = [];
  for (const v of violations) {
    for (const n of v.nodes) {
      const selector = n.target.join(' ');
      // In the gallery: which section the element is in.
      const section = await page.evaluate(
        (sel) => document.querySelector(sel)?.closest('[data-testid^="gallery-"]')?.getAttribute('data-testid') ?? null,
        selector,
      );
      lines.push(`${section ? `[${section}] ` : ''}${v.id} (${v.impact}) at ${selector}: ${n.failureSummary?.replace(/\s+/g, ' ')}`);
    }
  }
  return lines;
}

async function expectAccessible(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
  expect(await violations(page), `${path}: axe violations at WCAG 2.2 AA`).toEqual([]);
}

test.describe('accessibility', () => {
  // A full axe run per page: room for a loaded machine.
  test.describe.configure({ timeout: 60_000 });

  test('signed out: sign-in and sign-up have no violations', async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    for (const path of ['/sign-in', '/sign-up']) await expectAccessible(page, path);
    await context.close();
  });

  test('the list, its empty search and members have no violations', async ({ page }) => {
    for (const path of ['/orders', '/orders?q=no-such-order-anywhere', '/members']) await expectAccessible(page, path);
  });

  test('the not-found page has no violations', async ({ page, consoleErrors }) => {
    await expectAccessible(page, '/no-such-page');
    expectOnlyHttpErrors(consoleErrors, [404]);
  });

  test('the list with a row being edited has no violations', async ({ page, ordersPage, request }) => {
    // A draft of its own: the other tests here place orders, and a placed order has no editor.
    const { row } = await openOwnDraft(new OrdersApi(request), ordersPage);
    await row.editButton.click();
    await expect(page.getByTestId('name-editor')).toBeVisible();
    expect(await violations(page), 'the open editor').toEqual([]);
  });

  test('the accepted screen and the status page have no violations', async ({ page, request }) => {
    const draft = await new OrdersApi(request).createDraft('Axe Check Ltd', 'Contrast cards');
    const job = await new JobsApi(request).place(draft);
    await expectAccessible(page, `/jobs/${job.id}/accepted`);
    await expectAccessible(page, `/jobs/${job.id}`);
  });

  test('every section of the state gallery has no violations', async ({ page }) => {
    await page.goto('/states');
    await waitForHydration(page);
    const sections = await page.locator('[data-testid^="gallery-"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
    expect(sections.length, 'the gallery has its sections').toBeGreaterThan(30);
    // One run over the whole gallery; each violation names its section.
    const found = await violations(page);
    expect(found, 'gallery: axe violations at WCAG 2.2 AA').toEqual([]);
  });
});

/**
 * From the top of `page`, Tab reaches every control a person can see, in reading (document)
 * order, skipping none and adding none, each with a visible focus ring, until it leaves the
 * page. Each step is checked against the page as it is then, so rows that change meanwhile
 * (a job ending elsewhere) don't matter; if the control focus left was removed meanwhile,
 * the next step may be any control. Returns what it walked. Positive tabindex, a control
 * hidden from Tab, or a focus trap would fail.
 */
async function expectTabWalksThePage(page: Page): Promise<string[]> {
  const walked: string[] = [];
  for (let step = 0; step < 1000; step += 1) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const name = (el: Element | null) =>
        el ? `${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.textContent?.trim().slice(0, 30) ?? ''}]` : 'nothing (off the page)';
      const tabbable = [...document.querySelectorAll<HTMLElement>('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]')]
        .filter((el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0)
        .filter((el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]'));
      const walk = window as unknown as { previous?: Element | null };
      const previous = walk.previous ?? null;
      const expected = (previous ? tabbable[tabbable.indexOf(previous as HTMLElement) + 1] : tabbable[0]) ?? null;
      const el = document.activeElement === document.body ? null : (document.activeElement as HTMLElement | null);
      // The control Tab left was taken out of the page meanwhile (by a change from elsewhere):
      // the browser goes on from where it was, which the page no longer shows; any control will do.
      const gone = !!previous && !previous.isConnected;
      walk.previous = el;
      const style = el ? getComputedStyle(el) : null;
      const ring = !!style && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none');
      const inOrder = gone ? el !== null && tabbable.includes(el) : el === expected;
      return { inOrder, off: el === null, name: name(el), expected: gone ? 'any control (the last one left the page)' : name(expected), ring };
    });
    expect(at.inOrder, `after ${walked.at(-1) ?? 'the top of the page'}, Tab reaches ${at.expected}, not ${at.name}`).toBe(true);
    if (at.off) return walked;
    expect(at.ring, `${at.name} shows where focus is`).toBe(true);
    walked.push(at.name);
  }
  throw new Error(`Tab never left the page: a focus trap after ${walked.at(-1)}`);
}

/** A fresh draft of this test's own on /orders, and its row. */
async function openOwnDraft(api: OrdersApi, ordersPage: OrdersPage) {
  const draft = await api.ownDraft('Keys', 'Walnut shelf');
  await ordersPage.goto();
  return { draft, row: new OrderRow(ordersPage.page, draft.label) };
}

// Keyboard only: every control is reached by focus and worked with keys, never clicked. The
// effects are counted on the server. Serial: one test sets a fault rule (global to the server).
test.describe('keyboard and screen readers', () => {
  test.describe.configure({ mode: 'serial', timeout: 60_000 });

  test('Tab walks a row in reading order, through every action, each with a visible focus ring', async ({ page, request, ordersPage }) => {
    const { row } = await openOwnDraft(new OrdersApi(request), ordersPage);
    // What a row offers, in the order it reads.
    const controls = await row.root
      .locator('button:not([disabled]), a[href], input:not([type="hidden"])')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? el.textContent?.trim() ?? ''));
    expect(controls).toEqual(expect.arrayContaining(['star', 'edit-names', 'qty-increase', 'place-order', 'move-down', 'delete']));
    // Into the row from the one before it, as a keyboard user arrives.
    await row.starButton.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const walked: string[] = [];
    for (let i = 0; i < controls.length; i += 1) {
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const style = el ? getComputedStyle(el) : null;
        const ring = !!style && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none');
        return { id: el?.getAttribute('data-testid') ?? el?.textContent?.trim() ?? '', ring };
      });
      expect(focused.ring, `${focused.id} shows where focus is`).toBe(true);
      walked.push(focused.id);
      await page.keyboard.press('Tab');
    }
    expect(walked, 'Tab goes through the row in reading order, skipping nothing').toEqual(controls);
  });

  test('Tab walks every page from the top in reading order, from the skip link on', async ({ page, request }) => {
    // Some 200 key presses, each checked against the page: room for a loaded machine.
    test.setTimeout(120_000);
    const draft = await new OrdersApi(request).createDraft('Tab Walk Ltd', 'Oak stool');
    const job = await new JobsApi(request).place(draft);
    // Every job on this server ended first (this one, and those of the tests before): a row whose
    // job ends mid-walk gets its Cancel button right where focus is, and Tab may reach it before
    // the page reads as changed.
    const api = new OrdersApi(request);
    await expect.poll(async () => (await api.list()).filter((o) => o.status === 'placing').length, { timeout: 30_000 }).toBe(0);
    for (const path of ['/orders', '/members', `/jobs/${job.id}/accepted`, `/jobs/${job.id}`]) {
      await page.goto(path);
      await waitForHydration(page);
      const walked = await expectTabWalksThePage(page);
      expect(walked[0], `${path}: the first Tab is the way past the header`).toContain('Skip to content');
    }
  });

  test('star, quantity, delete and undo without a mouse; each lands once', async ({ page, request, ordersPage }) => {
    const api = new OrdersApi(request);
    const { draft, row } = await openOwnDraft(api, ordersPage);
    await row.starButton.focus();
    await page.keyboard.press('Space');
    await api.expectLanded({ [draft.label]: { starred: true, version: draft.version + 1 } }, { quietMs: 300 });
    await row.increaseButton.focus();
    await page.keyboard.press('Enter');
    await api.expectLanded({ [draft.label]: { quantity: draft.quantity + 1, version: draft.version + 2 } }, { quietMs: 300 });
    await row.deleteButton.focus();
    await page.keyboard.press('Enter');
    await expect(row.undoButton).toBeVisible();
    await row.undoButton.focus();
    await page.keyboard.press('Enter');
    await expect(row.root).toHaveAttribute('data-state', 'idle');
    // Undo keeps focus on the row, so the next key acts where the person is.
    await expect(row.root).toBeFocused();
    await api.expectLanded({ [draft.label]: { quantity: draft.quantity + 1, starred: true } });
    expect((await api.find(draft.label)) !== undefined, 'the order is back').toBe(true);
  });

  test('a rename the server refuses keeps what was typed, with focus at the field; Escape goes back; the rollback is announced once', async ({
    page,
    request,
    ordersPage,
    faults,
    consoleErrors,
  }) => {
    const api = new OrdersApi(request);
    const { draft, row } = await openOwnDraft(api, ordersPage);
    await row.editButton.focus();
    await page.keyboard.press('Enter');
    // The editor opens with focus in its first field.
    await expect(row.editor.customer).toBeFocused();
    await faults.next('rename', 'reject');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Keyboard Café');
    await page.keyboard.press('Enter');

    await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
    await expect(row.editor.customer).toHaveValue('Keyboard Café');
    await expect(row.editor.customer).toHaveAttribute('aria-invalid', 'true');
    await expect(row.editor.customer).toBeFocused();
    // Announced once, politely, by the row's status line (the field's message is not an alert).
    const said = `Couldn't rename ${draft.label}.`;
    await expect(page.locator('[aria-live="polite"], [role="status"]').filter({ hasText: said })).toHaveCount(1);
    await expect(page.locator('[aria-live="assertive"], [role="alert"]').filter({ hasText: said })).toHaveCount(0);
    await expect(page.locator('[role="alert"]').filter({ hasText: 'Change it and try again.' })).toHaveCount(0);
    await api.expectHolds({ [draft.label]: { customer: draft.customer, version: draft.version } }, 'nothing was renamed');

    await page.keyboard.press('Escape');
    await expect(row.root).toHaveAttribute('data-state', 'idle');
    await expect(row.customer).toHaveText(draft.customer);
    expectOnlyHttpErrors(consoleErrors, [422]);
  });

  test('cancel through the dialog by keyboard: focus stays inside it and returns to its opener; the order is cancelled once', async ({
    page,
    request,
    ordersPage,
  }) => {
    const api = new OrdersApi(request);
    const draft = await api.ownDraft('Keys', 'Walnut shelf');
    await new JobsApi(request).place(draft);
    await expect.poll(async () => (await api.get(draft.label)).status, { timeout: 20_000 }).toBe('placed');
    const placed = await api.get(draft.label);
    await ordersPage.goto();
    const row = new OrderRow(page, draft.label);
    const opener = row.root.getByTestId('cancel-order');
    const dialog = page.getByTestId('cancel-dialog');
    const keep = dialog.getByRole('button', { name: 'Keep order' });
    const confirm = dialog.getByTestId('confirm-cancel');

    await opener.focus();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await expect(confirm).toBeFocused();
    // Tab and Shift+Tab stay in the dialog.
    await page.keyboard.press('Tab');
    await expect(keep).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(confirm).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(keep).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(confirm).toBeFocused();
    // Escape: closed, nothing cancelled, focus back on Cancel.
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
    await api.expectHolds({ [draft.label]: { status: 'placed', version: placed.version } }, 'kept');

    await page.keyboard.press('Enter');
    await expect(confirm).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await api.expectLanded({ [draft.label]: { status: 'cancelled', version: placed.version + 1 } });
    // Its opener is gone with the cancel: focus is on the row.
    await expect(row.root).toBeFocused();
  });

  test('a job that ends is announced once, politely', async ({ page, request, ordersPage }) => {
    const api = new OrdersApi(request);
    const { draft } = await openOwnDraft(api, ordersPage);
    await new JobsApi(request).place(draft);
    const notice = notification(page, draft.label);
    await expect(notice).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('notifications-polite').getByTestId('notification').filter({ hasText: draft.label })).toHaveCount(1);
    await expect(page.getByTestId('notifications-assertive').getByTestId('notification')).toHaveCount(0);
  });

  test('a job that fails is announced once, assertively: the person must act', async ({ page, request, ordersPage, faults }) => {
    const api = new OrdersApi(request);
    const { draft } = await openOwnDraft(api, ordersPage);
    await faults.next('place', 'job_fail');
    await new JobsApi(request).place(draft);
    await expect(notification(page, draft.label)).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('notifications-assertive').getByTestId('notification').filter({ hasText: draft.label })).toHaveCount(1);
    await expect(page.getByTestId('notifications-polite').getByTestId('notification').filter({ hasText: draft.label })).toHaveCount(0);
  });
});
