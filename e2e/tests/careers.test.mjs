// Career centre: an employer's recruiter (the demo chapter officer) creates the employer's
// account, posts a job requiring a Texas PE, orders a 30-day run and pays (test provider);
// staff approve it; Maya, who holds a Texas PE, finds it under "Jobs I qualify for",
// applies with a PDF resume sharing her Texas licence, and sees the employer move her
// application to "Interview". Every careers page on the way passes axe's WCAG 2.2 A/AA
// rules; the search and job pages are screenshotted at desktop and 390 px without sideways
// scrolling.
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

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

async function screenshots(page, name) {
  await page.screenshot({ path: screenshotPath(`${name}.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: screenshotPath(`${name}-phone.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  return overflow;
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

test('a job requiring a Texas PE is paid for, approved, found by a qualified member, applied for and moved to interview', async () => {
  const stamp = Date.now();
  const title = `Bridge design engineer ${stamp}`;

  // The employer's recruiter creates the account and writes the job.
  const employer = await newPage(browser, server.baseURL, { axe: true });
  const e = employer.page;
  await signIn(e, DEMO.officer, DEMO_PASSWORD);
  await e.goto('/employer');
  await accessible(e, 'recruit page');
  await e.getByLabel("Employer's name").fill(`Brazos Bridge Partners ${stamp}`);
  await submit(e, e.getByRole('button', { name: 'Create the account' }));
  assert.match(new URL(e.url()).pathname, /^\/employer\/\d+\/jobs$/);
  await accessible(e, 'employer account');
  await submit(e, e.getByRole('link', { name: 'Write a job' }));
  await accessible(e, 'job form');
  await e.getByLabel('Title', { exact: true }).fill(title);
  await e.getByLabel('Description (Markdown)').fill('Design and inspect **bridges** across Central Texas.');
  await e.getByLabel('Discipline').selectOption('civil');
  await e.getByLabel('Career stage').selectOption('licensed');
  await e.getByLabel('Where the work is done').selectOption('hybrid');
  await e.getByLabel('State or province').selectOption('US-TX');
  await e.getByLabel('City (optional)').fill('Waco');
  await e.getByLabel('From').fill('98000');
  await e.getByLabel('To', { exact: true }).fill('125000');
  await e.getByLabel('Requirement 1').selectOption('required');
  await e.getByLabel('Licence or certification 1').selectOption('PE');
  await e.getByLabel('Licensed in 1').selectOption('US-TX');
  await submit(e, e.getByRole('button', { name: 'Send for review' }));
  assert.ok(await e.getByText('Waiting for the society').first().isVisible(), 'sent for review');
  const jobPath = new URL(e.url()).pathname;
  const jobId = jobPath.split('/').pop();

  // It orders and pays for a 30-day run.
  await e.getByRole('radio', { name: '30 days: $295.00' }).check();
  await submit(e, e.getByRole('button', { name: 'Order and pay' }));
  await accessible(e, 'payment page');
  await submit(e, e.getByRole('button', { name: /^Pay \$/ }));
  assert.ok(await e.getByText('the payment was received').isVisible(), 'paid');
  await accessible(e, 'employer job page');

  // Nobody sees it yet.
  const visitor = await newPage(browser, server.baseURL);
  assert.equal((await visitor.page.goto(`/jobs/${jobId}`)).status(), 404, 'not public before approval');

  // Staff approve it (no complimentary run: the paid one starts).
  const staff = await newPage(browser, server.baseURL, { axe: true });
  const s = staff.page;
  await signIn(s, DEMO.staff, DEMO_PASSWORD);
  await s.goto('/staff/jobs');
  await accessible(s, 'review queue');
  await submit(s, s.getByRole('link', { name: title }));
  await accessible(s, 'review page');
  await s.getByLabel('Approve').check();
  await s.getByLabel(/^Advertise it for/).fill('');
  await submit(s, s.getByRole('button', { name: 'Record the review' }));
  assert.ok(await s.getByText('The job was approved').isVisible());

  // Maya finds it among the jobs she qualifies for.
  const member = await newPage(browser, server.baseURL, { axe: true });
  const m = member.page;
  await signIn(m, DEMO.member, DEMO_PASSWORD);
  await m.goto('/jobs');
  await m.getByLabel('Jobs I qualify for').check();
  await submit(m, m.getByRole('button', { name: 'Find jobs' }));
  assert.match(m.url(), /qualified=1/);
  await accessible(m, 'job search');
  assert.equal(await screenshots(m, 'careers-search'), 0, 'the search fits a 390 px phone');
  await submit(m, m.getByRole('link', { name: title }));
  await accessible(m, 'job page');
  assert.ok(await m.getByText('Your record meets every required licence').isVisible());
  assert.equal(await screenshots(m, 'careers-job'), 0, 'the job page fits a 390 px phone');

  // She applies with her resume, sharing her Texas licence.
  await submit(m, m.getByRole('link', { name: 'Apply' }));
  await accessible(m, 'apply page');
  await m.getByLabel('Your resume (PDF, at most 5 MB)').setInputFiles({ name: 'maya-okafor.pdf', mimeType: 'application/pdf', buffer: PDF });
  await m.getByLabel('PE licensed in Texas').check();
  await m.getByLabel('Cover letter (optional)').fill('Twelve years of bridge design; a Texas PE since 2016.');
  await submit(m, m.getByRole('button', { name: 'Send the application' }));
  assert.match(new URL(m.url()).pathname, /^\/account\/applications\/\d+$/);
  assert.ok(await m.getByText('Submitted', { exact: true }).first().isVisible());
  await accessible(m, 'application page');
  const applicationPath = new URL(m.url()).pathname;

  // The employer moves it to interview.
  await e.goto(jobPath);
  await submit(e, e.getByRole('link', { name: 'Applications' }));
  await accessible(e, 'applicants');
  await submit(e, e.getByRole('link', { name: /Maya/ }));
  await accessible(e, 'applicant page');
  assert.ok(await e.getByText('PE licensed in Texas').isVisible(), 'the shared licence');
  await e.getByLabel('Move to').selectOption('interview');
  await e.getByLabel('Message to the applicant (optional)').fill('Could you come in on Tuesday at 10?');
  await submit(e, e.getByRole('button', { name: 'Move and tell the applicant' }));
  assert.ok(await e.getByText('The application was moved').isVisible());

  // Maya sees "Interview".
  await m.goto(applicationPath);
  assert.equal(await m.locator('dd strong').first().textContent(), 'Interview');
  assert.ok(await m.getByText('Could you come in on Tuesday at 10?').isVisible());
  await m.goto('/account/applications');
  await accessible(m, 'my applications');
  assert.ok(await m.getByRole('row', { name: new RegExp(title) }).getByRole('cell', { name: 'Interview' }).isVisible());

  // She asks to be emailed new civil jobs in Texas, and sees the alert on her list.
  await m.goto('/jobs?discipline=civil&jurisdiction=US-TX');
  await submit(m, m.getByRole('link', { name: 'Email me new jobs like these' }));
  await accessible(m, 'new job alert');
  assert.ok(await m.getByText('Civil jobs in Texas').isVisible());
  await m.getByLabel('Daily').check();
  await submit(m, m.getByRole('button', { name: 'Start the alert' }));
  assert.equal(new URL(m.url()).pathname, '/account/job-alerts');
  assert.ok(await m.getByText('Your job alert is on.').isVisible());
  assert.ok(await m.getByRole('link', { name: 'Civil jobs in Texas', exact: true }).isVisible());
  await accessible(m, 'job alerts');
  assert.equal(await screenshots(m, 'careers-alerts'), 0, 'the alerts fit a 390 px phone');

  for (const ctx of [employer, visitor, staff, member]) await ctx.context.close();
});

// The employer's applicant-tracking system: its owner issues an API token on the employer's
// tokens page, the system posts a job with it over HTTP, the job waits for review on the
// employer's account, and revoking the token (after confirming) stops it.
test("an employer's API token posts a job for review and stops once revoked", async () => {
  const stamp = Date.now();
  const owner = await newPage(browser, server.baseURL, { axe: true });
  const o = owner.page;
  await signIn(o, DEMO.officer, DEMO_PASSWORD);
  await o.goto('/employer');
  await o.getByLabel("Employer's name").fill(`Pecos Water Works ${stamp}`);
  await submit(o, o.getByRole('button', { name: 'Create the account' }));
  const accountPath = new URL(o.url()).pathname;
  const employerId = Number(accountPath.split('/')[2]);
  await submit(o, o.getByRole('link', { name: 'API tokens' }));
  await accessible(o, 'employer tokens (none yet)');
  assert.ok(await o.getByText('No tokens have been issued').isVisible());
  await o.getByLabel('Name', { exact: true }).fill('Greenhouse');
  await o.getByLabel('Expires after (days)').fill('90');
  await submit(o, o.getByRole('button', { name: 'Issue the token' }));
  const secret = (await o.locator('code.secret').textContent()).trim();
  assert.match(secret, /^gh_/);
  await accessible(o, 'employer tokens (secret shown)');
  assert.equal(await screenshots(o, 'careers-tokens'), 0, 'the tokens page fits a 390 px phone');

  const call = (method, path, body) => fetch(new URL(path, server.baseURL), {
    method,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const title = `Water resources engineer ${stamp}`;
  const posted = await call('POST', '/api/v1/jobs', {
    employer_id: employerId, title, description: 'Plan **reservoirs** in West Texas.', discipline: 'civil',
    career_stage: 'eit', jurisdiction: 'US-TX', remote: 'on_site', salary_min: '72000', salary_max: '88000',
    pay_period: 'year', submit: true,
  });
  assert.equal(posted.status, 201, await posted.clone().text());
  assert.equal((await posted.json()).state, 'waiting_for_review');
  assert.equal((await call('GET', '/api/v1/me')).status, 403, "nothing of the owner's own record");
  await o.goto(accountPath);
  assert.ok(await o.getByRole('row', { name: new RegExp(title) }).isVisible(), 'the posted job on the account');

  // Revoked after confirming: the system's next call is refused.
  await o.goto(`/employer/${employerId}/tokens`);
  const row = await o.getByRole('row', { name: /Greenhouse/ }).textContent();
  assert.ok(!row.includes('Not yet'), `its last use is shown: ${row}`);
  await submit(o, o.getByRole('link', { name: 'Revoke Greenhouse' }));
  await accessible(o, 'revoke confirmation');
  await submit(o, o.getByRole('button', { name: 'Revoke the token' }));
  assert.ok(await o.getByText('The token was revoked').isVisible());
  assert.ok(await o.getByRole('cell', { name: /^Revoked/ }).isVisible());
  assert.equal((await call('GET', '/api/v1/jobs')).status, 401);
  await owner.context.close();
});
