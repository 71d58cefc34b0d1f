/* session.c — sessions in the store: 256-bit random tokens kept only as BLAKE2b hashes, with a
 * CSRF token (also hashed), idle and absolute expiry. */
#include "auth-private.h"

#include <sodium.h>
#include <string.h>

#include "errors.h"
#include "server.h"

#define SESSION_TOKEN_BYTES 32
#define SESSION_HASH_BYTES 32
#define SESSION_TOKEN_MAX_CHARS 128
/* last_used is written at most this often (seconds), so reads do not all turn into writes. */
#define SESSION_TOUCH_INTERVAL_S 30

static SamtalServer *
auth_server (SamtalAuth *auth)
{
  return auth->server;
}

void
samtal_session_grant_free (SamtalSessionGrant *grant)
{
  if (grant == NULL)
    return;
  if (grant->token)
    sodium_memzero (grant->token, strlen (grant->token));
  g_free (grant->token);
  g_free (grant->csrf_token);
  g_free (grant);
}

gboolean
samtal_session_is_live (gint64 created_s, gint64 last_used_s, gint64 now_s, guint idle_s,
                        guint absolute_s)
{
  return now_s - last_used_s < (gint64) idle_s && now_s - created_s < (gint64) absolute_s
         && now_s >= created_s - 300;
}

static char *
random_token (void)
{
  guint8 raw[SESSION_TOKEN_BYTES];
  char text[sodium_base64_ENCODED_LEN (SESSION_TOKEN_BYTES,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  randombytes_buf (raw, sizeof raw);
  sodium_bin2base64 (text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (raw, sizeof raw);
  return g_strdup (text);
}

/* The token as sent ends at the first ';', ',' or blank (cookie headers). FALSE if empty or
 * too long. */
static gboolean
token_hash (const char *token, guint8 *out)
{
  if (token == NULL)
    return FALSE;
  gsize n = strcspn (token, "; ,\t");
  if (n == 0 || n > SESSION_TOKEN_MAX_CHARS)
    return FALSE;
  crypto_generichash (out, SESSION_HASH_BYTES, (const guint8 *) token, n, NULL, 0);
  return TRUE;
}

/* Deletes sessions that can no longer be used (run at each sign-in; the table stays small). */
static void
session_purge_expired (SamtalServer *server, gint64 now)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "DELETE FROM sessions WHERE last_used <= ? OR created_at <= ?", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, now - server->config->session_idle_s);
  sqlite3_bind_int64 (stmt, 2, now - server->config->session_absolute_s);
  samtal_store_run (server->store, stmt, NULL);
}

SamtalSessionGrant *
samtal_session_create (SamtalAuth *auth, gint64 user_id, GError **error)
{
  SamtalStore *store = auth_server (auth)->store;
  session_purge_expired (auth_server (auth), g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr (SamtalSessionGrant) grant = g_new0 (SamtalSessionGrant, 1);
  grant->token = random_token ();
  grant->csrf_token = random_token ();
  grant->user_id = user_id;
  guint8 th[SESSION_HASH_BYTES], ch[SESSION_HASH_BYTES];
  token_hash (grant->token, th);
  token_hash (grant->csrf_token, ch);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (store,
    "INSERT INTO sessions (token_hash, csrf_hash, user_id, created_at, last_used) "
    "VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, th, sizeof th, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, ch, sizeof ch, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, user_id);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!samtal_store_run (store, stmt, error))
    return NULL;
  return g_steal_pointer (&grant);
}

static void
session_delete_hash (SamtalStore *store, const guint8 *th)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (store,
    "DELETE FROM sessions WHERE token_hash = ?", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_blob (stmt, 1, th, SESSION_HASH_BYTES, SQLITE_TRANSIENT);
  samtal_store_run (store, stmt, NULL);
}

static void
session_touch (SamtalStore *store, const guint8 *th, gint64 now)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (store,
    "UPDATE sessions SET last_used = ? WHERE token_hash = ?", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_blob (stmt, 2, th, SESSION_HASH_BYTES, SQLITE_TRANSIENT);
  samtal_store_run (store, stmt, NULL);
}

static gboolean
csrf_matches (sqlite3_stmt *row, const char *csrf)
{
  guint8 ch[SESSION_HASH_BYTES];
  if (!token_hash (csrf, ch) || sqlite3_column_bytes (row, 3) != SESSION_HASH_BYTES)
    return FALSE;
  return sodium_memcmp (ch, sqlite3_column_blob (row, 3), SESSION_HASH_BYTES) == 0;
}

SamtalUser *
samtal_session_lookup (SamtalAuth *auth, const char *token, const char *csrf, gboolean *csrf_ok)
{
  SamtalServer *server = auth_server (auth);
  guint8 th[SESSION_HASH_BYTES];
  if (csrf_ok)
    *csrf_ok = FALSE;
  if (!token_hash (token, th))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT user_id, created_at, last_used, csrf_hash FROM sessions WHERE token_hash = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, th, sizeof th, SQLITE_TRANSIENT);
  if (samtal_store_step (server->store, stmt, NULL) != SQLITE_ROW)
    return NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 user_id = sqlite3_column_int64 (stmt, 0);
  gint64 created = sqlite3_column_int64 (stmt, 1), last = sqlite3_column_int64 (stmt, 2);
  if (!samtal_session_is_live (created, last, now, server->config->session_idle_s,
                               server->config->session_absolute_s))
    {
      g_clear_pointer (&stmt, sqlite3_finalize);
      session_delete_hash (server->store, th);
      return NULL;
    }
  if (csrf_ok)
    *csrf_ok = csrf_matches (stmt, csrf);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (now - last >= MIN (SESSION_TOUCH_INTERVAL_S, server->config->session_idle_s / 4))
    session_touch (server->store, th, now);
  return samtal_users_get (server, user_id, NULL);
}

void
samtal_session_end (SamtalAuth *auth, const char *token)
{
  guint8 th[SESSION_HASH_BYTES];
  if (token_hash (token, th))
    session_delete_hash (auth_server (auth)->store, th);
}
