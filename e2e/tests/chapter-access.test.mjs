// (c) The demo chapter officer can open their chapter; an ordinary member is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, launchBrowser, newPage, signIn, startServer } from '../lib/harness.mjs';

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

test('the chapter officer opens their chapter', async () => {
  const { context, page } = await newPage(browser, server.baseURL);
  await signIn(page, DEMO.officer, DEMO_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/dashboard');

  // The header offers the chapter.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'My chapter' }).click();
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).pathname, '/chapters/1');

  const response = await page.goto('/chapters/1');
  assert.equal(response.status(), 200);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Capital Chapter');
  const main = await page.locator('main').innerText();
  assert.match(main, /Officers/);
  assert.match(main, /President/, 'the officer list shows the President');
  await context.close();
});

test('a member without an office is refused the chapter page', async () => {
  const { context, page } = await newPage(browser, server.baseURL);
  await signIn(page, DEMO.member, DEMO_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'My chapter' }).count(), 0, 'no chapter link for a member');

  const response = await page.goto('/chapters/1');
  assert.equal(response.status(), 403);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You cannot open this page');
  assert.doesNotMatch(await page.locator('main').innerText(), /Capital Chapter/, 'nothing of the chapter is shown');
  await context.close();
});

test('a visitor who is not signed in is sent to sign in', async () => {
  const { context, page } = await newPage(browser, server.baseURL);
  const response = await page.goto('/chapters/1');
  const path = new URL(page.url()).pathname;
  assert.ok(path === '/sign-in' || response.status() === 401 || response.status() === 403,
    `a visitor does not see the chapter (at ${path}, status ${response.status()})`);
  assert.doesNotMatch(await page.locator('main').innerText(), /Officers/);
  await context.close();
});
