/* options.h — samtal-client's command line: parsing and checking, nothing else.
 *
 *   samtal-client join --server URL --token TOKEN [--expect-frames N] [--timeout SECONDS]
 *                      [--video test|none] [--audio test|none] [--auto-admit]
 *                      [--ice-address ADDR]... [--camera] [--insecure] [--stats-interval MS]
 *                      [--video-codec vp8|h264] [--accept-video vp8|h264|vp8,h264]
 *
 * The parser is pure (no I/O, no GStreamer) so that unit tests can exercise every option and
 * every refusal. The token may also come from the environment variable SAMTAL_TOKEN, so that it
 * need not appear in process listings (tokens are bearer capabilities).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_CLIENT_DEFAULT_TIMEOUT_S 30
#define SAMTAL_CLIENT_MAX_TIMEOUT_S (24 * 3600)
#define SAMTAL_CLIENT_MAX_EXPECT_FRAMES 1000000

typedef enum {
  SAMTAL_CLIENT_SOURCE_NONE,
  SAMTAL_CLIENT_SOURCE_TEST,
  SAMTAL_CLIENT_SOURCE_CAMERA,
} SamtalClientSource;

/* Video codecs, as flags: what the client sends is one of them, what it accepts to receive any
 * combination. */
typedef enum {
  SAMTAL_CLIENT_CODEC_VP8 = 1 << 0,
  SAMTAL_CLIENT_CODEC_H264 = 1 << 1,
} SamtalClientCodec;

#define SAMTAL_CLIENT_CODECS_ALL (SAMTAL_CLIENT_CODEC_VP8 | SAMTAL_CLIENT_CODEC_H264)

typedef struct {
  char *server;               /* as given, e.g. "http://127.0.0.1:8080" */
  char *ws_url;               /* derived: "ws://127.0.0.1:8080/ws" */
  char *token;
  guint expect_frames;        /* 0: not set */
  guint timeout_s;            /* SAMTAL_CLIENT_DEFAULT_TIMEOUT_S unless given */
  gboolean timeout_given;
  SamtalClientSource video;
  SamtalClientSource audio;
  SamtalClientCodec video_codec;  /* what it sends; default VP8 */
  guint accept_video;         /* SamtalClientCodec flags it receives; default both */
  gboolean auto_admit;
  gboolean insecure;          /* accept any TLS certificate (self-signed test servers only) */
  char **ice_addresses;       /* NULL-terminated, may be empty; never NULL after parsing */
  guint stats_interval_ms;    /* how often a stats line is printed per participant; default 1000 */
} SamtalClientOptions;

typedef enum {
  SAMTAL_CLIENT_OPTIONS_ERROR_USAGE,
} SamtalClientOptionsError;

#define SAMTAL_CLIENT_OPTIONS_ERROR (samtal_client_options_error_quark ())
GQuark samtal_client_options_error_quark (void);

void samtal_client_options_free (SamtalClientOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalClientOptions, samtal_client_options_free)

/* Parses argv (argv[0] is the program, argv[1] must be "join"). env_token is the value of
 * SAMTAL_TOKEN (may be NULL), used when --token is absent. Returns the options (transfer full)
 * or NULL with a usage error whose message names the problem. argv is not modified. */
SamtalClientOptions *samtal_client_options_parse (int argc, char **argv, const char *env_token,
                                                  GError **error);

/* Derives the WebSocket URL from the server URL: http→ws, https→wss (ws/wss kept), path
 * replaced by "/ws" unless the URL already names a path ending in "/ws". Returns NULL with a
 * usage error for anything else. */
char *samtal_client_ws_url (const char *server, GError **error);

/* The usage text (static). */
const char *samtal_client_usage (void);

G_END_DECLS
