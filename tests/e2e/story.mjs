// story.mjs — the whole story in the browser: a client registers and books a free slot (confirmation,
// .ics); the caseworker books the client a meeting "now" (inside the join window), sees both in the
// calendar; both open the meeting with fake cameras; the client waits, the caseworker admits; both
// decode the other's video; the caseworker writes a case note; the client leaves; the caseworker
// ends the meeting. axe-core on every page; no request to any other origin.

import assert from 'node:assert/strict';
import { test, run, skipAll } from './lib/tap.mjs';
import { serverMissing } from './lib/server.mjs';
import { chromiumMissing, launch, newPage, checkAxe, assertClean, screenshot, heading, waitForVideo } from './lib/browser.mjs';
import { makeWorld, UNIT, PASSWORD, uiLogin, nowRfc3339, booking, unwrap, unwrapList } from './lib/world.mjs';

const missing = serverMissing() || chromiumMissing();
if (missing) skipAll(missing);

const CLIENT_EMAIL = 'ali@e2e.test';
const NOTE = 'Vi gick igenom ansökan om färdtjänst. Nästa steg: läkarintyg.';

test('client registers through the web app', async (c) => {
  const page = c.client;
  await page.goto('/');
  await heading(page, 'Meet social services by video');
  await checkAxe(page, 'landing (en)');
  await page.getByRole('link', { name: 'Create account' }).first().click();
  await heading(page, 'Create account');
  await checkAxe(page, 'register');
  // Errors are tied to the fields.
  await page.getByRole('button', { name: 'Create account' }).click();
  const name = page.getByLabel('Name');
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  await checkAxe(page, 'register with errors');
  await name.fill('Ali Hassan');
  await page.getByLabel('Email address').fill(CLIENT_EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await heading(page, 'My bookings');
  await checkAxe(page, 'my bookings (empty)');
  c.clientUser = await page.evaluate(() => JSON.parse(sessionStorage.getItem('samtal.user')));
  assert.ok(c.clientUser && c.clientUser.id, 'signed in as the new client');
});

test('client books a free slot: unit, person, week view, review, Book, confirmation with .ics', async (c) => {
  const page = c.client;
  await page.getByRole('link', { name: 'Book a meeting' }).first().click();
  await heading(page, 'Book a video meeting');
  await checkAxe(page, 'book: units');
  await page.getByRole('button', { name: UNIT }).click();
  await page.getByRole('button', { name: 'Karin Lund' }).click();
  const firstSlot = page.locator('button.slot').first();
  await firstSlot.waitFor();
  await checkAxe(page, 'book: week view');
  await screenshot(page, 'booking-week-360.png');
  await firstSlot.click();
  await page.getByRole('heading', { name: 'Check and book' }).waitFor();
  await checkAxe(page, 'book: review');
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await heading(page, 'Your meeting is booked');
  await checkAxe(page, 'book: confirmation');
  await screenshot(page, 'booking-confirmation-360.png');
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  assert.ok(id > 0);
  c.slotBookingId = id;
  const href = await page.getByRole('link', { name: /\.ics/ }).getAttribute('href');
  assert.equal(href, `/api/v1/bookings/${id}/ics`);
  const ics = await page.context_.request.get(href);
  assert.equal(ics.status(), 200);
  assert.match(ics.headers()['content-type'], /text\/calendar/);
  assert.match(await ics.text(), /BEGIN:VCALENDAR/);
  const link = await page.locator('#meet-link').inputValue();
  assert.equal(link, `${c.w.url}/meet/${id}`);
  const b = await booking(c.w.cwApi, id);
  assert.equal(b.staff_id, c.w.cw.id);
  assert.equal(b.client_id, c.clientUser.id);
});

test('caseworker books the client now (API) and sees both bookings in today / calendar', async (c) => {
  const kase = unwrap(await c.w.cwApi.post('/cases', { client_id: c.clientUser.id, title: 'Färdtjänst, ansökan' }), 'case');
  c.caseId = kase.id;
  c.caseNumber = kase.number;
  const b = unwrap(await c.w.cwApi.post('/bookings', { staff_id: c.w.cw.id, client_id: c.clientUser.id, start: nowRfc3339(),
    duration_minutes: 30, case_id: kase.id, topic: 'Färdtjänst' }), 'booking');
  c.meetingId = b.id;
  const page = c.staff;
  await uiLogin(page, 'karin@e2e.test');
  await page.goto('/today');
  await heading(page, "Today's meetings");
  const card = page.locator(`[data-booking-id="${b.id}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), new RegExp(`Ali Hassan|Client ${c.clientUser.id}`));
  if (kase.number) assert.match(await card.innerText(), new RegExp(kase.number));
  await checkAxe(page, 'today');
  await page.getByRole('link', { name: 'Calendar' }).click();
  await heading(page, 'My calendar');
  // The week's bookings load after the heading shows: wait for them (a week without the booking
  // costs the timeout), else the first week was judged before it loaded — which failed whenever
  // the client's slot fell in the current week (e.g. on a Monday).
  let found = false;
  for (let i = 0; i < 6 && !found; i++) {
    try {
      await page.locator(`[data-booking-id="${c.slotBookingId}"]`).waitFor({ state: 'attached', timeout: 3000 });
      found = true;
    } catch {
      await page.getByRole('button', { name: 'Next week' }).click();
    }
  }
  assert.ok(found, 'the client-booked slot shows in the caseworker calendar');
  await checkAxe(page, 'calendar');
});

test('both open the meeting; client waits; caseworker admits; both decode the other\'s video', async (c) => {
  const client = c.client;
  const staff = c.staff;
  await client.goto(`/meet/${c.meetingId}`);
  await heading(client, 'Video meeting');
  await client.locator('video.preview').waitFor();
  await client.getByLabel('Camera', { exact: true }).waitFor();
  await checkAxe(client, 'meeting: device check (client)');
  await client.getByRole('button', { name: 'Join', exact: true }).click();
  await client.getByText('You are in the waiting room').waitFor({ timeout: 30000 });
  await checkAxe(client, 'meeting: waiting room');

  await staff.goto(`/meet/${c.meetingId}`);
  await heading(staff, 'Video meeting');
  await staff.locator('.case-panel .case-number').waitFor();
  await checkAxe(staff, 'meeting: staff device check with the case');
  await staff.getByRole('button', { name: 'Join', exact: true }).click();
  await staff.getByText('You are in the meeting.').waitFor({ timeout: 30000 });
  const admit = staff.getByRole('button', { name: 'Admit', exact: true });
  await admit.waitFor({ timeout: 30000 });
  await checkAxe(staff, 'meeting: staff with waiting list');
  await admit.click();
  await client.getByText('You are in the meeting.').waitFor({ timeout: 30000 });
  const c2s = await waitForVideo(staff, `.remotes [data-participant-id="u${c.clientUser.id}"] video`);
  const s2c = await waitForVideo(client, `.remotes [data-participant-id="u${c.w.cw.id}"] video`);
  console.log(`# caseworker decodes client: ${JSON.stringify(c2s)}; client decodes caseworker: ${JSON.stringify(s2c)}`);
  await checkAxe(client, 'meeting: in meeting (client)');
  await checkAxe(staff, 'meeting: in meeting (staff)');
  await screenshot(client, 'meeting-client-360.png');
  await screenshot(staff, 'meeting-staff.png');
});

test('a dropped connection reconnects by itself; the caseworker admits again; video flows again', async (c) => {
  const client = c.client;
  const staff = c.staff;
  // Debug mode exposes the session; closing its socket looks like a dropped connection.
  await client.evaluate(() => window.samtalSession.ws.close(4999, 'test drop'));
  await client.getByText(/The connection dropped|You are in the waiting room/).first().waitFor({ timeout: 30000 });
  const admit = staff.getByRole('button', { name: 'Admit', exact: true });
  await admit.waitFor({ timeout: 30000 });
  await admit.click();
  await client.getByText('You are in the meeting.').waitFor({ timeout: 30000 });
  await waitForVideo(staff, `.remotes [data-participant-id="u${c.clientUser.id}"] video`);
  await waitForVideo(client, `.remotes [data-participant-id="u${c.w.cw.id}"] video`);
});

test('mute and audio only: the button states change and the caseworker sees them', async (c) => {
  const client = c.client;
  const staff = c.staff;
  const caption = staff.locator(`.remotes [data-participant-id="u${c.clientUser.id}"] figcaption`);
  const mute = client.getByRole('button', { name: 'Mute microphone' });
  await mute.click();
  assert.equal(await mute.getAttribute('aria-pressed'), 'true');
  await caption.filter({ hasText: 'microphone off' }).waitFor({ timeout: 30000 });
  await mute.click();
  await caption.filter({ hasNotText: 'microphone off' }).waitFor({ timeout: 30000 });
  const audioOnly = client.getByRole('button', { name: 'Audio only' });
  await audioOnly.click();
  assert.equal(await audioOnly.getAttribute('aria-pressed'), 'true');
  await caption.filter({ hasText: 'camera off' }).waitFor({ timeout: 30000 });
  await checkAxe(client, 'meeting: audio only');
  await audioOnly.click();
  await caption.filter({ hasNotText: 'camera off' }).waitFor({ timeout: 30000 });
  await waitForVideo(staff, `.remotes [data-participant-id="u${c.clientUser.id}"] video`);
});

test('caseworker invites an interpreter: a copyable guest link', async (c) => {
  const staff = c.staff;
  await staff.getByLabel('Name', { exact: true }).fill('Tolk Tina');
  await staff.getByLabel('Role').selectOption('interpreter');
  await staff.getByRole('button', { name: 'Create link' }).click();
  const link = await staff.locator('#guest-link').inputValue();
  assert.match(link, /\/join\/[^/]+$/);
  c.guestPath = new URL(link).pathname;
  await checkAxe(staff, 'meeting: staff with guest link');
});

test('the server answers the guest link /join/{token} with the web app', async (c) => {
  assert.ok(c.guestPath, 'a guest link was made');
  const res = await fetch(c.w.url + c.guestPath);
  assert.equal(res.status, 200, `GET ${c.guestPath.slice(0, 24)}… must serve index.html (CONTRACT: a guest link opens ` +
    '/join/{token}); join tokens contain dots, which server/core/static.c takes for a file extension');
});

test('the guest joins without an account, waits, and is removed by the caseworker', async (c) => {
  const staff = c.staff;
  assert.ok(c.guestPath, 'a guest link was made');
  const guest = await newPage(c.browser, c.w.url, { lang: 'en', width: 360, height: 740, timeout: 30000 });
  await guest.goto(c.guestPath);
  await heading(guest, 'You are invited to a video meeting');
  await guest.getByRole('button', { name: 'Join', exact: true }).click();
  await guest.getByText('You are in the waiting room').waitFor({ timeout: 30000 });
  await checkAxe(guest, 'guest: waiting room');
  const row = staff.locator('#waiting-list [data-participant-id^="g"]');
  await row.waitFor({ timeout: 30000 });
  assert.match(await row.innerText(), /Tolk Tina/);
  await row.getByRole('button', { name: 'Remove' }).click();
  await guest.getByText('You were removed from the meeting.').waitFor({ timeout: 30000 });
  await checkAxe(guest, 'guest: removed');
  assertClean(guest);
  await guest.context_.close();
});

test('caseworker writes a case note beside the video; it is saved to the case with the booking', async (c) => {
  const staff = c.staff;
  if (c.caseNumber) await staff.locator('.case-number', { hasText: c.caseNumber }).waitFor();
  await staff.getByLabel('New note').fill(NOTE);
  await staff.getByRole('button', { name: 'Save note' }).click();
  await staff.locator('.note-body', { hasText: NOTE }).waitFor();
  const notes = unwrapList(await c.w.cwApi.get(`/cases/${c.caseId}/notes`), 'notes');
  const mine = notes.find((n) => n.body === NOTE);
  assert.ok(mine, 'note saved');
  assert.equal(mine.booking_id, c.meetingId);
});

test('client leaves; caseworker ends the meeting', async (c) => {
  const client = c.client;
  const staff = c.staff;
  await client.getByRole('button', { name: 'Leave', exact: true }).click();
  await client.getByText('You have left the meeting.').waitFor();
  await checkAxe(client, 'meeting: left');
  await staff.locator(`#in-list [data-participant-id="u${c.clientUser.id}"]`).waitFor({ state: 'detached', timeout: 30000 });
  await staff.getByRole('button', { name: 'End meeting' }).click();
  await staff.getByRole('button', { name: 'Yes, end for everyone' }).click();
  await staff.getByText('The meeting has ended').waitFor({ timeout: 30000 });
  await checkAxe(staff, 'meeting: ended');
});

test('no request left the server\'s origin; no CSP violation or page error', async (c) => {
  assertClean(c.client);
  assertClean(c.staff);
});

await run(async () => {
  const w = await makeWorld();
  const browser = await launch();
  const client = await newPage(browser, w.url, { lang: 'en', width: 360, height: 740, timeout: 30000 });
  await client.evaluate(() => localStorage.setItem('samtal.debug', '1'));
  const staff = await newPage(browser, w.url, { lang: 'en', width: 1280, height: 900, timeout: 30000 });
  return { w, browser, client, staff,
    onFailure: async (name) => {
      console.log(`# ${w.server.diag().split('\n').join('\n# ')}`);
      const safe = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      await screenshot(client, `fail-story-${safe}-client.png`).catch(() => {});
      await screenshot(staff, `fail-story-${safe}-staff.png`).catch(() => {});
    } };
}, async (c) => {
  if (!c) return;
  await c.browser.close().catch(() => {});
  const r = await c.w.server.stop();
  if (r.code !== 0 && r.code !== null) console.log(`# server exited ${r.code}`);
});
