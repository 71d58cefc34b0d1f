// views/availability.js — the availability editor: weekly rules (weekday, from–to, slot length,
// buffer, optional validity) and blocks (vacation, absence). Caseworkers edit their own; officers
// (and admins) choose any staff member of their unit first.

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, field, formMessage, checkRequired, announce, fmtDateTime, localInputToRfc3339, add } from '../dom.js';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

function weekdayName(n) {
  return t('wd.' + n);
}

async function staffChoices(user) {
  if (user.role === 'caseworker') return [user];
  const units = user.role === 'admin' && !user.unit_id
    ? api.list(await api.get('/units'), 'units') : [{ id: user.unit_id }];
  const out = [];
  for (const u of units) out.push(...api.list(await api.get('/staff' + api.qs({ unit_id: u.id })), 'staff'));
  if (!out.some((s) => s.id === user.id) && user.unit_id) out.unshift(user);
  return out;
}

export async function render(ctx) {
  ctx.setTitle(t('av.title'));
  const staff = await staffChoices(ctx.user);
  const area = h('div', {});
  add(ctx.main, h('h1', {}, t('av.title')), h('p', { class: 'lead' }, t('av.lead')));
  if (staff.length > 1) {
    const sel = field(t('av.who'), { kind: 'select', name: 'staff',
      options: staff.map((s) => ({ value: String(s.id), label: s.name + (s.id === ctx.user.id ? ` (${t('av.me')})` : '') })),
      value: String(staff.some((s) => s.id === ctx.user.id) ? ctx.user.id : staff[0].id) });
    sel.input.addEventListener('change', () => show(Number(sel.input.value)));
    add(ctx.main, sel.wrap);
    add(ctx.main, area);
    await show(Number(sel.input.value));
  } else {
    add(ctx.main, area);
    await show(ctx.user.id);
  }

  async function show(staffId) {
    const person = staff.find((s) => s.id === staffId) || ctx.user;
    add(clear(area), rulesSection(staffId, person), blocksSection(staffId, person));
  }
}

function rulesSection(staffId, person) {
  const sec = h('section', { class: 'card', 'aria-labelledby': 'rules-h' });
  const list = h('div', {});
  const msg = formMessage();
  async function load() {
    const rules = api.list(await api.get(`/staff/${staffId}/rules`), 'rules')
      .sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
    add(clear(list), rules.length
      ? h('ul', { class: 'rows' }, rules.map((r) => h('li', { class: 'row', dataset: { ruleId: String(r.id) } },
        h('span', {}, `${weekdayName(r.weekday)} ${r.start}–${r.end}, ` +
          t('av.rule.len', { n: r.slot_minutes, b: r.buffer_minutes || 0 }) +
          (r.valid_from || r.valid_until ? ` (${r.valid_from || '…'} – ${r.valid_until || '…'})` : '')),
        h('button', { type: 'button', class: 'btn small danger',
          'aria-label': t('av.rule.delete.label', { rule: `${weekdayName(r.weekday)} ${r.start}–${r.end}` }),
          onclick: async () => {
            try {
              await api.del(`/staff/${staffId}/rules/${r.id}`);
              announce(t('av.rule.deleted'));
              await load();
              sec.querySelector('h2')?.focus();
            } catch (e) { msg.show(e.message || t('err.generic')); }
          } }, t('common.delete')))))
      : h('p', {}, t('av.rules.none')));
  }
  const wd = field(t('av.weekday'), { kind: 'select', name: 'weekday',
    options: WEEKDAYS.map((n) => ({ value: String(n), label: weekdayName(n) })), value: '1' });
  const start = field(t('av.start'), { type: 'time', name: 'start', required: true, value: '09:00' });
  const end = field(t('av.end'), { type: 'time', name: 'end', required: true, value: '12:00' });
  const len = field(t('av.slot'), { type: 'number', name: 'slot_minutes', required: true, value: '30', min: 5, max: 240, inputmode: 'numeric' });
  const buf = field(t('av.buffer'), { type: 'number', name: 'buffer_minutes', value: '0', min: 0, max: 120, inputmode: 'numeric' });
  const from = field(t('av.from'), { type: 'date', name: 'valid_from', hint: t('av.optional') });
  const until = field(t('av.until'), { type: 'date', name: 'valid_until', hint: t('av.optional') });
  const form = h('form', { novalidate: true, class: 'grid-form', 'aria-labelledby': 'rule-add-h' },
    h('h3', { id: 'rule-add-h' }, t('av.rule.add')), wd.wrap, start.wrap, end.wrap, len.wrap, buf.wrap, from.wrap, until.wrap,
    msg.el, h('button', { type: 'submit', class: 'btn primary' }, t('av.rule.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.clear();
    if (checkRequired([start, end, len])) return;
    if (end.value() <= start.value()) {
      end.setError(t('av.err.order'));
      end.input.focus();
      return;
    }
    const body = { weekday: Number(wd.input.value), start: start.value(), end: end.value(),
      slot_minutes: Number(len.value()), buffer_minutes: Number(buf.value() || 0) };
    if (from.value()) body.valid_from = from.value();
    if (until.value()) body.valid_until = until.value();
    try {
      await api.post(`/staff/${staffId}/rules`, body);
      msg.show(t('av.rule.saved'), 'ok');
      await load();
    } catch (err) {
      msg.show(err.message || t('err.generic'));
    }
  });
  add(sec, h('h2', { id: 'rules-h', tabindex: '-1' }, t('av.rules', { name: person.name })), list, form);
  load();
  return sec;
}

function blocksSection(staffId, person) {
  const sec = h('section', { class: 'card', 'aria-labelledby': 'blocks-h' });
  const list = h('div', {});
  const msg = formMessage();
  async function load() {
    const blocks = api.list(await api.get(`/staff/${staffId}/blocks`), 'blocks');
    add(clear(list), blocks.length
      ? h('ul', { class: 'rows' }, blocks.map((b) => {
        const text = `${fmtDateTime(b.start)} – ${fmtDateTime(b.end)}`;
        return h('li', { class: 'row', dataset: { blockId: String(b.id) } },
          h('span', {}, text + (b.reason ? ': ' + b.reason : '')),
          h('button', { type: 'button', class: 'btn small danger', 'aria-label': t('av.block.delete.label', { block: text }),
            onclick: async () => {
              try {
                await api.del(`/staff/${staffId}/blocks/${b.id}`);
                announce(t('av.block.deleted'));
                await load();
                sec.querySelector('h2')?.focus();
              } catch (e) { msg.show(e.message || t('err.generic')); }
            } }, t('common.delete')));
      }))
      : h('p', {}, t('av.blocks.none')));
  }
  const start = field(t('av.block.start'), { type: 'datetime-local', name: 'start', required: true });
  const end = field(t('av.block.end'), { type: 'datetime-local', name: 'end', required: true });
  const reason = field(t('av.block.reason'), { name: 'reason', maxlength: 200, hint: t('av.optional') });
  const form = h('form', { novalidate: true, class: 'grid-form', 'aria-labelledby': 'block-add-h' },
    h('h3', { id: 'block-add-h' }, t('av.block.add')), start.wrap, end.wrap, reason.wrap, msg.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('av.block.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.clear();
    if (checkRequired([start, end])) return;
    const s = localInputToRfc3339(start.input.value);
    const en = localInputToRfc3339(end.input.value);
    if (!s) { start.setError(t('err.required')); start.input.focus(); return; }
    if (!en || en <= s) { end.setError(t('av.err.order')); end.input.focus(); return; }
    const body = { start: s, end: en };
    if (reason.value()) body.reason = reason.value();
    try {
      await api.post(`/staff/${staffId}/blocks`, body);
      msg.show(t('av.block.saved'), 'ok');
      await load();
    } catch (err) {
      msg.show(err.message || t('err.generic'));
    }
  });
  add(sec, h('h2', { id: 'blocks-h', tabindex: '-1' }, t('av.blocks', { name: person.name })), list, form);
  load();
  return sec;
}
