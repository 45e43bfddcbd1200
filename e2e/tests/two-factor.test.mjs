// Two-factor sign-in, as a member uses it: set it up from the account page with an
// authenticator app (the test computes the app's codes itself, RFC 6238 with Node's
// crypto), keep the recovery codes, sign out, sign in with the password and a code, and
// later with a recovery code. Every page on the way passes axe's WCAG 2.2 A/AA rules.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, newPage, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** RFC 4648 base32 to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit TOTP (RFC 6238: HMAC-SHA1, 30-second steps) for `key` at `unixSeconds`. */
function totp(key, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = crypto.createHmac('sha1', base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

test('a member turns on two-factor sign-in and signs in with an app code, then a recovery code', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  await signIn(page, DEMO.member, DEMO_PASSWORD);
  await page.goto('/account');
  await page.getByRole('link', { name: 'Set up two-factor sign-in' }).click();
  assert.deepEqual(await axeViolations(page), [], '/account/two-factor (off): no WCAG 2.2 A/AA violations');
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await page.waitForLoadState('load');

  // The QR code is an image with a name; the key is there to type.
  assert.equal(await page.getByRole('img', { name: /QR code/ }).count(), 1);
  const key = (await page.locator('code.key').innerText()).trim();
  assert.match(key, /^[A-Z2-7 ]{32,}$/);
  assert.deepEqual(await axeViolations(page), [], '/account/two-factor (setting up): no WCAG 2.2 A/AA violations');
  await page.screenshot({ path: screenshotPath('two-factor-setup.png'), fullPage: true });

  await page.getByLabel('Code from the app').fill(totp(key, Date.now() / 1000));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await page.waitForLoadState('load');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your recovery codes');
  const codes = await page.locator('.recovery-codes code').allInnerTexts();
  assert.equal(codes.length, 10);
  assert.deepEqual(await axeViolations(page), [], 'recovery codes page: no WCAG 2.2 A/AA violations');
  await page.screenshot({ path: screenshotPath('two-factor-recovery-codes.png'), fullPage: true });
  await context.close();

  // A fresh browser: the password leads to the code page, and a recovery code gets in.
  const fresh = await newPage(browser, server.baseURL, { axe: true });
  await signIn(fresh.page, DEMO.member, DEMO_PASSWORD);
  assert.equal(new URL(fresh.page.url()).pathname, '/sign-in/two-factor');
  assert.deepEqual(await axeViolations(fresh.page), [], '/sign-in/two-factor: no WCAG 2.2 A/AA violations');
  await fresh.page.getByLabel('Code').fill('123456');
  await fresh.page.getByRole('button', { name: 'Sign in' }).click();
  await fresh.page.waitForLoadState('load');
  assert.match(await fresh.page.getByRole('alert').innerText(), /not right|used already/);
  await fresh.page.getByLabel('Code').fill(codes[0]);
  await fresh.page.getByRole('button', { name: 'Sign in' }).click();
  await fresh.page.waitForLoadState('load');
  assert.equal(new URL(fresh.page.url()).pathname, '/dashboard');
  await fresh.page.goto('/account/two-factor');
  assert.match(await fresh.page.locator('main').innerText(), /9 unused recovery codes/);
  await fresh.context.close();
});
