// views/landing.js — the start page: what a video meeting with social services is, that nothing is
// recorded, and who can see what. Plain language; links to sign in or create an account.

import { t } from '../i18n.js';
import { h, add } from '../dom.js';

function section(title, ...paras) {
  return h('section', { class: 'card' }, h('h2', {}, title), paras.map((p) => h('p', {}, p)));
}

export function render(ctx) {
  ctx.setTitle(t('landing.title'));
  const actions = ctx.user
    ? h('p', { class: 'actions' }, h('a', { class: 'btn primary', href: ctx.homePath() }, t('landing.continue')))
    : h('p', { class: 'actions' },
      h('a', { class: 'btn primary', href: '/register' }, t('landing.register')),
      h('a', { class: 'btn', href: '/login' }, t('landing.login')));
  add(ctx.main, 
    h('h1', {}, t('landing.title')),
    h('p', { class: 'lead' }, t('landing.lead')),
    actions,
    section(t('landing.what.h'), t('landing.what.p1'), t('landing.what.p2')),
    section(t('landing.rec.h'), t('landing.rec.p1'), t('landing.rec.p2')),
    section(t('landing.who.h'), t('landing.who.p1'), t('landing.who.p2'), t('landing.who.p3')),
    section(t('landing.need.h'), t('landing.need.p1')),
  );
}
