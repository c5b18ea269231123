import { expect, type Locator, type Page } from '@playwright/test';
import type { ServerOrder } from './orders-api';

/** The row states (`data-state`), as PRODUCT.md names them. */
export type RowState = 'idle' | 'pending' | 'rolled-back' | 'updated-elsewhere' | 'deleted';

/**
 * Why a pending row is pending (`data-pending`, absent when it is not): offline and sent when
 * back; restored from an earlier page load and not confirmed yet; sent by another open tab; a
 * request is out; or waiting its turn.
 */
export type PendingKind = 'waiting' | 'restored' | 'other-tab' | 'sending' | 'queued';

/** One rendered look of a row, as `recordHistory` / `recordHistoryFromLoad` record it. */
export interface RowSnapshot {
  state: string;
  quantity: string;
  starred: string;
  customer: string;
  /** `data-pending`, '' when absent. */
  pending: string;
  /** `data-not-sent`, '' when absent. */
  notSent: string;
}

/** Reads a recorded snapshot (`state|quantity|starred|customer|pending|notSent`). */
export function parseRowSnapshot(snapshot: string): RowSnapshot {
  const [state = '', quantity = '', starred = '', customer = '', pending = '', notSent = ''] = snapshot.split('|');
  return { state, quantity, starred, customer, pending, notSent };
}

/**
 * Runs in the browser (self-contained): records every rendered snapshot of row `number`
 * (`state|quantity|starred|customer|pending|notSent`) in `window[key]` as the DOM changes.
 * Observes the document, not the body, so it also works from an init script, before the
 * server-rendered markup is parsed.
 */
function installRowRecorder({ key, number }: { key: string; number: string }) {
  const w = window as unknown as Record<string, unknown>;
  const seen: string[] = [];
  w[key] = seen;
  const snap = () => {
    const row = document.querySelector(`[data-testid="order-row"][data-order-number="${number}"]`);
    if (!row) return;
    const q = (id: string) => row.querySelector(`[data-testid="${id}"]`);
    const value = [
      row.getAttribute('data-state'),
      q('quantity')?.textContent?.trim(),
      q('star')?.getAttribute('aria-pressed'),
      q('customer')?.textContent?.trim() ?? '(editing)',
      row.getAttribute('data-pending') ?? '',
      row.getAttribute('data-not-sent') ?? '',
    ].join('|');
    if (seen[seen.length - 1] !== value) seen.push(value);
  };
  snap();
  new MutationObserver(snap).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });
}

/** One order row on /orders, found by its order number (`ORD-1042`). */
export class OrderRow {
  readonly root: Locator;
  readonly starButton: Locator;
  readonly quantityValue: Locator;
  readonly increaseButton: Locator;
  readonly decreaseButton: Locator;
  readonly totalValue: Locator;
  readonly customer: Locator;
  readonly item: Locator;
  readonly editButton: Locator;
  readonly deleteButton: Locator;
  readonly status: Locator;
  readonly statusMessage: Locator;
  readonly retryButton: Locator;
  readonly dismissButton: Locator;
  readonly discardButton: Locator;
  readonly undoButton: Locator;
  readonly moveUpButton: Locator;
  readonly moveDownButton: Locator;
  readonly editor: {
    customer: Locator;
    item: Locator;
    note: Locator;
    save: Locator;
    cancel: Locator;
    errors: Locator;
  };

  constructor(
    readonly page: Page,
    readonly number: string,
  ) {
    this.root = page.locator(`[data-testid="order-row"][data-order-number="${number}"]`);
    const t = (id: string) => this.root.getByTestId(id);
    this.starButton = t('star');
    this.quantityValue = t('quantity');
    this.increaseButton = t('qty-increase');
    this.decreaseButton = t('qty-decrease');
    this.totalValue = t('total');
    this.customer = t('customer');
    this.item = t('item');
    this.editButton = t('edit-names');
    this.deleteButton = t('delete');
    this.status = t('row-status');
    this.statusMessage = t('status-message');
    this.retryButton = t('retry');
    this.dismissButton = t('dismiss');
    this.discardButton = t('discard');
    this.undoButton = t('undo');
    this.moveUpButton = t('move-up');
    this.moveDownButton = t('move-down');
    this.editor = {
      customer: t('edit-customer'),
      item: t('edit-item'),
      note: t('edit-note'),
      save: t('edit-save'),
      cancel: t('edit-cancel'),
      errors: this.root.locator('.field-error'),
    };
  }

  async star() {
    await this.starButton.click();
  }

  async increase() {
    await this.increaseButton.click();
  }

  async decrease() {
    await this.decreaseButton.click();
  }

  /** Opens the inline editor, types both names and saves. */
  async rename(customer: string, item: string) {
    await this.editButton.click();
    await this.editor.customer.fill(customer);
    await this.editor.item.fill(item);
    await this.editor.save.click();
  }

  async delete() {
    await this.deleteButton.click();
  }

  async retry() {
    await this.retryButton.click();
  }

  /** Drops a change that was not sent (the row goes back to the server's record). */
  async discard() {
    await this.discardButton.click();
  }

  async undo() {
    await this.undoButton.click();
  }

  async dismiss() {
    await this.dismissButton.click();
  }

  async state(): Promise<RowState> {
    return (await this.root.getAttribute('data-state')) as RowState;
  }

  /** Why the row is pending (`data-pending`), or null when it is not. */
  async pendingKind(): Promise<PendingKind | null> {
    return (await this.root.getAttribute('data-pending')) as PendingKind | null;
  }

  /**
   * The row is settled on `order` as the server holds it: idle, nothing pending or unsent,
   * and the values the tests change (quantity, star) are the server's.
   */
  async expectConfirmed(order: ServerOrder, options: { timeout?: number } = {}) {
    await expect(this.root, `${this.number} is idle`).toHaveAttribute('data-state', 'idle', options);
    await expect(this.root).not.toHaveAttribute('data-pending');
    await expect(this.root).not.toHaveAttribute('data-not-sent');
    await expect(this.quantityValue, `${this.number} shows the server's quantity`).toHaveText(String(order.quantity), options);
    await expect(this.starButton, `${this.number} shows the server's star`).toHaveAttribute('aria-pressed', String(order.starred), options);
  }

  async statusText(): Promise<string> {
    return ((await this.status.textContent()) ?? '').trim();
  }

  async quantity(): Promise<number> {
    return Number(await this.quantityValue.textContent());
  }

  async total(): Promise<string> {
    return ((await this.totalValue.textContent()) ?? '').trim();
  }

  async starred(): Promise<boolean> {
    return (await this.starButton.getAttribute('aria-pressed')) === 'true';
  }

  /** The row's visible text, for "nothing else changed" checks. */
  async text(): Promise<string> {
    return (await this.root.innerText()).trim();
  }

  /**
   * Starts recording every rendered snapshot of this row (`state|quantity|starred|customer|
   * pending|notSent`, see `parseRowSnapshot`) as the DOM changes, so a test can prove a state
   * never showed (e.g. no rollback flash). Returns a function that reads the snapshots seen so far.
   */
  async recordHistory(): Promise<() => Promise<string[]>> {
    const key = this.historyKey();
    await this.page.evaluate(installRowRecorder, { key, number: this.number });
    return () => this.readHistory(key);
  }

  /**
   * Like `recordHistory`, but from the start of every document the page loads from now on
   * (a reload, or the first load of a new page), before the server-rendered row is parsed:
   * what a restored row showed before anyone could look. The reader returns the current
   * document's snapshots.
   */
  async recordHistoryFromLoad(): Promise<() => Promise<string[]>> {
    const key = `${this.historyKey()}_from_load`;
    await this.page.addInitScript(installRowRecorder, { key, number: this.number });
    return () => this.readHistory(key);
  }

  private historyKey(): string {
    return `__history_${this.number.replace(/\W/g, '_')}`;
  }

  private readHistory(key: string): Promise<string[]> {
    return this.page.evaluate((key) => [...(((window as any)[key] as string[] | undefined) ?? [])], key);
  }
}
