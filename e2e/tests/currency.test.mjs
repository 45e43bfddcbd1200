// The society's currency is a setting (the API gives it beside every amount): a code that
// is not ISO 4217 is explained, and the page passes axe-core's WCAG 2.2 A/AA rules on a
// desktop and a 390 px phone. (Rejecting an application with its reason is in
// membership.test.mjs.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO_PASSWORD, axeViolations, launchBrowser, newPage, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

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

test('an administrator sets the currency; a code that is not ISO 4217 is explained', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  await signIn(page, 'admin@demo.guildhall.org', DEMO_PASSWORD);
  await page.goto('/admin/settings');
  const currency = page.getByLabel('Currency');
  assert.equal(await currency.inputValue(), 'USD', 'US dollars until changed');
  await currency.fill('ZZZ');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('#currency-error').innerText(), /not an ISO 4217 currency code/);
  assert.deepEqual(await axeViolations(page), [], 'the refused form: no WCAG 2.2 A/AA violations');
  await page.screenshot({ path: screenshotPath('settings-currency-error.png'), fullPage: true });
  await page.getByLabel('Currency').fill('cad');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByLabel('Currency').inputValue(), 'CAD');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: screenshotPath('settings-currency-phone.png'), fullPage: true });
  await context.close();
});
