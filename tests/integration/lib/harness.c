/* harness.c — starting, stopping and talking to the real samtal-server in integration tests. */
#include "harness.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_START_TIMEOUT_S 120
#define STOP_TIMEOUT_S 60
#define READ_CHUNK 4096

/* --- files --- */

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *
server_binary (void)
{
  const char *bin = g_getenv ("SAMTAL_SERVER_BIN");
  if (bin)
    return g_strdup (bin);
  const char *root = g_getenv ("SAMTAL_BUILD_ROOT");
  return g_build_filename (root ? root : ".", "server", "samtal-server", NULL);
}

/* --- the stderr reader thread --- */

static gpointer
read_stderr (gpointer data)
{
  SamtalTestServer *ts = data;
  char buf[READ_CHUNK];
  for (;;)
    {
      ssize_t n = read (ts->stderr_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      g_mutex_lock (&ts->lock);
      if (n > 0)
        g_string_append_len (ts->log, buf, n);
      else
        ts->exited = TRUE;   /* EOF: the process closed stderr (it is ending) */
      g_cond_broadcast (&ts->cond);
      g_mutex_unlock (&ts->lock);
      if (n > 0 && g_getenv ("SAMTAL_TEST_VERBOSE"))
        (void) !write (2, buf, n);
      if (n <= 0)
        break;
    }
  close (ts->stderr_fd);
  ts->stderr_fd = -1;
  return NULL;
}

/* Parses "listening on http(s)://HOST:PORT" from the log; FALSE if not there yet. */
static gboolean
parse_listening (SamtalTestServer *ts, gsize from)
{
  const char *line = strstr (ts->log->str + from, "listening on ");
  if (line == NULL)
    return FALSE;
  line += strlen ("listening on ");
  gsize n = strcspn (line, " \r\n");
  if (line[n] == '\0')
    return FALSE;   /* the line is not complete yet */
  g_autofree char *url = g_strndup (line, n);
  const char *colon = strrchr (url, ':');
  g_free (ts->base_url);
  ts->base_url = g_strdup (url);
  ts->port = colon ? (guint16) g_ascii_strtoull (colon + 1, NULL, 10) : 0;
  return TRUE;
}

static gboolean
wait_listening (SamtalTestServer *ts, gsize log_from, guint timeout_s, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean ok = FALSE;
  g_mutex_lock (&ts->lock);
  while (!(ok = parse_listening (ts, log_from)) && !ts->exited)
    if (!g_cond_wait_until (&ts->cond, &ts->lock, deadline))
      break;
  g_mutex_unlock (&ts->lock);
  if (!ok)
    {
      g_autofree char *log = samtal_test_server_log (ts);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "samtal-server did not start listening (%s). Its log:\n%s",
                   ts->exited ? "it exited" : "timeout", log);
    }
  return ok;
}

/* --- certificates --- */

static gboolean
make_self_signed (const char *dir, GError **error)
{
  g_autofree char *cert = g_build_filename (dir, "tls-cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "tls-key.pem", NULL);
  if (g_file_test (cert, G_FILE_TEST_EXISTS))
    return TRUE;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                         key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1", NULL };
  int status = 0;
  g_autofree char *err = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "openssl: %s: ", err ? err : "");
      return FALSE;
    }
  return TRUE;
}

/* --- lifecycle --- */

static gboolean
on_accept_certificate (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                       gpointer data)
{
  return TRUE;   /* the test made the self-signed certificate itself */
}

/* Our environment. Unless the caller set ASAN_OPTIONS, the server runs as in CI
 * (scripts/test.sh): leak checking off, because libsoup 3.2.2 leaks a GSocket per closed
 * connection and fast unwinding cannot tell that leak apart. To check the server for leaks, run
 * with ASAN_OPTIONS=fast_unwind_on_malloc=0 (slow): lsan.supp then hides only libsoup's leak. */
static char **
server_environment (void)
{
  char **env = g_get_environ ();
  if (g_environ_getenv (env, "ASAN_OPTIONS") == NULL)
    env = g_environ_setenv (env, "ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", TRUE);
  const char *src = g_getenv ("SAMTAL_SOURCE_ROOT");
  if (src != NULL && g_environ_getenv (env, "LSAN_OPTIONS") == NULL)
    {
      g_autofree char *opt = g_strdup_printf (
        "suppressions=%s/tests/integration/lib/lsan.supp:print_suppressions=0", src);
      env = g_environ_setenv (env, "LSAN_OPTIONS", opt, TRUE);
    }
  return env;
}

/* In the child: stdout joins the stderr pipe (so the server never holds the test's TAP output
 * open), and the server dies with the test if the test crashes. */
static void
child_setup (gpointer data)
{
  dup2 (2, 1);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
spawn_server (SamtalTestServer *ts, guint timeout_s, GError **error)
{
  gsize log_from;
  g_mutex_lock (&ts->lock);
  log_from = ts->log->len;
  ts->exited = FALSE;
  g_mutex_unlock (&ts->lock);
  g_auto (GStrv) env = server_environment ();
  if (!g_spawn_async_with_pipes (NULL, ts->args, env, G_SPAWN_DO_NOT_REAP_CHILD, child_setup,
                                 NULL, &ts->pid, NULL, NULL, &ts->stderr_fd, error))
    return FALSE;
  ts->reader = g_thread_new ("server-stderr", read_stderr, ts);
  if (!wait_listening (ts, log_from, timeout_s, error))
    {
      samtal_test_server_kill (ts);
      return FALSE;
    }
  return TRUE;
}

static char **
build_args (SamtalTestServer *ts, const SamtalTestServerOptions *o)
{
  GPtrArray *a = g_ptr_array_new ();
  g_ptr_array_add (a, g_strdup (ts->binary));
  g_ptr_array_add (a, g_strdup ("--listen"));
  g_ptr_array_add (a, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (a, g_strdup ("--data-dir"));
  g_ptr_array_add (a, g_strdup (ts->data_dir));
  if (o->tls)
    {
      g_ptr_array_add (a, g_strdup ("--tls-cert"));
      g_ptr_array_add (a, g_build_filename (ts->data_dir, "tls-cert.pem", NULL));
      g_ptr_array_add (a, g_strdup ("--tls-key"));
      g_ptr_array_add (a, g_build_filename (ts->data_dir, "tls-key.pem", NULL));
    }
  for (const char *const *e = o->extra_args; e && *e; e++)
    g_ptr_array_add (a, g_strdup (*e));
  g_ptr_array_add (a, NULL);
  return (char **) g_ptr_array_free (a, FALSE);
}

SamtalTestServer *
samtal_test_server_start_full (const SamtalTestServerOptions *o, GError **error)
{
  static const SamtalTestServerOptions defaults = { 0 };
  o = o ? o : &defaults;
  g_autoptr (SamtalTestServer) ts = g_new0 (SamtalTestServer, 1);
  g_mutex_init (&ts->lock);
  g_cond_init (&ts->cond);
  ts->log = g_string_new (NULL);
  ts->stderr_fd = -1;
  ts->binary = server_binary ();
  ts->tls = o->tls;
  if (o->data_dir)
    ts->data_dir = g_strdup (o->data_dir);
  else
    {
      ts->data_dir = g_dir_make_tmp ("samtal-test-XXXXXX", error);
      ts->own_data_dir = TRUE;
      if (ts->data_dir == NULL)
        return NULL;
    }
  if (o->tls && !make_self_signed (ts->data_dir, error))
    return NULL;
  ts->args = build_args (ts, o);
  ts->session = soup_session_new_with_options ("timeout", 120, "idle-timeout", 5, NULL);
  if (!spawn_server (ts, o->start_timeout_s ? o->start_timeout_s : DEFAULT_START_TIMEOUT_S, error))
    return NULL;
  return g_steal_pointer (&ts);
}

SamtalTestServer *
samtal_test_server_start_with_args (const char *const *extra_args, GError **error)
{
  SamtalTestServerOptions o = { .extra_args = extra_args };
  return samtal_test_server_start_full (&o, error);
}

SamtalTestServer *
samtal_test_server_start (GError **error)
{
  return samtal_test_server_start_full (NULL, error);
}

gboolean
samtal_test_server_restart (SamtalTestServer *ts, GError **error)
{
  if (ts->pid != 0)
    samtal_test_server_stop (ts);
  /* The port was 0: the new process picks a new one; keep the args. */
  g_clear_object (&ts->session);
  ts->session = soup_session_new_with_options ("timeout", 120, "idle-timeout", 5, NULL);
  return spawn_server (ts, DEFAULT_START_TIMEOUT_S, error);
}

/* Waits for the process to end, up to timeout_s; returns the wait status or -1 on timeout. */
static int
wait_exit (SamtalTestServer *ts, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  for (;;)
    {
      int status = 0;
      pid_t r = waitpid (ts->pid, &status, WNOHANG);
      if (r == ts->pid || (r < 0 && errno == ECHILD))
        return r == ts->pid ? status : 0;
      if (g_get_monotonic_time () > deadline)
        return -1;
      g_usleep (20 * 1000);
    }
}

static void
reap (SamtalTestServer *ts)
{
  g_spawn_close_pid (ts->pid);
  ts->pid = 0;
  if (ts->reader)
    g_thread_join (g_steal_pointer (&ts->reader));
}

int
samtal_test_server_stop (SamtalTestServer *ts)
{
  if (ts->pid == 0)
    return ts->exit_status;
  kill (ts->pid, SIGTERM);
  int status = wait_exit (ts, STOP_TIMEOUT_S);
  if (status == -1)
    {
      kill (ts->pid, SIGKILL);
      wait_exit (ts, STOP_TIMEOUT_S);
      ts->exit_status = -1;
    }
  else
    ts->exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  reap (ts);
  return ts->exit_status;
}

void
samtal_test_server_kill (SamtalTestServer *ts)
{
  if (ts->pid == 0)
    return;
  kill (ts->pid, SIGKILL);
  wait_exit (ts, STOP_TIMEOUT_S);
  ts->exit_status = 128 + SIGKILL;
  reap (ts);
}

gboolean
samtal_test_server_alive (SamtalTestServer *ts)
{
  if (ts->pid == 0)
    return FALSE;
  int status;
  pid_t r = waitpid (ts->pid, &status, WNOHANG);
  if (r == 0)
    return TRUE;
  ts->exit_status = (r == ts->pid && WIFEXITED (status)) ? WEXITSTATUS (status) : -1;
  reap (ts);
  return FALSE;
}

char *
samtal_test_server_log (SamtalTestServer *ts)
{
  g_mutex_lock (&ts->lock);
  char *copy = g_strdup (ts->log->str);
  g_mutex_unlock (&ts->lock);
  return copy;
}

void
samtal_test_server_free (SamtalTestServer *ts)
{
  if (ts == NULL)
    return;
  samtal_test_server_kill (ts);
  if (ts->own_data_dir && ts->data_dir && !g_getenv ("SAMTAL_TEST_KEEP"))
    remove_tree (ts->data_dir);
  g_clear_object (&ts->session);
  g_free (ts->binary);
  g_free (ts->data_dir);
  g_free (ts->base_url);
  g_strfreev (ts->args);
  g_string_free (ts->log, TRUE);
  g_mutex_clear (&ts->lock);
  g_cond_clear (&ts->cond);
  g_free (ts);
}

/* --- the command line --- */

int
samtal_test_run_cli (SamtalTestServer *ts, const char *const *args, const char *stdin_text,
                     char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, ts->binary);
  for (const char *const *a = args; a && *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
    | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata,
                                                            &error);
  if (p == NULL)
    {
      if (err)
        *err = g_strdup (error->message);
      return -1;
    }
  g_autofree char *o = NULL, *e = NULL;
  if (!g_subprocess_communicate_utf8 (p, stdin_text ? stdin_text : "", NULL, &o, &e, &error))
    {
      if (err)
        *err = g_strdup (error->message);
      return -1;
    }
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_if_exited (p) ? g_subprocess_get_exit_status (p) : -1;
}

gint64
samtal_test_server_add_user (SamtalTestServer *ts, const char *email, const char *name,
                             const char *role, const char *unit, const char *password,
                             GError **error)
{
  const char *args[] = { "user", "add", "--data-dir", ts->data_dir, "--email", email, "--name",
                         name, "--role", role, unit ? "--unit" : NULL, unit, NULL };
  g_autofree char *in = g_strconcat (password, "\n", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = samtal_test_run_cli (ts, args, in, &out, &err);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (status != 0 || out == NULL || !json_parser_load_from_data (parser, out, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "user add failed (%d): %s", status,
                   err ? err : "");
      return 0;
    }
  return samtal_test_json_int (json_parser_get_root (parser), "id");
}

/* --- the client --- */

void
samtal_test_auth_free (SamtalTestAuth *a)
{
  if (a == NULL)
    return;
  g_free (a->token);
  g_free (a->csrf_token);
  g_free (a->role);
  g_free (a);
}

void
samtal_test_response_free (SamtalTestResponse *r)
{
  if (r == NULL)
    return;
  g_free (r->body);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_free (r);
}

static void
add_auth_headers (SoupMessageHeaders *h, const SamtalTestAuth *auth)
{
  if (auth == NULL || auth->token == NULL)
    return;
  if (!auth->use_cookie)
    {
      g_autofree char *v = g_strconcat ("Bearer ", auth->token, NULL);
      soup_message_headers_replace (h, "Authorization", v);
      return;
    }
  g_autofree char *cookie = g_strconcat ("samtal_session=", auth->token, NULL);
  soup_message_headers_replace (h, "Cookie", cookie);
  if (!auth->omit_csrf && auth->csrf_token)
    soup_message_headers_replace (h, "X-CSRF-Token", auth->csrf_token);
}

SamtalTestResponse *
samtal_test_request_full (SamtalTestServer *ts, const char *method, const char *path,
                          const SamtalTestAuth *auth, const char *const *headers,
                          const char *body, gsize body_len, const char *content_type)
{
  g_autofree char *url = g_strconcat (ts->base_url, path, NULL);
  SamtalTestResponse *r = g_new0 (SamtalTestResponse, 1);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      r->body = g_strdup ("");
      return r;
    }
  if (ts->tls)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  add_auth_headers (h, auth);
  for (const char *const *p = headers; p && p[0] && p[1]; p += 2)
    soup_message_headers_replace (h, p[0], p[1]);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (
        msg, content_type ? content_type : "application/json", bytes);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) resp = soup_session_send_and_read (ts->session, msg, NULL, &error);
  r->status = resp ? soup_message_get_status (msg) : 0;
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  gsize len = 0;
  const char *data = resp ? g_bytes_get_data (resp, &len) : "";
  r->body = g_strndup (data ? data : "", len);
  r->body_len = len;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (len > 0 && json_parser_load_from_data (parser, r->body, (gssize) len, NULL)
      && json_parser_get_root (parser))
    r->json = json_node_copy (json_parser_get_root (parser));
  return r;
}

SamtalTestResponse *
samtal_test_request (SamtalTestServer *ts, const char *method, const char *path,
                     const SamtalTestAuth *auth, const char *json_body)
{
  return samtal_test_request_full (ts, method, path, auth, NULL, json_body,
                                   json_body ? strlen (json_body) : 0, NULL);
}

SamtalTestResponse *
samtal_test_requestf (SamtalTestServer *ts, const char *method, const char *path,
                      const SamtalTestAuth *auth, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *body = g_strdup_vprintf (format, ap);
  va_end (ap);
  return samtal_test_request (ts, method, path, auth, body);
}

SamtalTestAuth *
samtal_test_sign_in (SamtalTestServer *ts, const char *email, const char *password,
                     GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, email);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *body = json_to_string (root, FALSE);
  g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "POST", "/api/v1/session", NULL,
                                                          body);
  if (r->status != 200 || r->json == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sign-in of %s: %u %s", email,
                   r->status, r->body);
      return NULL;
    }
  SamtalTestAuth *a = g_new0 (SamtalTestAuth, 1);
  a->token = g_strdup (samtal_test_json_string (r->json, "token"));
  a->csrf_token = g_strdup (samtal_test_json_string (r->json, "csrf_token"));
  a->user_id = samtal_test_json_int (r->json, "user.id");
  a->role = g_strdup (samtal_test_json_string (r->json, "user.role"));
  return a;
}

static gboolean
accept_any (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

/* Accepts the test's self-signed certificate on raw TLS connections. */
static void
on_client_event (GSocketClient *client, GSocketClientEvent event, GSocketConnectable *c,
                 GIOStream *conn, gpointer data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (conn, "accept-certificate", G_CALLBACK (accept_any), NULL);
}

guint
samtal_test_raw_http (SamtalTestServer *ts, const char *request, gsize len, char **raw_out)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 120);
  g_socket_client_set_tls (client, ts->tls);
  if (ts->tls)
    g_signal_connect (client, "event", G_CALLBACK (on_client_event), NULL);
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                        ts->port, NULL, NULL);
  if (conn == NULL)
    return 0;
  GOutputStream *os = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  GInputStream *is = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (os, request, len, NULL, NULL, NULL);
  GString *resp = g_string_new (NULL);
  char buf[READ_CHUNK];
  gssize n;
  while ((n = g_input_stream_read (is, buf, sizeof buf, NULL, NULL)) > 0 && resp->len < (1 << 20))
    g_string_append_len (resp, buf, n);
  guint status = 0;
  if (g_str_has_prefix (resp->str, "HTTP/1.") && resp->len > 12)
    status = (guint) g_ascii_strtoull (resp->str + 9, NULL, 10);
  if (raw_out)
    *raw_out = g_strdup (resp->str);
  g_string_free (resp, TRUE);
  return status;
}

/* --- JSON --- */

static JsonNode *
json_lookup (JsonNode *node, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  for (char **p = parts; node && *p; p++)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      node = json_object_get_member (json_node_get_object (node), *p);
    }
  return node;
}

gint64
samtal_test_json_int (JsonNode *node, const char *member)
{
  JsonNode *n = node ? json_lookup (node, member) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (n);
}

const char *
samtal_test_json_string (JsonNode *node, const char *member)
{
  JsonNode *n = node ? json_lookup (node, member) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

const char *
samtal_test_error_code (const SamtalTestResponse *r)
{
  return samtal_test_json_string (r->json, "error.code");
}

gint
samtal_test_json_array_length (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return -1;
  return (gint) json_array_get_length (json_node_get_array (node));
}
