// The staff overview, the audit log showing a change, the dashboard and CE page on a
// 390 px phone with no sideways scrolling, and sign-in coming back to the page asked for.
// Every page here passes axe's WCAG 2.2 A/AA rules; screenshots are saved.
import assert from 'node:assert/strict';
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

/** A page in a phone-sized context (390 px wide), able to run axe. */
async function phone() {
  const context = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 390, height: 844 }, bypassCSP: true });
  return { context, page: await context.newPage() };
}

test('staff change a group and the audit log shows the name before and after, in words', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(page, DEMO.staff, DEMO_PASSWORD)).status(), 303);

  // The overview: figures worth opening, each card linking on.
  await page.goto('/staff');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Staff overview');
  for (const card of ['Members by standing', 'Renewals due this month', 'Applications waiting', 'CE compliance at risk', 'Mail failing']) {
    assert.equal(await page.getByRole('heading', { name: card }).count(), 1, `a card "${card}"`);
  }
  assert.match(await page.locator('section:has(#standing-h) .stat').innerText(), /^\d+$/);
  assert.deepEqual(await axeViolations(page), [], '/staff: no WCAG 2.2 A/AA violations');
  await page.screenshot({ path: screenshotPath('staff-overview.png'), fullPage: true });

  // Rename the first group.
  await page.goto('/staff/groups');
  await page.locator('table a[href^="/staff/groups/"]').first().click();
  const before = await page.getByLabel('Name', { exact: true }).inputValue();
  const renamed = `${before} (renamed)`;
  await page.getByLabel('Name', { exact: true }).fill(renamed);
  await page.getByRole('button', { name: 'Save group' }).click();
  await page.waitForLoadState('load');

  // The log says what happened in words, and which field changed from what to what.
  await page.goto('/staff/audit');
  const entry = page.locator('.audit-entry').first();
  assert.match(await entry.locator('.audit-action').innerText(), /^Group changed$/);
  const row = entry.locator('tr', { has: page.locator('th[scope=row]', { hasText: /^Name/ }) });
  assert.equal(await row.locator('del').innerText(), before, 'the name before, struck through');
  assert.equal(await row.locator('ins').innerText(), renamed, 'the name after, marked inserted');
  assert.match(await row.locator('th').innerText(), /changed/i, 'the change is said in a word, not colour alone');
  const slug = entry.locator('tr', { has: page.locator('th[scope=row]', { hasText: /^Short name/ }) });
  assert.match(await slug.innerText(), /unchanged/, 'an unchanged field says so');
  assert.doesNotMatch(await page.locator('main').innerText(), /group\.changed|\[20\d\d,/, 'no codes, no dates as numbers');
  assert.deepEqual(await axeViolations(page), [], '/staff/audit: no WCAG 2.2 A/AA violations');
  await page.screenshot({ path: screenshotPath('audit-log.png'), fullPage: true });

  // The same at phone width.
  const small = await phone();
  await signIn(small.page, DEMO.staff, DEMO_PASSWORD);
  for (const [path, name] of [['/staff', 'staff-overview-390.png'], ['/staff/audit', 'audit-log-390.png']]) {
    await small.page.goto(path);
    assert.ok(await small.page.evaluate(() => document.documentElement.scrollWidth <= 390), `${path} fits 390 px`);
    await small.page.screenshot({ path: screenshotPath(name), fullPage: true });
  }
  await small.context.close();
  await context.close();
});

test('on a 390 px phone the dashboard and the CE page never scroll sideways', async () => {
  const { context, page } = await phone();
  // Asked for /ce before signing in: sign-in comes back to it.
  await page.goto('/ce');
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await page.getByLabel('Email address').fill(DEMO.member);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/ce');

  for (const [path, name] of [['/ce', 'ce-390.png'], ['/dashboard', 'dashboard-390.png']]) {
    await page.goto(path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width} px wide at 390 px`);
    assert.deepEqual(await axeViolations(page), [], `${path} at 390 px: no WCAG 2.2 A/AA violations`);
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  // The dashboard's cards: the CE summary in words with a link on, invoices and receipts.
  const ce = page.locator('section:has(#ce-h)');
  assert.match(await ce.innerText(), /Texas Professional Engineer/);
  assert.match(await ce.innerText(), /\d+(\.\d+)? of \d+(\.\d+)? PDH/);
  assert.equal(await ce.getByRole('link', { name: 'Your PDH and licences' }).getAttribute('href'), '/ce');
  assert.match(await page.locator('section:has(#invoices-h)').innerText(), /Paid \d{4}-\d\d-\d\d/);
  // The navigation reaches the profile and the directory.
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Profile' }).getAttribute('href'), '/profile');
  assert.equal(await nav.getByRole('link', { name: 'Directory' }).getAttribute('href'), '/directory');
  await context.close();
});

test('the home page shows what the society offers today and passes axe', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  await page.goto('/');
  const text = await page.locator('main').innerText();
  for (const offer of ['Membership', 'Chapters', 'Continuing education', 'Member directory']) {
    assert.equal(await page.getByRole('heading', { name: offer, exact: true }).count(), 1, `offers ${offer}`);
  }
  assert.doesNotMatch(text, /verifiable credentials|mentoring|careers/i, 'nothing that does not exist yet');
  assert.deepEqual(await axeViolations(page), [], '/: no WCAG 2.2 A/AA violations');
  await page.screenshot({ path: screenshotPath('home.png'), fullPage: true });
  await context.close();
});
