// units.mjs — the web app's pure modules tested in node without a browser: RFC 3339 with the
// Stockholm offset (both sides of DST), week arithmetic, the string tables (same keys in both
// languages, CONTRACT's English names, placeholders), the join window, API answer unwrapping and
// the WebSocket URL. Runs with TZ=Europe/Stockholm (set by meson's test_env).

import assert from 'node:assert/strict';
import { test, run } from './lib/tap.mjs';

globalThis.location = { protocol: 'http:', host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', search: '' };
globalThis.sessionStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

const web = new URL('../../web/', import.meta.url);
const { rfc3339, isoDate, mondayOf, addDays, localInputToRfc3339 } = await import(new URL('dom.js', web));
const { strings } = await import(new URL('strings.js', web));
const { t, lang } = await import(new URL('i18n.js', web));
const { joinWindow } = await import(new URL('views/common.js', web));
const { list, one, qs } = await import(new URL('api.js', web));
const { fixRemoteOffer } = await import(new URL('meeting/sdp.js', web));

test('rfc3339 carries the local offset in winter and summer (TZ=Europe/Stockholm)', () => {
  assert.equal(process.env.TZ, 'Europe/Stockholm');
  assert.equal(rfc3339(new Date(2026, 11, 1, 9, 0, 0)), '2026-12-01T09:00:00+01:00');
  assert.equal(rfc3339(new Date(2026, 6, 1, 9, 5, 7)), '2026-07-01T09:05:07+02:00');
  assert.equal(localInputToRfc3339('2026-03-29T03:30'), '2026-03-29T03:30:00+02:00');
  assert.equal(localInputToRfc3339(''), '');
  assert.equal(localInputToRfc3339('nonsense'), '');
});

test('week arithmetic: Monday of the week, days across DST', () => {
  assert.equal(isoDate(mondayOf(new Date(2026, 10, 22))), '2026-11-16'); // a Sunday
  assert.equal(isoDate(mondayOf(new Date(2026, 10, 23))), '2026-11-23'); // a Monday
  assert.equal(isoDate(addDays(new Date(2026, 9, 24), 7)), '2026-10-31'); // over the autumn change
  assert.equal(isoDate(addDays(new Date(2026, 2, 28), 1)), '2026-03-29');
});

test('string tables: same keys in Swedish and English, no empty strings, same placeholders', () => {
  const sv = Object.keys(strings.sv).sort();
  const en = Object.keys(strings.en).sort();
  assert.deepEqual(sv, en);
  for (const k of sv) {
    assert.ok(strings.sv[k] && strings.en[k], `non-empty ${k}`);
    const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
    assert.equal(ph(strings.sv[k]), ph(strings.en[k]), `placeholders of ${k}`);
  }
});

test('CONTRACT names in English: Book, Join, Leave, Admit; Swedish is the default', () => {
  assert.equal(lang(), 'sv');
  assert.equal(strings.en['book.book'], 'Book');
  assert.equal(strings.en['room.join'], 'Join');
  assert.equal(strings.en['room.leave'], 'Leave');
  assert.equal(strings.en['room.admit'], 'Admit');
  assert.equal(t('auth.pwhint', { n: 8 }), 'Minst 8 tecken.');
  assert.equal(t('slots.week', { from: 'a' }), 'Vecka a – {to}');
});

test('join window: 15 minutes before the start until 30 minutes after the end', () => {
  const b = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T09:30:00+01:00' };
  const at = (s) => new Date(s).getTime();
  assert.equal(joinWindow(b, at('2026-12-01T08:44:59+01:00')), 'early');
  assert.equal(joinWindow(b, at('2026-12-01T08:45:00+01:00')), 'open');
  assert.equal(joinWindow(b, at('2026-12-01T10:00:00+01:00')), 'open');
  assert.equal(joinWindow(b, at('2026-12-01T10:00:01+01:00')), 'late');
});

test('API answers: bare or wrapped lists and objects; query strings skip empty values', () => {
  assert.deepEqual(list([1, 2], 'x'), [1, 2]);
  assert.deepEqual(list({ bookings: [3] }, 'bookings'), [3]);
  assert.deepEqual(list({ other: [4] }, 'bookings'), [4]);
  assert.deepEqual(list(null, 'x'), []);
  assert.deepEqual(one({ booking: { id: 1 } }, 'booking'), { id: 1 });
  assert.deepEqual(one({ id: 2 }, 'booking'), { id: 2 });
  assert.equal(qs({ a: 1, b: '', c: undefined, d: 'x y' }), '?a=1&d=x+y');
  assert.equal(qs({}), '');
});

test('WebSocket URL: absolute ws(s) kept, http(s) mapped, a path made absolute on this host', async () => {
  const { wsUrlFrom } = await import(new URL('views/meet.js', web));
  assert.equal(wsUrlFrom('ws://h:1/ws'), 'ws://h:1/ws');
  assert.equal(wsUrlFrom('https://h/ws'), 'wss://h/ws');
  assert.equal(wsUrlFrom('/ws'), 'ws://127.0.0.1:8080/ws');
  assert.equal(wsUrlFrom(''), 'ws://127.0.0.1:8080/ws');
});

test('relay offers: RTX is stripped from audio m-lines only (Chromium refuses audio RTX)', () => {
  const sdp = ['v=0', 'o=- 1 0 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=group:BUNDLE 0 audio0 video1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=recvonly', 'a=rtpmap:111 OPUS/48000/2',
    'm=audio 0 UDP/TLS/RTP/SAVPF 111 96', 'a=sendonly', 'a=rtpmap:111 OPUS/48000/2', 'a=rtcp-fb:111 nack',
    'a=rtpmap:96 rtx/48000', 'a=fmtp:96 apt=111', 'a=ssrc-group:FID 11 22', 'a=ssrc:11 cname:x', 'a=ssrc:22 cname:x',
    'a=mid:audio0',
    'm=video 0 UDP/TLS/RTP/SAVPF 96 97', 'a=sendonly', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
    'a=ssrc-group:FID 33 44', 'a=ssrc:33 cname:y', 'a=ssrc:44 cname:y', 'a=mid:video1', ''].join('\r\n');
  const out = fixRemoteOffer(sdp);
  const audio = out.split('m=')[2];
  const video = out.split('m=')[3];
  assert.match(audio, /^audio 0 UDP\/TLS\/RTP\/SAVPF 111\r\n/);
  assert.doesNotMatch(audio, /rtx|apt=|ssrc-group|a=ssrc:22/);
  assert.match(audio, /a=ssrc:11 cname:x/);
  assert.match(audio, /a=rtcp-fb:111 nack/);
  assert.match(video, /^video 0 UDP\/TLS\/RTP\/SAVPF 96 97\r\n/);
  assert.match(video, /a=ssrc-group:FID 33 44/);
  assert.ok(out.endsWith('\r\n'));
  const clean = sdp.replace(/a=rtpmap:96 rtx\/48000\r\na=fmtp:96 apt=111\r\na=ssrc-group:FID 11 22\r\n/, '').replace('a=ssrc:22 cname:x\r\n', '')
    .replace('SAVPF 111 96\r\na=sendonly', 'SAVPF 111\r\na=sendonly');
  assert.equal(out, clean, 'nothing else changes');
  assert.equal(fixRemoteOffer(clean), clean, 'idempotent');
});

await run();
