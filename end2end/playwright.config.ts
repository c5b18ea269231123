import { defineConfig } from '@playwright/test';
import { JOB_TIMINGS } from './job-timings';

// The suite starts the release server it tests, on its own port, with a fresh database.
// Placing orders runs on a second server (the next port) with its own database and short job
// timings: its jobs change statuses and its fault rules target `place`, so it never disturbs
// what the other specs count.
const port = Number(process.env.E2E_PORT ?? 3107);
const jobsPort = port + 1;
// The sync engine's specs (latency, hangs, two tabs) on a third server with a short write
// deadline, so a hanging request is abandoned and resent within seconds.
const syncPort = port + 2;
const SYNC_WRITE_DEADLINE_MS = 8_000;
// "Nothing lost" (pending writes across reloads, closed tabs, two tabs, offline) on a fourth
// server with default settings: its specs set global fault rules and count every version.
const durablePort = port + 3;
// "A list that stays fast" on a fifth server seeded with 5,000 orders.
const largePort = port + 4;
// Accounts and workspaces on a sixth: its specs share, demote and remove members and set
// global fault rules.
const accountsPort = port + 5;
// Writes without JavaScript on a seventh, with 9 s jobs: its specs post the server-rendered
// forms (JavaScript off) and watch a status page reload itself until its job ends (long enough
// to reach the status page while the job runs, even on a loaded machine).
const nojsPort = port + 6;
// Accessibility and keyboard use on an eighth, with short jobs: it places and cancels orders of
// its own and sets fault rules, so no other spec's rows, rules or notifications are touched.
const a11yPort = port + 7;
// What is served: the release build by default; E2E_SERVER_BIN / E2E_SITE_ROOT test a copy.
const serverBin = process.env.E2E_SERVER_BIN ?? 'target/release/orderdesk';
const siteRoot = process.env.E2E_SITE_ROOT ?? 'target/site';

/** The release server on `p` with a fresh database (and outbox) under end2end/.data/<p>. */
function server(p: number, extraEnv: Record<string, string> = {}) {
  return {
    command: `rm -rf end2end/.data/${p} && mkdir -p end2end/.data/${p} && exec ${serverBin}`,
    cwd: '..',
    url: `http://127.0.0.1:${p}/sign-in`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      ORDERDESK_ADDRESS: `127.0.0.1:${p}`,
      DATABASE_URL: `sqlite://end2end/.data/${p}/e2e.db`,
      ORDERDESK_OUTBOX_DIR: `end2end/.data/${p}/outbox`,
      ORDERDESK_BASE_URL: `http://127.0.0.1:${p}`,
      LEPTOS_SITE_ROOT: siteRoot,
      RUST_LOG: 'orderdesk=warn',
      ORDERDESK_FAULTS: 'true',
      ...extraEnv,
    },
  };
}


export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [['list']],
  outputDir: './test-results',
  // One baseline per screenshot, whichever project takes it.
  snapshotPathTemplate: '{testDir}/{testFilePath}-snapshots/{arg}{-snapshotSuffix}{ext}',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // In this order, so the long serial specs pack well on two workers (the whole suite stays
    // under 4 minutes): row states start early in `app`, the durable spec right after the
    // gallery, then the large list, jobs and sync.
    { name: 'app', testIgnore: /(jobs|sync|nothing-lost|large-list|accounts|no-js|accessibility).*\.spec\.ts/ },
    { name: 'nojs', testMatch: /no-js.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${nojsPort}`, javaScriptEnabled: false } },
    { name: 'accounts', testMatch: /accounts.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${accountsPort}` } },
    { name: 'durable', testMatch: /nothing-lost.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${durablePort}` } },
    { name: 'large', testMatch: /large-list.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${largePort}` } },
    { name: 'jobs', testMatch: /jobs.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${jobsPort}` } },
    { name: 'a11y', testMatch: /accessibility.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${a11yPort}` } },
    { name: 'sync', testMatch: /sync.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${syncPort}` } },
  ],
  webServer: [
    server(port),
    server(syncPort, { ORDERDESK_WRITE_DEADLINE_MS: String(SYNC_WRITE_DEADLINE_MS) }),
    server(durablePort),
    server(largePort, { ORDERDESK_DEMO_ORDERS: '5000' }),
    server(accountsPort),
    server(nojsPort, {
      ORDERDESK_JOB_PAYMENT_MS: '3000',
      ORDERDESK_JOB_STOCK_MS: '3000',
      ORDERDESK_JOB_FULFILMENT_MS: '3000',
      ORDERDESK_JOB_FAILURE_RATE: '0',
    }),
    server(a11yPort, {
      ORDERDESK_JOB_PAYMENT_MS: String(JOB_TIMINGS.stepMs),
      ORDERDESK_JOB_STOCK_MS: String(JOB_TIMINGS.stepMs),
      ORDERDESK_JOB_FULFILMENT_MS: String(JOB_TIMINGS.stepMs),
      ORDERDESK_JOB_FAILURE_RATE: '0',
    }),
    server(jobsPort, {
      ORDERDESK_JOB_PAYMENT_MS: String(JOB_TIMINGS.stepMs),
      ORDERDESK_JOB_STOCK_MS: String(JOB_TIMINGS.stepMs),
      ORDERDESK_JOB_FULFILMENT_MS: String(JOB_TIMINGS.stepMs),
      ORDERDESK_JOB_FAILURE_RATE: '0',
      ORDERDESK_JOB_ETA_MS: String(JOB_TIMINGS.etaMs),
      ORDERDESK_JOB_DEADLINE_MS: String(JOB_TIMINGS.deadlineMs),
    }),
  ],
});
