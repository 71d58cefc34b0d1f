// views/unit.js — an officer's view of the unit: every booking on a chosen day, with the staff
// member, client and case number; mark a meeting completed or no-show (with the API's status call).

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, field, formMessage, checkRequired, fmtTime, fmtDate, isoDate, addDays, announce, add } from '../dom.js';
import { statusText, bookingsBetween, staffNames } from './common.js';
import { caseNumber, clientNameOf } from './today.js';

// The booking API's status change (docs/api-booking.md): POST /bookings/{id}/status {status}.
async function setStatus(id, status) {
  return api.post(`/bookings/${id}/status`, { status });
}

export async function render(ctx) {
  ctx.setTitle(t('unit.title'));
  let day = new Date();
  const dayField = field(t('unit.day'), { type: 'date', name: 'day', value: isoDate(day) });
  const list = h('div', {});
  const heading = h('h2', { tabindex: '-1' });
  const prev = h('button', { type: 'button', class: 'btn small', onclick: () => move(-1) }, t('unit.prev'));
  const next = h('button', { type: 'button', class: 'btn small', onclick: () => move(1) }, t('unit.next'));
  add(ctx.main, h('h1', {}, t('unit.title')), h('div', { class: 'week-nav' }, prev, dayField.wrap, next), heading, list);
  dayField.input.addEventListener('change', () => {
    const d = new Date(dayField.input.value + 'T12:00:00');
    if (!Number.isNaN(d.getTime())) { day = d; load(); }
  });
  const names = await staffNames();
  const cache = new Map();

  async function move(n) {
    day = addDays(day, n);
    dayField.input.value = isoDate(day);
    await load();
  }

  async function load() {
    heading.textContent = fmtDate(day.toISOString());
    const all = await bookingsBetween(day, day, { unit_id: ctx.user.unit_id || undefined });
    const rows = [];
    for (const b of all) {
      const num = await caseNumber(b, cache);
      const st = h('span', { class: 'badge ' + b.status }, statusText(b.status));
      const actions = h('div', { class: 'actions' });
      const mark = (status) => h('button', { type: 'button', class: 'btn small', onclick: async (e) => {
        try {
          const nb = api.one(await setStatus(b.id, status), 'booking');
          b.status = (nb && nb.status) || status;
          st.className = 'badge ' + b.status;
          st.textContent = statusText(b.status);
          announce(t('unit.marked', { status: statusText(b.status) }));
        } catch (err) {
          announce(err.message || t('err.generic'));
          add(actions, h('p', { role: 'alert', class: 'form-message error' }, err.message || t('err.generic')));
        }
        e.currentTarget?.focus?.();
      } }, t('unit.mark.' + status));
      if (b.status === 'booked' || b.status === 'completed' || b.status === 'no_show') {
        add(actions, mark('completed'), mark('no_show'));
      }
      if (b.status === 'booked' && b.staff_id === ctx.user.id) add(actions, h('a', { class: 'btn small', href: `/meet/${b.id}` }, t('booking.open')));
      rows.push(h('li', { class: 'card booking', dataset: { bookingId: String(b.id) } },
        h('h3', {}, `${fmtTime(b.start)}–${fmtTime(b.end)} · ${b.staff_name || names.get(b.staff_id) || ''}`),
        h('p', {}, `${await clientNameOf(b, cache)} · ${num ? t('staff.case', { n: num }) : t('staff.nocase')}`),
        h('p', {}, st), actions));
    }
    add(clear(list), rows.length ? h('ul', { class: 'cards' }, rows) : h('p', {}, t('unit.none')));
  }

  await load();
  if (ctx.user.unit_id) add(ctx.main, await settingsSection(ctx.user.unit_id));
}

// The unit's booking window for clients: minimum notice and horizon (GET/PUT /units/{id}/settings).
async function settingsSection(unitId) {
  let cur = {};
  try { cur = await api.get(`/units/${unitId}/settings`); } catch { /* defaults shown empty */ }
  const notice = field(t('unit.notice'), { type: 'number', name: 'min_notice_minutes', required: true, min: 0, max: 10080,
    inputmode: 'numeric', value: String(cur.min_notice_minutes ?? ''), hint: t('unit.notice.hint') });
  const horizon = field(t('unit.horizon'), { type: 'number', name: 'horizon_days', required: true, min: 1, max: 730,
    inputmode: 'numeric', value: String(cur.horizon_days ?? ''), hint: t('unit.horizon.hint') });
  const msg = formMessage();
  const form = h('form', { novalidate: true, class: 'grid-form' }, notice.wrap, horizon.wrap, msg.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('unit.settings.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.clear();
    if (checkRequired([notice, horizon])) return;
    try {
      await api.put(`/units/${unitId}/settings`, { min_notice_minutes: Number(notice.value()), horizon_days: Number(horizon.value()) });
      msg.show(t('unit.settings.saved'), 'ok');
    } catch (err) {
      msg.show(err.message || t('err.generic'));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'unit-settings-h' },
    h('h2', { id: 'unit-settings-h' }, t('unit.settings')), h('p', {}, t('unit.settings.lead')), form);
}
