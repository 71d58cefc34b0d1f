// views/today.js — a caseworker's meetings today, with times, client names and case numbers, and a
// button to open each meeting room.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, fmtTime, fmtDate, add } from '../dom.js';
import { statusText, bookingsBetween } from './common.js';

// Case number for a booking: from the booking, else from its case (cached per call site).
export async function caseNumber(b, cache) {
  if (b.case_number) return b.case_number;
  if (!b.case_id) return '';
  if (cache.has(b.case_id)) return cache.get(b.case_id);
  let n = '';
  try { n = api.one(await api.get(`/cases/${b.case_id}`), 'case').number || ''; } catch { /* not visible */ }
  cache.set(b.case_id, n);
  return n;
}

export function clientName(b) {
  return b.client_name || (b.client && b.client.name) || t('staff.client', { id: b.client_id });
}

// The client's name for staff: from the booking, else GET /users/{id} (cached per call site).
export async function clientNameOf(b, cache) {
  if (b.client_name || (b.client && b.client.name)) return clientName(b);
  const key = `u${b.client_id}`;
  if (!cache.has(key)) {
    let name = '';
    try { name = api.one(await api.get(`/users/${b.client_id}`), 'user').name || ''; } catch { /* not visible */ }
    cache.set(key, name);
  }
  return cache.get(key) || clientName(b);
}

export async function bookingRow(b, cache) {
  const num = await caseNumber(b, cache);
  const who = await clientNameOf(b, cache);
  return h('li', { class: 'card booking', dataset: { bookingId: String(b.id) } },
    h('h3', {}, `${fmtTime(b.start)}–${fmtTime(b.end)} · ${who}`),
    h('p', {}, num ? t('staff.case', { n: num }) : t('staff.nocase')),
    b.topic ? h('p', { class: 'muted' }, b.topic) : null,
    h('p', {}, h('span', { class: 'badge ' + b.status }, statusText(b.status))),
    b.status === 'booked'
      ? h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: `/meet/${b.id}` }, t('booking.open')),
        h('button', { type: 'button', class: 'btn danger', onclick: (e) => askCancel(b, e.currentTarget) }, t('my.cancel')))
      : null,
    h('div', { class: 'inline-area' }));
}

// Staff cancel a booking from their list, after a confirmation step.
function askCancel(b, cancelBtn) {
  const card = cancelBtn.closest('li');
  const area = clear(card.querySelector('.inline-area'));
  const yes = h('button', { type: 'button', class: 'btn danger', onclick: async () => {
    yes.disabled = true;
    try {
      const nb = api.one(await api.post(`/bookings/${b.id}/cancel`, {}), 'booking');
      b.status = (nb && nb.status) || 'cancelled';
      const badge = card.querySelector('.badge');
      badge.className = 'badge ' + b.status;
      badge.textContent = statusText(b.status);
      card.querySelector('.actions')?.remove();
      add(clear(area), h('p', { role: 'status', class: 'form-message ok', tabindex: '-1' }, t('staff.cancelled')));
      area.firstChild.focus();
    } catch (err) {
      yes.disabled = false;
      add(area, h('p', { role: 'alert', class: 'form-message error' }, err.message || t('err.generic')));
    }
  } }, t('my.cancel.yes'));
  const no = h('button', { type: 'button', class: 'btn', onclick: () => { clear(area); cancelBtn.focus(); } }, t('my.cancel.no'));
  add(area, h('div', { class: 'confirm', role: 'group', 'aria-label': t('my.cancel.q') },
    h('p', {}, h('strong', {}, t('my.cancel.q'))), h('div', { class: 'actions' }, yes, no)));
  yes.focus();
}

export async function render(ctx) {
  ctx.setTitle(t('today.title'));
  const today = new Date();
  const list = (await bookingsBetween(today, today)).filter((b) => b.status !== 'cancelled' &&
    (ctx.user.role === 'caseworker' || b.staff_id === ctx.user.id || b.staff_id === undefined));
  const cache = new Map();
  const rows = [];
  for (const b of list) rows.push(await bookingRow(b, cache));
  add(ctx.main, h('h1', {}, t('today.title')), h('h2', {}, fmtDate(today.toISOString())),
    rows.length ? h('ul', { class: 'cards' }, rows) : h('p', {}, t('today.none')));
}
