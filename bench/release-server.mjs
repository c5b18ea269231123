// What the browser benchmarks share: the release server they start on a fresh temporary
// database, the demo person they act as, and Debian's Chromium.
//
//   const server = await startReleaseServer({ name: 'paint-latency', port: 3191, env: { ... } });
//   ... server.base, server.signIn(), server.stop()

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { chromium } = require('playwright-core');

const binary = path.join(root, 'target/release/orderdesk');
const siteRoot = path.join(root, 'target/site');

// The seeded demo owner (the server runs with demo data): a benchmark acts as that person.
export const DEMO = { email: 'demo@orderdesk.test', password: 'demo-password' };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An integer from the environment, or `dflt`. */
export function envInt(name, dflt, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got ${raw})`);
  return n;
}

function portInUse(p) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts target/release/orderdesk from the repo root on `port`, on a fresh SQLite file in a
 * temporary folder, with `env` on top; resolves once `/sign-in` answers.
 */
export async function startReleaseServer({ name, port, env = {} }) {
  if (!existsSync(binary) || !existsSync(path.join(siteRoot, 'pkg'))) {
    throw new Error('no release build: run `cargo leptos build --release --precompress --split` in the repo root first');
  }
  if (await portInUse(port)) throw new Error(`port ${port} is already in use; set the benchmark's port to a free one`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const logFile = path.join(tmp, 'server.log');
  const out = createWriteStream(logFile);
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [], {
    cwd: root,
    env: {
      ...process.env,
      ORDERDESK_ADDRESS: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${path.join(tmp, 'db.sqlite')}`,
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: process.env.RUST_LOG ?? 'orderdesk=warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = null;
  child.once('exit', (code, signal) => { exited = { code, signal }; });

  let session = '';
  const server = {
    base,
    /** Signs this process's own requests in as the demo owner; `headers()` then carries it. */
    async signIn() {
      const res = await fetch(`${base}/api/accounts/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, accept: 'application/json' },
        body: new URLSearchParams(DEMO),
      });
      if (!res.ok) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
      session = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    },
    /** Headers as the app's own pages send them (the server refuses other sites' writes), signed in. */
    headers(extra = {}) {
      return { 'sec-fetch-site': 'same-origin', cookie: session, ...extra };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(3000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await sleep(100);
      const tail = readFileSync(logFile, 'utf8').slice(-2000);
      await server.stop();
      throw new Error(`server exited during start-up (${JSON.stringify(exited)}):\n${tail}`);
    }
    try {
      const res = await fetch(`${base}/sign-in`);
      if (res.ok) return server;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`server did not answer on ${base} within 30 s`);
    }
    await sleep(100);
  }
}

/** Debian's Chromium, headless, with the project's fixed flags. */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A browser context signed in as the demo owner. */
export async function signedInContext(browser, base, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const signedIn = await context.request.post(`${base}/api/accounts/sign-in`, { form: DEMO, headers: { origin: base, accept: 'application/json' } });
  if (!signedIn.ok()) throw new Error(`browser sign-in: ${signedIn.status()}`);
  return context;
}

/** A time-ordered UUID (version 7), as the app makes order ids. */
export function uuidv7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
