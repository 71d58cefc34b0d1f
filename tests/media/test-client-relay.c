/* test-client-relay.c — samtal-client against the real relay (relay/relay.h) behind a minimal
 * stand-in for the signaling hub, without the server, bookings or tokens: every participant is
 * admitted at join and its participant id is its "token". This checks the client's media path
 * (offer, the relay's answer and renegotiation offers with their track map, trickle ICE on
 * 127.0.0.1, decoding, frame attribution) in isolation from the rest of the server:
 *   - two clients each decode ≥ 60 frames of the other, while the relay holds no codec element;
 *   - a third client joining late decodes both others, and they decode it.
 * The real hub and server are exercised by tests/integration/meeting.
 */
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "relay/relay.h"

#define ROOM "1"

typedef struct {
  SamtalRelay *relay;
  GHashTable *conns;     /* participant id → SoupWebsocketConnection* */
} MiniHub;

typedef struct {
  GSubprocess *process;
  gboolean exited;
  int status;
} Proc;

static void
send_json (SoupWebsocketConnection *ws, JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (ws, text);
}

static void
participant_json (JsonBuilder *b, const char *pid)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "participant_id");
  json_builder_add_string_value (b, pid);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, pid);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "caseworker");
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, "admitted");
  json_builder_end_object (b);
}

static void
presence (MiniHub *hub, const char *event, const char *pid)
{
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, hub->conns);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    if (g_strcmp0 (key, pid) == 0)
      continue;
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "type");
    json_builder_add_string_value (b, "presence");
    json_builder_set_member_name (b, "event");
    json_builder_add_string_value (b, event);
    json_builder_set_member_name (b, "participant");
    participant_json (b, pid);
    json_builder_end_object (b);
    send_json (value, b);
  }
}

static void
handle_join (MiniHub *hub, SoupWebsocketConnection *ws, const char *pid)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "joined");
  json_builder_set_member_name (b, "meeting_id");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "participant_id");
  json_builder_add_string_value (b, pid);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "caseworker");
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, "admitted");
  json_builder_set_member_name (b, "participants");
  json_builder_begin_array (b);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, hub->conns);
  while (g_hash_table_iter_next (&it, &key, NULL))
    participant_json (b, key);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_hash_table_replace (hub->conns, g_strdup (pid), g_object_ref (ws));
  g_object_set_data_full (G_OBJECT (ws), "pid", g_strdup (pid), g_free);
  send_json (ws, b);
  presence (hub, "joined", pid);
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_relay_add_participant (hub->relay, ROOM, pid, &error));
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint kind, GBytes *bytes, gpointer data)
{
  MiniHub *hub = data;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_assert_true (json_parser_load_from_data (parser, text, (gssize) len, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  const char *type = json_object_get_string_member (o, "type");
  const char *pid = g_object_get_data (G_OBJECT (ws), "pid");
  g_autoptr (GError) error = NULL;
  if (g_strcmp0 (type, "join") == 0) {
    handle_join (hub, ws, json_object_get_string_member (o, "token"));
  } else if (g_strcmp0 (type, "offer") == 0 || g_strcmp0 (type, "answer") == 0) {
    if (!samtal_relay_set_remote_description (hub->relay, ROOM, pid, type,
                                              json_object_get_string_member (o, "sdp"), &error))
      g_printerr ("# relay refused %s of %s: %s\n", type, pid, error->message);
  } else if (g_strcmp0 (type, "ice") == 0) {
    samtal_relay_add_remote_candidate (hub->relay, ROOM, pid,
                                       (guint) json_object_get_int_member (o, "sdpMLineIndex"),
                                       json_object_get_string_member (o, "candidate"), &error);
  }
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer data)
{
  MiniHub *hub = data;
  const char *pid = g_object_get_data (G_OBJECT (ws), "pid");
  if (pid == NULL || g_hash_table_lookup (hub->conns, pid) != ws)
    return;
  g_autofree char *id = g_strdup (pid);
  samtal_relay_remove_participant (hub->relay, ROOM, id);
  g_hash_table_remove (hub->conns, id);
  presence (hub, "left", id);
}

static void
on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *ws, gpointer data)
{
  g_object_ref (ws);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), data);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), data);
  g_signal_connect (ws, "closed", G_CALLBACK (g_object_unref), NULL);
}

/* ---- relay events → the participants' sockets ---- */

static void
relay_description (const char *room, const char *pid, const char *type, const char *sdp,
                   const SamtalRelayTrack *tracks, guint n, gpointer data)
{
  MiniHub *hub = data;
  SoupWebsocketConnection *ws = g_hash_table_lookup (hub->conns, pid);
  if (ws == NULL)
    return;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, sdp);
  if (g_strcmp0 (type, "offer") == 0) {
    json_builder_set_member_name (b, "tracks");
    json_builder_begin_array (b);
    for (guint i = 0; i < n; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "mid");
      json_builder_add_string_value (b, tracks[i].mid);
      json_builder_set_member_name (b, "participant_id");
      json_builder_add_string_value (b, tracks[i].source_participant_id);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, tracks[i].kind);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
  send_json (ws, b);
}

static void
relay_candidate (const char *room, const char *pid, guint mline, const char *candidate,
                 gpointer data)
{
  MiniHub *hub = data;
  SoupWebsocketConnection *ws = g_hash_table_lookup (hub->conns, pid);
  if (ws == NULL)
    return;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "ice");
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, candidate);
  json_builder_set_member_name (b, "sdpMLineIndex");
  json_builder_add_int_value (b, mline);
  json_builder_end_object (b);
  send_json (ws, b);
}

static void
relay_state (const char *room, const char *pid, const char *state, gpointer data)
{
  g_test_message ("relay: %s is %s", pid, state);
}

static void
relay_failed (const char *room, const char *pid, const char *reason, gpointer data)
{
  g_printerr ("# relay: %s failed: %s\n", pid, reason);
}

/* ---- processes ---- */

static void
on_proc_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  Proc *p = data;
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    return;
  p->exited = TRUE;
  p->status = g_subprocess_get_if_exited (p->process) ? g_subprocess_get_exit_status (p->process)
                                                      : 128 + g_subprocess_get_term_sig (p->process);
}

/* Clients die with the test, even when it aborts. */
static void
die_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Proc *
start_client (const char *url, const char *pid, const char *frames)
{
  g_autofree char *client = g_build_filename (g_getenv ("SAMTAL_BUILD_ROOT"), "client",
                                              "samtal-client", NULL);
  Proc *p = g_new0 (Proc, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    g_getenv ("SAMTAL_TEST_SHOW_STATS") ? G_SUBPROCESS_FLAGS_NONE : G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  p->process = g_subprocess_launcher_spawn (l, &error, client, "join", "--server", url, "--token",
                                            pid, "--expect-frames", frames, "--timeout", "60",
                                            "--ice-address", "127.0.0.1", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (p->process, NULL, on_proc_exit, p);
  return p;
}

static void
spin_until (gboolean *flag, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static void
spin_ms (guint ms)
{
  gboolean never = FALSE;
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  while (!never && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  }
}

static void
assert_no_codec (MiniHub *hub)
{
  g_auto (GStrv) factories = samtal_relay_list_element_factories (hub->relay, ROOM);
  g_assert_nonnull (factories);
  for (char **f = factories; *f != NULL; f++) {
    g_autoptr (GstElementFactory) factory = gst_element_factory_find (*f);
    const char *klass = factory != NULL
      ? gst_element_factory_get_metadata (factory, GST_ELEMENT_METADATA_KLASS) : "";
    g_test_message ("relay element %s (%s)", *f, klass);
    if (strstr (klass, "Network") == NULL)
      g_assert_true (strstr (klass, "Decoder") == NULL && strstr (klass, "Encoder") == NULL);
  }
}

static void
test_three_clients (void)
{
  MiniHub hub = { 0 };
  hub.conns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  char *ice[] = { "127.0.0.1", NULL };
  SamtalRelayConfig config = { .ice_addresses = ice };
  SamtalRelayEvents events = { relay_description, relay_candidate, relay_state, relay_failed };
  g_autoptr (GError) error = NULL;
  hub.relay = samtal_relay_new (&config, &events, &hub, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (samtal_relay_create_room (hub.relay, ROOM, &error));

  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (server, "/ws", NULL, NULL, on_websocket, &hub, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_assert_true (soup_server_listen (server, addr, 0, &error));
  GSList *uris = soup_server_get_uris (server);
  g_autofree char *url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  Proc *a = start_client (url, "u1", "60");
  Proc *b = start_client (url, "u2", "60");
  spin_until (&a->exited, 150);
  spin_until (&b->exited, 150);
  g_assert_true (a->exited && b->exited);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);

  /* a running pair, then a late third who must see both and be seen */
  Proc *c = start_client (url, "u3", "100000");
  Proc *d = start_client (url, "u4", "100000");
  spin_ms (4000);
  assert_no_codec (&hub);
  Proc *e = start_client (url, "g5", "30");
  spin_until (&e->exited, 120);
  g_assert_true (e->exited);
  g_assert_cmpint (e->status, ==, 0);
  g_assert_false (c->exited);
  g_assert_false (d->exited);
  g_subprocess_send_signal (c->process, SIGINT);
  g_subprocess_send_signal (d->process, SIGINT);
  spin_until (&c->exited, 30);
  spin_until (&d->exited, 30);
  g_assert_cmpint (c->status, ==, 1);   /* interrupted before --expect-frames */
  g_assert_cmpint (d->status, ==, 1);

  Proc *all[] = { a, b, c, d, e };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++) {
    g_object_unref (all[i]->process);
    g_free (all[i]);
  }
  soup_server_disconnect (server);
  g_hash_table_unref (hub.conns);
  samtal_relay_free (hub.relay);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client-relay/three-clients", test_three_clients);
  return g_test_run ();
}
