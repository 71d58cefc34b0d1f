// views/guest.js — a guest (interpreter, relative) opens /join/{token} without an account: what is
// about to happen, the camera and microphone check, Join, then the meeting room and its waiting room.

import { t } from '../i18n.js';
import { h, clear, add } from '../dom.js';
import { deviceCheck } from '../meeting/devices.js';
import { openRoom } from '../meeting/room.js';
import { wsUrlFrom } from './meet.js';

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
    joinBtn.addEventListener('click', async () => {
      joinBtn.disabled = true;
      await check.ready;
      const stream = check.take();
      room = openRoom(area, {
        wsUrl: wsUrlFrom('/ws'),
        token,
        iceServers: [],
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
    add(area, check.el, h('div', { class: 'actions' }, joinBtn));
  }

  drawCheck();
  return () => {
    if (room) room();
    if (check) check.stop();
  };
}
