/* media.h — samtal-client's media: one webrtcbin talking to the relay.
 *
 * It sends test video (videotestsrc → vp8enc → rtpvp8pay, or openh264enc → rtph264pay) and
 * test audio (audiotestsrc → opusenc → rtpopuspay), or a camera, decodes every stream the relay
 * forwards (vp8dec or openh264dec, chosen by the stream's caps; opusdec; into fakesinks) and
 * counts what it decoded per stream. It knows nothing about the WebSocket or
 * the roster: SDP and ICE go in through functions and come out through events, which are
 * delivered on the main context given at creation (never on a GStreamer thread), so the caller
 * may touch its SoupWebsocketConnection in them.
 *
 * Negotiation follows relay/relay.h: start() makes the one offer this side ever makes (once
 * webrtcbin asks for negotiation); after that the relay offers and we answer.
 */
#pragma once

#include <glib.h>

#include "options.h"
#include "roster.h"

G_BEGIN_DECLS

typedef struct _SamtalClientMedia SamtalClientMedia;

typedef struct {
  /* Our SDP: type "offer" (the first one) or "answer". */
  void (*local_description) (const char *type, const char *sdp, gpointer user_data);
  /* A local candidate ("candidate:…"), to trickle to the relay. */
  void (*local_candidate) (guint mline_index, const char *candidate, gpointer user_data);
  /* The media failed for good (pipeline error, ICE failed); reason is for the user. */
  void (*failed) (const char *reason, gpointer user_data);
} SamtalClientMediaEvents;

typedef struct {
  SamtalClientSource video;
  SamtalClientSource audio;
  char **ice_addresses;       /* NULL-terminated or NULL: local addresses to gather on */
  SamtalClientCodec video_codec;   /* what the video branch sends */
  guint accept_video;         /* SamtalClientCodec flags: what it receives (0: both) */
} SamtalClientMediaConfig;

typedef enum {
  SAMTAL_CLIENT_MEDIA_ERROR_PIPELINE,
  SAMTAL_CLIENT_MEDIA_ERROR_BAD_SDP,
  SAMTAL_CLIENT_MEDIA_ERROR_STATE,
} SamtalClientMediaError;

#define SAMTAL_CLIENT_MEDIA_ERROR (samtal_client_media_error_quark ())
GQuark samtal_client_media_error_quark (void);

/* Builds the pipeline (not yet playing). context NULL: the thread-default context. */
SamtalClientMedia *samtal_client_media_new (const SamtalClientMediaConfig *config,
                                            const SamtalClientMediaEvents *events,
                                            gpointer user_data, GMainContext *context,
                                            GError **error);
/* Stops the pipeline; no event is delivered after this returns. NULL is allowed. */
void samtal_client_media_free (SamtalClientMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalClientMedia, samtal_client_media_free)

/* Starts sending: the local_description event with our offer follows. Only once. */
gboolean samtal_client_media_start (SamtalClientMedia *media, GError **error);
gboolean samtal_client_media_is_started (SamtalClientMedia *media);

/* The relay's SDP (from the network: validated). An "offer" is answered through the
 * local_description event; an "answer" completes our offer. */
gboolean samtal_client_media_set_remote (SamtalClientMedia *media, const char *type,
                                         const char *sdp, GError **error);
/* A remote candidate ("candidate:…", with or without "a="); "" (end of candidates) is accepted
 * and ignored. */
gboolean samtal_client_media_add_candidate (SamtalClientMedia *media, guint mline_index,
                                            const char *candidate, GError **error);

/* Asks webrtcbin for statistics (packets lost, round-trip time); the answer is merged into the
 * next samples. Call now and then (e.g. once a second). */
void samtal_client_media_request_stats (SamtalClientMedia *media);

/* A snapshot of every received stream's cumulative counters (transfer full: an array of
 * SamtalStreamSample whose strings it owns; free with g_array_unref). rtt_ms: the latest
 * round-trip time to the relay in milliseconds, -1 when unknown. */
GArray *samtal_client_media_sample (SamtalClientMedia *media, gdouble *rtt_ms);

G_END_DECLS
