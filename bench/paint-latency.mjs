#!/usr/bin/env node
// Click → optimistic paint latency for Order Desk (see bench/README.md).
//
//   node bench/paint-latency.mjs          (needs a release build: cargo leptos build --release)
//
// Starts its own release server (target/release/orderdesk) from the repo root on a fresh
// temporary SQLite database with fault controls on, adds PAINT_LATENCY_MS (500) before every
// write, and clicks the star of PAINT_ROWS (20) rows in turn in headless Chromium, PAINT_CLICKS
// (200) times after a short warm-up; each row is starred then unstarred, so the data ends as
// it started. Everything is timed IN THE PAGE from the click event's timestamp:
//   - optimistic: the first animation frame after the row's DOM shows the new star state;
//   - confirmed (baseline): the first animation frame after the row has been pending and is
//     back to data-state="idle" aria-busy="false" with the new star state, i.e. what a UI
//     that waits for the server would show at the earliest.
// A row is clicked again only once its previous click has settled; up to PAINT_INFLIGHT (4)
// rows have a write in flight at once, so responses land while other clicks are painted.
//
// Env: PAINT_PORT (3191), PAINT_CLICKS (200), PAINT_ROWS (20), PAINT_LIST_ROWS (25: orders in the
//      list; drafts are created up to it), PAINT_LATENCY_MS (500),
//      PAINT_INFLIGHT (4), PAINT_WARMUP_ROWS (5), PAINT_JSON (path: write raw samples there),
//      PAINT_RESTORE_OPS (100: ops left pending offline for the restore measurement).
// Exit status: 0 when every click was measured (whatever the numbers), 1 when the run failed.

import { writeFileSync } from 'node:fs';
import { envInt as int, launchChromium, signedInContext, startReleaseServer, uuidv7 } from './release-server.mjs';

const port = int('PAINT_PORT', 3191);
const rowsWanted = int('PAINT_ROWS', 20);
const latencyMs = int('PAINT_LATENCY_MS', 500, 0);
const inflight = int('PAINT_INFLIGHT', 4);
const warmupRows = int('PAINT_WARMUP_ROWS', 5, 0);
const clicksWanted = int('PAINT_CLICKS', 200);
// How many orders the list holds: the 25 seeded ones, plus drafts created before the page opens.
const listRows = int('PAINT_LIST_ROWS', 25);

let server = null;
let base = '';
let browser = null;

function log(msg) {
  process.stderr.write(`paint-latency: ${msg}\n`);
}

async function startServer() {
  server = await startReleaseServer({
    name: 'paintbench',
    port,
    env: {
      ORDERDESK_FAULTS: 'true',
      // The list's first page holds every row the run asks for (at most 500, the setting's bound).
      ORDERDESK_PAGE_SIZE: String(Math.min(500, Math.max(50, listRows))),
    },
  });
  base = server.base;
}

const sameSite = (extra = {}) => server.headers(extra);

async function api(method, p, body) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: body ? sameSite({ 'content-type': 'application/json' }) : sameSite(),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
}

/** Creates drafts through the app's own write endpoint until the list holds `listRows` orders. */
async function fillList() {
  const listed = await fetch(`${base}/api/orders/page`, { method: 'POST', headers: sameSite({ 'content-type': 'application/x-www-form-urlencoded' }), body: '' });
  if (!listed.ok) throw new Error(`list: ${listed.status}`);
  const have = (await listed.json()).total;
  for (let i = have; i < listRows; i++) {
    const form = new URLSearchParams({
      key: crypto.randomUUID(), id: uuidv7(), customer: `Bench customer ${i}`, item: `Bench item ${i}`,
      quantity: '1', unit_price_cents: '1000', note: '',
    });
    const res = await fetch(`${base}/api/orders/create`, { method: 'POST', headers: sameSite({ 'content-type': 'application/x-www-form-urlencoded' }), body: form });
    if (!res.ok) throw new Error(`create: ${res.status} ${await res.text()}`);
  }
  if (listRows > have) log(`list filled to ${listRows} orders`);
}

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server) await server.stop();
  server = null;
}

// Runs in the page: times every star click from the click event to the frames that paint it.
function installProbe() {
  const samples = [];
  const open = new Map(); // order id -> sample not yet settled
  const starOf = (row) => row.querySelector('[data-testid="star"]');
  window.addEventListener('click', (ev) => {
    const star = ev.target instanceof Element ? ev.target.closest('[data-testid="star"]') : null;
    const row = star && star.closest('[data-testid="order-row"]');
    if (!row) return;
    const now = performance.now();
    // The input event's own timestamp (same clock as performance.now()), so the time the
    // event waited before dispatch counts too; fall back to "now" if it looks wrong.
    const t0 = ev.timeStamp > 0 && ev.timeStamp <= now && now - ev.timeStamp < 1000 ? ev.timeStamp : now;
    const id = row.dataset.orderId;
    const s = {
      id, number: row.dataset.orderNumber, before: star.getAttribute('aria-pressed'),
      dispatch: now - t0, dom: null, optimistic: null, confirmed: null, sawPending: false, error: null,
    };
    samples.push(s);
    open.set(id, s);
    const finish = (err) => {
      mo.disconnect();
      if (err) { s.error = err; open.delete(id); return; }
      requestAnimationFrame(() => { s.confirmed = performance.now() - t0; open.delete(id); });
    };
    const check = () => {
      const st = starOf(row);
      const flipped = !!st && st.getAttribute('aria-pressed') !== s.before;
      if (s.dom === null && flipped) {
        s.dom = performance.now() - t0;
        requestAnimationFrame(() => { s.optimistic = performance.now() - t0; });
      }
      const state = row.getAttribute('data-state');
      const busy = row.getAttribute('aria-busy');
      if (state !== 'idle' || busy !== 'false') s.sawPending = true;
      if (state !== 'idle' && state !== 'pending') return finish(`row went to data-state="${state}"`);
      if (!row.isConnected) return finish('row left the DOM');
      if (s.dom !== null && s.sawPending && state === 'idle' && busy === 'false') {
        finish(flipped ? null : 'star reverted when the row settled');
      }
    };
    const mo = new MutationObserver(check);
    mo.observe(row, { attributes: true, childList: true, subtree: true, characterData: true });
  }, { capture: true });
  window.__paintProbe = {
    samples,
    // This row has no unsettled click (and is idle), and fewer than `limit` clicks are open.
    ready(id, limit) {
      const row = document.querySelector(`[data-testid="order-row"][data-order-id="${id}"]`);
      return !open.has(id) && open.size < limit && !!row
        && row.getAttribute('aria-busy') === 'false' && row.getAttribute('data-state') === 'idle';
    },
    settled: () => open.size === 0,
    reset() { samples.length = 0; },
  };
}

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const rank = (p) => v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
  return { n: v.length, p50: rank(50), p95: rank(95), max: v[v.length - 1] };
}

function fmt(s) {
  const ms = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  return `n=${s.n} p50 ${ms(s.p50)} ms p95 ${ms(s.p95)} ms max ${ms(s.max)} ms`;
}

async function clickRows(page, ids, total) {
  for (let i = 0; i < total; i++) {
    const id = ids[i % ids.length];
    await page.waitForFunction(([id, limit]) => window.__paintProbe.ready(id, limit), [id, inflight], {
      polling: 10,
      timeout: latencyMs + 20_000,
    });
    await page.locator(`[data-testid="order-row"][data-order-id="${id}"] [data-testid="star"]`).click();
  }
  await page.waitForFunction(() => window.__paintProbe.settled(), null, { polling: 10, timeout: latencyMs + 20_000 });
}

/** How many ops the restore measurement leaves pending (PAINT_RESTORE_OPS, 100). */
const restoreOps = int('PAINT_RESTORE_OPS', 100, 2);

/**
 * Restore time: offline, `restoreOps` quantity steps (+ then − on draft rows, so the data ends
 * as it started), the page closed, and a new page opened online: the time the new page takes
 * to adopt the stored outbox (restore it into its engine and save it), as the app measures it.
 * Then waits until every op has landed.
 */
async function measureRestore(context, page) {
  await api('DELETE', '/api/faults');
  const drafts = page.locator('[data-testid="order-row"]').filter({ has: page.getByTestId('qty-increase') });
  const n = Math.min(await drafts.count(), 20);
  await context.setOffline(true);
  for (let i = 0; i < restoreOps / 2; i++) {
    const row = drafts.nth(i % n);
    await row.getByTestId('qty-increase').click();
    await row.getByTestId('qty-decrease').click();
  }
  await page.close({ runBeforeUnload: false });
  await context.setOffline(false);
  const next = await context.newPage();
  await next.goto(`${base}/orders`);
  await next.waitForFunction(() => window.__outbox.adopt.length > 0, null, { timeout: 30_000 });
  const ms = await next.evaluate(() => window.__outbox.adopt[0]);
  const landed = await next
    .waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith('orderdesk.outbox.')
      && JSON.parse(localStorage.getItem(k)).queue.length > 0), null, { timeout: 60_000, polling: 200 })
    .then(() => true, () => false);
  await next.close();
  return { ms, landed };
}

async function main() {
  const started = Date.now();
  await startServer();
  await server.signIn();
  await fillList();
  await api('DELETE', '/api/faults');
  await api('PUT', '/api/faults/latency', { ms: latencyMs });

  browser = await launchChromium();
  const context = await signedInContext(browser, base);
  // The app records how long each save of its outbox (and each restore) takes as User Timing
  // measures; collect every one as it is made.
  await context.addInitScript(() => {
    window.__outbox = { save: [], adopt: [] };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.name === 'orderdesk:outbox-save') window.__outbox.save.push(e.duration);
        if (e.name === 'orderdesk:outbox-adopt') window.__outbox.adopt.push(e.duration);
      }
    }).observe({ type: 'measure', buffered: false });
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${base}/orders`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 }).catch((e) => {
    throw new Error(`/orders never hydrated (${e.message.split('\n')[0]}); page errors: ${pageErrors.join(' | ').slice(0, 600) || 'none'}`
      + '\n  a hydration panic usually means target/release/orderdesk and target/site come from different builds (is a build running?)');
  });
  await page.evaluate(installProbe);

  const rows = await page.locator('[data-testid="order-row"]').evaluateAll((els) =>
    els.map((e) => ({ id: e.dataset.orderId, pressed: e.querySelector('[data-testid="star"]')?.getAttribute('aria-pressed') })));
  if (rows.length === 0) throw new Error('no order rows on /orders');
  const ids = rows.slice(0, rowsWanted).map((r) => r.id);
  // Star then unstar every row, so each row is clicked an even number of times.
  const perRound = 2 * ids.length;
  const total = Math.ceil(clicksWanted / perRound) * perRound;

  const warm = ids.slice(0, warmupRows);
  if (warm.length) {
    await clickRows(page, warm, 2 * warm.length);
    await page.evaluate(() => window.__paintProbe.reset());
  }
  log(`${total} clicks over ${ids.length} rows, server +${latencyMs} ms per write, up to ${inflight} write(s) in flight`);
  await clickRows(page, ids, total);

  const samples = await page.evaluate(() => window.__paintProbe.samples);
  const saves = await page.evaluate(() => window.__outbox.save);
  const after = await page.locator('[data-testid="order-row"]').evaluateAll((els) =>
    els.map((e) => ({ id: e.dataset.orderId, pressed: e.querySelector('[data-testid="star"]')?.getAttribute('aria-pressed') })));
  await api('DELETE', '/api/faults');
  if (process.env.PAINT_JSON) writeFileSync(process.env.PAINT_JSON, JSON.stringify(samples, null, 1));

  const failed = samples.filter((s) => s.error || s.optimistic === null || s.confirmed === null);
  const good = samples.filter((s) => !failed.includes(s));
  const opt = stats(good.map((s) => s.optimistic));
  const conf = stats(good.map((s) => s.confirmed));
  const dom = stats(good.map((s) => s.dom));
  console.log(`click → optimistic paint (server +${latencyMs} ms): ${fmt(opt)}`);
  console.log(`click → server-confirmed paint (baseline):  ${fmt(conf)}`);
  console.log(`  (click → row DOM changed: ${fmt(dom)}; ${((Date.now() - started) / 1000).toFixed(0)} s run)`);
  console.log(`outbox save to localStorage (each change of the queue): ${fmt(stats(saves))}`);
  const restore = await measureRestore(context, page);
  console.log(`outbox restore on the next page load, ${restoreOps} pending ops: ${restore.ms.toFixed(1)} ms (all ${restore.landed ? 'landed' : 'NOT landed'})`);

  const problems = [];
  if (samples.length !== total) problems.push(`${samples.length} clicks recorded, ${total} made`);
  if (failed.length) problems.push(`${failed.length} clicks not measured, e.g. ${failed[0].number}: ${failed[0].error ?? 'incomplete'}`);
  const changed = rows.filter((r) => after.find((a) => a.id === r.id)?.pressed !== r.pressed);
  if (changed.length) problems.push(`${changed.length} rows did not return to their starting star state`);
  if (pageErrors.length) problems.push(`page errors: ${pageErrors.slice(0, 3).join(' | ')}`);
  if (!restore.landed) problems.push('the restored ops did not all land');
  if (problems.length) {
    for (const p of problems) log(`FAILED: ${p}`);
    return 1;
  }
  return 0;
}

let code = 1;
const stop = async (sig) => { log(`${sig}: stopping`); await cleanup(); process.exit(130); };
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
try {
  code = await main();
} catch (e) {
  log(`FAILED: ${e?.stack ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
