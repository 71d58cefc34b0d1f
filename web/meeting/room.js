// meeting/room.js — the meeting room on screen for any participant: remote video large, self view
// small, mute, camera off, audio only, Leave, a connection-quality hint, the waiting-room text and
// the messages for drops, reconnects, refusals and the end. Staff get the side panel
// (meeting/staffpanel.js) through opts.panel. Drives a MeetingSession and nothing else.

import { t } from '../i18n.js';
import { h, clear, announce, add } from '../dom.js';
import { MeetingSession } from './session.js';

function toggle(label, onChange) {
  const b = h('button', { type: 'button', class: 'btn toggle', 'aria-pressed': 'false' }, label);
  b.addEventListener('click', () => {
    const on = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', String(on));
    onChange(on);
  });
  return b;
}

// openRoom(container, opts) → cleanup(). opts: {wsUrl, token, meetingId, iceServers, stream, staff,
//   panel(room) → element, onExit(state), refreshToken}
export function openRoom(container, opts) {
  const stream = opts.stream;
  const statusEl = h('p', { class: 'room-status', role: 'status', 'aria-live': 'polite' }, t('room.connecting'));
  const remotes = h('div', { class: 'remotes', 'aria-label': t('room.others'), role: 'region' });
  const selfView = h('video', { class: 'self', autoplay: true, playsinline: true, muted: true, 'aria-label': t('room.self') });
  selfView.srcObject = stream || null;
  selfView.hidden = !(stream && stream.getVideoTracks().length);
  const quality = h('p', { class: 'quality', 'aria-live': 'polite' });
  const hint = h('p', { class: 'form-message', hidden: true });
  const names = new Map();
  let lastLevel = null;
  let poorCount = 0;

  const hasAudio = !!(stream && stream.getAudioTracks().length);
  const hasVideo = !!(stream && stream.getVideoTracks().length);
  const muteBtn = toggle(t('room.mute'), (on) => { session.setMuted('audio', on); announce(on ? t('room.muted') : t('room.unmuted')); });
  const camBtn = toggle(t('room.camoff'), (on) => { session.setMuted('video', on); selfView.classList.toggle('off', on); announce(on ? t('room.cam.off') : t('room.cam.on')); });
  const audioOnlyBtn = toggle(t('room.audioonly'), (on) => setAudioOnly(on));
  muteBtn.disabled = !hasAudio;
  camBtn.disabled = !hasVideo;
  audioOnlyBtn.disabled = !hasVideo;
  const leaveBtn = h('button', { type: 'button', class: 'btn danger', onclick: () => session.leave() }, t('room.leave'));
  const controls = h('div', { class: 'controls', role: 'group', 'aria-label': t('room.controls') },
    muteBtn, camBtn, audioOnlyBtn, leaveBtn);
  const placeholder = h('p', { class: 'placeholder' }, t('room.placeholder'));
  add(remotes, placeholder);
  const soundBtn = h('button', { type: 'button', class: 'btn primary', hidden: true, onclick: () => {
    for (const v of remotes.querySelectorAll('video')) { v.muted = false; v.play().catch(() => {}); }
    soundBtn.hidden = true;
  } }, t('room.sound'));
  const stage = h('div', { class: 'stage' }, remotes, selfView);
  const room = h('section', { class: 'room', 'aria-labelledby': 'room-h' },
    h('h2', { id: 'room-h', class: 'visually-hidden' }, t('room.title')),
    statusEl, stage, soundBtn, quality, hint, controls);
  const layout = h('div', { class: opts.panel ? 'room-layout with-panel' : 'room-layout' }, room);
  add(clear(container), layout);

  async function setAudioOnly(on) {
    await session.setAudioOnly(on);
    selfView.classList.toggle('off', on);
    remotes.classList.toggle('audio-only', on);
    for (const v of remotes.querySelectorAll('video')) {
      for (const tr of (v.srcObject ? v.srcObject.getVideoTracks() : [])) tr.enabled = !on;
    }
    announce(on ? t('room.audioonly.on') : t('room.audioonly.off'));
  }

  function tileFor(pid) {
    let tile = remotes.querySelector(`[data-participant-id="${CSS.escape(pid)}"]`);
    if (!tile) {
      const v = h('video', { autoplay: true, playsinline: true });
      tile = h('figure', { class: 'tile', dataset: { participantId: pid } }, v, h('figcaption', {}));
      add(remotes, tile);
    }
    return tile;
  }

  function captionFor(tile, pid) {
    const p = names.get(pid);
    const cap = tile.querySelector('figcaption');
    let text = p ? p.name : pid;
    if (p && p.audio_muted) text += ` (${t('room.p.muted')})`;
    if (p && p.video_muted) text += ` (${t('room.p.camoff')})`;
    cap.textContent = text;
    tile.classList.toggle('video-off', !!(p && p.video_muted));
    tile.querySelector('video').setAttribute('aria-label', t('room.video.of', { name: p ? p.name : pid }));
  }

  // Autoplay with sound may be refused (no user gesture yet): play muted and offer a button.
  function play(v) {
    v.play().catch(() => {
      v.muted = true;
      v.play().catch(() => {});
      soundBtn.hidden = false;
    });
  }

  function showStreams(map) {
    for (const tile of [...remotes.querySelectorAll('.tile')]) {
      if (!map.has(tile.dataset.participantId)) tile.remove();
    }
    for (const [pid, s] of map) {
      const tile = tileFor(pid);
      const v = tile.querySelector('video');
      if (v.srcObject !== s) v.srcObject = s;
      play(v);
      captionFor(tile, pid);
    }
    placeholder.hidden = map.size > 0;
  }

  function stateText(state, reason) {
    switch (state) {
      case 'connecting': return t('room.connecting');
      case 'waiting': return opts.staff ? t('room.waiting.staff') : t('room.waiting');
      case 'admitted': return t('room.in');
      case 'reconnecting': return t('room.reconnecting');
      case 'left': return t('room.left');
      case 'ended': return t('room.ended');
      case 'removed': return t('room.removed');
      case 'replaced': return t('room.replaced');
      case 'refused':
        if (reason === 'token_expired') return t('room.refused.time');
        if (reason === 'room_full') return t('room.refused.full');
        return t('room.refused');
      case 'failed': return t('room.failed');
      default: return '';
    }
  }

  function onState({ state, reason }) {
    statusEl.textContent = stateText(state, reason);
    room.dataset.state = state;
    const over = ['left', 'ended', 'removed', 'replaced', 'refused', 'failed'].includes(state);
    if (state !== 'admitted') quality.textContent = '';
    if (over) {
      controls.hidden = true;
      stage.hidden = true;
      if (stream) for (const tr of stream.getTracks()) tr.stop();
      if (opts.onExit) opts.onExit(state, reason, statusEl);
    }
  }

  function onQuality({ level }) {
    if (level !== lastLevel) {
      lastLevel = level;
      quality.textContent = t('room.quality', { level: t('room.q.' + level) });
      quality.dataset.level = level;
    }
    poorCount = level === 'poor' ? poorCount + 1 : 0;
    if (poorCount === 3 && hasVideo && audioOnlyBtn.getAttribute('aria-pressed') !== 'true') {
      hint.hidden = false;
      hint.className = 'form-message warn';
      hint.textContent = t('room.suggest.audioonly');
    } else if (level === 'good') {
      hint.hidden = true;
    }
  }

  const session = new MeetingSession({
    wsUrl: opts.wsUrl,
    token: opts.token,
    meetingId: opts.meetingId,
    iceServers: opts.iceServers,
    stream,
    refreshToken: opts.refreshToken,
    onEvent: (type, d) => {
      if (type === 'state') onState(d);
      else if (type === 'streams') showStreams(d.map);
      else if (type === 'participants') {
        names.clear();
        for (const p of d.list) names.set(p.participant_id, p);
        for (const tile of remotes.querySelectorAll('.tile')) captionFor(tile, tile.dataset.participantId);
        if (panel && panel.update) panel.update(d);
      } else if (type === 'quality') onQuality(d);
      else if (type === 'error' && panel && panel.error) panel.error(d);
      if (type === 'me' && panel && panel.me) panel.me(d);
    },
  });

  const panel = opts.panel ? opts.panel(session) : null;
  if (panel) add(layout, panel.el);
  session.start();
  leaveBtn.focus();

  return () => {
    session.close();
    if (stream) for (const tr of stream.getTracks()) tr.stop();
    if (panel && panel.destroy) panel.destroy();
  };
}
