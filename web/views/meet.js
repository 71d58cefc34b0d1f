// views/meet.js — the meeting page /meet/{booking_id} for the booking's client and staff: booking
// details, the join window (too early / too late), the camera and microphone check, then Join,
// which asks the API for a meeting token and opens the room (with the staff panel for staff).

import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, clear, fmtTime, add } from '../dom.js';
import { whenText, joinWindow, JOIN_EARLY_MIN, staffNames, personName } from './common.js';
import { deviceCheck } from '../meeting/devices.js';
import { openRoom } from '../meeting/room.js';
import { staffPanel } from '../meeting/staffpanel.js';
import { casePanel } from '../meeting/casepanel.js';
import { clientNameOf } from './today.js';

export function wsUrlFrom(url) {
  const base = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  if (!url) return `${base}/ws`;
  if (/^wss?:\/\//.test(url)) return url;
  if (/^https?:\/\//.test(url)) return url.replace(/^http/, 'ws');
  return base + (url.startsWith('/') ? url : '/' + url);
}

// The API refuses a join before the window (403, "the meeting opens at …") and after it or for
// a cancelled booking (409 conflict).
export function joinErrorText(e) {
  const c = `${e.code} ${e.message || ''}`.toLowerCase();
  if (e.status === 403 && /opens|early|not.?yet/.test(c)) return t('meet.early.short');
  if (e.status === 409 && /cancel/.test(c)) return t('meet.cancelled');
  if (e.status === 409 || /late|expired|over|closed|ended/.test(c)) return t('meet.late');
  if (e.status === 0) return t('err.network');
  return e.message || t('err.generic');
}

export async function render(ctx) {
  const id = ctx.params[0];
  ctx.setTitle(t('meet.title'));
  const booking = api.one(await api.get(`/bookings/${id}`), 'booking');
  const area = h('div', { class: 'meet-area' });
  const notice = h('div', { class: 'form-message', role: 'status' });
  const who = ctx.isStaff ? await clientNameOf(booking, new Map()) : personName(booking, await staffNames(), 'staff_id', 'staff_name');
  add(ctx.main, h('h1', {}, t('meet.title')),
    h('p', { class: 'lead' }, whenText(booking) + (who ? ` · ${who}` : '')), notice, area);

  let room = null;
  let check = null;
  let timer = null;

  function windowNotice() {
    if (booking.status !== 'booked') return { ok: false, text: t('meet.cancelled') };
    const w = joinWindow(booking);
    if (w === 'early') {
      const opens = new Date(new Date(booking.start).getTime() - JOIN_EARLY_MIN * 60000).toISOString();
      return { ok: false, text: t('meet.early', { time: fmtTime(opens), n: JOIN_EARLY_MIN }) };
    }
    if (w === 'late') return { ok: false, text: t('meet.late') };
    return { ok: true, text: ctx.isStaff ? t('meet.ready.staff') : t('meet.ready') };
  }

  function drawCheck() {
    clear(area);
    check = deviceCheck();
    const joinBtn = h('button', { type: 'button', class: 'btn primary big', id: 'join-btn' }, t('room.join'));
    const msg = h('div', { class: 'form-message', role: 'alert' });
    const refresh = () => {
      const n = windowNotice();
      notice.textContent = n.text;
      notice.className = 'form-message ' + (n.ok ? 'ok' : 'warn');
      joinBtn.disabled = !n.ok;
      return n.ok;
    };
    refresh();
    clearInterval(timer);
    timer = setInterval(refresh, 15000);
    joinBtn.addEventListener('click', async () => {
      msg.textContent = '';
      joinBtn.disabled = true;
      let j;
      try {
        j = await api.post(`/bookings/${id}/join`, {});
      } catch (e) {
        msg.textContent = joinErrorText(e);
        joinBtn.disabled = false;
        return;
      }
      await check.ready;
      const stream = check.take();
      clearInterval(timer);
      startRoom(j, stream);
    });
    add(area, check.el, h('div', { class: 'actions' }, joinBtn), msg);
    // Staff can read the case (and write a note) before the meeting opens.
    if (ctx.isStaff) add(area, casePanel(booking).el);
  }

  function startRoom(j, stream) {
    notice.textContent = '';
    notice.className = 'form-message';
    room = openRoom(area, {
      wsUrl: wsUrlFrom(j.ws_url),
      token: j.token,
      meetingId: j.meeting_id ?? Number(id),
      iceServers: j.ice_servers,
      stream,
      staff: ctx.isStaff,
      panel: ctx.isStaff ? staffPanel(booking) : null,
      refreshToken: async () => (await api.post(`/bookings/${id}/join`, {})).token,
      onExit: (state, reason, statusEl) => exitActions(state, statusEl),
    });
  }

  function exitActions(state, statusEl) {
    const again = h('button', { type: 'button', class: 'btn primary', onclick: () => { if (room) room(); room = null; drawCheck(); } },
      t('meet.again'));
    const back = h('a', { class: 'btn', href: ctx.isStaff ? '/today' : '/bookings' }, t(ctx.isStaff ? 'nav.today' : 'nav.mybookings'));
    const box = h('div', { class: 'actions exit-actions' }, ['left', 'failed', 'replaced'].includes(state) ? again : null, back);
    statusEl.after(box);
    statusEl.setAttribute('tabindex', '-1');
    statusEl.focus();
  }

  drawCheck();
  return () => {
    clearInterval(timer);
    if (room) room();
    if (check) check.stop();
  };
}
