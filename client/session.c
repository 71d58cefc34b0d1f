/* session.c — one samtal-client run: WebSocket signaling, roster, media and the exit decision
 * (see session.h and signaling/PROTOCOL.md for the messages).
 *
 * Life of a session: CONNECTING → JOINING (join sent) → WAITING (in the waiting room) or
 * ADMITTED (media running) → DONE. The first decisive event (refusal, --expect-frames reached,
 * timeout, removal, end, failure, SIGINT) fixes the exit status; later ones change nothing.
 * All of this runs on the main context: the media module marshals its events here, so the
 * SoupWebsocketConnection is only ever touched from this thread.
 *
 * Every message in either direction goes through signaling/message.c, the parser the server's
 * hub uses (and the one that is fuzzed): what it refuses is reported on stderr and ignored, so
 * the handlers below only ever see messages whose fields are all present, typed and bounded.
 */
#include "session.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "media.h"
#include "message.h"
#include "roster.h"
#include "token.h"

#define TICK_MS 200
#define MAX_INCOMING_BYTES SAMTAL_MSG_MAX_SERVER_BYTES
#define CLOSE_GRACE_MS 1000
#define LINGER_MS 3000
#define MAX_BUSY_RETRIES 10
#define BUSY_RETRY_MS 500        /* times the attempt number */       /* keep sending this long after --expect-frames is reached */

typedef enum { CONNECTING, JOINING, WAITING, ADMITTED, DONE } State;

struct _SamtalClientSession {
  const SamtalClientOptions *options;
  GMainLoop *loop;
  SoupSession *http;
  GCancellable *cancellable;
  SoupWebsocketConnection *ws;
  SamtalRoster *roster;
  SamtalClientMedia *media;
  State state;
  char *role;
  int exit_code;               /* -1 until decided */
  guint tick_source;
  guint timeout_source;
  guint quit_source;
  guint linger_source;
  guint retry_source;
  guint busy_retries;
  gint64 started_us;
  gint64 last_print_us;
};

static void finish (SamtalClientSession *s, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);
static gboolean retry_when_busy (SamtalClientSession *s);

/* ---- sending ---- */

static void
send_msg (SamtalClientSession *s, const SamtalMsg *msg)
{
  if (s->ws == NULL || soup_websocket_connection_get_state (s->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_autofree char *text = samtal_msg_serialize (msg);
  soup_websocket_connection_send_text (s->ws, text);
}

static void
send_plain (SamtalClientSession *s, SamtalMsgType type)
{
  g_autoptr (SamtalMsg) msg = samtal_msg_new (type);
  send_msg (s, msg);
}

/* ---- statistics and the end ---- */

static void
print_stats (SamtalClientSession *s, gint64 now_us)
{
  gdouble rtt = -1;
  if (s->media != NULL)
    g_array_unref (samtal_client_media_sample (s->media, &rtt));
  g_autoptr (GPtrArray) remotes = samtal_roster_remotes (s->roster);
  gdouble elapsed = (gdouble) (now_us - s->started_us) / G_USEC_PER_SEC;
  for (guint i = 0; i < remotes->len; i++) {
    g_autofree char *line = samtal_roster_stats_line (s->roster, g_ptr_array_index (remotes, i),
                                                      now_us, rtt, elapsed);
    fprintf (stdout, "%s\n", line);
  }
  fflush (stdout);
  s->last_print_us = now_us;
}

static void
account (SamtalClientSession *s)
{
  if (s->media == NULL)
    return;
  g_autoptr (GArray) samples = samtal_client_media_sample (s->media, NULL);
  samtal_roster_account (s->roster, (const SamtalStreamSample *) samples->data, samples->len);
}

static gboolean
quit_now (gpointer data)
{
  SamtalClientSession *s = data;
  s->quit_source = 0;
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

/* Leaves the meeting now: media off, leave + close, quit the loop once closed (or soon). */
static void
leave_now (SamtalClientSession *s)
{
  if (s->state == DONE)
    return;
  s->state = DONE;
  g_clear_handle_id (&s->linger_source, g_source_remove);
  g_clear_handle_id (&s->retry_source, g_source_remove);
  g_clear_handle_id (&s->tick_source, g_source_remove);
  g_clear_handle_id (&s->timeout_source, g_source_remove);
  g_clear_pointer (&s->media, samtal_client_media_free);
  if (s->ws != NULL && soup_websocket_connection_get_state (s->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
    send_plain (s, SAMTAL_MSG_LEAVE);
    soup_websocket_connection_close (s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, "bye");
    s->quit_source = g_timeout_add (CLOSE_GRACE_MS, quit_now, s);
  } else {
    g_cancellable_cancel (s->cancellable);
    s->quit_source = g_idle_add (quit_now, s);
  }
}

static gboolean
linger_over (gpointer data)
{
  SamtalClientSession *s = data;
  s->linger_source = 0;
  leave_now (s);
  return G_SOURCE_REMOVE;
}

/* Fixes the exit status (first call only), prints the last statistics and the reason, and
 * leaves — after linger_ms, during which our media keeps flowing, so that participants still
 * counting our frames are not cut off the moment we are satisfied. */
static void
finish_full (SamtalClientSession *s, guint linger_ms, int code, const char *reason)
{
  if (s->exit_code >= 0)
    return;
  s->exit_code = code;
  account (s);
  print_stats (s, g_get_monotonic_time ());
  fprintf (stderr, "samtal-client: %s\n", reason);
  g_clear_handle_id (&s->timeout_source, g_source_remove);
  if (linger_ms > 0 && s->media != NULL)
    s->linger_source = g_timeout_add (linger_ms, linger_over, s);
  else
    leave_now (s);
}

static void
finish (SamtalClientSession *s, int code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *reason = g_strdup_vprintf (format, args);
  va_end (args);
  finish_full (s, 0, code, reason);
}

static char *
progress_summary (SamtalClientSession *s)
{
  g_autoptr (GPtrArray) remotes = samtal_roster_remotes (s->roster);
  if (s->state == WAITING || s->state == JOINING || s->state == CONNECTING)
    return g_strdup ("never admitted to the meeting");
  if (remotes->len == 0)
    return g_strdup ("no other admitted participant");
  GString *text = g_string_new ("decoded ");
  for (guint i = 0; i < remotes->len; i++) {
    SamtalRemote *r = g_ptr_array_index (remotes, i);
    g_string_append_printf (text, "%s%" G_GUINT64_FORMAT " video frames from %s", i ? ", " : "",
                            r->video_frames, r->participant_id);
  }
  return g_string_free (text, FALSE);
}

static gboolean
on_timeout (gpointer data)
{
  SamtalClientSession *s = data;
  s->timeout_source = 0;
  account (s);
  g_autofree char *summary = progress_summary (s);
  if (s->options->expect_frames > 0)
    finish (s, SAMTAL_CLIENT_EXIT_FAILED, "timeout after %u s before %u frames from everyone: %s",
            s->options->timeout_s, s->options->expect_frames, summary);
  else
    finish (s, SAMTAL_CLIENT_EXIT_OK, "ran for %u s: %s", s->options->timeout_s, summary);
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer data)
{
  SamtalClientSession *s = data;
  gint64 now = g_get_monotonic_time ();
  account (s);
  if (s->exit_code < 0 && s->options->expect_frames > 0 &&
      samtal_roster_reached (s->roster, s->options->expect_frames)) {
    g_autofree char *reason = g_strdup_printf (
      "decoded %u video frames from every other participant", s->options->expect_frames);
    finish_full (s, LINGER_MS, SAMTAL_CLIENT_EXIT_OK, reason);
    return G_SOURCE_CONTINUE;
  }
  if (s->exit_code >= 0)
    return G_SOURCE_CONTINUE;   /* lingering */
  if (now - s->last_print_us >= (gint64) s->options->stats_interval_ms * 1000) {
    print_stats (s, now);
    if (s->media != NULL)
      samtal_client_media_request_stats (s->media);
  }
  return G_SOURCE_CONTINUE;
}

/* ---- media events (main context) ---- */

static void
media_description (const char *type, const char *sdp, gpointer data)
{
  SamtalClientSession *s = data;
  if (g_getenv ("SAMTAL_CLIENT_TRACE") != NULL)
    fprintf (stderr, "samtal-client: our %s:\n%s\n", type, sdp);
  g_autoptr (SamtalMsg) msg = samtal_msg_new_sdp (samtal_msg_type_from_string (type), sdp);
  send_msg (s, msg);
}

static void
media_candidate (guint mline, const char *candidate, gpointer data)
{
  SamtalClientSession *s = data;
  g_autoptr (SamtalMsg) msg = samtal_msg_new_ice (candidate, (gint) mline, NULL);
  send_msg (s, msg);
}

static void
media_failed (const char *reason, gpointer data)
{
  SamtalClientSession *s = data;
  finish (s, SAMTAL_CLIENT_EXIT_FAILED, "%s", reason);
}

static void
start_media (SamtalClientSession *s)
{
  if (s->media != NULL)
    return;
  s->state = ADMITTED;
  SamtalClientMediaConfig config = { s->options->video, s->options->audio,
                                     s->options->ice_addresses, s->options->video_codec,
                                     s->options->accept_video };
  SamtalClientMediaEvents events = { media_description, media_candidate, media_failed };
  g_autoptr (GError) error = NULL;
  s->media = samtal_client_media_new (&config, &events, s, NULL, &error);
  if (s->media == NULL || !samtal_client_media_start (s->media, &error))
    finish (s, SAMTAL_CLIENT_EXIT_FAILED, "cannot start media: %s", error->message);
  else
    fprintf (stderr, "samtal-client: admitted; media started\n");
}

/* ---- incoming messages ---- */

static void
admit_if_waiting (SamtalClientSession *s, const SamtalMsgParticipant *p)
{
  if (!s->options->auto_admit || !samtal_role_is_staff (s->role) ||
      g_strcmp0 (p->state, "waiting") != 0 ||
      g_strcmp0 (p->participant_id, samtal_roster_get_self (s->roster)) == 0)
    return;
  fprintf (stderr, "samtal-client: admitting %s\n", p->participant_id);
  g_autoptr (SamtalMsg) admit = samtal_msg_new_for_participant (SAMTAL_MSG_ADMIT,
                                                                p->participant_id);
  send_msg (s, admit);
}

static void
handle_joined (SamtalClientSession *s, const SamtalMsg *m)
{
  samtal_roster_set_self (s->roster, m->participant_id);
  g_free (s->role);
  s->role = g_strdup (m->role);
  if (s->options->auto_admit && !samtal_role_is_staff (s->role))
    fprintf (stderr, "samtal-client: --auto-admit ignored: role %s cannot admit\n", s->role);
  for (guint i = 0; m->participants != NULL && i < m->participants->len; i++) {
    const SamtalMsgParticipant *p = g_ptr_array_index (m->participants, i);
    samtal_roster_update_participant (s->roster, p);
    admit_if_waiting (s, p);
  }
  fprintf (stderr, "samtal-client: joined as %s (%s)\n", m->participant_id, m->state);
  if (g_strcmp0 (m->state, "admitted") == 0)
    start_media (s);
  else
    s->state = WAITING;
}

static void
handle_presence (SamtalClientSession *s, const SamtalMsg *m)
{
  if (!samtal_roster_apply_presence (s->roster, m->event, m->participant)) {
    fprintf (stderr, "samtal-client: presence message ignored: too many participants\n");
    return;
  }
  if (g_strcmp0 (m->event, "joined") == 0)
    admit_if_waiting (s, m->participant);
}

static void
handle_sdp (SamtalClientSession *s, const SamtalMsg *m)
{
  const char *type = samtal_msg_type_to_string (m->type);
  g_autoptr (GError) error = NULL;
  if (g_getenv ("SAMTAL_CLIENT_TRACE") != NULL)
    fprintf (stderr, "samtal-client: the relay's %s:\n%s\n", type, m->sdp);
  if (s->media == NULL) {
    fprintf (stderr, "samtal-client: %s before admission ignored\n", type);
    return;
  }
  if (m->type == SAMTAL_MSG_OFFER && samtal_roster_set_tracks (s->roster, m->tracks) < 0)
    fprintf (stderr, "samtal-client: offer without a tracks array\n");
  if (!samtal_client_media_set_remote (s->media, type, m->sdp, &error))
    fprintf (stderr, "samtal-client: %s\n", error->message);
}

static void
handle_ice (SamtalClientSession *s, const SamtalMsg *m)
{
  g_autoptr (GError) error = NULL;
  if (s->media == NULL) {
    fprintf (stderr, "samtal-client: early ice message ignored\n");
    return;
  }
  if (!samtal_client_media_add_candidate (s->media, (guint) m->mline_index, m->candidate, &error))
    fprintf (stderr, "samtal-client: %s\n", error->message);
}

static void
handle_error (SamtalClientSession *s, const SamtalMsg *m)
{
  const char *message = m->message != NULL ? m->message : "";
  if (s->state == JOINING && g_strcmp0 (m->code, SAMTAL_ERR_BUSY) == 0 && retry_when_busy (s))
    return;
  if (s->state == JOINING)
    finish (s, SAMTAL_CLIENT_EXIT_REFUSED, "refused by the server: %s (%s)",
            *message != '\0' ? message : "no reason given", m->code);
  else
    fprintf (stderr, "samtal-client: server error %s: %s\n", m->code, message);
}

static void
handle_end (SamtalClientSession *s, const SamtalMsg *m)
{
  int code = s->options->expect_frames > 0 ? SAMTAL_CLIENT_EXIT_ENDED : SAMTAL_CLIENT_EXIT_OK;
  finish (s, code, "%s: %s", m->type == SAMTAL_MSG_ENDED ? "the meeting ended" : "removed",
          m->reason != NULL ? m->reason : "no reason given");
}

/* The relay dropped our media (ICE or DTLS failed): start again with a fresh peer connection,
 * which makes a new first offer (PROTOCOL.md, negotiation rule 4). */
static void
handle_media_failed (SamtalClientSession *s, const SamtalMsg *m)
{
  if (s->media == NULL) {
    fprintf (stderr, "samtal-client: media_failed without media ignored\n");
    return;
  }
  fprintf (stderr, "samtal-client: the relay dropped our media (%s); reconnecting media\n",
           m->reason != NULL ? m->reason : "no reason given");
  account (s);
  g_clear_pointer (&s->media, samtal_client_media_free);
  start_media (s);
}

static void
dispatch (SamtalClientSession *s, const SamtalMsg *m)
{
  switch (m->type) {
  case SAMTAL_MSG_JOINED:
    handle_joined (s, m);
    break;
  case SAMTAL_MSG_ADMITTED:
    start_media (s);
    break;
  case SAMTAL_MSG_PRESENCE:
    handle_presence (s, m);
    break;
  case SAMTAL_MSG_OFFER:
  case SAMTAL_MSG_ANSWER:
    handle_sdp (s, m);
    break;
  case SAMTAL_MSG_ICE:
    handle_ice (s, m);
    break;
  case SAMTAL_MSG_ERROR:
    handle_error (s, m);
    break;
  case SAMTAL_MSG_REMOVED:
  case SAMTAL_MSG_ENDED:
    handle_end (s, m);
    break;
  case SAMTAL_MSG_MEDIA_FAILED:
    handle_media_failed (s, m);
    break;
  case SAMTAL_MSG_PONG:
    break;
  default:   /* the parser lets no other type through from the server */
    fprintf (stderr, "samtal-client: unexpected message type ignored\n");
    break;
  }
}

static void
trace_received (SamtalClientSession *s, const SamtalMsg *m, const char *text, gsize len)
{
  if (g_getenv ("SAMTAL_CLIENT_TRACE") == NULL ||
      (m != NULL && (m->type == SAMTAL_MSG_OFFER || m->type == SAMTAL_MSG_ANSWER)))
    return;
  fprintf (stderr, "samtal-client[%s]: received %.*s\n", s->options->token, (int) MIN (len, 400),
           text);
}

static void
on_message (SoupWebsocketConnection *ws, gint kind, GBytes *bytes, gpointer data)
{
  SamtalClientSession *s = data;
  gsize len = 0;
  const char *text = g_bytes_get_data (bytes, &len);
  if (s->state == DONE)
    return;
  if (text == NULL)
    text = "", len = 0;
  if (kind != SOUP_WEBSOCKET_DATA_TEXT) {
    fprintf (stderr, "samtal-client: a binary frame from the server was ignored\n");
    return;
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) m = samtal_msg_parse (text, len, SAMTAL_MSG_FROM_SERVER, &error);
  trace_received (s, m, text, len);
  if (m == NULL) {
    fprintf (stderr, "samtal-client: a server message was ignored (%s): %s\n",
             samtal_msg_error_wire_code (error), error->message);
    return;
  }
  dispatch (s, m);
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  SamtalClientSession *s = data;
  const char *reason = soup_websocket_connection_get_close_data (ws);
  gushort code = soup_websocket_connection_get_close_code (ws);
  if (s->exit_code < 0) {
    if (s->state == JOINING)
      finish (s, SAMTAL_CLIENT_EXIT_REFUSED, "refused by the server: connection closed (%u %s)",
              code, reason != NULL ? reason : "");
    else
      finish (s, SAMTAL_CLIENT_EXIT_FAILED, "the server closed the connection (%u %s)", code,
              reason != NULL ? reason : "");
  }
  g_clear_handle_id (&s->quit_source, g_source_remove);
  s->quit_source = g_idle_add (quit_now, s);
}

/* ---- connecting ---- */

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                        gpointer data)
{
  return TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  SamtalClientSession *s = data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
                                                                       result, &error);
  if (ws == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      finish (s, SAMTAL_CLIENT_EXIT_FAILED, "cannot connect to %s: %s", s->options->ws_url,
              error->message);
    return;
  }
  s->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_BYTES);
  soup_websocket_connection_set_keepalive_interval (ws, 15);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), s);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), s);
  s->state = JOINING;
  g_autoptr (SamtalMsg) join = samtal_msg_new_join (s->options->token, 0);
  send_msg (s, join);
}

static void
connect_ws (SamtalClientSession *s)
{
  s->state = CONNECTING;
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", s->options->ws_url);
  if (msg == NULL) {
    finish (s, SAMTAL_CLIENT_EXIT_USAGE, "not a usable URL: %s", s->options->ws_url);
    return;
  }
  if (s->options->insecure)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_websocket_connect_async (s->http, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        s->cancellable, on_connected, s);
}

static gboolean
reconnect (gpointer data)
{
  SamtalClientSession *s = data;
  s->retry_source = 0;
  connect_ws (s);
  return G_SOURCE_REMOVE;
}

/* The server is busy (too many sockets joining at once, close 4029): drop this socket and try
 * again shortly, a bounded number of times; --timeout still applies. */
static gboolean
retry_when_busy (SamtalClientSession *s)
{
  if (s->busy_retries >= MAX_BUSY_RETRIES)
    return FALSE;
  s->busy_retries++;
  fprintf (stderr, "samtal-client: the server is busy; trying again in a moment\n");
  g_signal_handlers_disconnect_by_data (s->ws, s);
  if (soup_websocket_connection_get_state (s->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, "retry");
  g_clear_object (&s->ws);
  s->state = CONNECTING;
  s->retry_source = g_timeout_add (BUSY_RETRY_MS * s->busy_retries, reconnect, s);
  return TRUE;
}

void
samtal_client_session_start (SamtalClientSession *s)
{
  s->started_us = g_get_monotonic_time ();
  s->last_print_us = s->started_us;
  if (s->options->expect_frames > 0 || s->options->timeout_given)
    s->timeout_source = g_timeout_add_seconds (s->options->timeout_s, on_timeout, s);
  s->tick_source = g_timeout_add (TICK_MS, on_tick, s);
  connect_ws (s);
}

void
samtal_client_session_stop (SamtalClientSession *s, const char *reason)
{
  if (s->exit_code >= 0) {
    leave_now (s);
    return;
  }
  account (s);
  g_autofree char *summary = progress_summary (s);
  int code = s->options->expect_frames > 0 ? SAMTAL_CLIENT_EXIT_FAILED : SAMTAL_CLIENT_EXIT_OK;
  finish (s, code, "%s: %s", reason, summary);
}

int
samtal_client_session_exit_code (SamtalClientSession *s)
{
  return s->exit_code < 0 ? SAMTAL_CLIENT_EXIT_FAILED : s->exit_code;
}

SamtalClientSession *
samtal_client_session_new (const SamtalClientOptions *options, GMainLoop *loop)
{
  SamtalClientSession *s = g_new0 (SamtalClientSession, 1);
  s->options = options;
  s->loop = g_main_loop_ref (loop);
  s->http = soup_session_new_with_options ("timeout", 30, "idle-timeout", 60, NULL);
  s->cancellable = g_cancellable_new ();
  s->roster = samtal_roster_new ();
  s->exit_code = -1;
  return s;
}

void
samtal_client_session_free (SamtalClientSession *s)
{
  if (s == NULL)
    return;
  g_cancellable_cancel (s->cancellable);
  g_clear_handle_id (&s->tick_source, g_source_remove);
  g_clear_handle_id (&s->timeout_source, g_source_remove);
  g_clear_handle_id (&s->quit_source, g_source_remove);
  g_clear_handle_id (&s->linger_source, g_source_remove);
  g_clear_handle_id (&s->retry_source, g_source_remove);
  g_clear_pointer (&s->media, samtal_client_media_free);
  if (s->ws != NULL) {
    g_signal_handlers_disconnect_by_data (s->ws, s);
    g_object_unref (s->ws);
  }
  g_object_unref (s->cancellable);
  g_object_unref (s->http);
  samtal_roster_free (s->roster);
  g_free (s->role);
  g_main_loop_unref (s->loop);
  g_free (s);
}
