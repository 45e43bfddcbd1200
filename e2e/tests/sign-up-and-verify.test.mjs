// (a) A new person joins, confirms their address through the emailed link (read by an
// administrator in the local mailbox, in a second browser; staff see such links hidden), signs in and is welcomed on the dashboard.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DEMO, DEMO_PASSWORD, launchBrowser, linkIn, newPage, openMailTo, screenshotPath, signIn, signUp,
  startServer, uniqueEmail,
} from '../lib/harness.mjs';

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

test('a new person signs up, confirms their email from the mailbox and reaches the dashboard', async () => {
  const name = 'Ada Lovelace';
  const email = uniqueEmail('ada');
  const password = 'analytical engine notes';

  const person = await newPage(browser, server.baseURL);
  const { page } = person;

  // Sign up.
  const heading = await signUp(page, { name, email, password });
  assert.equal(heading, 'Check your email', 'after "Create account" the page says to check the inbox');

  // An administrator reads the verification message in the local mailbox, in a separate
  // browser context (sign-in links are shown to administrators only).
  const staff = await newPage(browser, server.baseURL);
  await signIn(staff.page, DEMO.admin, DEMO_PASSWORD);
  assert.equal(new URL(staff.page.url()).pathname, '/dashboard', 'the demo administrator can sign in');
  await staff.page.goto('/staff');
  await staff.page.screenshot({ path: screenshotPath('staff.png'), fullPage: true });
  const mail = await openMailTo(staff.page, email);
  await staff.page.screenshot({ path: screenshotPath('staff-mail-message.png'), fullPage: true });
  await staff.page.goto('/staff/mail');
  await staff.page.screenshot({ path: screenshotPath('staff-mail.png'), fullPage: true });
  const link = linkIn(mail.body, '/verify-email');
  assert.equal(link.origin, server.baseURL, 'the emailed link points at the public URL');
  assert.ok(link.searchParams.get('token'), 'the link carries a token');

  // The new person follows the link.
  await page.goto(link.href);
  assert.equal(await page.locator('h1').innerText(), 'Email confirmed');

  // And signs in.
  const response = await signIn(page, email, password);
  assert.equal(response.status(), 303, 'a correct sign-in redirects');
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  await assertVisibleHeading(page, `Welcome, ${name}`);
  assert.match(await page.locator('main').innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
  await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });

  // Signing out from the header takes them back to being a visitor.
  await page.getByRole('button', { name: /Sign out/ }).click();
  await page.waitForLoadState('load');
  await assertVisible(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }));
  const back = await page.goto('/dashboard');
  assert.notEqual(new URL(page.url()).pathname, '/dashboard', `after signing out /dashboard is not shown (status ${back.status()})`);

  // The link cannot be used twice.
  await page.goto(link.href);
  assert.notEqual(await page.locator('h1').innerText(), 'Email confirmed', 'a used verification link is refused');

  await person.context.close();
  await staff.context.close();
});

test('an account whose email is not confirmed yet cannot sign in, and is told why', async () => {
  const email = uniqueEmail('charles');
  const password = 'difference engine plans';
  const { context, page } = await newPage(browser, server.baseURL);
  assert.equal(await signUp(page, { name: 'Charles Babbage', email, password }), 'Check your email');
  await signIn(page, email, password);
  await page.screenshot({ path: screenshotPath('sign-in-unconfirmed.png'), fullPage: true });
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'an unconfirmed account is not signed in');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in', 'the sign-in form is shown again');
  assert.match(await page.locator('main').innerText(), /Confirm your email address first/);
  await context.close();
});

test('sign-up with a too-short password shows the problem next to the field', async () => {
  const { context, page } = await newPage(browser, server.baseURL);
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Short Password');
  await page.getByLabel('Email address').fill(uniqueEmail('short'));
  await page.getByLabel('Password', { exact: true }).fill('short');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-up'),
    page.getByRole('button', { name: 'Create account' }).click(),
  ]);
  await page.waitForLoadState('load');
  await page.screenshot({ path: screenshotPath('sign-up-error.png'), fullPage: true });
  assert.equal(response.status(), 422);
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Join /, 'the sign-up form is shown again');
  assert.equal(await page.getByLabel('Your name').inputValue(), 'Short Password', 'what was typed is kept');
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
  await context.close();
});

async function assertVisibleHeading(page, text) {
  const h1 = page.getByRole('heading', { level: 1 });
  assert.equal((await h1.innerText()).trim(), text);
  assert.ok(await h1.isVisible(), `"${text}" is visible`);
}

async function assertVisible(locator) {
  assert.ok(await locator.isVisible(), `${locator} is visible`);
}
