// The CE pages a first real user stumbled on (issue 10): the activity form keeps what was
// typed after a refusal and never puts the CSRF token in the address; deleting an activity
// asks first on a page of its own; the staff compliance report pages and filters. Every new
// page passes axe-core's WCAG 2.2 A/AA rules; screenshots at desktop and 390 px.
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

const CERTIFICATE = Buffer.from('%PDF-1.4\n% Certificate of completion: Bridge scour\n%%EOF\n');

test('a refused activity keeps its values, marks the wrong fields, and the address carries no CSRF token', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.member, DEMO_PASSWORD);
    await page.goto('/ce');
    const form = page.getByRole('region', { name: 'Log an activity' });
    await form.getByLabel('What was it?').fill('Bridge scour short course');
    await form.getByLabel('Kind of activity').selectOption('course');
    await form.getByLabel('Date', { exact: true }).fill('1949-06-30');
    await form.getByLabel('Amount').fill('lots');
    await form.getByLabel('Unit').selectOption('minute');
    await form.getByLabel('Ethics / professional conduct').check();
    await form.getByLabel('Provider', { exact: true }).fill('River Institute');
    await form.getByRole('button', { name: 'Log activity' }).click();
    await page.waitForLoadState('load');

    const url = new URL(page.url());
    assert.equal(url.pathname, '/ce/activities');
    assert.equal(url.search, '', 'no query string: the CSRF token is not in the address');
    assert.equal(url.hash, '');

    const again = page.getByRole('region', { name: 'Log an activity' });
    assert.equal(await again.getByLabel('What was it?').inputValue(), 'Bridge scour short course');
    assert.equal(await again.getByLabel('Kind of activity').inputValue(), 'course');
    assert.equal(await again.getByLabel('Date', { exact: true }).inputValue(), '1949-06-30');
    assert.equal(await again.getByLabel('Amount').inputValue(), 'lots');
    assert.equal(await again.getByLabel('Unit').inputValue(), 'minute');
    assert.equal(await again.getByLabel('Ethics / professional conduct').isChecked(), true);
    assert.equal(await again.getByLabel('Provider', { exact: true }).inputValue(), 'River Institute');

    const date = again.getByLabel('Date', { exact: true });
    assert.equal(await date.getAttribute('aria-invalid'), 'true');
    const dateError = await page.locator(`#${await date.getAttribute('aria-describedby')}`).innerText();
    assert.match(dateError, /before 1 January 1950/);
    const amount = again.getByLabel('Amount');
    assert.equal(await amount.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator(`#${await amount.getAttribute('aria-describedby')}`).innerText(), /must be a number/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'date', 'the first wrong field has the focus');
    const formTop = await again.boundingBox();
    const scrolled = await page.evaluate(() => window.scrollY);
    assert.ok(scrolled > 0 && Math.abs(formTop.y) < 800, `the form is in view (scrollY ${scrolled}, form at ${formTop.y})`);
    await page.screenshot({ path: screenshotPath('ce-form-refused.png') });
    assert.deepEqual(await axeViolations(page), [], 'the refused form: no WCAG 2.2 A/AA violations');

    // Corrected, it is logged.
    await date.fill('2026-01-15');
    await amount.fill('90');
    await again.getByRole('button', { name: 'Log activity' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('status').innerText(), /Activity logged/);
    assert.ok(!page.url().includes('csrf'));
    await page.screenshot({ path: screenshotPath('ce-page.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('ce-page-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('deleting an activity asks first, on a page of its own, and says its evidence goes with it', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.member, DEMO_PASSWORD);
    await page.goto('/ce');
    const form = page.getByRole('region', { name: 'Log an activity' });
    await form.getByLabel('What was it?').fill('Seminar logged by mistake');
    await form.getByLabel('Amount').fill('2');
    await form.getByLabel(/Certificate or other evidence/).setInputFiles({
      name: 'mistake.pdf', mimeType: 'application/pdf', buffer: CERTIFICATE,
    });
    await form.getByRole('button', { name: 'Log activity' }).click();
    await page.waitForLoadState('load');

    const ledger = page.getByRole('region', { name: /^Activities/ });
    await ledger.getByRole('link', { name: 'Delete Seminar logged by mistake' }).click();
    await page.waitForLoadState('load');
    assert.match(new URL(page.url()).pathname, /^\/ce\/activities\/\d+\/delete$/);
    const heading = page.getByRole('heading', { level: 1 });
    assert.equal(await heading.innerText(), 'Delete this activity?');
    const text = await page.locator('main').innerText();
    assert.match(text, /Seminar logged by mistake/);
    assert.match(text, /evidence file is deleted with it: mistake\.pdf/);
    assert.deepEqual(await axeViolations(page), [], 'the confirmation page: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('ce-confirm-delete.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('ce-confirm-delete-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Cancel keeps it; confirming deletes it.
    await page.getByRole('link', { name: 'Cancel, keep it as it is' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('region', { name: /^Activities/ }).innerText(), /Seminar logged by mistake/);
    await page.getByRole('link', { name: 'Delete Seminar logged by mistake' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('button', { name: 'Delete the activity' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('status').innerText(), /Activity deleted/);
    assert.doesNotMatch(await page.getByRole('region', { name: /^Activities/ }).innerText(), /Seminar logged by mistake/);
  } finally {
    await context.close();
  }
});

test('staff page through the compliance report, filter it, and ask for missing facts after confirming', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.staff, DEMO_PASSWORD);
    await page.goto('/staff/compliance');
    assert.match(await page.locator('.pager').innerText(), /Page 1 of \d+/);
    assert.deepEqual(await axeViolations(page), [], 'the compliance report: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('ce-compliance.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('ce-compliance-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByLabel('Licence or certification').selectOption('CA-ON-PEO');
    await page.getByLabel('Status').selectOption('undecidable');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForLoadState('load');
    const rows = page.locator('table').last().locator('tbody tr');
    assert.ok(await rows.count() > 0);
    assert.match(await rows.first().innerText(), /Ontario/);
    assert.match(await rows.first().innerText(), /PEAK target hours missing/);
    await page.getByRole('link', { name: /for it by email/ }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Ask members for missing facts');
    assert.deepEqual(await axeViolations(page), [], 'the request confirmation: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('ce-request-facts.png') });
    await page.getByRole('button', { name: /^Email / }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('status').innerText(), /were asked for the missing facts/);
  } finally {
    await context.close();
  }
});

test('staff define a programme with the form; the rule file is the advanced view', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.staff, DEMO_PASSWORD);
    await page.goto('/staff/programmes');
    assert.deepEqual(await axeViolations(page), [], 'the programmes page: no WCAG 2.2 A/AA violations');
    const form = page.getByRole('region', { name: 'Define a programme' });
    await form.getByLabel('Name, as members see it').fill('Capital Chapter Bridge Certificate');
    await form.getByLabel('Short id').fill('CAPITAL-BRIDGE');
    await form.getByLabel('Total required each period').fill('many');
    await form.getByLabel('Topic 1').selectOption('ethics');
    await form.getByLabel('At least').first().fill('1');
    await form.getByRole('button', { name: 'Check and save' }).click();
    await page.waitForLoadState('load');
    const again = page.getByRole('region', { name: 'Define a programme' });
    assert.equal(await again.getByLabel('Name, as members see it').inputValue(), 'Capital Chapter Bridge Certificate');
    assert.equal(await again.getByLabel('Total required each period').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(page), [], 'the refused programme form: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('ce-programmes-refused.png'), fullPage: true });
    await again.getByLabel('Total required each period').fill('6');
    await again.getByRole('button', { name: 'Check and save' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('status').innerText(), /Saved programme CAPITAL-BRIDGE/);
    await page.getByText('Advanced: the rule file (TOML)').click();
    assert.ok(await page.getByLabel('Rule file (TOML)').isVisible(), 'the advanced view opens');
    await page.screenshot({ path: screenshotPath('ce-programmes.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
