// (b) Six wrong passwords in a row: the first five are told the password is not right, the
// sixth is told there have been too many attempts, and then even the right password is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createConfirmedAccount, launchBrowser, newPage, screenshotPath, signIn, startServer, uniqueEmail,
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

test('repeated wrong passwords lock the account for a while', async () => {
  // An account of this test's own, so the lock-out cannot disturb other tests sharing a database.
  const email = uniqueEmail('grace');
  const password = 'compiler bugs are moths';
  await createConfirmedAccount(browser, server.baseURL, { name: 'Grace Hopper', email, password });

  const { context, page } = await newPage(browser, server.baseURL);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const response = await signIn(page, email, `wrong password ${attempt}`);
    if (attempt === 1) await page.screenshot({ path: screenshotPath('sign-in-wrong-password.png'), fullPage: true });
    assert.equal(response.status(), 422, `attempt ${attempt} answers 422`);
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /The email address or password is not right\./,
      `attempt ${attempt} says the password is not right`);
    assert.equal(new URL(page.url()).pathname, '/sign-in', 'the sign-in form is shown again');
    assert.equal(await page.getByLabel('Email address').inputValue(), email, 'the email address is kept');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not echoed back');
  }

  const sixth = await signIn(page, email, 'wrong password 6');
  await page.screenshot({ path: screenshotPath('sign-in-rate-limited.png'), fullPage: true });
  assert.equal(sixth.status(), 429, 'the sixth attempt is rate-limited');
  assert.match(await page.getByRole('alert').innerText(), /Too many failed sign-in attempts/);

  const right = await signIn(page, email, password);
  assert.equal(right.status(), 429, 'even the right password is refused while locked');
  assert.match(await page.getByRole('alert').innerText(), /Too many failed sign-in attempts/);
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'not signed in');
  const dash = await page.goto('/dashboard');
  assert.notEqual(new URL(page.url()).pathname, '/dashboard', `no dashboard while locked (status ${dash.status()})`);
  await context.close();
});
