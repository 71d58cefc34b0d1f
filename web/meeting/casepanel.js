// meeting/casepanel.js — the case beside the video: case number, title, earlier notes, and a note
// field that saves to the case linked to this booking (with booking_id). When the booking has no
// case yet, staff can open one for the client here.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, field, formMessage, fmtDateTime, announce, add } from '../dom.js';

export function casePanel(booking) {
  const body = h('div', {});
  const el = h('section', { class: 'card case-panel', 'aria-labelledby': 'case-h' }, h('h2', { id: 'case-h' }, t('case.title')), body);
  let caseId = booking.case_id || null;

  async function load() {
    if (!caseId) return drawCreate();
    let c;
    let notes;
    try {
      c = api.one(await api.get(`/cases/${caseId}`), 'case');
      notes = api.list(await api.get(`/cases/${caseId}/notes`), 'notes');
    } catch (e) {
      add(clear(body), h('p', { role: 'alert' }, t('case.err.load')));
      return undefined;
    }
    return drawCase(c, notes);
  }

  // No case linked to the booking: pick one of the client's open cases in this unit, or open one.
  async function drawCreate() {
    let open = [];
    try {
      open = api.list(await api.get('/cases' + api.qs({ client_id: booking.client_id })), 'cases')
        .filter((c) => c.status !== 'closed');
    } catch { /* listing is a nicety */ }
    const parts = [h('p', {}, t('case.none'))];
    if (open.length) {
      const pick = field(t('case.pick'), { kind: 'select', name: 'case',
        options: open.map((c) => ({ value: String(c.id), label: `${c.number} – ${c.title}` })) });
      const use = h('form', { novalidate: true }, pick.wrap, h('button', { type: 'submit', class: 'btn' }, t('case.use')));
      use.addEventListener('submit', async (e) => {
        e.preventDefault();
        caseId = Number(pick.input.value);
        await load();
        body.querySelector('textarea')?.focus();
      });
      parts.push(use);
    }
    const title = field(t('case.new.title'), { required: true, maxlength: 200 });
    const msg = formMessage();
    const form = h('form', { novalidate: true }, title.wrap, msg.el,
      h('button', { type: 'submit', class: 'btn' }, t('case.new.create')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!title.value()) { title.setError(t('err.required')); title.input.focus(); return; }
      try {
        const c = api.one(await api.post('/cases', { client_id: booking.client_id, title: title.value() }), 'case');
        caseId = c.id;
        await load();
        body.querySelector('textarea')?.focus();
      } catch (err) {
        msg.show(err.message || t('err.generic'));
      }
    });
    parts.push(form);
    add(clear(body), parts);
  }

  function drawCase(c, notes) {
    const note = field(t('case.note'), { kind: 'textarea', rows: 5, maxlength: 20000, name: 'note', hint: t('case.note.hint') });
    const msg = formMessage();
    const list = h('ol', { class: 'notes', 'aria-label': t('case.notes') },
      notes.map((n) => h('li', { class: 'note' },
        h('p', { class: 'muted' }, `${fmtDateTime(n.created_at)}${n.author_name ? ' · ' + n.author_name : ''}`),
        h('p', { class: 'note-body' }, n.body === null || n.body === undefined ? t('case.note.unreadable') : n.body))));
    const form = h('form', { novalidate: true }, note.wrap, msg.el, h('button', { type: 'submit', class: 'btn primary' }, t('case.save')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.clear();
      if (!note.value()) { note.setError(t('err.required')); note.input.focus(); return; }
      note.setError('');
      try {
        await api.post(`/cases/${caseId}/notes`, { body: note.value(), booking_id: booking.id });
        announce(t('case.saved'));
        await load();
        const again = body.querySelector('.form-message');
        if (again) { again.className = 'form-message ok'; again.textContent = t('case.saved'); }
        body.querySelector('textarea')?.focus();
      } catch (err) {
        msg.show(err.message || t('err.generic'));
      }
    });
    add(clear(body), 
      h('dl', { class: 'summary' }, h('dt', {}, t('case.number')), h('dd', { class: 'case-number' }, c.number || String(c.id)),
        h('dt', {}, t('case.casetitle')), h('dd', {}, c.title || '')),
      h('h3', {}, t('case.notes')),
      notes.length ? list : h('p', { class: 'muted' }, t('case.nonotes')),
      form);
  }

  load();
  return { el };
}
