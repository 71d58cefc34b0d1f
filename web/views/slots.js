// views/slots.js — the week view of free slots, shared by booking and rescheduling. Shows one week
// (Monday–Sunday), days stacked on narrow screens, one button per free start time; with several
// staff ("first available") the earliest staff member free at that time is chosen.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, fmtTime, fmtWeekday, fmtDate, isoDate, mondayOf, addDays, add } from '../dom.js';

const SEARCH_WEEKS = 8;

async function fetchWeek(monday, { staffId, unitId }) {
  const from = isoDate(monday);
  const to = isoDate(addDays(monday, 6));
  const ans = await api.get('/slots' + api.qs({ staff_id: staffId, unit_id: staffId ? undefined : unitId, from, to }));
  const now = Date.now();
  const byStart = new Map();
  for (const s of api.list(ans, 'slots')) {
    if (new Date(s.start).getTime() <= now) continue;
    if (!byStart.has(s.start)) byStart.set(s.start, s);
  }
  return [...byStart.values()].sort((a, b) => new Date(a.start) - new Date(b.start));
}

// weekPicker(opts) → element. opts: {staffId?, unitId?, staffNames (Map id→name), onPick(slot), heading}
export function weekPicker(opts) {
  const root = h('section', { class: 'week', 'aria-labelledby': 'week-h' });
  let monday = mondayOf(new Date());
  let first = true;

  async function load() {
    add(clear(root), h('p', { class: 'muted' }, t('common.loading')));
    let slots;
    try {
      slots = await fetchWeek(monday, opts);
      if (first) {
        first = false;
        for (let i = 0; i < SEARCH_WEEKS && slots.length === 0; i++) {
          monday = addDays(monday, 7);
          slots = await fetchWeek(monday, opts);
        }
        if (slots.length === 0) monday = mondayOf(new Date());
      }
    } catch (e) {
      add(clear(root), h('p', { role: 'alert', class: 'form-message error' }, t('slots.err')));
      return;
    }
    draw(slots);
  }

  function draw(slots) {
    const sunday = addDays(monday, 6);
    const title = t('slots.week', { from: fmtWeekday(monday), to: fmtWeekday(sunday) });
    const prev = h('button', { type: 'button', class: 'btn small', onclick: () => move(-7),
      disabled: mondayOf(new Date()).getTime() >= monday.getTime() }, t('slots.prev'));
    const next = h('button', { type: 'button', class: 'btn small', onclick: () => move(7) }, t('slots.next'));
    const days = h('div', { class: 'days' });
    for (let i = 0; i < 7; i++) {
      const day = addDays(monday, i);
      const key = isoDate(day);
      const mine = slots.filter((s) => isoDate(new Date(s.start)) === key);
      const hid = `day-${key}`;
      const list = mine.length
        ? h('ul', { class: 'slot-list', 'aria-labelledby': hid }, mine.map((s) => h('li', {},
          h('button', {
            type: 'button', class: 'btn slot',
            'aria-label': `${fmtDate(s.start)} ${fmtTime(s.start)}` +
              (opts.staffNames && opts.staffNames.get(s.staff_id) ? `, ${opts.staffNames.get(s.staff_id)}` : ''),
            onclick: () => opts.onPick(s),
          }, fmtTime(s.start)))))
        : h('p', { class: 'muted' }, t('slots.none.day'));
      add(days, h('div', { class: 'day' }, h('h3', { id: hid }, fmtWeekday(day)), list));
    }
    add(clear(root), 
      h('h2', { id: 'week-h' }, opts.heading || t('slots.heading')),
      h('div', { class: 'week-nav' }, prev, h('p', { class: 'week-title', 'aria-live': 'polite' }, title), next),
      slots.length ? null : h('p', {}, t('slots.none.week')),
      days);
  }

  async function move(d) {
    monday = addDays(monday, d);
    await load();
    const btn = root.querySelector(d < 0 ? '.week-nav button:first-child' : '.week-nav button:last-child');
    if (btn && !btn.disabled) btn.focus();
    else root.querySelector('.week-nav button:last-child')?.focus();
  }

  load();
  return root;
}
