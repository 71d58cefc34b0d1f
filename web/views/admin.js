// views/admin.js — the admin pages: users (create staff and clients, list when the API offers it),
// units (list, create) and the audit trail (newest pages, "verify chain").

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, field, formMessage, checkRequired, fmtDateTime, announce, add } from '../dom.js';

const ROLES = ['client', 'caseworker', 'officer', 'admin'];

function roleOptions() {
  return ROLES.map((r) => ({ value: r, label: t('role.' + r) }));
}

export const users = {
  async render(ctx) {
    ctx.setTitle(t('admin.users'));
    const units = api.list(await api.get('/units'), 'units');
    const list = h('div', {});
    async function load() {
      let all = null;
      try { all = api.list(await api.get('/users'), 'users'); } catch { all = null; }
      if (!all) {
        all = [];
        for (const u of units) all.push(...api.list(await api.get('/staff' + api.qs({ unit_id: u.id })), 'staff'));
      }
      const unitName = new Map(units.map((u) => [u.id, u.name]));
      add(clear(list), all.length
        ? h('table', { class: 'table' }, h('caption', {}, t('admin.users.list')),
          h('thead', {}, h('tr', {}, [t('auth.name'), t('auth.email'), t('admin.role'), t('admin.unit')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, all.map((u) => h('tr', {}, h('td', {}, u.name), h('td', {}, u.email || ''),
            h('td', {}, t('role.' + u.role)), h('td', {}, unitName.get(u.unit_id) || '–')))))
        : h('p', {}, t('admin.users.none')));
    }
    const name = field(t('auth.name'), { required: true, autocomplete: 'off' });
    const email = field(t('auth.email'), { type: 'email', required: true, autocomplete: 'off' });
    const pw = field(t('auth.password'), { type: 'password', required: true, autocomplete: 'new-password', hint: t('auth.pwhint', { n: 8 }) });
    const role = field(t('admin.role'), { kind: 'select', options: roleOptions(), value: 'caseworker' });
    const unit = field(t('admin.unit'), { kind: 'select', options: [{ value: '', label: t('admin.nounit') },
      ...units.map((u) => ({ value: String(u.id), label: u.name }))] });
    const msg = formMessage();
    const form = h('form', { novalidate: true, class: 'grid-form', 'aria-labelledby': 'newuser-h' },
      h('h2', { id: 'newuser-h' }, t('admin.users.new')), name.wrap, email.wrap, pw.wrap, role.wrap, unit.wrap, msg.el,
      h('button', { type: 'submit', class: 'btn primary' }, t('admin.create')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.clear();
      if (checkRequired([name, email, pw])) return;
      const body = { name: name.value(), email: email.value(), password: pw.input.value, role: role.input.value };
      if (unit.input.value) body.unit_id = Number(unit.input.value);
      try {
        await api.post('/users', body);
        msg.show(t('admin.users.created', { name: body.name }), 'ok');
        for (const f of [name, email, pw]) f.input.value = '';
        await load();
      } catch (err) {
        if (err.code === 'conflict') { email.setError(t('auth.err.taken')); email.input.focus(); } else msg.show(err.message || t('err.generic'));
      }
    });
    add(ctx.main, h('h1', {}, t('admin.users')), form, list);
    await load();
  },
};

export const units = {
  async render(ctx) {
    ctx.setTitle(t('admin.units'));
    const list = h('div', {});
    async function load() {
      const all = api.list(await api.get('/units'), 'units');
      add(clear(list), h('ul', { class: 'rows' }, all.map((u) => h('li', { class: 'row' }, u.name))));
    }
    const name = field(t('admin.unit.name'), { required: true, maxlength: 200 });
    const msg = formMessage();
    const form = h('form', { novalidate: true, 'aria-labelledby': 'newunit-h' }, h('h2', { id: 'newunit-h' }, t('admin.units.new')),
      name.wrap, msg.el, h('button', { type: 'submit', class: 'btn primary' }, t('admin.create')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.clear();
      if (checkRequired([name])) return;
      try {
        await api.post('/units', { name: name.value() });
        msg.show(t('admin.units.created', { name: name.value() }), 'ok');
        name.input.value = '';
        await load();
      } catch (err) {
        if (err.code === 'conflict') { name.setError(t('admin.units.taken')); name.input.focus(); } else msg.show(err.message || t('err.generic'));
      }
    });
    add(ctx.main, h('h1', {}, t('admin.units')), form, h('h2', {}, t('admin.units.list')), list);
    await load();
  },
};

export const audit = {
  async render(ctx) {
    ctx.setTitle(t('admin.audit'));
    const result = h('div', { class: 'form-message', role: 'status' });
    const verifyBtn = h('button', { type: 'button', class: 'btn primary', onclick: verify }, t('admin.audit.verify'));
    const tbody = h('tbody', {});
    const more = h('button', { type: 'button', class: 'btn', onclick: () => load() }, t('admin.audit.more'));
    let after = 0;
    async function verify() {
      verifyBtn.disabled = true;
      try {
        const r = await api.get('/audit/verify');
        result.className = 'form-message ' + (r.ok ? 'ok' : 'error');
        result.textContent = r.ok ? t('admin.audit.ok', { n: r.entries }) : t('admin.audit.bad', { n: r.entries, id: r.first_bad });
      } catch (err) {
        result.className = 'form-message error';
        result.textContent = err.message || t('err.generic');
      }
      verifyBtn.disabled = false;
    }
    async function load() {
      const entries = api.list(await api.get('/audit' + api.qs({ after })), 'entries');
      for (const e of entries) {
        add(tbody, h('tr', {}, h('td', {}, String(e.id)), h('td', {}, fmtDateTime(e.at)), h('td', {}, e.actor_id === null || e.actor_id === undefined ? '–' : String(e.actor_id)),
          h('td', {}, e.action), h('td', {}, `${e.object_type || ''} ${e.object_id ?? ''}`),
          h('td', { class: 'hash' }, (e.hash || '').slice(0, 12))));
        after = Math.max(after, e.id);
      }
      more.hidden = entries.length === 0;
      if (entries.length === 0 && tbody.childElementCount) announce(t('admin.audit.end'));
    }
    add(ctx.main, h('h1', {}, t('admin.audit')), h('p', {}, t('admin.audit.lead')), verifyBtn, result,
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('admin.audit') },
        h('table', { class: 'table' }, h('caption', {}, t('admin.audit.list')),
          h('thead', {}, h('tr', {}, ['#', t('admin.audit.at'), t('admin.audit.actor'), t('admin.audit.action'), t('admin.audit.object'), t('admin.audit.hash')]
            .map((c) => h('th', { scope: 'col' }, c)))), tbody)), more);
    await load();
  },
};
