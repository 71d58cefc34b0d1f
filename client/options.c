/* options.c — parses and checks samtal-client's command line (see options.h).
 *
 * GOptionContext does the tokenising on a copy of argv; everything it cannot check (the
 * subcommand, enumerations, ranges, URL schemes) is checked here, each refusal with a message
 * that names the option.
 */
#include "options.h"

#include <gio/gio.h>
#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (samtal-client-options-error-quark, samtal_client_options_error)

static const char usage_text[] =
  "Usage: samtal-client join --server URL --token TOKEN [--expect-frames N] [--timeout SECONDS]\n"
  "                          [--video test|none] [--audio test|none] [--auto-admit]\n"
  "                          [--ice-address ADDR]... [--camera] [--insecure]\n"
  "                          [--stats-interval MS] [--video-codec vp8|h264]\n"
  "                          [--accept-video vp8|h264|vp8,h264]\n"
  "\n"
  "Joins the meeting the token admits to, sends test video/audio, decodes what the others send\n"
  "and prints one JSON object per line with per-remote-participant statistics.\n"
  "The token may instead be given in the environment variable SAMTAL_TOKEN.\n"
  "Exit status: 0 done (or --expect-frames reached), 1 timeout or failure, 2 usage,\n"
  "3 refused by the server, 4 removed from or end of the meeting before --expect-frames.\n";

const char *
samtal_client_usage (void)
{
  return usage_text;
}

void
samtal_client_options_free (SamtalClientOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->server);
  g_free (options->ws_url);
  if (options->token != NULL)
    memset (options->token, 0, strlen (options->token));
  g_free (options->token);
  g_strfreev (options->ice_addresses);
  g_free (options);
}

static gboolean usage_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SAMTAL_CLIENT_OPTIONS_ERROR, SAMTAL_CLIENT_OPTIONS_ERROR_USAGE,
                       message);
  return FALSE;
}

char *
samtal_client_ws_url (const char *server, GError **error)
{
  if (server == NULL || *server == '\0') {
    usage_error (error, "--server URL is required");
    return NULL;
  }
  g_autoptr (GUri) uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0') {
    usage_error (error, "--server: not a URL: %s", server);
    return NULL;
  }
  const char *scheme = g_uri_get_scheme (uri);
  const char *ws_scheme = NULL;
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    ws_scheme = "ws";
  else if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    ws_scheme = "wss";
  if (ws_scheme == NULL) {
    usage_error (error, "--server: the scheme must be http or https (or ws, wss): %s", server);
    return NULL;
  }
  const char *path = g_uri_get_path (uri);
  gboolean keep_path = path != NULL && g_str_has_suffix (path, "/ws");
  g_autoptr (GUri) ws = g_uri_build (G_URI_FLAGS_NONE, ws_scheme, NULL, g_uri_get_host (uri),
                                     g_uri_get_port (uri), keep_path ? path : "/ws", NULL, NULL);
  return g_uri_to_string (ws);
}

static gboolean
parse_source (const char *option, const char *value, SamtalClientSource *out, GError **error)
{
  if (value == NULL)
    return TRUE;
  if (g_strcmp0 (value, "test") == 0)
    *out = SAMTAL_CLIENT_SOURCE_TEST;
  else if (g_strcmp0 (value, "none") == 0)
    *out = SAMTAL_CLIENT_SOURCE_NONE;
  else {
    return usage_error (error, "%s must be test or none, not %s", option, value);
  }
  return TRUE;
}

static gboolean
parse_codec (const char *value, SamtalClientCodec *out)
{
  if (g_ascii_strcasecmp (value, "vp8") == 0)
    *out = SAMTAL_CLIENT_CODEC_VP8;
  else if (g_ascii_strcasecmp (value, "h264") == 0 || g_ascii_strcasecmp (value, "h.264") == 0)
    *out = SAMTAL_CLIENT_CODEC_H264;
  else
    return FALSE;
  return TRUE;
}

/* --video-codec vp8|h264 (what is sent) and --accept-video, a comma list of the codecs the
 * client takes (what the relay may forward to it; others' tracks in other codecs are refused). */
static gboolean
parse_codecs (SamtalClientOptions *o, const char *send, const char *accept, GError **error)
{
  o->video_codec = SAMTAL_CLIENT_CODEC_VP8;
  o->accept_video = SAMTAL_CLIENT_CODECS_ALL;
  if (send != NULL && !parse_codec (send, &o->video_codec))
    return usage_error (error, "--video-codec must be vp8 or h264, not %s", send);
  if (accept == NULL)
    return TRUE;
  g_auto (GStrv) list = g_strsplit (accept, ",", 8);
  o->accept_video = 0;
  for (guint i = 0; list[i] != NULL; i++) {
    SamtalClientCodec codec;
    if (!parse_codec (g_strstrip (list[i]), &codec))
      return usage_error (error, "--accept-video takes vp8, h264 or vp8,h264, not %s", accept);
    o->accept_video |= codec;
  }
  if (o->accept_video == 0)
    return usage_error (error, "--accept-video takes vp8, h264 or vp8,h264, not an empty list");
  return TRUE;
}

static gboolean
check_ranges (SamtalClientOptions *o, gint expect, gint timeout, gint interval, GError **error)
{
  if (expect < 0 || expect > SAMTAL_CLIENT_MAX_EXPECT_FRAMES)
    return usage_error (error, "--expect-frames must be between 0 and 1000000");
  if (timeout != -1 && (timeout < 1 || timeout > SAMTAL_CLIENT_MAX_TIMEOUT_S))
    return usage_error (error, "--timeout must be between 1 and 86400 seconds");
  if (interval < 100 || interval > 3600000)
    return usage_error (error, "--stats-interval must be between 100 and 3600000 ms");
  o->expect_frames = (guint) expect;
  o->timeout_given = timeout != -1;
  o->timeout_s = o->timeout_given ? (guint) timeout : SAMTAL_CLIENT_DEFAULT_TIMEOUT_S;
  o->stats_interval_ms = (guint) interval;
  return TRUE;
}

static gboolean
check_ice_addresses (char **addresses, GError **error)
{
  for (char **a = addresses; a != NULL && *a != NULL; a++) {
    g_autoptr (GInetAddress) address = g_inet_address_new_from_string (*a);
    if (address == NULL)
      return usage_error (error, "--ice-address: not an IP address: %s", *a);
  }
  return TRUE;
}

static gboolean
check_token (const char *token, GError **error)
{
  if (token == NULL || *token == '\0')
    return usage_error (error, "--token TOKEN (or SAMTAL_TOKEN) is required");
  if (strlen (token) > 4096)
    return usage_error (error, "--token is too long");
  for (const char *c = token; *c != '\0'; c++)
    if (!g_ascii_isgraph (*c))
      return usage_error (error, "--token contains characters a token cannot have");
  return TRUE;
}

SamtalClientOptions *
samtal_client_options_parse (int argc, char **argv, const char *env_token, GError **error)
{
  if (argc < 2 || g_strcmp0 (argv[1], "join") != 0) {
    usage_error (error, "the first argument must be the command \"join\"");
    return NULL;
  }
  g_autofree char *server = NULL, *token = NULL, *video = NULL, *audio = NULL;
  g_autofree char *video_codec = NULL, *accept_video = NULL;
  g_auto (GStrv) ice = NULL;
  gint expect = 0, timeout = -1, interval = 1000;
  gboolean auto_admit = FALSE, camera = FALSE, insecure = FALSE;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "Server URL", "URL" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, "Join token", "TOKEN" },
    { "expect-frames", 0, 0, G_OPTION_ARG_INT, &expect, "Exit 0 after N frames from everyone", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Give up after SECONDS", "SECONDS" },
    { "video", 0, 0, G_OPTION_ARG_STRING, &video, "test or none", "SOURCE" },
    { "audio", 0, 0, G_OPTION_ARG_STRING, &audio, "test or none", "SOURCE" },
    { "auto-admit", 0, 0, G_OPTION_ARG_NONE, &auto_admit, "Admit everyone who waits", NULL },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice, "Gather ICE on ADDR", "ADDR" },
    { "camera", 0, 0, G_OPTION_ARG_NONE, &camera, "Send the camera", NULL },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &insecure, "Accept any TLS certificate", NULL },
    { "stats-interval", 0, 0, G_OPTION_ARG_INT, &interval, "Stats line period", "MS" },
    { "video-codec", 0, 0, G_OPTION_ARG_STRING, &video_codec, "vp8 or h264", "CODEC" },
    { "accept-video", 0, 0, G_OPTION_ARG_STRING, &accept_video, "Codecs to receive", "CODECS" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("join");
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_auto (GStrv) args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  g_autoptr (GError) local = NULL;
  if (!g_option_context_parse_strv (context, &args, &local)) {
    usage_error (error, "%s", local->message);
    return NULL;
  }
  if (g_strv_length (args) != 2) {
    usage_error (error, "unexpected argument: %s", args[2]);
    return NULL;
  }

  g_autoptr (SamtalClientOptions) o = g_new0 (SamtalClientOptions, 1);
  o->video = o->audio = SAMTAL_CLIENT_SOURCE_TEST;
  if (!parse_source ("--video", video, &o->video, error) ||
      !parse_source ("--audio", audio, &o->audio, error) ||
      !parse_codecs (o, video_codec, accept_video, error) ||
      !check_ranges (o, expect, timeout, interval, error) ||
      !check_ice_addresses (ice, error))
    return NULL;
  if (camera)
    o->video = SAMTAL_CLIENT_SOURCE_CAMERA;
  const char *use_token = token != NULL ? token : env_token;
  if (!check_token (use_token, error))
    return NULL;
  o->ws_url = samtal_client_ws_url (server, error);
  if (o->ws_url == NULL)
    return NULL;
  o->server = g_steal_pointer (&server);
  o->token = g_strdup (use_token);
  o->auto_admit = auto_admit;
  o->insecure = insecure;
  o->ice_addresses = ice != NULL ? g_steal_pointer (&ice) : g_new0 (char *, 1);
  return g_steal_pointer (&o);
}
