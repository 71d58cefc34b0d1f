/* auth.h — passwords, sessions, CSRF and the sign-in rate limit.
 *
 * Passwords: 8 … 128 characters (code points), hashed with libsodium argon2id
 * (crypto_pwhash_str, the INTERACTIVE limits) — never on the main thread: use the _async
 * functions from handlers; the plain ones are for worker threads and the CLI.
 *
 * Sessions: a 256-bit random token (base64url, 43 characters) given to the client once; only its
 * BLAKE2b hash is stored (table sessions). A session ends after session_idle_s without use, at
 * the latest session_absolute_s after sign-in, or at sign-out. Browsers get the token in the
 * HttpOnly, SameSite=Strict cookie "samtal_session" (Secure under TLS) and must echo the
 * session's CSRF token in X-CSRF-Token on every POST, PUT, PATCH and DELETE; programs send
 * "Authorization: Bearer TOKEN" and need no CSRF token.
 *
 * Rate limit: failed sign-ins are counted per account and per remote address in a sliding
 * window; past the limit POST /api/v1/session answers 429 rate_limited with Retry-After.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "users.h"

G_BEGIN_DECLS

#define SAMTAL_PASSWORD_MIN_CHARS 8
#define SAMTAL_PASSWORD_MAX_CHARS 128
#define SAMTAL_SESSION_COOKIE "samtal_session"

typedef struct _SamtalServer SamtalServer;
typedef struct _SamtalAuth SamtalAuth;
typedef struct _SamtalRequest SamtalRequest;

SamtalAuth *samtal_auth_new (SamtalServer *server);
void samtal_auth_free (SamtalAuth *auth);

/* --- passwords --- */
/* 8 … 128 characters of valid UTF-8 without NUL; else BAD_REQUEST naming the rule. */
gboolean samtal_password_check_policy (const char *password, GError **error);
/* Blocking (slow, 64 MiB): worker threads and the CLI only. (transfer full) */
char *samtal_password_hash (const char *password, GError **error);
gboolean samtal_password_verify (const char *hash, const char *password);
/* Non-blocking variants for the main thread; run in the server's worker pool. */
void samtal_password_hash_async (SamtalServer *server, const char *password,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
char *samtal_password_hash_finish (GAsyncResult *result, GError **error);
/* hash may be NULL (unknown user): a dummy verify still runs so timing does not tell. */
void samtal_password_verify_async (SamtalServer *server, const char *hash, const char *password,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean samtal_password_verify_finish (GAsyncResult *result);

/* --- sessions --- */
typedef struct {
  char *token;        /* give to the client; never stored, never logged */
  char *csrf_token;
  gint64 user_id;
} SamtalSessionGrant;
void samtal_session_grant_free (SamtalSessionGrant *grant);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalSessionGrant, samtal_session_grant_free)

/* Starts a session for user_id. (transfer full) */
SamtalSessionGrant *samtal_session_create (SamtalAuth *auth, gint64 user_id, GError **error);
/* The user of a live session token (and touches its last use), or NULL if unknown or expired
 * (expired sessions are deleted). csrf_ok, if not NULL, tells whether csrf (may be NULL)
 * matches the session's CSRF token (constant-time). (transfer full) */
SamtalUser *samtal_session_lookup (SamtalAuth *auth, const char *token, const char *csrf,
                                   gboolean *csrf_ok);
/* Ends the session of token (no error if unknown). */
void samtal_session_end (SamtalAuth *auth, const char *token);
/* Pure: is a session created at created_s, last used at last_used_s, still live at now_s? */
gboolean samtal_session_is_live (gint64 created_s, gint64 last_used_s, gint64 now_s,
                                 guint idle_s, guint absolute_s);

/* --- rate limit (pure bookkeeping, for tests too) --- */
/* Seconds until key may try again, 0 if allowed now. */
guint samtal_auth_retry_after (SamtalAuth *auth, const char *email, const char *addr, gint64 now_s);
void samtal_auth_note_failure (SamtalAuth *auth, const char *email, const char *addr, gint64 now_s);
void samtal_auth_note_success (SamtalAuth *auth, const char *email);

/* The session token a request carries: Bearer header first, else the cookie. *from_cookie tells
 * which. Borrowed from msg's headers, or NULL. */
const char *samtal_auth_request_token (SoupServerMessage *msg, gboolean *from_cookie);

/* Registers POST/DELETE /api/v1/session and GET /api/v1/me. */
void samtal_auth_register_routes (SamtalServer *server);

G_END_DECLS
