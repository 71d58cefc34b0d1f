/* server.c — start, feed and stop a real samtal-server for a benchmark (see server.h). */
#include "server.h"
#include "bench-util.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>

#define STOP_GRACE_US (10 * G_USEC_PER_SEC)

struct _BenchServer {
  char *binary;
  char *data_dir;
  char *base_url;
  gboolean verbose;
  char *forwarding;        /* --relay-forwarding, or NULL for the server's default */
  GSubprocess *process;
  GThread *reader;
  GMutex lock;
  GCond cond;
  gboolean listening;      /* under lock */
  gboolean exited;         /* under lock: stderr closed */
  GQueue tail;             /* under lock: the last lines of its log (char*) */
};

#define LOG_TAIL_LINES 30

char *
bench_server_find_binary (const char *explicit_path, GError **error)
{
  const char *env = g_getenv ("SAMTAL_SERVER_BIN");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self ? g_path_get_dirname (self) : g_strdup (".");
  g_autofree char *sibling = g_build_filename (dir, "..", "server", "samtal-server", NULL);
  const char *candidates[] = { explicit_path, env, sibling };
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++) {
    if (candidates[i] == NULL)
      continue;
    if (g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
      return g_strdup (candidates[i]);
    if (i < 2)
      break;           /* an explicit choice that does not exist is an error, not a fallback */
  }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "samtal-server not found (tried %s); build it or pass --server-bin",
               explicit_path ? explicit_path : env ? env : sibling);
  return NULL;
}

BenchServer *
bench_server_new (const char *binary, gboolean verbose, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("samtal-bench-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  BenchServer *s = g_new0 (BenchServer, 1);
  s->binary = g_strdup (binary);
  s->data_dir = g_steal_pointer (&dir);
  s->verbose = verbose;
  g_queue_init (&s->tail);
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  return s;
}

static gint64
parse_user_id (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return 0;
  JsonNode *root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "user add: not a JSON object");
    return 0;
  }
  JsonObject *o = json_node_get_object (root);
  if (json_object_has_member (o, "user") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "user")))
    o = json_object_get_object_member (o, "user");
  gint64 id = json_object_get_int_member_with_default (o, "id", 0);
  if (id <= 0)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "user add: no id in its output");
  return id;
}

gint64
bench_server_user_add (BenchServer *server, const char *email, const char *name, const char *role,
                       const char *unit, const char *password, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *fixed[] = { server->binary, "user", "add", "--data-dir", server->data_dir,
                          "--email", email, "--name", name, "--role", role };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (gpointer) fixed[i]);
  if (unit != NULL) {
    g_ptr_array_add (argv, (gpointer) "--unit");
    g_ptr_array_add (argv, (gpointer) unit);
  }
  g_ptr_array_add (argv, NULL);
  g_autoptr (GSubprocess) proc = g_subprocess_newv ((const char *const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (proc == NULL)
    return 0;
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *out = NULL, *err = NULL;
  if (!g_subprocess_communicate_utf8 (proc, input, NULL, &out, &err, error))
    return 0;
  if (!g_subprocess_get_successful (proc)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "user add %s failed: %s", email,
                 err ? g_strstrip (err) : "");
    return 0;
  }
  return parse_user_id (out, error);
}

static gpointer
reader_thread (gpointer data)
{
  BenchServer *s = data;
  GInputStream *in = g_subprocess_get_stderr_pipe (s->process);
  g_autoptr (GDataInputStream) lines = g_data_input_stream_new (in);
  for (;;) {
    g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);
    if (line == NULL)
      break;
    if (s->verbose)
      g_printerr ("server: %s\n", line);
    g_mutex_lock (&s->lock);
    if (strstr (line, "listening on http") != NULL) {
      s->listening = TRUE;
      g_cond_broadcast (&s->cond);
    }
    g_queue_push_tail (&s->tail, g_steal_pointer (&line));
    if (s->tail.length > LOG_TAIL_LINES)
      g_free (g_queue_pop_head (&s->tail));
    g_mutex_unlock (&s->lock);
  }
  g_mutex_lock (&s->lock);
  s->exited = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
  return NULL;
}

/* In the child: never outlive the benchmark, even when it is killed. */
static void
die_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
bench_server_set_forwarding (BenchServer *server, const char *mode)
{
  g_free (server->forwarding);
  server->forwarding = g_strdup (mode);
}

gboolean
bench_server_start (BenchServer *server, guint timeout_s, GError **error)
{
  guint16 port = bench_free_tcp_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (
      launcher, error, server->binary, "--listen", listen, "--data-dir", server->data_dir,
      "--ice-address", "127.0.0.1", server->forwarding ? "--relay-forwarding" : NULL,
      server->forwarding, NULL);
  if (server->process == NULL)
    return FALSE;
  server->reader = g_thread_new ("server-stderr", reader_thread, server);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  g_mutex_lock (&server->lock);
  while (!server->listening && !server->exited)
    if (!g_cond_wait_until (&server->cond, &server->lock, deadline))
      break;
  gboolean ok = server->listening;
  g_mutex_unlock (&server->lock);
  if (!ok) {
    bench_server_print_log_tail (server);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "samtal-server did not log \"listening on\" within %u s%s",
                 timeout_s, server->exited ? " (it exited)" : "");
    return FALSE;
  }
  server->base_url = g_strdup_printf ("http://%s", listen);
  return TRUE;
}

void
bench_server_print_log_tail (BenchServer *server)
{
  g_mutex_lock (&server->lock);
  for (GList *l = server->tail.head; l != NULL; l = l->next)
    g_printerr ("server: %s\n", (const char *) l->data);
  g_mutex_unlock (&server->lock);
}

const char *
bench_server_base_url (BenchServer *server)
{
  return server->base_url;
}

const char *
bench_server_data_dir (BenchServer *server)
{
  return server->data_dir;
}

GPid
bench_server_pid (BenchServer *server)
{
  const char *id = server->process ? g_subprocess_get_identifier (server->process) : NULL;
  return id ? (GPid) atoi (id) : 0;
}

static void
stop_process (BenchServer *s)
{
  if (s->process == NULL)
    return;
  g_subprocess_send_signal (s->process, SIGTERM);
  /* Its stderr closing is the sign it is exiting; after the grace period, kill it. */
  gint64 deadline = g_get_monotonic_time () + STOP_GRACE_US;
  g_mutex_lock (&s->lock);
  while (!s->exited)
    if (!g_cond_wait_until (&s->cond, &s->lock, deadline))
      break;
  gboolean exited = s->exited;
  g_mutex_unlock (&s->lock);
  if (!exited) {
    bench_log ("samtal-server ignored SIGTERM for %d s; killing it\n", (int) (STOP_GRACE_US / G_USEC_PER_SEC));
    g_subprocess_force_exit (s->process);
  }
  g_subprocess_wait (s->process, NULL, NULL);
  if (s->reader)
    g_thread_join (s->reader);
  g_clear_object (&s->process);
}

void
bench_server_free (BenchServer *server)
{
  if (server == NULL)
    return;
  stop_process (server);
  bench_rm_rf (server->data_dir);
  g_free (server->binary);
  g_free (server->data_dir);
  g_free (server->forwarding);
  g_free (server->base_url);
  g_queue_clear_full (&server->tail, g_free);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}
