// (f) Continuing education: the demo member, licensed in Texas and Florida, logs an ethics
// webinar with its certificate and sees the ethics bar of both licences fill; the audit
// packet for the period downloads as a ZIP holding the certificate.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { DEMO, DEMO_PASSWORD, launchBrowser, newPage, screenshotPath, signIn, startServer } from '../lib/harness.mjs';

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

const CERTIFICATE = Buffer.from('%PDF-1.4\n% Certificate of completion: Ethics for engineers, 1 PDH\n%%EOF\n');

/** The ethics bar of a licence's card: its progress value and whether it is met. */
async function ethicsBar(page, licence) {
  const card = page.getByRole('region', { name: licence });
  const bar = card.locator('li[data-requirement="ethics"]');
  assert.equal(await bar.count(), 1, `${licence} has an ethics bar`);
  return {
    value: Number(await bar.locator('progress').getAttribute('value')),
    met: (await bar.getAttribute('class')).split(/\s+/).includes('met'),
    text: (await bar.innerText()).replace(/\s+/g, ' ').trim(),
  };
}

test('a member licensed in two states logs an ethics webinar and both ethics bars fill', async (t) => {
  const { context, page } = await newPage(browser, server.baseURL);
  try {
    await signIn(page, DEMO.member, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'PDH & licences' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/ce');
    const licences = ['Texas Professional Engineer', 'Florida Professional Engineer'];
    for (const licence of licences) {
      const bar = await ethicsBar(page, licence);
      assert.equal(bar.value, 0, `${licence}: no ethics yet (${bar.text})`);
      assert.equal(bar.met, false);
      assert.match(await page.getByRole('region', { name: licence }).innerText(), /1 PDH of ethics by \d{4}-\d{2}-\d{2}/,
        'what is still needed, in words');
    }
    await page.screenshot({ path: screenshotPath('ce-before.png'), fullPage: true });

    const form = page.getByRole('region', { name: 'Log an activity' });
    await form.getByLabel('What was it?').fill('Ethics for engineers (live webinar)');
    await form.getByLabel('Kind of activity').selectOption('webinar_live');
    await form.getByLabel('Amount').fill('1');
    await form.getByLabel('Unit').selectOption('hour');
    await form.getByLabel('Ethics / professional conduct').check();
    await form.getByLabel('Provider', { exact: true }).fill('State Society of Professional Engineers');
    await form.getByLabel(/Certificate or other evidence/).setInputFiles({
      name: 'ethics-certificate.pdf', mimeType: 'application/pdf', buffer: CERTIFICATE,
    });
    await form.getByRole('button', { name: 'Log activity' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('status').innerText(), /Activity logged/);

    for (const licence of licences) {
      const bar = await ethicsBar(page, licence);
      assert.equal(bar.value, 100, `${licence}: the ethics bar is full (${bar.text})`);
      assert.equal(bar.met, true);
      assert.match(bar.text, /1 of 1 PDH/);
    }
    const ledger = page.getByRole('region', { name: /^Activities/ });
    assert.match(await ledger.innerText(), /Ethics for engineers \(live webinar\)/);
    assert.equal(await ledger.getByRole('link', { name: 'ethics-certificate.pdf' }).count(), 1, 'the certificate is on file');
    await page.screenshot({ path: screenshotPath('ce-after.png'), fullPage: true });

    // The Texas licence's audit packet for this period: a ZIP with the transcript and the certificate.
    const texas = page.getByRole('region', { name: 'Texas Professional Engineer' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      texas.getByRole('link', { name: 'audit packet (ZIP)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^audit-packet-M\d+-us-tx-pe-\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = await readFile(await download.path());
    assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a ZIP file');
    const text = zip.toString('latin1');
    for (const name of ['transcript.pdf', 'transcript.csv', 'manifest.txt']) {
      assert.ok(text.includes(name), `the packet holds ${name}`);
    }
    assert.match(text, /evidence\/\d+-ethics-certificate\.pdf/, 'the packet holds the certificate');
    assert.ok(zip.includes(CERTIFICATE), 'the certificate is stored byte for byte');
    t.diagnostic(`audit packet ${download.suggestedFilename()}: ${zip.length} bytes`);
  } finally {
    await context.close();
  }
});
