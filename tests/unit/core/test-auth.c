/* Unit tests: password policy and hashing, session expiry, sessions and CSRF in the store, the
 * sign-in rate limit, and users/units (core/auth.h, core/users.h). */
#include <string.h>

#include "core/auth.h"
#include "core/errors.h"
#include "core/users.h"
#include "fixture.h"

static void
test_policy (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_password_check_policy ("12345678", NULL));
  g_assert_true (samtal_password_check_policy ("åäöåäöåä", NULL));    /* 8 characters */
  g_assert_false (samtal_password_check_policy ("1234567", &error));
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST);
  g_autofree char *long_ok = g_strnfill (128, 'x');
  g_autofree char *too_long = g_strnfill (129, 'x');
  g_assert_true (samtal_password_check_policy (long_ok, NULL));
  g_assert_false (samtal_password_check_policy (too_long, NULL));
  g_assert_false (samtal_password_check_policy ("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", NULL));
  g_assert_false (samtal_password_check_policy (NULL, NULL));
}

static void
test_hash (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *h = samtal_password_hash ("correct horse", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (h, "$argon2id$"));
  g_assert_null (strstr (h, "correct horse"));
  g_assert_true (samtal_password_verify (h, "correct horse"));
  g_assert_false (samtal_password_verify (h, "correct horsE"));
  g_assert_false (samtal_password_verify (NULL, "correct horse"));
  g_assert_false (samtal_password_verify ("garbage", "correct horse"));
}

static void
test_session_expiry (void)
{
  const guint idle = 1800, absolute = 43200;
  gint64 t0 = 1800000000;
  g_assert_true (samtal_session_is_live (t0, t0, t0, idle, absolute));
  g_assert_true (samtal_session_is_live (t0, t0, t0 + idle - 1, idle, absolute));
  g_assert_false (samtal_session_is_live (t0, t0, t0 + idle, idle, absolute));
  /* Kept alive by use, but never past the absolute limit. */
  g_assert_true (samtal_session_is_live (t0, t0 + 40000, t0 + 41000, idle, absolute));
  g_assert_false (samtal_session_is_live (t0, t0 + 43000, t0 + absolute, idle, absolute));
  /* A creation time far in the future (clock trouble, forged row) is not live. */
  g_assert_false (samtal_session_is_live (t0 + 3600, t0 + 3600, t0, idle, absolute));
}

static SamtalUser *
make_user (CoreFixture *f, const char *email, const char *role, gint64 unit)
{
  g_autoptr (GError) error = NULL;
  SamtalUser *u = samtal_users_create_sync (f->server, 0, email, "Test Person", role, unit,
                                            "password1", &error);
  g_assert_no_error (error);
  return u;
}

static void
test_sessions (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalUser) u = make_user (f, "Kim@Example.se", "client", 0);
  g_assert_cmpstr (u->email, ==, "kim@example.se");
  g_autoptr (SamtalSessionGrant) g = samtal_session_create (f->server->auth, u->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (g->token), ==, 43);
  g_assert_cmpstr (g->token, !=, g->csrf_token);
  gboolean csrf_ok = TRUE;
  g_autoptr (SamtalUser) a = samtal_session_lookup (f->server->auth, g->token, NULL, &csrf_ok);
  g_assert_nonnull (a);
  g_assert_cmpint (a->id, ==, u->id);
  g_assert_false (csrf_ok);
  g_autoptr (SamtalUser) b = samtal_session_lookup (f->server->auth, g->token, g->csrf_token,
                                                    &csrf_ok);
  g_assert_true (csrf_ok);
  g_autoptr (SamtalUser) c = samtal_session_lookup (f->server->auth, g->token, g->token, &csrf_ok);
  g_assert_false (csrf_ok);
  /* The token ends at ';' as in a Cookie header. */
  g_autofree char *cookie_tail = g_strconcat (g->token, "; other=1", NULL);
  g_autoptr (SamtalUser) d = samtal_session_lookup (f->server->auth, cookie_tail, NULL, NULL);
  g_assert_nonnull (d);
  /* Only a hash is stored. */
  g_autoptr (sqlite3_stmt) s = samtal_store_prepare (f->server->store,
    "SELECT count(*) FROM sessions WHERE instr(token_hash, ?) > 0", NULL);
  sqlite3_bind_text (s, 1, g->token, -1, SQLITE_STATIC);
  g_assert_cmpint (samtal_store_step (f->server->store, s, NULL), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (s, 0), ==, 0);
  samtal_session_end (f->server->auth, g->token);
  g_autoptr (SamtalUser) e = samtal_session_lookup (f->server->auth, g->token, NULL, NULL);
  g_assert_null (e);
  g_autoptr (SamtalUser) none = samtal_session_lookup (f->server->auth, "not-a-token", NULL, NULL);
  g_assert_null (none);
  g_autofree char *huge = g_strnfill (5000, 'a');
  g_autoptr (SamtalUser) none2 = samtal_session_lookup (f->server->auth, huge, NULL, NULL);
  g_assert_null (none2);
}

static void
test_session_idle (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalUser) u = make_user (f, "idle@example.se", "client", 0);
  g_autoptr (SamtalSessionGrant) g = samtal_session_create (f->server->auth, u->id, &error);
  /* Age the session behind the store's back: idle for 31 minutes. */
  g_autofree char *sql = g_strdup_printf (
    "UPDATE sessions SET last_used = last_used - 1860, created_at = created_at - 1860");
  g_assert_true (samtal_store_exec (f->server->store, sql, &error));
  g_autoptr (SamtalUser) a = samtal_session_lookup (f->server->auth, g->token, NULL, NULL);
  g_assert_null (a);
  g_autoptr (sqlite3_stmt) s = samtal_store_prepare (f->server->store,
    "SELECT count(*) FROM sessions", NULL);
  g_assert_cmpint (samtal_store_step (f->server->store, s, NULL), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (s, 0), ==, 0);   /* expired sessions are deleted */
}

static void
test_rate_limit (CoreFixture *f, gconstpointer data)
{
  SamtalAuth *auth = f->server->auth;
  gint64 now = 1800000000;
  for (int i = 0; i < 4; i++)
    samtal_auth_note_failure (auth, "a@x.se", "10.0.0.1", now);
  g_assert_cmpuint (samtal_auth_retry_after (auth, "a@x.se", "10.0.0.1", now), ==, 0);
  samtal_auth_note_failure (auth, "a@x.se", "10.0.0.1", now);
  guint wait = samtal_auth_retry_after (auth, "a@x.se", "10.0.0.2", now + 10);
  g_assert_cmpuint (wait, ==, 900 - 10);
  g_assert_cmpuint (samtal_auth_retry_after (auth, "b@x.se", "10.0.0.2", now), ==, 0);
  g_assert_cmpuint (samtal_auth_retry_after (auth, "a@x.se", "10.0.0.1", now + 900), ==, 0);
  /* Per address: many accounts from one address. */
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *email = g_strdup_printf ("u%d@x.se", i);
      samtal_auth_note_failure (auth, email, "10.0.0.9", now);
    }
  g_assert_cmpuint (samtal_auth_retry_after (auth, "new@x.se", "10.0.0.9", now), >, 0);
  g_assert_cmpuint (samtal_auth_retry_after (auth, "new@x.se", "10.0.0.8", now), ==, 0);
  /* A success clears the account's count. */
  samtal_auth_note_success (auth, "a@x.se");
  g_assert_cmpuint (samtal_auth_retry_after (auth, "a@x.se", "10.0.0.3", now + 1), ==, 0);
}

static void
test_users_units (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 unit = samtal_units_ensure (f->server, 0, "Barn och unga", &error);
  g_assert_cmpint (unit, >, 0);
  g_assert_cmpint (samtal_units_ensure (f->server, 0, " Barn och unga ", &error), ==, unit);
  g_assert_cmpint (samtal_units_create (f->server, 0, "Barn och unga", &error), ==, 0);
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_CONFLICT);
  g_clear_error (&error);
  g_autoptr (SamtalUser) cw = make_user (f, "cw@x.se", "caseworker", unit);
  g_assert_true (samtal_user_is_staff (cw));
  g_assert_false (samtal_user_is_admin (cw));
  g_assert_cmpint (cw->unit_id, ==, unit);
  static const struct { const char *email, *name, *role; gint64 unit; const char *pw; int code; }
  bad[] = {
    { "cw@x.se", "Dup", "caseworker", 0, "password1", SAMTAL_API_ERROR_CONFLICT },
    { "CW@X.SE", "Dup", "caseworker", 0, "password1", SAMTAL_API_ERROR_CONFLICT },
    { "new@x.se", "N", "boss", 0, "password1", SAMTAL_API_ERROR_BAD_REQUEST },
    { "new@x.se", "N", "client", 0, "short", SAMTAL_API_ERROR_BAD_REQUEST },
    { "new@x.se", "", "client", 0, "password1", SAMTAL_API_ERROR_BAD_REQUEST },
    { "new@x.se", "N", "caseworker", 999, "password1", SAMTAL_API_ERROR_BAD_REQUEST },
    { "new@x.se", "N", "client", 1, "password1", SAMTAL_API_ERROR_BAD_REQUEST },
    { "not-an-email", "N", "client", 0, "password1", SAMTAL_API_ERROR_BAD_REQUEST },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      g_autoptr (SamtalUser) u = samtal_users_create_sync (f->server, 0, bad[i].email, bad[i].name,
                                                           bad[i].role, bad[i].unit, bad[i].pw, &e);
      g_assert_null (u);
      g_assert_error (e, SAMTAL_API_ERROR, bad[i].code);
    }
  g_autoptr (JsonNode) staff = samtal_users_list_staff (f->server, unit, &error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (staff)), ==, 1);
  g_autoptr (SamtalUser) missing = samtal_users_get (f->server, 12345, &error);
  g_assert_null (missing);
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_FOUND);
}

static void
on_hashed (GObject *source, GAsyncResult *result, gpointer data)
{
  char **out = data;
  *out = samtal_password_hash_finish (result, NULL);
}

static void
test_async_hash (CoreFixture *f, gconstpointer data)
{
  char *hash = NULL;
  samtal_password_hash_async (f->server, "password1", NULL, on_hashed, &hash);
  while (hash == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (samtal_password_verify (hash, "password1"));
  g_free (hash);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/policy", test_policy);
  g_test_add_func ("/auth/hash", test_hash);
  g_test_add_func ("/auth/session-expiry", test_session_expiry);
#define ADD(path, fn) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, fn, core_fixture_teardown)
  ADD ("/auth/sessions", test_sessions);
  ADD ("/auth/session-idle", test_session_idle);
  ADD ("/auth/rate-limit", test_rate_limit);
  ADD ("/auth/users-units", test_users_units);
  ADD ("/auth/async-hash", test_async_hash);
  return g_test_run ();
}
