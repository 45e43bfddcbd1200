// (f) Members reach their records: staff invite a chapter's members who have no account;
// one of them follows the emailed invitation in a fresh browser, sets a password, and
// lands on a dashboard showing their membership, with their PDH a click away.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, linkIn, newPage, openMailTo, screenshotPath, signIn, signUp,
  startServer,
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

test('staff invite a chapter and a member follows the link to their membership', async () => {
  // The administrator reads the mailbox: staff see sign-in links hidden.
  const admin = await newPage(browser, server.baseURL);
  let email;
  let number;
  let link;
  try {
    await signIn(admin.page, DEMO.admin, DEMO_PASSWORD);
    await admin.page.goto('/staff/members?chapter=3');
    await admin.page.getByRole('button', { name: 'Invite them' }).click();
    await admin.page.waitForLoadState('load');
    assert.match(await admin.page.locator('[role="status"]').innerText(), /were invited by email/);
    await admin.page.screenshot({ path: screenshotPath('staff-invited.png'), fullPage: true });
    // A member of the chapter: the first row of the list, followed to their page for the address.
    const first = admin.page.locator('main table tbody tr').first();
    number = (await first.locator('td').nth(1).innerText()).trim();
    await first.getByRole('link').click();
    await admin.page.waitForLoadState('load');
    email = (await admin.page.locator('main').innerText()).match(/[\w.+-]+@[\w.-]+\.[a-z]{2,}/)[0];
    const mail = await openMailTo(admin.page, email);
    assert.match(mail.subject, /membership online/);
    link = linkIn(mail.body, '/invitation');
  } finally {
    await admin.context.close();
  }

  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await page.goto(link.pathname + link.search);
    assert.match(await page.locator('h1').innerText(), /^Welcome, /);
    assert.match(await page.locator('main').innerText(), new RegExp(number));
    assert.deepEqual(await axeViolations(page), [], 'the invitation page: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('invitation.png'), fullPage: true });
    await page.getByLabel('Password').fill('a passphrase of my own');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/dashboard', 'signed in and on the dashboard');
    const main = await page.locator('main').innerText();
    assert.match(main, new RegExp(number), 'the dashboard shows their membership');
    await page.getByRole('link', { name: 'PDH & licences' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/ce', 'their CE is a click away');
    await page.screenshot({ path: screenshotPath('invited-member-ce.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('staff import a member with the invitation tick; the approvals area shows the invitation; the member follows it', async () => {
  const email = 'katherine.johnson@import.e2e.example.org';
  // Dorothy signed up before the society imported its members, and confirms afterwards.
  const early = 'dorothy.vaughan@import.e2e.example.org';
  const dorothy = await newPage(browser, server.baseURL);
  await signUp(dorothy.page, { name: 'Dorothy Vaughan', email: early, password: 'a passphrase of her own' });
  const admin = await newPage(browser, server.baseURL, { axe: true });
  let link;
  try {
    await signIn(admin.page, DEMO.admin, DEMO_PASSWORD);
    await admin.page.goto('/staff/import');
    const csv = 'first_name,last_name,email,tier,status,joined_on,expires_on\n'
      + `Katherine,Johnson,${email},member,active,2021-02-01,2099-01-31\n`
      + `Dorothy,Vaughan,${early},member,active,2020-03-01,2099-02-28\n`;
    await admin.page.getByLabel('Member CSV file').setInputFiles({
      name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv),
    });
    await admin.page.getByLabel('Only check the file; import nothing').uncheck();
    await admin.page.getByLabel('Invite the imported members').check();
    await admin.page.getByRole('button', { name: 'Check and import' }).click();
    await admin.page.waitForLoadState('load');
    assert.match(
      await admin.page.locator('[role="status"]').innerText(),
      /Imported 2 members; 1 of them was invited by email\./,
    );
    assert.deepEqual(await axeViolations(admin.page), [], 'the import result: no WCAG 2.2 A/AA violations');

    await admin.page.goto('/staff/approvals');
    const summary = admin.page.locator('#invitation-summary');
    assert.match(await summary.getByRole('row', { name: /Awaiting an answer/ }).innerText(), /[1-9]/);
    await admin.page.locator('#open-invitations').getByRole('link', { name: 'Katherine Johnson' }).waitFor();
    assert.deepEqual(await axeViolations(admin.page), [], 'the approvals area: no WCAG 2.2 A/AA violations');
    await admin.page.screenshot({ path: screenshotPath('staff-approvals-invitations.png'), fullPage: true });

    const mail = await openMailTo(admin.page, email);
    assert.match(mail.subject, /membership online/);
    link = linkIn(mail.body, '/invitation');

    // Dorothy's confirmation link (the administrator reads the local mailbox) links the
    // imported record to her account when she follows it.
    const confirmation = linkIn((await openMailTo(admin.page, early)).body, '/verify-email');
    await dorothy.page.goto(confirmation.pathname + confirmation.search);
    assert.match(await dorothy.page.locator('main').innerText(), /We found your membership record/);
    await signIn(dorothy.page, early, 'a passphrase of her own');
    assert.equal(new URL(dorothy.page.url()).pathname, '/dashboard');
    assert.doesNotMatch(await dorothy.page.locator('main').innerText(), /Become a member/);
    assert.match(await dorothy.page.locator('main').innerText(), /Member \(PE\)/);
  } finally {
    await admin.context.close();
    await dorothy.context.close();
  }

  const { context, page } = await newPage(browser, server.baseURL);
  try {
    await page.goto(link.pathname + link.search);
    assert.match(await page.locator('h1').innerText(), /^Welcome, Katherine/);
    await page.getByLabel('Password').fill('a passphrase of my own');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/dashboard', 'signed in and on the dashboard');
  } finally {
    await context.close();
  }
});
