// meeting/devices.js — the camera and microphone check before joining: a preview of the camera,
// a microphone level meter, a choice of camera and microphone, and clear messages when access is
// denied or no device exists. Returns the chosen MediaStream (possibly audio-only or none).

import { t } from '../i18n.js';
import { h, clear, field, add } from '../dom.js';

function mediaError(e) {
  const name = e && e.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError') return 'busy';
  return 'other';
}

// deviceCheck() → {el, stream(), stop(), ready: Promise}
export function deviceCheck() {
  let stream = null;
  let meterTimer = null;
  let audioCtx = null;
  const video = h('video', { class: 'preview', autoplay: true, playsinline: true, muted: true,
    'aria-label': t('dev.preview') });
  const meter = h('meter', { min: 0, max: 1, value: 0, id: 'mic-meter' });
  const cam = field(t('dev.camera'), { kind: 'select', name: 'camera' });
  const mic = field(t('dev.mic'), { kind: 'select', name: 'mic' });
  const msg = h('div', { class: 'form-message', role: 'alert' });
  const el = h('section', { class: 'card device-check', 'aria-labelledby': 'dev-h' },
    h('h2', { id: 'dev-h' }, t('dev.title')),
    h('p', {}, t('dev.lead')),
    h('div', { class: 'preview-wrap' }, video),
    h('div', { class: 'field' }, h('label', { for: 'mic-meter' }, t('dev.level')), meter),
    cam.wrap, mic.wrap, msg);

  function stopTracks() {
    clearInterval(meterTimer);
    meterTimer = null;
    if (audioCtx) { audioCtx.close().catch(() => {}); audioCtx = null; }
    if (stream) for (const tr of stream.getTracks()) tr.stop();
    stream = null;
  }

  function startMeter() {
    const track = stream && stream.getAudioTracks()[0];
    if (!track || !window.AudioContext) return;
    audioCtx = new AudioContext();
    const src = audioCtx.createMediaStreamSource(new MediaStream([track]));
    const an = audioCtx.createAnalyser();
    an.fftSize = 512;
    src.connect(an);
    const buf = new Uint8Array(an.fftSize);
    meterTimer = setInterval(() => {
      an.getByteTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v - 128) / 128);
      meter.value = Math.min(1, peak * 2);
    }, 250);
  }

  async function fillDevices() {
    let devices = [];
    try { devices = await navigator.mediaDevices.enumerateDevices(); } catch { return; }
    const fill = (f, kind, current) => {
      const list = devices.filter((d) => d.kind === kind);
      clear(f.input);
      list.forEach((d, i) => add(f.input, h('option', { value: d.deviceId, selected: d.deviceId === current },
        d.label || t(kind === 'videoinput' ? 'dev.camera.n' : 'dev.mic.n', { n: i + 1 }))));
      if (!list.length) add(f.input, h('option', { value: '' }, t('dev.none')));
      f.input.disabled = !list.length;
    };
    const vt = stream && stream.getVideoTracks()[0];
    const at = stream && stream.getAudioTracks()[0];
    fill(cam, 'videoinput', vt && vt.getSettings().deviceId);
    fill(mic, 'audioinput', at && at.getSettings().deviceId);
  }

  async function open(camId, micId) {
    stopTracks();
    msg.textContent = '';
    msg.className = 'form-message';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      msg.textContent = t('dev.err.unsupported');
      msg.className = 'form-message error';
      return;
    }
    const videoC = { width: { ideal: 640 }, height: { ideal: 360 }, deviceId: camId ? { exact: camId } : undefined };
    const audioC = { echoCancellation: true, noiseSuppression: true, deviceId: micId ? { exact: micId } : undefined };
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: videoC, audio: audioC });
    } catch (e) {
      const kind = mediaError(e);
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: audioC });
        msg.textContent = t(kind === 'denied' ? 'dev.err.camdenied' : 'dev.err.nocam');
        msg.className = 'form-message warn';
      } catch (e2) {
        stream = null;
        msg.textContent = t('dev.err.' + mediaError(e2));
        msg.className = 'form-message error';
      }
    }
    video.srcObject = stream;
    video.hidden = !(stream && stream.getVideoTracks().length);
    startMeter();
    await fillDevices();
  }

  cam.input.addEventListener('change', () => open(cam.input.value, mic.input.value));
  mic.input.addEventListener('change', () => open(cam.input.value, mic.input.value));
  const ready = open();
  return {
    el,
    ready,
    stream: () => stream,
    // Hands the stream over (the check no longer stops it).
    take() {
      clearInterval(meterTimer);
      meterTimer = null;
      if (audioCtx) { audioCtx.close().catch(() => {}); audioCtx = null; }
      const s = stream;
      stream = null;
      video.srcObject = null;
      return s;
    },
    stop: stopTracks,
  };
}
