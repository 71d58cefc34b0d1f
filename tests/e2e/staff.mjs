// staff.mjs — staff pages in the browser: an officer edits a colleague's weekly rules and the free
// slots change; a caseworker blocks time and those slots disappear; the officer's unit day view
// marks a meeting completed; admin pages (users, units, audit trail with "Verify chain").
// axe-core on every page; no request to any other origin.

import assert from 'node:assert/strict';
import { test, run, skipAll } from './lib/tap.mjs';
import { serverMissing } from './lib/server.mjs';
import { chromiumMissing, launch, newPage, checkAxe, assertClean, screenshot, heading } from './lib/browser.mjs';
import { makeWorld, uiLogin, slots, ymd, booking, unwrap, nowRfc3339 } from './lib/world.mjs';

const missing = serverMissing() || chromiumMissing();
if (missing) skipAll(missing);

// The next Saturday at least 2 days ahead (colleague Olle has rules Monday–Friday only).
function nextSaturday() {
  const d = new Date();
  d.setDate(d.getDate() + 2);
  while (d.getDay() !== 6) d.setDate(d.getDate() + 1);
  return d;
}

test('an officer edits a colleague\'s weekly rules and the free slots change', async (c) => {
  const page = c.page;
  const sat = ymd(nextSaturday());
  const q = { staff_id: c.w.cw2.id, from: sat, to: sat };
  assert.equal((await slots(c.w.cwApi, q)).length, 0, 'no Saturday slots before');
  await uiLogin(page, 'sara@e2e.test');
  await page.getByRole('link', { name: 'My hours' }).click();
  await heading(page, 'Booking hours');
  await checkAxe(page, 'availability (officer)');
  await page.getByLabel('Whose hours do you want to change?').selectOption(String(c.w.cw2.id));
  await page.getByRole('heading', { name: 'Weekly hours of Olle Berg' }).waitFor();
  await page.getByLabel('Weekday').selectOption('6');
  await page.getByLabel('Starts at').fill('10:00');
  await page.getByLabel('Ends at').fill('12:00');
  await page.getByLabel('Meeting length (minutes)').fill('30');
  await page.getByRole('button', { name: 'Save weekly hours' }).click();
  await page.getByText('The weekly hours are saved.').waitFor();
  await page.getByText('Saturday 10:00–12:00').waitFor();
  await screenshot(page, 'availability.png');
  await checkAxe(page, 'availability after save');
  const after = await slots(c.w.cwApi, q);
  assert.equal(after.length, 4, `four 30-minute Saturday slots, got ${JSON.stringify(after)}`);
  assert.ok(after.every((s) => s.staff_id === c.w.cw2.id));
  // And delete it again: the slots go away.
  await page.getByRole('button', { name: 'Delete Saturday 10:00–12:00' }).click();
  await page.getByText('Saturday 10:00–12:00').waitFor({ state: 'detached' });
  assert.equal((await slots(c.w.cwApi, q)).length, 0, 'no Saturday slots after deleting the rule');
});

test('a caseworker blocks time (slots disappear, come back on delete) and cancels a meeting from today\'s list', async (c) => {
  const page = await newPage(c.browser, c.w.url, { lang: 'en' });
  const day = new Date();
  day.setDate(day.getDate() + 3);
  const d = ymd(day);
  const q = { staff_id: c.w.cw.id, from: d, to: d };
  const before = await slots(c.w.cwApi, q);
  assert.ok(before.length > 0);
  await uiLogin(page, 'karin@e2e.test');
  await page.goto('/availability');
  await heading(page, 'Booking hours');
  await page.getByLabel('From', { exact: true }).fill(`${d}T08:00`);
  await page.getByLabel('Until', { exact: true }).fill(`${d}T12:00`);
  await page.getByLabel('Reason').fill('Utbildning');
  await page.getByRole('button', { name: 'Save block' }).click();
  await page.getByText('The time is blocked.').waitFor();
  await checkAxe(page, 'availability with a block');
  const after = await slots(c.w.cwApi, q);
  const blocked = after.filter((s) => {
    const h = new Date(s.start).getHours();
    return h >= 8 && h < 12;
  });
  assert.equal(blocked.length, 0, 'no slots inside the block');
  assert.ok(after.length < before.length);
  await page.getByRole('button', { name: /^Delete the block / }).click();
  await page.getByText('No blocked time.').waitFor();
  assert.equal((await slots(c.w.cwApi, q)).length, before.length, 'the slots are back after deleting the block');
  // Cancelling a meeting from today's list, with a confirmation step.
  const client = c.w.server.addUser({ email: 'ulf@e2e.test', name: 'Ulf Ek', role: 'client', password: 'correct-horse-battery' });
  const b = unwrap(await c.w.cwApi.post('/bookings', { staff_id: c.w.cw.id, client_id: client.id, start: nowRfc3339() }), 'booking');
  await page.getByRole('link', { name: 'Today' }).click();
  const card = page.locator(`[data-booking-id="${b.id}"]`);
  await card.getByRole('button', { name: 'Cancel booking' }).click();
  await checkAxe(page, 'today: cancel confirmation');
  await card.getByRole('button', { name: 'Yes, cancel it' }).click();
  await card.getByText('The meeting is cancelled.').waitFor();
  assert.equal((await booking(c.w.cwApi, b.id)).status, 'cancelled');
  // A meeting without a linked case: the case panel offers the client's open cases; the note
  // goes to the chosen case with this booking.
  const kase = unwrap(await c.w.cwApi.post('/cases', { client_id: client.id, title: 'Hemtjänst' }), 'case');
  const b2 = unwrap(await c.w.cwApi.post('/bookings', { staff_id: c.w.cw.id, client_id: client.id, start: nowRfc3339() }), 'booking');
  await page.goto(`/meet/${b2.id}`);
  await page.getByLabel("Choose one of the client's cases").selectOption(String(kase.id));
  await page.getByRole('button', { name: 'Use this case' }).click();
  await page.getByLabel('New note').fill('Förberedelse inför mötet.');
  await page.getByRole('button', { name: 'Save note' }).click();
  await page.locator('.note-body', { hasText: 'Förberedelse inför mötet.' }).waitFor();
  await checkAxe(page, 'meeting page: case chosen, note saved');
  const notes = unwrap(await c.w.cwApi.get(`/cases/${kase.id}/notes`), 'notes');
  assert.ok(Array.isArray(notes) && notes.some((n) => n.booking_id === b2.id), 'the note is linked to the booking');
  assertClean(page);
  await page.context_.close();
});

test('the officer sees the unit\'s bookings of a day and marks one completed', async (c) => {
  const page = c.page;
  const day = new Date();
  day.setDate(day.getDate() + 1);
  const free = await slots(c.w.cwApi, { staff_id: c.w.cw.id, from: ymd(day), to: ymd(day) });
  const client = c.w.server.addUser({ email: 'eva@e2e.test', name: 'Eva Lind', role: 'client', password: 'correct-horse-battery' });
  const b = unwrap(await c.w.cwApi.post('/bookings', { staff_id: c.w.cw.id, client_id: client.id, start: free[0].start }), 'booking');
  await page.goto('/unit');
  await heading(page, "The unit's meetings");
  await page.getByRole('button', { name: 'Next day' }).click();
  const card = page.locator(`[data-booking-id="${b.id}"]`);
  await card.waitFor();
  await checkAxe(page, 'unit day view');
  await card.getByRole('button', { name: 'Mark completed' }).click();
  await card.locator('.badge', { hasText: 'Completed' }).waitFor();
  assert.equal((await booking(c.w.cwApi, b.id)).status, 'completed');
  // The unit's booking window: a one-day horizon hides slots a week ahead, 90 days shows them again.
  const week = new Date();
  week.setDate(week.getDate() + 7);
  const q = { staff_id: c.w.cw.id, from: ymd(week), to: ymd(week) };
  assert.ok((await slots(c.w.cwApi, q)).length > 0);
  await page.getByLabel('Furthest ahead (days)').fill('1');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('The settings are saved.').waitFor();
  await checkAxe(page, 'unit settings');
  assert.equal((await slots(c.w.cwApi, q)).length, 0, 'no slots beyond the horizon');
  await page.getByLabel('Furthest ahead (days)').fill('90');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('The settings are saved.').waitFor();
  assert.ok((await slots(c.w.cwApi, q)).length > 0);
});

test('admin: users, units and the audit trail with "Verify chain"', async (c) => {
  const page = await newPage(c.browser, c.w.url, { lang: 'en' });
  await uiLogin(page, 'admin@e2e.test');
  await heading(page, 'Users');
  await checkAxe(page, 'admin users');
  await page.getByLabel('Name').fill('Nils Nord');
  await page.getByLabel('Email address').fill('nils@e2e.test');
  await page.getByLabel('Password').fill('correct-horse-battery');
  await page.getByLabel('Role').selectOption('caseworker');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByText('Nils Nord is added.').waitFor();
  await page.getByRole('link', { name: 'Units' }).click();
  await heading(page, 'Units');
  await page.getByLabel('Name of the unit').fill('Äldreomsorg');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByText('The unit Äldreomsorg is created.').waitFor();
  await checkAxe(page, 'admin units');
  await page.getByRole('link', { name: 'Audit trail' }).click();
  await heading(page, 'Audit trail');
  await page.locator('table tbody tr').first().waitFor();
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await page.getByText(/The chain is intact: \d+ entries verify\./).waitFor();
  await checkAxe(page, 'admin audit');
  await screenshot(page, 'audit.png');
  assertClean(page);
  await page.context_.close();
});

test('no request left the server\'s origin; no CSP violation or page error', async (c) => {
  assertClean(c.page);
});

await run(async () => {
  const w = await makeWorld();
  const browser = await launch();
  const page = await newPage(browser, w.url, { lang: 'en' });
  return { w, browser, page,
    onFailure: async (name) => { console.log(`# ${w.server.diag().split('\n').join('\n# ')}`); return screenshot(page, `fail-staff-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.png`); } };
}, async (c) => {
  if (!c) return;
  await c.browser.close().catch(() => {});
  await c.w.server.stop();
});
