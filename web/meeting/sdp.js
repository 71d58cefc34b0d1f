// meeting/sdp.js — small, defensive fixes to the relay's SDP before the browser applies it.
//
// Chromium refuses a remote audio m-line that carries RTX (an `rtx/…` payload type and an
// `a=ssrc-group:FID` pair): "Failed to add remote stream ssrc … media_type: audio". GStreamer's
// webrtcbin offers exactly that when NACK is enabled on an audio transceiver. Audio RTX has no
// use in a browser, so the RTX payload types, their fmtp/rtcp-fb lines, the FID groups and the
// RTX SSRC lines are dropped from audio sections; everything else is left byte for byte.

function splitSections(sdp) {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  if (lines[lines.length - 1] === '') lines.pop();
  const sections = [[]];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push([]);
    sections[sections.length - 1].push(line);
  }
  return { eol, sections };
}

function stripAudioRtx(lines) {
  if (!lines.length || !lines[0].startsWith('m=audio')) return lines;
  const rtx = new Set();
  for (const l of lines) {
    const m = /^a=rtpmap:(\d+) rtx\//i.exec(l);
    if (m) rtx.add(m[1]);
  }
  const rtxSsrcs = new Set();
  for (const l of lines) {
    const m = /^a=ssrc-group:FID (\d+) (\d+)/.exec(l);
    if (m) rtxSsrcs.add(m[2]);
  }
  if (!rtx.size && !rtxSsrcs.size) return lines;
  const out = [];
  for (const l of lines) {
    const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ :]/.exec(l);
    if (pt && rtx.has(pt[1])) continue;
    if (l.startsWith('a=ssrc-group:FID')) continue;
    const ss = /^a=ssrc:(\d+) /.exec(l);
    if (ss && rtxSsrcs.has(ss[1])) continue;
    out.push(l);
  }
  const m = out[0].split(' ');
  const fmts = m.slice(3).filter((f) => !rtx.has(f));
  out[0] = [...m.slice(0, 3), ...fmts].join(' ');
  return out;
}

// The relay's offer made acceptable to the browser (see above). Returns the SDP unchanged when
// there is nothing to fix.
export function fixRemoteOffer(sdp) {
  if (typeof sdp !== 'string' || !sdp.includes('m=audio')) return sdp;
  const { eol, sections } = splitSections(sdp);
  return sections.map(stripAudioRtx).flat().join(eol) + eol;
}
