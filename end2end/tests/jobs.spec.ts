import { test, expect, waitForHydration } from './fixtures';
import { Faults } from '../pages/faults';
import { OrdersApi } from '../pages/orders-api';
import { AcceptedPage, JobStatusPage, JobsApi, notification, outboxSubjects } from '../pages/jobs';
import { JOB_TIMINGS } from '../job-timings';

// Placing an order: the decoupled flow (PRODUCT.md, "Long-running work"). These run on the
// jobs server (its own database, short job timings; see playwright.config.ts), serially,
// because fault rules are global to a server. Each test places its own seeded draft.

test.describe.configure({ mode: 'serial' });

let faults: Faults;
let orders: OrdersApi;
let jobs: JobsApi;

test.beforeEach(async ({ request }) => {
  faults = new Faults(request);
  orders = new OrdersApi(request);
  jobs = new JobsApi(request);
  await faults.clear();
});

test.afterEach(async ({ request }) => {
  await new Faults(request).clear();
});

test('placing a draft: accepted screen, live progress in the list, a notification, then the history', async ({ page, ordersPage, baseURL }) => {
  await ordersPage.goto();
  const row = ordersPage.row('ORD-1025');
  await expect(row.getByTestId('status-badge')).toHaveText('Draft');
  await row.getByTestId('place-order').click();

  const accepted = new AcceptedPage(page);
  await expect(accepted.title).toHaveText('Got it — ORD-1025 is being placed');
  await expect(accepted.eta).toContainText(`This usually takes about ${JOB_TIMINGS.etaMs / 1000} seconds`);
  await expect(accepted.root).not.toContainText(/success/i);
  const jobId = accepted.jobId();
  await expect(accepted.statusLink).toHaveAttribute('href', `/jobs/${jobId}`);
  await expect(accepted.ordersLink).toHaveAttribute('href', '/orders');

  // Back in the list (client-side navigation): a pending badge, and progress that grows.
  await accepted.ordersLink.click();
  const progress = row.getByTestId('job-progressbar');
  await expect(row.getByTestId('job-badge')).toHaveText('Placing');
  const first = Number(await progress.getAttribute('aria-valuenow'));
  await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(first);
  // Focus on the row's link to the status page, as a keyboard user leaves it.
  const jobLink = row.getByTestId('order-job-link');
  await expect(jobLink).toHaveText('Status');
  await expect(jobLink).toHaveAttribute('href', `/jobs/${jobId}`);
  await jobLink.focus();
  await page.evaluate(() => ((window as unknown as { focusedLink?: Element | null }).focusedLink = document.activeElement));

  // The end is announced in the app, with a link to the status page.
  const note = notification(page, 'ORD-1025');
  await expect(note).toHaveAttribute('data-state', 'succeeded', { timeout: JOB_TIMINGS.runMs + 5_000 });
  await expect(note).toContainText('ORD-1025 is placed');
  await expect(row.getByTestId('status-badge').or(row.getByTestId('job-badge')).first()).toHaveText('Placed');
  // The progress gave way to the badge, and focus is still where it was: the same link, now "History".
  await expect(jobLink).toHaveText('History');
  expect(
    await page.evaluate(() => document.activeElement === (window as unknown as { focusedLink?: Element | null }).focusedLink),
    'focus stays on the link when the job ends',
  ).toBe(true);
  await note.getByRole('link', { name: 'View status' }).click();

  const status = new JobStatusPage(page);
  await expect(page).toHaveURL(`/jobs/${jobId}`);
  await expect(status.badge).toHaveText('Placed');
  expect(await status.eventKinds()).toEqual([
    'submitted',
    'step_started',
    'step_done',
    'step_started',
    'step_done',
    'step_started',
    'step_done',
    'completed',
  ]);
  await expect(status.events.last()).toContainText(/placed/i);
  await expect.poll(() => outboxSubjects(baseURL!)).toContain('ORD-1025 is placed');
});

test('a job that fails says why and what to do, and the order can be placed again', async ({ page, ordersPage, baseURL }) => {
  await faults.next('place', 'job_fail');
  await ordersPage.goto();
  await ordersPage.row('ORD-1023').getByTestId('place-order').click();
  const accepted = new AcceptedPage(page);
  await expect(accepted.title).toHaveText('Got it — ORD-1023 is being placed');
  const jobId = accepted.jobId();

  const note = notification(page, 'ORD-1023');
  await expect(note).toHaveAttribute('data-state', 'failed', { timeout: 10_000 });
  await expect(note).toContainText("ORD-1023 couldn't be placed");
  await note.getByRole('link', { name: 'See what to do' }).click();

  const status = new JobStatusPage(page);
  await expect(page).toHaveURL(`/jobs/${jobId}`);
  await expect(status.badge).toHaveText('Failed');
  const detail = await jobs.get(jobId);
  expect(detail.job.failure).not.toBeNull();
  await expect(status.failure).toContainText(detail.job.failure!.reason);
  await expect(status.failure).toContainText(detail.job.failure!.next_step);
  await expect(status.reference).toContainText(/JOB-[0-9A-F]{8}/);
  expect((await status.eventKinds()).at(-1)).toBe('failed');
  await expect.poll(() => outboxSubjects(baseURL!)).toContain("ORD-1023 couldn't be placed");

  // Place again: a new job, accepted the same way.
  await status.placeAgain.click();
  await expect(accepted.title).toHaveText('Got it — ORD-1023 is being placed');
  expect(accepted.jobId()).not.toBe(jobId);
});

test('a stalled job says it is taking longer than usual, then fails at its deadline with a next step', async ({ page }) => {
  test.setTimeout(JOB_TIMINGS.deadlineMs + 20_000);
  await faults.next('place', 'job_stall');
  const order = await orders.get('ORD-1022');
  const job = await jobs.place(order);

  const status = new JobStatusPage(page);
  await status.goto(job.id);
  await expect(status.badge).toHaveText('Placing');
  await expect(status.lateNote).toHaveCount(0);
  await expect(status.badge).toHaveText('Taking longer than usual', { timeout: JOB_TIMINGS.etaMs + 5_000 });
  await expect(status.lateNote).toBeVisible();

  await expect(status.badge).toHaveText('Failed', { timeout: JOB_TIMINGS.deadlineMs + 5_000 });
  await expect(status.failure).toContainText(/took longer than/i);
  await expect(status.failure).toContainText(/place the order again/i);
  await expect(notification(page, 'ORD-1022')).toHaveAttribute('data-state', 'failed');
  expect((await status.eventKinds()).at(-1)).toBe('failed');
});

test('a second tab sees the progress and the end without a reload', async ({ page, context, ordersPage }) => {
  const other = await context.newPage();
  await ordersPage.goto();
  await other.goto('/orders');
  await waitForHydration(other);

  // Placed from the first tab; the second only listens.
  await ordersPage.row('ORD-1020').getByTestId('place-order').click();
  await expect(new AcceptedPage(page).title).toHaveText('Got it — ORD-1020 is being placed');

  const row = other.locator('[data-testid="order-row"][data-order-number="ORD-1020"]');
  await expect(row.getByTestId('job-badge')).toHaveText('Placing');
  const bar = row.getByTestId('job-progressbar');
  const first = Number(await bar.getAttribute('aria-valuenow'));
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(first);
  await expect(notification(other, 'ORD-1020')).toHaveAttribute('data-state', 'succeeded', { timeout: JOB_TIMINGS.runMs + 5_000 });
  await expect(row.getByTestId('status-badge').or(row.getByTestId('job-badge')).first()).toHaveText('Placed');
  await other.close();
});

test('without the push channel, the list falls back to polling and still follows the job', async ({ page, ordersPage, consoleErrors }) => {
  // The push channel answers 503, as a proxy that doesn't pass event streams might.
  test.setTimeout(JOB_TIMINGS.deadlineMs + 20_000);
  await page.route('**/api/events?*', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
  await ordersPage.goto();
  // A stalled job stays placing long enough for any poll to see it, then fails at its deadline.
  await faults.next('place', 'job_stall');
  const order = await orders.get('ORD-1019');
  await jobs.place(order);

  const row = ordersPage.row('ORD-1019');
  await expect(row.getByTestId('job-badge')).toHaveText(/Placing|Taking longer than usual/);
  await expect(row.getByTestId('status-badge')).toHaveText('Failed', { timeout: JOB_TIMINGS.deadlineMs + 5_000 });

  // Chromium reports the refused stream; nothing else may go wrong.
  const refused = /EventSource|status of 503/;
  expect(consoleErrors.filter((e) => !refused.test(e))).toEqual([]);
  consoleErrors.length = 0;
});

test('browser notifications: asked for only on a click, shown when the job ends while the tab is hidden', async ({ page, ordersPage }) => {
  // A stand-in for the browser's Notification API and page visibility, recording what the app does.
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__shown = [] as { title: string; body?: string }[];
    w.__asked = 0;
    let permission = 'default';
    class RecordingNotification {
      onclick: unknown = null;
      constructor(title: string, options?: { body?: string }) {
        (w.__shown as { title: string; body?: string }[]).push({ title, body: options?.body });
      }
      static get permission() {
        return permission;
      }
      static requestPermission() {
        w.__asked = (w.__asked as number) + 1;
        permission = 'granted';
        return Promise.resolve('granted');
      }
    }
    w.Notification = RecordingNotification;
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => w.__hidden === true });
  });
  const asked = () => page.evaluate(() => (window as unknown as { __asked: number }).__asked);
  const shown = () => page.evaluate(() => (window as unknown as { __shown: { title: string }[] }).__shown.map((n) => n.title));

  await ordersPage.goto();
  expect(await asked()).toBe(0);
  await ordersPage.row('ORD-1017').getByTestId('place-order').click();
  const accepted = new AcceptedPage(page);
  await expect(accepted.title).toHaveText('Got it — ORD-1017 is being placed');
  expect(await asked()).toBe(0);

  await page.getByTestId('browser-notify').click();
  await expect(page.getByTestId('browser-notify-answer')).toHaveText("We'll notify you in this browser.");
  expect(await asked()).toBe(1);

  // The person switches to another tab; the job ends there.
  await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
  await expect.poll(shown, { timeout: 10_000 }).toEqual(['ORD-1017 is placed']);
  await expect(notification(page, 'ORD-1017')).toHaveAttribute('data-state', 'succeeded');
});
