import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { SAME_ORIGIN } from './same-origin';

/** The server's write kinds a fault rule can target (omit for "any write"). */
export type WriteKind = 'star' | 'rename' | 'note' | 'quantity' | 'move' | 'create' | 'delete' | 'undo_delete' | 'cancel' | 'place';

/** What the caught writes do (see src/faults.rs). */
export type FaultOutcome = 'succeed' | 'reject' | 'server_error' | 'conflict' | 'transient' | 'delay' | 'hang' | 'job_fail' | 'job_stall';

/**
 * The fault controls (`/api/faults`, on only when the server runs with ORDERDESK_FAULTS=true).
 * Rules are global to the server: every spec that uses them must run serially, and clear them
 * before and after each test.
 */
export class Faults {
  constructor(private readonly request: APIRequestContext) {}

  /** The next `count` writes of `kind` (any write without one) get `outcome`. */
  async next(
    kind: WriteKind | undefined,
    outcome: FaultOutcome,
    options: { count?: number; ms?: number } = {},
  ): Promise<void> {
    const action =
      outcome === 'delay' ? { outcome, ms: options.ms ?? 500 } : options.ms !== undefined ? { outcome, ms: options.ms } : { outcome };
    const rule: Record<string, unknown> = { action, count: options.count ?? 1 };
    if (kind) rule.kind = kind;
    const res = await this.request.post('/api/faults', { data: rule, headers: SAME_ORIGIN });
    expect(res.status(), `fault rule refused: ${await res.text()}`).toBe(200);
  }

  /** Adds `ms` before every write until cleared. */
  async latency(ms: number): Promise<void> {
    const res = await this.request.put('/api/faults/latency', { data: { ms }, headers: SAME_ORIGIN });
    expect(res.status(), `latency refused: ${await res.text()}`).toBe(200);
  }

  /**
   * Waits until the server has taken every rule: the writes they catch have arrived (and a
   * `delay` or `hang` is holding them now).
   */
  async expectTaken(timeout = 2_000): Promise<void> {
    await expect.poll(async () => (await this.state()).rules.length, { timeout, message: 'the server took every fault rule' }).toBe(0);
  }

  /** Clears every rule and the latency. */
  async clear(): Promise<void> {
    const res = await this.request.delete('/api/faults', { headers: SAME_ORIGIN });
    expect(res.status(), 'fault controls must be enabled for the e2e server (ORDERDESK_FAULTS)').toBe(200);
  }

  /** What the controls hold now. */
  async state(): Promise<{ rules: unknown[]; latency_ms: number }> {
    const res = await this.request.get('/api/faults');
    expect(res.status()).toBe(200);
    return res.json();
  }
}

/**
 * Holds the page's next write of `kind` on its way (in the browser, before it reaches the
 * server) until the returned `release` is called: a request in flight for exactly as long as
 * a test needs to look at it, however slow the machine. Later writes of `kind` pass.
 */
export async function holdNextWrite(page: Page, kind: WriteKind): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  await page.route(`**/api/orders/${kind}`, async (route) => {
    if (first) {
      first = false;
      await held;
    }
    // The page may have been left meanwhile.
    await route.continue().catch(() => {});
  });
  return release;
}
