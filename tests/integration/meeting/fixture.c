/* fixture.c — the real server, users, bookings, tokens and samtal-client processes for the
 * meeting tests (see fixture.h).
 */
#include "fixture.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "keyfile.h"
#include "token.h"

#define SERVER_START_TIMEOUT_S 60

/* Child setup: the process dies with the test, even when the test aborts on an assertion, so
 * no server or client is left running on the shared machine. */
static void
die_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static const char *
build_root (void)
{
  const char *root = g_getenv ("SAMTAL_BUILD_ROOT");
  g_assert_nonnull (root);
  return root;
}

char *
meeting_pid (gint64 user_id)
{
  return g_strdup_printf ("u%" G_GINT64_FORMAT, user_id);
}

void
meeting_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  while (g_get_monotonic_time () < until) {
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
  }
}

/* ---- users and the server ---- */

gint64
meeting_add_user (const char *data_dir, const char *email, const char *name, const char *role)
{
  g_autofree char *server = g_build_filename (build_root (), "server", "samtal-server", NULL);
  g_autoptr (GError) error = NULL;
  gboolean staff = g_strcmp0 (role, "client") != 0;
  g_autoptr (GSubprocess) p = g_subprocess_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, server, "user", "add",
    "--data-dir", data_dir, "--email", email, "--name", name, "--role", role,
    staff ? "--unit" : NULL, "Barn och unga", NULL);
  g_assert_no_error (error);
  g_autofree char *out = NULL;
  g_subprocess_communicate_utf8 (p, MEETING_PASSWORD "\n", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));
  g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (o, "user"))
    o = json_object_get_object_member (o, "user");
  return json_object_get_int_member (o, "id");
}

static void
on_server_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    return;   /* cancelled: the fixture may be gone */
  ((MeetingFixture *) data)->server_exited = TRUE;
}

static char *
wait_listening (MeetingFixture *f, const char *log_path)
{
  gint64 deadline = g_get_monotonic_time () + SERVER_START_TIMEOUT_S * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline) {
    g_autofree char *text = NULL;
    if (g_file_get_contents (log_path, &text, NULL, NULL)) {
      const char *at = strstr (text, "listening on http");
      if (at != NULL && strchr (at, '\n') != NULL) {
        at += strlen ("listening on ");
        return g_strndup (at, strcspn (at, " \n\r"));
      }
    }
    if (f->server_exited) {
      g_autofree char *log = NULL;
      g_file_get_contents (log_path, &log, NULL, NULL);
      g_error ("samtal-server exited at start: %s", log != NULL ? log : "(no log)");
    }
    meeting_spin (100);
  }
  g_autofree char *text = NULL;
  g_file_get_contents (log_path, &text, NULL, NULL);
  g_error ("samtal-server did not start listening: %s", text != NULL ? text : "(no log)");
  return NULL;
}

/* A self-signed certificate for 127.0.0.1 in the data dir (openssl). */
static void
make_certificate (MeetingFixture *f, char **cert, char **key)
{
  *cert = g_build_filename (f->data_dir, "cert.pem", NULL);
  *key = g_build_filename (f->data_dir, "key.pem", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, "openssl", "req",
    "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", *key, "-out", *cert, "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (p, NULL, &error));
  g_assert_no_error (error);
}

static void
start_server (MeetingFixture *f, const char *web_dir)
{
  g_autofree char *server = g_build_filename (build_root (), "server", "samtal-server", NULL);
  g_autofree char *log_path = g_build_filename (f->data_dir, "server.log", NULL);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (l, "SAMTAL_MEETINGS_DEBUG", "1", TRUE);
  if (web_dir != NULL)
    g_subprocess_launcher_setenv (l, "SAMTAL_WEB_DIR", web_dir, TRUE);
  g_subprocess_launcher_set_stderr_file_path (l, log_path);
  g_subprocess_launcher_set_stdout_file_path (l, "/dev/null");
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *cert = NULL, *key = NULL;
  if (f->tls)
    make_certificate (f, &cert, &key);
  const char *argv[] = { server, "--data-dir", f->data_dir, "--listen", "127.0.0.1:0",
                         "--ice-address", "127.0.0.1", cert ? "--tls-cert" : NULL, cert,
                         "--tls-key", key, NULL };
  f->server = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  f->cancellable = g_cancellable_new ();
  g_subprocess_wait_async (f->server, f->cancellable, on_server_exit, f);
  f->base_url = wait_listening (f, log_path);
  while (g_str_has_suffix (f->base_url, "/"))
    f->base_url[strlen (f->base_url) - 1] = '\0';
}

char *
meeting_sign_in (MeetingFixture *f, const char *email)
{
  g_autofree char *body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"%s\"}", email,
                                           MEETING_PASSWORD);
  guint status = 0;
  g_autoptr (JsonNode) reply = meeting_api (f, "POST", "/api/v1/session", NULL, body, &status);
  g_assert_cmpuint (status, ==, 200);
  return g_strdup (json_object_get_string_member (json_node_get_object (reply), "token"));
}

MeetingFixture *
meeting_fixture_new (const char *web_dir)
{
  return meeting_fixture_new_full (web_dir, FALSE);
}

MeetingFixture *
meeting_fixture_new_full (const char *web_dir, gboolean tls)
{
  MeetingFixture *f = g_new0 (MeetingFixture, 1);
  f->tls = tls;
  g_autoptr (GError) error = NULL;
  f->data_dir = g_dir_make_tmp ("samtal-meeting-XXXXXX", &error);
  g_assert_no_error (error);
  f->staff_id = meeting_add_user (f->data_dir, "karin@test.invalid", "Karin Lund", "caseworker");
  f->client_id = meeting_add_user (f->data_dir, "ali@test.invalid", "Ali Hassan", "client");
  f->other_client_id = meeting_add_user (f->data_dir, "eva@test.invalid", "Eva Berg", "client");
  start_server (f, web_dir);
  f->staff_session = meeting_sign_in (f, "karin@test.invalid");
  f->client_session = meeting_sign_in (f, "ali@test.invalid");
  f->other_session = meeting_sign_in (f, "eva@test.invalid");
  return f;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

int
meeting_fixture_stop (MeetingFixture *f)
{
  int status = -1;
  if (f->server != NULL) {
    g_subprocess_send_signal (f->server, SIGTERM);
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (!f->server_exited && g_get_monotonic_time () < deadline)
      meeting_spin (50);
    if (!f->server_exited) {
      g_printerr ("# samtal-server did not exit within 20 s of SIGTERM; killing it\n");
      g_subprocess_force_exit (f->server);
      g_subprocess_wait (f->server, NULL, NULL);
    } else if (g_subprocess_get_if_exited (f->server)) {
      status = g_subprocess_get_exit_status (f->server);
    }
    g_cancellable_cancel (f->cancellable);
    g_clear_object (&f->server);
    g_clear_object (&f->cancellable);
  }
  return status;
}

void
meeting_fixture_free (MeetingFixture *f)
{
  if (f == NULL)
    return;
  meeting_fixture_stop (f);
  if (g_getenv ("SAMTAL_KEEP_TEST_DIR") == NULL)
    remove_tree (f->data_dir);
  else
    g_printerr ("# kept %s\n", f->data_dir);
  g_free (f->data_dir);
  g_free (f->base_url);
  g_free (f->staff_session);
  g_free (f->client_session);
  g_free (f->other_session);
  g_free (f);
}

/* ---- the API ---- */

static gboolean
accept_test_certificate (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                         gpointer unused)
{
  return TRUE;
}

JsonNode *
meeting_api (MeetingFixture *f, const char *method, const char *path, const char *bearer,
             const char *body, guint *status)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *url = g_strconcat (f->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  if (f->tls)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_test_certificate), NULL);
  if (bearer != NULL) {
    g_autofree char *auth = g_strdup_printf ("Bearer %s", bearer);
    soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", auth);
  }
  if (body != NULL) {
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
    soup_message_set_request_body_from_bytes (msg, "application/json; charset=utf-8", bytes);
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  gsize len = 0;
  const char *text = g_bytes_get_data (reply, &len);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (len == 0 || !json_parser_load_from_data (parser, text, (gssize) len, NULL)) {
    if (*status >= 300)
      g_printerr ("# %s %s → %u\n", method, path, *status);
    return NULL;
  }
  if (*status >= 300)
    g_printerr ("# %s %s → %u %.*s\n", method, path, *status, (int) len, text);
  return json_node_copy (json_parser_get_root (parser));
}

double
meeting_metric (MeetingFixture *f, const char *name)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *url = g_strconcat (f->base_url, "/metrics", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  if (f->tls)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_test_certificate), NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  gsize len = 0;
  const char *data = g_bytes_get_data (reply, &len);
  g_autofree char *text = g_strndup (data, len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gsize name_len = strlen (name);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][name_len] == ' ')
      return g_ascii_strtod (lines[i] + name_len + 1, NULL);
  return -1;
}

static JsonObject *
unwrap (JsonNode *node, const char *member)
{
  g_assert_nonnull (node);
  JsonObject *o = json_node_get_object (node);
  if (json_object_has_member (o, member) && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, member)))
    return json_object_get_object_member (o, member);
  return o;
}

gint64
meeting_book (MeetingFixture *f, gint64 client_id, gint64 start_offset_s, guint minutes)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) at = g_date_time_add_seconds (now, (gdouble) start_offset_s);
  g_autoptr (GDateTime) minute = g_date_time_add_seconds (at, -g_date_time_get_seconds (at));
  g_autofree char *start = g_date_time_format (minute, "%Y-%m-%dT%H:%M:%S%:z");
  g_autofree char *body = g_strdup_printf (
    "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\","
    "\"duration_minutes\":%u,\"topic\":\"Samtal\"}", f->staff_id, client_id, start, minutes);
  guint status = 0;
  g_autoptr (JsonNode) reply = meeting_api (f, "POST", "/api/v1/bookings", f->staff_session, body,
                                            &status);
  g_assert_cmpuint (status, ==, 201);
  return json_object_get_int_member (unwrap (reply, "booking"), "id");
}

char *
meeting_join_token (MeetingFixture *f, gint64 booking_id, const char *bearer)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/join", booking_id);
  guint status = 0;
  g_autoptr (JsonNode) reply = meeting_api (f, "POST", path, bearer, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  return g_strdup (json_object_get_string_member (json_node_get_object (reply), "token"));
}

char *
meeting_guest_token (MeetingFixture *f, gint64 booking_id, const char *name)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/guests", booking_id);
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"kind\":\"interpreter\"}", name);
  guint status = 0;
  g_autoptr (JsonNode) reply = meeting_api (f, "POST", path, f->staff_session, body, &status);
  g_assert_cmpuint (status, ==, 201);
  return g_strdup (json_object_get_string_member (json_node_get_object (reply), "token"));
}

guint8 *
meeting_key (MeetingFixture *f)
{
  g_autoptr (GError) error = NULL;
  guint8 *key = samtal_key_load_or_create (f->data_dir, "meeting.key", SAMTAL_TOKEN_KEY_BYTES,
                                           &error);
  g_assert_no_error (error);
  return key;
}

/* ---- samtal-client processes ---- */

static void read_next_line (MeetingClient *c, GDataInputStream *in);

typedef struct {
  MeetingClient *client;
  GDataInputStream *in;
} LineRead;

static void
take_line (MeetingClient *c, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_printerr ("# %s: not a JSON line: %s\n", c->label, line);
    return;
  }
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  const char *pid = json_object_get_string_member_with_default (o, "participant_id", NULL);
  if (pid == NULL)
    return;
  gint64 frames = json_object_get_int_member_with_default (o, "frames_decoded", 0);
  g_hash_table_replace (c->frames, g_strdup (pid), GINT_TO_POINTER ((gint) frames));
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, &len, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  MeetingClient *c = data;
  if (line == NULL)
    return;   /* end of output or error */
  take_line (c, line);
  read_next_line (c, G_DATA_INPUT_STREAM (source));
}

static GCancellable *
client_cancellable (MeetingClient *c)
{
  return g_object_get_data (G_OBJECT (c->process), "cancellable");
}

static void
read_next_line (MeetingClient *c, GDataInputStream *in)
{
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, client_cancellable (c), on_line, c);
}

static void
on_client_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    return;   /* cancelled: c may be gone */
  MeetingClient *c = data;
  c->exited = TRUE;
  if (g_subprocess_get_if_exited (c->process))
    c->exit_status = g_subprocess_get_exit_status (c->process);
  else if (g_subprocess_get_if_signaled (c->process))
    c->exit_status = 128 + g_subprocess_get_term_sig (c->process);
}

MeetingClient *
meeting_client_start (MeetingFixture *f, const char *label, const char *token,
                      const char *const *extra_args)
{
  MeetingClient *c = g_new0 (MeetingClient, 1);
  c->label = g_strdup (label);
  c->frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c->exit_status = -1;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_build_filename (build_root (), "client", "samtal-client", NULL));
  const char *fixed[] = { "join", "--server", f->base_url, "--token", token, "--ice-address",
                          "127.0.0.1", "--stats-interval", "500" };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, g_strdup (fixed[i]));
  for (const char *const *a = extra_args; a != NULL && *a != NULL; a++)
    g_ptr_array_add (argv, g_strdup (*a));
  g_ptr_array_add (argv, NULL);
  g_autofree char *err_path = g_strdup_printf ("%s/%s.stderr", f->data_dir, label);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (l, err_path);
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  g_autoptr (GError) error = NULL;
  c->process = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_object_set_data (G_OBJECT (c->process), "stderr-path", g_steal_pointer (&err_path));
  g_object_set_data_full (G_OBJECT (c->process), "cancellable", g_cancellable_new (),
                          g_object_unref);
  GDataInputStream *in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (c->process));
  g_object_set_data_full (G_OBJECT (c->process), "stdout", in, g_object_unref);
  read_next_line (c, in);
  g_subprocess_wait_async (c->process, client_cancellable (c), on_client_exit, c);
  return c;
}

static void
print_stderr (MeetingClient *c)
{
  const char *path = g_object_get_data (G_OBJECT (c->process), "stderr-path");
  g_autofree char *text = NULL;
  if (path != NULL && g_file_get_contents (path, &text, NULL, NULL))
    g_printerr ("# --- %s stderr ---\n%s# ---\n", c->label, text);
}

char *
meeting_client_stderr (MeetingClient *c)
{
  const char *path = g_object_get_data (G_OBJECT (c->process), "stderr-path");
  char *text = NULL;
  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

void
meeting_client_free (MeetingClient *c)
{
  if (c == NULL)
    return;
  g_cancellable_cancel (client_cancellable (c));
  if (!c->exited) {
    g_subprocess_force_exit (c->process);
    g_subprocess_wait (c->process, NULL, NULL);
  }
  if (g_test_failed () || g_getenv ("SAMTAL_TEST_VERBOSE") != NULL)
    print_stderr (c);
  g_free (g_object_get_data (G_OBJECT (c->process), "stderr-path"));
  g_object_unref (c->process);
  g_hash_table_unref (c->frames);
  g_free (c->label);
  g_free (c);
}

gboolean
meeting_client_wait (MeetingClient *c, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  while (!c->exited && g_get_monotonic_time () < deadline)
    meeting_spin (50);
  /* let the last stdout lines arrive */
  meeting_spin (200);
  if (!c->exited)
    print_stderr (c);
  return c->exited;
}

guint64
meeting_client_frames (MeetingClient *c, const char *participant_id)
{
  return (guint64) GPOINTER_TO_INT (g_hash_table_lookup (c->frames, participant_id));
}

gboolean
meeting_client_wait_frames (MeetingClient *c, const char *participant_id, guint64 n,
                            guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  while (meeting_client_frames (c, participant_id) < n && g_get_monotonic_time () < deadline &&
         !c->exited)
    meeting_spin (50);
  return meeting_client_frames (c, participant_id) >= n;
}

void
meeting_client_kill (MeetingClient *c)
{
  g_subprocess_send_signal (c->process, SIGKILL);
}
