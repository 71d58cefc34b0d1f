// views/book.js — booking for a client: choose a unit → a person or "first available" → a free time
// in the week view → review (optional topic) → Book. On success it opens the confirmation page.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, field, formMessage, fmtDate, fmtTime, add } from '../dom.js';
import { weekPicker } from './slots.js';

function stepHeader(n, title) {
  return [h('p', { class: 'step' }, t('book.step', { n, of: 4 })), h('h2', { tabindex: '-1', class: 'step-h' }, title)];
}

function focusStep(area) {
  const el = area.querySelector('.step-h');
  if (el) el.focus();
}

export async function render(ctx) {
  ctx.setTitle(t('book.title'));
  const area = h('div', { class: 'book-area' });
  add(ctx.main, h('h1', {}, t('book.title')), area);
  const state = { unit: null, staff: null, staffList: [], slot: null };
  const units = api.list(await api.get('/units'), 'units');

  function chooseUnit() {
    add(clear(area), ...stepHeader(1, t('book.unit')),
      units.length ? h('ul', { class: 'choice-list' }, units.map((u) => h('li', {},
        h('button', { type: 'button', class: 'btn choice', onclick: () => pickUnit(u) }, u.name))))
        : h('p', {}, t('book.nounits')));
  }

  async function pickUnit(u) {
    state.unit = u;
    state.staffList = api.list(await api.get('/staff' + api.qs({ unit_id: u.id })), 'staff');
    chooseStaff();
    focusStep(area);
  }

  function chooseStaff() {
    const items = [h('li', {}, h('button', { type: 'button', class: 'btn choice primary',
      onclick: () => pickStaff(null) }, t('book.first')))];
    for (const s of state.staffList) {
      items.push(h('li', {}, h('button', { type: 'button', class: 'btn choice', onclick: () => pickStaff(s) }, s.name)));
    }
    add(clear(area), ...stepHeader(2, t('book.person', { unit: state.unit.name })),
      h('ul', { class: 'choice-list' }, items),
      h('p', {}, h('button', { type: 'button', class: 'btn small', onclick: () => { chooseUnit(); focusStep(area); } },
        t('common.back'))));
  }

  function pickStaff(s) {
    state.staff = s;
    chooseTime();
    focusStep(area);
  }

  function chooseTime() {
    const names = new Map(state.staffList.map((s) => [s.id, s.name]));
    add(clear(area), ...stepHeader(3, t('book.time')),
      weekPicker({ staffId: state.staff ? state.staff.id : undefined, unitId: state.unit.id, staffNames: names,
        heading: state.staff ? t('slots.with', { name: state.staff.name }) : t('slots.any', { unit: state.unit.name }),
        onPick: (slot) => { state.slot = slot; review(); focusStep(area); } }),
      h('p', {}, h('button', { type: 'button', class: 'btn small', onclick: () => { chooseStaff(); focusStep(area); } },
        t('common.back'))));
  }

  function review() {
    const s = state.slot;
    const staffName = (state.staffList.find((x) => x.id === s.staff_id) || {}).name || '';
    const topic = field(t('book.topic'), { kind: 'textarea', rows: 3, maxlength: 500, hint: t('book.topic.hint') });
    const msg = formMessage();
    const bookBtn = h('button', { type: 'submit', class: 'btn primary big' }, t('book.book'));
    const form = h('form', { novalidate: true },
      h('dl', { class: 'summary' },
        h('dt', {}, t('book.sum.unit')), h('dd', {}, state.unit.name),
        h('dt', {}, t('book.sum.person')), h('dd', {}, staffName || t('book.first')),
        h('dt', {}, t('book.sum.when')), h('dd', {}, `${fmtDate(s.start)}, ${fmtTime(s.start)}–${fmtTime(s.end)}`)),
      h('p', {}, t('book.sum.video')),
      topic.wrap, msg.el,
      h('div', { class: 'actions' }, bookBtn,
        h('button', { type: 'button', class: 'btn', onclick: () => { chooseTime(); focusStep(area); } }, t('book.other'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.clear();
      bookBtn.disabled = true;
      try {
        const body = { staff_id: s.staff_id, start: s.start };
        if (topic.value()) body.topic = topic.value();
        const b = api.one(await api.post('/bookings', body), 'booking');
        ctx.navigate(`/bookings/${b.id}?new=1`);
      } catch (err) {
        bookBtn.disabled = false;
        if (err.code === 'slot_taken' || err.code === 'not_a_slot') msg.show(t('book.err.taken'));
        else msg.show(err.status === 0 ? t('err.network') : (err.message || t('err.generic')));
      }
    });
    add(clear(area), ...stepHeader(4, t('book.review')), form);
  }

  chooseUnit();
}
