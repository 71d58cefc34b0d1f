// meet.js — a minimal browser participant for the media tests: joins with the token from the URL
// fragment (#token=…), waits to be admitted, sends the (fake) camera and microphone, answers the
// relay's offers, trickles only loopback ICE candidates (tests keep traffic on 127.0.0.1), and
// counts decoded video frames per remote participant from getStats(), using the `tracks` map of
// the relay's offers. window.samtalTest holds the results for the test driver.
'use strict';

const test = window.samtalTest = {
  state: 'starting', selfId: null, framesDecoded: 0, byParticipant: {}, errors: [], log: [],
};
const token = new URLSearchParams(location.hash.slice(1)).get('token');
let ws = null;
let pc = null;
let midToParticipant = {};
const pendingIce = [];
let queue = Promise.resolve();

function note(text) {
  test.log.push(text);
  document.getElementById('state').textContent = text;
}

function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function isLoopback(candidate) {
  const parts = candidate.split(' ');
  const address = parts.length > 4 ? parts[4] : '';
  return address === '127.0.0.1' || address === '::1';
}

async function startMedia() {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 320, height: 240, frameRate: 30 }, audio: true });
  pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] });
  for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  pc.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate && isLoopback(event.candidate.candidate)) {
      send({ type: 'ice', candidate: event.candidate.candidate,
             sdpMLineIndex: event.candidate.sdpMLineIndex || 0 });
    }
  };
  pc.ontrack = (event) => {
    if (event.track.kind !== 'video') return;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([event.track]);
    document.getElementById('videos').appendChild(video);
  };
  pc.onconnectionstatechange = () => note('connection ' + pc.connectionState);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send({ type: 'offer', sdp: offer.sdp });
  test.state = 'offered';
}

async function flushIce() {
  while (pendingIce.length > 0) {
    const c = pendingIce.shift();
    try { await pc.addIceCandidate(c); } catch (e) { test.errors.push('addIceCandidate: ' + e); }
  }
}

async function handle(m) {
  switch (m.type) {
    case 'joined':
      test.selfId = m.participant_id;
      test.state = m.state;
      note('joined as ' + m.participant_id + ' (' + m.state + ')');
      if (m.state === 'admitted') await startMedia();
      break;
    case 'admitted':
      test.state = 'admitted';
      note('admitted');
      await startMedia();
      break;
    case 'answer':
      await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      await flushIce();
      break;
    case 'offer':
      midToParticipant = {};
      for (const t of m.tracks || []) midToParticipant[t.mid] = t.participant_id;
      test.lastOffer = m.sdp;
      await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
      await flushIce();
      {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        send({ type: 'answer', sdp: answer.sdp });
      }
      break;
    case 'ice':
      if (!m.candidate) break;
      pendingIce.push({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex });
      if (pc && pc.remoteDescription) await flushIce();
      break;
    case 'error':
      test.errors.push(m.code + ': ' + m.message);
      if (test.state === 'starting') test.state = 'refused';
      break;
    case 'ended':
    case 'removed':
      test.state = m.type;
      break;
    default:
      break;
  }
}

async function poll() {
  if (!pc) return;
  const stats = await pc.getStats();
  const mids = {};
  pc.getTransceivers().forEach((t) => { if (t.receiver && t.receiver.track) mids[t.receiver.track.id] = t.mid; });
  const by = {};
  let total = 0;
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    const mid = s.mid !== undefined ? s.mid : mids[s.trackIdentifier];
    const who = midToParticipant[mid] || ('mid ' + mid);
    by[who] = (by[who] || 0) + (s.framesDecoded || 0);
    total += s.framesDecoded || 0;
  });
  test.byParticipant = by;
  test.framesDecoded = total;
  // The selected ICE pair's connectivity checks (Chrome keeps pinging it and checks consent,
  // RFC 7675): browser-meet.mjs --consent waits for one answered after the relay took the socket.
  stats.forEach((s) => {
    if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
    const p = stats.get(s.selectedCandidatePairId);
    if (p) {
      test.pair = { id: p.id, requestsSent: (p.requestsSent || 0) + (p.consentRequestsSent || 0),
                    responsesReceived: p.responsesReceived || 0, state: p.state };
    }
  });
}

function connect() {
  if (!token) { test.state = 'no token'; return; }
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  ws = new WebSocket(scheme + location.host + '/ws');
  ws.onopen = () => send({ type: 'join', token });
  ws.onmessage = (event) => {
    let m;
    try { m = JSON.parse(event.data); } catch (e) { test.errors.push('bad JSON from server'); return; }
    queue = queue.then(() => handle(m)).catch((e) => test.errors.push(String(e)));
  };
  ws.onclose = (event) => { test.closed = event.code + ' ' + event.reason; };
  setInterval(() => { poll().catch((e) => test.errors.push('getStats: ' + e)); }, 500);
}

connect();
