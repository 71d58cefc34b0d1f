// routes.js — the page paths of the web app, who may open each, and the view module that draws it
// (loaded on demand). /meet/{booking_id} and /join/{token} are fixed by CONTRACT.md.

export const routes = [
  { pattern: /^\/$/, who: 'anyone', load: () => import('./views/landing.js') },
  { pattern: /^\/login$/, who: 'guest-only', load: () => import('./views/auth.js').then((m) => m.login) },
  { pattern: /^\/register$/, who: 'guest-only', load: () => import('./views/auth.js').then((m) => m.register) },
  { pattern: /^\/book$/, who: 'signed', load: () => import('./views/book.js') },
  { pattern: /^\/bookings$/, who: 'signed', load: () => import('./views/mybookings.js') },
  { pattern: /^\/bookings\/(\d+)$/, who: 'signed', load: () => import('./views/confirmation.js') },
  { pattern: /^\/meet\/(\d+)$/, who: 'signed', load: () => import('./views/meet.js') },
  { pattern: /^\/join\/([^/]+)$/, who: 'anyone', load: () => import('./views/guest.js') },
  { pattern: /^\/today$/, who: 'staff', load: () => import('./views/today.js') },
  { pattern: /^\/calendar$/, who: 'staff', load: () => import('./views/calendar.js') },
  { pattern: /^\/availability$/, who: 'staff', load: () => import('./views/availability.js') },
  { pattern: /^\/unit$/, who: 'officer', load: () => import('./views/unit.js') },
  { pattern: /^\/admin\/users$/, who: 'admin', load: () => import('./views/admin.js').then((m) => m.users) },
  { pattern: /^\/admin\/units$/, who: 'admin', load: () => import('./views/admin.js').then((m) => m.units) },
  { pattern: /^\/admin\/audit$/, who: 'admin', load: () => import('./views/admin.js').then((m) => m.audit) },
];
