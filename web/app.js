// app.js — boots the samtal web app: language, session (GET /me), navigation menu by role, and
// client-side routing with the History API. Each view module exports render(ctx) which fills
// ctx.main and may return a cleanup function (run when the user navigates away).

import { initLang, t, lang } from './i18n.js';
import * as api from './api.js';
import { h, clear } from './dom.js';
import { routes } from './routes.js';

const STAFF = ['caseworker', 'officer', 'admin'];

const app = {
  user: null,
  cleanup: null,
  seq: 0,
};

function isStaff(user) {
  return !!user && STAFF.includes(user.role);
}

function homePath(user) {
  if (!user) return '/';
  if (user.role === 'admin') return '/admin/users';
  if (isStaff(user)) return '/today';
  return '/bookings';
}

function navLink(path, label) {
  const current = location.pathname === path;
  return h('li', {}, h('a', { href: path, 'aria-current': current ? 'page' : undefined }, label));
}

function langLink() {
  const other = lang() === 'en' ? 'sv' : 'en';
  const label = other === 'en' ? 'In English' : 'På svenska';
  return h('li', {}, h('a', { href: `${location.pathname}?lang=${other}`, lang: other, hreflang: other,
    'data-reload': 'true' }, label));
}

function renderNav() {
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  const u = app.user;
  const items = [];
  if (!u) {
    items.push(navLink('/', t('nav.home')), navLink('/login', t('nav.login')),
      navLink('/register', t('nav.register')));
  } else if (u.role === 'client') {
    items.push(navLink('/book', t('nav.book')), navLink('/bookings', t('nav.mybookings')));
  } else {
    if (u.role !== 'admin' || u.unit_id) {
      items.push(navLink('/today', t('nav.today')), navLink('/calendar', t('nav.calendar')),
        navLink('/availability', t('nav.availability')));
    }
    if (u.role === 'officer' || u.role === 'admin') items.push(navLink('/unit', t('nav.unit')));
    if (u.role === 'admin') {
      items.push(navLink('/admin/users', t('nav.users')), navLink('/admin/units', t('nav.units')),
        navLink('/admin/audit', t('nav.audit')));
    }
  }
  items.push(langLink());
  if (u) {
    items.push(h('li', {}, h('button', { type: 'button', class: 'linklike', onclick: logout },
      t('nav.logout'))));
  }
  clear(nav).append(h('ul', {}, items));
  document.getElementById('skip-link').textContent = t('nav.skip');
  const foot = clear(document.getElementById('foot'));
  foot.append(h('p', {}, t('foot.text')));
}

async function logout() {
  try { await api.del('/session'); } catch { /* already gone */ }
  api.forgetSession();
  setUser(null);
  navigate('/');
}

function setUser(user) {
  app.user = user;
  if (user) api.rememberSession(null, user);
  renderNav();
}

function match(path) {
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) return { route: r, params: m.slice(1).map(decodeURIComponent) };
  }
  return null;
}

function allowed(route, user) {
  switch (route.who) {
    case 'anyone': return true;
    case 'guest-only': return true;
    case 'signed': return !!user;
    case 'client': return !!user;
    case 'staff': return isStaff(user);
    case 'officer': return !!user && (user.role === 'officer' || user.role === 'admin');
    case 'admin': return !!user && user.role === 'admin';
    default: return false;
  }
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  show();
}

async function show(first = false) {
  const seq = ++app.seq;
  if (app.cleanup) {
    try { app.cleanup(); } catch (e) { console.error(e); }
    app.cleanup = null;
  }
  const main = clear(document.getElementById('main'));
  const found = match(location.pathname);
  renderNav();
  if (!found) {
    document.title = `${t('notfound.title')} – samtal`;
    main.append(h('h1', { tabindex: '-1' }, t('notfound.title')), h('p', {}, t('notfound.text')),
      h('p', {}, h('a', { href: homePath(app.user) }, t('notfound.home'))));
    focusHeading(main);
    return;
  }
  const { route, params } = found;
  if (route.who === 'guest-only' && app.user) {
    navigate(homePath(app.user), { replace: true });
    return;
  }
  if (!allowed(route, app.user)) {
    if (!app.user) {
      sessionStorage.setItem('samtal.after', location.pathname);
      navigate('/login', { replace: true });
    } else {
      navigate(homePath(app.user), { replace: true });
    }
    return;
  }
  const ctx = {
    main,
    params,
    query: new URLSearchParams(location.search),
    user: app.user,
    isStaff: isStaff(app.user),
    navigate,
    setUser,
    homePath: () => homePath(app.user),
    setTitle: (s) => { document.title = `${s} – samtal`; },
    alive: () => seq === app.seq,
  };
  try {
    const mod = await route.load();
    if (seq !== app.seq) return;
    const cleanup = await mod.render(ctx);
    if (seq !== app.seq) {
      if (typeof cleanup === 'function') cleanup();
      return;
    }
    app.cleanup = typeof cleanup === 'function' ? cleanup : null;
  } catch (e) {
    console.error(e);
    if (seq !== app.seq) return;
    if (e instanceof api.ApiError && e.status === 401) {
      api.forgetSession();
      setUser(null);
      navigate('/login', { replace: true });
      return;
    }
    clear(main).append(h('h1', { tabindex: '-1' }, t('error.title')),
      h('p', { role: 'alert' }, t('error.load')));
  }
  if (!first) focusHeading(main);
}

function focusHeading(main) {
  const h1 = main.querySelector('h1');
  if (h1) {
    if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
    if (!document.activeElement || document.activeElement === document.body ||
        !main.contains(document.activeElement)) {
      h1.focus({ preventScroll: false });
    }
  }
}

function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a');
  if (!a || a.target || a.hasAttribute('download') || a.dataset.reload) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}

async function boot() {
  initLang();
  if (new URLSearchParams(location.search).has('lang')) {
    history.replaceState({}, '', location.pathname);
  }
  if (api.csrfToken()) {
    try {
      const me = api.one(await api.get('/me'), 'user');
      app.user = me && me.id !== undefined ? me : null;
    } catch {
      app.user = null;
    }
    if (!app.user) api.forgetSession();
  }
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', () => show());
  await show(true);
}

export const appHome = homePath;
boot();
