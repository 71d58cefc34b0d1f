// dom.js — small helpers to build accessible DOM without innerHTML: element builder, labelled form
// fields whose errors are tied to the input (aria-describedby, aria-invalid), live-region
// announcements, and date/time formatting in the page language. No state of its own.

import { t, lang } from './i18n.js';

let idSeq = 0;
export function uid(prefix = 'id') {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

// h('button', {class: 'x', onclick: fn}, 'text', child, …)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'muted') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function announce(message) {
  const el = document.getElementById('status');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => { el.textContent = message; }, 50);
}

// A labelled field. Returns {wrap, input, error, setError(msg), value()}.
// kind: 'input' (default), 'select', 'textarea'. opts: {type, name, required, options, hint, value, autocomplete}
export function field(labelText, opts = {}) {
  const id = uid('f');
  const errId = id + '-err';
  const hintId = id + '-hint';
  const kind = opts.kind || 'input';
  const attrs = {
    id,
    name: opts.name,
    required: opts.required,
    autocomplete: opts.autocomplete,
    min: opts.min, max: opts.max, step: opts.step,
    rows: opts.rows,
    maxlength: opts.maxlength,
    inputmode: opts.inputmode,
  };
  if (kind === 'input') attrs.type = opts.type || 'text';
  const input = h(kind, attrs);
  if (kind === 'select') {
    for (const o of opts.options || []) {
      input.append(h('option', { value: o.value, selected: o.value === opts.value }, o.label));
    }
  } else if (opts.value !== undefined) {
    input.value = opts.value;
  }
  const described = [];
  const hint = opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null;
  if (hint) described.push(hintId);
  const error = h('p', { class: 'error', id: errId, hidden: true });
  if (described.length) input.setAttribute('aria-describedby', described.join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, labelText), hint, input, error);
  const setError = (msg) => {
    if (msg) {
      error.textContent = msg;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [...described, errId].join(' '));
    } else {
      error.textContent = '';
      error.hidden = true;
      input.removeAttribute('aria-invalid');
      if (described.length) input.setAttribute('aria-describedby', described.join(' '));
      else input.removeAttribute('aria-describedby');
    }
  };
  return { wrap, input, error, setError, value: () => input.value.trim() };
}

// A form-level message box (errors announced via role=alert inside the form).
export function formMessage() {
  const el = h('div', { class: 'form-message', role: 'alert' });
  return {
    el,
    show(msg, kind = 'error') { el.className = 'form-message ' + kind; el.textContent = msg; },
    clear() { el.className = 'form-message'; el.textContent = ''; },
  };
}

// Validates required fields; sets errors; returns the first invalid field or null.
export function checkRequired(fields) {
  let first = null;
  for (const f of fields) {
    if (f.input.required && !f.value()) {
      f.setError(t('err.required'));
      first = first || f;
    } else {
      f.setError('');
    }
  }
  if (first) first.input.focus();
  return first;
}

export function button(label, onclick, cls = '', attrs = {}) {
  return h('button', { type: 'button', class: 'btn ' + cls, onclick, ...attrs }, label);
}

// ---- time ----
const locale = () => (lang() === 'en' ? 'en-GB' : 'sv-SE');

export function fmtDate(iso) {
  return new Date(iso).toLocaleDateString(locale(), { weekday: 'long', day: 'numeric', month: 'long' });
}
export function fmtTime(iso) {
  return new Date(iso).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}
export function fmtDateTime(iso) {
  return `${fmtDate(iso)} ${fmtTime(iso)}`;
}
export function fmtWeekday(date) {
  return date.toLocaleDateString(locale(), { weekday: 'short', day: 'numeric', month: 'short' });
}

const pad = (n) => String(n).padStart(2, '0');

// YYYY-MM-DD of a local Date.
export function isoDate(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// RFC 3339 with the local offset, e.g. 2026-12-01T09:00:00+01:00.
export function rfc3339(d) {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${isoDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// Value of an <input type=datetime-local> → RFC 3339 (local offset), or '' when empty/invalid.
export function localInputToRfc3339(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : rfc3339(d);
}

export function mondayOf(d) {
  const m = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const wd = (m.getDay() + 6) % 7; // 0 = Monday
  m.setDate(m.getDate() - wd);
  return m;
}

export function addDays(d, n) {
  const r = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  r.setDate(r.getDate() + n);
  return r;
}

// Copies text to the clipboard; falls back to selecting the given input.
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (input) { input.focus(); input.select(); }
    return false;
  }
}

// add(el, ...children): appends like h() does (flattens arrays, skips null/false); returns el.
export function add(el, ...children) {
  return append(el, children);
}
