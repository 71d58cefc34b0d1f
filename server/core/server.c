/* server.c — the SamtalServer context: construction (store, core schema, audit, auth, router,
 * metrics, worker pool), listening (plain or TLS), the main loop, signals and shutdown hooks. */
#include "server.h"

#include <glib-unix.h>
#include <sodium.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "http.h"

void samtal_core_register_routes (SamtalServer *server);

/* The core schema. Append steps; never edit one that was committed. */
static const char *const core_steps[] = {
  /* 1 */
  "CREATE TABLE units ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  email TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('client', 'caseworker', 'officer', 'admin')),"
  "  unit_id INTEGER REFERENCES units (id),"
  "  password_hash TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX users_unit ON users (unit_id);"
  "CREATE TABLE sessions ("
  "  token_hash BLOB PRIMARY KEY,"
  "  csrf_hash BLOB NOT NULL,"
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL,"
  "  last_used INTEGER NOT NULL);"
  "CREATE INDEX sessions_user ON sessions (user_id);"
  "CREATE TABLE audit ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at INTEGER NOT NULL,"
  "  actor_id INTEGER NOT NULL DEFAULT 0,"
  "  action TEXT NOT NULL,"
  "  object_type TEXT,"
  "  object_id INTEGER NOT NULL DEFAULT 0,"
  "  detail TEXT,"
  "  hash BLOB NOT NULL);",
};

typedef struct {
  SamtalShutdownHook fn;
  gpointer user_data;
  GDestroyNotify destroy;
} ShutdownHook;

typedef struct {
  GTask *task;
  GTaskThreadFunc func;
} WorkItem;

static void
run_work_item (gpointer data, gpointer pool_data)
{
  WorkItem *item = data;
  item->func (item->task, g_task_get_source_object (item->task), g_task_get_task_data (item->task),
              g_task_get_cancellable (item->task));
  g_object_unref (item->task);
  g_free (item);
}

void
samtal_server_run_in_worker (SamtalServer *server, GTask *task, GTaskThreadFunc func)
{
  WorkItem *item = g_new0 (WorkItem, 1);
  item->task = g_object_ref (task);
  item->func = func;
  g_thread_pool_push (server->workers, item, NULL);
}

guint
samtal_server_worker_backlog (SamtalServer *server)
{
  return g_thread_pool_unprocessed (server->workers);
}

SamtalServer *
samtal_server_new (SamtalConfig *config, GError **error)
{
  if (sodium_init () < 0)
    {
      samtal_config_free (config);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libsodium could not start");
      return NULL;
    }
  g_autoptr (SamtalServer) server = g_new0 (SamtalServer, 1);
  server->config = config;
  server->tz = config->timezone;
  server->metrics = samtal_metrics_new ();
  server->workers = g_thread_pool_new (run_work_item, server, (int) config->hash_workers, FALSE,
                                       error);
  if (server->workers == NULL)
    return NULL;
  server->store = samtal_store_open (config->data_dir, error);
  if (server->store == NULL
      || !samtal_store_migrate (server->store, "core", core_steps, G_N_ELEMENTS (core_steps),
                                error))
    return NULL;
  server->audit = samtal_audit_new (server->store, config->data_dir, error);
  if (server->audit == NULL)
    return NULL;
  server->auth = samtal_auth_new (server);
  server->router = samtal_router_new (server);
  samtal_core_register_routes (server);
  return g_steal_pointer (&server);
}

void
samtal_server_free (SamtalServer *server)
{
  if (server == NULL)
    return;
  samtal_server_run_shutdown_hooks (server);
  if (server->soup)
    soup_server_disconnect (server->soup);
  g_clear_object (&server->soup);
  if (server->workers)
    g_thread_pool_free (server->workers, FALSE, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (server->signal_sources); i++)
    if (server->signal_sources[i])
      g_source_remove (server->signal_sources[i]);
  samtal_router_free (server->router);
  samtal_auth_free (server->auth);
  samtal_audit_free (server->audit);
  samtal_store_close (server->store);
  samtal_metrics_free (server->metrics);
  g_clear_pointer (&server->loop, g_main_loop_unref);
  samtal_config_free (server->config);
  g_free (server);
}

static GSocketAddress *
listen_address (const SamtalConfig *c, GError **error)
{
  g_autoptr (GInetAddress) addr = NULL;
  if (g_str_equal (c->listen_host, "localhost"))
    addr = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else if (g_str_equal (c->listen_host, "*") || g_str_equal (c->listen_host, "0.0.0.0"))
    addr = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  else
    addr = g_inet_address_new_from_string (c->listen_host);
  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "listen host \"%s\" must be an IP address or localhost", c->listen_host);
      return NULL;
    }
  return g_inet_socket_address_new (addr, c->listen_port);
}

/* "http://127.0.0.1:8080" for the first listening socket. */
static char *
listening_url (SamtalServer *server)
{
  GSList *listeners = soup_server_get_listeners (server->soup);
  const char *scheme = server->config->tls_cert ? "https" : "http";
  if (listeners == NULL)
    return NULL;
  g_autoptr (GSocketAddress) sa = g_socket_get_local_address (listeners->data, NULL);
  g_slist_free (listeners);
  if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS (sa))
    return NULL;
  GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (sa);
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (isa));
  guint16 port = g_inet_socket_address_get_port (isa);
  if (strchr (host, ':'))
    return g_strdup_printf ("%s://[%s]:%u", scheme, host, port);
  return g_strdup_printf ("%s://%s:%u", scheme, host, port);
}

gboolean
samtal_server_listen (SamtalServer *server, GError **error)
{
  const SamtalConfig *c = server->config;
  server->soup = soup_server_new ("server-header", "samtal", NULL);
  SoupServerListenOptions opts = 0;
  if (c->tls_cert)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (c->tls_cert, c->tls_key,
                                                                           error);
      if (cert == NULL)
        return FALSE;
      soup_server_set_tls_certificate (server->soup, cert);
      opts |= SOUP_SERVER_LISTEN_HTTPS;
    }
  samtal_router_attach (server->router, server->soup);
  g_autoptr (GSocketAddress) sa = listen_address (c, error);
  if (sa == NULL || !soup_server_listen (server->soup, sa, opts, error))
    return FALSE;
  g_autofree char *url = listening_url (server);
  g_printerr ("samtal-server: listening on %s\n", url ? url : "?");
  return TRUE;
}

char *
samtal_server_public_url (SamtalServer *server)
{
  if (server->config->public_url)
    return g_strdup (server->config->public_url);
  char *url = server->soup ? listening_url (server) : NULL;
  return url ? url : g_strdup_printf ("http://%s:%u", server->config->listen_host,
                                      server->config->listen_port);
}

gint64
samtal_server_now_us (SamtalServer *server)
{
  return g_get_real_time ();
}

void
samtal_server_add_shutdown_hook (SamtalServer *server, SamtalShutdownHook fn, gpointer user_data,
                                 GDestroyNotify destroy)
{
  ShutdownHook *h = g_new0 (ShutdownHook, 1);
  h->fn = fn;
  h->user_data = user_data;
  h->destroy = destroy;
  server->shutdown_hooks = g_list_prepend (server->shutdown_hooks, h);
}

void
samtal_server_run_shutdown_hooks (SamtalServer *server)
{
  GList *hooks = g_steal_pointer (&server->shutdown_hooks);
  for (GList *l = hooks; l; l = l->next)
    {
      ShutdownHook *h = l->data;
      h->fn (server, h->user_data);
      if (h->destroy)
        h->destroy (h->user_data);
      g_free (h);
    }
  g_list_free (hooks);
}

static gboolean
quit_loop (gpointer data)
{
  SamtalServer *server = data;
  if (server->loop)
    g_main_loop_quit (server->loop);
  return G_SOURCE_REMOVE;
}

void
samtal_server_quit (SamtalServer *server)
{
  if (server->shutting_down)
    return;
  server->shutting_down = TRUE;
  g_printerr ("samtal-server: shutting down\n");
  /* Hooks first, while the loop still runs, so meetings can tell their participants; then a
   * moment for those messages to leave before the loop stops. */
  samtal_server_run_shutdown_hooks (server);
  g_timeout_add (300, quit_loop, server);
}

/* Lets closed connections finish their cleanup (it runs in idle callbacks). */
static void
drain_main_context (void)
{
  for (int i = 0; i < 1000 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
on_signal (gpointer data)
{
  samtal_server_quit (data);
  return G_SOURCE_CONTINUE;
}

static void
anchor_audit (SamtalServer *server)
{
  g_autoptr (GError) error = NULL;
  if (!samtal_audit_anchor (server->audit, &error))
    g_warning ("audit: cannot update the anchor: %s", error->message);
}

static gboolean
on_anchor_tick (gpointer data)
{
  anchor_audit (data);
  return G_SOURCE_CONTINUE;
}

#define AUDIT_ANCHOR_INTERVAL_S 2

void
samtal_server_run (SamtalServer *server)
{
  server->loop = g_main_loop_new (NULL, FALSE);
  anchor_audit (server);
  server->anchor_source = g_timeout_add_seconds (AUDIT_ANCHOR_INTERVAL_S, on_anchor_tick, server);
  server->signal_sources[0] = g_unix_signal_add (SIGTERM, on_signal, server);
  server->signal_sources[1] = g_unix_signal_add (SIGINT, on_signal, server);
  g_main_loop_run (server->loop);
  if (server->soup)
    soup_server_disconnect (server->soup);
  g_clear_object (&server->soup);
  drain_main_context ();
  g_clear_handle_id (&server->anchor_source, g_source_remove);
  anchor_audit (server);
}
