/* Unit tests: the server context (core/server.h) — shutdown hooks run once, last added first,
 * and free their data; the worker pool answers on the main context; the public URL. */
#include "fixture.h"

typedef struct {
  GString *log;
  const char *name;
} HookData;

static void
record_hook (SamtalServer *server, gpointer data)
{
  HookData *h = data;
  g_string_append_printf (h->log, "%s ", h->name);
}

static void
count_destroy (gpointer data)
{
  HookData *h = data;
  g_string_append (h->log, "freed ");
}

static void
test_shutdown_hooks (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GString) log = g_string_new (NULL);
  HookData first = { log, "first" }, second = { log, "second" };
  samtal_server_add_shutdown_hook (f->server, record_hook, &first, NULL);
  samtal_server_add_shutdown_hook (f->server, record_hook, &second, count_destroy);
  samtal_server_run_shutdown_hooks (f->server);
  g_assert_cmpstr (log->str, ==, "second freed first ");
  samtal_server_run_shutdown_hooks (f->server);     /* idempotent */
  g_assert_cmpstr (log->str, ==, "second freed first ");
}

static void
square_in_worker (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_assert_false (g_main_context_is_owner (g_main_context_default ()));
  gint64 n = GPOINTER_TO_SIZE (data);
  g_task_return_int (task, n * n);
}

static void
on_squared (GObject *source, GAsyncResult *result, gpointer data)
{
  gint64 *sum = data;
  *sum += g_task_propagate_int (G_TASK (result), NULL);
}

static void
test_workers (CoreFixture *f, gconstpointer data)
{
  gint64 sum = 0;
  for (gsize i = 1; i <= 10; i++)
    {
      g_autoptr (GTask) task = g_task_new (NULL, NULL, on_squared, &sum);
      g_task_set_task_data (task, GSIZE_TO_POINTER (i), NULL);
      samtal_server_run_in_worker (f->server, task, square_in_worker);
    }
  while (sum != 385)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (samtal_server_worker_backlog (f->server), ==, 0);
}

static void
test_public_url (CoreFixture *f, gconstpointer data)
{
  g_autofree char *url = samtal_server_public_url (f->server);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8080");
  f->server->config->public_url = g_strdup ("https://samtal.kommun.se");
  g_autofree char *pub = samtal_server_public_url (f->server);
  g_assert_cmpstr (pub, ==, "https://samtal.kommun.se");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, fn, core_fixture_teardown)
  ADD ("/server/shutdown-hooks", test_shutdown_hooks);
  ADD ("/server/workers", test_workers);
  ADD ("/server/public-url", test_public_url);
  return g_test_run ();
}
