// (e) Membership pages: a member renews from the dashboard, a chapter officer works with
// their chapter roster and is refused other chapters, staff filter members by standing, and a
// member searches the directory.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, newPage, openMailTo, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

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

const pathOf = (page) => new URL(page.url()).pathname;

/** The same calendar date one year later (29 February becomes 28 February in a common year). */
function oneYearAfter(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  assert.ok(m, `"${iso}" is a YYYY-MM-DD date`);
  const [year, month, day] = [Number(m[1]) + 1, Number(m[2]), Number(m[3])];
  const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const d = month === 2 && day === 29 && !leap(year) ? 28 : day;
  return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The total the pager shows ("N in all" or "Page x of y (N in all)"). */
async function pagerTotal(page) {
  const text = await page.locator('main').innerText();
  const m = /(\d[\d,]*) in all/.exec(text);
  assert.ok(m, `the page shows a count ("… in all"):\n${text.slice(-300)}`);
  return Number(m[1].replace(/,/g, ''));
}

/** Texts of one column (0-based) of the members table, one per body row. */
function column(page, index) {
  return page.locator('main table tbody tr').evaluateAll(
    (rows, i) => rows.map((r) => r.querySelectorAll('td')[i]?.innerText.trim() ?? ''), index);
}

/** Follows the pager's "Next" link; false when there is none. */
async function nextPage(page) {
  const next = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: /Next/ });
  if (!(await next.count())) return false;
  await next.click();
  await page.waitForLoadState('load');
  return true;
}

test('the demo member renews from the dashboard and sees the new expiry', async (t) => {
  const { context, page } = await newPage(browser, server.baseURL);
  try {
    await signIn(page, DEMO.member, DEMO_PASSWORD);
    assert.equal(pathOf(page), '/dashboard');

    const card = page.getByRole('region', { name: 'Your membership' });
    assert.match(await card.innerText(), /M000001/);
    assert.match(await card.innerText(), /Capital Chapter/);
    const oldExpiry = (await page.locator('#membership-expires').innerText()).trim();
    assert.match(oldExpiry, /^\d{4}-\d{2}-\d{2}$/, 'the expiry is shown as a date');
    assert.equal((await card.locator('.badge').innerText()).trim(), 'Active, renewal due');

    const renew = card.getByRole('button', { name: /^Renew now \(\$\d[\d,]*\.\d{2}\)$/ });
    assert.equal(await renew.count(), 1, 'the card offers to renew');
    const dues = /\((\$[\d,]+\.\d{2})\)/.exec(await renew.innerText())[1];
    assert.equal(dues, '$210.00');

    await renew.click();
    await page.waitForLoadState('load');
    assert.match(pathOf(page), /^\/invoices\/\d+\/pay$/, 'renewing opens the invoice to pay');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Pay your invoice');
    assert.match(await page.locator('main').innerText(), new RegExp(`Amount\\s*${dues.replace(/[$.]/g, '\\$&')}`));

    const [payResponse] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /^\/invoices\/\d+\/pay$/.test(new URL(r.url()).pathname)),
      page.getByRole('button', { name: `Pay ${dues}` }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.ok(payResponse.status() < 400, `paying answered ${payResponse.status()}`);
    const after = new URL(page.url());
    assert.equal(after.pathname, '/dashboard');
    assert.equal(after.searchParams.get('renewed'), '1');

    assert.match(await page.getByRole('status').innerText(), /Thank you: your membership is renewed\./);
    const newExpiry = (await page.locator('#membership-expires').innerText()).trim();
    assert.equal(newExpiry, oneYearAfter(oldExpiry), `expiry moves one year on from ${oldExpiry}`);
    assert.equal((await card.locator('.badge').innerText()).trim(), 'Active');
    assert.equal(await page.getByRole('button', { name: /Renew now/ }).count(), 0, 'renewing is no longer offered');
    assert.equal(await page.getByRole('link', { name: /Pay your renewal invoice/ }).count(), 0, 'no invoice is left open');
    await page.screenshot({ path: screenshotPath('renewed.png'), fullPage: true });
    t.diagnostic(`expiry ${oldExpiry} -> ${newExpiry}`);

    // A fresh load (without ?renewed=1) still shows the renewed membership.
    await page.goto('/dashboard');
    assert.equal((await page.locator('#membership-expires').innerText()).trim(), newExpiry);
    assert.equal((await card.locator('.badge').innerText()).trim(), 'Active');
    assert.equal(await page.getByRole('button', { name: /Renew now/ }).count(), 0);
  } finally {
    await context.close();
  }
});

test('the chapter officer sees only their chapter roster and is refused other chapters', async (t) => {
  // As staff, find a member of another chapter.
  const staff = await newPage(browser, server.baseURL);
  let otherId;
  let otherName;
  try {
    await signIn(staff.page, DEMO.staff, DEMO_PASSWORD);
    await staff.page.goto('/staff/members?chapter=2');
    const first = staff.page.locator('main table tbody a[href^="/members/"]').first();
    otherId = (await first.getAttribute('href')).split('/').pop();
    otherName = (await first.innerText()).trim();
    const otherChapter = (await column(staff.page, 5))[0];
    assert.notEqual(otherChapter, 'Capital Chapter', 'chapter 2 is not Capital Chapter');
  } finally {
    await staff.context.close();
  }

  const { context, page } = await newPage(browser, server.baseURL);
  try {
    await signIn(page, DEMO.officer, DEMO_PASSWORD);
    assert.equal(pathOf(page), '/dashboard');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My chapter' }).click();
    await page.waitForLoadState('load');
    assert.equal(pathOf(page), '/chapters/1');
    const rosterLink = page.getByRole('link', { name: /^Chapter roster/ });
    const advertised = Number(/\((\d+) members\)/.exec(await rosterLink.innerText())?.[1]);
    await rosterLink.click();
    await page.waitForLoadState('load');
    assert.equal(pathOf(page), '/staff/members');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Capital Chapter roster');
    assert.equal(await page.getByRole('form', { name: 'Filter members' }).count(), 1, 'the filters form is shown');
    assert.equal(await page.getByLabel('Standing').count(), 1, 'the filters are labelled');
    assert.equal(await page.getByLabel('Chapter', { exact: true }).count(), 0, 'an officer gets no chapter filter');

    const total = await pagerTotal(page);
    assert.ok(total > 0, 'the roster is not empty');
    assert.equal(total, advertised, 'the roster count matches the chapter page');
    // Every row on every page of the roster is a Capital Chapter member.
    const chapters = [];
    const ids = [];
    for (let guard = 0; guard < 50; guard++) {
      chapters.push(...await column(page, 5));
      ids.push(...await page.locator('main table tbody a[href^="/members/"]').evaluateAll(
        (links) => links.map((a) => a.getAttribute('href').split('/').pop())));
      if (!(await nextPage(page))) break;
    }
    assert.equal(chapters.length, total, 'the count matches the rows listed');
    assert.deepEqual([...new Set(chapters)], ['Capital Chapter'], 'every row is a Capital Chapter member');
    assert.ok(!ids.includes(otherId), 'the other chapter\'s member is not listed');
    t.diagnostic(`roster: ${total} members; other chapter's member #${otherId} ${otherName}`);

    // Back on the roster's first page, open one member.
    await page.goto('/staff/members');
    const link = page.locator('main table tbody a[href^="/members/"]').first();
    const listed = (await link.innerText()).trim(); // "Last, First"
    const [last, firstName] = listed.split(', ');
    await link.click();
    await page.waitForLoadState('load');
    assert.match(pathOf(page), /^\/members\/\d+$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `${firstName} ${last}`);
    const record = await page.locator('main').innerText();
    assert.match(record, /Membership/);
    assert.match(record, /Chapter\s*Capital Chapter/);
    assert.match(record, /Number\s*M\d+/);
    assert.match(record, /Terms/);

    // A member of another chapter is refused.
    const response = await page.goto(`/members/${otherId}`);
    assert.equal(response.status(), 403);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You cannot open this page');
    assert.match(await page.getByRole('alert').innerText(),
      /You can see only the members of the chapters you hold office in\./);
    const main = await page.locator('main').innerText();
    const [otherLast, otherFirst] = otherName.split(', ');
    assert.ok(!main.includes(otherLast) || !main.includes(otherFirst), 'nothing of the member is shown');

    // Nor can the roster be widened to another chapter through the address.
    await page.goto('/staff/members?chapter=2');
    const widened = await column(page, 5);
    assert.ok(widened.every((c) => c === 'Capital Chapter'), `?chapter=2 shows only Capital Chapter: ${[...new Set(widened)]}`);
  } finally {
    await context.close();
  }
});

test('staff filter members by standing "In grace period"', async (t) => {
  const { context, page } = await newPage(browser, server.baseURL);
  try {
    await signIn(page, DEMO.staff, DEMO_PASSWORD);
    await page.goto('/staff/members');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Members');
    const everyone = await pagerTotal(page);

    await page.getByLabel('Standing').selectOption({ label: 'In grace period' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).searchParams.get('standing'), 'grace');
    assert.equal(await page.getByLabel('Standing').evaluate((s) => s.selectedOptions[0].text), 'In grace period',
      'the filter stays selected');

    const total = await pagerTotal(page);
    assert.ok(total > 0, 'some members are in their grace period');
    assert.ok(total < everyone, `the filter narrows the list (${total} of ${everyone})`);
    let seen = 0;
    for (let guard = 0; guard < 20; guard++) {
      const badges = await page.locator('main table tbody .badge').allInnerTexts();
      assert.deepEqual([...new Set(badges.map((b) => b.trim()))], ['In grace period'], 'only grace badges are listed');
      seen += badges.length;
      if (!(await nextPage(page))) break;
    }
    assert.equal(seen, total, 'the count matches the rows listed');
    t.diagnostic(`${total} of ${everyone} members in their grace period`);
  } finally {
    await context.close();
  }
});

test('a member searches the directory by last name', async (t) => {
  const { context, page } = await newPage(browser, server.baseURL);
  try {
    await signIn(page, DEMO.member, DEMO_PASSWORD);
    await page.goto('/dashboard');
    await page.getByRole('link', { name: 'Find other members' }).click();
    await page.waitForLoadState('load');
    assert.equal(pathOf(page), '/directory');
    await page.getByLabel('Last name starts with').fill('Ok');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'Ok');

    const total = await pagerTotal(page);
    assert.ok(total > 0, 'someone\'s last name starts with Ok');
    const names = [];
    for (let guard = 0; guard < 20; guard++) {
      names.push(...await column(page, 0));
      if (!(await nextPage(page))) break;
    }
    assert.equal(names.length, total, 'the count matches the rows listed');
    // Names are shown "First Last"; the last name is what follows the first word.
    const wrong = names.filter((n) => !/^ok/i.test(n.split(/\s+/).slice(1).join(' ')));
    assert.deepEqual(wrong, [], 'every last name starts with Ok');
    assert.ok(names.includes('Maya Okafor'), 'the demo member finds herself');
    t.diagnostic(`directory "Ok": ${total} (${[...new Set(names.map((n) => n.split(/\s+/).slice(1).join(' ')))].join(', ')})`);
  } finally {
    await context.close();
  }
});

test('staff reject an application on its confirmation page, with a reason the applicant is emailed', async (t) => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.staff, DEMO_PASSWORD);
    await page.goto('/staff/approvals');
    assert.deepEqual(await axeViolations(page), [], '/staff/approvals: no WCAG 2.2 A/AA violations');
    const row = page.locator('main table tbody tr').first();
    const applicant = (await row.locator('td').first().locator('a').innerText()).trim();
    await row.getByRole('link', { name: /^Reject/ }).click();
    await page.waitForLoadState('load');
    assert.match(pathOf(page), /^\/staff\/approvals\/\d+\/reject$/, 'Reject opens a page of its own');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Reject the application of ${applicant}?`);
    assert.deepEqual(await axeViolations(page), [], 'the rejection confirmation page: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('approvals-reject-confirm.png'), fullPage: true });
    const email = (await page.locator('#confirm-details dd').nth(1).innerText()).trim();

    // Without a reason it is refused next to the field, and nothing is decided.
    await page.getByRole('button', { name: 'Reject the application' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#reason-error').innerText(), /Give the reason/);
    assert.deepEqual(await axeViolations(page), [], 'the refused confirmation page: no WCAG 2.2 A/AA violations');

    const reason = 'We could not confirm your licence with the board; send us its number and apply again.';
    await page.getByLabel('Reason for the applicant').fill(reason);
    await page.getByRole('button', { name: 'Reject the application' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /The application was rejected\./);
    assert.equal(await page.locator('main table tbody tr', { hasText: applicant }).count(), 0, 'no longer in the queue');

    const mail = await openMailTo(page, email);
    assert.match(mail.body, /was declined/);
    assert.ok(mail.body.includes(reason), 'the email carries the reason');
    t.diagnostic(`rejected ${applicant} <${email}>: "${mail.subject}"`);
  } finally {
    await context.close();
  }
});

test('a member downloads a receipt from their receipts page', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.member, DEMO_PASSWORD);
    await page.goto('/profile');
    await page.getByRole('link', { name: 'Your receipts' }).click();
    await page.waitForLoadState('load');
    assert.equal(pathOf(page), '/membership/receipts');
    assert.deepEqual(await axeViolations(page), [], '/membership/receipts: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('receipts.png'), fullPage: true });
    const href = await page.getByRole('link', { name: /Download \(PDF\)/ }).first().getAttribute('href');
    const response = await page.request.get(href);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    const pdf = await response.body();
    assert.ok(pdf.subarray(0, 4).toString() === '%PDF', 'a PDF');
    await writeFile(screenshotPath('receipt.pdf'), pdf);
  } finally {
    await context.close();
  }
});

test('the confirmation pages and the staff change page pass axe and fit a phone', async () => {
  const { context, page } = await newPage(browser, server.baseURL, { axe: true });
  try {
    await signIn(page, DEMO.staff, DEMO_PASSWORD);
    await page.goto('/staff/officers');
    await page.getByRole('link', { name: /^End term/ }).first().click();
    await page.waitForLoadState('load');
    assert.match(pathOf(page), /^\/staff\/officers\/\d+\/end$/);
    assert.equal(await page.getByLabel('Last day').getAttribute('type'), 'date');
    assert.deepEqual(await axeViolations(page), [], 'the end-of-term confirmation page: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('officer-end-confirm.png'), fullPage: true });

    await page.goto('/staff/members?q=M000001');
    await page.getByRole('link', { name: /Okafor/ }).first().click();
    await page.waitForLoadState('load');
    const member = pathOf(page);
    await page.locator('details summary', { hasText: 'Refund payment' }).first().click();
    const form = page.locator('details[open] form');
    await form.getByLabel('Reason', { exact: false }).fill('Charged twice');
    await form.getByRole('button', { name: 'Continue to confirm the refund' }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Record this refund?');
    assert.deepEqual(await axeViolations(page), [], 'the refund confirmation page: no WCAG 2.2 A/AA violations');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('refund-confirm-390.png'), fullPage: true });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scroll at 390 px');

    await page.goto(`${member}/membership`);
    assert.deepEqual(await axeViolations(page), [], 'the tier, chapter and email page: no WCAG 2.2 A/AA violations');
    await page.screenshot({ path: screenshotPath('membership-change-390.png'), fullPage: true });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scroll at 390 px');
  } finally {
    await context.close();
  }
});
