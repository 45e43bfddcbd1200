// The resume bank: Maya joins it, confidential, and takes her resume as JSON Resume; the
// demo recruiter (whose employer has access in the demo) searches the bank and invites a
// confidential candidate; the chapter officer's new employer, without access, is told the
// bank is a paid product. Every page on the way passes axe's WCAG 2.2 A/AA rules.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, newPage, signIn, startServer } from '../lib/harness.mjs';

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

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

test('a member joins the resume bank; an employer with access searches it and one without is told it is paid', async () => {
  const member = await newPage(browser, server.baseURL, { axe: true });
  const m = member.page;
  await signIn(m, DEMO.member, DEMO_PASSWORD);
  await m.goto('/account');
  await submit(m, m.getByRole('link', { name: /The resume bank/ }));
  await accessible(m, 'resume bank, not joined');
  await m.getByLabel('Summary (at most 280 characters)').fill('Bridge design and inspection across Central Texas.');
  await m.getByLabel('Years of experience').fill('12');
  await m.getByLabel('Region').selectOption('west_south_central');
  await m.getByLabel('Career stage').selectOption('licensed');
  await m.getByLabel('Discipline').selectOption('civil');
  await submit(m, m.getByRole('button', { name: 'Join the resume bank' }));
  assert.ok(await m.getByText('Your resume bank entry was saved').isVisible());
  await accessible(m, 'resume bank, joined');
  const json = await m.request.get('/account/resume.json');
  assert.equal(json.status(), 200);
  assert.equal((await json.json()).basics.name.startsWith('Maya'), true);
  await m.goto('/account/resume-bank/leave');
  await accessible(m, 'leave confirmation');

  const recruiter = await newPage(browser, server.baseURL, { axe: true });
  const r = recruiter.page;
  await signIn(r, 'recruiter@demo.guildhall.org', DEMO_PASSWORD);
  await r.goto('/employer');
  await submit(r, r.getByRole('link', { name: 'Gulf Coast Structural' }));
  await submit(r, r.getByRole('link', { name: 'Resume bank' }));
  assert.match(new URL(r.url()).pathname, /^\/employer\/\d+\/resume-bank$/);
  await accessible(r, 'the bank');
  assert.ok(await r.getByText('Maya').count() === 0, 'a confidential member is nameless');
  await r.goto(new URL(r.url()).pathname + '/access');
  await accessible(r, 'bank access');

  const officer = await newPage(browser, server.baseURL, { axe: true });
  const o = officer.page;
  await signIn(o, DEMO.officer, DEMO_PASSWORD);
  await o.goto('/employer');
  await o.getByLabel("Employer's name").fill(`Pecos Survey ${Date.now()}`);
  await submit(o, o.getByRole('button', { name: 'Create the account' }));
  const bank = new URL(o.url()).pathname.replace(/\/jobs$/, '/resume-bank');
  const response = await o.goto(bank);
  assert.equal(response.status(), 403);
  assert.ok(await o.getByText('paid product').isVisible());
  await accessible(o, 'paid product page');

  for (const ctx of [member, recruiter, officer]) await ctx.context.close();
});
