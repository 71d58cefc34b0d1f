/* test-meeting.c — real meetings through the real samtal-server and its relay, with native
 * samtal-client participants on loopback:
 *   - staff (--auto-admit) and client each decode ≥ 60 frames of the other; meanwhile the relay's
 *     pipeline holds no decoder or encoder (GET /debug/relay, enabled by SAMTAL_MEETINGS_DEBUG=1);
 *   - a client alone is not admitted, decodes nothing and times out non-zero;
 *   - expired, forged, other meetings', cancelled meetings' and malformed tokens are refused;
 *   - an interpreter joining a running meeting decodes both others within 10 s; kill -9 of the
 *     interpreter leaves staff and client decoding each other; the same token rejoins;
 *   - H.264: staff sending H.264 and a client sending VP8 decode ≥ 60 frames of each other, the
 *     relay holding no codec element; a client that accepts only VP8 gets no H.264 track (its
 *     answer rejects the m-line, the relay logs it) while another participant's VP8 reaches it
 *     and nobody fails.
 */
#include <gst/gst.h>
#include <signal.h>
#include <string.h>

#include "fixture.h"
#include "keyfile.h"
#include "token.h"

#define EXIT_REFUSED 3

static const char *const staff_args[] = { "--auto-admit", "--expect-frames", "60", "--timeout",
                                          "120", NULL };
static const char *const client_args[] = { "--expect-frames", "60", "--timeout", "120", NULL };

/* A factory that turns media into raw frames or back (a codec, decodebin, …). DTLS/SRTP elements
 * call themselves "Encoder/Network" or "Decoder/Network"; those only encrypt. */
static gboolean
is_codec (const char *factory_name)
{
  g_autoptr (GstElementFactory) factory = gst_element_factory_find (factory_name);
  if (factory == NULL)
    return strstr (factory_name, "dec") != NULL || strstr (factory_name, "enc") != NULL;
  const char *klass = gst_element_factory_get_metadata (factory, GST_ELEMENT_METADATA_KLASS);
  if (klass == NULL || strstr (klass, "Network") != NULL)
    return FALSE;
  return strstr (klass, "Decoder") != NULL || strstr (klass, "Encoder") != NULL;
}

static void
assert_relay_forwards_only (MeetingFixture *f, gint64 booking_id)
{
  g_autofree char *path = g_strdup_printf ("/debug/relay?room=%" G_GINT64_FORMAT, booking_id);
  guint status = 0;
  g_autoptr (JsonNode) view = meeting_api (f, "GET", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  JsonObject *o = json_node_get_object (view);
  JsonArray *elements = json_object_get_array_member (o, "elements");
  g_assert_nonnull (elements);
  gboolean has_webrtcbin = FALSE;
  for (guint i = 0; i < json_array_get_length (elements); i++) {
    const char *name = json_array_get_string_element (elements, i);
    g_test_message ("relay element: %s", name);
    if (g_strcmp0 (name, "webrtcbin") == 0)
      has_webrtcbin = TRUE;
    if (is_codec (name))
      g_error ("the relay's pipeline contains the codec element %s", name);
  }
  g_assert_true (has_webrtcbin);
  g_assert_cmpint (json_object_get_int_member (o, "forwarded_packets"), >, 0);
}

/* Staff (auto-admit) and the booking's client, each with its own arguments, meet through the
 * relay: both exit 0 having decoded ≥ 60 frames of the other, and the relay holds no codec. */
static void
two_clients_meet (const char *const *staff_argv, const char *const *client_argv)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new (NULL);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *staff_token = meeting_join_token (f, booking, f->staff_session);
  g_autofree char *client_token = meeting_join_token (f, booking, f->client_session);
  g_autofree char *staff_pid = meeting_pid (f->staff_id);
  g_autofree char *client_pid = meeting_pid (f->client_id);

  g_autoptr (MeetingClient) staff = meeting_client_start (f, "staff", staff_token, staff_argv);
  g_autoptr (MeetingClient) client = meeting_client_start (f, "client", client_token, client_argv);
  g_assert_true (meeting_client_wait_frames (client, staff_pid, 10, 120));
  assert_relay_forwards_only (f, booking);
  g_assert_true (meeting_client_wait (staff, 150));
  g_assert_true (meeting_client_wait (client, 150));
  g_assert_cmpint (staff->exit_status, ==, 0);
  g_assert_cmpint (client->exit_status, ==, 0);
  g_assert_cmpuint (meeting_client_frames (staff, client_pid), >=, 60);
  g_assert_cmpuint (meeting_client_frames (client, staff_pid), >=, 60);
}

static void
test_two_clients (void)
{
  two_clients_meet (staff_args, client_args);
}

static void
test_alone_not_admitted (void)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new (NULL);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *token = meeting_join_token (f, booking, f->client_session);
  const char *const args[] = { "--expect-frames", "1", "--timeout", "8", NULL };
  g_autoptr (MeetingClient) client = meeting_client_start (f, "alone", token, args);
  g_assert_true (meeting_client_wait (client, 60));
  g_assert_cmpint (client->exit_status, ==, 1);
  g_assert_cmpuint (g_hash_table_size (client->frames), ==, 0);
}

static char *
mint (const guint8 *key, gint64 booking, const char *pid, const char *role, gint64 not_before,
      gint64 expires)
{
  g_autoptr (SamtalJoinClaims) c = samtal_join_claims_new ();
  c->booking_id = booking;
  c->participant_id = g_strdup (pid);
  c->role = g_strdup (role);
  c->name = g_strdup ("Testperson");
  c->not_before = not_before;
  c->expires = expires;
  return samtal_token_mint (key, c);
}

static void
test_refused_tokens (void)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new (NULL);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  gint64 later = meeting_book (f, f->other_client_id, 3 * 3600, 30);
  g_autofree char *cancel_path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/cancel", later);
  guint status = 0;
  g_autoptr (JsonNode) cancelled = meeting_api (f, "POST", cancel_path, f->staff_session, "{}", &status);
  g_assert_cmpuint (status, ==, 200);

  guint8 *key = meeting_key (f);
  guint8 forged_key[SAMTAL_TOKEN_KEY_BYTES];
  memset (forged_key, 0x5a, sizeof forged_key);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *client_pid = meeting_pid (f->client_id);
  g_autofree char *other_pid = meeting_pid (f->other_client_id);
  char *tokens[] = {
    mint (key, booking, client_pid, "client", now - 7200, now - 60),          /* expired */
    mint (forged_key, booking, client_pid, "client", now - 60, now + 3600),   /* forged */
    mint (key, booking, other_pid, "client", now - 60, now + 3600),           /* another meeting's client */
    mint (key, 987654, client_pid, "client", now - 60, now + 3600),           /* no such meeting */
    mint (key, later, other_pid, "client", now - 60, now + 3600),             /* cancelled meeting */
    g_strdup ("st1.bm90LWEtdG9rZW4.AAAA"),                                     /* malformed */
  };
  samtal_key_free (key, SAMTAL_TOKEN_KEY_BYTES);
  const char *const reasons[] = { "token_expired", "token_invalid", "not for this meeting",
                                  "no such meeting", "cancelled", "token_invalid" };
  const char *const args[] = { "--expect-frames", "1", "--timeout", "60", NULL };
  MeetingClient *clients[G_N_ELEMENTS (tokens)];
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++) {
    g_autofree char *label = g_strdup_printf ("refused-%u", i);
    clients[i] = meeting_client_start (f, label, tokens[i], args);
  }
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++) {
    g_assert_true (meeting_client_wait (clients[i], 90));
    g_test_message ("token %u: exit %d", i, clients[i]->exit_status);
    g_assert_cmpint (clients[i]->exit_status, ==, EXIT_REFUSED);
    g_autofree char *err = meeting_client_stderr (clients[i]);
    g_assert_nonnull (strstr (err, "refused by the server"));
    g_assert_nonnull (strstr (err, reasons[i]));
    g_assert_cmpuint (g_hash_table_size (clients[i]->frames), ==, 0);
    meeting_client_free (clients[i]);
    g_free (tokens[i]);
  }
}

static void
test_interpreter_and_kill (void)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new (NULL);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *staff_token = meeting_join_token (f, booking, f->staff_session);
  g_autofree char *client_token = meeting_join_token (f, booking, f->client_session);
  g_autofree char *guest_token = meeting_guest_token (f, booking, "Tolk Tina");
  g_autofree char *staff_pid = meeting_pid (f->staff_id);
  g_autofree char *client_pid = meeting_pid (f->client_id);

  /* a running meeting: no --expect-frames, they run until told to stop */
  const char *const staff_run[] = { "--auto-admit", NULL };
  g_autoptr (MeetingClient) staff = meeting_client_start (f, "staff", staff_token, staff_run);
  g_autoptr (MeetingClient) client = meeting_client_start (f, "client", client_token, NULL);
  g_assert_true (meeting_client_wait_frames (client, staff_pid, 30, 120));
  g_assert_true (meeting_client_wait_frames (staff, client_pid, 30, 120));

  /* the interpreter decodes both others within 10 s */
  const char *const interp_args[] = { "--expect-frames", "10", "--timeout", "10", NULL };
  g_autoptr (MeetingClient) interp = meeting_client_start (f, "interpreter", guest_token, interp_args);
  g_assert_true (meeting_client_wait (interp, 60));
  g_assert_cmpint (interp->exit_status, ==, 0);
  g_assert_cmpuint (meeting_client_frames (interp, staff_pid), >=, 10);
  g_assert_cmpuint (meeting_client_frames (interp, client_pid), >=, 10);

  /* again, and this time it is killed: the others keep decoding each other */
  const char *const stay[] = { NULL };
  g_autoptr (MeetingClient) interp2 = meeting_client_start (f, "interpreter-2", guest_token, stay);
  g_assert_true (meeting_client_wait_frames (interp2, staff_pid, 10, 60));
  meeting_client_kill (interp2);
  g_assert_true (meeting_client_wait (interp2, 30));
  g_assert_cmpint (interp2->exit_status, ==, 128 + 9);
  meeting_spin (1000);
  guint64 client_saw = meeting_client_frames (client, staff_pid);
  guint64 staff_saw = meeting_client_frames (staff, client_pid);
  g_assert_true (meeting_client_wait_frames (client, staff_pid, client_saw + 60, 60));
  g_assert_true (meeting_client_wait_frames (staff, client_pid, staff_saw + 60, 60));
  g_assert_false (staff->exited);
  g_assert_false (client->exited);

  /* SIGINT: both leave cleanly with status 0 */
  g_subprocess_send_signal (staff->process, SIGINT);
  g_subprocess_send_signal (client->process, SIGINT);
  g_assert_true (meeting_client_wait (staff, 30));
  g_assert_true (meeting_client_wait (client, 30));
  g_assert_cmpint (staff->exit_status, ==, 0);
  g_assert_cmpint (client->exit_status, ==, 0);
}

/* https/wss with a self-signed certificate: refused without --insecure, a meeting with it. */
static void
test_tls_insecure (void)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new_full (NULL, TRUE);
  g_assert_true (g_str_has_prefix (f->base_url, "https://"));
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *staff_token = meeting_join_token (f, booking, f->staff_session);
  g_autofree char *client_token = meeting_join_token (f, booking, f->client_session);
  const char *const strict[] = { "--expect-frames", "1", "--timeout", "60", NULL };
  g_autoptr (MeetingClient) refused = meeting_client_start (f, "strict", client_token, strict);
  g_assert_true (meeting_client_wait (refused, 90));
  g_assert_cmpint (refused->exit_status, ==, 1);
  g_autofree char *err = meeting_client_stderr (refused);
  g_assert_nonnull (strstr (err, "cannot connect"));

  const char *const staff_args_tls[] = { "--insecure", "--auto-admit", "--expect-frames", "30",
                                         "--timeout", "120", NULL };
  const char *const client_args_tls[] = { "--insecure", "--expect-frames", "30", "--timeout",
                                          "120", NULL };
  g_autoptr (MeetingClient) staff = meeting_client_start (f, "staff", staff_token, staff_args_tls);
  g_autoptr (MeetingClient) client = meeting_client_start (f, "client", client_token, client_args_tls);
  g_assert_true (meeting_client_wait (staff, 150));
  g_assert_true (meeting_client_wait (client, 150));
  g_assert_cmpint (staff->exit_status, ==, 0);
  g_assert_cmpint (client->exit_status, ==, 0);
}

/* The audit trail holds the meeting's joins and the admission, as the booking's entries, and
 * still verifies. */
static void
assert_meeting_audited (MeetingFixture *f, gint64 booking)
{
  meeting_add_user (f->data_dir, "ada@test.invalid", "Ada Admin", "admin");
  g_autofree char *admin = meeting_sign_in (f, "ada@test.invalid");
  guint status = 0;
  g_autoptr (JsonNode) list = meeting_api (f, "GET", "/api/v1/audit?limit=500", admin, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  JsonArray *entries = JSON_NODE_HOLDS_ARRAY (list)
    ? json_node_get_array (list)
    : json_object_get_array_member (json_node_get_object (list), "entries");
  guint joins = 0, admits = 0;
  for (guint i = 0; i < json_array_get_length (entries); i++) {
    JsonObject *e = json_array_get_object_element (entries, i);
    const char *action = json_object_get_string_member_with_default (e, "action", "");
    if (!g_str_has_prefix (action, "meeting."))
      continue;
    g_assert_cmpstr (json_object_get_string_member_with_default (e, "object_type", ""), ==, "booking");
    g_assert_cmpint (json_object_get_int_member_with_default (e, "object_id", 0), ==, booking);
    joins += g_strcmp0 (action, "meeting.join") == 0;
    admits += g_strcmp0 (action, "meeting.admit") == 0;
  }
  g_assert_cmpuint (joins, >=, 2);
  g_assert_cmpuint (admits, >=, 1);
  g_autoptr (JsonNode) verify = meeting_api (f, "GET", "/api/v1/audit/verify", admin, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (verify), "ok"));
}

/* SIGTERM to the server during a meeting: the participants are told the meeting ended (exit 0:
 * no --expect-frames) and the server exits 0. Before that, the meeting is in the audit trail. */
static void
test_server_shutdown (void)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new (NULL);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *staff_token = meeting_join_token (f, booking, f->staff_session);
  g_autofree char *client_token = meeting_join_token (f, booking, f->client_session);
  g_autofree char *staff_pid = meeting_pid (f->staff_id);
  const char *const staff_run[] = { "--auto-admit", NULL };
  g_autoptr (MeetingClient) staff = meeting_client_start (f, "staff", staff_token, staff_run);
  g_autoptr (MeetingClient) client = meeting_client_start (f, "client", client_token, NULL);
  g_assert_true (meeting_client_wait_frames (client, staff_pid, 10, 120));
  assert_meeting_audited (f, booking);
  g_assert_cmpint (meeting_fixture_stop (f), ==, 0);
  g_assert_true (meeting_client_wait (staff, 30));
  g_assert_true (meeting_client_wait (client, 30));
  g_autofree char *err = meeting_client_stderr (client);
  g_assert_nonnull (strstr (err, "the meeting ended"));
  g_assert_cmpint (client->exit_status, ==, 0);
  g_assert_cmpint (staff->exit_status, ==, 0);
}

/* Staff sends H.264, the client VP8: each decodes the other through the relay, which forwards
 * the H.264 track as it is (the client's decoder is chosen by the stream's caps). */
static void
test_h264_and_vp8 (void)
{
  const char *const staff_h264[] = { "--video-codec", "h264", "--auto-admit", "--expect-frames",
                                     "60", "--timeout", "120", NULL };
  const char *const client_vp8[] = { "--video-codec", "vp8", "--expect-frames", "60", "--timeout",
                                     "120", NULL };
  two_clients_meet (staff_h264, client_vp8);
}

/* The most frames c decoded from anyone but except_pid. */
static guint64
frames_from_others (MeetingClient *c, const char *except_pid)
{
  GHashTableIter it;
  gpointer key, value;
  guint64 best = 0;
  g_hash_table_iter_init (&it, c->frames);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (g_strcmp0 (key, except_pid) != 0)
      best = MAX (best, (guint64) GPOINTER_TO_INT (value));
  return best;
}

static gboolean
server_log_contains (MeetingFixture *f, const char *needle)
{
  g_autofree char *path = g_build_filename (f->data_dir, "server.log", NULL);
  g_autofree char *text = NULL;
  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

/* A client that takes only VP8 answers the staff's H.264 m-line with port 0: nothing is
 * forwarded into it and the relay says so, while the staff's audio and an interpreter's VP8 video
 * still reach that client, and the interpreter decodes both (H.264 and VP8). No one fails. */
static void
test_h264_rejected (void)
{
  g_autoptr (MeetingFixture) f = meeting_fixture_new (NULL);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *staff_token = meeting_join_token (f, booking, f->staff_session);
  g_autofree char *client_token = meeting_join_token (f, booking, f->client_session);
  g_autofree char *guest_token = meeting_guest_token (f, booking, "Tolk Tina");
  g_autofree char *staff_pid = meeting_pid (f->staff_id);
  g_autofree char *client_pid = meeting_pid (f->client_id);
  const char *const staff_run[] = { "--video-codec", "h264", "--auto-admit", NULL };
  const char *const vp8_only[] = { "--accept-video", "vp8", NULL };
  const char *const interp_args[] = { "--expect-frames", "60", "--timeout", "120", NULL };

  g_autoptr (MeetingClient) staff = meeting_client_start (f, "staff-h264", staff_token, staff_run);
  g_autoptr (MeetingClient) client = meeting_client_start (f, "client-vp8-only", client_token,
                                                          vp8_only);
  g_assert_true (meeting_client_wait_frames (staff, client_pid, 30, 120));
  g_autofree char *needle = g_strdup_printf ("rejected %s's video (H264", staff_pid);
  for (guint i = 0; i < 100 && !server_log_contains (f, needle); i++)
    meeting_spin (100);
  if (!server_log_contains (f, needle)) {
    g_autofree char *path = g_build_filename (f->data_dir, "server.log", NULL);
    g_autofree char *log = NULL, *err = meeting_client_stderr (client);
    g_file_get_contents (path, &log, NULL, NULL);
    g_printerr ("# --- server.log ---\n%s\n# --- client ---\n%s\n", log ? log : "", err);
    g_error ("the relay did not log the rejected H.264 m-line (\"%s\")", needle);
  }

  g_autoptr (MeetingClient) interp = meeting_client_start (f, "interpreter", guest_token,
                                                          interp_args);
  g_assert_true (meeting_client_wait (interp, 150));
  g_assert_cmpint (interp->exit_status, ==, 0);
  g_assert_cmpuint (meeting_client_frames (interp, staff_pid), >=, 60);   /* H.264 */
  g_assert_cmpuint (meeting_client_frames (interp, client_pid), >=, 60);  /* VP8 */
  for (guint i = 0; i < 600 && frames_from_others (client, staff_pid) < 60; i++)
    meeting_spin (100);
  g_assert_cmpuint (frames_from_others (client, staff_pid), >=, 60);
  g_assert_cmpuint (meeting_client_frames (client, staff_pid), ==, 0);
  g_assert_false (staff->exited);
  g_assert_false (client->exited);
  g_assert_false (server_log_contains (f, "media error"));

  g_subprocess_send_signal (staff->process, SIGINT);
  g_subprocess_send_signal (client->process, SIGINT);
  g_assert_true (meeting_client_wait (staff, 30));
  g_assert_true (meeting_client_wait (client, 30));
  g_assert_cmpint (staff->exit_status, ==, 0);
  g_assert_cmpint (client->exit_status, ==, 0);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/meeting/two-clients", test_two_clients);
  g_test_add_func ("/meeting/alone-not-admitted", test_alone_not_admitted);
  g_test_add_func ("/meeting/refused-tokens", test_refused_tokens);
  g_test_add_func ("/meeting/interpreter-and-kill", test_interpreter_and_kill);
  g_test_add_func ("/meeting/server-shutdown", test_server_shutdown);
  g_test_add_func ("/meeting/tls-insecure", test_tls_insecure);
  g_test_add_func ("/meeting/h264-and-vp8", test_h264_and_vp8);
  g_test_add_func ("/meeting/h264-rejected", test_h264_rejected);
  return g_test_run ();
}
