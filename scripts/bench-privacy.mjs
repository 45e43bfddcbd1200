// Times the data download and one erasure against a running demo server (release build):
//   node scripts/bench-privacy.mjs http://127.0.0.1:8098
// Needs e2e's packages (cd e2e && npm ci) and Debian's chromium. The erasure erases the
// demo member, so run it on a fresh demo database.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../e2e/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
async function signedIn(email) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('demo-password-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
  return { ctx, page };
}
const member = await signedIn('member@demo.guildhall.org');
const times = [];
let size = 0;
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  const r = await member.ctx.request.get(base + '/privacy/my-data.zip');
  const body = await r.body();
  times.push(performance.now() - t0);
  size = body.length;
  if (r.status() !== 200) throw new Error('download ' + r.status());
}
times.sort((a, b) => a - b);
console.log(`download: ${size} bytes; median ${times[15].toFixed(1)} ms, p90 ${times[27].toFixed(1)} ms, max ${times[29].toFixed(1)} ms (30 runs)`);
// Erasure: the member asks, staff confirm; time the confirmation.
await member.page.goto(base + '/privacy/erase');
await member.page.getByLabel('I want the society to erase my data').check();
await member.page.getByRole('button', { name: 'Send my request' }).click();
await member.page.waitForLoadState('load');
const staff = await signedIn('staff@demo.guildhall.org');
await staff.page.goto(base + '/staff/erasure-requests');
const button = staff.page.getByText(/^Erase/).first();
await button.click();
await staff.page.getByRole('checkbox').first().check();
const erase = staff.page.getByRole('button', { name: /now$/ }).first();
const t0 = performance.now();
await erase.click();
await staff.page.waitForLoadState('load');
console.log(`erasure confirmed (page round trip): ${(performance.now() - t0).toFixed(1)} ms`);
await browser.close();
