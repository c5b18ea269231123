import type { Locator, Page } from '@playwright/test';
import { waitForHydration } from '../tests/fixtures';
import { OrderRow } from './order-row';

/** The /orders page as a person sees it. */
export class OrdersPage {
  readonly rows: Locator;
  readonly search: Locator;
  readonly summary: Locator;
  readonly emptyState: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('order-row');
    this.search = page.getByTestId('order-search');
    this.summary = page.getByTestId('list-summary');
    this.emptyState = page.getByTestId('empty-state');
  }

  async goto(query = '') {
    await this.page.goto(`/orders${query}`);
    await waitForHydration(this.page);
  }

  row(number: string): Locator {
    return this.page.locator(`[data-testid="order-row"][data-order-number="${number}"]`);
  }

  /** The row for `number` as a page object (star, quantity, rename, delete, status line). */
  orderRow(number: string): OrderRow {
    return new OrderRow(this.page, number);
  }

  async numbers(): Promise<string[]> {
    return this.rows.getByTestId('order-number').allTextContents();
  }
}
