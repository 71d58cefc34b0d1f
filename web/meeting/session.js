// meeting/session.js — one participant's connection to a meeting, without any DOM: the signaling
// WebSocket (signaling/PROTOCOL.md v1) and the RTCPeerConnection to the relay.
//
// After `admitted` (or `joined` with state admitted) it opens a peer connection (max-bundle), adds
// the local tracks and sends the first `offer`; after that only the relay offers, and this side
// answers. Server offers are handled only in the `stable` signaling state, one at a time (offers
// never cross); remote ICE candidates wait until a remote description is set. Incoming tracks are
// mapped to participants through the `tracks` list of the relay's offers (by mid).
//
// A dropped WebSocket or failed media reconnects by itself with the same token (backoff 1 s … 10 s,
// at most MAX_RECONNECTS times in a row); the new socket replaces the old one on the server, which
// keeps an admitted participant admitted. Events go to onEvent(type, detail):
//   state {state, reason}   connecting | waiting | admitted | reconnecting | left | ended | removed | replaced | refused | failed
//   participants {list}      everyone else connected (participant objects)
//   me {participant_id, role}
//   streams {map}            Map participant_id → MediaStream of their forwarded tracks
//   quality {level, rtt, loss}  good | fair | poor (every QUALITY_MS while media is up)
//   error {code, message}    a non-fatal signaling error

import { fixRemoteOffer } from './sdp.js';

const MAX_RECONNECTS = 12;
const MAX_NEGOTIATION_RESTARTS = 3;
const QUALITY_MS = 3000;
const JOINED_TIMEOUT_MS = 15000;
const FINAL_CLOSES = new Set([1000, 4001, 4003, 4004, 4006, 4009]);

// localStorage 'samtal.debug' = '1' logs the signaling traffic (types and states, no SDP bodies).
// '2' also logs the SDP bodies.
function debugLevel() {
  try { return Number(localStorage.getItem('samtal.debug') || 0); } catch { return 0; }
}
function debugOn() {
  return debugLevel() > 0;
}
function debug(...args) {
  if (debugOn()) console.info('samtal:', ...args);
}

export class MeetingSession {
  constructor({ wsUrl, token, meetingId, iceServers, stream, onEvent, refreshToken }) {
    this.wsUrl = wsUrl;
    this.token = token;
    this.meetingId = meetingId;
    this.iceServers = Array.isArray(iceServers) ? iceServers : [];
    this.stream = stream || null;
    this.onEvent = onEvent || (() => {});
    this.refreshToken = refreshToken || null;
    this.ws = null;
    this.pc = null;
    this.participants = new Map();
    this.trackOwners = new Map(); // mid → {participant_id, kind}
    this.streams = new Map();     // participant_id → MediaStream
    this.pendingOffers = [];
    this.pendingRemoteIce = [];
    this.pendingLocalIce = [];
    this.offerSent = false;
    this.busy = false;
    this.state = 'idle';
    this.done = false;
    this.attempts = 0;
    this.reconnectTimer = null;
    this.qualityTimer = null;
    this.lastStats = null;
    this.videoSender = null;
    this.audioSender = null;
    this.muted = { audio: false, video: false };
    // Debug mode only: a handle for the console and the browser tests (drop the socket etc.).
    if (debugOn()) window.samtalSession = this;
  }

  emit(type, detail) {
    try { this.onEvent(type, detail); } catch (e) { console.error(e); }
  }

  setState(state, reason) {
    this.state = state;
    this.emit('state', { state, reason });
  }

  start() {
    this.connect();
  }

  // ---- WebSocket ----
  connect() {
    if (this.done) return;
    this.setState(this.attempts ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.wsUrl);
    } catch (e) {
      this.scheduleReconnect('socket');
      return;
    }

    this.ws = ws;
    ws.onopen = () => {
      const msg = { type: 'join', token: this.token };
      if (this.meetingId !== undefined && this.meetingId !== null) msg.meeting_id = Number(this.meetingId);
      ws.send(JSON.stringify(msg));
      this.joinedTimer = setTimeout(() => { if (ws === this.ws && this.state !== 'waiting' && this.state !== 'admitted') ws.close(); }, JOINED_TIMEOUT_MS);
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      debug('←', msg.type, msg.state || msg.event || msg.code || '', msg.tracks ? JSON.stringify(msg.tracks) : '', msg.message || '');
      if (msg.sdp && debugLevel() > 1) debug(msg.sdp);
      this.handle(msg);
    };
    ws.onclose = (ev) => {
      clearTimeout(this.joinedTimer);
      if (ws !== this.ws) return;
      this.onClose(ev.code, ev.reason);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      debug('→', obj.type, obj.type === 'ice' ? obj.candidate : '');
      if (obj.sdp && debugLevel() > 1) debug(obj.sdp);
      this.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  onClose(code, reason) {
    debug('closed', code, reason);
    this.closeMedia();
    if (this.done) return;
    if (code === 4005) {
      this.finish('replaced', reason);
      return;
    }
    if (FINAL_CLOSES.has(code)) {
      if (this.state !== 'ended' && this.state !== 'removed' && this.state !== 'refused') {
        this.finish(code === 1000 ? 'left' : code === 4006 ? 'ended' : code === 4004 ? 'removed' : 'refused', reason);
      } else {
        this.done = true;
      }
      return;
    }
    this.scheduleReconnect(reason || String(code));
  }

  scheduleReconnect(reason) {
    if (this.done) return;
    this.attempts += 1;
    if (this.attempts > MAX_RECONNECTS) {
      this.finish('failed', reason);
      return;
    }
    this.setState('reconnecting', reason);
    const delay = Math.min(10000, 1000 * 2 ** Math.min(this.attempts - 1, 4));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(async () => {
      if (this.refreshToken) {
        try { this.token = (await this.refreshToken()) || this.token; } catch { /* keep the old token */ }
      }
      this.connect();
    }, delay);
  }

  finish(state, reason) {
    this.done = true;
    clearTimeout(this.reconnectTimer);
    this.closeMedia();
    this.setState(state, reason);
    if (this.ws && this.ws.readyState <= 1) this.ws.close(1000);
  }

  // ---- messages ----
  handle(msg) {
    switch (msg.type) {
      case 'joined': return this.onJoined(msg);
      case 'admitted': return this.onAdmitted();
      case 'presence': return this.onPresence(msg);
      case 'answer': return this.serial(() => this.onAnswer(msg));
      case 'offer': this.pendingOffers.push(msg); return this.serial(() => this.drainOffers());
      case 'ice': return this.onRemoteIce(msg);
      case 'media_failed': return this.restartMedia();
      case 'removed': return this.finish('removed', msg.reason);
      case 'ended': return this.finish('ended', msg.reason);
      case 'error': return this.onError(msg);
      case 'pong': return undefined;
      default: return undefined;
    }
  }

  onJoined(msg) {
    this.attempts = 0;
    this.me = { participant_id: msg.participant_id, role: msg.role };
    this.emit('me', this.me);
    this.participants = new Map((msg.participants || []).map((p) => [p.participant_id, p]));
    this.emitParticipants();
    if (msg.state === 'admitted') this.onAdmitted();
    else this.setState('waiting');
  }

  onAdmitted() {
    this.setState('admitted');
    this.startMedia();
  }

  onPresence(msg) {
    const p = msg.participant;
    if (!p || !p.participant_id) return;
    if (msg.event === 'left' || msg.event === 'removed') {
      this.participants.delete(p.participant_id);
      this.streams.delete(p.participant_id);
      this.emit('streams', { map: this.streams });
    } else {
      this.participants.set(p.participant_id, p);
    }
    this.emitParticipants(msg.event, p);
  }

  emitParticipants(event, who) {
    this.emit('participants', { list: [...this.participants.values()], event, who });
  }

  onError(msg) {
    if (msg.fatal) {
      if (msg.code === 'token_expired' || msg.code === 'meeting_closed' || msg.code === 'token_invalid' ||
          msg.code === 'wrong_meeting' || msg.code === 'room_full') {
        this.finish('refused', msg.code);
      }
      return;
    }
    this.emit('error', { code: msg.code, message: msg.message });
  }

  // Runs fn after every earlier negotiation step (one at a time).
  serial(fn) {
    this.chain = (this.chain || Promise.resolve()).then(fn).catch((e) => {
      console.error('samtal negotiation', e);
      this.emit('error', { code: 'negotiation', message: String(e && e.message) });
      this.restartAfterNegotiationError();
    });
    return this.chain;
  }

  // ---- media ----
  async startMedia() {
    this.closeMedia();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    this.offerSent = false;
    this.pendingLocalIce = [];
    this.pendingRemoteIce = [];
    this.pendingOffers = [];
    this.trackOwners = new Map();
    this.streams = new Map();
    this.emit('streams', { map: this.streams });
    pc.onicecandidate = (e) => this.onLocalIce(pc, e.candidate);
    pc.onconnectionstatechange = () => this.onConnState(pc);
    pc.ontrack = () => this.serial(() => this.mapTracks());
    const stream = this.stream;
    const audio = stream && stream.getAudioTracks()[0];
    const video = stream && stream.getVideoTracks()[0];
    if (audio) this.audioSender = pc.addTransceiver(audio, { direction: 'sendonly', streams: [stream] }).sender;
    if (video) this.videoSender = pc.addTransceiver(video, { direction: 'sendonly', streams: [stream] }).sender;
    if (!audio && !video) pc.addTransceiver('audio', { direction: 'recvonly' });
    await this.serial(async () => {
      if (pc !== this.pc) return;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      this.send({ type: 'offer', sdp: pc.localDescription.sdp });
      this.offerSent = true;
      for (const c of this.pendingLocalIce) this.send(c);
      this.pendingLocalIce = [];
    });
    this.startQuality();
  }

  onLocalIce(pc, cand) {
    if (pc !== this.pc) return;
    const msg = cand
      ? { type: 'ice', candidate: cand.candidate, sdpMLineIndex: cand.sdpMLineIndex ?? 0, sdpMid: cand.sdpMid || undefined }
      : { type: 'ice', candidate: '', sdpMLineIndex: 0 };
    if (msg.candidate === '' && cand) return; // Chrome's per-m-line end marker; the null event ends
    if (this.offerSent) this.send(msg);
    else this.pendingLocalIce.push(msg);
  }

  onConnState(pc) {
    if (pc !== this.pc) return;
    debug('pc', pc.connectionState, pc.iceConnectionState);
    if (pc.connectionState === 'failed') {
      // Reconnect the socket: the new one replaces the old and we offer again.
      this.closeMedia();
      this.setState('reconnecting', 'media');
      this.attempts += 1;
      if (this.attempts > MAX_RECONNECTS) this.finish('failed', 'media');
      else this.connect();
    }
  }

  async onAnswer(msg) {
    const pc = this.pc;
    if (!pc || pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    await this.flushRemoteIce();
    await this.drainOffers();
  }

  async drainOffers() {
    const pc = this.pc;
    if (!pc) { this.pendingOffers = []; return; }
    while (this.pendingOffers.length && pc.signalingState === 'stable' && this.offerSent) {
      const msg = this.pendingOffers.shift();
      for (const tr of msg.tracks || []) this.trackOwners.set(String(tr.mid), tr);
      const listed = new Set((msg.tracks || []).map((tr) => String(tr.mid)));
      for (const mid of [...this.trackOwners.keys()]) if (!listed.has(mid)) this.trackOwners.delete(mid);
      await pc.setRemoteDescription({ type: 'offer', sdp: fixRemoteOffer(msg.sdp) });
      await this.flushRemoteIce();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.send({ type: 'answer', sdp: pc.localDescription.sdp });
      this.mapTracks();
    }
  }

  // Rebuilds participant_id → MediaStream from the transceivers and the latest tracks list. A
  // participant's stream object is kept while its set of tracks is unchanged (no video restart).
  mapTracks() {
    const pc = this.pc;
    if (!pc) return;
    const wanted = new Map();
    for (const tr of pc.getTransceivers()) {
      const owner = tr.mid !== null ? this.trackOwners.get(String(tr.mid)) : null;
      if (!owner || !tr.receiver || !tr.receiver.track) continue;
      if (tr.currentDirection === 'inactive' || tr.currentDirection === 'sendonly') continue;
      if (!wanted.has(owner.participant_id)) wanted.set(owner.participant_id, []);
      wanted.get(owner.participant_id).push(tr.receiver.track);
    }
    const next = new Map();
    for (const [pid, tracks] of wanted) {
      const old = this.streams.get(pid);
      const same = old && old.getTracks().length === tracks.length && tracks.every((t) => old.getTrackById(t.id));
      next.set(pid, same ? old : new MediaStream(tracks));
    }
    this.streams = next;
    this.emit('streams', { map: this.streams });
  }

  onRemoteIce(msg) {
    this.pendingRemoteIce.push(msg);
    this.serial(() => this.flushRemoteIce());
  }

  async flushRemoteIce() {
    const pc = this.pc;
    if (!pc || !pc.remoteDescription) return;
    const list = this.pendingRemoteIce;
    this.pendingRemoteIce = [];
    for (const m of list) {
      try {
        if (m.candidate) {
          await pc.addIceCandidate({ candidate: m.candidate.replace(/^a=/, ''), sdpMLineIndex: m.sdpMLineIndex ?? 0, sdpMid: m.sdpMid });
        } else {
          await pc.addIceCandidate(null);
        }
      } catch (e) { console.warn('samtal: candidate refused', e); }
    }
  }

  // The relay waits for our answer before it offers again; after a failed negotiation the only
  // way on is a fresh media session: a new socket (replacing this one) and a new first offer.
  restartAfterNegotiationError() {
    if (this.done || !this.pc) return;
    this.negotiationRestarts = (this.negotiationRestarts || 0) + 1;
    if (this.negotiationRestarts > MAX_NEGOTIATION_RESTARTS) return;
    this.closeMedia();
    this.setState('reconnecting', 'negotiation');
    this.connect();
  }

  restartMedia() {
    if (this.state === 'admitted') this.startMedia();
  }

  closeMedia() {
    clearInterval(this.qualityTimer);
    this.qualityTimer = null;
    this.lastStats = null;
    if (this.pc) {
      this.pc.onicecandidate = null;
      this.pc.onconnectionstatechange = null;
      this.pc.ontrack = null;
      try { this.pc.close(); } catch { /* closed */ }
      this.pc = null;
    }
    this.audioSender = null;
    this.videoSender = null;
    if (this.streams.size) {
      this.streams = new Map();
      this.emit('streams', { map: this.streams });
    }
  }

  // ---- quality ----
  startQuality() {
    clearInterval(this.qualityTimer);
    this.qualityTimer = setInterval(() => this.sampleQuality(), QUALITY_MS);
  }

  async sampleQuality() {
    const pc = this.pc;
    if (!pc) return;
    let report;
    try { report = await pc.getStats(); } catch { return; }
    let rtt = null;
    let lost = 0;
    let received = 0;
    let outBitrate = null;
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        if (typeof s.currentRoundTripTime === 'number') rtt = s.currentRoundTripTime;
        if (typeof s.availableOutgoingBitrate === 'number') outBitrate = s.availableOutgoingBitrate;
      }
      if (s.type === 'inbound-rtp') {
        lost += s.packetsLost || 0;
        received += s.packetsReceived || 0;
      }
    });
    const prev = this.lastStats;
    this.lastStats = { lost, received };
    let loss = 0;
    if (prev) {
      const dl = Math.max(0, lost - prev.lost);
      const dr = Math.max(0, received - prev.received);
      loss = dl + dr > 0 ? (100 * dl) / (dl + dr) : 0;
    }
    let level = 'good';
    if ((rtt !== null && rtt > 0.6) || loss > 8 || (outBitrate !== null && outBitrate < 100000)) level = 'poor';
    else if ((rtt !== null && rtt > 0.3) || loss > 2 || (outBitrate !== null && outBitrate < 250000)) level = 'fair';
    if (pc.connectionState !== 'connected') level = pc.connectionState === 'connecting' || pc.connectionState === 'new' ? 'connecting' : 'poor';
    this.emit('quality', { level, rtt, loss });
  }

  // ---- controls ----
  admit(pid) { this.send({ type: 'admit', participant_id: pid }); }
  remove(pid) { this.send({ type: 'remove', participant_id: pid }); }
  end() { this.send({ type: 'end', reason: 'ended by staff' }); }

  setMuted(kind, muted) {
    this.muted[kind] = muted;
    const tracks = this.stream ? (kind === 'audio' ? this.stream.getAudioTracks() : this.stream.getVideoTracks()) : [];
    for (const tr of tracks) tr.enabled = !muted;
    this.send({ type: 'mute', kind, muted });
  }

  // Audio-only: stop sending video entirely (no bytes), and tell the others.
  async setAudioOnly(on) {
    const video = this.stream && this.stream.getVideoTracks()[0];
    if (this.videoSender) {
      try { await this.videoSender.replaceTrack(on ? null : video || null); } catch (e) { console.warn(e); }
    }
    if (video) video.enabled = !on && !this.muted.video;
    this.send({ type: 'mute', kind: 'video', muted: on || this.muted.video });
  }

  leave() {
    if (this.done) return;
    this.send({ type: 'leave' });
    this.finish('left');
  }

  close() {
    if (!this.done) {
      this.send({ type: 'leave' });
      this.done = true;
    }
    clearTimeout(this.reconnectTimer);
    this.closeMedia();
    if (this.ws && this.ws.readyState <= 1) this.ws.close(1000);
  }
}
