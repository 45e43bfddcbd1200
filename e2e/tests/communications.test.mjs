// Communications (issue 14): staff write a campaign under the society's newsletter to two
// overlapping affinity groups, preview it with its merge fields and the count of members it
// would reach (each once), send themselves a test, and send it after the confirmation. Maya,
// whom staff put in both groups, receives it exactly once, and so does every other recipient.
// Without signing in, she opens her mail preferences from the message and leaves the journal's
// list there, then leaves the newsletter through the message's "Leave this list" link; the
// campaign's report counts her, and the newsletter has one member fewer. Every page passes
// axe's WCAG 2.2 A/AA rules; the compose, campaign, preferences and unsubscribe pages are
// screenshotted at desktop and 390 px phone widths and do not scroll sideways on the phone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, newPage, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

// The demo's society-wide newsletter (members are on it until they leave), and two affinity
// groups that share some members.
const NEWSLETTER = 'The Monthly Engineer';
const JOURNAL = 'Journal table of contents';
const GROUP_A = 'Engineers in Government';
const GROUP_B = 'Life Members';
// Maya's member number in the demo (the member account's record).
const MAYA_NUMBER = 'M000001';

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function accessible(page, what) {
  assert.deepEqual(await axeViolations(page), [], `${what}: no WCAG 2.2 A/AA violations`);
}

async function visit(page, path, what = path) {
  const response = await page.goto(path);
  assert.equal(response.status(), 200, `${what} answers 200`);
  return response;
}

/** Clicks a submit button (or link) and waits for the page it leads to. */
async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response;
}

/**
 * Screenshots the page at desktop width, then at 390 px; returns the phone's sideways overflow.
 * The message preview is a sandboxed (so cross-origin) frame, which Chromium does not paint
 * while it is off screen: it is scrolled into view first, or the screenshot shows it blank.
 */
async function screenshots(page, name) {
  const frames = page.locator('iframe');
  const showFrames = async () => {
    for (const frame of await frames.all()) await frame.scrollIntoViewIfNeeded();
  };
  await showFrames();
  await page.screenshot({ path: screenshotPath(`${name}.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await showFrames();
  await page.screenshot({ path: screenshotPath(`${name}-phone.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  return overflow;
}

/** The text of the <dd> after the <dt> reading `term` on the page. */
async function fact(page, term) {
  return (await page.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

/** The number in the report row headed `heading` on the campaign page. */
async function reported(page, heading) {
  const row = page.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${heading}$`) }) });
  return Number((await row.locator('td').innerText()).trim());
}

/** The rows of /staff/mail (optionally only to `to`, optionally page `n`): { href, to, subject, status }. */
async function mailRows(staffPage, { to = '', n = 1 } = {}) {
  await visit(staffPage, `/staff/mail?to=${encodeURIComponent(to)}&page=${n}`, 'the outgoing mail');
  return staffPage.locator('main tbody tr').evaluateAll((rows) => rows.map((tr) => {
    const cells = [...tr.querySelectorAll('td')].map((td) => td.innerText.trim());
    return { href: tr.querySelector('a')?.getAttribute('href'), to: cells[1], subject: cells[2], status: cells[3] };
  }));
}

/** Waits for a message to `to` with exactly `subject` in the local mailbox, opens it, returns its text. */
async function mailBody(staffPage, to, subject, { timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailRows(staffPage, { to })).find((m) => m.subject === subject);
    if (found) {
      await visit(staffPage, found.href, `the message “${subject}” to ${to}`);
      return staffPage.locator('pre.mail-body').innerText();
    }
    if (Date.now() > deadline) throw new Error(`No message “${subject}” to ${to} in /staff/mail within ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** The link after `label: ` in a message's plain text, as a path on this server. */
function footerLink(body, label) {
  const match = body.match(new RegExp(`${label}: (https?://\\S+)`));
  assert.ok(match, `the message has “${label}: <link>”:\n${body}`);
  const url = new URL(match[1]);
  assert.equal(url.origin, server.baseURL, `the “${label}” link points at this server`);
  return url.pathname + url.search;
}

/** How many members are on the list `name` now, from the staff's list of lists. */
async function onList(staffPage, name) {
  await visit(staffPage, '/staff/lists');
  const row = staffPage.locator('main tbody tr', { has: staffPage.getByRole('link', { name, exact: true }) });
  return Number((await row.locator('td.num').innerText()).trim());
}

test('a campaign to two overlapping groups reaches each member once, and a member leaves the list from the message', async () => {
  const started = Date.now();
  const stamp = Date.now().toString(36);
  const subject = `Spring site visits and the licensure bill (${stamp})`;
  const body = [
    'Dear {{first_name}},',
    '',
    'This spring the society visits **three construction sites**, each worth 2 PDH. '
      + 'The licensure bill also passed committee last week.',
    '',
    'Your membership runs to {{expires_on}}.',
  ].join('\n');

  const staff = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(staff.page, DEMO.staff, DEMO_PASSWORD)).status(), 303);
  const newsletterBefore = await onList(staff.page, NEWSLETTER);
  assert.ok(newsletterBefore > 0, `the demo's ${NEWSLETTER} has members`);

  // 0. Staff put Maya in both groups, so the campaign's overlap includes someone we can follow.
  await visit(staff.page, `/staff/members?q=${MAYA_NUMBER}`, 'the member search');
  await submit(staff.page, staff.page.locator('main tbody').getByRole('link', { name: 'Okafor, Maya' }));
  const mayaPath = new URL(staff.page.url()).pathname;
  assert.match(mayaPath, /^\/members\/\d+$/);
  const mayaEmail = await fact(staff.page, 'Email');
  assert.match(mayaEmail, /@/, 'her record has an address');
  for (const group of [GROUP_A, GROUP_B]) {
    await staff.page.getByLabel('Add to group').selectOption({ label: group });
    await submit(staff.page, staff.page.getByRole('button', { name: 'Add', exact: true }));
    assert.match(await staff.page.locator('main').innerText(), new RegExp(group), `Maya is shown in ${group}`);
  }

  // 1. Compose: the newsletter's list, a subject, a body with merge fields.
  await visit(staff.page, '/campaigns/new');
  await accessible(staff.page, '/campaigns/new');
  // The monthly digest fills the same form, for staff to edit (a plain link: no script needed).
  await submit(staff.page, staff.page.getByRole('link', { name: 'Start from the monthly digest' }));
  assert.equal(new URL(staff.page.url()).search, '?from=digest');
  assert.match(await staff.page.locator('#body').inputValue(), /## Upcoming events/, 'the digest fills the message');
  await accessible(staff.page, '/campaigns/new?from=digest');
  await visit(staff.page, '/campaigns/new');
  await staff.page.locator('#list_id').selectOption({ label: NEWSLETTER });
  await staff.page.locator('#subject').fill(subject);
  await staff.page.locator('#body').fill(body);
  const include = staff.page.getByRole('group', { name: 'Send to members who are in any of' });
  // The form starts with the first list's subscribers ticked: not this campaign's audience.
  for (const box of await include.locator('input[type=checkbox]:checked').all()) await box.uncheck();
  await include.locator('summary', { hasText: 'Members of a group' }).click();

  const preview = async () => {
    await submit(staff.page, staff.page.getByRole('button', { name: 'Preview and count' }));
    const status = (await staff.page.locator('main [role=status]').innerText()).trim();
    const match = status.match(/^It would go to (\d+) members? now, each once\.$/);
    assert.ok(match, `the preview says how many it would reach: “${status}”`);
    assert.equal(await staff.page.locator('#subject').inputValue(), subject, 'the form keeps what was typed');
    return Number(match[1]);
  };
  await include.getByLabel(GROUP_A).check();
  const onlyA = await preview();
  await include.getByLabel(GROUP_A).uncheck();
  await include.getByLabel(GROUP_B).check();
  const onlyB = await preview();
  await include.getByLabel(GROUP_A).check();
  const both = await preview();
  assert.ok(onlyA > 0 && onlyB > 0, `each group reaches someone (${onlyA}, ${onlyB})`);
  assert.ok(both >= Math.max(onlyA, onlyB), `both groups reach at least as many as either (${both})`);
  assert.ok(both < onlyA + onlyB, `members in both groups are counted once: ${both} < ${onlyA} + ${onlyB}`);

  // The preview is the message with its merge fields filled in.
  assert.match(await staff.page.locator('main').innerText(), new RegExp(`Subject: ${subject.replace(/[()]/g, '\\$&')}`));
  const shown = (await staff.page.locator('.mail-preview-inline').innerText()).trim();
  assert.match(shown, /Dear [A-Z][\w'-]*,/, `the preview greets someone by name:\n${shown}`);
  assert.doesNotMatch(shown, /\{\{|\}\}/, 'no merge field is left unfilled');
  assert.match(shown, /three construction sites/);
  await accessible(staff.page, '/campaigns/new with its preview');
  const composeOverflow = await screenshots(staff.page, 'campaign-compose');

  await submit(staff.page, staff.page.getByRole('button', { name: 'Save the draft' }));
  const campaignPath = new URL(staff.page.url()).pathname;
  assert.match(campaignPath, /^\/campaigns\/\d+$/, `saving leads to the campaign (${staff.page.url()})`);
  assert.match(await staff.page.locator('main [role=status]').innerText(), /The campaign was saved\./);
  assert.equal((await staff.page.locator('h1').innerText()).trim(), subject);
  assert.equal(await fact(staff.page, 'List'), NEWSLETTER);
  // The campaign page frames the message as it will arrive: branding, body and footer.
  const framed = (await staff.page.frameLocator('iframe.mail-preview').locator('body').innerText()).trim();
  assert.match(framed, /Dear [A-Z][\w'-]*,/, `the framed message greets someone by name:\n${framed}`);
  assert.match(framed, new RegExp(`on the list “${NEWSLETTER}”`), 'the footer names the list');
  const audience = await fact(staff.page, 'Sent to members in any of');
  assert.match(audience, new RegExp(GROUP_A));
  assert.match(audience, new RegExp(GROUP_B));
  assert.equal(await fact(staff.page, 'Would reach now'), `${both} members, each once`);
  await accessible(staff.page, 'the draft campaign');

  // 2. A test, to the staff member's own address, marked as one.
  await submit(staff.page, staff.page.getByRole('button', { name: 'Send me a test' }));
  assert.equal(new URL(staff.page.url()).pathname, campaignPath, 'the test send returns to the campaign');
  assert.match(await staff.page.locator('main [role=status]').innerText(), /A test was sent to your address\./);
  const testBody = await mailBody(staff.page, DEMO.staff, `[Test] ${subject}`);
  assert.match(testBody, /three construction sites/);
  assert.doesNotMatch(testBody, /\{\{|\}\}/, 'the test has its merge fields filled in');

  // 3. Send it, after the confirmation.
  await visit(staff.page, campaignPath, 'the campaign');
  await submit(staff.page, staff.page.getByRole('link', { name: 'Send now…' }));
  assert.equal((await staff.page.locator('h1').innerText()).trim(), `Send “${subject}” now?`);
  assert.match(await staff.page.locator('main').innerText(), new RegExp(`It goes to these ${both} people, each once`));
  await accessible(staff.page, 'the send confirmation');
  await submit(staff.page, staff.page.getByRole('button', { name: 'Send the campaign' }));
  assert.equal(new URL(staff.page.url()).pathname, campaignPath);
  assert.match(await staff.page.locator('main [role=status]').innerText(), /The campaign is being sent\./);
  assert.equal(await staff.page.locator('a', { hasText: 'Send now…' }).count(), 0, 'a sent campaign cannot be sent again');

  // The job loop delivers it to the local mailbox within a few seconds.
  const deadline = Date.now() + 60_000;
  while ((await fact(staff.page, 'Status')) !== 'Sent') {
    assert.ok(Date.now() < deadline, `the campaign was delivered within a minute (status ${await fact(staff.page, 'Status')})`);
    await sleep(1_000);
    await visit(staff.page, campaignPath, 'the campaign');
  }
  assert.ok(await staff.page.getByRole('heading', { name: 'What became of it' }).isVisible());
  assert.equal(await reported(staff.page, 'Recipients'), both, 'the recipients are those counted');
  assert.equal(await reported(staff.page, 'Sent'), both, 'every one was sent');
  assert.equal(await reported(staff.page, 'Waiting to be sent'), 0);
  assert.equal(await reported(staff.page, 'Could not be sent'), 0);
  assert.equal(await reported(staff.page, 'Left the list from it'), 0);
  await accessible(staff.page, 'the sent campaign and its report');
  const campaignOverflow = await screenshots(staff.page, 'campaign-sent');

  // 4. Maya, in both groups, has it exactly once; so has everyone else it went to.
  const toMaya = (await mailRows(staff.page, { to: mayaEmail })).filter((m) => m.subject === subject);
  assert.equal(toMaya.length, 1, `one message “${subject}” to ${mayaEmail}`);
  const mayaBody = await mailBody(staff.page, mayaEmail, subject);
  assert.match(mayaBody, /^Dear Maya,/, 'her message greets her by name');
  assert.doesNotMatch(mayaBody, /\{\{|\}\}/);
  const recipients = [];
  for (let n = 1, seen = false; ; n += 1) {
    const rows = await mailRows(staff.page, { n });
    const ours = rows.filter((m) => m.subject === subject);
    recipients.push(...ours.map((m) => m.to.toLowerCase()));
    // The campaign's messages were queued together, so they are listed together.
    if (rows.length === 0 || (seen && ours.length === 0)) break;
    seen ||= ours.length > 0;
  }
  assert.equal(recipients.length, both, `the mailbox holds ${both} messages “${subject}”`);
  assert.equal(new Set(recipients).size, both, 'each to a different address');

  // 4b. The welcome series: the demo wrote it; staff switch it on and add a step, a bad one first.
  await visit(staff.page, '/campaigns/automations');
  await accessible(staff.page, '/campaigns/automations');
  await submit(staff.page, staff.page.getByRole('link', { name: 'Welcome series' }));
  await accessible(staff.page, 'the welcome series');
  await staff.page.getByLabel('Switched on').check();
  await submit(staff.page, staff.page.getByRole('button', { name: 'Save the series' }));
  assert.match(await staff.page.locator('main [role=status]').innerText(), /The series was saved\./);
  assert.ok(await staff.page.getByLabel('Switched on').isChecked(), 'the series is on');
  const addStep = staff.page.locator('form', { has: staff.page.getByRole('button', { name: 'Add the step' }) });
  await addStep.getByLabel('Days after the start').fill('7');
  await addStep.getByLabel('Subject').fill('Your first week, {{first_name}}');
  await submit(staff.page, staff.page.getByRole('button', { name: 'Add the step' }));
  assert.match(await staff.page.locator('#body-error').innerText(), /Enter the message\./, 'the empty message is refused');
  assert.equal(await addStep.getByLabel('Subject').inputValue(), 'Your first week, {{first_name}}', 'what was typed is kept');
  await accessible(staff.page, 'the welcome series with an error');
  await addStep.getByLabel('Message').fill('A week in: your CE record and your chapter.');
  await submit(staff.page, staff.page.getByRole('button', { name: 'Add the step' }));
  assert.match(await staff.page.locator('main [role=status]').innerText(), /The step was added\./);
  const stepRows = staff.page.locator('table tbody tr');
  assert.match(await stepRows.filter({ hasText: 'Your first week' }).innerText(), /^7\s+Your first week, \{\{first_name\}\}\s+Going/);
  const seriesOverflow = await screenshots(staff.page, 'welcome-series');

  // 5. From the message, without signing in: her preferences, where she leaves the journal.
  const member = await newPage(browser, server.baseURL, { axe: true });
  const preferencesPath = footerLink(mayaBody, 'All your mail preferences');
  const unsubscribePath = footerLink(mayaBody, 'Leave this list');
  await visit(member.page, preferencesPath, 'the preferences link');
  assert.equal((await member.page.locator('h1').innerText()).trim(), 'Mail preferences');
  assert.match(await member.page.locator('main').innerText(), new RegExp(mayaEmail.replace(/\./g, '\\.')), 'it names her address');
  const lists = member.page.getByRole('group', { name: 'Lists' });
  assert.ok(await lists.getByLabel(NEWSLETTER).isChecked(), `she is on ${NEWSLETTER}`);
  assert.ok(await lists.getByLabel(JOURNAL).isChecked(), `she is on ${JOURNAL} (the demo joined her)`);
  await accessible(member.page, 'the preferences page from a message');
  await lists.getByLabel(JOURNAL).uncheck();
  await submit(member.page, member.page.getByRole('button', { name: 'Save my preferences' }));
  assert.match(await member.page.locator('main [role=status]').innerText(), /Your mail preferences were saved\./);
  assert.ok(!(await lists.getByLabel(JOURNAL).isChecked()), `${JOURNAL} is off`);
  assert.ok(await lists.getByLabel(NEWSLETTER).isChecked(), `${NEWSLETTER} is untouched`);
  const choices = member.page.locator('table', { has: member.page.locator('caption', { hasText: 'Changes to what you receive' }) });
  assert.match(await choices.locator('tbody tr').first().innerText(), new RegExp(`Left ${JOURNAL}\\s+preferences page, from a message`));
  await accessible(member.page, 'the preferences page, saved');
  const preferencesOverflow = await screenshots(member.page, 'mail-preferences');

  // 6. The message's "Leave this list" link: a page that says what it does, and one button.
  await visit(member.page, unsubscribePath, 'the unsubscribe link');
  assert.equal((await member.page.locator('h1').innerText()).trim(), `Leave ${NEWSLETTER}?`);
  await accessible(member.page, 'the unsubscribe page');
  await submit(member.page, member.page.getByRole('button', { name: 'Leave the list' }));
  assert.equal((await member.page.locator('h1').innerText()).trim(), `You have left ${NEWSLETTER}`);
  assert.match(await member.page.locator('main [role=status]').innerText(), new RegExp(`nothing more from the list ${NEWSLETTER}`));
  await accessible(member.page, 'the unsubscribe page, done');
  const unsubscribeOverflow = await screenshots(member.page, 'mail-unsubscribed');
  await submit(member.page, member.page.getByRole('link', { name: 'Change your other mail preferences' }));
  assert.ok(!(await lists.getByLabel(NEWSLETTER).isChecked()), `her preferences show ${NEWSLETTER} off`);
  assert.match(await choices.locator('tbody tr').first().innerText(), new RegExp(`Left ${NEWSLETTER}\\s+one-click unsubscribe`));

  // 7. Staff see it: the campaign's report counts her, and the newsletter has one member fewer.
  await visit(staff.page, campaignPath, 'the campaign');
  assert.equal(await reported(staff.page, 'Left the list from it'), 1, 'the report counts her leaving');
  assert.equal(await onList(staff.page, NEWSLETTER), newsletterBefore - 1, `${NEWSLETTER} has one member fewer`);

  assert.deepEqual(
    { compose: composeOverflow, campaign: campaignOverflow, series: seriesOverflow, preferences: preferencesOverflow, unsubscribe: unsubscribeOverflow },
    { compose: 0, campaign: 0, series: 0, preferences: 0, unsubscribe: 0 },
    'no page scrolls sideways at 390 px',
  );
  await member.context.close();
  await staff.context.close();
  console.log(`communications: ${GROUP_A} ${onlyA}, ${GROUP_B} ${onlyB}, both ${both}; ${Date.now() - started} ms`);
});
