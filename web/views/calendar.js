// views/calendar.js — a staff member's week calendar of own bookings (Monday–Sunday, days stacked on
// narrow screens), with previous/next week.

import { t } from '../i18n.js';
import { h, clear, fmtWeekday, isoDate, mondayOf, addDays, add } from '../dom.js';
import { bookingsBetween } from './common.js';
import { bookingRow } from './today.js';

export async function render(ctx) {
  ctx.setTitle(t('cal.title'));
  let monday = mondayOf(new Date());
  const area = h('div', {});
  const title = h('p', { class: 'week-title', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'btn small', onclick: () => move(-7) }, t('slots.prev'));
  const next = h('button', { type: 'button', class: 'btn small', onclick: () => move(7) }, t('slots.next'));
  add(ctx.main, h('h1', {}, t('cal.title')), h('div', { class: 'week-nav' }, prev, title, next), area);
  const cache = new Map();

  async function load() {
    const sunday = addDays(monday, 6);
    title.textContent = t('slots.week', { from: fmtWeekday(monday), to: fmtWeekday(sunday) });
    const all = (await bookingsBetween(monday, sunday)).filter((b) => b.status !== 'cancelled' &&
      (ctx.user.role === 'caseworker' || b.staff_id === ctx.user.id));
    clear(area);
    for (let i = 0; i < 7; i++) {
      const day = addDays(monday, i);
      const mine = all.filter((b) => isoDate(new Date(b.start)) === isoDate(day));
      const rows = [];
      for (const b of mine) rows.push(await bookingRow(b, cache));
      add(area, h('section', { class: 'day' }, h('h2', {}, fmtWeekday(day)),
        rows.length ? h('ul', { class: 'cards' }, rows) : h('p', { class: 'muted' }, t('cal.free'))));
    }
  }

  async function move(d) {
    monday = addDays(monday, d);
    await load();
  }

  await load();
}
