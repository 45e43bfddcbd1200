// (d) Keyboard and accessibility basics on the public pages, plus screenshots of them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, launchBrowser, newPage, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

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

/** Form controls a person fills in (not hidden fields or buttons) that have no accessible label. */
function unlabelledControls(page) {
  return page.evaluate(() => {
    const controls = [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.getAttribute('type') || '').toLowerCase()));
    return controls
      .filter((el) => {
        const byLabel = el.labels && [...el.labels].some((l) => l.textContent.trim() !== '');
        const byAria = (el.getAttribute('aria-label') || '').trim() !== ''
          || (el.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim());
        return !byLabel && !byAria;
      })
      .map((el) => el.outerHTML);
  });
}

test('the sign-in page: skip link first, labelled fields, one h1', async () => {
  const { context, page } = await newPage(browser, server.baseURL);
  await page.goto('/sign-in');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'the page declares its language');

  // The first Tab lands on a visible "skip to main content" link to #main.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    return { tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href'),
      visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 };
  });
  assert.equal(focused.tag, 'A', 'the first Tab focuses a link');
  assert.equal(focused.href, '#main');
  assert.match(focused.text, /skip/i);
  assert.ok(focused.visible, 'the skip link is visible while it has focus');
  assert.equal(await page.locator('#main').count(), 1, 'the skip link target exists');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'following the skip link moves focus to the main content');

  // Every field has a label, the fields are reachable by their labels, and there is one h1.
  assert.deepEqual(await unlabelledControls(page), [], 'every input has a label');
  assert.equal(await page.getByLabel('Email address').count(), 1);
  assert.equal(await page.getByLabel('Password').count(), 1);
  assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in');

  // The form can be used with the keyboard alone: Tab through to the fields and press Enter.
  await page.getByLabel('Email address').focus();
  await page.keyboard.type('nobody@example.org');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password', 'Tab moves from email to password');
  await page.keyboard.type('not the password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in'),
    page.keyboard.press('Enter'),
  ]);
  await page.waitForLoadState('load');
  await page.screenshot({ path: screenshotPath('sign-in-error.png'), fullPage: true });
  assert.equal(response.status(), 422);

  // The error is announced, the page still has one h1 and labelled fields.
  const alert = page.getByRole('alert');
  assert.match(await alert.innerText(), /The email address or password is not right\./);
  assert.equal(await page.locator('h1').count(), 1, 'exactly one h1 with the error shown');
  assert.deepEqual(await unlabelledControls(page), [], 'every input has a label with the error shown');
  const invalid = page.locator('[aria-invalid="true"]');
  assert.ok(await invalid.count() >= 1, 'the field in error is marked aria-invalid');
  const describedBy = await invalid.first().getAttribute('aria-describedby');
  assert.ok(describedBy && await page.locator(`#${describedBy.split(/\s+/)[0]}`).count() === 1,
    'the field in error points at its message');
  await context.close();
});

test('the home and sign-up pages: one h1, labelled fields, skip link', async () => {
  const { context, page } = await newPage(browser, server.baseURL);
  for (const path of ['/', '/sign-up']) {
    const response = await page.goto(path);
    assert.equal(response.status(), 200, `${path} opens`);
    assert.equal(await page.locator('h1').count(), 1, `${path} has exactly one h1`);
    assert.deepEqual(await unlabelledControls(page), [], `${path}: every input has a label`);
    assert.equal(await page.locator('a[href="#main"]').count(), 1, `${path} has a skip link`);
    assert.ok((await page.title()).trim() !== '', `${path} has a title`);
    if (path === '/') await page.screenshot({ path: screenshotPath('home.png'), fullPage: true });
  }
  await context.close();
});

test('public pages pass axe-core\'s WCAG 2.2 A/AA rules', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  for (const path of ['/', '/sign-in', '/sign-up', '/password/forgot']) {
    await page.goto(path);
    assert.deepEqual(await axeViolations(page), [], `${path}: no WCAG 2.2 A/AA violations`);
  }
  await context.close();
});

test('a signed-in page keeps the same basics', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  await signIn(page, 'staff@demo.guildhall.org', 'demo-password-2026');
  for (const path of ['/dashboard', '/staff', '/staff/mail', '/staff/compliance', '/staff/programmes', '/staff/tiers',
    '/staff/groups', '/staff/officers', '/staff/officer-fields', '/staff/members', '/staff/claims', '/staff/erasure-requests', '/account']) {
    const response = await page.goto(path);
    assert.equal(response.status(), 200, `${path} opens`);
    assert.equal(await page.locator('h1').count(), 1, `${path} has exactly one h1`);
    assert.deepEqual(await unlabelledControls(page), [], `${path}: every input has a label`);
    const current = page.locator('nav [aria-current="page"]');
    assert.ok(await current.count() <= 2, `${path}: at most one current item per navigation`);
    assert.deepEqual(await axeViolations(page), [], `${path}: no WCAG 2.2 A/AA violations`);
  }
  await context.close();
});

test('the member\'s continuing-education page: one h1, every field labelled, bars named', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  await signIn(page, 'member@demo.guildhall.org', 'demo-password-2026');
  const response = await page.goto('/ce');
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
  assert.deepEqual(await unlabelledControls(page), [], 'every input has a label');
  const unnamedBars = await page.evaluate(() => [...document.querySelectorAll('progress')]
    .filter((p) => !(p.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim()))
    .map((p) => p.outerHTML));
  assert.deepEqual(unnamedBars, [], 'every progress bar is named by its requirement');
  assert.ok(await page.locator('progress').count() >= 4, 'bars for both licences');
  for (const path of ['/ce', '/dashboard', '/profile', '/account', '/claim', '/privacy', '/privacy/erase']) {
    await page.goto(path);
    assert.deepEqual(await axeViolations(page), [], `${path} (member): no WCAG 2.2 A/AA violations`);
  }
  await page.goto('/ce');
  await page.screenshot({ path: screenshotPath('ce.png'), fullPage: true });
  await context.close();
});
