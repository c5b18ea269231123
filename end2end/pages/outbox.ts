import { expect, type Page } from '@playwright/test';

// What the browser keeps of the sync engine's unconfirmed work (issue "Nothing lost"): one
// localStorage entry per tab, `orderdesk.outbox.<tab uuid>`, holding JSON
// `{ "format": 1, "tab", "saved_at", "queue": [{ "op": {…}, … }], "marks": […], "records": […] }`.
// localStorage belongs to the browser context (and origin): every page of one context sees the
// same entries, a new context starts empty.

/** The prefix of every persisted outbox's key. */
export const OUTBOX_KEY_PREFIX = 'orderdesk.outbox.';

/** One persisted operation; its `id` doubles as the idempotency key sent with the write. */
export interface PersistedOp {
  id: string;
  /** The order's id (`ServerOrder.id`). */
  target: string;
  kind: unknown;
  base_version: number | null;
  attempts: number;
}

/** The JSON under one `orderdesk.outbox.<tab>` key (only what the tests read is typed). */
export interface PersistedOutbox {
  format: number;
  tab: string;
  saved_at: number;
  queue: { op: PersistedOp }[];
  marks: unknown[];
  records: unknown[];
}

/** One localStorage entry: its key, the raw text and what it parses to. */
export interface StoredOutbox {
  key: string;
  raw: string;
  outbox: PersistedOutbox;
}

/** Runs in the browser: every `[key, value]` of localStorage whose key starts with `prefix`. */
function readEntries(prefix: string): [string, string][] {
  return Object.keys(localStorage)
    .filter((k) => k.startsWith(prefix))
    .map((k): [string, string] => [k, localStorage.getItem(k) ?? '']);
}

/**
 * Runs in the browser, from an init script (self-contained): copies the persisted outboxes into
 * `window[key]` at the start of the document, before the app has run, i.e. what a page load
 * finds. Skips documents without storage (the blank page a new tab starts on).
 */
function snapshotAtLoad({ prefix, key }: { prefix: string; key: string }) {
  try {
    if (!location.protocol.startsWith('http')) return;
    const entries = Object.keys(localStorage)
      .filter((k) => k.startsWith(prefix))
      .map((k) => [k, localStorage.getItem(k) ?? '']);
    (window as unknown as Record<string, unknown>)[key] = entries;
  } catch {
    // No storage for this document: nothing to record.
  }
}

function parse(entries: [string, string][]): StoredOutbox[] {
  return entries.map(([key, raw]) => {
    try {
      return { key, raw, outbox: JSON.parse(raw) as PersistedOutbox };
    } catch {
      throw new Error(`${key} does not hold JSON: ${raw.slice(0, 200)}`);
    }
  });
}

/** The queued ops of every stored outbox, each once (by id), oldest first within a tab. */
function opsOf(stored: StoredOutbox[]): PersistedOp[] {
  const ops = new Map<string, PersistedOp>();
  for (const { outbox } of stored) {
    for (const entry of outbox.queue ?? []) {
      if (!ops.has(entry.op.id)) ops.set(entry.op.id, entry.op);
    }
  }
  return [...ops.values()];
}

/** The persisted outboxes, read through one open page of the context. */
export class Outbox {
  constructor(readonly page: Page) {}

  /** Every persisted outbox now. */
  async read(): Promise<StoredOutbox[]> {
    return parse(await this.page.evaluate(readEntries, OUTBOX_KEY_PREFIX));
  }

  /** The queued ops of every persisted outbox now (each once). */
  async ops(): Promise<PersistedOp[]> {
    return opsOf(await this.read());
  }

  /** Waits until the stored queues hold exactly `count` ops, and returns them. */
  async expectOps(count: number, options: { timeout?: number } = {}): Promise<PersistedOp[]> {
    await expect
      .poll(async () => (await this.ops()).length, { timeout: options.timeout, message: `the stored outbox holds ${count} ops` })
      .toBe(count);
    return this.ops();
  }

  /** Whether any stored outbox still mentions op `id` (queued, or kept in a row's notes). */
  async mentions(id: string): Promise<boolean> {
    return (await this.read()).some((s) => s.raw.includes(id));
  }

  /** Waits until no stored outbox mentions op `id`. */
  async expectForgets(id: string, options: { timeout?: number } = {}) {
    await expect.poll(() => this.mentions(id), { timeout: options.timeout, message: `storage forgets op ${id}` }).toBe(false);
  }

  /**
   * Records, at the start of every document `page` loads from now on, the outboxes it finds in
   * storage before the app runs. Returns a reader of the current document's record: the ops a
   * reload or a new page had to restore.
   */
  static async recordAtLoad(page: Page): Promise<() => Promise<PersistedOp[]>> {
    const key = '__outbox_at_load';
    await page.addInitScript(snapshotAtLoad, { prefix: OUTBOX_KEY_PREFIX, key });
    return async () => {
      const entries = await page.evaluate((key) => ((window as any)[key] as [string, string][] | undefined) ?? [], key);
      return opsOf(parse(entries));
    };
  }
}
