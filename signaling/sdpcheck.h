/* sdpcheck.h — validation of SDP offers and answers that arrive from participants.
 *
 * The relay validates again before webrtcbin sees anything; this check makes sure signaling
 * forwards only SDP that is plausible for samtal (PROTOCOL.md, "Limits") and answers the rest
 * with `error` bad_sdp. Pure (GStreamer's SDP parser only, no pipeline, no globals), so the
 * fuzz target tests/fuzz/signaling/fuzz-sdp.c links it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_SDP_MAX_MEDIA 16          /* in an offer (what one participant sends and receives) */
/* In an answer to the relay's offer: the relay never reuses m-lines, so its offers grow with
 * every join and leave; past 64 it starts the participant over (relay/relay-private.h). */
#define SAMTAL_SDP_MAX_ANSWER_MEDIA 64
#define SAMTAL_SDP_MAX_LINE 4096

typedef enum {
  SAMTAL_SDP_OFFER,
  SAMTAL_SDP_ANSWER,
} SamtalSdpType;

#define SAMTAL_SDP_ERROR (samtal_sdp_error_quark ())
GQuark samtal_sdp_error_quark (void);
typedef enum {
  SAMTAL_SDP_ERROR_INVALID,   /* message says why */
} SamtalSdpError;

/* Checks sdp (len bytes, need not be NUL-terminated; at most SAMTAL_MSG_MAX_SDP): line syntax,
 * 1..16 m-lines in an offer, 1..64 in an answer, each audio/video over UDP/TLS/RTP/SAVPF with a unique mid, DTLS fingerprint and
 * ICE credentials (session or media level) on every active m-line, and at least one active
 * m-line with a codec the relay forwards (Opus, VP8, H264). Returns FALSE with error otherwise. */
gboolean samtal_sdp_check (const char *sdp, gsize len, SamtalSdpType type, GError **error);

G_END_DECLS
