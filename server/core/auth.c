/* auth.c — password policy and hashing (argon2id, off the main thread), the sign-in rate limit,
 * and the session endpoints: POST/DELETE /api/v1/session and GET /api/v1/me. */
#include "auth-private.h"

#include <sodium.h>
#include <string.h>

#include "audit.h"
#include "http.h"
#include "server.h"

#define AUTH_MAX_TRACKED_KEYS 20000
#define LOGIN_PASSWORD_MAX_BYTES 1024

typedef struct {
  GQueue times;            /* gint64 unix seconds of recent failures, oldest first */
} FailureLog;

static void
failure_log_free (FailureLog *log)
{
  g_queue_clear (&log->times);
  g_free (log);
}

SamtalAuth *
samtal_auth_new (SamtalServer *server)
{
  SamtalAuth *auth = g_new0 (SamtalAuth, 1);
  auth->server = server;
  auth->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) failure_log_free);
  return auth;
}

void
samtal_auth_free (SamtalAuth *auth)
{
  if (auth == NULL)
    return;
  g_hash_table_destroy (auth->failures);
  g_free (auth);
}

/* --- passwords --- */

gboolean
samtal_password_check_policy (const char *password, GError **error)
{
  if (password == NULL || !g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                           "the password must be valid text");
      return FALSE;
    }
  glong n = g_utf8_strlen (password, -1);
  if (n < SAMTAL_PASSWORD_MIN_CHARS || n > SAMTAL_PASSWORD_MAX_CHARS)
    {
      g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                   "the password must have %d to %d characters", SAMTAL_PASSWORD_MIN_CHARS,
                   SAMTAL_PASSWORD_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

char *
samtal_password_hash (const char *password, GError **error)
{
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str (out, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_INTERNAL,
                           "out of memory while hashing the password");
      return NULL;
    }
  return g_strdup (out);
}

gboolean
samtal_password_verify (const char *hash, const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

typedef struct {
  char *hash;
  char *password;
} PasswordJob;

static void
password_job_free (PasswordJob *job)
{
  g_free (job->hash);
  if (job->password)
    sodium_memzero (job->password, strlen (job->password));
  g_free (job->password);
  g_free (job);
}

static void
hash_in_worker (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  PasswordJob *job = data;
  GError *error = NULL;
  char *hash = samtal_password_hash (job->password, &error);
  if (hash == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hash, g_free);
}

static GTask *
password_task (SamtalServer *server, const char *hash, const char *password,
               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  PasswordJob *job = g_new0 (PasswordJob, 1);
  job->hash = g_strdup (hash);
  job->password = g_strdup (password);
  g_task_set_task_data (task, job, (GDestroyNotify) password_job_free);
  return task;
}

void
samtal_password_hash_async (SamtalServer *server, const char *password,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = password_task (server, NULL, password, cancellable, callback,
                                          user_data);
  samtal_server_run_in_worker (server, task, hash_in_worker);
}

char *
samtal_password_hash_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
verify_in_worker (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  PasswordJob *job = data;
  if (job->hash == NULL)
    {
      /* Unknown account: spend the same time, then fail. */
      g_free (samtal_password_hash (job->password, NULL));
      g_task_return_boolean (task, FALSE);
      return;
    }
  g_task_return_boolean (task, samtal_password_verify (job->hash, job->password));
}

void
samtal_password_verify_async (SamtalServer *server, const char *hash, const char *password,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = password_task (server, hash, password, cancellable, callback,
                                          user_data);
  samtal_server_run_in_worker (server, task, verify_in_worker);
}

gboolean
samtal_password_verify_finish (GAsyncResult *result)
{
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

/* --- rate limit --- */

static FailureLog *
failure_log (SamtalAuth *auth, const char *prefix, const char *key, gboolean create)
{
  g_autofree char *k = g_strconcat (prefix, key ? key : "", NULL);
  FailureLog *log = g_hash_table_lookup (auth->failures, k);
  if (log == NULL && create)
    {
      log = g_new0 (FailureLog, 1);
      g_hash_table_insert (auth->failures, g_steal_pointer (&k), log);
    }
  return log;
}

static void
failure_log_prune (FailureLog *log, gint64 now, guint window)
{
  while (!g_queue_is_empty (&log->times)
         && GPOINTER_TO_SIZE (g_queue_peek_head (&log->times)) + window <= (guint64) now)
    g_queue_pop_head (&log->times);
}

/* Seconds until the oldest failure leaves the window, if the log is at its limit. */
static guint
failure_log_wait (FailureLog *log, gint64 now, guint window, guint limit)
{
  if (log == NULL)
    return 0;
  failure_log_prune (log, now, window);
  if (g_queue_get_length (&log->times) < limit)
    return 0;
  gint64 oldest = (gint64) GPOINTER_TO_SIZE (g_queue_peek_head (&log->times));
  return (guint) MAX (1, oldest + window - now);
}

guint
samtal_auth_retry_after (SamtalAuth *auth, const char *email, const char *addr, gint64 now)
{
  const SamtalConfig *c = auth->server->config;
  guint a = failure_log_wait (failure_log (auth, "a:", email, FALSE), now, c->login_window_s,
                              c->login_max_failures_account);
  guint b = failure_log_wait (failure_log (auth, "r:", addr, FALSE), now, c->login_window_s,
                              c->login_max_failures_addr);
  return MAX (a, b);
}

static void
auth_forget_expired (SamtalAuth *auth, gint64 now)
{
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, auth->failures);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      failure_log_prune (value, now, auth->server->config->login_window_s);
      if (g_queue_is_empty (&((FailureLog *) value)->times))
        g_hash_table_iter_remove (&it);
    }
}

static void
note_failure (SamtalAuth *auth, const char *prefix, const char *key, gint64 now, guint limit)
{
  FailureLog *log = failure_log (auth, prefix, key, TRUE);
  failure_log_prune (log, now, auth->server->config->login_window_s);
  g_queue_push_tail (&log->times, GSIZE_TO_POINTER ((gsize) now));
  while (g_queue_get_length (&log->times) > limit)
    g_queue_pop_head (&log->times);
}

void
samtal_auth_note_failure (SamtalAuth *auth, const char *email, const char *addr, gint64 now)
{
  const SamtalConfig *c = auth->server->config;
  if (g_hash_table_size (auth->failures) > AUTH_MAX_TRACKED_KEYS)
    auth_forget_expired (auth, now);
  note_failure (auth, "a:", email, now, c->login_max_failures_account);
  note_failure (auth, "r:", addr, now, c->login_max_failures_addr);
}

void
samtal_auth_note_success (SamtalAuth *auth, const char *email)
{
  g_autofree char *k = g_strconcat ("a:", email ? email : "", NULL);
  g_hash_table_remove (auth->failures, k);
}

/* --- tokens in requests --- */

const char *
samtal_auth_request_token (SoupServerMessage *msg, gboolean *from_cookie)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *authz = soup_message_headers_get_one (h, "Authorization");
  *from_cookie = FALSE;
  if (authz != NULL && g_ascii_strncasecmp (authz, "Bearer ", 7) == 0)
    return authz + 7;
  const char *cookies = soup_message_headers_get_list (h, "Cookie");
  if (cookies == NULL)
    return NULL;
  /* Find "samtal_session=VALUE" among "a=b; c=d"; the value is borrowed by pointing into
   * the header, so it ends at ';' — callers only hash it via samtal_session_lookup, which
   * stops there too. */
  const char *p = cookies;
  gsize name_len = strlen (SAMTAL_SESSION_COOKIE);
  while (p && *p)
    {
      while (*p == ' ' || *p == ';' || *p == ',')
        p++;
      if (strncmp (p, SAMTAL_SESSION_COOKIE, name_len) == 0 && p[name_len] == '=')
        {
          *from_cookie = TRUE;
          return p + name_len + 1;
        }
      p = strpbrk (p, ";,");
    }
  return NULL;
}

/* --- endpoints --- */

typedef struct {
  SamtalRequest *req;
  char *email;
  gint64 user_id;     /* 0 if no such account */
} SignIn;

static void
sign_in_free (SignIn *s)
{
  samtal_request_unref (s->req);
  g_free (s->email);
  g_free (s);
}

static void
set_session_cookie (SamtalRequest *req, const char *token, guint max_age)
{
  g_autofree char *cookie = g_strdup_printf (
    "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s", SAMTAL_SESSION_COOKIE,
    token ? token : "", max_age, samtal_request_is_tls (req) ? "; Secure" : "");
  soup_message_headers_append (soup_server_message_get_response_headers (
                                 samtal_request_message (req)), "Set-Cookie", cookie);
}

static void
sign_in_succeeded (SignIn *s)
{
  SamtalServer *server = samtal_request_server (s->req);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalUser) user = samtal_users_get (server, s->user_id, &error);
  g_autoptr (SamtalSessionGrant) grant = user ? samtal_session_create (server->auth, user->id,
                                                                       &error) : NULL;
  if (grant == NULL
      || !samtal_audit_append (server->audit, user->id, "session.create", "user", user->id,
                               NULL, &error))
    return samtal_reply_gerror (s->req, error);
  samtal_auth_note_success (server->auth, s->email);
  samtal_metrics_inc (server->metrics, "samtal_sign_ins_total", NULL);
  set_session_cookie (s->req, grant->token, server->config->session_absolute_s);
  JsonObject *obj = json_object_new ();
  json_object_set_string_member (obj, "token", grant->token);
  json_object_set_string_member (obj, "csrf_token", grant->csrf_token);
  json_object_set_member (obj, "user", samtal_user_to_json (user));
  samtal_reply_json (s->req, 200, samtal_json_object_node (obj));
}

static void
sign_in_failed (SignIn *s)
{
  SamtalServer *server = samtal_request_server (s->req);
  const char *addr = samtal_request_remote_addr (s->req);
  g_autoptr (GError) error = NULL;
  g_autofree char *detail = g_strdup_printf ("from %s%s", addr,
                                             s->user_id ? "" : ", unknown account");
  samtal_auth_note_failure (server->auth, s->email, addr, g_get_real_time () / G_USEC_PER_SEC);
  samtal_metrics_inc (server->metrics, "samtal_login_failures_total", NULL);
  if (!samtal_audit_append (server->audit, 0, "session.fail", s->user_id ? "user" : NULL,
                            s->user_id, detail, &error))
    g_warning ("audit: %s", error->message);
  samtal_reply_error (s->req, 401, "unauthorized", "wrong e-mail address or password");
}

static void
on_sign_in_verified (GObject *source, GAsyncResult *result, gpointer data)
{
  SignIn *s = data;
  if (samtal_password_verify_finish (result) && s->user_id != 0)
    sign_in_succeeded (s);
  else
    sign_in_failed (s);
  sign_in_free (s);
}

static gboolean
rate_limited (SamtalRequest *req, const char *email)
{
  SamtalServer *server = samtal_request_server (req);
  guint wait = samtal_auth_retry_after (server->auth, email, samtal_request_remote_addr (req),
                                        g_get_real_time () / G_USEC_PER_SEC);
  if (wait == 0)
    return FALSE;
  g_autofree char *secs = g_strdup_printf ("%u", wait);
  samtal_reply_header (req, "Retry-After", secs);
  samtal_reply_error (req, 429, "rate_limited", "too many failed sign-ins; try again in %u s",
                      wait);
  return TRUE;
}

static void
handle_session_create (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  JsonObject *body = samtal_request_body (req);
  const char *email_in = NULL, *password = NULL;
  g_autoptr (GError) error = NULL;
  if (!samtal_field_string (body, "email", TRUE, SAMTAL_EMAIL_MAX_CHARS, FALSE, &email_in, &error)
      || !samtal_field_string (body, "password", TRUE, LOGIN_PASSWORD_MAX_BYTES, FALSE, &password,
                               &error))
    return samtal_reply_gerror (req, error);
  g_autofree char *email = samtal_normalize_email (email_in, &error);
  if (email == NULL)
    return samtal_reply_gerror (req, error);
  if (rate_limited (req, email) || samtal_request_workers_busy (req))
    return;
  SignIn *s = g_new0 (SignIn, 1);
  s->req = samtal_request_hold (req);
  s->email = g_steal_pointer (&email);
  g_autoptr (SamtalUser) user = samtal_users_get_by_email (server, s->email, NULL);
  s->user_id = user ? user->id : 0;
  g_autofree char *hash = user ? samtal_users_password_hash (server, user->id) : NULL;
  samtal_password_verify_async (server, hash, password, NULL, on_sign_in_verified, s);
}

static void
handle_session_delete (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  gboolean from_cookie;
  const char *token = samtal_auth_request_token (samtal_request_message (req), &from_cookie);
  const SamtalUser *me = samtal_request_user (req);
  g_autoptr (GError) error = NULL;
  samtal_session_end (server->auth, token);
  if (!samtal_audit_append (server->audit, me->id, "session.end", "user", me->id, NULL, &error))
    g_warning ("audit: %s", error->message);
  set_session_cookie (req, NULL, 0);
  samtal_reply_json (req, 204, NULL);
}

static void
handle_me (SamtalRequest *req, gpointer unused)
{
  samtal_reply_json (req, 200, samtal_json_self_named (samtal_user_to_json (
                                 samtal_request_user (req)), "user"));
}

void
samtal_auth_register_routes (SamtalServer *server)
{
  samtal_router_add (server->router, "POST", "/api/v1/session", handle_session_create,
                     SAMTAL_ROUTE_ANYONE | SAMTAL_ROUTE_NO_CSRF);
  samtal_router_add (server->router, "DELETE", "/api/v1/session", handle_session_delete,
                     SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (server->router, "GET", "/api/v1/me", handle_me, SAMTAL_ROUTE_SIGNED_IN);
}
