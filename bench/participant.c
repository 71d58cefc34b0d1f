/* participant.c — signaling protocol v1 over a libsoup 3 WebSocket, driving a BenchPeer (see
 * participant.h). Incoming messages are parsed with json-glib and dispatched by "type"; nothing
 * from the server is trusted beyond what the next call needs. */
#include "participant.h"
#include "bench-util.h"

#include <string.h>

struct _BenchParticipant {
  char *name;
  char *ws_url;
  char *token;
  gboolean staff;
  SoupSession *session;
  GCancellable *cancel;
  SoupWebsocketConnection *ws;
  SoupMessage *ws_msg;          /* the handshake, for its status when it is refused */
  BenchPeer *peer;
  BenchParticipantJoined joined_cb;
  gpointer user_data;
  gboolean joined;
  gboolean offered;             /* our first offer was sent: candidates may follow */
  GPtrArray *held_candidates;   /* JSON texts held until then */
  gint64 join_sent_us;
  char *failure;
};

static void
fail (BenchParticipant *pt, const char *reason)
{
  if (pt->failure == NULL) {
    pt->failure = g_strdup (reason);
    bench_log ("%s: %s\n", pt->name, reason);
  }
}

static void
send_json (BenchParticipant *pt, JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);
  if (pt->ws && soup_websocket_connection_get_state (pt->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (pt->ws, text);
}

static JsonBuilder *
begin (const char *type)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  return b;
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
send_simple (BenchParticipant *pt, const char *type, const char *member, const char *value)
{
  g_autoptr (JsonBuilder) b = begin (type);
  if (member)
    add_string (b, member, value);
  json_builder_end_object (b);
  send_json (pt, b);
}

/* ---- the peer's side ---- */

static void
on_local_description (BenchPeer *peer, const char *type, const char *sdp, gpointer data)
{
  BenchParticipant *pt = data;
  send_simple (pt, type, "sdp", sdp);
  if (g_strcmp0 (type, "offer") == 0 && !pt->offered) {
    pt->offered = TRUE;
    for (guint i = 0; i < pt->held_candidates->len; i++)
      soup_websocket_connection_send_text (pt->ws, pt->held_candidates->pdata[i]);
    g_ptr_array_set_size (pt->held_candidates, 0);
  }
}

static void
on_local_candidate (BenchPeer *peer, guint mline, const char *candidate, gpointer data)
{
  BenchParticipant *pt = data;
  g_autoptr (JsonBuilder) b = begin ("ice");
  add_string (b, "candidate", candidate);
  json_builder_set_member_name (b, "sdpMLineIndex");
  json_builder_add_int_value (b, mline);
  json_builder_end_object (b);
  if (pt->offered) {
    send_json (pt, b);
    return;
  }
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_ptr_array_add (pt->held_candidates, json_to_string (root, FALSE));
}

static void
on_peer_failed (BenchPeer *peer, const char *reason, gpointer data)
{
  fail (data, reason);
}

/* ---- the server's side ---- */

static void
start_media (BenchParticipant *pt)
{
  if (!pt->offered)
    bench_peer_offer (pt->peer);
}

static void
admit_if_waiting (BenchParticipant *pt, JsonObject *participant)
{
  if (!pt->staff || participant == NULL)
    return;
  const char *state = json_object_get_string_member_with_default (participant, "state", "");
  const char *id = json_object_get_string_member_with_default (participant, "participant_id", NULL);
  if (g_strcmp0 (state, "waiting") == 0 && id != NULL)
    send_simple (pt, "admit", "participant_id", id);
}

static void
on_joined (BenchParticipant *pt, JsonObject *msg)
{
  pt->joined = TRUE;
  if (json_object_has_member (msg, "participants") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (msg, "participants"))) {
    JsonArray *others = json_object_get_array_member (msg, "participants");
    for (guint i = 0; i < json_array_get_length (others); i++) {
      JsonNode *n = json_array_get_element (others, i);
      admit_if_waiting (pt, JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL);
    }
  }
  if (g_strcmp0 (json_object_get_string_member_with_default (msg, "state", ""), "admitted") == 0)
    start_media (pt);
  if (pt->joined_cb)
    pt->joined_cb (pt, pt->user_data);
}

static void
on_presence (BenchParticipant *pt, JsonObject *msg)
{
  if (g_strcmp0 (json_object_get_string_member_with_default (msg, "event", ""), "joined") != 0)
    return;
  JsonNode *n = json_object_get_member (msg, "participant");
  admit_if_waiting (pt, n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL);
}

static void
on_ice (BenchParticipant *pt, JsonObject *msg)
{
  const char *candidate = json_object_get_string_member_with_default (msg, "candidate", NULL);
  gint64 mline = json_object_get_int_member_with_default (msg, "sdpMLineIndex", 0);
  if (candidate != NULL && mline >= 0 && mline < 16)
    bench_peer_add_candidate (pt->peer, (guint) mline, candidate);
}

static void
on_error_message (BenchParticipant *pt, JsonObject *msg)
{
  const char *code = json_object_get_string_member_with_default (msg, "code", "?");
  const char *text = json_object_get_string_member_with_default (msg, "message", "");
  g_autofree char *reason = g_strdup_printf ("server error %s: %s", code, text);
  if (json_object_get_boolean_member_with_default (msg, "fatal", FALSE))
    fail (pt, reason);
  else
    bench_log ("%s: %s\n", pt->name, reason);
}

static void
dispatch (BenchParticipant *pt, JsonObject *msg)
{
  const char *type = json_object_get_string_member_with_default (msg, "type", "");
  const char *sdp = json_object_get_string_member_with_default (msg, "sdp", NULL);
  if (g_str_equal (type, "joined"))
    on_joined (pt, msg);
  else if (g_str_equal (type, "admitted"))
    start_media (pt);
  else if (g_str_equal (type, "presence"))
    on_presence (pt, msg);
  else if ((g_str_equal (type, "offer") || g_str_equal (type, "answer")) && sdp != NULL)
    bench_peer_set_remote (pt->peer, type, sdp);
  else if (g_str_equal (type, "ice"))
    on_ice (pt, msg);
  else if (g_str_equal (type, "error"))
    on_error_message (pt, msg);
  else if (g_str_equal (type, "media_failed") || g_str_equal (type, "removed") || g_str_equal (type, "ended"))
    fail (pt, type);
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint kind, GBytes *message, gpointer data)
{
  BenchParticipant *pt = data;
  if (kind != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  gsize size = 0;
  const char *text = g_bytes_get_data (message, &size);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) size, NULL))
    return;
  JsonNode *root = json_parser_get_root (parser);
  if (root && JSON_NODE_HOLDS_OBJECT (root))
    dispatch (pt, json_node_get_object (root));
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer data)
{
  BenchParticipant *pt = data;
  g_autofree char *reason = g_strdup_printf ("socket closed (%u %s)",
      soup_websocket_connection_get_close_code (ws),
      soup_websocket_connection_get_close_data (ws) ? soup_websocket_connection_get_close_data (ws) : "");
  fail (pt, reason);
}

static void
on_ws_connected (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &error);
  if (ws == NULL) {
    BenchParticipant *failed = data;
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    guint status = failed->ws_msg ? soup_message_get_status (failed->ws_msg) : 0;
    g_autofree char *reason = status == SOUP_STATUS_NOT_FOUND ?
        g_strdup (BENCH_NO_SIGNALING ": the server answers 404 at the WebSocket path") :
        g_strdup_printf ("WebSocket: %s (HTTP %u)", error->message, status);
    fail (failed, reason);
    return;
  }
  BenchParticipant *pt = data;
  pt->ws = ws;
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), pt);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), pt);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 256 * 1024);
  pt->join_sent_us = bench_now_us ();
  send_simple (pt, "join", "token", pt->token);
}

void
bench_participant_join (BenchParticipant *pt)
{
  g_clear_object (&pt->ws_msg);
  pt->ws_msg = soup_message_new ("GET", pt->ws_url);
  if (pt->ws_msg == NULL) {
    fail (pt, "bad ws_url");
    return;
  }
  soup_session_websocket_connect_async (pt->session, pt->ws_msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        pt->cancel, on_ws_connected, pt);
}

BenchParticipant *
bench_participant_new (const char *name, const char *ws_url, const char *token, gboolean staff,
                       const BenchMedia *media, BenchTracker *tracker, SoupSession *session,
                       BenchParticipantJoined joined, gpointer user_data, GError **error)
{
  BenchParticipant *pt = g_new0 (BenchParticipant, 1);
  pt->name = g_strdup (name);
  pt->ws_url = g_strdup (ws_url);
  pt->token = g_strdup (token);
  pt->staff = staff;
  pt->session = g_object_ref (session);
  pt->cancel = g_cancellable_new ();
  pt->joined_cb = joined;
  pt->user_data = user_data;
  pt->held_candidates = g_ptr_array_new_with_free_func (g_free);
  BenchPeerCallbacks cb = { on_local_description, on_local_candidate, on_peer_failed };
  pt->peer = bench_peer_new (name, media, tracker, TRUE, &cb, pt, NULL, error);
  if (pt->peer == NULL) {
    bench_participant_free (pt);
    return NULL;
  }
  return pt;
}

void
bench_participant_free (BenchParticipant *pt)
{
  if (pt == NULL)
    return;
  g_cancellable_cancel (pt->cancel);
  if (pt->ws) {
    g_signal_handlers_disconnect_by_data (pt->ws, pt);
    if (soup_websocket_connection_get_state (pt->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
      send_simple (pt, "leave", NULL, NULL);
      soup_websocket_connection_close (pt->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
    g_clear_object (&pt->ws);
  }
  bench_peer_free (pt->peer);
  g_clear_object (&pt->ws_msg);
  g_clear_object (&pt->cancel);
  g_clear_object (&pt->session);
  g_ptr_array_unref (pt->held_candidates);
  if (pt->token)
    memset (pt->token, 0, strlen (pt->token));
  g_free (pt->token);
  g_free (pt->ws_url);
  g_free (pt->name);
  g_free (pt->failure);
  g_free (pt);
}

BenchPeer *bench_participant_peer (BenchParticipant *pt) { return pt->peer; }
const char *bench_participant_name (BenchParticipant *pt) { return pt->name; }
gboolean bench_participant_is_staff (BenchParticipant *pt) { return pt->staff; }
gint64 bench_participant_join_sent_us (BenchParticipant *pt) { return pt->join_sent_us; }
const char *bench_participant_failure (BenchParticipant *pt) { return pt->failure; }
