// bookings.mjs — a client's bookings in the browser: keyboard-only booking (Swedish, the default
// language), 360 px screenshots of the booking steps, reschedule and cancel from "Mina bokningar"
// with their confirmation steps, the guest page and the language switch. axe-core on every page.

import assert from 'node:assert/strict';
import { test, run, skipAll } from './lib/tap.mjs';
import { serverMissing, apiClient } from './lib/server.mjs';
import { chromiumMissing, launch, newPage, checkAxe, assertClean, screenshot, heading } from './lib/browser.mjs';
import { makeWorld, UNIT, PASSWORD, booking, unwrap } from './lib/world.mjs';

const missing = serverMissing() || chromiumMissing();
if (missing) skipAll(missing);

// Presses Tab until the focused element matches (role-ish text test), at most limit times.
async function tabTo(page, matcher, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return '';
      return `${el.tagName.toLowerCase()}|${el.getAttribute('aria-label') || ''}|${el.textContent.trim()}|${el.id}`;
    });
    if (matcher(text)) return text;
  }
  throw new Error(`Tab never reached the element (${matcher})`);
}

test('keyboard-only booking in Swedish (default language)', async (c) => {
  const page = c.page;
  await page.goto('/');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'sv');
  await heading(page, 'Möt socialtjänsten på video');
  await checkAxe(page, 'landing (sv)');
  await page.goto('/login');
  await heading(page, 'Logga in');
  await checkAxe(page, 'login');
  await tabTo(page, (t) => t.startsWith('input') && t.includes('f-'));
  await page.keyboard.type('bo@e2e.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await heading(page, 'Mina bokningar');
  await tabTo(page, (t) => t.startsWith('a|') && t.includes('Boka en ny tid'));
  await page.keyboard.press('Enter');
  await heading(page, 'Boka ett videomöte');
  await screenshot(page, 'booking-1-unit-360.png');
  await tabTo(page, (t) => t.startsWith('button') && t.includes(UNIT));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: `Vem vill du träffa på ${UNIT}?` }).waitFor();
  await screenshot(page, 'booking-2-person-360.png');
  await checkAxe(page, 'book: person');
  await tabTo(page, (t) => t.startsWith('button') && t.includes('Första lediga tid'));
  await page.keyboard.press('Enter');
  await page.locator('button.slot').first().waitFor();
  await screenshot(page, 'booking-3-week-360.png');
  await checkAxe(page, 'book: week (sv)');
  const label = await tabTo(page, (t) => t.startsWith('button') && /slot|:\d\d/.test(t) && /\d\d:\d\d/.test(t));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Kontrollera och boka' }).waitFor();
  await screenshot(page, 'booking-4-review-360.png');
  await tabTo(page, (t) => t.startsWith('textarea'));
  await page.keyboard.type('Ansökan om färdtjänst');
  await tabTo(page, (t) => t.startsWith('button') && t.split('|')[2] === 'Boka');
  await page.keyboard.press('Enter');
  await heading(page, 'Din tid är bokad');
  await screenshot(page, 'booking-5-confirmation-360.png');
  await checkAxe(page, 'confirmation (sv)');
  c.first = Number(new URL(page.url()).pathname.split('/').pop());
  const b = await booking(c.clientApi, c.first);
  assert.equal(b.status, 'booked');
  assert.equal(b.topic, 'Ansökan om färdtjänst');
  console.log(`# booked ${b.start} with the slot button "${label.split('|')[1]}"`);
});

test('reschedule from "Mina bokningar" with a confirmation step', async (c) => {
  const page = c.page;
  const before = await booking(c.clientApi, c.first);
  await page.goto('/bookings');
  await heading(page, 'Mina bokningar');
  await checkAxe(page, 'my bookings');
  const card = page.locator(`li[data-booking-id="${c.first}"]`);
  await card.getByRole('button', { name: 'Byt tid' }).click();
  const slotsInCard = card.locator('button.slot');
  await slotsInCard.first().waitFor();
  await checkAxe(page, 'reschedule: week');
  // Pick a slot other than the current start.
  const n = await slotsInCard.count();
  assert.ok(n > 1, 'more than one free slot to move to');
  await slotsInCard.nth(n - 1).click();
  await card.getByRole('button', { name: 'Ja, byt tid' }).click();
  await page.locator('main').getByText('Mötet är flyttat till').waitFor();
  const after = await booking(c.clientApi, c.first);
  assert.notEqual(new Date(after.start).getTime(), new Date(before.start).getTime(), 'start changed');
  assert.equal(after.status, 'booked');
  await screenshot(page, 'my-bookings-360.png');
});

test('cancel from "Mina bokningar" asks first, "Nej" keeps it, "Ja" cancels', async (c) => {
  const page = c.page;
  const card = page.locator(`li[data-booking-id="${c.first}"]`);
  await card.getByRole('button', { name: 'Avboka' }).click();
  await card.getByRole('button', { name: 'Nej, behåll' }).click();
  assert.equal((await booking(c.clientApi, c.first)).status, 'booked');
  await card.getByRole('button', { name: 'Avboka' }).click();
  await checkAxe(page, 'cancel: confirmation');
  await card.getByRole('button', { name: 'Ja, avboka' }).click();
  await page.locator('main').getByText('är avbokat').waitFor();
  assert.equal((await booking(c.clientApi, c.first)).status, 'cancelled');
  await checkAxe(page, 'my bookings after cancel');
});

test('the meeting page says "too early" for a meeting in the future, and the guest page works without an account', async (c) => {
  const page = c.page;
  const later = await c.clientApi.get(`/slots?staff_id=${c.w.cw.id}&from=${new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10)}&to=${new Date(Date.now() + 9 * 86400000).toISOString().slice(0, 10)}`);
  const slot = (Array.isArray(later) ? later : later.slots)[0];
  const b = unwrap(await c.clientApi.post('/bookings', { staff_id: slot.staff_id, start: slot.start }), 'booking');
  await page.goto(`/meet/${b.id}`);
  await heading(page, 'Videomöte');
  await page.getByText('Det är för tidigt').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Anslut' }).isDisabled(), true);
  await screenshot(page, 'meeting-too-early-360.png');
  await checkAxe(page, 'meeting: too early');
  const guest = await newPage(c.browser, c.w.url, { width: 360, height: 740 });
  await guest.goto('/join/not-a-real-token');
  await heading(guest, 'Du är inbjuden till ett videomöte');
  await guest.locator('video.preview').waitFor();
  await checkAxe(guest, 'guest page');
  assertClean(guest);
  await guest.context_.close();
});

test('camera denied: a clear message, and joining with sound only stays possible', async (c) => {
  const page = await newPage(c.browser, c.w.url, { width: 360, height: 740 });
  // The browser is started with fake devices that are always allowed; refuse the camera here.
  await page.addInitScript(() => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (c) => (c && c.video
      ? Promise.reject(new DOMException('denied', 'NotAllowedError')) : real(c));
  });
  await page.goto('/join/some-guest-token');
  await page.getByText('Kameran är blockerad').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Anslut' }).isDisabled(), false);
  await checkAxe(page, 'camera denied');
  await screenshot(page, 'meeting-camera-denied-360.png');
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  await page.reload();
  await page.getByText('Kamera och mikrofon är blockerade').waitFor();
  await page.context_.close();
});

test('?lang=en switches to English and is remembered', async (c) => {
  const page = c.page;
  await page.goto('/bookings?lang=en');
  await heading(page, 'My bookings');
  await page.goto('/book');
  await heading(page, 'Book a video meeting');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.goto('/no/such/page');
  await heading(page, 'Page not found');
  await checkAxe(page, 'not found');
  await page.goto('/book');
  await page.getByRole('link', { name: 'På svenska' }).click();
  await heading(page, 'Boka ett videomöte');
});

test('no request left the server\'s origin; no CSP violation or page error', async (c) => {
  assertClean(c.page);
});

await run(async () => {
  const w = await makeWorld();
  const reg = apiClient(w.url);
  await reg.post('/register', { email: 'bo@e2e.test', password: PASSWORD, name: 'Bo Ek' });
  const clientApi = apiClient(w.url);
  await clientApi.login('bo@e2e.test', PASSWORD);
  const browser = await launch();
  const page = await newPage(browser, w.url, { width: 360, height: 740 });
  return { w, browser, page, clientApi,
    onFailure: async (name) => { console.log(`# ${w.server.diag().split('\n').join('\n# ')}`); return screenshot(page, `fail-bookings-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.png`); } };
}, async (c) => {
  if (!c) return;
  await c.browser.close().catch(() => {});
  await c.w.server.stop();
});
