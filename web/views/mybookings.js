// views/mybookings.js — a client's bookings: upcoming first, each with open meeting, .ics, reschedule
// (pick a new time from the same person's free slots, then confirm) and cancel (with a confirmation
// step). Staff who open /bookings are sent to their calendar.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, fmtDate, fmtTime, add } from '../dom.js';
import { statusText, icsLink, whenText, bookingsBetween, upcomingRange, staffNames, personName, joinWindow } from './common.js';
import { weekPicker } from './slots.js';

export async function render(ctx) {
  if (ctx.isStaff) {
    ctx.navigate('/calendar', { replace: true });
    return;
  }
  ctx.setTitle(t('my.title'));
  const listArea = h('div', { class: 'booking-list' });
  const msg = h('div', { class: 'form-message', role: 'status' });
  add(ctx.main, h('h1', {}, t('my.title')),
    h('p', { class: 'actions' }, h('a', { class: 'btn primary', href: '/book' }, t('my.new'))),
    msg, listArea);
  const names = await staffNames();

  async function load() {
    const [from, to] = upcomingRange();
    const all = await bookingsBetween(from, to);
    const now = Date.now();
    const upcoming = all.filter((b) => b.status === 'booked' && new Date(b.end).getTime() + 30 * 60000 > now);
    const other = all.filter((b) => !upcoming.includes(b));
    add(clear(listArea), 
      h('h2', {}, t('my.upcoming')),
      upcoming.length ? h('ul', { class: 'cards' }, upcoming.map(card)) : h('p', {}, t('my.none')),
      other.length ? [h('h2', {}, t('my.other')), h('ul', { class: 'cards' }, other.map(card))] : null);
  }

  function card(b) {
    const li = h('li', { class: 'card booking', dataset: { bookingId: String(b.id) } });
    const hid = `b-${b.id}-h`;
    const actions = h('div', { class: 'actions' });
    if (b.status === 'booked') {
      if (joinWindow(b) !== 'late') add(actions, h('a', { class: 'btn primary', href: `/meet/${b.id}` }, t('booking.open')));
      add(actions, icsLink(b.id),
        h('button', { type: 'button', class: 'btn', onclick: () => reschedule(b, li) }, t('my.reschedule')),
        h('button', { type: 'button', class: 'btn danger', onclick: () => askCancel(b, li) }, t('my.cancel')));
    }
    add(li, h('h3', { id: hid }, whenText(b)),
      h('p', {}, personName(b, names, 'staff_id', 'staff_name') || ''),
      b.topic ? h('p', { class: 'muted' }, b.topic) : null,
      h('p', {}, h('span', { class: 'badge ' + b.status }, statusText(b.status))),
      actions, h('div', { class: 'inline-area' }));
    return li;
  }

  function askCancel(b, li) {
    const area = clear(li.querySelector('.inline-area'));
    const yes = h('button', { type: 'button', class: 'btn danger', onclick: async () => {
      yes.disabled = true;
      try {
        await api.post(`/bookings/${b.id}/cancel`, {});
        msg.textContent = t('my.cancelled', { when: whenText(b) });
        await load();
        listArea.querySelector('h2')?.setAttribute('tabindex', '-1');
        listArea.querySelector('h2')?.focus();
      } catch (e) {
        yes.disabled = false;
        add(area, h('p', { role: 'alert', class: 'form-message error' }, e.message || t('err.generic')));
      }
    } }, t('my.cancel.yes'));
    const no = h('button', { type: 'button', class: 'btn', onclick: () => { clear(area); li.querySelector('.btn.danger')?.focus(); } },
      t('my.cancel.no'));
    add(area, h('div', { class: 'confirm', role: 'group', 'aria-label': t('my.cancel.q') },
      h('p', {}, h('strong', {}, t('my.cancel.q')), ' ', t('my.cancel.detail', { when: whenText(b) })),
      h('div', { class: 'actions' }, yes, no)));
    yes.focus();
  }

  function reschedule(b, li) {
    const area = clear(li.querySelector('.inline-area'));
    const picker = weekPicker({
      staffId: b.staff_id,
      heading: t('my.reschedule.h'),
      onPick: (slot) => confirmMove(b, slot, area),
    });
    add(area, picker, h('button', { type: 'button', class: 'btn small', onclick: () => clear(area) }, t('common.close')));
    setTimeout(() => picker.querySelector('h2')?.setAttribute('tabindex', '-1'), 0);
    setTimeout(() => picker.querySelector('h2')?.focus(), 50);
  }

  function confirmMove(b, slot, area) {
    const yes = h('button', { type: 'button', class: 'btn primary', onclick: async () => {
      yes.disabled = true;
      try {
        await api.post(`/bookings/${b.id}/reschedule`, { start: slot.start });
        msg.textContent = t('my.moved', { when: `${fmtDate(slot.start)} ${fmtTime(slot.start)}` });
        await load();
      } catch (e) {
        yes.disabled = false;
        add(area, h('p', { role: 'alert', class: 'form-message error' },
          e.code === 'slot_taken' || e.code === 'not_a_slot' ? t('book.err.taken') : (e.message || t('err.generic'))));
      }
    } }, t('my.reschedule.yes'));
    add(clear(area), h('div', { class: 'confirm' },
      h('p', {}, t('my.reschedule.q', { from: whenText(b), to: `${fmtDate(slot.start)} ${fmtTime(slot.start)}` })),
      h('div', { class: 'actions' }, yes,
        h('button', { type: 'button', class: 'btn', onclick: () => clear(area) }, t('my.cancel.no')))));
    yes.focus();
  }

  await load();
}
