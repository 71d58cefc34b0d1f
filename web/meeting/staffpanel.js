// meeting/staffpanel.js — the staff side of the meeting room: the waiting list with Admit and
// remove, who is in the meeting, inviting an interpreter or guest (a copyable link), ending the
// meeting (with a confirmation step) and the case panel (meeting/casepanel.js).

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, field, formMessage, announce, copyText, add } from '../dom.js';
import { casePanel } from './casepanel.js';

function roleText(role) {
  return t('role.' + role);
}

// staffPanel(booking) → (session) → {el, update, error}
export function staffPanel(booking) {
  return (session) => {
    const waitingList = h('ul', { class: 'people', id: 'waiting-list' });
    const inList = h('ul', { class: 'people', id: 'in-list' });
    const errors = h('div', { class: 'form-message', role: 'alert' });
    let lastWaiting = new Set();

    function person(p, waiting) {
      const nameId = `p-${p.participant_id}-name`;
      const actions = h('div', { class: 'actions' });
      if (waiting) {
        add(actions, h('button', { type: 'button', class: 'btn primary', 'aria-describedby': nameId,
          onclick: (e) => { e.currentTarget.disabled = true; session.admit(p.participant_id); } }, t('room.admit')));
      }
      add(actions, h('button', { type: 'button', class: 'btn small danger', 'aria-describedby': nameId,
        onclick: () => { session.remove(p.participant_id); announce(t('room.removed.p', { name: p.name })); } },
      t('room.remove')));
      return h('li', { class: 'person', dataset: { participantId: p.participant_id } },
        h('span', { id: nameId }, `${p.name} (${roleText(p.role)})`), actions);
    }

    function update({ list }) {
      const waiting = list.filter((p) => p.state === 'waiting');
      const inside = list.filter((p) => p.state !== 'waiting');
      const focusedPid = document.activeElement && document.activeElement.closest('.person')?.dataset.participantId;
      add(clear(waitingList), waiting.length ? waiting.map((p) => person(p, true)) : h('li', { class: 'muted' }, t('room.nowaiting')));
      add(clear(inList), inside.length ? inside.map((p) => person(p, false)) : h('li', { class: 'muted' }, t('room.nobody')));
      const now = new Set(waiting.map((p) => p.participant_id));
      for (const p of waiting) if (!lastWaiting.has(p.participant_id)) announce(t('room.arrived', { name: p.name }));
      lastWaiting = now;
      if (focusedPid) {
        const again = document.querySelector(`.person[data-participant-id="${CSS.escape(focusedPid)}"] button`);
        (again || waitingList.querySelector('button') || inList).focus?.();
      }
    }

    function error({ code, message }) {
      errors.className = 'form-message error';
      errors.textContent = code === 'room_full' ? t('room.err.full') : (message || code);
    }

    // invite
    const gName = field(t('inv.name'), { required: true, maxlength: 100 });
    const gKind = field(t('inv.kind'), { kind: 'select', options: [
      { value: 'interpreter', label: t('role.interpreter') }, { value: 'guest', label: t('role.guest') }], value: 'interpreter' });
    const invMsg = formMessage();
    const invOut = h('div', {});
    const invForm = h('form', { novalidate: true }, gName.wrap, gKind.wrap, invMsg.el,
      h('button', { type: 'submit', class: 'btn' }, t('inv.create')), invOut);
    invForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      invMsg.clear();
      if (!gName.value()) { gName.setError(t('err.required')); gName.input.focus(); return; }
      gName.setError('');
      try {
        const g = await api.post(`/bookings/${booking.id}/guests`, { name: gName.value(), kind: gKind.input.value });
        const url = g.join_url && /^https?:/.test(g.join_url) ? g.join_url
          : `${location.origin}${g.join_url || '/join/' + encodeURIComponent(g.token)}`;
        const input = h('input', { type: 'text', readonly: true, value: url, id: 'guest-link', class: 'copy-input' });
        add(clear(invOut), h('div', { class: 'field' }, h('label', { for: 'guest-link' }, t('inv.link', { name: gName.value() })), input),
          h('button', { type: 'button', class: 'btn small', onclick: async () => {
            announce((await copyText(url, input)) ? t('common.copied') : t('common.copy.manual'));
          } }, t('common.copy')));
        announce(t('inv.ready'));
        input.focus();
        input.select();
      } catch (err) {
        invMsg.show(err.message || t('err.generic'));
      }
    });

    // end meeting
    const endArea = h('div', {});
    const endBtn = h('button', { type: 'button', class: 'btn danger', onclick: askEnd }, t('room.end'));
    function askEnd() {
      const yes = h('button', { type: 'button', class: 'btn danger', onclick: () => session.end() }, t('room.end.yes'));
      const no = h('button', { type: 'button', class: 'btn', onclick: () => { clear(endArea); endBtn.focus(); } }, t('my.cancel.no'));
      add(clear(endArea), h('p', {}, t('room.end.q')), h('div', { class: 'actions' }, yes, no));
      yes.focus();
    }

    const cases = casePanel(booking);
    const el = h('aside', { class: 'panel', 'aria-label': t('panel.label') },
      h('section', { class: 'card', 'aria-labelledby': 'wait-h' }, h('h2', { id: 'wait-h' }, t('room.waitlist')), waitingList, errors),
      h('section', { class: 'card', 'aria-labelledby': 'in-h' }, h('h2', { id: 'in-h' }, t('room.inmeeting')), inList),
      cases.el,
      h('section', { class: 'card', 'aria-labelledby': 'inv-h' }, h('h2', { id: 'inv-h' }, t('inv.title')), h('p', {}, t('inv.lead')), invForm),
      h('section', { class: 'card', 'aria-labelledby': 'end-h' }, h('h2', { id: 'end-h' }, t('room.end.h')), endBtn, endArea));
    update({ list: [] });
    return { el, update, error };
  };
}
