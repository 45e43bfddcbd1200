// Verifiable credentials: a member opens her wallet and her Fellow credential, follows its
// share link in a fresh browser with no session and sees it valid (also on a 390 px phone);
// staff revoke it with a reason after a confirmation page; the same link then says
// "revoked" with the reason, and the verifier page says so for the pasted credential too.
// Staff's list and the designation form are checked. Every page passes axe's WCAG 2.2 A/AA
// rules; screenshots are saved.
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

async function accessible(page, what) {
  assert.deepEqual(await axeViolations(page), [], `${what}: no WCAG 2.2 A/AA violations`);
}

test('a shared credential checks out without an account, and says so once staff revoke it', async () => {
  const maya = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(maya.page, DEMO.member, DEMO_PASSWORD)).status(), 303);
  await maya.page.goto('/credentials');
  await accessible(maya.page, '/credentials');
  await maya.page.screenshot({ path: screenshotPath('credentials-wallet.png'), fullPage: true });
  const wallet = await maya.page.locator('main').innerText();
  for (const held of ['Fellow', 'Structural Resilience After Flooding', 'Chapter Secretary']) {
    assert.match(wallet, new RegExp(held), `the wallet lists ${held}`);
  }

  await maya.page.getByRole('link', { name: 'Fellow', exact: true }).click();
  await maya.page.waitForLoadState('load');
  assert.match(await maya.page.locator('.verdict').innerText(), /^Valid/);
  await accessible(maya.page, 'the holder\'s credential page');
  const share = await maya.page.getByLabel(/Link to this page/).inputValue();
  assert.match(share, /\/credentials\/[0-9a-f-]{36}$/);
  assert.ok(await maya.page.getByRole('link', { name: 'Add it to your LinkedIn profile' }).count() === 1);
  const jwt = await (await maya.page.request.get(`${new URL(share).pathname}/credential.jwt`)).text();
  assert.match(jwt, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

  // An employer opens the link in a browser that has never signed in.
  const employer = await newPage(browser, server.baseURL, { axe: true });
  await employer.page.goto(share);
  assert.match(await employer.page.locator('.verdict').innerText(), /Valid: the society issued this credential/);
  const facts = await employer.page.locator('dl.facts').innerText();
  assert.match(facts, /Maya Okafor/);
  assert.match(facts, /Fellow/);
  assert.equal(await employer.page.getByRole('link', { name: 'Add it to your LinkedIn profile' }).count(), 0, 'only the holder adds it');
  await accessible(employer.page, 'the public credential page');
  await employer.page.setViewportSize({ width: 390, height: 844 });
  await employer.page.screenshot({ path: screenshotPath('credential-valid-phone.png'), fullPage: true });
  await employer.page.setViewportSize({ width: 1280, height: 800 });

  // Staff revoke it, after a confirmation page that asks for the reason.
  const staff = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(staff.page, DEMO.staff, DEMO_PASSWORD)).status(), 303);
  await staff.page.goto('/staff/credentials');
  await accessible(staff.page, '/staff/credentials');
  await staff.page.goto('/staff/credentials/new');
  await accessible(staff.page, '/staff/credentials/new');
  await staff.page.goto(share);
  await staff.page.getByRole('link', { name: 'Revoke' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('h1').innerText(), /Revoke this credential\?/);
  await accessible(staff.page, 'the revocation confirmation');
  const reason = 'The board found the nomination did not meet the bylaws.';
  await staff.page.getByLabel('Reason').fill(reason);
  await staff.page.getByRole('button', { name: 'Revoke the credential' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.getByRole('status').first().innerText(), /The credential was revoked/);

  // The same link, in the employer's browser, now says revoked, and why.
  await employer.page.reload();
  const verdict = await employer.page.locator('.verdict').innerText();
  assert.match(verdict, /Not valid/);
  assert.match(verdict, new RegExp(`Revoked by the society: ${reason}`));
  await accessible(employer.page, 'the revoked credential page');
  await employer.page.screenshot({ path: screenshotPath('credential-revoked.png'), fullPage: true });

  // Pasting the credential into the verifier says the same.
  await employer.page.goto('/verify');
  await accessible(employer.page, '/verify');
  await employer.page.getByLabel('Credential', { exact: true }).fill(jwt);
  await employer.page.getByRole('button', { name: 'Check it' }).click();
  await employer.page.waitForLoadState('load');
  assert.match(await employer.page.locator('.verdict').innerText(), new RegExp(reason));
  await Promise.all([maya.context.close(), employer.context.close(), staff.context.close()]);
});
