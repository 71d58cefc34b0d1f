/* relay-sdp.h — validation of what the network hands the relay: SDP offers and answers and
 * trickle ICE candidates. Pure functions without GStreamer elements or relay state, so the fuzzers
 * can link them. Every check returns a SAMTAL_RELAY_ERROR (BAD_SDP / BAD_CANDIDATE), never asserts.
 */
#pragma once

#include <glib.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

#define SAMTAL_RELAY_SDP_MAX_BYTES   (64 * 1024)
#define SAMTAL_RELAY_SDP_MAX_MEDIA   16   /* m-lines in one description */
#define SAMTAL_RELAY_CANDIDATE_MAX   1024 /* bytes in one candidate line */

/* One m-line of a participant's offer that the relay will receive and forward. */
typedef struct {
  char *mid;
  char *kind;          /* "audio" | "video" */
} SamtalRelaySdpMedia;

void samtal_relay_sdp_media_free (SamtalRelaySdpMedia *media);

/* Parses and checks a participant's offer: size, syntax, every m-line has a mid, at most
 * SAMTAL_RELAY_SDP_MAX_MEDIA m-lines, and at least one audio (Opus) or video (VP8/H264) m-line the
 * participant sends (sendrecv or sendonly). On success *sdp_out holds the parsed message and
 * *sent the SamtalRelaySdpMedia the relay will forward (transfer full). */
gboolean samtal_relay_sdp_check_offer (const char *sdp, GstSDPMessage **sdp_out, GPtrArray **sent,
                                       GError **error);
/* Parses and checks an answer: size, syntax, expected_media m-lines (the relay's offer had as many). */
gboolean samtal_relay_sdp_check_answer (const char *sdp, guint expected_media,
                                        GstSDPMessage **sdp_out, GError **error);
/* The SHA-256 DTLS fingerprint the description announces ("AB:CD:…", upper case), taken from
 * session and media level; every announced fingerprint must be sha-256 and identical. webrtcbin
 * 1.22 does not check the peer's certificate against it, so the relay does (relay-peer.c). */
char *samtal_relay_sdp_fingerprint (const GstSDPMessage *sdp, GError **error);
/* The SHA-256 fingerprint ("AB:CD:…") of the first certificate in pem, or NULL. */
char *samtal_relay_pem_fingerprint (const char *pem);

/* Checks a trickled candidate ("candidate:…", optionally prefixed "a="). Returns the line without
 * "a=" (pointing into candidate) or NULL with an error. "" (end of candidates) is valid. */
const char *samtal_relay_candidate_check (const char *candidate, GError **error);

G_END_DECLS
