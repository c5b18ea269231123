import type { Locator, Page } from '@playwright/test';

/** The row states (`data-state`), as PRODUCT.md names them. */
export type RowState = 'idle' | 'pending' | 'rolled-back' | 'updated-elsewhere' | 'deleted';

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
  readonly undoButton: Locator;
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
    this.undoButton = t('undo');
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

  async undo() {
    await this.undoButton.click();
  }

  async dismiss() {
    await this.dismissButton.click();
  }

  async state(): Promise<RowState> {
    return (await this.root.getAttribute('data-state')) as RowState;
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
   * Starts recording every rendered snapshot of this row (`state|quantity|starred|customer`)
   * as the DOM changes, so a test can prove a state never showed (e.g. no rollback flash).
   * Returns a function that reads the snapshots seen so far.
   */
  async recordHistory(): Promise<() => Promise<string[]>> {
    const key = `__history_${this.number.replace(/\W/g, '_')}`;
    await this.page.evaluate(
      ({ key, number }) => {
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
          ].join('|');
          if (seen[seen.length - 1] !== value) seen.push(value);
        };
        snap();
        new MutationObserver(snap).observe(document.body, {
          subtree: true,
          childList: true,
          attributes: true,
          characterData: true,
        });
      },
      { key, number: this.number },
    );
    return () => this.page.evaluate((key) => [...((window as any)[key] as string[])], key);
  }
}
