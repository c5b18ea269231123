import { defineConfig } from '@playwright/test';

// The suite starts the release server it tests, on its own port, with a fresh database.
const port = Number(process.env.E2E_PORT ?? 3107);

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
  webServer: {
    command: `rm -rf end2end/.data/${port} && mkdir -p end2end/.data/${port} && exec target/release/orderdesk`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/orders`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      ORDERDESK_ADDRESS: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://end2end/.data/${port}/e2e.db`,
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'orderdesk=warn',
      ORDERDESK_FAULTS: 'true',
    },
  },
});
