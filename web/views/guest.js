// views/guest.js — a guest (interpreter, relative) opens /join/{token} without an account: what is
// about to happen, the camera and microphone check, Join, then the meeting room and its waiting room.

import { t } from '../i18n.js';
import { h, clear, add } from '../dom.js';
import { deviceCheck } from '../meeting/devices.js';
import { openRoom } from '../meeting/room.js';
import * as api from '../api.js';
import { wsUrlFrom, joinErrorText } from './meet.js';

export function render(ctx) {
  const token = ctx.params[0];
  ctx.setTitle(t('guest.title'));
  const area = h('div', { class: 'meet-area' });
  add(ctx.main, h('h1', {}, t('guest.title')), h('p', { class: 'lead' }, t('guest.lead')),
    h('p', {}, t('guest.privacy')), area);
  let room = null;
  let check = null;

  function drawCheck() {
    clear(area);
    check = deviceCheck();
    const joinBtn = h('button', { type: 'button', class: 'btn primary big' }, t('room.join'));
    const msg = h('div', { class: 'form-message', role: 'alert' });
    joinBtn.addEventListener('click', async () => {
      msg.textContent = '';
      joinBtn.disabled = true;
      // The token is the capability: the server checks it and says where and how to connect
      // (the WebSocket URL and the ICE servers, with TURN credentials when configured).
      let info;
      try {
        info = await api.post('/meetings/guest', { token });
      } catch (e) {
        msg.textContent = e.status === 404 ? t('guest.invalid') : joinErrorText(e);
        joinBtn.disabled = false;
        return;
      }
      await check.ready;
      const stream = check.take();
      room = openRoom(area, {
        wsUrl: wsUrlFrom(info.ws_url || '/ws'),
        token,
        meetingId: info.meeting_id,
        iceServers: info.ice_servers || [],
        stream,
        staff: false,
        onExit: (state, reason, statusEl) => {
          const again = h('button', { type: 'button', class: 'btn primary', onclick: () => { if (room) room(); room = null; drawCheck(); } },
            t('meet.again'));
          statusEl.after(h('div', { class: 'actions exit-actions' }, ['left', 'failed', 'replaced'].includes(state) ? again : null));
          statusEl.setAttribute('tabindex', '-1');
          statusEl.focus();
        },
      });
    });
    add(area, check.el, h('div', { class: 'actions' }, joinBtn), msg);
  }

  drawCheck();
  return () => {
    if (room) room();
    if (check) check.stop();
  };
}
