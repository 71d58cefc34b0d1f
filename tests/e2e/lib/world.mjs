// world.mjs — the people and data the browser tests share: a started server (lib/server.mjs), an
// admin, two caseworkers and an officer in one unit (made with `samtal-server user add`), weekly
// rules for the caseworkers (every day 07:00–21:00, 30-minute slots) set through the API, and
// helpers to sign in through the UI and to find free slots.

import { startServer, apiClient, unwrap, unwrapList } from './server.mjs';

// ASCII on purpose: samtal-server's option parsing (no setlocale) refuses non-ASCII arguments.
export const UNIT = 'E2E Socialtjanst';
export const PASSWORD = 'correct-horse-battery';

export async function makeWorld() {
  const server = await startServer();
  const w = { server, url: server.url };
  try {
    w.admin = server.addUser({ email: 'admin@e2e.test', name: 'Ada Admin', role: 'admin', password: PASSWORD });
    w.cw = server.addUser({ email: 'karin@e2e.test', name: 'Karin Lund', role: 'caseworker', unit: UNIT, password: PASSWORD });
    w.cw2 = server.addUser({ email: 'olle@e2e.test', name: 'Olle Berg', role: 'caseworker', unit: UNIT, password: PASSWORD });
    w.officer = server.addUser({ email: 'sara@e2e.test', name: 'Sara Holm', role: 'officer', unit: UNIT, password: PASSWORD });
    w.cwApi = apiClient(w.url);
    await w.cwApi.login('karin@e2e.test', PASSWORD);
    w.cw2Api = apiClient(w.url);
    await w.cw2Api.login('olle@e2e.test', PASSWORD);
    w.adminApi = apiClient(w.url);
    await w.adminApi.login('admin@e2e.test', PASSWORD);
    for (let wd = 1; wd <= 7; wd++) {
      await w.cwApi.post(`/staff/${w.cw.id}/rules`, { weekday: wd, start: '07:00', end: '21:00', slot_minutes: 30 });
    }
    for (let wd = 1; wd <= 5; wd++) {
      await w.cw2Api.post(`/staff/${w.cw2.id}/rules`, { weekday: wd, start: '09:00', end: '11:00', slot_minutes: 30 });
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return w;
}

export function ymd(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export async function slots(api, params) {
  const q = new URLSearchParams(params).toString();
  return unwrapList(await api.get(`/slots?${q}`), 'slots');
}

export async function booking(api, id) {
  return unwrap(await api.get(`/bookings/${id}`), 'booking');
}

// RFC 3339 with the Stockholm offset for "now", rounded down to the minute.
export function nowRfc3339() {
  const d = new Date();
  d.setSeconds(0, 0);
  const off = -d.getTimezoneOffset();
  const p = (n) => String(n).padStart(2, '0');
  const sign = off >= 0 ? '+' : '-';
  return `${ymd(d)}T${p(d.getHours())}:${p(d.getMinutes())}:00${sign}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
}

// Signs in through the UI (the page is already on the server's origin).
export async function uiLogin(page, email, password = PASSWORD) {
  await page.goto('/login');
  await page.locator('input[type=email]').fill(email);
  await page.locator('input[type=password]').fill(password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.waitForSelector('main h1');
}

export { unwrap, unwrapList };
