// Knowledge base and members' questions: Maya asks a members-only question (civil, Texas);
// a visitor with no session is sent to sign in and does not see it listed; Daniel answers;
// Samuel, a licensed Texas PE in civil, endorses the answer under his name; Maya accepts it;
// staff add the question to the knowledge base as a public article, which a visitor can then
// read and find through search. The knowledge-base, question and staff pages pass axe's
// WCAG 2.2 A/AA rules; screenshots of the article, question and search pages are saved at
// desktop and phone (390 px) widths.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, newPage, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

// A member with a current Texas PE licence in civil and structural.
const ENGINEER = 'engineer@demo.guildhall.org';

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

async function visit(page, path, what = path) {
  const response = await page.goto(path);
  assert.equal(response.status(), 200, `${what} answers 200`);
  return response;
}

/** Clicks a submit button and waits for the page the form's post leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

/** Screenshots the page as it is at desktop width, then at a 390 px phone width. */
async function screenshots(page, name) {
  await page.screenshot({ path: screenshotPath(`${name}.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: screenshotPath(`${name}-phone.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  return overflow;
}

test('a members-only question is answered, endorsed, accepted and published to the knowledge base', async () => {
  const stamp = Date.now();
  // "headwall" appears in no demo article, so searching for it finds the new one on page one.
  const title = `Do Texas PDH rules count a culvert headwall design review ${stamp}?`;
  const details = 'A county asked me to check another firm\'s **culvert headwall** drawings. Does that review count toward my Texas renewal?';
  const answerText = `Only if it was part of structured learning with a certificate; ordinary review work does not count (${stamp}).`;

  // The knowledge base and search, for anyone.
  const visitor = await newPage(browser, server.baseURL, { axe: true });
  await visit(visitor.page, '/kb');
  assert.equal(await visitor.page.getByRole('search').locator('#q').count(), 1, '/kb has a search box');
  await accessible(visitor.page, '/kb');
  const subjectLink = visitor.page.locator('main ul.columns a').first();
  const subjectPath = await subjectLink.getAttribute('href');
  assert.match(subjectPath, /^\/kb\/subjects\/[a-z0-9-]+$/);
  await visit(visitor.page, subjectPath, 'a subject page');
  await accessible(visitor.page, `the subject page ${subjectPath}`);
  const demoArticle = await visitor.page.locator('main ul a[href^="/learn/"]').first().getAttribute('href');
  await visit(visitor.page, demoArticle, 'a demo article');
  assert.ok((await visitor.page.locator('h1').innerText()).trim().length > 0);
  await accessible(visitor.page, `the article ${demoArticle}`);
  await visit(visitor.page, '/search?q=pdh');
  assert.ok(await visitor.page.locator('ol.search-results li').count() > 0, 'searching for pdh finds something');
  assert.ok(await visitor.page.locator('ol.search-results mark').count() > 0, 'matches are marked');
  await accessible(visitor.page, '/search?q=pdh');

  // 1. Maya asks a members-only question in civil, for Texas.
  const maya = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(maya.page, DEMO.member, DEMO_PASSWORD)).status(), 303);
  await visit(maya.page, '/questions');
  await accessible(maya.page, '/questions');
  await visit(maya.page, '/questions/new');
  await accessible(maya.page, '/questions/new');
  await maya.page.locator('#title').fill(title);
  await maya.page.locator('#body').fill(details);
  await maya.page.locator('#subjects').fill('Licensure, Continuing Education');
  await maya.page.locator('#discipline').selectOption('civil');
  await maya.page.locator('#jurisdiction').selectOption('US-TX');
  assert.ok(await maya.page.locator('input[name="visibility"][value="members"]').isChecked(), 'members only by default');
  await submit(maya.page, maya.page.getByRole('button', { name: 'Post the question' }));
  const asked = new URL(maya.page.url());
  assert.match(asked.pathname, /^\/questions\/\d+$/, `asking leads to the question (${maya.page.url()})`);
  assert.equal(asked.searchParams.get('done'), 'asked');
  const questionPath = asked.pathname;
  assert.equal((await maya.page.locator('h1').innerText()).trim(), title);

  // 2. A visitor with no session is sent to sign in, and the question is not listed for them.
  await visitor.page.goto(questionPath);
  assert.match(new URL(visitor.page.url()).pathname, /^\/sign-in$/, 'a visitor is sent to sign in');
  assert.doesNotMatch(await visitor.page.content(), new RegExp(String(stamp)), 'nothing of the question shows');
  await visit(visitor.page, '/questions');
  assert.doesNotMatch(await visitor.page.locator('main').innerText(), new RegExp(String(stamp)), 'not listed for a visitor');
  assert.equal(await visitor.page.locator(`a[href="${questionPath}"]`).count(), 0);

  // 3. Daniel answers.
  const daniel = await newPage(browser, server.baseURL);
  assert.equal((await signIn(daniel.page, DEMO.officer, DEMO_PASSWORD)).status(), 303);
  await visit(daniel.page, questionPath, 'the question, for Daniel');
  await daniel.page.locator('#body').fill(answerText);
  await submit(daniel.page, daniel.page.getByRole('button', { name: 'Post your answer' }));
  const danielsAnswer = (page) => page.locator('article.answer', { hasText: answerText });
  assert.equal(await danielsAnswer(daniel.page).count(), 1, 'the answer shows');
  assert.match(await danielsAnswer(daniel.page).locator('h3').innerText(), /Daniel Reyes answered/);
  assert.equal(await danielsAnswer(daniel.page).getByRole('button', { name: /Endorse/ }).count(), 0, 'no endorsing one\'s own answer');

  // 4. Samuel, licensed in Texas in civil, endorses it under his name.
  const samuel = await newPage(browser, server.baseURL);
  assert.equal((await signIn(samuel.page, ENGINEER, DEMO_PASSWORD)).status(), 303);
  await visit(samuel.page, questionPath, 'the question, for Samuel');
  await danielsAnswer(samuel.page).getByLabel('Show my name').check();
  await submit(samuel.page, danielsAnswer(samuel.page).getByRole('button', { name: /Endorse as a licensed engineer/ }));
  assert.match(
    await danielsAnswer(samuel.page).innerText(),
    /Endorsed by a licensed PE \(Texas, civil\): Samuel Ortiz/,
    'the endorsement names Samuel, his licence and discipline',
  );

  // 5. Maya accepts it.
  await visit(maya.page, questionPath, 'the question, for Maya');
  assert.match(await danielsAnswer(maya.page).innerText(), /Endorsed by a licensed PE \(Texas, civil\): Samuel Ortiz/);
  await submit(maya.page, danielsAnswer(maya.page).getByRole('button', { name: /Accept this answer/ }));
  assert.match(await danielsAnswer(maya.page).innerText(), /Accepted answer/);
  await accessible(maya.page, 'the question page, answered');
  const questionOverflow = await screenshots(maya.page, 'kb-question');

  // 6. Staff add it to the knowledge base, readable by anyone.
  const staff = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(staff.page, DEMO.staff, DEMO_PASSWORD)).status(), 303);
  await visit(staff.page, questionPath, 'the question, for staff');
  await Promise.all([staff.page.waitForNavigation(), staff.page.getByRole('link', { name: 'Add to the knowledge base' }).click()]);
  assert.equal(new URL(staff.page.url()).pathname, `${questionPath}/promote`);
  await accessible(staff.page, 'the promote page');
  assert.match(await staff.page.locator('#answer').inputValue(), new RegExp(String(stamp)), 'the accepted answer is filled in');
  const membersOnly = staff.page.locator('input[name="members_only"]');
  if (await membersOnly.isChecked()) await membersOnly.uncheck();
  await submit(staff.page, staff.page.getByRole('button', { name: 'Publish the article' }));
  const published = new URL(staff.page.url());
  assert.match(published.pathname, /^\/kb\/[a-z0-9-]+\/[a-z0-9-]+-\d+$/, `publishing leads to the article (${staff.page.url()})`);
  assert.equal(published.searchParams.get('done'), 'promoted');
  const articlePath = published.pathname;
  assert.equal((await staff.page.locator('h1').innerText()).trim(), title);

  // 7. A visitor reads the article and finds it by searching.
  await visit(visitor.page, articlePath, 'the new article, for a visitor');
  assert.equal((await visitor.page.locator('h1').innerText()).trim(), title);
  assert.match(await visitor.page.locator('main').innerText(), new RegExp(answerText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await accessible(visitor.page, 'the new article');
  const articleOverflow = await screenshots(visitor.page, 'kb-article');

  await visit(visitor.page, '/search?q=headwall');
  const results = visitor.page.locator('ol.search-results');
  assert.equal(await results.locator(`a[href="${articlePath}"]`).count(), 1, 'the search finds the new article');
  assert.equal(await results.locator(`a[href="${questionPath}"]`).count(), 0, 'but not the members-only question');
  assert.match(await results.locator('mark').first().innerText(), /headwall/i);
  await accessible(visitor.page, '/search?q=headwall');
  const searchOverflow = await screenshots(visitor.page, 'kb-search');

  // Staff's knowledge-base pages.
  await visit(staff.page, '/staff/kb');
  assert.equal(await staff.page.locator('#files').getAttribute('multiple'), '');
  await accessible(staff.page, '/staff/kb');
  const editPath = await staff.page.locator('main table a[href^="/staff/kb/articles/"]').first().getAttribute('href');
  await visit(staff.page, editPath, 'an article\'s edit page');
  await accessible(staff.page, editPath);
  await visit(staff.page, '/staff/kb/experts');
  await accessible(staff.page, '/staff/kb/experts');

  assert.deepEqual(
    { question: questionOverflow, article: articleOverflow, search: searchOverflow },
    { question: 0, article: 0, search: 0 },
    'no page scrolls sideways at 390 px',
  );
  await Promise.all([visitor, maya, daniel, samuel, staff].map((p) => p.context.close()));
});

test('publications: abstracts for anyone, full text for members; reports and answer edits are moderated', async () => {
  const journal = '/publications/journal-of-professional-practice';
  const articleTitle = 'Fatigue assessment of welded steel bridge details';
  const stamp = Date.now();

  // 1. A visitor reads the list, the journal, an issue and an article's abstract.
  const visitor = await newPage(browser, server.baseURL, { axe: true });
  await visit(visitor.page, '/publications');
  const list = visitor.page.locator('main ul.cards');
  assert.match(await list.locator('li', { hasText: 'Journal of Professional Practice' }).innerText(), /full articles: members/);
  assert.match(await list.locator('li', { hasText: 'Capital Chapter News' }).innerText(), /full articles: anyone/);
  await accessible(visitor.page, '/publications');
  await Promise.all([visitor.page.waitForNavigation(), list.getByRole('link', { name: 'Journal of Professional Practice' }).click()]);
  assert.equal(new URL(visitor.page.url()).pathname, journal);
  await accessible(visitor.page, journal);
  await Promise.all([visitor.page.waitForNavigation(), visitor.page.getByRole('link', { name: 'Volume 12, Number 1' }).click()]);
  assert.match(new URL(visitor.page.url()).pathname, new RegExp(`^${journal}/issues/\\d+$`));
  await accessible(visitor.page, 'the issue page');
  const first = visitor.page.locator('main ol.search-results a').first();
  assert.equal((await first.innerText()).trim(), articleTitle);
  await Promise.all([visitor.page.waitForNavigation(), first.click()]);
  const articlePath = new URL(visitor.page.url()).pathname;
  assert.match(articlePath, new RegExp(`^${journal}/articles/\\d+$`));
  const main = visitor.page.locator('main');
  assert.equal((await visitor.page.locator('h1').innerText()).trim(), articleTitle);
  for (const heading of ['Abstract', 'Cite this article']) {
    assert.ok(await main.getByRole('heading', { name: heading }).isVisible(), `${heading} shows`);
  }
  assert.ok(await main.locator('a[href^="https://doi.org/"]').isVisible(), 'a DOI link shows');
  assert.match(await main.innerText(), /Members read the full article\./);
  assert.equal(await main.getByRole('heading', { name: 'Full article' }).count(), 0, 'no full text for a visitor');
  assert.equal(await main.locator(`a[href*="${articlePath}/files/"]`).count(), 0, 'no file links for a visitor');
  await accessible(visitor.page, 'the article, for a visitor');

  // Signing in from the article brings Maya back to it, now with the full text and the PDF.
  const maya = await newPage(browser, server.baseURL, { axe: true });
  await maya.page.goto(articlePath);
  await Promise.all([maya.page.waitForNavigation(), maya.page.locator('main').getByRole('link', { name: 'Sign in' }).click()]);
  assert.equal(new URL(maya.page.url()).searchParams.get('next'), articlePath, 'the sign-in page keeps ?next=');
  await maya.page.getByLabel('Email address').fill(DEMO.member);
  await maya.page.getByLabel('Password').fill(DEMO_PASSWORD);
  await submit(maya.page, maya.page.getByRole('button', { name: 'Sign in' }));
  assert.equal(new URL(maya.page.url()).pathname, articlePath, 'back on the article after signing in');
  assert.ok(await maya.page.getByRole('heading', { name: 'Full article' }).isVisible());
  const files = maya.page.locator('main h2:text-is("Files") + ul');
  const pdf = files.getByRole('link', { name: 'full-article.pdf' });
  assert.equal(await pdf.count(), 1, 'the Files list has full-article.pdf');
  const download = await maya.page.request.get(await pdf.getAttribute('href'));
  assert.equal(download.status(), 200);
  assert.match(download.headers()['content-type'], /^application\/pdf/);
  await accessible(maya.page, 'the article, for Maya');
  const articleOverflow = await screenshots(maya.page, 'publication-article');

  // 2. The journal's Atom feed.
  const feed = await visitor.context.request.get(`${journal}/feed.atom`);
  assert.equal(feed.status(), 200);
  assert.match(feed.headers()['content-type'], /^application\/atom\+xml/);
  const feedText = await feed.text();
  for (const t of [articleTitle, 'Documenting responsible charge on small projects']) {
    assert.ok(feedText.includes(`<title>${t}</title>`), `the feed has "${t}"`);
  }

  // 3. Abstracts are searchable, and the Publications filter keeps them.
  await visit(visitor.page, '/search?q=fatigue');
  const publicationHit = `ol.search-results a[href^="/publications/"][href*="/articles/"]`;
  assert.ok(await visitor.page.locator(publicationHit).count() > 0, 'searching for fatigue finds an article');
  await visitor.page.locator('#kind').selectOption('publication');
  await submit(visitor.page, visitor.page.getByRole('search').getByRole('button', { name: 'Search' }));
  assert.equal(new URL(visitor.page.url()).searchParams.get('kind'), 'publication');
  const hits = visitor.page.locator('ol.search-results h2 a');
  assert.ok(await hits.count() > 0, 'the Publications filter still finds it');
  for (const href of await hits.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    assert.match(href, /^\/publications\/[a-z0-9-]+\/articles\/\d+$/, 'only publications are listed');
  }

  // 4. Maya reports Daniel's answer; staff dismiss the report.
  const reason = `Checking the reporting flow (${stamp}).`;
  await visit(maya.page, '/questions/1');
  const danielsAnswer = (page) => page.locator('article.answer', { hasText: 'Daniel Reyes answered' });
  await Promise.all([maya.page.waitForNavigation(), danielsAnswer(maya.page).getByRole('link', { name: /^Report/ }).click()]);
  assert.equal(new URL(maya.page.url()).pathname, '/questions/1/flag');
  assert.match(new URL(maya.page.url()).searchParams.get('answer'), /^\d+$/);
  await maya.page.locator('#reason').fill(reason);
  await submit(maya.page, maya.page.getByRole('button', { name: 'Send the report' }));
  assert.equal(new URL(maya.page.url()).pathname, '/questions/1');
  assert.match(await maya.page.locator('main').innerText(), /Thank you: staff will look at your report\./);

  const staff = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(staff.page, DEMO.staff, DEMO_PASSWORD)).status(), 303);
  await visit(staff.page, '/staff/kb/reports');
  assert.match(await staff.page.locator('main').innerText(), new RegExp(String(stamp)), 'the reason shows');
  await accessible(staff.page, '/staff/kb/reports');
  const reportsOverflow = await screenshots(staff.page, 'kb-reports');
  await submit(staff.page, staff.page.getByRole('button', { name: /^Dismiss/ }));
  assert.match(await staff.page.locator('main').innerText(), /No open reports\./);

  // Daniel edits his answer; the earlier text stays in the history.
  const daniel = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(daniel.page, DEMO.officer, DEMO_PASSWORD)).status(), 303);
  await visit(daniel.page, '/questions/1', 'the question, for Daniel');
  await Promise.all([daniel.page.waitForNavigation(), danielsAnswer(daniel.page).getByRole('link', { name: /^Edit/ }).click()]);
  assert.match(new URL(daniel.page.url()).pathname, /^\/questions\/1\/answers\/\d+\/edit$/);
  await accessible(daniel.page, 'the answer edit page');
  const before = await daniel.page.locator('#body').inputValue();
  const edited = `${before}\n\nEdited: keep the certificate for five years (${stamp}).`;
  await daniel.page.locator('#body').fill(edited);
  await submit(daniel.page, daniel.page.getByRole('button', { name: 'Save the edit' }));
  assert.equal(new URL(daniel.page.url()).pathname, '/questions/1');
  assert.match(await danielsAnswer(daniel.page).innerText(), new RegExp(`Edited: keep the certificate for five years \\(${stamp}\\)`));
  const historyLink = daniel.page.getByRole('link', { name: 'Edit history (1)' });
  assert.equal(await historyLink.count(), 1, 'an Edit history (1) link');
  await Promise.all([daniel.page.waitForNavigation(), historyLink.click()]);
  assert.equal(new URL(daniel.page.url()).pathname, '/questions/1/history');
  const history = await daniel.page.locator('main').innerText();
  assert.match(history, /The Texas board counts structured learning/, 'the earlier text shows');
  await accessible(daniel.page, '/questions/1/history');

  // 5. Staff's publication pages.
  await visit(staff.page, '/staff/publications');
  for (const name of ['Journal of Professional Practice', 'Capital Chapter News']) {
    assert.equal(await staff.page.locator('main').getByRole('link', { name }).count(), 1, `${name} is listed`);
  }
  await accessible(staff.page, '/staff/publications');
  await visit(staff.page, '/staff/publications/journal-of-professional-practice');
  await accessible(staff.page, 'the journal\'s staff page');
  const issuePath = await staff.page.locator('main a[href*="/issues/"]').first().getAttribute('href');
  assert.match(issuePath, /^\/staff\/publications\/journal-of-professional-practice\/issues\/\d+$/);
  await visit(staff.page, issuePath, 'an issue\'s staff page');
  await accessible(staff.page, issuePath);

  assert.deepEqual({ article: articleOverflow, reports: reportsOverflow }, { article: 0, reports: 0 }, 'no page scrolls sideways at 390 px');
  await Promise.all([visitor, maya, staff, daniel].map((p) => p.context.close()));
});
