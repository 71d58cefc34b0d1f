/* Hub tests over real WebSockets: a SoupServer on 127.0.0.1 with the hub attached, a fake relay
 * (no GStreamer) that records the calls it gets, and libsoup WebSocket clients. Covers the join
 * handshake (timeout, forged/expired/other-meeting tokens, cancelled bookings), frame limits,
 * rate limiting, garbage frames, the waiting room with admission and negotiation through the
 * relay, rejoin, leave and end. No timing assertions: waits poll the main loop with a generous
 * deadline. */
#include "hub.h"
#include "message.h"
#include "sdp-samples.h"

#include <sodium.h>
#include <string.h>

#define DEADLINE_S 30

typedef struct {
  GPtrArray *calls;     /* "add 42 u7", "sdp 42 u12 offer", … */
  gboolean fail_add;
} FakeRelay;

typedef struct {
  guint8 key[SAMTAL_TOKEN_KEY_BYTES];
  SoupServer *server;
  SamtalHub *hub;
  FakeRelay relay;
  GPtrArray *audits;    /* "u7 meeting.join 42" */
  gboolean cancel_42;   /* check_meeting refuses booking 42 too */
  char *url;
  SoupSession *session;
} Fixture;

typedef struct {
  SoupWebsocketConnection *ws;
  GPtrArray *msgs;      /* SamtalMsg* received, in order */
  gboolean closed;
  gushort close_code;
  GError *connect_error;
  gboolean connect_done;
} Client;

/* ---- the fake relay ---- */

static void
record (gpointer relay, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
static void
record (gpointer relay, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (((FakeRelay *) relay)->calls, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

static gboolean
fake_create (gpointer relay, const char *room, GError **error)
{
  record (relay, "create %s", room);
  return TRUE;
}

static void
fake_destroy (gpointer relay, const char *room)
{
  record (relay, "destroy %s", room);
}

static gboolean
fake_add (gpointer relay, const char *room, const char *pid, GError **error)
{
  record (relay, "add %s %s", room, pid);
  if (((FakeRelay *) relay)->fail_add) {
    g_set_error_literal (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_ROOM_FULL, "relay full");
    return FALSE;
  }
  return TRUE;
}

static void
fake_remove (gpointer relay, const char *room, const char *pid)
{
  record (relay, "remove %s %s", room, pid);
}

static gboolean
fake_sdp (gpointer relay, const char *room, const char *pid, const char *type, const char *sdp,
          GError **error)
{
  record (relay, "sdp %s %s %s", room, pid, type);
  return TRUE;
}

static gboolean
fake_ice (gpointer relay, const char *room, const char *pid, guint mline, const char *cand,
          GError **error)
{
  record (relay, "ice %s %s %u", room, pid, mline);
  return TRUE;
}

static const SamtalHubRelayOps fake_ops = {
  fake_create, fake_destroy, fake_add, fake_remove, fake_sdp, fake_ice,
};

/* ---- hub callbacks: booking 42 is open, 43 is cancelled ---- */

static gboolean
check_meeting (const SamtalJoinClaims *claims, SamtalMeetingInfo *info, GError **error,
               gpointer data)
{
  Fixture *f = data;
  if (claims->booking_id == 43 || (claims->booking_id == 42 && f->cancel_42)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "this meeting was cancelled");
    return FALSE;
  }
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  info->booking_id = claims->booking_id;
  info->starts_at = now - 60;
  info->ends_at = now + 3600;
  return TRUE;
}

static void
audit (const char *actor, const char *action, const char *object_type, gint64 object_id,
       const char *detail, gpointer data)
{
  Fixture *f = data;
  g_ptr_array_add (f->audits, g_strdup_printf ("%s %s %" G_GINT64_FORMAT, actor, action,
                                               object_id));
}

/* ---- fixture ---- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  randombytes_buf (f->key, sizeof f->key);
  f->relay.calls = g_ptr_array_new_with_free_func (g_free);
  f->audits = g_ptr_array_new_with_free_func (g_free);
  SamtalHubCallbacks cbs = { check_meeting, audit };
  SamtalHubLimits limits = { .join_timeout_ms = 1000, .max_messages_per_sec = 20 };
  if (data != NULL)
    limits = *(const SamtalHubLimits *) data;
  f->hub = samtal_hub_new_with_ops (f->key, &fake_ops, &f->relay, &cbs, f, &limits);
  f->server = soup_server_new (NULL, NULL);
  samtal_hub_attach (f->hub, f->server, "/ws");
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GError) error = NULL;
  g_assert_true (soup_server_listen (f->server, addr, 0, &error));
  g_assert_no_error (error);
  /* (soup_server_get_uris leaks in libsoup 3.2; ask the listening socket instead) */
  GSList *listeners = soup_server_get_listeners (f->server);
  g_assert_nonnull (listeners);
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (listeners->data, &error);
  g_assert_no_error (error);
  g_slist_free (listeners);
  f->url = g_strdup_printf ("ws://127.0.0.1:%u/ws",
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  f->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  samtal_hub_free (f->hub);
  soup_server_disconnect (f->server);
  g_object_unref (f->server);
  g_object_unref (f->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (f->relay.calls);
  g_ptr_array_unref (f->audits);
  g_free (f->url);
}

/* Iterates the main loop until *flag or the deadline (then fails). */
static void
wait_until (gboolean (*cond) (gpointer), gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  while (!cond (data)) {
    if (g_get_monotonic_time () > deadline)
      g_error ("timed out waiting for %s", what);
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
}

/* ---- clients ---- */

static void
on_client_message (SoupWebsocketConnection *ws, gint type, GBytes *bytes, gpointer data)
{
  Client *c = data;
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_autoptr (GError) error = NULL;
  SamtalMsg *m = samtal_msg_parse (text, len, SAMTAL_MSG_FROM_SERVER, &error);
  if (m == NULL)
    g_error ("server sent an invalid message (%s): %.*s", error->message, (int) len, text);
  g_ptr_array_add (c->msgs, m);
}

static void
on_client_closed (SoupWebsocketConnection *ws, gpointer data)
{
  Client *c = data;
  c->closed = TRUE;
  c->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer data)
{
  Client *c = data;
  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &c->connect_error);
  c->connect_done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((Client *) data)->connect_done;
}

static Client *
client_connect (Fixture *f)
{
  Client *c = g_new0 (Client, 1);
  c->msgs = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_free);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", f->url);
  soup_session_websocket_connect_async (f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, c);
  wait_until (connect_done, c, "the WebSocket to open");
  g_assert_no_error (c->connect_error);
  soup_websocket_connection_set_max_incoming_payload_size (c->ws, 1 << 20);
  g_signal_connect (c->ws, "message", G_CALLBACK (on_client_message), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (on_client_closed), c);
  return c;
}

static void
client_free (Client *c)
{
  if (c->ws != NULL) {
    g_signal_handlers_disconnect_by_data (c->ws, c);
    if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref (c->ws);
  }
  g_ptr_array_unref (c->msgs);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_send (Client *c, const char *text)
{
  soup_websocket_connection_send_text (c->ws, text);
}

typedef struct {
  Client *c;
  SamtalMsgType type;
  const char *detail;   /* error code, presence event, or NULL */
  guint from;           /* index to search from */
} Expect;

static const SamtalMsg *
find (Client *c, SamtalMsgType type, const char *detail, guint from)
{
  for (guint i = from; i < c->msgs->len; i++) {
    const SamtalMsg *m = g_ptr_array_index (c->msgs, i);
    if (m->type != type)
      continue;
    if (detail == NULL || (type == SAMTAL_MSG_ERROR && g_strcmp0 (m->code, detail) == 0) ||
        (type == SAMTAL_MSG_PRESENCE && g_strcmp0 (m->event, detail) == 0))
      return m;
  }
  return NULL;
}

static gboolean
expect_cond (gpointer data)
{
  Expect *e = data;
  return find (e->c, e->type, e->detail, e->from) != NULL;
}

/* Waits for a message of type (and error code / presence event) arriving at or after index from. */
static const SamtalMsg *
expect_from (Client *c, guint from, SamtalMsgType type, const char *detail)
{
  Expect e = { c, type, detail, from };
  g_autofree char *what = g_strdup_printf ("%s %s", samtal_msg_type_to_string (type),
                                           detail ? detail : "");
  wait_until (expect_cond, &e, what);
  return find (c, type, detail, from);
}

static const SamtalMsg *
expect (Client *c, SamtalMsgType type, const char *detail)
{
  return expect_from (c, 0, type, detail);
}

static gboolean
closed_cond (gpointer data)
{
  return ((Client *) data)->closed;
}

static void
expect_closed (Client *c, gushort code)
{
  wait_until (closed_cond, c, "the socket to close");
  g_assert_cmpuint (c->close_code, ==, code);
}

static char *
mint (Fixture *f, const guint8 *key, gint64 booking, const char *pid, const char *role,
      gint64 nbf_offset, gint64 exp_offset)
{
  g_autoptr (SamtalJoinClaims) c = samtal_join_claims_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  c->booking_id = booking;
  c->participant_id = g_strdup (pid);
  c->role = g_strdup (role);
  c->name = g_strdup (pid);
  c->not_before = now + nbf_offset;
  c->expires = now + exp_offset;
  return samtal_token_mint (key ? key : f->key, c);
}

static void
client_join (Fixture *f, Client *c, const char *pid, const char *role)
{
  g_autofree char *token = mint (f, NULL, 42, pid, role, -60, 3600);
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"token\":\"%s\"}", token);
  client_send (c, join);
  expect (c, SAMTAL_MSG_JOINED, NULL);
}

static gboolean
has_string (GPtrArray *list, const char *s)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (g_ptr_array_index (list, i), s) == 0)
      return TRUE;
  return FALSE;
}

/* ---- tests ---- */

static void
test_join_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) c = client_connect (f);
  expect (c, SAMTAL_MSG_ERROR, "join_timeout");
  expect_closed (c, SAMTAL_CLOSE_NO_JOIN);
}

static void
test_first_message_not_join (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) c = client_connect (f);
  client_send (c, "{\"type\":\"ping\"}");
  const SamtalMsg *e = expect (c, SAMTAL_MSG_ERROR, "not_joined");
  g_assert_true (e->fatal);
  expect_closed (c, SAMTAL_CLOSE_NO_JOIN);
}

static void
refused_join (Fixture *f, const char *token, const char *extra, const char *code)
{
  g_autoptr (Client) c = client_connect (f);
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"token\":\"%s\"%s}", token, extra);
  client_send (c, join);
  expect (c, SAMTAL_MSG_ERROR, code);
  expect_closed (c, SAMTAL_CLOSE_REFUSED);
  g_assert_null (find (c, SAMTAL_MSG_JOINED, NULL, 0));
}

static void
test_tokens_refused (Fixture *f, gconstpointer data)
{
  guint8 other[SAMTAL_TOKEN_KEY_BYTES];
  randombytes_buf (other, sizeof other);
  g_autofree char *forged = mint (f, other, 42, "u12", "client", -60, 3600);
  refused_join (f, forged, "", "token_invalid");
  refused_join (f, "st1.garbage.garbage", "", "token_invalid");
  g_autofree char *expired = mint (f, NULL, 42, "u12", "client", -7200, -60);
  refused_join (f, expired, "", "token_expired");
  g_autofree char *early = mint (f, NULL, 42, "u12", "client", 600, 3600);
  refused_join (f, early, "", "token_expired");
  g_autofree char *other_meeting = mint (f, NULL, 41, "u12", "client", -60, 3600);
  refused_join (f, other_meeting, ",\"meeting_id\":42", "wrong_meeting");
  g_autofree char *cancelled = mint (f, NULL, 43, "u12", "client", -60, 3600);
  refused_join (f, cancelled, "", "meeting_closed");
  g_assert_false (has_string (f->relay.calls, "add 42 u12"));
  g_assert_cmpuint (f->audits->len, ==, 0);
}

static void
test_garbage_frames (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) c = client_connect (f);
  client_join (f, c, "u7", "caseworker");
  guint n = c->msgs->len;
  static const guint8 bin[] = { 0, 1, 2, 3, 0xff };
  soup_websocket_connection_send_binary (c->ws, bin, sizeof bin);
  expect_from (c, n, SAMTAL_MSG_ERROR, "bad_json");
  n = c->msgs->len;
  client_send (c, "{\"type\": oops");
  expect_from (c, n, SAMTAL_MSG_ERROR, "bad_json");
  client_send (c, "{\"type\":\"teleport\"}");
  expect_from (c, n, SAMTAL_MSG_ERROR, "unknown_type");
  client_send (c, "{\"type\":\"admit\"}");
  expect_from (c, n, SAMTAL_MSG_ERROR, "bad_message");
  client_send (c, "[]");
  client_send (c, "{\"type\":\"ping\"}");
  expect (c, SAMTAL_MSG_PONG, NULL);
  g_assert_false (c->closed);
}

static void
test_oversize (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) c = client_connect (f);
  client_join (f, c, "u7", "caseworker");
  g_autofree char *pad = g_strnfill (SAMTAL_MSG_MAX_BYTES + 100, 'x');
  g_autofree char *big = g_strdup_printf ("{\"type\":\"ping\",\"pad\":\"%s\"}", pad);
  client_send (c, big);
  const SamtalMsg *e = expect (c, SAMTAL_MSG_ERROR, "too_large");
  g_assert_false (e->fatal);
  client_send (c, "{\"type\":\"ping\"}");
  expect (c, SAMTAL_MSG_PONG, NULL);
  /* Far above the limit the transport itself drops the connection (libsoup sends 1009, but the
   * client may see the stream end before the close frame). */
  g_autofree char *huge_pad = g_strnfill (300000, 'x');
  g_autofree char *huge = g_strdup_printf ("{\"type\":\"ping\",\"pad\":\"%s\"}", huge_pad);
  client_send (c, huge);
  wait_until (closed_cond, c, "the socket to close");
  g_assert_true (c->close_code == SOUP_WEBSOCKET_CLOSE_TOO_BIG || c->close_code == 0);
}

static void
test_flood (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) c = client_connect (f);
  client_join (f, c, "u7", "caseworker");
  for (int i = 0; i < 300; i++)
    client_send (c, "{\"type\":\"ping\"}");
  expect (c, SAMTAL_MSG_ERROR, "rate_limited");
  expect_closed (c, SAMTAL_CLOSE_RATE_LIMITED);
  g_assert_nonnull (find (c, SAMTAL_MSG_PONG, NULL, 0)); /* the burst was served */
}

static void
relay_answer (Fixture *f, const char *pid, const char *type, gboolean with_tracks)
{
  SamtalRelayTrack tracks[] = { { "2", "u7", "audio" }, { "3", "u7", "video" } };
  samtal_hub_relay_events ()->local_description ("42", pid, type, "v=0 from relay",
                                                 with_tracks ? tracks : NULL,
                                                 with_tracks ? 2 : 0, f->hub);
}

static void
test_waiting_room_flow (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) staff = client_connect (f);
  client_join (f, staff, "u7", "caseworker");
  g_assert_cmpstr (expect (staff, SAMTAL_MSG_JOINED, NULL)->state, ==, "admitted");
  g_assert_true (has_string (f->relay.calls, "create 42"));
  g_assert_true (has_string (f->relay.calls, "add 42 u7"));

  g_autoptr (Client) client = client_connect (f);
  client_join (f, client, "u12", "client");
  g_assert_cmpstr (expect (client, SAMTAL_MSG_JOINED, NULL)->state, ==, "waiting");
  expect (staff, SAMTAL_MSG_PRESENCE, "joined");
  g_autofree char *offer = g_strescape (SAMPLE_OFFER, NULL);
  g_autofree char *offer_msg = g_strdup_printf ("{\"type\":\"offer\",\"sdp\":\"%s\"}", offer);
  client_send (client, offer_msg);
  expect (client, SAMTAL_MSG_ERROR, "not_admitted");
  g_assert_false (has_string (f->relay.calls, "add 42 u12"));

  client_send (staff, "{\"type\":\"admit\",\"participant_id\":\"u12\"}");
  expect (client, SAMTAL_MSG_ADMITTED, NULL);
  expect (staff, SAMTAL_MSG_PRESENCE, "admitted");
  g_assert_true (has_string (f->relay.calls, "add 42 u12"));
  g_assert_true (has_string (f->audits, "u7 meeting.admit 42"));

  client_send (client, offer_msg);
  client_send (client, "{\"type\":\"ice\",\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\","
                       "\"sdpMLineIndex\":0}");
  client_send (client, "{\"type\":\"ping\"}");
  expect (client, SAMTAL_MSG_PONG, NULL);
  g_assert_true (has_string (f->relay.calls, "sdp 42 u12 offer"));
  g_assert_true (has_string (f->relay.calls, "ice 42 u12 0"));

  relay_answer (f, "u12", "answer", FALSE);
  g_assert_cmpstr (expect (client, SAMTAL_MSG_ANSWER, NULL)->sdp, ==, "v=0 from relay");
  samtal_hub_relay_events ()->local_candidate ("42", "u12", 0, "candidate:2 1 UDP 1 127.0.0.1 10 typ host", f->hub);
  expect (client, SAMTAL_MSG_ICE, NULL);
  relay_answer (f, "u12", "offer", TRUE);
  const SamtalMsg *o = expect (client, SAMTAL_MSG_OFFER, NULL);
  g_assert_cmpuint (o->tracks->len, ==, 2);
  g_assert_cmpstr (((SamtalMsgTrack *) o->tracks->pdata[0])->participant_id, ==, "u7");
  g_autofree char *answer = g_strescape (SAMPLE_ANSWER, NULL);
  g_autofree char *answer_msg = g_strdup_printf ("{\"type\":\"answer\",\"sdp\":\"%s\"}", answer);
  client_send (client, answer_msg);
  client_send (client, "{\"type\":\"mute\",\"kind\":\"audio\",\"muted\":true}");
  expect (staff, SAMTAL_MSG_PRESENCE, "muted");
  g_assert_true (has_string (f->relay.calls, "sdp 42 u12 answer"));

  /* Media failure removes only the client's media; it may offer again. */
  samtal_hub_relay_events ()->participant_failed ("42", "u12", "ICE failed", f->hub);
  expect (client, SAMTAL_MSG_MEDIA_FAILED, NULL);
  expect (staff, SAMTAL_MSG_PRESENCE, "media_failed");

  client_send (client, "{\"type\":\"leave\"}");
  expect_closed (client, SAMTAL_CLOSE_NORMAL);
  expect (staff, SAMTAL_MSG_PRESENCE, "left");
  g_assert_true (has_string (f->audits, "u12 meeting.leave 42"));

  SamtalHubStats stats;
  samtal_hub_get_stats (f->hub, &stats);
  g_assert_cmpuint (stats.meetings, ==, 1);
  g_assert_cmpuint (stats.participants, ==, 1);

  client_send (staff, "{\"type\":\"end\"}");
  g_assert_cmpstr (expect (staff, SAMTAL_MSG_ENDED, NULL)->reason, ==, "ended by staff");
  expect_closed (staff, SAMTAL_CLOSE_ENDED);
  g_assert_true (has_string (f->relay.calls, "destroy 42"));
  g_assert_true (has_string (f->audits, "u7 meeting.end 42"));
  samtal_hub_get_stats (f->hub, &stats);
  g_assert_cmpuint (stats.meetings, ==, 0);

  /* Ended meetings refuse joins. */
  g_autofree char *token = mint (f, NULL, 42, "u12", "client", -60, 3600);
  refused_join (f, token, "", "meeting_closed");
}

static void
test_rejoin_replaces (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) first = client_connect (f);
  client_join (f, first, "u7", "caseworker");
  g_autoptr (Client) second = client_connect (f);
  client_join (f, second, "u7", "caseworker");
  expect_closed (first, SAMTAL_CLOSE_REPLACED);
  g_assert_cmpstr (expect (second, SAMTAL_MSG_JOINED, NULL)->state, ==, "admitted");
  client_send (second, "{\"type\":\"ping\"}");
  expect (second, SAMTAL_MSG_PONG, NULL);
  SamtalHubStats stats;
  samtal_hub_get_stats (f->hub, &stats);
  g_assert_cmpuint (stats.participants, ==, 1);
}

static void
test_relay_refuses (Fixture *f, gconstpointer data)
{
  f->relay.fail_add = TRUE;
  g_autoptr (Client) staff = client_connect (f);
  client_join (f, staff, "u7", "caseworker");
  expect (staff, SAMTAL_MSG_ERROR, "media_error");
  g_assert_false (staff->closed);
}

static void
test_shutdown (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) staff = client_connect (f);
  client_join (f, staff, "u7", "caseworker");
  g_autoptr (Client) idle = client_connect (f);
  samtal_hub_shutdown (f->hub);
  g_assert_cmpstr (expect (staff, SAMTAL_MSG_ENDED, NULL)->reason, ==, "server shutting down");
  expect_closed (staff, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  expect_closed (idle, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

/* With keepalive pings far apart, a silent client is closed once the idle timeout passes; one
 * that keeps talking is not. */
static void
test_idle_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) quiet = client_connect (f);
  client_join (f, quiet, "u7", "caseworker");
  g_autoptr (Client) chatty = client_connect (f);
  client_join (f, chatty, "u12", "client");
  const SamtalMsg *e = NULL;
  while ((e = find (quiet, SAMTAL_MSG_ERROR, "idle_timeout", 0)) == NULL) {
    client_send (chatty, "{\"type\":\"ping\"}");
    guint n = chatty->msgs->len;
    expect_from (chatty, n, SAMTAL_MSG_PONG, NULL);
    g_usleep (100 * 1000);
  }
  g_assert_true (e->fatal);
  expect_closed (quiet, SAMTAL_CLOSE_IDLE);
  g_assert_false (chatty->closed);
  g_assert_null (find (chatty, SAMTAL_MSG_ERROR, "idle_timeout", 0));
  expect (chatty, SAMTAL_MSG_PRESENCE, "left");
}

/* A booking cancelled while its meeting runs ends the meeting at the next re-check. */
static void
test_cancelled_while_running (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) staff = client_connect (f);
  client_join (f, staff, "u7", "caseworker");
  f->cancel_42 = TRUE;
  const SamtalMsg *ended = expect (staff, SAMTAL_MSG_ENDED, NULL);
  g_assert_cmpstr (ended->reason, ==, "this meeting was cancelled");
  expect_closed (staff, SAMTAL_CLOSE_ENDED);
  g_assert_true (has_string (f->audits, "system meeting.end 42"));
  g_assert_true (has_string (f->relay.calls, "destroy 42"));
}

/* Sockets that have not joined are capped hub-wide; joined ones do not count. */
static void
test_unjoined_cap (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) joined = client_connect (f);
  client_join (f, joined, "u7", "caseworker");
  g_autoptr (Client) a = client_connect (f);
  g_autoptr (Client) b = client_connect (f);
  g_autoptr (Client) c = client_connect (f);
  expect (c, SAMTAL_MSG_ERROR, "busy");
  expect_closed (c, SAMTAL_CLOSE_TRY_LATER);
  g_assert_false (a->closed);
  g_assert_false (b->closed);
  client_send (joined, "{\"type\":\"ping\"}");
  expect (joined, SAMTAL_MSG_PONG, NULL);
}

static const SamtalHubLimits unjoined_limits = {
  .join_timeout_ms = 20000, .max_unjoined = 2,
};

static const SamtalHubLimits recheck_limits = {
  .join_timeout_ms = 5000, .recheck_interval_s = 1,
};

static const SamtalHubLimits idle_limits = {
  .join_timeout_ms = 5000, .keepalive_interval_s = 600, .idle_timeout_s = 3,
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (sodium_init () >= 0);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/signaling/hub/join-timeout", test_join_timeout);
  ADD ("/signaling/hub/first-message-not-join", test_first_message_not_join);
  ADD ("/signaling/hub/tokens-refused", test_tokens_refused);
  ADD ("/signaling/hub/garbage-frames", test_garbage_frames);
  ADD ("/signaling/hub/oversize", test_oversize);
  ADD ("/signaling/hub/flood", test_flood);
  ADD ("/signaling/hub/waiting-room-flow", test_waiting_room_flow);
  ADD ("/signaling/hub/rejoin-replaces", test_rejoin_replaces);
  ADD ("/signaling/hub/relay-refuses", test_relay_refuses);
  ADD ("/signaling/hub/shutdown", test_shutdown);
  g_test_add ("/signaling/hub/cancelled-while-running", Fixture, &recheck_limits, fixture_set_up,
              test_cancelled_while_running, fixture_tear_down);
  g_test_add ("/signaling/hub/unjoined-cap", Fixture, &unjoined_limits, fixture_set_up,
              test_unjoined_cap, fixture_tear_down);
  g_test_add ("/signaling/hub/idle-timeout", Fixture, &idle_limits, fixture_set_up,
              test_idle_timeout, fixture_tear_down);
  return g_test_run ();
}
