import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext } from '@playwright/test';
import { SAME_ORIGIN } from './same-origin';

/** An order as the server holds it (the JSON of `POST /api/orders/page`'s orders). */
export interface ServerOrder {
  id: string;
  number: number | null;
  customer: string;
  item: string;
  note: string;
  quantity: number;
  unit_price: number;
  total: number;
  status: string;
  starred: boolean;
  position: number;
  version: number;
}

/** What a test expects the server to hold for one order: only the fields named are compared. */
export type Holds = Partial<Pick<ServerOrder, 'quantity' | 'starred' | 'customer' | 'item' | 'note' | 'status' | 'version'>>;

/** The server's record, read past the UI: what the tests compare the rows against. */
export class OrdersApi {
  constructor(private readonly request: APIRequestContext) {}

  /** Every live order (held deletes excluded), in list order, read page by page as the app reads them. */
  async list(): Promise<ServerOrder[]> {
    const all: ServerOrder[] = [];
    let after = '';
    for (;;) {
      const page = await this.page(after);
      all.push(...page.orders);
      if (!page.next) return all;
      after = `${page.next.position}.${page.next.number}`;
    }
  }

  /** One page of the list (`POST /api/orders/page`) after `after` (`<position>.<number>`). */
  async page(after = '', q = ''): Promise<{ orders: ServerOrder[]; total: number; next: { position: number; number: number } | null }> {
    const res = await this.request.post('/api/orders/page', { form: { after, q }, headers: SAME_ORIGIN });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }

  /** Test setup only: stars or unstars an order directly through the server function. */
  async setStarred(order: ServerOrder, starred: boolean): Promise<ServerOrder> {
    const res = await this.request.post('/api/orders/star', {
      headers: SAME_ORIGIN,
      form: { key: randomUUID(), id: order.id, version: String(order.version), starred: String(starred) },
    });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }

  /** Test setup only: creates a draft directly through the server function. */
  async createDraft(customer: string, item: string): Promise<ServerOrder> {
    const res = await this.request.post('/api/orders/create', {
      headers: SAME_ORIGIN,
      form: { key: randomUUID(), id: uuidv7(), customer, item, quantity: '1', unit_price_cents: '1000', note: '' },
    });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }

  /**
   * Test setup only: a fresh draft of the test's own (on top of the list; its customer starts
   * with `prefix` and a random tag), with its `ORD-nnnn` label.
   */
  async ownDraft(prefix: string, item: string): Promise<ServerOrder & { label: string }> {
    const draft = await this.createDraft(`${prefix} ${randomUUID().slice(0, 8)}`, item);
    return { ...draft, label: `ORD-${draft.number}` };
  }

  /** The live order `ORD-nnnn` (`POST /api/orders/get`), or `undefined` when the server does not list it. */
  async find(number: string): Promise<ServerOrder | undefined> {
    const res = await this.request.post('/api/orders/get', { form: { number }, headers: SAME_ORIGIN });
    if (res.status() === 404) return undefined;
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }

  async get(number: string): Promise<ServerOrder> {
    const order = await this.find(number);
    expect(order, `${number} is not in the server's list`).toBeDefined();
    return order!;
  }

  /** The named orders (`ORD-nnnn`) as the server holds them now, by number. */
  async snapshot(numbers: string[]): Promise<Record<string, ServerOrder>> {
    const out: Record<string, ServerOrder> = {};
    for (const number of numbers) out[number] = await this.get(number);
    return out;
  }

  /** The named fields of each order in `expected` as the server holds them now. */
  private async current(expected: Record<string, Holds>): Promise<Record<string, Holds>> {
    const orders = await this.snapshot(Object.keys(expected));
    const out: Record<string, Holds> = {};
    for (const [number, fields] of Object.entries(expected)) {
      const order = orders[number] as unknown as Record<string, unknown>;
      out[number] = Object.fromEntries(Object.keys(fields).map((f) => [f, order[f]])) as Holds;
    }
    return out;
  }

  /** The server holds `expected` now (by order number; only the fields named). */
  async expectHolds(expected: Record<string, Holds>, message = 'the server holds') {
    expect(await this.current(expected), message).toEqual(expected);
  }

  /**
   * Counts effects: waits until the server holds `expected` (every version counts one applied
   * write), then waits `quietMs` more and checks it still does, so nothing landed twice or late.
   */
  async expectLanded(expected: Record<string, Holds>, options: { timeout?: number; quietMs?: number } = {}) {
    const { timeout = 20_000, quietMs = 1_000 } = options;
    await expect.poll(() => this.current(expected), { timeout, message: 'every change landed on the server' }).toEqual(expected);
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    await this.expectHolds(expected, `nothing more landed within ${quietMs} ms`);
  }

  /** Test setup only: sets a quantity directly through the server function. */
  async setQuantity(number: string, quantity: number): Promise<ServerOrder> {
    const order = await this.get(number);
    const res = await this.request.post('/api/orders/quantity', {
      headers: SAME_ORIGIN,
      form: { key: randomUUID(), id: order.id, version: String(order.version), quantity: String(quantity) },
    });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }
}

/** A UUIDv7 for now (the ids the app makes for new orders). */
function uuidv7(): string {
  const hex = Date.now().toString(16).padStart(12, '0') + randomUUID().replace(/-/g, '').slice(12);
  const h = hex.split('');
  h[12] = '7';
  h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** Cents as the app formats money: `$1,234.56`. */
export function formatMoney(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The client's prediction of a line total (the shared bulk-discount rule: quantity × unit price, 10%
 * off, rounded down, from 10 units). The server may price differently (a promotion configured only
 * on the server), so it is not the server's rule.
 */
export function lineTotalCents(quantity: number, unitPriceCents: number): number {
  const subtotal = quantity * unitPriceCents;
  const discount = quantity >= 10 ? Math.floor((subtotal * 10) / 100) : 0;
  return subtotal - discount;
}
