/* hub.c — the meeting hub (see hub.h): turns WebSocket frames into room calls and room actions
 * into WebSocket frames, relay calls and audit records.
 *
 * The transport's job only: the join handshake (token, meeting check, 5 s deadline), frame
 * limits, the per-connection rate limit, keepalive and idle timeout. Every rule about who may
 * do what lives in room.c. Connections are refcounted because libsoup may emit "closed" while
 * a frame of the same connection is being handled; rooms are only freed when no action list is
 * being executed (exec_depth == 0), because a relay may call back synchronously.
 */
#include "hub.h"
#include "room.h"

#include <string.h>

#define TICK_INTERVAL_S 1

typedef struct {
  gint refs;
  SamtalHub *hub;
  guint64 id;
  SoupWebsocketConnection *ws;
  gint64 meeting_id;          /* 0 until joined */
  guint join_timer;
  gboolean closing;
  gulong handlers[3];
  /* rate limit: token bucket refilled at max_messages_per_sec, capacity twice that */
  double tokens;
  gint64 refilled_us;
  gint64 window_start_us;
  guint dropped_in_window;
  gint64 limited_error_us;
  gint64 last_activity_us;
} Conn;

/* The latest verified claims for a room, so that the booking can be re-checked while the meeting
 * runs (cancelled → the meeting ends; rescheduled → its end moves). */
typedef struct {
  SamtalJoinClaims *claims;
  gint64 next_check_us;
} RoomCheck;

static void
room_check_free (RoomCheck *rc)
{
  samtal_join_claims_free (rc->claims);
  g_free (rc);
}

struct _SamtalHub {
  guint8 key[SAMTAL_TOKEN_KEY_BYTES];
  const SamtalHubRelayOps *ops;
  gpointer relay;
  SamtalHubCallbacks cbs;
  gpointer user_data;
  SamtalHubLimits limits;
  GHashTable *conns;          /* guint64 id → Conn* (one ref) */
  GHashTable *rooms;          /* gint64 meeting id → SamtalRoom* */
  GHashTable *ended;          /* gint64 meeting id → gint64 unix s until joins stay refused */
  GHashTable *checks;         /* gint64 meeting id → RoomCheck*: re-asking check_meeting */
  guint64 next_conn_id;
  guint exec_depth;
  guint tick_source;
  gboolean shutting_down;
  SoupServer *server;         /* weak: where the handler is attached, to detach it at free */
  char *path;
};

static void execute (SamtalHub *hub, SamtalRoom *room, GPtrArray *out);

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- connections ---- */

static Conn *
conn_ref (Conn *c)
{
  c->refs++;
  return c;
}

static void
conn_unref (Conn *c)
{
  if (--c->refs > 0)
    return;
  g_clear_handle_id (&c->join_timer, g_source_remove);
  for (guint i = 0; i < G_N_ELEMENTS (c->handlers); i++)
    g_clear_signal_handler (&c->handlers[i], c->ws);
  g_object_unref (c->ws);
  g_free (c);
}

static Conn *
conn_lookup (SamtalHub *hub, guint64 id)
{
  return g_hash_table_lookup (hub->conns, &id);
}

static void
conn_send (Conn *c, const SamtalMsg *msg)
{
  if (soup_websocket_connection_get_state (c->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_autofree char *text = samtal_msg_serialize (msg);
  g_debug ("conn %" G_GUINT64_FORMAT " <- %s%s%s", c->id, samtal_msg_type_to_string (msg->type),
           msg->code ? " " : "", msg->code ? msg->code : "");
  soup_websocket_connection_send_text (c->ws, text);
}

static void
conn_close (Conn *c, guint16 code, const char *reason)
{
  c->closing = TRUE;
  c->meeting_id = 0;
  g_clear_handle_id (&c->join_timer, g_source_remove);
  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, code, reason);
}

static SamtalRoom *room_lookup (SamtalHub *hub, gint64 meeting_id);

/* Sends an error and, when fatal, closes with close_code; a joined participant leaves its room
 * at once (the others see it leave; the close handshake may take a while). */
static void
conn_error (Conn *c, const char *code, const char *message, const char *request,
            guint16 close_code)
{
  g_autoptr (SamtalMsg) m = samtal_msg_new_error (code, message, request, close_code != 0);
  conn_send (c, m);
  if (close_code == 0)
    return;
  SamtalRoom *room = c->meeting_id != 0 ? room_lookup (c->hub, c->meeting_id) : NULL;
  conn_close (c, close_code, code);
  if (room != NULL) {
    g_autoptr (GPtrArray) out = samtal_room_actions_new ();
    samtal_room_disconnect (room, c->id, out);
    execute (c->hub, room, out);
  }
}

/* ---- rooms ---- */

static SamtalRoom *
room_lookup (SamtalHub *hub, gint64 meeting_id)
{
  return g_hash_table_lookup (hub->rooms, &meeting_id);
}

static SamtalRoom *
room_lookup_by_id (SamtalHub *hub, const char *room_id)
{
  guint64 id = 0;
  if (room_id == NULL ||
      !g_ascii_string_to_unsigned (room_id, 10, 1, G_MAXINT64, &id, NULL))
    return NULL;
  return room_lookup (hub, (gint64) id);
}

/* Frees rooms that ended or emptied (their relay room goes too). */
static void
collect_rooms (SamtalHub *hub)
{
  if (hub->exec_depth > 0)
    return;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, hub->rooms);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRoom *room = value;
    if (!samtal_room_is_ended (room) && samtal_room_n_connected (room) > 0)
      continue;
    if (!samtal_room_is_ended (room) && hub->relay != NULL)
      hub->ops->destroy_room (hub->relay, samtal_room_get_id (room));
    gint64 id = samtal_room_get_meeting_id (room);
    g_hash_table_remove (hub->checks, &id);
    g_hash_table_iter_remove (&it);
  }
}

static SamtalRoom *
room_get_or_create (SamtalHub *hub, const SamtalMeetingInfo *info, GError **error)
{
  SamtalRoom *room = room_lookup (hub, info->booking_id);
  if (room != NULL) {
    samtal_room_set_ends_at (room, info->ends_at);
    return room;
  }
  SamtalRoomLimits rl = { hub->limits.max_admitted, hub->limits.max_connections,
                          hub->limits.grace_after_end_s };
  room = samtal_room_new (info->booking_id, info->ends_at, &rl);
  if (hub->relay != NULL &&
      !hub->ops->create_room (hub->relay, samtal_room_get_id (room), error)) {
    samtal_room_free (room);
    return NULL;
  }
  g_hash_table_insert (hub->rooms, g_memdup2 (&info->booking_id, sizeof (gint64)), room);
  return room;
}

/* ---- executing room actions ---- */

static const char *
relay_wire_code (const GError *error, SamtalRoomActionKind kind)
{
  if (error != NULL && error->domain == SAMTAL_RELAY_ERROR &&
      error->code == SAMTAL_RELAY_ERROR_BAD_SDP)
    return SAMTAL_ERR_BAD_SDP;
  if (error != NULL && error->domain == SAMTAL_RELAY_ERROR &&
      error->code == SAMTAL_RELAY_ERROR_BAD_CANDIDATE)
    return SAMTAL_ERR_BAD_CANDIDATE;
  if (kind == SAMTAL_ROOM_RELAY_ICE)
    return SAMTAL_ERR_BAD_CANDIDATE;
  return SAMTAL_ERR_MEDIA;
}

/* Runs one relay action; on failure feeds the refusal back into the room (appending to out). */
static void
exec_relay (SamtalHub *hub, SamtalRoom *room, const SamtalRoomAction *a, GPtrArray *out)
{
  const char *rid = samtal_room_get_id (room);
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;
  if (hub->relay == NULL) {
    ok = FALSE;
    g_set_error_literal (&error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                         "no media relay is configured");
  } else if (a->kind == SAMTAL_ROOM_RELAY_ADD) {
    ok = hub->ops->add_participant (hub->relay, rid, a->participant_id, &error);
  } else if (a->kind == SAMTAL_ROOM_RELAY_REMOVE) {
    hub->ops->remove_participant (hub->relay, rid, a->participant_id);
  } else if (a->kind == SAMTAL_ROOM_RELAY_SDP) {
    ok = hub->ops->set_remote_description (hub->relay, rid, a->participant_id, a->text, a->sdp,
                                           &error);
  } else if (a->kind == SAMTAL_ROOM_RELAY_ICE) {
    ok = hub->ops->add_remote_candidate (hub->relay, rid, a->participant_id, a->mline_index,
                                         a->sdp, &error);
  }
  if (ok || a->kind == SAMTAL_ROOM_RELAY_REMOVE)
    return;
  g_debug ("relay refused %s for %s: %s", a->text ? a->text : "action", a->participant_id,
           error ? error->message : "?");
  samtal_room_relay_refused (room, a->participant_id, a->kind, a->text,
                             relay_wire_code (error, a->kind),
                             error ? error->message : "the media relay refused", out);
}

static void
exec_one (SamtalHub *hub, SamtalRoom *room, const SamtalRoomAction *a, GPtrArray *out)
{
  Conn *c = NULL;
  switch (a->kind) {
  case SAMTAL_ROOM_SEND:
    if ((c = conn_lookup (hub, a->conn)) != NULL)
      conn_send (c, a->msg);
    break;
  case SAMTAL_ROOM_CLOSE:
    if ((c = conn_lookup (hub, a->conn)) != NULL)
      conn_close (c, a->close_code, a->text);
    break;
  case SAMTAL_ROOM_RELAY_DESTROY: {
    gint64 id = samtal_room_get_meeting_id (room);
    g_hash_table_insert (hub->ended, g_memdup2 (&id, sizeof id),
                         g_memdup2 (&(gint64) { now_s () + 24 * 3600 }, sizeof (gint64)));
    if (hub->relay != NULL)
      hub->ops->destroy_room (hub->relay, samtal_room_get_id (room));
    break;
  }
  case SAMTAL_ROOM_AUDIT:
    if (hub->cbs.audit != NULL)
      hub->cbs.audit (a->participant_id, a->text, "booking", samtal_room_get_meeting_id (room),
                      a->detail, hub->user_data);
    break;
  default:
    exec_relay (hub, room, a, out);
    break;
  }
}

/* Executes out in order; actions appended meanwhile (relay refusals) run too. */
static void
execute (SamtalHub *hub, SamtalRoom *room, GPtrArray *out)
{
  hub->exec_depth++;
  for (guint i = 0; i < out->len; i++)
    exec_one (hub, room, g_ptr_array_index (out, i), out);
  hub->exec_depth--;
  collect_rooms (hub);
}

/* ---- the join handshake ---- */

static const char *
token_wire_code (const GError *error)
{
  if (g_error_matches (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_EXPIRED) ||
      g_error_matches (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_TOO_EARLY))
    return SAMTAL_ERR_TOKEN_EXPIRED;
  return SAMTAL_ERR_TOKEN_INVALID;
}

static gboolean
meeting_ended (SamtalHub *hub, gint64 meeting_id)
{
  return g_hash_table_contains (hub->ended, &meeting_id);
}

/* Verifies the join; returns the claims or NULL after answering with a fatal error. */
static SamtalJoinClaims *
admit_join (SamtalHub *hub, Conn *c, const SamtalMsg *msg, SamtalMeetingInfo *info)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalJoinClaims) claims = samtal_token_verify (hub->key, msg->token, now_s (), &error);
  if (claims == NULL) {
    conn_error (c, token_wire_code (error), error->message, "join", SAMTAL_CLOSE_REFUSED);
    return NULL;
  }
  if (msg->meeting_id != 0 && msg->meeting_id != claims->booking_id) {
    conn_error (c, SAMTAL_ERR_WRONG_MEETING, "the token is for another meeting", "join",
                SAMTAL_CLOSE_REFUSED);
    return NULL;
  }
  if (meeting_ended (hub, claims->booking_id)) {
    conn_error (c, SAMTAL_ERR_MEETING_CLOSED, "the meeting has ended", "join",
                SAMTAL_CLOSE_REFUSED);
    return NULL;
  }
  *info = (SamtalMeetingInfo) { claims->booking_id, claims->not_before,
                                claims->expires - hub->limits.grace_after_end_s, FALSE };
  if (hub->cbs.check_meeting != NULL &&
      (!hub->cbs.check_meeting (claims, info, &error, hub->user_data) || info->cancelled)) {
    conn_error (c, SAMTAL_ERR_MEETING_CLOSED, error ? error->message : "the meeting is closed",
                "join", SAMTAL_CLOSE_REFUSED);
    return NULL;
  }
  info->booking_id = claims->booking_id;
  return g_steal_pointer (&claims);
}

static SamtalJoinClaims *
claims_copy (const SamtalJoinClaims *c)
{
  SamtalJoinClaims *copy = samtal_join_claims_new ();
  *copy = *c;
  copy->participant_id = g_strdup (c->participant_id);
  copy->role = g_strdup (c->role);
  copy->name = g_strdup (c->name);
  return copy;
}

static void
remember_claims (SamtalHub *hub, gint64 meeting_id, const SamtalJoinClaims *claims)
{
  RoomCheck *rc = g_new0 (RoomCheck, 1);
  rc->claims = claims_copy (claims);
  rc->next_check_us = g_get_monotonic_time () +
                      (gint64) hub->limits.recheck_interval_s * G_USEC_PER_SEC;
  g_hash_table_insert (hub->checks, g_memdup2 (&meeting_id, sizeof meeting_id), rc);
}

static void
handle_join (SamtalHub *hub, Conn *c, const SamtalMsg *msg)
{
  SamtalMeetingInfo info = { 0 };
  g_autoptr (SamtalJoinClaims) claims = admit_join (hub, c, msg, &info);
  if (claims == NULL)
    return;
  g_autoptr (GError) error = NULL;
  SamtalRoom *room = room_get_or_create (hub, &info, &error);
  if (room == NULL) {
    conn_error (c, SAMTAL_ERR_MEDIA, error->message, "join", SAMTAL_CLOSE_REFUSED);
    return;
  }
  g_clear_handle_id (&c->join_timer, g_source_remove);
  SamtalRoomWho who = { claims->participant_id, claims->name, claims->role };
  g_autoptr (GPtrArray) out = samtal_room_actions_new ();
  if (samtal_room_join (room, c->id, &who, now_s (), out)) {
    c->meeting_id = info.booking_id;
    remember_claims (hub, info.booking_id, claims);
  }
  execute (hub, room, out);
}

/* ---- frames ---- */

/* Token bucket; TRUE when the frame may be handled. Answers and closes abusers itself. */
static gboolean
rate_ok (SamtalHub *hub, Conn *c)
{
  gint64 now = g_get_monotonic_time ();
  double rate = hub->limits.max_messages_per_sec;
  c->tokens = MIN (2 * rate, c->tokens + rate * (double) (now - c->refilled_us) / G_USEC_PER_SEC);
  c->refilled_us = now;
  if (c->tokens >= 1.0) {
    c->tokens -= 1.0;
    return TRUE;
  }
  if (now - c->window_start_us >= G_USEC_PER_SEC) {
    c->window_start_us = now;
    c->dropped_in_window = 0;
  }
  if (++c->dropped_in_window > 2 * hub->limits.max_messages_per_sec) {
    conn_error (c, SAMTAL_ERR_RATE_LIMITED, "too many messages; closing", NULL,
                SAMTAL_CLOSE_RATE_LIMITED);
  } else if (now - c->limited_error_us >= G_USEC_PER_SEC || c->limited_error_us == 0) {
    c->limited_error_us = now;
    conn_error (c, SAMTAL_ERR_RATE_LIMITED, "too many messages; this one was dropped", NULL, 0);
  }
  return FALSE;
}

/* A parse failure or a non-join first message. */
static void
refuse_frame (SamtalHub *hub, Conn *c, const char *code, const char *message)
{
  if (c->meeting_id == 0)
    conn_error (c, SAMTAL_ERR_NOT_JOINED, message, NULL, SAMTAL_CLOSE_NO_JOIN);
  else
    conn_error (c, code, message, NULL, 0);
}

static void
handle_frame (SamtalHub *hub, Conn *c, gint type, GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    refuse_frame (hub, c, SAMTAL_ERR_BAD_JSON, "binary frames are not part of the protocol");
    return;
  }
  if (len > hub->limits.max_message_bytes) {
    refuse_frame (hub, c, SAMTAL_ERR_TOO_LARGE, "message above 64 KiB");
    return;
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) msg = samtal_msg_parse (data, len, SAMTAL_MSG_FROM_CLIENT, &error);
  if (msg == NULL) {
    refuse_frame (hub, c, samtal_msg_error_wire_code (error), error->message);
    return;
  }
  /* Types only: a join carries a bearer token, which must never reach a log. */
  g_debug ("conn %" G_GUINT64_FORMAT " -> %s", c->id, samtal_msg_type_to_string (msg->type));
  if (c->meeting_id == 0) {
    if (msg->type == SAMTAL_MSG_JOIN)
      handle_join (hub, c, msg);
    else
      refuse_frame (hub, c, SAMTAL_ERR_NOT_JOINED, "the first message must be join");
    return;
  }
  SamtalRoom *room = room_lookup (hub, c->meeting_id);
  if (room == NULL)
    return;
  g_autoptr (GPtrArray) out = samtal_room_actions_new ();
  samtal_room_handle (room, c->id, msg, now_s (), out);
  execute (hub, room, out);
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *bytes, gpointer data)
{
  Conn *c = data;
  if (c->closing)
    return;
  c->last_activity_us = g_get_monotonic_time ();
  conn_ref (c);
  if (rate_ok (c->hub, c))
    handle_frame (c->hub, c, type, bytes);
  conn_unref (c);
}

static void
on_pong (SoupWebsocketConnection *ws, GBytes *bytes, gpointer data)
{
  ((Conn *) data)->last_activity_us = g_get_monotonic_time ();
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  Conn *c = data;
  SamtalHub *hub = c->hub;
  conn_ref (c);
  SamtalRoom *room = c->meeting_id != 0 ? room_lookup (hub, c->meeting_id) : NULL;
  c->meeting_id = 0;
  c->closing = TRUE;
  g_hash_table_remove (hub->conns, &c->id);
  if (room != NULL) {
    g_autoptr (GPtrArray) out = samtal_room_actions_new ();
    samtal_room_disconnect (room, c->id, out);
    execute (hub, room, out);
  }
  conn_unref (c);
}

static gboolean
on_join_timeout (gpointer data)
{
  Conn *c = data;
  c->join_timer = 0;
  if (c->meeting_id == 0 && !c->closing)
    conn_error (c, SAMTAL_ERR_JOIN_TIMEOUT, "no join message within the time limit", NULL,
                SAMTAL_CLOSE_NO_JOIN);
  return G_SOURCE_REMOVE;
}

/* Sockets that have not joined yet (each lives at most join_timeout_ms). */
static guint
count_unjoined (SamtalHub *hub)
{
  guint n = 0;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, hub->conns);
  while (g_hash_table_iter_next (&it, NULL, &value))
    n += ((Conn *) value)->meeting_id == 0 && !((Conn *) value)->closing ? 1 : 0;
  return n;
}

static void
on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *ws, gpointer data)
{
  SamtalHub *hub = data;
  Conn *c = g_new0 (Conn, 1);
  c->refs = 1;
  c->hub = hub;
  c->id = ++hub->next_conn_id;
  c->ws = g_object_ref (ws);
  c->tokens = 2.0 * hub->limits.max_messages_per_sec;
  c->refilled_us = c->last_activity_us = g_get_monotonic_time ();
  soup_websocket_connection_set_max_incoming_payload_size (ws, 2 * hub->limits.max_message_bytes);
  soup_websocket_connection_set_keepalive_interval (ws, hub->limits.keepalive_interval_s);
  c->handlers[0] = g_signal_connect (ws, "message", G_CALLBACK (on_message), c);
  c->handlers[1] = g_signal_connect (ws, "closed", G_CALLBACK (on_closed), c);
  c->handlers[2] = g_signal_connect (ws, "pong", G_CALLBACK (on_pong), c);
  g_hash_table_insert (hub->conns, &c->id, c);
  if (hub->shutting_down) {
    conn_close (c, SAMTAL_CLOSE_GOING_AWAY, "server shutting down");
    return;
  }
  if (count_unjoined (hub) > hub->limits.max_unjoined) {
    conn_error (c, SAMTAL_ERR_BUSY, "too many connections are joining; try again", NULL,
                SAMTAL_CLOSE_TRY_LATER);
    return;
  }
  c->join_timer = g_timeout_add (hub->limits.join_timeout_ms, on_join_timeout, c);
}

/* ---- time ---- */

static void
check_idle (SamtalHub *hub)
{
  gint64 limit = (gint64) hub->limits.idle_timeout_s * G_USEC_PER_SEC;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, hub->conns);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Conn *c = value;
    if (!c->closing && now - c->last_activity_us > limit)
      conn_error (c, SAMTAL_ERR_IDLE_TIMEOUT, "nothing received for too long", NULL,
                  SAMTAL_CLOSE_IDLE);
  }
}

/* Asks check_meeting again for a running meeting whose re-check is due. */
static void
recheck_room (SamtalHub *hub, SamtalRoom *room, GPtrArray *out)
{
  gint64 id = samtal_room_get_meeting_id (room);
  RoomCheck *rc = g_hash_table_lookup (hub->checks, &id);
  if (rc == NULL || hub->cbs.check_meeting == NULL || g_get_monotonic_time () < rc->next_check_us)
    return;
  rc->next_check_us = g_get_monotonic_time () +
                      (gint64) hub->limits.recheck_interval_s * G_USEC_PER_SEC;
  SamtalMeetingInfo info = { id, 0, 0, FALSE };
  g_autoptr (GError) error = NULL;
  if (hub->cbs.check_meeting (rc->claims, &info, &error, hub->user_data) && !info.cancelled) {
    samtal_room_set_ends_at (room, info.ends_at);
    return;
  }
  samtal_room_end (room, NULL, error ? error->message : "the booking was cancelled",
                   SAMTAL_CLOSE_ENDED, out);
}

static gboolean
on_tick (gpointer data)
{
  SamtalHub *hub = data;
  gint64 now = now_s ();
  g_autoptr (GList) rooms = g_hash_table_get_values (hub->rooms);
  for (GList *l = rooms; l != NULL; l = l->next) {
    g_autoptr (GPtrArray) out = samtal_room_actions_new ();
    hub->exec_depth++; /* keep every listed room alive until the loop is done */
    recheck_room (hub, l->data, out);
    samtal_room_tick (l->data, now, out);
    execute (hub, l->data, out);
    hub->exec_depth--;
  }
  collect_rooms (hub);
  GHashTableIter it;
  gpointer until;
  g_hash_table_iter_init (&it, hub->ended);
  while (g_hash_table_iter_next (&it, NULL, &until))
    if (*(gint64 *) until < now)
      g_hash_table_iter_remove (&it);
  check_idle (hub);
  return G_SOURCE_CONTINUE;
}

/* ---- relay events ---- */

static void
ev_description (const char *room_id, const char *pid, const char *type, const char *sdp,
                const SamtalRelayTrack *tracks, guint n_tracks, gpointer data)
{
  SamtalHub *hub = data;
  SamtalRoom *room = room_lookup_by_id (hub, room_id);
  if (room == NULL)
    return;
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_track_free);
  for (guint i = 0; tracks != NULL && i < n_tracks; i++)
    g_ptr_array_add (list, samtal_msg_track_new (tracks[i].mid, tracks[i].source_participant_id,
                                                 tracks[i].kind));
  g_autoptr (GPtrArray) out = samtal_room_actions_new ();
  samtal_room_relay_description (room, pid, type, sdp, list, out);
  execute (hub, room, out);
}

static void
ev_candidate (const char *room_id, const char *pid, guint mline_index, const char *candidate,
              gpointer data)
{
  SamtalHub *hub = data;
  SamtalRoom *room = room_lookup_by_id (hub, room_id);
  if (room == NULL)
    return;
  g_autoptr (GPtrArray) out = samtal_room_actions_new ();
  samtal_room_relay_candidate (room, pid, mline_index, candidate, out);
  execute (hub, room, out);
}

static void
ev_connection_state (const char *room_id, const char *pid, const char *state, gpointer data)
{
  g_debug ("media of %s in room %s: %s", pid, room_id, state);
}

static void
ev_failed (const char *room_id, const char *pid, const char *reason, gpointer data)
{
  SamtalHub *hub = data;
  SamtalRoom *room = room_lookup_by_id (hub, room_id);
  if (room == NULL)
    return;
  g_autoptr (GPtrArray) out = samtal_room_actions_new ();
  samtal_room_relay_failed (room, pid, reason, out);
  execute (hub, room, out);
}

static const SamtalRelayEvents hub_relay_events = {
  ev_description, ev_candidate, ev_connection_state, ev_failed,
};

const SamtalRelayEvents *
samtal_hub_relay_events (void)
{
  return &hub_relay_events;
}

/* ---- life cycle ---- */

static void
apply_defaults (SamtalHubLimits *l)
{
  l->join_timeout_ms = l->join_timeout_ms ? l->join_timeout_ms : 5000;
  l->max_message_bytes = l->max_message_bytes ? l->max_message_bytes : SAMTAL_MSG_MAX_BYTES;
  l->max_messages_per_sec = l->max_messages_per_sec ? l->max_messages_per_sec : 50;
  l->grace_after_end_s = l->grace_after_end_s ? l->grace_after_end_s : 1800;
  l->keepalive_interval_s = l->keepalive_interval_s ? l->keepalive_interval_s : 15;
  l->idle_timeout_s = l->idle_timeout_s ? l->idle_timeout_s : 60;
  l->max_admitted = l->max_admitted ? l->max_admitted : 6;
  l->max_connections = l->max_connections ? l->max_connections : 16;
  l->recheck_interval_s = l->recheck_interval_s ? l->recheck_interval_s : 30;
  l->max_unjoined = l->max_unjoined ? l->max_unjoined : 256;
}

SamtalHub *
samtal_hub_new_with_ops (const guint8 *key, const SamtalHubRelayOps *ops, gpointer relay,
                         const SamtalHubCallbacks *callbacks, gpointer user_data,
                         const SamtalHubLimits *limits)
{
  SamtalHub *hub = g_new0 (SamtalHub, 1);
  memcpy (hub->key, key, SAMTAL_TOKEN_KEY_BYTES);
  hub->ops = ops;
  hub->relay = relay;
  if (callbacks != NULL)
    hub->cbs = *callbacks;
  hub->user_data = user_data;
  if (limits != NULL)
    hub->limits = *limits;
  apply_defaults (&hub->limits);
  hub->conns = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                      (GDestroyNotify) conn_unref);
  hub->rooms = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify) samtal_room_free);
  hub->ended = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  hub->checks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify) room_check_free);
  hub->tick_source = g_timeout_add_seconds (TICK_INTERVAL_S, on_tick, hub);
  return hub;
}

void
samtal_hub_set_relay (SamtalHub *hub, SamtalRelay *relay)
{
  hub->relay = relay;
}

void
samtal_hub_attach (SamtalHub *hub, SoupServer *server, const char *path)
{
  g_return_if_fail (hub->server == NULL);
  soup_server_add_websocket_handler (server, path, NULL, NULL, on_websocket, hub, NULL);
  hub->server = server;
  hub->path = g_strdup (path);
  g_object_add_weak_pointer (G_OBJECT (server), (gpointer *) &hub->server);
}

/* A server that outlives the hub must not call into it. */
static void
detach (SamtalHub *hub)
{
  if (hub->server == NULL)
    return;
  soup_server_remove_handler (hub->server, hub->path);
  g_object_remove_weak_pointer (G_OBJECT (hub->server), (gpointer *) &hub->server);
  hub->server = NULL;
}

void
samtal_hub_shutdown (SamtalHub *hub)
{
  if (hub->shutting_down)
    return;
  hub->shutting_down = TRUE;
  g_autoptr (GList) rooms = g_hash_table_get_values (hub->rooms);
  hub->exec_depth++;
  for (GList *l = rooms; l != NULL; l = l->next) {
    g_autoptr (GPtrArray) out = samtal_room_actions_new ();
    samtal_room_end (l->data, NULL, "server shutting down", SAMTAL_CLOSE_GOING_AWAY, out);
    execute (hub, l->data, out);
  }
  hub->exec_depth--;
  collect_rooms (hub);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, hub->conns);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (!((Conn *) value)->closing)
      conn_close (value, SAMTAL_CLOSE_GOING_AWAY, "server shutting down");
}

void
samtal_hub_free (SamtalHub *hub)
{
  if (hub == NULL)
    return;
  samtal_hub_shutdown (hub);
  detach (hub);
  g_free (hub->path);
  g_clear_handle_id (&hub->tick_source, g_source_remove);
  g_hash_table_destroy (hub->conns);
  g_hash_table_destroy (hub->rooms);
  g_hash_table_destroy (hub->ended);
  g_hash_table_destroy (hub->checks);
  g_free (hub);
}

void
samtal_hub_get_stats (SamtalHub *hub, SamtalHubStats *stats)
{
  *stats = (SamtalHubStats) { 0 };
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, hub->rooms);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    stats->meetings++;
    stats->participants += samtal_room_n_connected (value);
    stats->waiting += samtal_room_n_waiting (value);
  }
}
