/* test-relay-api.c — the relay's calls without media: ids, limits and hostile input (bad SDP,
 * bad candidates, unknown ids, wrong negotiation state) give errors, never crashes; the pure
 * codec choice for an offer (one per m-line, VP8 before H.264) and the rejected m-lines of an
 * answer. */
#include "relay/relay.h"
#include "relay/relay-rtp.h"
#include "relay/relay-sdp.h"
#include "relay/relay-wire.h"

#include <gst/gst.h>
#include <string.h>

static const char *valid_offer =
  "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE video0\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:video0\r\na=sendrecv\r\n"
  "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
  "a=setup:actpass\r\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n";

static SamtalRelay *
relay_new (guint max)
{
  SamtalRelayConfig config = { .max_participants = max };
  g_autoptr (GError) error = NULL;
  SamtalRelay *relay = samtal_relay_new (&config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return relay;
}

static void
test_rooms_and_limits (void)
{
  g_autoptr (SamtalRelay) relay = relay_new (2);
  g_autoptr (GError) error = NULL;
  SamtalRelayStats stats;

  g_assert_true (samtal_relay_create_room (relay, "r", &error));
  g_assert_false (samtal_relay_create_room (relay, "r", &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (samtal_relay_create_room (relay, "", &error));
  g_clear_error (&error);
  g_assert_false (samtal_relay_add_participant (relay, "nope", "a", &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_NO_ROOM);
  g_clear_error (&error);
  g_assert_true (samtal_relay_add_participant (relay, "r", "a", &error));
  g_assert_false (samtal_relay_add_participant (relay, "r", "a", &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (samtal_relay_add_participant (relay, "r", "b", &error));
  g_assert_false (samtal_relay_add_participant (relay, "r", "c", &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_ROOM_FULL);
  g_clear_error (&error);

  samtal_relay_get_stats (relay, &stats);
  g_assert_cmpuint (stats.rooms, ==, 1);
  g_assert_cmpuint (stats.participants, ==, 2);
  g_assert_cmpuint (stats.forwarded_packets, ==, 0);

  /* Removing makes room again; unknown ids are ignored. */
  samtal_relay_remove_participant (relay, "r", "b");
  samtal_relay_remove_participant (relay, "r", "zz");
  samtal_relay_remove_participant (relay, "zz", "a");
  g_assert_true (samtal_relay_add_participant (relay, "r", "b", &error));
  g_assert_no_error (error);

  g_auto (GStrv) factories = samtal_relay_list_element_factories (relay, "r");
  g_assert_nonnull (factories);
  g_assert_true (g_strv_contains ((const char *const *) factories, "webrtcbin"));
  g_assert_null (samtal_relay_list_element_factories (relay, "nope"));

  samtal_relay_destroy_room (relay, "nope");
  samtal_relay_destroy_room (relay, "r");
  samtal_relay_get_stats (relay, &stats);
  g_assert_cmpuint (stats.rooms, ==, 0);
  g_assert_cmpuint (stats.participants, ==, 0);
}

static void
expect_bad_sdp (SamtalRelay *relay, const char *type, const char *sdp)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (samtal_relay_set_remote_description (relay, "r", "a", type, sdp, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP);
}

static void
test_bad_sdp (void)
{
  g_autoptr (SamtalRelay) relay = relay_new (0);
  g_autoptr (GError) error = NULL;
  g_autofree char *huge = g_strnfill (70 * 1024, 'a');
  g_autofree char *h263 = NULL;

  g_assert_true (samtal_relay_create_room (relay, "r", NULL));
  g_assert_true (samtal_relay_add_participant (relay, "r", "a", NULL));
  expect_bad_sdp (relay, "offer", "");
  expect_bad_sdp (relay, "offer", NULL);
  expect_bad_sdp (relay, "offer", "garbage");
  expect_bad_sdp (relay, "offer", huge);
  expect_bad_sdp (relay, "offer", "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
  expect_bad_sdp (relay, "offer", "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                  "a=mid:0\r\n");
  h263 = g_strdup (valid_offer);
  memcpy (strstr (h263, "VP8/"), "XYZ", 3);
  expect_bad_sdp (relay, "offer", h263);
  expect_bad_sdp (relay, "pranswer", valid_offer);
  expect_bad_sdp (relay, NULL, valid_offer);

  /* An answer with no relay offer outstanding. */
  g_assert_false (samtal_relay_set_remote_description (relay, "r", "a", "answer", valid_offer,
                                                       &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_false (samtal_relay_set_remote_description (relay, "r", "nobody", "offer",
                                                       valid_offer, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_NO_PARTICIPANT);
  g_clear_error (&error);
  g_assert_false (samtal_relay_set_remote_description (relay, "x", "a", "offer", valid_offer,
                                                       &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_NO_ROOM);
  g_clear_error (&error);

  /* The first offer is taken; a second one is refused: the relay offers from then on. */
  g_assert_true (samtal_relay_set_remote_description (relay, "r", "a", "offer", valid_offer,
                                                      &error));
  g_assert_no_error (error);
  g_assert_false (samtal_relay_set_remote_description (relay, "r", "a", "offer", valid_offer,
                                                       &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_WRONG_STATE);
  g_clear_error (&error);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
expect_bad_candidate (SamtalRelay *relay, guint mline, const char *candidate)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (samtal_relay_add_remote_candidate (relay, "r", "a", mline, candidate, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_CANDIDATE);
}

static void
test_bad_candidates (void)
{
  g_autoptr (SamtalRelay) relay = relay_new (0);
  g_autoptr (GError) error = NULL;
  g_autofree char *ones = g_strnfill (2000, '1');
  g_autofree char *huge = g_strdup_printf ("candidate:%s", ones);
  const char *good = "candidate:1 1 UDP 2122252543 127.0.0.1 40000 typ host";

  g_assert_true (samtal_relay_create_room (relay, "r", NULL));
  g_assert_true (samtal_relay_add_participant (relay, "r", "a", NULL));
  expect_bad_candidate (relay, 0, NULL);
  expect_bad_candidate (relay, 0, "garbage");
  expect_bad_candidate (relay, 0, "candidate:");
  expect_bad_candidate (relay, 0, "candidate:1 1 UDP notanumber 127.0.0.1 40000 typ host");
  expect_bad_candidate (relay, 0, "candidate:1 1 UDP 1 127.0.0.1 99999 typ host");
  expect_bad_candidate (relay, 0, "candidate:1 1 SCTP 1 127.0.0.1 4000 typ host");
  expect_bad_candidate (relay, 0, "candidate:1 1 UDP 1 127.0.0.1 4000 host");
  expect_bad_candidate (relay, 0, "candidate:1 1 UDP 1 127.0.0.1\n 4000 typ host");
  expect_bad_candidate (relay, 0, huge);
  expect_bad_candidate (relay, 1000, good);

  g_assert_true (samtal_relay_add_remote_candidate (relay, "r", "a", 0, good, &error));
  g_assert_true (samtal_relay_add_remote_candidate (relay, "r", "a", 0, "", &error));
  g_assert_no_error (error);
  g_autofree char *with_a = g_strdup_printf ("a=%s", good);
  g_assert_true (samtal_relay_add_remote_candidate (relay, "r", "a", 0, with_a, &error));
  g_assert_no_error (error);
  g_assert_false (samtal_relay_add_remote_candidate (relay, "r", "b", 0, good, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_NO_PARTICIPANT);
}

static void
test_sdp_checks (void)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (GPtrArray) sent = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (samtal_relay_sdp_check_offer (valid_offer, &msg, &sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sent->len, ==, 1);
  SamtalRelaySdpMedia *m = g_ptr_array_index (sent, 0);
  g_assert_cmpstr (m->mid, ==, "video0");
  g_assert_cmpstr (m->kind, ==, "video");
  g_clear_pointer (&msg, gst_sdp_message_free);

  /* A recvonly offer sends nothing the relay could forward. */
  g_autofree char *recvonly = g_strdup (valid_offer);
  memcpy (strstr (recvonly, "a=sendrecv"), "a=recvonly", 10);
  g_assert_false (samtal_relay_sdp_check_offer (recvonly, &msg, &sent, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP);
  g_clear_error (&error);

  /* An answer must have as many m-lines as the offer. */
  g_assert_false (samtal_relay_sdp_check_answer (valid_offer, 3, &msg, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP);
  g_clear_error (&error);
  g_assert_true (samtal_relay_sdp_check_answer (valid_offer, 1, &msg, &error));
  g_assert_no_error (error);
}

/* One m-line of an offer or answer: "m=KIND PORT …" with the given rtpmap/fmtp lines. */
static GstSDPMessage *
sdp_with (const char *media_lines)
{
  g_autofree char *text = g_strdup_printf (
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n%s", media_lines);
  GstSDPMessage *msg = NULL;
  gst_sdp_message_new_from_text (text, &msg);
  g_assert_nonnull (msg);
  return msg;
}

static gint
pick (const char *media_lines, const char **encoding)
{
  g_autoptr (GstSDPMessage) msg = sdp_with (media_lines);
  const GstSDPMedia *m = gst_sdp_message_get_media (msg, 0);
  return samtal_relay_sdp_pick_payload (m, gst_sdp_media_get_media (m), encoding);
}

/* The relay accepts one codec per m-line: Opus; VP8, else H.264 (packetization-mode=1 first). */
static void
test_pick_payload (void)
{
  const char *enc = NULL;

  g_assert_cmpint (pick ("m=video 9 UDP/TLS/RTP/SAVPF 96 102 97\r\na=mid:0\r\n"
                         "a=rtpmap:96 VP8/90000\r\na=rtpmap:102 H264/90000\r\n"
                         "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n", &enc), ==, 96);
  g_assert_cmpstr (enc, ==, "VP8");
  /* VP8 preferred even when H.264 comes first */
  g_assert_cmpint (pick ("m=video 9 UDP/TLS/RTP/SAVPF 102 100\r\na=mid:0\r\n"
                         "a=rtpmap:102 H264/90000\r\na=rtpmap:100 vp8/90000\r\n", &enc), ==, 100);
  /* no VP8: the first H.264 with packetization-mode=1 */
  g_assert_cmpint (pick ("m=video 9 UDP/TLS/RTP/SAVPF 98 102 127\r\na=mid:0\r\n"
                         "a=rtpmap:98 VP9/90000\r\n"
                         "a=rtpmap:102 H264/90000\r\n"
                         "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;"
                         "profile-level-id=42001f\r\n"
                         "a=rtpmap:127 H264/90000\r\n"
                         "a=fmtp:127 level-asymmetry-allowed=1; packetization-mode=1;"
                         "profile-level-id=42e01f\r\n",
                         &enc), ==, 127);
  g_assert_cmpstr (enc, ==, "H264");
  /* only a mode-0 H.264: taken */
  g_assert_cmpint (pick ("m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\n"
                         "a=rtpmap:102 H264/90000\r\n", &enc), ==, 102);
  g_assert_cmpint (pick ("m=audio 9 UDP/TLS/RTP/SAVPF 0 111\r\na=mid:0\r\n"
                         "a=rtpmap:0 PCMU/8000\r\na=rtpmap:111 opus/48000/2\r\n", &enc), ==, 111);
  g_assert_cmpstr (enc, ==, "OPUS");
  /* nothing the relay forwards; hostile payload numbers */
  g_assert_cmpint (pick ("m=video 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:0\r\n"
                         "a=rtpmap:98 VP9/90000\r\n", NULL), ==, -1);
  g_assert_cmpint (pick ("m=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
                         "a=rtpmap:96 VP8/90000\r\n", NULL), ==, -1);
  g_assert_cmpint (pick ("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
                         "a=rtpmap:300 VP8/90000\r\na=rtpmap:-1 VP8/90000\r\n"
                         "a=rtpmap:VP8/90000\r\na=rtpmap: VP8/90000\r\na=rtpmap:96\r\n"
                         "a=fmtp:96\r\n", NULL), ==, -1);

  /* check_offer carries the choice */
  g_autoptr (GString) h264 = g_string_new (valid_offer);
  g_string_replace (h264, "SAVPF 96", "SAVPF 102", 1);
  g_string_replace (h264, "a=rtpmap:96 VP8/90000", "a=rtpmap:102 H264/90000\r\n"
                    "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f", 1);
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (GPtrArray) sent = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_relay_sdp_check_offer (h264->str, &msg, &sent, &error));
  g_assert_no_error (error);
  SamtalRelaySdpMedia *m = g_ptr_array_index (sent, 0);
  g_assert_cmpint (m->payload, ==, 102);
  g_assert_cmpstr (m->encoding, ==, "H264");
}

/* A subscriber's answer that rejects an m-line (port 0, no codec in common). */
/* The RTX stream of an m-line (as webrtcbin 1.22 offers it for a video transceiver with do-nack):
 * found by mid, ssrc (first in the FID group) and the apt of the rtx payload. */
static void
test_find_rtx (void)
{
  g_autoptr (GstSDPMessage) sdp = sdp_with (
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=mid:video1\r\na=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
    "a=ssrc-group:FID 1111 2222\r\na=ssrc:1111 cname:x\r\na=ssrc:2222 cname:x\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 98\r\na=mid:video2\r\na=rtpmap:96 VP8/90000\r\n"
    "a=fmtp:98 apt=96\r\na=ssrc-group:FID 3333 4444\r\n"           /* 98 is not rtx */
    "m=video 9 UDP/TLS/RTP/SAVPF 96 99\r\na=mid:video3\r\na=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:99 RTX/90000\r\na=fmtp:99 apt=96\r\na=ssrc-group:FID 5555 x\r\n");
  guint32 ssrc = 0;
  guint pt = 0;
  g_assert_true (samtal_relay_sdp_find_rtx (sdp, "video1", 1111, 96, &ssrc, &pt));
  g_assert_cmpuint (ssrc, ==, 2222);
  g_assert_cmpuint (pt, ==, 97);
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, "video1", 2222, 96, &ssrc, &pt)); /* not first */
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, "video1", 1111, 100, &ssrc, &pt)); /* apt */
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, "video2", 3333, 96, &ssrc, &pt));
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, "video3", 5555, 96, &ssrc, &pt)); /* bad group */
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, "0", 1111, 96, &ssrc, &pt));
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, "nope", 1111, 96, &ssrc, &pt));
  g_assert_false (samtal_relay_sdp_find_rtx (sdp, NULL, 1111, 96, &ssrc, &pt));
  g_assert_true (samtal_relay_sdp_has_format (sdp, "video1", 97));
  g_assert_false (samtal_relay_sdp_has_format (sdp, "video1", 98));
  g_assert_false (samtal_relay_sdp_has_format (sdp, "nope", 96));
  g_assert_false (samtal_relay_sdp_has_format (sdp, NULL, 96));
}

/* The replay guard admits what libsrtp's sender side would protect: each sequence number once,
 * in order or up to 127 behind the newest, across the 16-bit wrap. */
static void
test_replay_guard (void)
{
  SamtalRelayReplayGuard g = { 0 };
  g_assert_true (samtal_relay_replay_admit (&g, 65530));
  g_assert_false (samtal_relay_replay_admit (&g, 65530));   /* a duplicate */
  for (guint16 s = 65531; s != 5; s++)                        /* across the wrap */
    g_assert_true (samtal_relay_replay_admit (&g, s));
  g_assert_false (samtal_relay_replay_admit (&g, 65535));   /* already sent, before the wrap */
  g_assert_true (samtal_relay_replay_admit (&g, 10));       /* a gap: 5..9 missing */
  g_assert_true (samtal_relay_replay_admit (&g, 7));        /* late, within the window */
  g_assert_false (samtal_relay_replay_admit (&g, 7));
  g_assert_true (samtal_relay_replay_admit (&g, 200));      /* far ahead */
  g_assert_false (samtal_relay_replay_admit (&g, 72));      /* 128 behind: too old */
  g_assert_true (samtal_relay_replay_admit (&g, 73));       /* 127 behind: still fine */
  g_assert_true (samtal_relay_replay_admit (&g, 200 + 100));/* a jump of 100 keeps 200 known */
  g_assert_false (samtal_relay_replay_admit (&g, 200));
  g_assert_true (samtal_relay_replay_admit (&g, 299));
  g_assert_true (samtal_relay_replay_admit (&g, 300 + 5000)); /* beyond the window: all clear */
  g_assert_true (samtal_relay_replay_admit (&g, 300 + 4999));
}

/* check records nothing; commit does; a packet from before the first one has an index below the
 * first (no roll-over counter for it). */
static void
test_replay_check_commit (void)
{
  SamtalRelayReplayGuard g = { 0 };
  guint64 first = samtal_relay_replay_first_index (), index = 0;

  g_assert_true (samtal_relay_replay_check (&g, 10, &index));
  g_assert_cmpuint (index, ==, first | 10);
  g_assert_true (samtal_relay_replay_check (&g, 10, &index));   /* not recorded yet */
  samtal_relay_replay_commit (&g, index);
  g_assert_false (samtal_relay_replay_check (&g, 10, &index));
  g_assert_true (samtal_relay_replay_check (&g, 65535, &index)); /* just before the first */
  g_assert_cmpuint (index, <, first);
  g_assert_true (samtal_relay_replay_check (&g, 11, &index));
  g_assert_cmpuint (index, ==, first | 11);
  g_assert_true (samtal_relay_replay_check (&g, 9, &index));     /* late: below, in the window */
  g_assert_cmpuint (index, ==, first | 9);
}

/* RFC 7983 / RFC 5761: what the direct path takes as RTP. */
static void
test_wire_is_rtp (void)
{
  guint8 p[12] = { 0x80, 96 };
  g_assert_true (samtal_relay_wire_is_rtp (p, sizeof p));
  p[1] = 0x80 | 96;                                  /* marker bit */
  g_assert_true (samtal_relay_wire_is_rtp (p, sizeof p));
  p[1] = 0x80 | 111;
  g_assert_true (samtal_relay_wire_is_rtp (p, sizeof p));
  for (guint pt = 192; pt <= 223; pt++) {            /* RTCP: SR 200, RR 201, RTPFB 205, PSFB 206 */
    p[1] = (guint8) pt;
    g_assert_false (samtal_relay_wire_is_rtp (p, sizeof p));
  }
  p[1] = 96;
  g_assert_false (samtal_relay_wire_is_rtp (p, 11));  /* shorter than a header */
  p[0] = 22;                                          /* DTLS handshake */
  g_assert_false (samtal_relay_wire_is_rtp (p, sizeof p));
  p[0] = 0;                                           /* STUN */
  g_assert_false (samtal_relay_wire_is_rtp (p, sizeof p));
  p[0] = 0x40;                                        /* version 1 */
  g_assert_false (samtal_relay_wire_is_rtp (p, sizeof p));
}

/* RTX (RFC 4588): header kept (CSRC, extension), padding dropped, PT/seq/SSRC replaced, the
 * original sequence number before the payload; malformed packets give NULL. */
static void
test_rtx_packet (void)
{
  static const guint8 orig[] = {
    0xb1, 0xe0, 0x12, 0x34,  0, 0, 0, 9,  0xaa, 0xbb, 0xcc, 0xdd,   /* V2 P X CC=1, M, PT 96 */
    0, 0, 0, 7,                                                     /* CSRC */
    0xbe, 0xde, 0, 1,  0x10, 0x01, 0, 0,                            /* extension, 1 word */
    'v', 'p', '8', '!',                                             /* payload */
    0, 0, 3                                                         /* padding of 3 */
  };
  g_autoptr (GstBuffer) in = gst_buffer_new_memdup (orig, sizeof orig);
  g_autoptr (GstBuffer) rtx = samtal_relay_rtx_packet (in, 0x01020304, 97, 500);
  g_assert_nonnull (rtx);
  GstMapInfo m;
  g_assert_true (gst_buffer_map (rtx, &m, GST_MAP_READ));
  g_assert_cmpuint (m.size, ==, 24 + 2 + 4);
  g_assert_cmphex (m.data[0], ==, 0x91);                /* padding bit gone */
  g_assert_cmphex (m.data[1], ==, 0x80 | 97);           /* marker kept, PT 97 */
  g_assert_cmpuint (GST_READ_UINT16_BE (m.data + 2), ==, 500);
  g_assert_cmphex (GST_READ_UINT32_BE (m.data + 8), ==, 0x01020304);
  g_assert_cmpmem (m.data + 12, 12, orig + 12, 12);     /* CSRC and extension */
  g_assert_cmpuint (GST_READ_UINT16_BE (m.data + 24), ==, 0x1234);
  g_assert_cmpmem (m.data + 26, 4, "vp8!", 4);
  gst_buffer_unmap (rtx, &m);

  static const guint8 truncated[] = { 0x8f, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0 }; /* CC=15 */
  g_autoptr (GstBuffer) bad = gst_buffer_new_memdup (truncated, sizeof truncated);
  g_assert_null (samtal_relay_rtx_packet (bad, 1, 97, 1));
  guint32 ssrc;
  guint16 seq;
  g_assert_true (samtal_relay_rtp_ids (in, &ssrc, &seq));
  g_assert_cmphex (ssrc, ==, 0xaabbccdd);
  g_assert_cmpuint (seq, ==, 0x1234);
  g_autoptr (GstBuffer) tiny = gst_buffer_new_memdup (orig, 8);
  g_assert_false (samtal_relay_rtp_ids (tiny, &ssrc, &seq));
}

static void
test_rejected_mids (void)
{
  /* as webrtcbin 1.22 rejects: the offer's m-line copied with port 0, bundle-only and the
   * offerer's fingerprint, left out of the BUNDLE group */
  const char *fp_a = "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n";
  const char *fp_b = "a=fingerprint:sha-256 FF:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n";
  g_autofree char *lines = g_strdup_printf (
    "a=group:BUNDLE 0 2 3\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n%s"
    "m=video 0 UDP/TLS/RTP/SAVPF 102\r\na=mid:1\r\na=bundle-only\r\n"
    "a=rtpmap:102 H264/90000\r\n%s"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\na=rtpmap:96 VP8/90000\r\n%s"
    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:3\r\na=bundle-only\r\n"   /* bundled: kept */
    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:4\r\n"                       /* plain port 0 */
    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n",         /* no mid */
    fp_a, fp_b, fp_a);
  g_autoptr (GstSDPMessage) answer = sdp_with (lines);
  g_auto (GStrv) mids = samtal_relay_sdp_rejected_mids (answer);
  g_assert_cmpuint (g_strv_length (mids), ==, 2);
  g_assert_cmpstr (mids[0], ==, "1");
  g_assert_cmpstr (mids[1], ==, "4");
  g_assert_true (samtal_relay_sdp_media_rejected (answer, 1));
  g_assert_false (samtal_relay_sdp_media_rejected (answer, 2));
  g_assert_false (samtal_relay_sdp_media_rejected (answer, 3));
  g_assert_true (samtal_relay_sdp_media_rejected (answer, 5));
  g_assert_true (samtal_relay_sdp_media_rejected (answer, 99));
  /* the rejected m-line's foreign fingerprint does not count */
  g_autoptr (GError) error = NULL;
  g_autofree char *fp = samtal_relay_sdp_fingerprint (answer, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (fp, "00:11"));
  /* and is replaced by the answer's own before webrtcbin sees the answer */
  samtal_relay_sdp_fix_rejected_fingerprints (answer);
  const char *own = gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (answer, 0),
                                                     "fingerprint");
  g_assert_true (g_str_has_prefix (own, "sha-256 00:11"));
  g_assert_cmpstr (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (answer, 1),
                                                    "fingerprint"), ==, own);
  g_assert_cmpstr (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (answer, 4),
                                                    "fingerprint"), ==, own);
  /* no accepted m-line: nothing to copy, the foreign one goes */
  g_autoptr (GstSDPMessage) none_ok = sdp_with (
    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=fingerprint:sha-256 AA\r\n");
  samtal_relay_sdp_fix_rejected_fingerprints (none_ok);
  g_assert_null (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (none_ok, 0),
                                                  "fingerprint"));

  g_auto (GStrv) none = samtal_relay_sdp_rejected_mids (NULL);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

static void
test_fingerprints (void)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (gst_sdp_message_new_from_text (valid_offer, &msg), ==, GST_SDP_OK);
  g_autofree char *fp = samtal_relay_sdp_fingerprint (msg, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fp, ==, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                           "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  /* A second, different fingerprint at session level is refused, as is sha-1. */
  gst_sdp_message_add_attribute (msg, "fingerprint", "sha-256 AA:11:22:33:44:55:66:77:88:99:AA:"
                                 "BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  g_assert_null (samtal_relay_sdp_fingerprint (msg, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP);
  g_clear_error (&error);
  g_clear_pointer (&msg, gst_sdp_message_free);
  g_autofree char *sha1 = g_strdup (valid_offer);
  memcpy (strstr (sha1, "sha-256"), "sha-1  ", 7);
  g_assert_cmpint (gst_sdp_message_new_from_text (sha1, &msg), ==, GST_SDP_OK);
  g_assert_null (samtal_relay_sdp_fingerprint (msg, &error));
  g_assert_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP);

  g_assert_null (samtal_relay_pem_fingerprint (NULL));
  g_assert_null (samtal_relay_pem_fingerprint ("garbage"));
  g_assert_null (samtal_relay_pem_fingerprint ("-----BEGIN CERTIFICATE-----\n!!\n"
                                               "-----END CERTIFICATE-----\n"));
  /* "AAAA" is the bytes 00 00 00: a well-formed PEM body hashes to SHA-256 of those bytes. */
  g_autofree char *got = samtal_relay_pem_fingerprint ("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                                       "-----END CERTIFICATE-----\n");
  g_assert_cmpstr (got, ==, "70:9E:80:C8:84:87:A2:41:1E:1E:E4:DF:B9:F2:2A:86:"
                            "14:92:D2:0C:47:65:15:0C:0C:79:4A:BD:70:F8:14:7C");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/relay/api/rooms-and-limits", test_rooms_and_limits);
  g_test_add_func ("/relay/api/bad-sdp", test_bad_sdp);
  g_test_add_func ("/relay/api/bad-candidates", test_bad_candidates);
  g_test_add_func ("/relay/api/sdp-checks", test_sdp_checks);
  g_test_add_func ("/relay/api/fingerprints", test_fingerprints);
  g_test_add_func ("/relay/api/pick-payload", test_pick_payload);
  g_test_add_func ("/relay/api/rejected-mids", test_rejected_mids);
  g_test_add_func ("/relay/api/find-rtx", test_find_rtx);
  g_test_add_func ("/relay/api/replay-guard", test_replay_guard);
  g_test_add_func ("/relay/api/replay-check-commit", test_replay_check_commit);
  g_test_add_func ("/relay/api/wire-is-rtp", test_wire_is_rtp);
  g_test_add_func ("/relay/api/rtx-packet", test_rtx_packet);
  return g_test_run ();
}
