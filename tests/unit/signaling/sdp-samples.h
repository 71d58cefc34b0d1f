/* sdp-samples.h — SDP texts shared by the signaling unit tests: a browser-like offer (Opus + VP8,
 * BUNDLE, DTLS-SRTP) and an answer to a relay offer. */
#pragma once

#define SAMPLE_OFFER \
  "v=0\r\n" \
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" \
  "s=-\r\n" \
  "t=0 0\r\n" \
  "a=group:BUNDLE 0 1\r\n" \
  "a=msid-semantic: WMS\r\n" \
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" \
  "c=IN IP4 0.0.0.0\r\n" \
  "a=rtcp:9 IN IP4 0.0.0.0\r\n" \
  "a=ice-ufrag:Ab12\r\n" \
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" \
  "a=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0\r\n" \
  "a=setup:actpass\r\n" \
  "a=mid:0\r\n" \
  "a=sendrecv\r\n" \
  "a=rtcp-mux\r\n" \
  "a=rtpmap:111 opus/48000/2\r\n" \
  "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" \
  "c=IN IP4 0.0.0.0\r\n" \
  "a=ice-ufrag:Ab12\r\n" \
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" \
  "a=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0\r\n" \
  "a=setup:actpass\r\n" \
  "a=mid:1\r\n" \
  "a=sendrecv\r\n" \
  "a=rtcp-mux\r\n" \
  "a=rtpmap:96 VP8/90000\r\n" \
  "a=rtcp-fb:96 nack pli\r\n"

#define SAMPLE_ANSWER \
  "v=0\r\n" \
  "o=- 1 2 IN IP4 127.0.0.1\r\n" \
  "s=-\r\n" \
  "t=0 0\r\n" \
  "a=group:BUNDLE 0 1 2\r\n" \
  "a=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0\r\n" \
  "a=ice-ufrag:Ab12\r\n" \
  "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" \
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" \
  "c=IN IP4 0.0.0.0\r\n" \
  "a=mid:0\r\n" \
  "a=rtpmap:111 opus/48000/2\r\n" \
  "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" \
  "c=IN IP4 0.0.0.0\r\n" \
  "a=mid:1\r\n" \
  "a=rtpmap:96 VP8/90000\r\n" \
  "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n" \
  "c=IN IP4 0.0.0.0\r\n" \
  "a=mid:2\r\n" \
  "a=inactive\r\n"
