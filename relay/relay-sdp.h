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
  gint payload;        /* the one payload type the relay accepts (samtal_relay_sdp_pick_payload) */
  const char *encoding;   /* its codec, static: "OPUS", "VP8" or "H264" */
} SamtalRelaySdpMedia;

void samtal_relay_sdp_media_free (SamtalRelaySdpMedia *media);

/* Parses and checks a participant's offer: size, syntax, every m-line has a mid, at most
 * SAMTAL_RELAY_SDP_MAX_MEDIA m-lines, and at least one audio (Opus) or video (VP8/H264) m-line the
 * participant sends (sendrecv or sendonly); each such m-line carries the codec the relay will
 * accept for it (samtal_relay_sdp_pick_payload). On success *sdp_out holds the parsed message and
 * *sent the SamtalRelaySdpMedia the relay will forward (transfer full). */
gboolean samtal_relay_sdp_check_offer (const char *sdp, GstSDPMessage **sdp_out, GPtrArray **sent,
                                       GError **error);
/* The one codec the relay accepts on an offered m-line of kind "audio" or "video", as its
 * payload type, or -1 when there is none: audio takes the first Opus; video the first VP8, else
 * the first H.264 with packetization-mode=1, else the first H.264 (VP8 is preferred because every
 * browser decodes it; the relay never transcodes, so a publisher's codec is what its subscribers
 * get). *encoding (nullable) is set to "OPUS", "VP8" or "H264" (static strings). */
gint samtal_relay_sdp_pick_payload (const GstSDPMedia *m, const char *kind, const char **encoding);
/* TRUE when m-line index of sdp is rejected: no format, or port 0 unless it is bundle-only and
 * listed in an a=group:BUNDLE. (webrtcbin 1.22 rejects an m-line by copying the offer's m-line,
 * bundle-only, fingerprint and all, with port 0, and leaves it out of the BUNDLE group.) */
gboolean samtal_relay_sdp_media_rejected (const GstSDPMessage *sdp, guint index);
/* Gives the rejected m-lines of answer the fingerprint of its accepted ones (or none, if the
 * answer has a session-level one). webrtcbin 1.22 answers a rejected m-line with a copy of the
 * offer's, the offerer's fingerprint included, and then refuses that very answer when it is set
 * as the remote one: every m-line needs a fingerprint and all must be equal. */
void samtal_relay_sdp_fix_rejected_fingerprints (GstSDPMessage *answer);
/* The mids of the m-lines an answer rejects (transfer full, NULL-terminated, possibly empty). */
char **samtal_relay_sdp_rejected_mids (const GstSDPMessage *answer);
/* The RTX stream the m-line with this mid declares for (ssrc, payload): "a=ssrc-group:FID ssrc
 * rtx_ssrc" and an "rtx" rtpmap whose fmtp says apt=payload. FALSE if it has none. */
gboolean samtal_relay_sdp_find_rtx (const GstSDPMessage *sdp, const char *mid, guint32 ssrc,
                                    guint payload, guint32 *rtx_ssrc, guint *rtx_payload);
/* The m-line with this mid lists payload type pt among its formats (an answer accepted it). */
gboolean samtal_relay_sdp_has_format (const GstSDPMessage *sdp, const char *mid, guint pt);
/* Parses and checks an answer: size, syntax, expected_media m-lines (the relay's offer had as many). */
gboolean samtal_relay_sdp_check_answer (const char *sdp, guint expected_media,
                                        GstSDPMessage **sdp_out, GError **error);
/* The SHA-256 DTLS fingerprint the description announces ("AB:CD:…", upper case), taken from
 * session and media level (rejected m-lines aside); every announced fingerprint must be sha-256
 * and identical. webrtcbin
 * 1.22 does not check the peer's certificate against it, so the relay does (relay-peer.c). */
char *samtal_relay_sdp_fingerprint (const GstSDPMessage *sdp, GError **error);
/* The SHA-256 fingerprint ("AB:CD:…") of the first certificate in pem, or NULL. */
char *samtal_relay_pem_fingerprint (const char *pem);

/* Checks a trickled candidate ("candidate:…", optionally prefixed "a="). Returns the line without
 * "a=" (pointing into candidate) or NULL with an error. "" (end of candidates) is valid. */
const char *samtal_relay_candidate_check (const char *candidate, GError **error);

G_END_DECLS
