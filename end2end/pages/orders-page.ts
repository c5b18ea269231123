import type { Locator, Page } from '@playwright/test';
import { waitForHydration } from '../tests/fixtures';
import { OrderRow } from './order-row';

/** What the app-wide offline notice says while `changes` changes wait for the network. */
export function offlineNotice(changes: number): string {
  if (changes === 0) return "You're offline — changes you make will be sent when you're back";
  return `You're offline — ${changes} ${changes === 1 ? 'change' : 'changes'} will be sent when you're back`;
}

/** The live feed's modes (`data-mode` of the feed-mode indicator). */
export type FeedMode = 'connecting' | 'live' | 'polling' | 'offline';

/** The /orders page as a person sees it. */
export class OrdersPage {
  readonly rows: Locator;
  readonly search: Locator;
  readonly summary: Locator;
  readonly emptyState: Locator;
  /** App-wide (the shell's), shown only while offline: the text is `offlineNotice(n)`. */
  readonly offlineBanner: Locator;
  /** App-wide: the live feed's mode, in `data-mode` (`FeedMode`). */
  readonly feedMode: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('order-row');
    this.search = page.getByTestId('order-search');
    this.summary = page.getByTestId('list-summary');
    this.emptyState = page.getByTestId('empty-state');
    this.offlineBanner = page.getByTestId('offline-banner');
    this.feedMode = page.getByTestId('feed-mode');
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
