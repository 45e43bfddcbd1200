// Shared helpers for Guildhall's browser tests.
//
// startServer() runs the real server binary (GUILDHALL_BIN, default ../target/debug/guildhall
// relative to e2e/) with `serve --demo` on a free loopback port and a fresh temporary data
// directory, waits for /healthz, and returns a handle whose stop() kills it. Set
// E2E_PG_ADMIN_URL (a PostgreSQL URL allowed to create databases) to run each server on a
// database of its own, created for it and dropped by stop(), named E2E_PG_PREFIX_<n>; so no
// test file sees what another one changed, on PostgreSQL as on SQLite.
//
// launchBrowser() starts Debian's Chromium (/usr/bin/chromium, or E2E_CHROMIUM) through
// playwright-core; no browser is downloaded.

import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Screenshots go here (E2E_RESULTS_DIR overrides, e.g. to keep one run's per database).
export const RESULTS_DIR = process.env.E2E_RESULTS_DIR
  ? path.resolve(process.env.E2E_RESULTS_DIR)
  : path.join(E2E_DIR, 'test-results');

export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO = {
  member: 'member@demo.guildhall.org',
  officer: 'officer@demo.guildhall.org',
  staff: 'staff@demo.guildhall.org',
  admin: 'admin@demo.guildhall.org',
};

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function serverBinary() {
  const fromEnv = process.env.GUILDHALL_BIN;
  return fromEnv ? path.resolve(fromEnv) : path.resolve(E2E_DIR, '../target/debug/guildhall');
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every server started by this process, so a crashing test run does not leave one behind.
const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

let pgDatabases = 0;

/** A new, empty PostgreSQL database when E2E_PG_ADMIN_URL is set: { url, drop() }. */
function freshPostgresDatabase() {
  const admin = process.env.E2E_PG_ADMIN_URL;
  if (!admin) return null;
  pgDatabases += 1;
  const name = `${process.env.E2E_PG_PREFIX || `guildhall_e2e_${process.pid}`}_${process.pid}_${pgDatabases}`;
  const psql = (sql) => execFileSync('psql', [admin, '-XAtqc', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
  psql(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * Starts `guildhall serve --demo`. Returns { baseURL, port, dataDir, logFile, stop() }.
 */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(`Server binary not found at ${bin}. Build it with \`cargo build -p guildhall\` or set GUILDHALL_BIN.`);
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guildhall-e2e-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const pgDatabase = freshPostgresDatabase();
  const databaseURL = pgDatabase?.url || `sqlite:${path.join(dataDir, 'guildhall.db')}`;
  const logFile = path.join(dataDir, 'server.log');
  const log = createWriteStream(logFile);
  let tail = '';
  const keep = (chunk) => {
    log.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  };

  // The server reads every GUILDHALL_* variable as configuration (and refuses unknown
  // ones), so none of the caller's (GUILDHALL_BIN, GUILDHALL_TEST_PG, GUILDHALL_CONFIG, …)
  // is passed on: the server gets exactly the settings below.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GUILDHALL_')));
  delete env.DATABASE_URL;
  Object.assign(env, {
    DATABASE_URL: databaseURL,
    GUILDHALL_SERVER__BIND: `127.0.0.1:${port}`,
    GUILDHALL_SERVER__PUBLIC_URL: baseURL,
    RUST_LOG: process.env.RUST_LOG || 'info',
  });
  const child = spawn(bin, ['serve', '--demo'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve(exited);
    });
  });

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    log.end();
    if (!process.env.E2E_KEEP_DATA) {
      await rm(dataDir, { recursive: true, force: true });
      pgDatabase?.drop();
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`Server exited early (${JSON.stringify(exited)}) for ${databaseURL}. Output:\n${tail}`);
    }
    try {
      const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Server did not answer ${baseURL}/healthz within ${timeoutMs} ms. Output:\n${tail}`);
    }
    await sleep(150);
  }
  return { baseURL, port, dataDir, logFile, databaseURL, stop, output: () => tail };
}

/** Headless Chromium; `args` adds flags (a fake camera, say). */
export async function launchBrowser({ args = [] } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install chromium).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...args] });
}

/** A new browser context (own cookies) with a page on the server. */
/**
 * A fresh browser context and page. With `{ axe: true }` the context ignores the site's
 * Content-Security-Policy so that axe-core can be injected (see `axeViolations`); use it
 * only for accessibility checks.
 */
export async function newPage(browser, baseURL, { axe = false } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, bypassCSP: axe });
  const page = await context.newPage();
  return { context, page };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.2 A and AA violations on the page as it is now, one line each
 * ("rule: how many nodes (first node)"). The page must come from a `newPage(…, { axe: true })`.
 */
export async function axeViolations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return results.violations.map((v) => `${v.id}: ${v.nodes.length} node(s), e.g. ${v.nodes[0].target.join(' ')} — ${v.help}`);
  });
}

export function screenshotPath(name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, name);
}

/** An address no other run will have used. */
export function uniqueEmail(prefix = 'person') {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.org`;
}

/**
 * Fills the sign-in form as a person would and submits it. Returns the HTTP response to
 * the form post (so its status can be checked); the page is loaded when this returns.
 */
export async function signIn(page, email, password) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/**
 * As a signed-in staff member, waits for a message to `to` in /staff/mail, opens it and
 * returns { subject, body }.
 */
export async function openMailTo(staffPage, to, { timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Filtered by recipient: the background jobs may queue many reminders meanwhile.
    await staffPage.goto(`/staff/mail?to=${encodeURIComponent(to)}`);
    const row = staffPage.locator('tbody tr', { hasText: to }).first();
    if (await row.count()) {
      const link = row.getByRole('link');
      const subject = (await link.innerText()).trim();
      await link.click();
      await staffPage.waitForLoadState('load');
      const body = await staffPage.locator('pre.mail-body').innerText();
      return { subject, body };
    }
    if (Date.now() > deadline) throw new Error(`No mail to ${to} appeared in /staff/mail within ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** The first link in a mail body whose path is `pathname`. */
export function linkIn(body, pathname) {
  for (const match of body.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const url = new URL(match[0]);
    if (url.pathname === pathname) return url;
  }
  throw new Error(`No ${pathname} link in the mail body:\n${body}`);
}

/** Signs up a new person through the form. Returns the response page's h1 text. */
export async function signUp(page, { name, email, password }) {
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForLoadState('load');
  return (await page.locator('h1').innerText()).trim();
}

/**
 * Signs up `email` and confirms it through the link an administrator can read in the local
 * mailbox (staff see sign-in links hidden),
 * for tests that need a fresh account of their own.
 */
export async function createConfirmedAccount(browser, baseURL, { name, email, password }) {
  const person = await newPage(browser, baseURL);
  const staff = await newPage(browser, baseURL);
  try {
    const heading = await signUp(person.page, { name, email, password });
    if (heading !== 'Check your email') throw new Error(`Sign-up showed "${heading}"`);
    const res = await signIn(staff.page, DEMO.admin, DEMO_PASSWORD);
    if (new URL(staff.page.url()).pathname !== '/dashboard') throw new Error(`Admin sign-in failed: ${res.status()}`);
    const { body } = await openMailTo(staff.page, email);
    const link = linkIn(body, '/verify-email');
    await person.page.goto(link.pathname + link.search);
    const confirmed = (await person.page.locator('h1').innerText()).trim();
    if (confirmed !== 'Email confirmed') throw new Error(`Verification showed "${confirmed}"`);
  } finally {
    await person.context.close();
    await staff.context.close();
  }
}
