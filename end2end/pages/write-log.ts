import type { Page, Request } from '@playwright/test';
import type { WriteKind } from './faults';

/** One write request a page sent (or tried to: requests tried offline are logged too). */
export interface SentWrite {
  /** Which page sent it (the label given to `watch`). */
  tab: string;
  kind: WriteKind;
  /** The idempotency key. */
  key: string;
  /** The order's id. */
  id: string;
  /** The base version sent, if any. */
  version: string | null;
  /** The quantity a `quantity` write sets (a step is sent as the value it sets). */
  quantity: string | null;
}

const KINDS: WriteKind[] = ['star', 'rename', 'note', 'quantity', 'move', 'create', 'delete', 'undo_delete', 'cancel', 'place'];
const WRITE_KINDS = new Set<string>(KINDS);

/** Every write (`POST /api/orders/<kind>`) the watched pages send, in the order they send them. */
export class WriteLog {
  readonly writes: SentWrite[] = [];

  /** Logs `page`'s writes from now on, across its reloads, under `tab`. */
  watch(page: Page, tab = 'page'): this {
    page.on('request', (r: Request) => {
      const m = /\/api\/orders\/(\w+)$/.exec(new URL(r.url()).pathname);
      if (r.method() !== 'POST' || !m || !WRITE_KINDS.has(m[1])) return;
      const form = new URLSearchParams(r.postData() ?? '');
      this.writes.push({
        tab,
        kind: m[1] as WriteKind,
        key: form.get('key') ?? '',
        id: form.get('id') ?? '',
        version: form.get('version'),
        quantity: form.get('quantity'),
      });
    });
    return this;
  }

  /** The writes for order `id` (of one kind, if given), in the order sent. */
  of(id: string, kind?: WriteKind): SentWrite[] {
    return this.writes.filter((w) => w.id === id && (kind === undefined || w.kind === kind));
  }

  /**
   * The first request of each key for order `id`, in the order first sent: the order the
   * changes were made in, with every resend (same key) left out.
   */
  firsts(id: string, kind?: WriteKind): SentWrite[] {
    const seen = new Set<string>();
    return this.of(id, kind).filter((w) => {
      if (seen.has(w.key)) return false;
      seen.add(w.key);
      return true;
    });
  }

  /** The distinct keys sent for order `id`, in the order first sent. */
  keys(id: string, kind?: WriteKind): string[] {
    return this.firsts(id, kind).map((w) => w.key);
  }

  /** Every distinct key sent. */
  allKeys(): string[] {
    return [...new Set(this.writes.map((w) => w.key))];
  }

  /** The tabs that sent `key`. */
  tabsSending(key: string): string[] {
    return [...new Set(this.writes.filter((w) => w.key === key).map((w) => w.tab))];
  }
}
