import { test, expect, expectOnlyHttpErrors } from './fixtures';
import { holdNextWrite, type Faults, type WriteKind } from '../pages/faults';
import { OrdersApi, formatMoney, lineTotalCents, type ServerOrder } from '../pages/orders-api';
import type { OrderRow } from '../pages/order-row';
import type { OrdersPage } from '../pages/orders-page';
import type { Locator, Page } from '@playwright/test';

// Every optimistic row state, produced live with the server's fault controls.
//
// Fault rules are global to the one e2e server, so every test that uses them lives in this
// file and the file runs serially; rules are cleared before and after each test. Each test
// works on its own seeded row (ORD-1022 … ORD-1001, never ORD-1025/1024/1023/1004, which the
// other specs check), reads starting values from the page or the server rather than assuming
// seed values, and leaves the list as it found it: every delete is undone and every star
// restored, so "25 orders · 5 starred" and the searches in the other specs keep holding
// (renames keep the old names as a prefix, so a search for them still finds the row).
// Tests that change the star count or delete rows come last, well after the other (short)
// specs have finished on the second worker.
//
// The cases every action shares (action × outcome) are generated from one table, CASES, with
// the per-action pieces (how to act on a row, how to read the changed value on the row and on
// the server, what a rollback says) in a descriptor per action: EDITS for quantity, rename and
// star, one shape; delete has its own shape (DELETE_FLOWS). Behaviour that no other action
// shares is proven by the individual tests between the generated ones. From 20 units the
// server may add a promotion of its own, so a row's total is only ever compared with the
// server's `total` (the generated cases also stay below 20 units); the one prediction checked
// is the shared bulk discount at 10 units.

test.describe.configure({ mode: 'serial' });

let faults: Faults;
let api: OrdersApi;

// Asking for the shared `faults` fixture here makes every test clear the rules before and after it.
test.beforeEach(async ({ faults: controls, request }) => {
  faults = controls;
  api = new OrdersApi(request);
});

/** Waits for the next answer to a write of `kind` with `status`. */
function answer(page: Page, kind: WriteKind, status: number) {
  return page.waitForResponse((r) => r.url().endsWith(`/api/orders/${kind}`) && r.status() === status);
}

/** Write requests (anything but reads) the page sends from now on. */
function recordWrites(page: Page): string[] {
  const writes: string[] = [];
  page.on('request', (r) => {
    const m = /\/api\/orders\/(\w+)$/.exec(r.url());
    if (m && m[1] !== 'page' && m[1] !== 'get') writes.push(m[1]); // reads are not writes
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
  await Promise.all([
    expect(row.root).toHaveAttribute('data-state', state, { timeout: 1_000 }),
    expect(row.root).toHaveAttribute('aria-busy', 'true', { timeout: 1_000 }),
  ]);
}

/** What a person reads on the row (quantity, total, names, star), in one round trip. */
function readRow(row: OrderRow) {
  return row.root.evaluate((el) => {
    const text = (id: string) => el.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
    return {
      quantity: text('quantity'),
      total: text('total'),
      customer: text('customer'),
      item: text('item'),
      starred: el.querySelector('[data-testid="star"]')?.getAttribute('aria-pressed'),
    };
  });
}

/** The row shows the server record `order`: every value a person reads on it, totals as the server priced them. */
async function expectRowShows(row: OrderRow, order: ServerOrder) {
  await expect
    .poll(() => readRow(row), { message: `${row.number} shows the server record` })
    .toEqual({
      quantity: String(order.quantity),
      total: formatMoney(order.total),
      customer: order.customer,
      item: order.item,
      starred: String(order.starred),
    });
}

/** The note a row shows when changes made elsewhere beat the person's: `change` names what was lost. */
function updatedElsewhere(number: string, change: string, count: 'one' | 'several' = 'one'): string {
  const verb = count === 'one' ? "wasn't" : "weren't";
  return `${number} was changed elsewhere, so ${change} ${verb} saved. The row shows the latest version; make the change again if you still need it.`;
}

/** The states in a row's recorded history (`OrderRow.recordHistory`), in order. */
function statesSeen(seen: string[]): string[] {
  return seen.map((s) => s.split('|')[0]);
}

// ----- The table ----------------------------------------------------------------------------

type ActionName = 'quantity' | 'rename' | 'star' | 'delete';
type Outcome = 'ok' | 'server_error' | 'reject' | 'conflict' | 'transient_once';

interface Case {
  action: ActionName;
  outcome: Outcome;
  /** The seeded row it works on. */
  row: string;
}

/** Every action × outcome case; the tests are generated in this order (star and delete last). */
const CASES: Case[] = [
  { action: 'quantity', outcome: 'ok', row: 'ORD-1016' },
  { action: 'quantity', outcome: 'server_error', row: 'ORD-1014' },
  { action: 'quantity', outcome: 'reject', row: 'ORD-1010' },
  { action: 'quantity', outcome: 'conflict', row: 'ORD-1008' },
  { action: 'quantity', outcome: 'transient_once', row: 'ORD-1022' },

  { action: 'rename', outcome: 'ok', row: 'ORD-1020' },
  { action: 'rename', outcome: 'server_error', row: 'ORD-1016' },
  { action: 'rename', outcome: 'reject', row: 'ORD-1014' },
  { action: 'rename', outcome: 'conflict', row: 'ORD-1010' },
  { action: 'rename', outcome: 'transient_once', row: 'ORD-1008' },

  { action: 'star', outcome: 'ok', row: 'ORD-1021' },
  { action: 'star', outcome: 'server_error', row: 'ORD-1018' },
  { action: 'star', outcome: 'reject', row: 'ORD-1015' },
  { action: 'star', outcome: 'conflict', row: 'ORD-1012' },
  { action: 'star', outcome: 'transient_once', row: 'ORD-1009' },

  { action: 'delete', outcome: 'ok', row: 'ORD-1007' },
  { action: 'delete', outcome: 'server_error', row: 'ORD-1005' },
  { action: 'delete', outcome: 'reject', row: 'ORD-1003' },
  { action: 'delete', outcome: 'conflict', row: 'ORD-1001' },
  { action: 'delete', outcome: 'transient_once', row: 'ORD-1013' },
];

type Fixtures = { page: Page; ordersPage: OrdersPage; consoleErrors: string[] };

// ----- Edits (quantity, rename, star): one shape ---------------------------------------------

/** One action that edits a field, described once. `V` is the value it changes. */
interface EditSpec<V> {
  kind: 'quantity' | 'rename' | 'star';
  /** The value as the server holds it. */
  of(order: ServerOrder): V;
  /** What the action makes of `value`. */
  change(value: V): V;
  /** Acts on the row so that it asks for `to`. */
  perform(row: OrderRow, to: V): Promise<void>;
  /** The row shows `value` (before the server has answered too). */
  expectShows(row: OrderRow, value: V, options?: { timeout?: number }): Promise<void>;
  /** What is hedged while the change is unconfirmed. */
  hedged(row: OrderRow): Locator[];
  /** Where a rejection (422) shows at the field it names, if the field is on the row. */
  invalidAt?(row: OrderRow): Locator;
  /**
   * Made in the editor: a rejection opens it again with what was sent (checked here), the
   * message at `invalidAt`, focus on it; Escape goes back to the server's value.
   */
  expectKept?(row: OrderRow, value: V): Promise<void>;
  /** The first sentence of the rollback message. */
  failure(number: string, before: V): string;
  /** How the "updated elsewhere" note names the lost change. */
  lost: string;
  /** The test undoes a saved change (stars: the starred count is shared with other specs). */
  restore?: true;
  /** Cosmetic: a failure Retry can mend is told quietly (one short line, no alarm). */
  quiet?: true;
}

/** An edit bound to one row and the value it started with (`before` → `after`). */
interface Edit {
  kind: WriteKind;
  perform(): Promise<void>;
  /** Acts again to go back from `after` to `before`. */
  performBack(): Promise<void>;
  expectShows(which: 'before' | 'after', options?: { timeout?: number }): Promise<void>;
  expectServerHolds(order: ServerOrder, which: 'before' | 'after'): void;
  hedged: Locator[];
  invalidAt?: Locator;
  expectKept?: () => Promise<void>;
  failure: string;
  lost: string;
  restore: boolean;
  quiet: boolean;
}

type EditAction = { kind: EditSpec<unknown>['kind']; bind(row: OrderRow, start: ServerOrder): Edit };

function editAction<V>(spec: EditSpec<V>): EditAction {
  return {
    kind: spec.kind,
    bind(row, start) {
      const values = { before: spec.of(start), after: spec.change(spec.of(start)) };
      return {
        kind: spec.kind,
        perform: () => spec.perform(row, values.after),
        performBack: () => spec.perform(row, values.before),
        expectShows: (which, options) => spec.expectShows(row, values[which], options),
        expectServerHolds: (order, which) => expect(spec.of(order) as unknown, `${spec.kind} on the server`).toEqual(values[which]),
        hedged: spec.hedged(row),
        invalidAt: spec.invalidAt?.(row),
        expectKept: spec.expectKept && (() => spec.expectKept!(row, values.after)),
        failure: spec.failure(row.number, values.before),
        lost: spec.lost,
        restore: spec.restore ?? false,
        quiet: spec.quiet ?? false,
      };
    },
  };
}

const EDITS: Record<EditAction['kind'], EditAction> = {
  quantity: editAction<number>({
    kind: 'quantity',
    of: (o) => o.quantity,
    change: (q) => q + 1,
    perform: (row) => row.increase(),
    expectShows: (row, q, options) => expect(row.quantityValue).toHaveText(String(q), options),
    hedged: (row) => [row.quantityValue, row.totalValue],
    invalidAt: (row) => row.root.locator('.col-qty'),
    failure: (number) => `Couldn't save the quantity for ${number}.`,
    lost: 'your change to the quantity',
  }),
  rename: editAction<[string, string]>({
    kind: 'rename',
    of: (o) => [o.customer, o.item],
    // The old names stay a prefix, so the other specs' searches still find the row.
    change: ([customer, item]) => [`${customer} Studio`, `${item}, boxed`],
    perform: (row, [customer, item]) => row.rename(customer, item),
    expectShows: async (row, [customer, item], options) => {
      await expect(row.customer).toHaveText(customer, options);
      await expect(row.item).toHaveText(item, options);
    },
    hedged: (row) => [row.editButton],
    invalidAt: (row) => row.editor.customer,
    expectKept: async (row, [customer, item]) => {
      await expect(row.editor.customer).toHaveValue(customer);
      await expect(row.editor.item).toHaveValue(item);
    },
    failure: (number) => `Couldn't rename ${number}.`,
    lost: 'your rename',
  }),
  star: editAction<boolean>({
    kind: 'star',
    of: (o) => o.starred,
    change: (starred) => !starred,
    perform: (row) => row.star(),
    expectShows: (row, starred, options) => expect(row.starButton).toHaveAttribute('aria-pressed', String(starred), options),
    hedged: (row) => [row.starButton],
    failure: (number, starred) => `Couldn't ${starred ? 'unstar' : 'star'} ${number}.`,
    lost: 'your star',
    restore: true,
    quiet: true,
  }),
};

/** Opens the list on the case's row, checks it shows the server record, and binds the action. */
async function openEdit(action: EditAction, number: string, { page, ordersPage }: Fixtures) {
  const start = await api.get(number);
  await ordersPage.goto();
  const row = ordersPage.orderRow(number);
  await expectRowShows(row, start);
  return { row, start, edit: action.bind(row, start), writes: recordWrites(page) };
}

/** Puts a saved change back where the test must leave the list as it found it (stars). */
async function restoreEdit(edit: Edit, row: OrderRow) {
  if (!edit.restore) return;
  await edit.performBack();
  await expectIdle(row);
  await edit.expectShows('before');
  edit.expectServerHolds(await api.get(row.number), 'before');
}

const EDIT_FLOWS: Record<Outcome, { title: string; run(action: EditAction, number: string, f: Fixtures): Promise<void> }> = {
  ok: {
    title: 'the change shows at once, hedged, pending and busy, then idle with the server record',
    async run(action, number, f) {
      const { row, start, edit, writes } = await openEdit(action, number, f);
      const release = await holdNextWrite(f.page, edit.kind);

      await edit.perform();
      // The in-flight look, at once, while the write is held on its way.
      await Promise.all([
        edit.expectShows('after', { timeout: 1_000 }),
        expectInFlight(row),
        ...edit.hedged.map((field) => expect(field).toHaveClass(/hedged/, { timeout: 1_000 })),
      ]);
      edit.expectServerHolds(await api.get(number), 'before'); // still on its way
      release();

      await expectIdle(row);
      for (const field of edit.hedged) await expect(field).not.toHaveClass(/hedged/);
      const after = await api.get(number);
      edit.expectServerHolds(after, 'after');
      expect(after.version).toBe(start.version + 1);
      await expectRowShows(row, after);
      expect(writes).toEqual([edit.kind]);
      await restoreEdit(edit, row);
    },
  },

  server_error: {
    title: 'rolled back with the reason and Retry; Retry saves it and keeps focus on the row',
    async run(action, number, f) {
      const { row, start, edit, writes } = await openEdit(action, number, f);
      await faults.next(edit.kind, 'server_error');

      await edit.perform();
      await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
      await expectRowShows(row, start);
      await expect(row.statusMessage).toContainText(edit.failure);
      await expect(row.statusMessage).not.toContainText(/something went wrong/i);
      await expect(row.retryButton).toBeVisible();
      if (edit.quiet) {
        // Cosmetic: one short line and a quiet mark, not a paragraph.
        await expect(row.statusMessage).toHaveText(edit.failure);
        await expect(row.root).toHaveClass(/is-quiet/);
      } else {
        await expect(row.root).not.toHaveClass(/is-quiet/);
      }
      edit.expectServerHolds(await api.get(number), 'before');

      await row.retry();
      await expectIdle(row);
      await expect(row.retryButton).toHaveCount(0);
      await edit.expectShows('after');
      await expect(row.root).toBeFocused();
      const after = await api.get(number);
      edit.expectServerHolds(after, 'after');
      await expectRowShows(row, after);
      expect(writes).toEqual([edit.kind, edit.kind]);
      expectOnlyHttpErrors(f.consoleErrors, [500]);
      await restoreEdit(edit, row);
    },
  },

  reject: {
    title: 'rolled back without Retry; the message says what to do and the field shows it',
    async run(action, number, f) {
      const { row, start, edit, writes } = await openEdit(action, number, f);
      await faults.next(edit.kind, 'reject');

      await edit.perform();
      await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
      await expect(row.statusMessage).toContainText(edit.failure);
      await expect(row.statusMessage).toContainText('Change it and try again.');
      await expect(row.retryButton).toHaveCount(0);
      edit.expectServerHolds(await api.get(number), 'before');
      if (edit.expectKept && edit.invalidAt) {
        // Made in the editor: it is open again with what was sent, the message at the field
        // (described by it), focus there; Escape goes back to the server's values.
        await edit.expectKept();
        await expect(edit.invalidAt).toHaveAttribute('aria-invalid', 'true');
        const described = await edit.invalidAt.getAttribute('aria-describedby');
        await expect(f.page.locator(`[id="${described}"]`)).toContainText('Change it and try again.');
        await expect(edit.invalidAt).toBeFocused();
        await f.page.keyboard.press('Escape');
      } else {
        await expectRowShows(row, start);
        // The validation error is shown at the field it names.
        if (edit.invalidAt) await expect(edit.invalidAt).toHaveClass(/invalid/);
        await row.dismiss();
      }
      await expectIdle(row);
      await expectRowShows(row, start);
      expect(writes).toEqual([edit.kind]);
      expectOnlyHttpErrors(f.consoleErrors, [422]);
    },
  },

  conflict: {
    title: 'updated elsewhere: the row shows the server record and a quiet note; acting again works without a reload',
    async run(action, number, f) {
      const { row, start, edit, writes } = await openEdit(action, number, f);
      await faults.next(edit.kind, 'conflict');

      await edit.perform();
      await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
      const current = await api.get(number);
      expect(current.version).toBe(start.version + 1); // changed "elsewhere", not by our write
      edit.expectServerHolds(current, 'before');
      await expectRowShows(row, current);
      await expect(row.statusMessage).toHaveText(updatedElsewhere(number, edit.lost));
      await expect(row.retryButton).toHaveCount(0);

      // Acting on the latest version works without a reload.
      await row.dismiss();
      await expectIdle(row);
      await edit.perform();
      await expectIdle(row);
      const after = await api.get(number);
      edit.expectServerHolds(after, 'after');
      await expectRowShows(row, after);
      expect(writes).toEqual([edit.kind, edit.kind]);
      expectOnlyHttpErrors(f.consoleErrors, [409]);
      await restoreEdit(edit, row);
    },
  },

  transient_once: {
    title: 'stays pending with the change, is resent by itself and confirmed without a rollback',
    async run(action, number, f) {
      const { row, edit, writes } = await openEdit(action, number, f);
      const history = await row.recordHistory();
      await faults.next(edit.kind, 'transient');
      await faults.next(edit.kind, 'delay', { ms: 500 }); // the resend: slow, so pending stays observable (after 1 s of backoff)

      const failed = answer(f.page, edit.kind, 503);
      await edit.perform();
      await failed;
      // Waiting for the backoff: still pending and still showing the change.
      await Promise.all([expect(row.root).toHaveAttribute('data-state', 'pending'), edit.expectShows('after')]);

      await expectIdle(row);
      await edit.expectShows('after');
      const after = await api.get(number);
      edit.expectServerHolds(after, 'after');
      await expectRowShows(row, after);
      const seen = await history();
      expect(statesSeen(seen), seen.join('\n')).toContain('pending');
      expect(statesSeen(seen).filter((s) => s !== 'idle' && s !== 'pending'), seen.join('\n')).toEqual([]);
      expect(writes).toEqual([edit.kind, edit.kind]); // the same write, resent once
      expectOnlyHttpErrors(f.consoleErrors, [503]);
      await restoreEdit(edit, row);
    },
  },
};

function generateEditTests(action: EditAction['kind']) {
  for (const c of CASES.filter((c) => c.action === action)) {
    const flow = EDIT_FLOWS[c.outcome];
    test(`${c.action} ${c.outcome.replace('_', ' ')} (${c.row}): ${flow.title}`, async ({ page, ordersPage, consoleErrors }) => {
      await flow.run(EDITS[action], c.row, { page, ordersPage, consoleErrors });
    });
  }
}

// ----- Delete: its own shape (held for the undo window; every delete is undone) -------------

const DELETE_FLOWS: Record<Outcome, { title: string; run(number: string, f: Fixtures): Promise<void> }> = {
  ok: {
    title: '"Deleted · Undo" in place at once, then Undo brings the row back idle with the same values',
    async run(number, { page, ordersPage }) {
      const before = await api.get(number);
      const release = await holdNextWrite(page, 'delete');
      await ordersPage.goto();
      const row = ordersPage.orderRow(number);
      const text0 = await row.text();
      const writes = recordWrites(page);

      await row.delete();
      // The in-flight look, at once, while the delete is held on its way.
      await Promise.all([
        expectInFlight(row, 'deleted'),
        expect(row.statusMessage).toHaveText('Deleting… ·', { timeout: 1_000 }),
      ]);
      expect(await api.find(number), 'not deleted yet').toBeDefined();
      release();
      await expect(row.statusMessage).toHaveText('Deleted ·');
      await expect(row.root).toHaveAttribute('aria-busy', 'false');
      await expect(row.undoButton).toBeVisible();
      expect(await api.find(number)).toBeUndefined();
      expect(writes).toEqual(['delete']);

      await row.undo();
      await expectIdle(row);
      expect(await row.text()).toBe(text0);
      const after = await api.get(number);
      expect([after.customer, after.item, after.quantity, after.total, after.starred]).toEqual([
        before.customer,
        before.item,
        before.quantity,
        before.total,
        before.starred,
      ]);
      expect(writes).toEqual(['delete', 'undo_delete']);
    },
  },

  server_error: {
    title: 'the row comes back with Retry; Retry deletes it and keeps focus on the row (then Undo restores it)',
    async run(number, { page, ordersPage, consoleErrors }) {
      await ordersPage.goto();
      const row = ordersPage.orderRow(number);
      const text0 = await row.text();
      const writes = recordWrites(page);
      await faults.next('delete', 'server_error');

      await row.delete();
      await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
      await expect(row.statusMessage).toContainText(`Your delete of ${number} did not complete. The order is still there.`);
      await expect(row.statusMessage).not.toContainText(/something went wrong/i);
      await expect(row.quantityValue).toBeVisible();
      await expect(row.retryButton).toBeVisible();
      await expect(row.undoButton).toHaveCount(0);
      await api.get(number);

      await row.retry();
      await expect(row.root).toHaveAttribute('data-state', 'deleted');
      await expect(row.statusMessage).toHaveText('Deleted ·');
      await expect(row.root).toBeFocused();
      expect(await api.find(number)).toBeUndefined();

      await row.undo();
      await expectIdle(row);
      expect(await row.text()).toBe(text0);
      await api.get(number);
      expect(writes).toEqual(['delete', 'delete', 'undo_delete']);
      expectOnlyHttpErrors(consoleErrors, [500]);
    },
  },

  reject: {
    title: 'the row comes back without Retry or Undo; the message says what to do',
    async run(number, { page, ordersPage, consoleErrors }) {
      await ordersPage.goto();
      const row = ordersPage.orderRow(number);
      const text0 = await row.text();
      const writes = recordWrites(page);
      await faults.next('delete', 'reject');

      await row.delete();
      await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
      await expect(row.statusMessage).toContainText(`Your delete of ${number} did not complete. The order is still there.`);
      await expect(row.statusMessage).toContainText('Change it and try again.');
      await expect(row.retryButton).toHaveCount(0);
      await expect(row.undoButton).toHaveCount(0);
      await api.get(number);

      await row.dismiss();
      await expectIdle(row);
      expect(await row.text()).toBe(text0);
      expect(writes).toEqual(['delete']);
      expectOnlyHttpErrors(consoleErrors, [422]);
    },
  },

  conflict: {
    title: 'updated elsewhere: the row stays with a note that the delete was not saved',
    async run(number, { page, ordersPage, consoleErrors }) {
      await ordersPage.goto();
      const row = ordersPage.orderRow(number);
      const before = await api.get(number);
      const writes = recordWrites(page);
      await faults.next('delete', 'conflict');

      await row.delete();
      await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
      await expect(row.statusMessage).toHaveText(updatedElsewhere(number, 'your delete or undo'));
      await expect(row.undoButton).toHaveCount(0);
      await expect(row.retryButton).toHaveCount(0);
      const current = await api.get(number);
      expect(current.version).toBe(before.version + 1);
      await expectRowShows(row, current);

      await row.dismiss();
      await expectIdle(row);
      await expectRowShows(row, current);
      expect(writes).toEqual(['delete']);
      expectOnlyHttpErrors(consoleErrors, [409]);
    },
  },

  transient_once: {
    title: '"Deleting…" until the automatic resend is held, then Undo, without a rollback',
    async run(number, { page, ordersPage, consoleErrors }) {
      await ordersPage.goto();
      const row = ordersPage.orderRow(number);
      const history = await row.recordHistory();
      const writes = recordWrites(page);
      await faults.next('delete', 'transient');
      await faults.next('delete', 'delay', { ms: 500 }); // the resend: slow, so pending stays observable (after 1 s of backoff)

      const failed = answer(page, 'delete', 503);
      await row.delete();
      await failed;
      // Waiting for the backoff: deleted in place, not yet held by the server.
      await Promise.all([
        expect(row.root).toHaveAttribute('data-state', 'deleted'),
        expect(row.statusMessage).toHaveText('Deleting… ·'),
      ]);
      await expect(row.statusMessage).toHaveText('Deleted ·');
      expect(await api.find(number)).toBeUndefined();

      await row.undo();
      await expectIdle(row);
      await api.get(number);
      const seen = await history();
      expect(statesSeen(seen).filter((s) => s === 'rolled-back' || s === 'updated-elsewhere'), seen.join('\n')).toEqual([]);
      expect(writes).toEqual(['delete', 'delete', 'undo_delete']); // the same delete, resent once
      expectOnlyHttpErrors(consoleErrors, [503]);
    },
  },
};

function generateDeleteTests() {
  for (const c of CASES.filter((c) => c.action === 'delete')) {
    const flow = DELETE_FLOWS[c.outcome];
    test(`delete ${c.outcome.replace('_', ' ')} (${c.row}): ${flow.title}`, async ({ page, ordersPage, consoleErrors }) => {
      await flow.run(c.row, { page, ordersPage, consoleErrors });
    });
  }
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

// ----- Quantity and rename × every outcome (generated) --------------------------------------

generateEditTests('quantity');
generateEditTests('rename');

// ----- Quantity: what only the − / + steps do -----------------------------------------------

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

test('the answer replaced by a gateway\'s error page: resent with the same key, one effect, no rollback', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  await ordersPage.goto();
  const number = 'ORD-1008';
  const row = ordersPage.orderRow(number);
  const before = await api.get(number);
  const history = await row.recordHistory();
  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/orders/quantity')) keys.push(new URLSearchParams(r.postData() ?? '').get('key') ?? '');
  });
  // The write reaches the server and is applied; what comes back is a proxy's HTML, not the
  // server's answer. Whether it happened is unknown to the page, so it must not roll back.
  let replaced = 0;
  await page.route('**/api/orders/quantity', async (route) => {
    if (replaced > 0) return route.continue();
    replaced += 1;
    await route.fetch();
    return route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
  });

  await row.increase();
  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(before.quantity + 1));
  await api.expectLanded({ [number]: { quantity: before.quantity + 1, version: before.version + 1 } });
  expect(keys.length, 'sent again after the gateway error').toBeGreaterThanOrEqual(2);
  expect(new Set(keys).size, 'with the same key').toBe(1);
  const seen = await history();
  expect(seen.some((s) => s.startsWith('rolled-back|')), seen.join('\n')).toBe(false);
  await page.unroute('**/api/orders/quantity');
  expectOnlyHttpErrors(consoleErrors, [502]);
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
  const writes = recordWrites(page);
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
  expect(writes).toEqual(['quantity', 'quantity', 'quantity', 'quantity']);

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
  // The shared bulk-discount rule holds at 10 units (a server-only promotion starts at 20).
  expect(ten.total).toBe(lineTotalCents(10, ten.unit_price));
  expect(ten.total).toBeLessThan(10 * ten.unit_price);
  await expect(row.quantityValue).toHaveText('10');
  await expect(row.totalValue).toHaveText(formatMoney(ten.total));
  await expect(row.root.locator('.discount')).toHaveText('Bulk −10%');
});

test('timing drift: a second + while the first is in flight ends at +2 on the row and on the server', async ({
  page,
  ordersPage,
}) => {
  const before = await api.get('ORD-1013');
  const q0 = before.quantity;
  // The first + is held on its way until the second has been made and checked.
  const release = await holdNextWrite(page, 'quantity');
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1013');
  const history = await row.recordHistory();
  const writes = recordWrites(page);

  await row.increase();
  await expect(row.quantityValue).toHaveText(String(q0 + 1), { timeout: 1_000 });
  await expectInFlight(row);
  await row.increase();
  await expect(row.quantityValue).toHaveText(String(q0 + 2), { timeout: 1_000 });
  await expect(row.root).toHaveAttribute('data-state', 'pending');
  expect((await api.get('ORD-1013')).quantity, 'the first + is still on its way').toBe(q0);
  release();

  await expectIdle(row);
  await expect(row.quantityValue).toHaveText(String(q0 + 2));
  const after = await api.get('ORD-1013');
  expect(after.quantity).toBe(q0 + 2);
  expect(after.version).toBe(before.version + 2);
  await expect(row.totalValue).toHaveText(formatMoney(after.total));
  expect(writes).toEqual(['quantity', 'quantity']);
  // The first answer (q0 + 1) never overwrote the newer intent on screen.
  const quantities = (await history()).map((s) => Number(s.split('|')[1]));
  const firstAtTwo = quantities.indexOf(q0 + 2);
  expect(firstAtTwo).toBeGreaterThan(0);
  expect(quantities.slice(firstAtTwo).every((q) => q === q0 + 2), quantities.join(',')).toBe(true);
});

test('stale rollback: the first + is refused while a second is queued; the refusal is told and the second + lands on the server value', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  // The first + is held on its way until the second has been made and checked: the second is
  // surely queued behind it.
  const release = await holdNextWrite(page, 'quantity');
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1011');
  const before = await api.get('ORD-1011');
  const q0 = before.quantity;
  await faults.next('quantity', 'reject');

  await row.increase();
  await expectInFlight(row);
  await row.increase();
  await expect(row.quantityValue).toHaveText(String(q0 + 2), { timeout: 1_000 });
  expect((await api.get('ORD-1011')).quantity, 'the first + is still on its way').toBe(q0);
  release();

  // A step adds to what lies beneath it: the refused first + is rolled back and said so (a
  // later step does not make it moot), and the second + is sent as +1 on the server's value.
  await expect(row.root).toHaveAttribute('data-state', 'rolled-back');
  await expect(row.statusMessage).toContainText(`Couldn't save the quantity for ORD-1011.`);
  await expect(row.retryButton).toHaveCount(0);
  await expect.poll(async () => (await api.get('ORD-1011')).version, { timeout: 15_000 }).toBe(before.version + 1);
  const after = await api.get('ORD-1011');
  expect(after.quantity, 'one + took effect, on the value the server held').toBe(q0 + 1);
  await expect(row.root).toHaveAttribute('aria-busy', 'false');
  await expect(row.quantityValue).toHaveText(String(q0 + 1));
  await row.dismiss();
  await expectIdle(row);
  expectOnlyHttpErrors(consoleErrors, [422]);
});

// A queued + re-made on a record changed elsewhere (+1 stays +1) is proven with two tabs in
// sync.spec.ts; here, what the "updated elsewhere" note says when several changes are lost, or none.
test('a conflict names every lost change and only those: two lost steps are both named; a step the server already holds is not', async ({
  page,
  ordersPage,
  consoleErrors,
}) => {
  const before = await api.setQuantity('ORD-1019', 4);
  // Held long enough for the steps below even on a loaded machine.
  await faults.next('quantity', 'delay', { ms: 4_000 });
  await ordersPage.goto();
  const row = ordersPage.orderRow('ORD-1019');
  await expect(row.quantityValue).toHaveText('4');
  const writes = recordWrites(page);

  // Two − from 4 (the second queued behind the first); elsewhere sets 1 meanwhile: the first
  // is lost, and the second cannot be re-made on 1, so it is dropped unsent and lost too.
  let conflict = answer(page, 'quantity', 409);
  await row.decrease(); // 4 → 3, held by the delay
  await faults.expectTaken();
  await row.decrease(); // 3 → 2, queued
  await expect(row.quantityValue).toHaveText('2', { timeout: 2_000 });
  await api.setQuantity('ORD-1019', 1);
  await conflict;
  await expect(row.root).toHaveAttribute('data-state', 'updated-elsewhere');
  await expect(row.statusMessage).toHaveText(updatedElsewhere('ORD-1019', 'your 2 changes to the quantity', 'several'));
  await expect(row.root).toHaveAttribute('aria-busy', 'false');
  expect((await api.get('ORD-1019')).quantity).toBe(1);
  await expectRowShows(row, await api.get('ORD-1019'));
  expect(writes).toEqual(['quantity']); // the dropped − was never sent
  await row.dismiss();
  await expectIdle(row);

  // One + from 1; elsewhere sets 2, what it asked for: the + loses the race but nothing is lost.
  const history = await row.recordHistory();
  await faults.next('quantity', 'delay', { ms: 3_000 });
  conflict = answer(page, 'quantity', 409);
  await row.increase(); // 1 → 2, held by the delay
  await faults.expectTaken();
  await api.setQuantity('ORD-1019', 2);
  await conflict;
  await expectIdle(row);
  const after = await api.get('ORD-1019');
  expect([after.quantity, after.version]).toEqual([2, before.version + 2]); // only the changes made elsewhere
  await expectRowShows(row, after);
  const seen = await history();
  expect(statesSeen(seen).filter((s) => s !== 'idle' && s !== 'pending'), seen.join('\n')).toEqual([]);
  expect(writes).toEqual(['quantity', 'quantity']);
  expectOnlyHttpErrors(consoleErrors, [409]);
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

// ----- Star × every outcome (generated; changes the starred count for a moment: every star is restored)

generateEditTests('star');

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

// ----- Delete × every outcome (generated; every delete is undone, within the undo window) ---

generateDeleteTests();

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
