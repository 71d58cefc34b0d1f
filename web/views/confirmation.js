// views/confirmation.js — one booking: the confirmation after booking (?new=1) and the details page
// with the .ics download and the meeting link (copyable).

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, copyText, announce, add } from '../dom.js';
import { statusText, meetingUrl, icsLink, whenText, staffNames, personName } from './common.js';

export async function render(ctx) {
  const id = ctx.params[0];
  const b = api.one(await api.get(`/bookings/${id}`), 'booking');
  const fresh = ctx.query.get('new') === '1';
  const title = fresh ? t('conf.title') : t('conf.details');
  ctx.setTitle(title);
  const names = await staffNames();
  const link = meetingUrl(b.id);
  const linkInput = h('input', { type: 'text', readonly: true, value: link, id: 'meet-link', class: 'copy-input' });
  add(ctx.main, 
    h('h1', {}, title),
    fresh ? h('p', { class: 'form-message ok', role: 'status' }, t('conf.booked')) : null,
    h('dl', { class: 'summary' },
      h('dt', {}, t('book.sum.when')), h('dd', {}, whenText(b)),
      h('dt', {}, t('book.sum.person')), h('dd', {}, personName(b, names, 'staff_id', 'staff_name') || '–'),
      b.topic ? [h('dt', {}, t('book.sum.topic')), h('dd', {}, b.topic)] : null,
      h('dt', {}, t('booking.status')), h('dd', {}, statusText(b.status))),
    h('h2', {}, t('conf.link.h')),
    h('p', {}, t('conf.link.p')),
    h('div', { class: 'field' }, h('label', { for: 'meet-link' }, t('conf.link.label')), linkInput),
    h('div', { class: 'actions' },
      h('a', { class: 'btn primary', href: `/meet/${b.id}` }, t('booking.open')),
      h('button', { type: 'button', class: 'btn', onclick: async () => {
        announce((await copyText(link, linkInput)) ? t('common.copied') : t('common.copy.manual'));
      } }, t('common.copy')),
      icsLink(b.id)),
    h('p', {}, h('a', { href: ctx.isStaff ? '/calendar' : '/bookings' }, t('conf.all'))));
}
