#!/usr/bin/env node
// First load of each route, as a new visitor's browser sees it (see bench/README.md).
//
//   node bench/first-load.mjs        (part of bench/first-load.sh; needs
//                                     `cargo leptos build --release --precompress --split`)
//
// Starts its own release server on a fresh database with the demo data, places one order (for
// the job pages), then in headless Chromium, each load in a new context (cold cache, the
// browser asking for `br, gzip` as it always does):
//   1. per route: the bytes actually transferred until the page is hydrated (the resource
//      timing's transferSize: headers and compressed body), split into HTML, JS, WASM, CSS and
//      other, and whether the route loaded its own chunks;
//   2. the raw, gzip and brotli sizes of every built file in target/site/pkg;
//   3. time to interactive with 4x CPU throttling (DevTools), FIRST_LOAD_RUNS (20) cold loads,
//      from navigation start to the hydrated marker, p50 and p95: on /orders, and on a direct
//      visit to a page with chunks of its own (/jobs/:id, which its preload hints speed up).
// Env: FIRST_LOAD_PORT (3192), FIRST_LOAD_RUNS (20), FIRST_LOAD_JSON (path: write the figures),
// FIRST_LOAD_SITE_ROOT (the site folder served, target/site; a copy without the split manifest
// serves the same build without preload hints).
// Exit status: 0 when /orders is within the budget (WASM + JS <= 175 KB), 1 otherwise or on error.

import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envInt, launchChromium, root, signedInContext, startReleaseServer, uuidv7 } from './release-server.mjs';

const BUDGET_BYTES = 175 * 1024;
const port = envInt('FIRST_LOAD_PORT', 3192);
const runs = envInt('FIRST_LOAD_RUNS', 20);

const log = (msg) => process.stderr.write(`first-load: ${msg}\n`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Places a fresh draft, so the job pages have a job to show; its id. */
async function placeAnOrder(server) {
  const form = (fields) => ({
    method: 'POST',
    headers: server.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
    body: new URLSearchParams(fields),
  });
  const id = uuidv7();
  const created = await fetch(`${server.base}/api/orders/create`, form({
    key: crypto.randomUUID(), id, customer: 'First load', item: 'Measured bytes', quantity: '1', unit_price_cents: '1000', note: '',
  }));
  if (!created.ok) throw new Error(`create: ${created.status} ${await created.text()}`);
  const order = await created.json();
  const placed = await fetch(`${server.base}/api/orders/place`, form({ key: crypto.randomUUID(), id, version: String(order.version ?? 1) }));
  if (!placed.ok) throw new Error(`place: ${placed.status} ${await placed.text()}`);
  const receipt = await placed.json();
  return receipt.job?.id ?? receipt.id;
}

/** Which kind of file a URL is, for the totals. */
function kind(url) {
  const p = new URL(url).pathname;
  if (p.endsWith('.wasm')) return 'wasm';
  if (p.endsWith('.js')) return 'js';
  if (p.endsWith('.css')) return 'css';
  return 'other';
}

/** Records when the hydrated marker goes up (`window.__hydratedAt`, from navigation start). */
const markHydration = () => {
  const mark = () => {
    if (document.body?.hasAttribute('data-hydrated') && !window.__hydratedAt) window.__hydratedAt = performance.now();
  };
  new MutationObserver(mark).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
};

/**
 * One cold load of `route`: what went over the wire until hydration (requests started before
 * the hydrated marker), and what the page fetched in the 2 s after it (chunks it may need next).
 */
async function coldLoad(browser, base, route) {
  const context = await signedInContext(browser, base);
  const page = await context.newPage();
  await page.addInitScript(markHydration);
  await page.goto(`${base}${route}`);
  await page.waitForSelector('body[data-hydrated]', { timeout: 60_000 });
  await page.waitForTimeout(2_000);
  const entries = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance
      .getEntriesByType('resource')
      .map((r) => ({ name: r.name, transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize, before: r.startTime < window.__hydratedAt }));
    return { html: { transfer: nav.transferSize, encoded: nav.encodedBodySize, decoded: nav.decodedBodySize }, res };
  });
  await context.close();
  const totals = { html: entries.html.transfer, js: 0, wasm: 0, css: 0, other: 0, after: 0 };
  for (const r of entries.res) {
    // Only the site's own files (not the event stream, not API calls made after hydration).
    if (!new URL(r.name).pathname.startsWith('/pkg/') && !r.name.endsWith('.svg')) continue;
    if (r.before) totals[kind(r.name)] += r.transfer;
    else totals.after += r.transfer;
  }
  return { route, totals, files: entries.res.filter((r) => new URL(r.name).pathname.startsWith('/pkg/')), html: entries.html };
}

/** Time to interactive on `route`, with the CPU slowed down `rate` times. */
async function timeToInteractive(browser, base, route, rate) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await signedInContext(browser, base);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.addInitScript(markHydration);
    await page.goto(`${base}${route}`);
    await page.waitForSelector('body[data-hydrated]', { timeout: 120_000 });
    times.push(await page.evaluate(() => window.__hydratedAt));
    await context.close();
  }
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  return { route, runs, rate, p50: at(0.5), p95: at(0.95), min: times[0], max: times[times.length - 1] };
}

/** The built files with their compressed copies' sizes. */
function builtFiles() {
  const dir = path.join(root, 'target/site/pkg');
  const names = readdirSync(dir).filter((n) => !n.endsWith('.br') && !n.endsWith('.gz'));
  const size = (n) => { try { return statSync(path.join(dir, n)).size; } catch { return null; } };
  return names.map((n) => ({ file: n, raw: size(n), gzip: size(`${n}.gz`), br: size(`${n}.br`) })).sort((a, b) => b.raw - a.raw);
}

async function main() {
  const siteRoot = process.env.FIRST_LOAD_SITE_ROOT;
  const server = await startReleaseServer({ name: 'first-load', port, env: siteRoot ? { LEPTOS_SITE_ROOT: siteRoot } : {} });
  let browser = null;
  try {
    await server.signIn();
    const job = await placeAnOrder(server);
    browser = await launchChromium();
    const routes = ['/orders', '/members', `/jobs/${job}/accepted`, `/jobs/${job}`, '/states', '/sign-in'];
    const loads = [];
    for (const route of routes) loads.push(await coldLoad(browser, server.base, route));
    const files = builtFiles();
    const tti = [];
    for (const route of ['/orders', `/jobs/${job}`]) {
      log(`time to interactive on ${route}: ${runs} cold loads at 4x CPU throttling`);
      tti.push(await timeToInteractive(browser, server.base, route, 4));
    }

    console.log('Bytes transferred until hydrated (cold cache, Accept-Encoding: br, gzip):');
    console.log('  route                              HTML       JS         WASM       CSS        WASM+JS    then (2 s after)');
    for (const { route, totals } of loads) {
      const name = route.replace(/[0-9a-f-]{36}/, ':id').padEnd(34);
      console.log(`  ${name} ${kb(totals.html).padEnd(10)} ${kb(totals.js).padEnd(10)} ${kb(totals.wasm).padEnd(10)} ${kb(totals.css).padEnd(10)} ${kb(totals.js + totals.wasm).padEnd(10)} ${kb(totals.after)}`);
    }
    console.log('Built files (target/site/pkg): raw / gzip / brotli');
    for (const f of files) console.log(`  ${f.file.padEnd(48)} ${kb(f.raw).padEnd(10)} ${(f.gzip ? kb(f.gzip) : '-').padEnd(10)} ${f.br ? kb(f.br) : '-'}`);
    for (const t of tti) {
      const name = t.route.replace(/[0-9a-f-]{36}/, ':id');
      console.log(`Time to interactive, ${name}, CPU ${t.rate}x slower, ${t.runs} cold loads: p50 ${t.p50.toFixed(0)} ms, p95 ${t.p95.toFixed(0)} ms (min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)})`);
    }

    const orders = loads[0].totals;
    const first = orders.js + orders.wasm;
    const ok = first <= BUDGET_BYTES;
    console.log(`/orders WASM + JS on the wire: ${kb(first)} (${first} bytes) — target <= ${kb(BUDGET_BYTES)}: ${ok ? 'met' : 'MISSED'}`);
    if (process.env.FIRST_LOAD_JSON) writeFileSync(process.env.FIRST_LOAD_JSON, JSON.stringify({ loads, files, tti }, null, 1));
    return ok ? 0 : 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => { log(e.stack ?? String(e)); process.exit(1); },
);
