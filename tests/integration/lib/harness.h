/* harness.h — integration-test harness: runs the real samtal-server binary and talks to it.
 *
 * samtal_test_server_start() starts $SAMTAL_BUILD_ROOT/server/samtal-server (or
 * $SAMTAL_SERVER_BIN) on 127.0.0.1 with a free port (--listen 127.0.0.1:0) and a fresh temporary
 * data dir, waits for its "listening on" line, and keeps draining its stderr into a log. The
 * synchronous client sends JSON requests with a Bearer token, or with the session cookie and
 * X-CSRF-Token as a browser would. Everything is blocking and needs no main loop; use it from
 * g_test functions.
 *
 *     g_autoptr (SamtalTestServer) ts = samtal_test_server_start (&error);
 *     g_assert_no_error (error);
 *     samtal_test_server_add_user (ts, "admin@x.se", "Ada", "admin", NULL, "password1", &error);
 *     g_autoptr (SamtalTestAuth) admin = samtal_test_sign_in (ts, "admin@x.se", "password1", &error);
 *     g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "POST", "/api/v1/units", admin,
 *                                                             "{\"name\":\"Färdtjänst\"}");
 *     g_assert_cmpuint (r->status, ==, 201);
 *     g_assert_cmpint (samtal_test_json_int (r->json, "id"), >, 0);
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  const char *const *extra_args;  /* more options for samtal-server (NULL-terminated), or NULL */
  const char *data_dir;           /* use this data dir (not removed at free); NULL: a fresh one */
  gboolean tls;                   /* https: makes a self-signed cert with openssl in the data dir */
  guint start_timeout_s;          /* default 120 (ASan builds on a busy machine are slow) */
} SamtalTestServerOptions;

typedef struct {
  GPid pid;                 /* 0 when not running */
  char *binary;
  char *data_dir;
  gboolean own_data_dir;    /* removed at free */
  char *base_url;           /* "http://127.0.0.1:PORT", no trailing slash */
  guint16 port;
  gboolean tls;
  char **args;              /* the full argv used, for restarts */
  SoupSession *session;
  /* private */
  GMutex lock;
  GCond cond;
  GString *log;
  GThread *reader;
  int stderr_fd;
  int exit_status;
  gboolean exited;
} SamtalTestServer;

/* Starts a server with defaults (fresh data dir, free port). */
SamtalTestServer *samtal_test_server_start (GError **error);
/* …with extra arguments, e.g. (const char *[]){ "--demo", NULL }. */
SamtalTestServer *samtal_test_server_start_with_args (const char *const *extra_args,
                                                      GError **error);
SamtalTestServer *samtal_test_server_start_full (const SamtalTestServerOptions *options,
                                                 GError **error);
/* Starts the server again after a stop or kill, on the same data dir and arguments (the port
 * may change: base_url is updated). */
gboolean samtal_test_server_restart (SamtalTestServer *ts, GError **error);
/* SIGTERM and wait (up to 60 s); returns the exit status (0 = clean), -1 if it had to be killed. */
int samtal_test_server_stop (SamtalTestServer *ts);
/* SIGKILL and wait (a crash, for durability tests). */
void samtal_test_server_kill (SamtalTestServer *ts);
/* TRUE while the process runs (it did not crash). */
gboolean samtal_test_server_alive (SamtalTestServer *ts);
/* A copy of what the server wrote to stderr so far. */
char *samtal_test_server_log (SamtalTestServer *ts);
/* Kills the server if it runs, removes its own data dir, frees. */
void samtal_test_server_free (SamtalTestServer *ts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalTestServer, samtal_test_server_free)

/* Runs "samtal-server ARGS…" as a command (e.g. { "audit", "verify", "--data-dir", dir, NULL })
 * with stdin_text on standard input. Returns the exit status; out and err (may be NULL) get the
 * output. */
int samtal_test_run_cli (SamtalTestServer *ts, const char *const *args, const char *stdin_text,
                         char **out, char **err);

/* "samtal-server user add" on the server's data dir; unit may be NULL. Returns the new user's
 * id, or 0 with error (the CLI's message). */
gint64 samtal_test_server_add_user (SamtalTestServer *ts, const char *email, const char *name,
                                    const char *role, const char *unit, const char *password,
                                    GError **error);

/* --- the client --- */

typedef struct {
  char *token;
  char *csrf_token;
  gint64 user_id;
  char *role;
  gboolean use_cookie;   /* FALSE: Authorization: Bearer; TRUE: Cookie + X-CSRF-Token */
  gboolean omit_csrf;    /* with use_cookie: leave X-CSRF-Token out (for CSRF tests) */
} SamtalTestAuth;
void samtal_test_auth_free (SamtalTestAuth *auth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalTestAuth, samtal_test_auth_free)

typedef struct {
  guint status;               /* 0 if the connection failed */
  char *body;                 /* NUL-terminated */
  gsize body_len;
  JsonNode *json;             /* the parsed body, or NULL if it is not JSON */
  SoupMessageHeaders *headers;
} SamtalTestResponse;
void samtal_test_response_free (SamtalTestResponse *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalTestResponse, samtal_test_response_free)

/* POST /api/v1/session; NULL with error if the status is not 200. */
SamtalTestAuth *samtal_test_sign_in (SamtalTestServer *ts, const char *email, const char *password,
                                     GError **error);

/* A request with an optional JSON body (NULL: none) and optional auth (NULL: anonymous). */
SamtalTestResponse *samtal_test_request (SamtalTestServer *ts, const char *method,
                                         const char *path, const SamtalTestAuth *auth,
                                         const char *json_body);
/* The same with the body made by printf. */
SamtalTestResponse *samtal_test_requestf (SamtalTestServer *ts, const char *method,
                                          const char *path, const SamtalTestAuth *auth,
                                          const char *format, ...) G_GNUC_PRINTF (5, 6);
/* Full control: extra headers as a NULL-terminated name, value, name, value… list; a body of
 * any bytes with its content type (NULL: application/json). */
SamtalTestResponse *samtal_test_request_full (SamtalTestServer *ts, const char *method,
                                              const char *path, const SamtalTestAuth *auth,
                                              const char *const *headers, const char *body,
                                              gsize body_len, const char *content_type);
/* Bytes written to a plain TCP connection as they are (for requests a client library would
 * refuse to send); returns the status of the answer (0 if none) and, if raw_out, all of it. */
guint samtal_test_raw_http (SamtalTestServer *ts, const char *request, gsize len, char **raw_out);

/* --- JSON accessors (g_assert on what the test expects, fine in tests) --- */
/* member may be a dotted path: "user.id", "error.code". Missing or wrong type: 0 / NULL. */
gint64 samtal_test_json_int (JsonNode *node, const char *member);
const char *samtal_test_json_string (JsonNode *node, const char *member);
/* The error code of an error reply ({"error":{"code":…}}), or NULL. */
const char *samtal_test_error_code (const SamtalTestResponse *r);
/* Array length of a JSON array node (-1 if it is not an array). */
gint samtal_test_json_array_length (JsonNode *node);

G_END_DECLS
