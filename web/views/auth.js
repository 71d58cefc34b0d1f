// views/auth.js — sign in and create an account. On success the API's csrf_token and user are kept
// in sessionStorage (api.rememberSession) and the user goes on to where they were heading.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, field, formMessage, checkRequired, add } from '../dom.js';

const MIN_PASSWORD = 8;

async function signIn(ctx, email, password) {
  const ans = await api.post('/session', { email, password });
  api.rememberSession(ans.csrf_token, ans.user);
  ctx.setUser(ans.user);
  const after = sessionStorage.getItem('samtal.after');
  sessionStorage.removeItem('samtal.after');
  const dest = after && after !== '/login' ? after : null;
  if (dest) ctx.navigate(dest, { replace: true });
  else ctx.navigate(ctx.homePath(), { replace: true });
}

function errorText(e) {
  if (e.status === 401) return t('auth.err.wrong');
  if (e.status === 429) return t('err.rate');
  if (e.code === 'conflict') return t('auth.err.taken');
  if (e.status === 0) return t('err.network');
  return e.message || t('err.generic');
}

export const login = {
  render(ctx) {
    ctx.setTitle(t('login.title'));
    const email = field(t('auth.email'), { type: 'email', required: true, autocomplete: 'username' });
    const pw = field(t('auth.password'), { type: 'password', required: true, autocomplete: 'current-password' });
    const msg = formMessage();
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('login.submit'));
    const form = h('form', { novalidate: true, class: 'narrow' }, email.wrap, pw.wrap, msg.el, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.clear();
      if (checkRequired([email, pw])) return;
      submit.disabled = true;
      try {
        await signIn(ctx, email.value(), pw.input.value);
      } catch (err) {
        msg.show(errorText(err));
        submit.disabled = false;
      }
    });
    add(ctx.main, h('h1', {}, t('login.title')), form,
      h('p', {}, t('login.noaccount'), ' ', h('a', { href: '/register' }, t('nav.register'))));
  },
};

export const register = {
  render(ctx) {
    ctx.setTitle(t('register.title'));
    const name = field(t('auth.name'), { required: true, autocomplete: 'name' });
    const email = field(t('auth.email'), { type: 'email', required: true, autocomplete: 'email' });
    const pw = field(t('auth.password'), { type: 'password', required: true, autocomplete: 'new-password',
      hint: t('auth.pwhint', { n: MIN_PASSWORD }) });
    const msg = formMessage();
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('register.submit'));
    const form = h('form', { novalidate: true, class: 'narrow' }, name.wrap, email.wrap, pw.wrap, msg.el, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.clear();
      if (checkRequired([name, email, pw])) return;
      if (!email.input.value.includes('@')) {
        email.setError(t('auth.err.email'));
        email.input.focus();
        return;
      }
      if (pw.input.value.length < MIN_PASSWORD) {
        pw.setError(t('auth.pwhint', { n: MIN_PASSWORD }));
        pw.input.focus();
        return;
      }
      submit.disabled = true;
      try {
        await api.post('/register', { email: email.value(), password: pw.input.value, name: name.value() });
        await signIn(ctx, email.value(), pw.input.value);
      } catch (err) {
        if (err.code === 'conflict') {
          email.setError(t('auth.err.taken'));
          email.input.focus();
        } else if (err.status === 400 && /password/i.test(err.message || '')) {
          pw.setError(t('auth.err.weak'));
          pw.input.focus();
        } else {
          msg.show(errorText(err));
        }
        submit.disabled = false;
      }
    });
    add(ctx.main, h('h1', {}, t('register.title')), h('p', {}, t('register.lead')), form,
      h('p', {}, t('register.have'), ' ', h('a', { href: '/login' }, t('nav.login'))));
  },
};
