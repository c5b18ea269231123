import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitForHydration } from '../tests/fixtures';
import { SAME_ORIGIN } from './same-origin';

/** A job as the server sends it (`/api/jobs/get`, `/api/jobs/list`). */
export interface ServerJob {
  id: string;
  order_id: string;
  order_number: number;
  state: 'running' | 'succeeded' | 'failed';
  steps_done: number;
  progress: number;
  failure: { reason: string; next_step: string } | null;
  version: number;
}

export interface ServerJobDetail {
  job: ServerJob;
  events: { seq: number; kind: string; step: string | null; message: string }[];
}

/** The accepted screen (`/jobs/<id>/accepted`). */
export class AcceptedPage {
  readonly root: Locator;
  readonly title: Locator;
  readonly eta: Locator;
  readonly statusLink: Locator;
  readonly ordersLink: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('accepted');
    this.title = page.getByTestId('accepted-title');
    this.eta = page.getByTestId('accepted-eta');
    this.statusLink = page.getByTestId('accepted-status-link');
    this.ordersLink = page.getByTestId('accepted-orders-link');
  }

  /** The job id from the URL. */
  jobId(): string {
    const m = /\/jobs\/([0-9a-f-]{36})\/accepted/.exec(this.page.url());
    expect(m, `not on an accepted screen: ${this.page.url()}`).not.toBeNull();
    return m![1];
  }
}

/** The job status page (`/jobs/<id>`). */
export class JobStatusPage {
  readonly root: Locator;
  readonly title: Locator;
  readonly badge: Locator;
  readonly history: Locator;
  readonly events: Locator;
  readonly failure: Locator;
  readonly placeAgain: Locator;
  readonly reference: Locator;
  readonly lateNote: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('job-status');
    this.title = page.getByTestId('job-title');
    this.badge = this.root.getByTestId('job-badge').first();
    this.history = page.getByTestId('job-history');
    this.events = this.history.getByTestId('job-event');
    this.failure = page.getByTestId('job-failure');
    this.placeAgain = page.getByTestId('place-again');
    this.reference = page.getByTestId('job-reference');
    this.lateNote = page.getByTestId('job-late-note');
  }

  async goto(jobId: string) {
    await this.page.goto(`/jobs/${jobId}`);
    await waitForHydration(this.page);
  }

  /** The kinds of the history lines, in order (`submitted`, `step_started`, …). */
  async eventKinds(): Promise<string[]> {
    return this.events.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind') ?? ''));
  }
}

/** The in-app notification about ORD-nnnn's job. */
export function notification(page: Page, number: string): Locator {
  return page.getByTestId('notification').filter({ hasText: number });
}

/** Jobs read past the UI. */
export class JobsApi {
  constructor(private readonly request: APIRequestContext) {}

  async get(id: string): Promise<ServerJobDetail> {
    const res = await this.request.post('/api/jobs/get', { form: { id }, headers: SAME_ORIGIN });
    expect(res.status(), await res.text()).toBe(200);
    return res.json();
  }

  /** Test setup only: places ORD-nnnn through the server function, as another tab would. */
  async place(order: { id: string; version: number }): Promise<ServerJob> {
    const res = await this.request.post('/api/orders/place', {
      headers: SAME_ORIGIN,
      form: { key: randomUUID(), id: order.id, version: String(order.version) },
    });
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()).job;
  }
}

/** The subjects of the emails in the jobs server's file outbox (`end2end/.data/<port>/outbox`). */
export function outboxSubjects(baseURL: string): string[] {
  const port = new URL(baseURL).port;
  const dir = join(__dirname, '..', '.data', port, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => /^Subject: (.*)$/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1]?.trim() ?? '');
}
