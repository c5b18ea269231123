import { test, expect, waitForHydration } from './fixtures';

// Every row state the gallery shows, compared against the committed baseline images
// (end2end/tests/state-gallery.spec.ts-snapshots/). A visual change fails here until it is
// reviewed and the baselines are updated with `npx playwright test --update-snapshots`.
const STATES = [
  'idle',
  'optimistic',
  'optimistic-queued',
  'retrying',
  'confirmed',
  'rolled-back-server',
  'rolled-back-network',
  'rolled-back-validation',
  'rolled-back-not-found',
  'rolled-back-forbidden',
  'updated-elsewhere',
  'creating',
  'deleting',
  'deleted',
  'placed',
];

test.describe('state gallery', () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test('shows every row state, each looking as reviewed', async ({ page }) => {
    await page.goto('/states');
    await waitForHydration(page);
    for (const slug of STATES) {
      const item = page.getByTestId(`gallery-${slug}`);
      await expect(item.getByTestId('order-row')).toHaveCount(1);
      await expect(item).toHaveScreenshot(`gallery-${slug}.png`, { animations: 'disabled' });
    }
  });

  test('each state reads as the spec says', async ({ page }) => {
    await page.goto('/states');
    await waitForHydration(page);
    const row = (slug: string) => page.getByTestId(`gallery-${slug}`).getByTestId('order-row');
    await expect(row('idle')).toHaveAttribute('data-state', 'idle');
    await expect(row('optimistic')).toHaveAttribute('data-state', 'pending');
    await expect(row('optimistic')).toHaveAttribute('aria-busy', 'true');
    await expect(row('optimistic').getByTestId('quantity')).toHaveText('13');
    await expect(row('confirmed')).toHaveAttribute('data-state', 'idle');
    await expect(row('confirmed').getByTestId('quantity')).toHaveText('13');
    await expect(row('rolled-back-server')).toHaveAttribute('data-state', 'rolled-back');
    await expect(row('rolled-back-server').getByTestId('quantity')).toHaveText('12');
    await expect(row('rolled-back-server').getByTestId('status-message')).toHaveText(/^Couldn't save the quantity for ORD-1042\./);
    await expect(row('rolled-back-server').getByTestId('retry')).toBeVisible();
    await expect(row('rolled-back-network').getByTestId('retry')).toBeVisible();
    await expect(row('rolled-back-validation').getByTestId('retry')).toHaveCount(0);
    await expect(row('rolled-back-validation').getByTestId('status-message')).toContainText('at most 999');
    await expect(row('updated-elsewhere')).toHaveAttribute('data-state', 'updated-elsewhere');
    await expect(row('updated-elsewhere').getByTestId('quantity')).toHaveText('20');
    await expect(row('creating').getByTestId('order-number')).toHaveText('New order');
    await expect(row('deleted')).toHaveAttribute('data-state', 'deleted');
    await expect(row('deleted').getByTestId('undo')).toBeVisible();
    await expect(row('placed').getByTestId('cancel-order')).toBeVisible();
    // Copy never hides behind a generic message.
    await expect(page.getByText(/something went wrong/i)).toHaveCount(0);
  });
});
