// views/common.js — small pieces several views share: booking status text, the meeting link,
// the .ics download link, a date range query for bookings, and staff-name lookups.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, isoDate, addDays, fmtDate, fmtTime } from '../dom.js';

export const JOIN_EARLY_MIN = 15;
export const JOIN_LATE_MIN = 30;

export function statusText(status) {
  return t('status.' + (status || 'booked'));
}

export function meetingUrl(id) {
  return `${location.origin}/meet/${id}`;
}

export function icsLink(id) {
  return h('a', { class: 'btn', href: `/api/v1/bookings/${id}/ics`, download: `samtal-${id}.ics` }, t('booking.ics'));
}

export function whenText(b) {
  return `${fmtDate(b.start)}, ${fmtTime(b.start)}–${fmtTime(b.end)}`;
}

// 'early' | 'open' | 'late' for a booking's join window.
export function joinWindow(b, now = Date.now()) {
  const start = new Date(b.start).getTime();
  const end = new Date(b.end).getTime();
  if (now < start - JOIN_EARLY_MIN * 60000) return 'early';
  if (now > end + JOIN_LATE_MIN * 60000) return 'late';
  return 'open';
}

// extra: more query parameters, e.g. {unit_id} for an officer's view of the unit.
export async function bookingsBetween(from, to, extra = {}) {
  return api.list(await api.get('/bookings' + api.qs({ from: isoDate(from), to: isoDate(to), ...extra })), 'bookings')
    .sort((a, b) => new Date(a.start) - new Date(b.start));
}

export function upcomingRange() {
  const today = new Date();
  return [addDays(today, -1), addDays(today, 180)];
}

// Names of staff by id (for all units the caller can list); errors leave the map empty.
export async function staffNames() {
  const names = new Map();
  try {
    const units = api.list(await api.get('/units'), 'units');
    for (const u of units) {
      for (const s of api.list(await api.get('/staff' + api.qs({ unit_id: u.id })), 'staff')) names.set(s.id, s.name);
    }
  } catch { /* names are a nicety */ }
  return names;
}

export function personName(b, names, idKey, nameKey) {
  return b[nameKey] || (names && names.get(b[idKey])) || '';
}
