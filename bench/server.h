/* server.h — a real samtal-server for one benchmark run: a fresh temp data dir, a free port on
 * 127.0.0.1, `--ice-address 127.0.0.1`, users made with the `user add` CLI, and a clean stop
 * (SIGTERM, then SIGKILL after a grace period) that removes the temp dir.
 *
 * The server's stderr is drained by a thread (so it can never block on a full pipe) and echoed
 * with a "server: " prefix when verbose is set.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BenchServer BenchServer;

/* Finds samtal-server: explicit (if not NULL), else SAMTAL_SERVER_BIN, else ../server/samtal-server
 * beside this executable. Returns a newly allocated path or NULL with error. */
char *bench_server_find_binary (const char *explicit_path, GError **error);

/* Makes the data dir (empty, not yet started). */
BenchServer *bench_server_new (const char *binary, gboolean verbose, GError **error);

/* Runs `samtal-server user add`; returns the new user's id, or 0 with error. unit may be NULL. */
gint64 bench_server_user_add (BenchServer *server, const char *email, const char *name,
                              const char *role, const char *unit, const char *password,
                              GError **error);

/* Starts the server and waits (at most timeout_s) until it logs "listening on". */
/* The server's --relay-forwarding (direct | pipeline); call before bench_server_start. */
void bench_server_set_forwarding (BenchServer *server, const char *mode);
gboolean bench_server_start (BenchServer *server, guint timeout_s, GError **error);

/* Prints the last lines the server logged (stderr, "server: " prefix): for failures. */
void bench_server_print_log_tail (BenchServer *server);

const char *bench_server_base_url (BenchServer *server);   /* "http://127.0.0.1:PORT" */
const char *bench_server_data_dir (BenchServer *server);
GPid bench_server_pid (BenchServer *server);               /* 0 when not running */

/* Stops the server (if running) and removes the data dir, frees. */
void bench_server_free (BenchServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchServer, bench_server_free)

G_END_DECLS
