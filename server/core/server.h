/* server.h — SamtalServer, the context that every part of the server is handed.
 *
 * One SamtalServer per process. It owns the configuration, the store, the audit trail, the
 * authentication state, the router, the metrics and a small worker pool for slow CPU work
 * (password hashing). There are no globals: everything a handler needs it reaches through
 * samtal_request_server() → this struct. Components that need their own state (booking, cases,
 * meetings) keep it in the opaque slots below and free it in a shutdown hook.
 *
 * Threads: everything here runs on the main thread (the GMainContext of samtal_server_run), except
 * the functions given to samtal_server_run_in_worker(), which run in the worker pool and must not
 * touch the store, the router or any SoupServerMessage.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "config.h"
#include "metrics.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct _SamtalAudit SamtalAudit;
typedef struct _SamtalAuth SamtalAuth;
typedef struct _SamtalRouter SamtalRouter;
typedef struct _SamtalServer SamtalServer;

typedef void (*SamtalShutdownHook) (SamtalServer *server, gpointer user_data);

struct _SamtalServer {
  SamtalConfig *config;       /* owned; read-only after samtal_server_new */
  GTimeZone *tz;              /* borrowed from config: the zone times are shown in */
  SamtalStore *store;         /* owned */
  SamtalAudit *audit;         /* owned */
  SamtalAuth *auth;           /* owned */
  SamtalRouter *router;       /* owned */
  SamtalMetrics *metrics;     /* owned */
  SoupServer *soup;           /* owned; NULL for the command-line tools (no HTTP) */

  /* Component state, owned by the component (free it in a shutdown hook). */
  gpointer booking;
  gpointer cases;
  gpointer meetings;

  /* private */
  GThreadPool *workers;
  GList *shutdown_hooks;
  GMainLoop *loop;
  guint signal_sources[2];
  guint anchor_source;       /* the audit anchor's timer while serving */
  gboolean shutting_down;
};

/* Takes config (transfer full; samtal_config_finish() must have succeeded), opens the store,
 * migrates the core schema and makes the audit trail, auth, router and metrics. No network yet:
 * the command-line tools use this too. */
SamtalServer *samtal_server_new (SamtalConfig *config, GError **error);

/* Runs the shutdown hooks (if not yet run), stops the workers, closes the store, frees all.
 * NULL is allowed. */
void samtal_server_free (SamtalServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalServer, samtal_server_free)

/* Creates the SoupServer, attaches the router (API, static files, /healthz, /metrics) and
 * listens on config's address (with TLS if configured). Logs "listening on http(s)://HOST:PORT"
 * to stderr. Components that attach their own handlers (the /ws WebSocket) do so on
 * server->soup after this returns. */
gboolean samtal_server_listen (SamtalServer *server, GError **error);

/* Runs the main loop until SIGTERM/SIGINT or samtal_server_quit(); then stops accepting
 * connections and runs the shutdown hooks. */
void samtal_server_run (SamtalServer *server);
void samtal_server_quit (SamtalServer *server);

/* Registers fn to run once at shutdown, on the main thread, after the server stopped accepting
 * and before the store closes. Hooks run in reverse order of registration (last added first). */
void samtal_server_add_shutdown_hook (SamtalServer *server, SamtalShutdownHook fn,
                                      gpointer user_data, GDestroyNotify destroy);
/* Runs and removes the hooks now (idempotent). */
void samtal_server_run_shutdown_hooks (SamtalServer *server);

/* Runs func in the worker pool (at most config->hash_workers at once); the task's callback is
 * called on the main context as usual with g_task_return_*. Takes a reference on task. */
void samtal_server_run_in_worker (SamtalServer *server, GTask *task, GTaskThreadFunc func);

/* Jobs waiting for a worker. Handlers that queue slow work refuse new work (503) above
 * SAMTAL_WORKER_BACKLOG_MAX, so a flood of sign-ins cannot pile up without bound. */
#define SAMTAL_WORKER_BACKLOG_MAX 256
guint samtal_server_worker_backlog (SamtalServer *server);

/* The base URL of the server as clients see it: config->public_url, else http(s)://HOST:PORT of
 * the listening socket. Newly allocated; no trailing slash. */
char *samtal_server_public_url (SamtalServer *server);

/* The current time in unix microseconds (one place to fake it later). */
gint64 samtal_server_now_us (SamtalServer *server);

G_END_DECLS
