// Events: staff create and publish an event with one seat; a member registers, the event
// fills, a second member is waitlisted; the first cancels, the second is offered the seat
// and takes it; staff see the roster. Released credit on the CE page and a certificate that
// checks out in a fresh browser; a paid conference paid by card; staff check a member in
// after an ethics seminar and release its credit, which her CE page counts toward both her
// licences; a guest registers on a phone from an emailed link; staff check a member in with
// a phone's camera (Chromium's fake camera plays her ticket). Every page passes axe's
// WCAG 2.2 A/AA rules, also on a 390 px phone; screenshots are saved.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  DEMO, DEMO_PASSWORD, axeViolations, launchBrowser, linkIn, newPage, openMailTo, screenshotPath, signIn, startServer, uniqueEmail,
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

async function accessible(page, what) {
  assert.deepEqual(await axeViolations(page), [], `${what}: no WCAG 2.2 A/AA violations`);
}

/** A date-time field's value `days` from now at `hour`:00 (the event's wall clock). */
function localTime(days, hour) {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(hour)}:00`;
}

test('a full event waitlists the next member, and a cancellation offers them the seat', async () => {
  const title = `Seismic Retrofit Clinic ${Date.now()}`;
  const staff = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(staff.page, DEMO.staff, DEMO_PASSWORD)).status(), 303);

  // The listing shows the demo season.
  await staff.page.goto('/events');
  assert.ok(await staff.page.getByRole('link', { name: 'Bridge Load Rating Workshop' }).count() > 0);
  await accessible(staff.page, '/events');
  await staff.page.screenshot({ path: screenshotPath('events-listing.png'), fullPage: true });

  // A refused form keeps what was typed and says what is wrong, next to the field.
  await staff.page.goto('/events/new');
  await staff.page.getByLabel('Title').fill(title);
  await staff.page.getByLabel('Time zone').selectOption('America/Denver');
  await staff.page.getByLabel('Starts').fill(localTime(21, 9));
  await staff.page.getByLabel('Ends').fill(localTime(21, 8));
  await staff.page.getByLabel('Seats', { exact: true }).fill('1');
  await staff.page.getByLabel('Venue').fill('Engineers\' Hall');
  await staff.page.getByRole('button', { name: 'Save as a draft' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('#ends-error').innerText(), /must end after it starts/);
  assert.equal(await staff.page.getByLabel('Title').inputValue(), title);
  await accessible(staff.page, '/events/new with an error');
  await staff.page.getByLabel('Ends').fill(localTime(21, 12));
  await staff.page.getByRole('button', { name: 'Save as a draft' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('.alert.success').innerText(), /saved as a draft/);
  const eventPath = new URL(staff.page.url()).pathname;
  // Times are shown on the event's wall clock, in its zone.
  assert.match(await staff.page.locator('dl.facts').innerText(), /9:00 AM M[SD]T/);
  await staff.page.getByRole('button', { name: 'Publish: open registration' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('.alert.success').innerText(), /published/);

  // Maya takes the only seat.
  const maya = await newPage(browser, server.baseURL, { axe: true });
  await signIn(maya.page, DEMO.member, DEMO_PASSWORD);
  await maya.page.goto(eventPath);
  await maya.page.getByRole('button', { name: 'Register' }).click();
  await maya.page.waitForLoadState('load');
  assert.match(await maya.page.locator('#registration-h + p').innerText(), /seat is confirmed/);
  await accessible(maya.page, 'the event page, registered');
  await maya.page.screenshot({ path: screenshotPath('event-registered.png'), fullPage: true });

  // Daniel finds it full and joins the waitlist.
  const daniel = await newPage(browser, server.baseURL, { axe: true });
  await signIn(daniel.page, DEMO.officer, DEMO_PASSWORD);
  await daniel.page.goto(eventPath);
  assert.match(await daniel.page.locator('dl.facts').innerText(), /Full \(1\)/);
  await daniel.page.getByRole('button', { name: 'Join the waitlist' }).click();
  await daniel.page.waitForLoadState('load');
  assert.match(await daniel.page.locator('#registration-h + p').innerText(), /number 1 in line/);

  // Maya cancels, after a confirmation page.
  await maya.page.getByRole('link', { name: 'Cancel your registration' }).click();
  await maya.page.waitForLoadState('load');
  assert.equal(await maya.page.getByRole('heading', { level: 1 }).innerText(), 'Cancel your registration?');
  await accessible(maya.page, 'the cancel confirmation');
  await maya.page.getByRole('button', { name: 'Cancel the registration' }).click();
  await maya.page.waitForLoadState('load');
  assert.match(await maya.page.locator('.alert.success').innerText(), /cancelled/);

  // Daniel is offered the seat and takes it.
  await daniel.page.goto(eventPath);
  assert.match(await daniel.page.locator('#registration-h').locator('..').innerText(), /held for you until/);
  await accessible(daniel.page, 'the event page with an offer');
  await daniel.page.screenshot({ path: screenshotPath('event-offered.png'), fullPage: true });
  await daniel.page.getByRole('button', { name: 'Take the seat' }).click();
  await daniel.page.waitForLoadState('load');
  assert.match(await daniel.page.locator('.alert.success').innerText(), /seat is yours/);

  // Staff check Daniel in at the door, finding him by name.
  await staff.page.goto(`${eventPath}/roster?q=reyes`);
  await staff.page.getByRole('button', { name: 'Check in Daniel Reyes' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('.alert.success').innerText(), /Checked in/);

  // Staff see who holds the seat, and who gave it up.
  await staff.page.goto(`${eventPath}/roster`);
  const rows = await staff.page.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /Daniel Reyes[\s\S]*Confirmed[\s\S]*\d:\d\d (AM|PM)/);
  assert.match(rows[1], /Maya Okafor[\s\S]*Cancelled/);
  await accessible(staff.page, 'the roster');
  await staff.page.screenshot({ path: screenshotPath('event-roster.png'), fullPage: true });

  // On a phone the event page and the roster fit the width.
  const phone = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 390, height: 844 }, bypassCSP: true });
  const phonePage = await phone.newPage();
  await signIn(phonePage, DEMO.staff, DEMO_PASSWORD);
  for (const path of [eventPath, `${eventPath}/roster`, '/events']) {
    await phonePage.goto(path);
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a phone`);
    await accessible(phonePage, `${path} on a phone`);
  }
  await phonePage.goto(eventPath);
  await phonePage.screenshot({ path: screenshotPath('event-phone.png'), fullPage: true });
  await phone.close();
  await Promise.all([staff.context.close(), maya.context.close(), daniel.context.close()]);
});

test('credit released after last month\'s webinar counts on the member\'s CE page, and her certificate checks out in a fresh browser', async () => {
  const maya = await newPage(browser, server.baseURL, { axe: true });
  await signIn(maya.page, DEMO.member, DEMO_PASSWORD);
  // The demo's past webinar: Maya attended, staff checked her in and released the credit.
  await maya.page.goto('/ce');
  assert.match(await maya.page.locator('main').innerText(), /Structural Resilience After Flooding/);
  // The events page lists her certificates.
  await maya.page.goto('/events');
  const link = maya.page.getByRole('link', { name: 'Structural Resilience After Flooding', exact: true });
  const certificateHref = await link.getAttribute('href');
  assert.match(certificateHref, /^\/certificates\/[A-Za-z0-9]{16}$/);
  await accessible(maya.page, '/events with certificates');

  // Her registrations, in her calendar program: a secret address shown once.
  await maya.page.getByRole('button', { name: 'Put your registrations in your calendar' }).click();
  await maya.page.waitForLoadState('load');
  const feed = await maya.page.getByLabel('Your calendar address').inputValue();
  assert.match(feed, /\/calendar\/[A-Za-z0-9_-]+\/events\.ics$/);
  const ics = await (await fetch(feed.replace(/^https?:\/\/[^/]+/, server.baseURL))).text();
  assert.match(ics, /SUMMARY:Annual Engineering Conference/);
  await accessible(maya.page, 'the calendar feed page');

  // The PDF downloads and names her and the PDH.
  const pdf = await maya.page.request.get(`${certificateHref}/pdf`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 4).toString() === '%PDF');

  // Anyone can check it, without signing in.
  const stranger = await newPage(browser, server.baseURL, { axe: true });
  await stranger.page.goto(certificateHref);
  const text = await stranger.page.locator('main').innerText();
  assert.match(text, /This certificate stands/);
  assert.match(text, /Maya Okafor/);
  assert.match(text, /2 PDH: Technical/);
  await accessible(stranger.page, 'the public certificate page');
  await stranger.page.screenshot({ path: screenshotPath('certificate-public.png'), fullPage: true });
  await Promise.all([maya.context.close(), stranger.context.close()]);
});

test('a paid conference: the member pays her registration at her member price by card and can transfer her seat', async () => {
  const maya = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(maya.page, DEMO.member, DEMO_PASSWORD)).status(), 303);
  await maya.page.goto('/events');
  await maya.page.getByRole('link', { name: 'Annual Engineering Conference' }).first().click();
  await maya.page.waitForLoadState('load');
  const eventPath = new URL(maya.page.url()).pathname;
  // The demo registered her: at the member's early-bird price, read from her membership on
  // the event's date, invoiced and not yet paid.
  assert.ok(await maya.page.getByRole('table').count() > 0, 'the prices are listed');
  await accessible(maya.page, 'a paid event');
  await maya.page.screenshot({ path: screenshotPath('events-paid.png'), fullPage: true });
  await maya.page.getByRole('link', { name: /Pay \$195\.00 now/ }).click();
  await maya.page.waitForLoadState('load');
  await maya.page.getByRole('button', { name: /Pay/ }).click();
  await maya.page.waitForLoadState('load');
  await maya.page.goto(eventPath);
  assert.match(await maya.page.locator('main').innerText(), /Paid: \$195\.00 \(member price\)/);
  // Her ticket: a QR code the organisers scan at the door.
  await maya.page.getByRole('link', { name: 'Your ticket' }).click();
  await maya.page.waitForLoadState('load');
  assert.equal(await maya.page.locator('figure.ticket-qr svg').count(), 1);
  await accessible(maya.page, 'a ticket');
  await maya.page.screenshot({ path: screenshotPath('events-ticket.png'), fullPage: true });
  await maya.page.goto(eventPath);
  await maya.page.getByRole('link', { name: 'Transfer it to a colleague' }).click();
  await maya.page.waitForLoadState('load');
  await accessible(maya.page, 'the transfer page');
  await maya.page.setViewportSize({ width: 390, height: 844 });
  await maya.page.screenshot({ path: screenshotPath('events-transfer-390.png'), fullPage: true });

  // Staff see the prices, early-bird date, codes and refund rule in the event's form.
  const staff = await newPage(browser, server.baseURL, { axe: true });
  assert.equal((await signIn(staff.page, DEMO.staff, DEMO_PASSWORD)).status(), 303);
  await staff.page.goto(`${eventPath}/edit`);
  assert.equal(await staff.page.getByLabel('Discount codes').inputValue(), 'VOLUNTEER 50 20');
  await accessible(staff.page, 'the paid event form');
  await staff.page.screenshot({ path: screenshotPath('events-price-form.png'), fullPage: true });

  // The reports: last month's webinar with its attendance and PDH issued.
  await staff.page.goto('/events/reports');
  assert.match(await staff.page.locator('main').innerText(), /Structural Resilience After Flooding/);
  await accessible(staff.page, 'the events reports');
  await staff.page.screenshot({ path: screenshotPath('events-reports.png'), fullPage: true });
});

test('staff check Maya in at last week\'s ethics seminar and release its credit: her CE page counts the PDH toward both her licences', async () => {
  const maya = await newPage(browser, server.baseURL, { axe: true });
  await signIn(maya.page, DEMO.member, DEMO_PASSWORD);
  await maya.page.goto('/ce');
  const before = await maya.page.locator('main').innerText();
  assert.doesNotMatch(before, /Ethics in Engineering Practice/);
  assert.equal((before.match(/0 of 1 PDH · 1 to go/g) ?? []).length, 2, 'ethics is short for Texas and Florida');

  // At the door (after the fact): staff find Maya on the seminar's roster and check her in.
  const staff = await newPage(browser, server.baseURL, { axe: true });
  await signIn(staff.page, DEMO.staff, DEMO_PASSWORD);
  await staff.page.goto('/events/manage');
  await staff.page.getByRole('link', { name: 'Ethics in Engineering Practice', exact: true }).click();
  await staff.page.waitForLoadState('load');
  const eventPath = new URL(staff.page.url()).pathname;
  await staff.page.goto(`${eventPath}/roster?q=okafor`);
  await staff.page.getByRole('button', { name: 'Check in Maya Okafor' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('.alert.success').innerText(), /Checked in/);

  // Releasing the credit asks first, then credits everyone checked in.
  await staff.page.goto(eventPath);
  await staff.page.getByRole('link', { name: 'Release the PDH credit' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('main').innerText(), /Checked in\s*3/);
  await accessible(staff.page, 'the release confirmation');
  await staff.page.getByRole('button', { name: 'Release the credit' }).click();
  await staff.page.waitForLoadState('load');
  assert.match(await staff.page.locator('.alert.success').innerText(), /released/i);

  // Maya's ledger has the seminar, and both licences' ethics minimums are met by it.
  await maya.page.goto('/ce');
  const after = await maya.page.locator('main').innerText();
  assert.match(after, /Ethics in Engineering Practice/);
  assert.equal((after.match(/0 of 1 PDH · 1 to go/g) ?? []).length, 0, after);
  assert.ok((after.match(/1 of 1 PDH/g) ?? []).length >= 2, 'the ethics PDH counts for Texas and Florida');
  await accessible(maya.page, '/ce after the release');
  await maya.page.screenshot({ path: screenshotPath('ce-after-release.png'), fullPage: true });
  await Promise.all([maya.context.close(), staff.context.close()]);
});

test('a guest registers with name and email from the emailed link, and the confirmation carries the event for their calendar', async () => {
  const email = uniqueEmail('guest');
  // On a phone, as most guests would be.
  const guest = await newPage(browser, server.baseURL, { axe: true });
  await guest.page.setViewportSize({ width: 390, height: 844 });
  const fits = async (what) => {
    const width = await guest.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${what} scrolls sideways on a phone (${width}px)`);
  };
  await guest.page.goto('/events');
  await guest.page.getByRole('link', { name: 'Harbour Desalination Plant Tour' }).first().click();
  await guest.page.waitForLoadState('load');
  const eventPath = new URL(guest.page.url()).pathname;
  await guest.page.getByRole('link', { name: 'Register as a guest' }).click();
  await guest.page.waitForLoadState('load');
  await accessible(guest.page, 'the guest form');
  await fits('the guest form');
  // A refused form keeps the name and says what is wrong with the address.
  await guest.page.getByLabel('Your name').fill('Grace Hopper');
  await guest.page.getByLabel('Email address').fill('grace@');
  await guest.page.getByRole('button', { name: 'Email me the link' }).click();
  await guest.page.waitForLoadState('load');
  assert.ok(await guest.page.locator('#email-error').count(), 'the address is refused next to its field');
  assert.equal(await guest.page.getByLabel('Your name').inputValue(), 'Grace Hopper');
  await accessible(guest.page, 'the guest form with an error');
  await guest.page.getByLabel('Email address').fill(email);
  await guest.page.getByRole('button', { name: 'Email me the link' }).click();
  await guest.page.waitForLoadState('load');
  assert.equal(await guest.page.locator('h1').innerText(), 'Check your email');

  // The link, read in the local mailbox by an administrator, opens a confirmation page.
  const admin = await newPage(browser, server.baseURL);
  await signIn(admin.page, DEMO.admin, DEMO_PASSWORD);
  const mail = await openMailTo(admin.page, email);
  assert.match(mail.subject, /Confirm your registration/);
  const link = linkIn(mail.body, `${eventPath}/guest/confirm`);
  await guest.page.goto(link.pathname + link.search);
  assert.match(await guest.page.locator('main').innerText(), new RegExp(`Grace Hopper \\(${email.replace(/[.+]/g, '\\$&')}\\)`));
  await accessible(guest.page, 'the guest confirmation page');
  await fits('the guest confirmation page');
  await guest.page.screenshot({ path: screenshotPath('event-guest-confirm.png'), fullPage: true });
  await guest.page.getByRole('button', { name: 'Confirm my registration' }).click();
  await guest.page.waitForLoadState('load');
  assert.equal(new URL(guest.page.url()).pathname, eventPath);
  assert.match(await guest.page.locator('#registration-h + p').innerText(), /seat is confirmed/);
  assert.ok(await guest.page.getByRole('link', { name: 'Your ticket' }).count(), 'the guest is signed in and sees the ticket');

  // The confirmation carries the event as a calendar file.
  await admin.page.goto(`/staff/mail?to=${encodeURIComponent(email)}`);
  await admin.page.getByRole('link', { name: /You are registered/ }).click();
  await admin.page.waitForLoadState('load');
  const attachment = admin.page.getByRole('link', { name: 'event.ics (text/calendar)' });
  const ics = await (await admin.page.request.get(await attachment.getAttribute('href'))).text();
  assert.match(ics, /METHOD:PUBLISH/);
  assert.match(ics, /SUMMARY:Harbour Desalination Plant Tour/);
  await Promise.all([guest.context.close(), admin.context.close()]);
});

/**
 * A one-frame Y4M video (what Chromium's fake camera plays, looping) of `png` centred on a
 * white 640×480 picture, drawn and converted to YUV 4:2:0 in `page`.
 */
async function cameraVideo(page, png) {
  const planes = await page.evaluate(async (dataUrl) => {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    const [w, h, side] = [640, 480, 360];
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, w, h);
    context.drawImage(image, (w - side) / 2, (h - side) / 2, side, side);
    const rgba = context.getImageData(0, 0, w, h).data;
    const y = new Uint8Array(w * h);
    const u = new Uint8Array((w / 2) * (h / 2));
    const v = new Uint8Array((w / 2) * (h / 2));
    for (let i = 0; i < w * h; i++) {
      const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
      y[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
    for (let row = 0; row < h / 2; row++) {
      for (let col = 0; col < w / 2; col++) {
        const i = 4 * (2 * row * w + 2 * col);
        const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
        u[row * (w / 2) + col] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        v[row * (w / 2) + col] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
    return [y, u, v].map((plane) => Array.from(plane));
  }, `data:image/png;base64,${png.toString('base64')}`);
  return Buffer.concat([
    Buffer.from('YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n'),
    ...planes.map((plane) => Buffer.from(plane)),
  ]);
}

test('at the door, staff check a member in by pointing the phone\'s camera at her ticket\'s QR code', async () => {
  // Maya's ticket for the ethics webinar, as her phone shows it.
  const maya = await newPage(browser, server.baseURL);
  await signIn(maya.page, DEMO.member, DEMO_PASSWORD);
  await maya.page.goto('/events');
  await maya.page.getByRole('link', { name: 'Ethics for Professional Engineers' }).first().click();
  await maya.page.waitForLoadState('load');
  const eventPath = new URL(maya.page.url()).pathname;
  await maya.page.getByRole('link', { name: 'Your ticket' }).click();
  await maya.page.waitForLoadState('load');
  const qr = await maya.page.locator('.ticket-qr svg').screenshot();
  const video = screenshotPath('ticket-camera.y4m');
  writeFileSync(video, await cameraVideo(maya.page, qr));

  // The page passes axe before the camera starts.
  const staff = await newPage(browser, server.baseURL, { axe: true });
  await signIn(staff.page, DEMO.staff, DEMO_PASSWORD);
  await staff.page.goto(eventPath);
  await staff.page.getByRole('link', { name: 'Check in at the door with the camera' }).click();
  await staff.page.waitForLoadState('load');
  await accessible(staff.page, 'the check-in camera page');

  // A phone whose camera sees the ticket: the page's own policy (WebAssembly allowed) applies.
  const phoneBrowser = await launchBrowser({
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const phone = await phoneBrowser.newContext({ baseURL: server.baseURL, viewport: { width: 390, height: 844 } });
    await phone.grantPermissions(['camera'], { origin: server.baseURL });
    const page = await phone.newPage();
    await signIn(page, DEMO.staff, DEMO_PASSWORD);
    await page.goto(`${eventPath}/check-in`);
    await page.getByRole('button', { name: 'Start the camera' }).click();
    await page.locator('#scan-status', { hasText: 'Checked in: Maya Okafor' }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#checked-in-list').innerText(), /Checked in: Maya Okafor/);
    // Scanning departures checks her out; the minutes she was in (none yet: the webinar has
    // not started) are what her credit will be.
    await page.getByLabel('Departures: check people out').check();
    await page.locator('#scan-status', { hasText: 'Checked out: Maya Okafor' }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#scan-status').innerText(), /\(0 minutes in, 0 PDH\)/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the check-in page scrolls sideways on a phone (${width}px)`);
    await page.screenshot({ path: screenshotPath('event-check-in-camera.png'), fullPage: true });
  } finally {
    await phoneBrowser.close();
  }

  // The roster says so.
  await staff.page.goto(`${eventPath}/roster?q=okafor`);
  assert.match(await staff.page.locator('tbody tr', { hasText: 'Maya Okafor' }).innerText(), /\d:\d\d (AM|PM)/);
  await Promise.all([maya.context.close(), staff.context.close()]);
});
