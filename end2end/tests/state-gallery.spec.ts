import { test, expect, waitForHydration } from './fixtures';
import type { Locator, Page } from '@playwright/test';

// Every state the gallery shows, compared against the committed baseline images
// (end2end/tests/state-gallery.spec.ts-snapshots/). A visual change fails here until it is
// reviewed and the baselines are updated with `npx playwright test --update-snapshots`.
const STATES = [
  'idle',
  'optimistic',
  'still-saving',
  'optimistic-queued',
  'waiting',
  'restored',
  'other-tab',
  'retrying',
  'confirmed',
  'rolled-back-server',
  'rolled-back-network',
  'rolled-back-validation',
  'rolled-back-not-found',
  'rolled-back-unsendable',
  'rolled-back-not-sent',
  'rolled-back-forbidden',
  'rolled-back-permission',
  'viewer',
  'updated-elsewhere',
  'place-error',
  'rolled-back-rename',
  'rolled-back-star',
  'rolled-back-delete',
  'creating',
  'rolled-back-create',
  'deleting',
  'deleted',
  'placed',
];

// The cancel dialog in each state, the list's own states and the pages around it.
const PAGE_STATES = [
  'cancel-open',
  'cancel-pending',
  'cancel-refused',
  'empty-list',
  'no-match',
  'load-error',
  'job-load-error',
  'job-not-found',
  'app-failure',
  'not-found',
];

// The app-wide line while writes can't reach the server (no order row of its own).
const BANNERS = ['offline-banner', 'unreachable-banner', 'signed-out-banner'];

// The account screens: refused sign-in and sign-up forms, an owner's members page.
const ACCOUNT_STATES = ['sign-in-wrong', 'sign-in-throttled', 'sign-up-password', 'members'];

// Placing an order: the accepted screen, each job state, the status page, a history and each
// notification, from fixed jobs at a fixed "now".
const JOB_STATES = [
  'accepted',
  'accepted-placed',
  'accepted-failed',
  'job-running',
  'job-late',
  'job-placed',
  'job-failed',
  'job-failed-deadline',
  'status-late',
  'status-failed',
  'job-history',
  'notification-success',
  'notification-failure',
  'browser-notification-success',
  'browser-notification-failure',
  'email-success',
  'email-failure',
];

/**
 * Opens the gallery and compares each section of `slugs` with its baseline, once `shows` (the
 * section's own content) is there.
 */
async function expectLooksAsReviewed(page: Page, slugs: string[], shows: (item: Locator) => Promise<void> = (item) => expect(item).toBeVisible()) {
  await page.goto('/states');
  await waitForHydration(page);
  for (const slug of slugs) {
    const item = page.getByTestId(`gallery-${slug}`);
    await shows(item);
    await expect(item).toHaveScreenshot(`gallery-${slug}.png`, { animations: 'disabled' });
  }
}

test.describe('state gallery', () => {
  test.use({ viewport: { width: 1280, height: 900 } });
  // Many screenshots per test: room for a loaded machine.
  test.describe.configure({ timeout: 60_000 });

  // In groups, so each test stays well inside its timeout on a loaded machine, and the groups
  // can run side by side.
  const GROUP = 12;
  for (let from = 0; from < STATES.length; from += GROUP) {
    const group = STATES.slice(from, from + GROUP);
    test(`shows every row state, each looking as reviewed: ${group[0]} … ${group[group.length - 1]}`, async ({ page }) => {
      await expectLooksAsReviewed(page, group, (item) => expect(item.getByTestId('order-row')).toHaveCount(1));
    });
  }

  test('shows the account screens, each looking as reviewed', async ({ page }) => {
    await expectLooksAsReviewed(page, ACCOUNT_STATES);
    await expect(page.getByTestId('gallery-sign-in-throttled')).toContainText('Too many failed sign-ins. Wait 60 seconds, then try again.');
    await expect(page.getByTestId('gallery-members').getByTestId('member')).toHaveCount(3);
  });

  test('shows the cancel dialog, the empty list, no match, load errors and not-found, each looking as reviewed', async ({ page }) => {
    await expectLooksAsReviewed(page, PAGE_STATES);
    await expect(page.getByTestId('gallery-no-match')).toContainText('No orders match “walnut desk”.');
    await expect(page.getByTestId('gallery-cancel-pending').getByTestId('confirm-cancel')).toHaveText('Cancelling…');
    await expect(page.getByTestId('gallery-cancel-pending').getByTestId('confirm-cancel')).toBeDisabled();
    await expect(page.getByTestId('gallery-cancel-refused').getByTestId('cancel-error')).toHaveText(
      /^Your cancel of ORD-1038 did not complete\. The order is not cancelled\./,
    );
    await expect(page.getByTestId('gallery-load-error').getByRole('link', { name: 'Reload' })).toBeVisible();
    await expect(page.getByTestId('gallery-job-load-error').getByRole('link', { name: 'Reload' })).toBeVisible();
    await expect(page.getByTestId('gallery-job-not-found').getByTestId('job-load-error')).toContainText("Couldn't find this job.");
    await expect(page.getByTestId('gallery-job-not-found').getByTestId('job-load-error')).toContainText(/There is no job JOB-[0-9A-F]{8}\./);
    await expect(page.getByTestId('gallery-job-not-found').getByRole('link', { name: 'Reload' })).toHaveCount(0);
    const stopped = page.getByTestId('gallery-app-failure').getByTestId('app-failure');
    await expect(stopped).toHaveText("Couldn't load this page. Reload to carry on.Reload");
    await expect(stopped.getByRole('link', { name: 'Reload' })).toHaveAttribute('rel', 'external');
  });

  test('shows the offline banners, each looking as reviewed', async ({ page }) => {
    await expectLooksAsReviewed(page, BANNERS, (item) => expect(item.getByTestId('offline-banner')).toBeVisible());
  });

  test('each state reads as the spec says', async ({ page }) => {
    await page.goto('/states');
    await waitForHydration(page);
    // Every section has a stable anchor, its slug (the name of its screenshot too).
    const anchors = await page.locator('section.gallery-item').evaluateAll((els) => els.map((el) => [el.id, el.getAttribute('data-testid')]));
    expect(anchors.length).toBeGreaterThan(60);
    for (const [id, testid] of anchors) expect(testid, `#${id}`).toBe(`gallery-${id}`);
    expect(new Set(anchors.map(([id]) => id)).size, 'each anchor once').toBe(anchors.length);
    const row = (slug: string) => page.getByTestId(`gallery-${slug}`).getByTestId('order-row');
    await expect(row('idle')).toHaveAttribute('data-state', 'idle');
    await expect(row('optimistic')).toHaveAttribute('data-state', 'pending');
    await expect(row('optimistic')).toHaveAttribute('aria-busy', 'true');
    await expect(row('optimistic').getByTestId('quantity')).toHaveText('13');
    await expect(row('still-saving')).toHaveAttribute('data-state', 'pending');
    await expect(row('still-saving').getByTestId('status-message')).toHaveText('Still saving…');
    await expect(row('optimistic').getByTestId('status-message')).toHaveCount(0);
    await expect(row('confirmed')).toHaveAttribute('data-state', 'idle');
    await expect(row('confirmed').getByTestId('quantity')).toHaveText('13');
    await expect(row('rolled-back-server')).toHaveAttribute('data-state', 'rolled-back');
    await expect(row('rolled-back-server').getByTestId('quantity')).toHaveText('12');
    await expect(row('rolled-back-server').getByTestId('status-message')).toHaveText(/^Couldn't save the quantity for ORD-1042\./);
    await expect(row('rolled-back-server').getByTestId('retry')).toBeVisible();
    await expect(row('rolled-back-network').getByTestId('retry')).toBeVisible();
    await expect(row('rolled-back-validation').getByTestId('retry')).toHaveCount(0);
    await expect(row('rolled-back-validation').getByTestId('status-message')).toContainText('at most 999');
    await expect(row('rolled-back-unsendable')).toHaveAttribute('data-state', 'rolled-back');
    await expect(row('rolled-back-unsendable').getByTestId('retry')).toHaveCount(0);
    await expect(row('rolled-back-unsendable').getByTestId('status-message')).toContainText('Reload the page');
    // Nothing lost: waiting for the network, restored after a reload, sent by another tab, not sent.
    await expect(row('waiting')).toHaveAttribute('data-state', 'pending');
    await expect(row('waiting')).toHaveAttribute('data-pending', 'waiting');
    await expect(row('waiting').getByTestId('status-message')).toHaveText("Waiting for connection · will be sent when you're back");
    await expect(row('restored')).toHaveAttribute('data-pending', 'restored');
    await expect(row('restored').getByTestId('quantity')).toHaveText('13');
    await expect(row('other-tab')).toHaveAttribute('data-pending', 'other-tab');
    await expect(row('other-tab').getByTestId('quantity')).toHaveText('13');
    await expect(row('rolled-back-not-sent')).toHaveAttribute('data-not-sent', 'true');
    await expect(row('rolled-back-not-sent').getByTestId('quantity')).toHaveText('12');
    await expect(row('rolled-back-not-sent').getByTestId('status-message')).toContainText("wasn't sent");
    await expect(row('rolled-back-not-sent').getByTestId('retry')).toBeVisible();
    await expect(row('rolled-back-not-sent').getByTestId('discard')).toBeVisible();
    const banner = (slug: string) => page.getByTestId(`gallery-${slug}`).getByTestId('offline-banner');
    await expect(banner('offline-banner')).toHaveText("You're offline — 3 changes will be sent when you're back");
    await expect(banner('unreachable-banner')).toHaveText("Can't reach the server — 3 changes will be sent when it's back");
    await expect(row('updated-elsewhere')).toHaveAttribute('data-state', 'updated-elsewhere');
    await expect(row('updated-elsewhere').getByTestId('quantity')).toHaveText('20');
    await expect(row('creating').getByTestId('order-number')).toHaveText('New order');
    await expect(row('deleted')).toHaveAttribute('data-state', 'deleted');
    await expect(row('deleted').getByTestId('undo')).toBeVisible();
    // A refused rename keeps what was typed, in the editor, with the message at the field.
    const rename = row('rolled-back-rename');
    await expect(rename.getByTestId('edit-customer')).toHaveValue('Harbor Street Café & Roastery');
    await expect(rename.getByTestId('edit-customer')).toHaveAttribute('aria-invalid', 'true');
    // Destructive rollbacks are loud; cosmetic ones quiet.
    await expect(row('rolled-back-delete').getByTestId('status-message')).toHaveText(
      /^Your delete of ORD-1042 did not complete\. The order is still there\./,
    );
    await expect(row('rolled-back-delete')).not.toHaveClass(/is-quiet/);
    await expect(row('rolled-back-star').getByTestId('status-message')).toHaveText("Couldn't star ORD-1042.");
    await expect(row('rolled-back-star')).toHaveClass(/is-quiet/);
    await expect(row('rolled-back-create')).toHaveAttribute('data-state', 'rolled-back');
    await expect(row('rolled-back-create').getByTestId('retry')).toBeVisible();
    await expect(row('place-error').getByTestId('status-message')).toHaveText(
      "Couldn't place ORD-1042. The payment service isn't answering. Try again in a few minutes.",
    );
    await expect(row('place-error').getByTestId('place-order')).toBeVisible();
    await expect(row('placed').getByTestId('cancel-order')).toBeVisible();
    // Copy never hides behind a generic message.
    await expect(page.getByText(/something went wrong/i)).toHaveCount(0);
  });

  test('shows every state of placing an order, each looking as reviewed', async ({ page }) => {
    await expectLooksAsReviewed(page, JOB_STATES);
  });

  test('placing an order reads as the spec says', async ({ page }) => {
    await page.goto('/states');
    await waitForHydration(page);
    const item = (slug: string) => page.getByTestId(`gallery-${slug}`);

    // Accepted, not done: the number, the usual duration, where to follow it.
    const accepted = item('accepted');
    await expect(accepted.getByTestId('accepted-title')).toHaveText('Got it — ORD-1042 is being placed');
    await expect(accepted.getByTestId('accepted-eta')).toHaveText('This usually takes about 2 minutes.');
    await expect(accepted.getByTestId('accepted-status-link')).toHaveText('Follow its progress');
    await expect(accepted.getByTestId('accepted-status-link')).toHaveAttribute('href', /^\/jobs\/[0-9a-f-]{36}$/);
    await expect(accepted.getByTestId('accepted-orders-link')).toHaveAttribute('href', '/orders');
    await expect(accepted.getByTestId('job-badge')).toHaveText('Placing');
    await expect(accepted.getByText(/success/i)).toHaveCount(0);
    // Already ended: says so, truthfully.
    await expect(item('accepted-placed').getByTestId('accepted-title')).toHaveText('ORD-1042 is placed');
    await expect(item('accepted-failed').getByTestId('accepted-title')).toHaveText("ORD-1042 couldn't be placed");
    await expect(item('accepted-failed').getByTestId('accepted-status-link')).toHaveText('See what to do');

    // Each job state, in a list row and on a page.
    const states: [string, string, string][] = [
      ['job-running', 'placing', 'Placing'],
      ['job-late', 'late', 'Taking longer than usual'],
      ['job-placed', 'placed', 'Placed'],
      ['job-failed', 'failed', 'Failed'],
      ['job-failed-deadline', 'failed', 'Failed'],
    ];
    for (const [slug, state, word] of states) {
      const progress = item(slug).getByTestId('job-progress');
      await expect(progress).toHaveCount(2);
      for (const p of await progress.all()) {
        await expect(p).toHaveAttribute('data-state', state);
        await expect(p.getByTestId('job-badge')).toHaveText(word);
      }
    }
    const running = item('job-running');
    await expect(running.locator('[data-mode="full"]').getByTestId('job-step')).toHaveText('Step 2 of 3 · Reserving stock');
    await expect(running.getByTestId('order-job-link')).toHaveText('Status');
  await expect(item('job-placed').getByTestId('order-job-link')).toHaveText('History');
    await expect(running.locator('[data-mode="full"]').getByTestId('job-progressbar')).toHaveAttribute('aria-valuenow', '45');

    // The status page: late note, failure with reason, next step, retry and reference.
    await expect(item('status-late').getByTestId('job-late-note')).toHaveText(
      "Taking longer than usual. It usually takes about 2 minutes; if it isn't done by 23 Nov 2026, 14:10 UTC it will stop and you'll be told what to do.",
    );
    const failed = item('status-failed');
    await expect(failed.getByTestId('job-title')).toHaveText("ORD-1042 couldn't be placed");
    await expect(failed.getByTestId('job-failure')).toContainText('Placing ORD-1042 took longer than 5 minutes, so it was stopped.');
    await expect(failed.getByTestId('place-again')).toHaveText('Place order again');
    await expect(failed.getByTestId('job-reference')).toHaveText(/^JOB-[0-9A-F]{8}$/);
    await expect(failed.getByTestId('job-event').last()).toHaveAttribute('data-kind', 'failed');

    // The history, oldest first, ending in the outcome.
    const events = item('job-history').getByTestId('job-event');
    await expect(events).toHaveCount(8);
    await expect(events.first()).toHaveAttribute('data-kind', 'submitted');
    await expect(events.last()).toHaveAttribute('data-kind', 'completed');
    await expect(events.last()).toContainText('ORD-1042 is placed');

    // Notifications: success and failure copy, each linking to the status page.
    const success = item('notification-success').getByTestId('notification');
    await expect(success).toHaveAttribute('data-state', 'succeeded');
    await expect(success).toContainText('ORD-1042 is placed');
    await expect(success.getByRole('link', { name: 'View status' })).toHaveAttribute('href', /^\/jobs\//);
    await expect(success.getByRole('button', { name: 'Dismiss' })).toBeVisible();
    const failure = item('notification-failure').getByTestId('notification');
    await expect(failure).toHaveAttribute('data-state', 'failed');
    await expect(failure).toContainText("ORD-1042 couldn't be placed");
    await expect(failure).toContainText('The card issuer declined the payment.');
    await expect(failure.getByRole('link', { name: 'See what to do' })).toHaveAttribute('href', /^\/jobs\//);

    // Emails, in the server's own words: the subject, what happened, what to do, the link and
    // the reference.
    const placedEmail = item('email-success').getByTestId('email');
    await expect(placedEmail.getByRole('heading')).toHaveText('ORD-1042 is placed');
    await expect(placedEmail).toContainText('12 × Espresso beans, 1 kg reserved and fulfilment arranged for Harbor Street Café.');
    await expect(placedEmail.getByRole('link')).toHaveAttribute('href', /^https:\/\/desk\.example\.com\/jobs\/[0-9a-f-]{36}$/);
    const failedEmail = item('email-failure').getByTestId('email');
    await expect(failedEmail.getByRole('heading')).toHaveText("ORD-1042 couldn't be placed");
    await expect(failedEmail).toContainText('What happened: The card issuer declined the payment.');
    await expect(failedEmail).toContainText('What to do next: Check the payment details with the customer, then place the order again.');
    await expect(failedEmail).toContainText(/Reference: JOB-[0-9A-F]{8}/);
  });
});
