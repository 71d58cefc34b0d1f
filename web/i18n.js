// i18n.js — the page language and string lookup. Swedish by default; ?lang=en (or ?lang=sv)
// switches and is remembered in localStorage. Every visible string lives in strings.js.

import { strings } from './strings.js';

const LANG_KEY = 'samtal.lang';
let current = 'sv';

export function initLang() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'sv') {
    try { localStorage.setItem(LANG_KEY, fromUrl); } catch { /* private mode */ }
    current = fromUrl;
  } else {
    let stored = null;
    try { stored = localStorage.getItem(LANG_KEY); } catch { /* private mode */ }
    current = stored === 'en' ? 'en' : 'sv';
  }
  document.documentElement.lang = current;
  return current;
}

export function lang() {
  return current;
}

// t('key', {name: 'x'}) → the string in the current language with {name} replaced.
export function t(key, params) {
  const table = strings[current] || strings.sv;
  let s = table[key];
  if (s === undefined) s = strings.sv[key];
  if (s === undefined) {
    console.warn('samtal: missing string', key);
    return key;
  }
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  }
  return s;
}
