/* Integration tests of the command line: "user add" (also while the server runs), "audit verify"
 * detecting a row edited or removed with the sqlite3 C API, clean exit on SIGTERM, and data that
 * survives a restart. */
#include <sqlite3.h>
#include <string.h>

#include "harness.h"

static void
sql_on (SamtalTestServer *ts, const char *sql)
{
  g_autofree char *path = g_build_filename (ts->data_dir, "samtal.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

static int
verify_cli (SamtalTestServer *ts, char **out)
{
  const char *args[] = { "audit", "verify", "--data-dir", ts->data_dir, NULL };
  return samtal_test_run_cli (ts, args, NULL, out, NULL);
}

static void
test_user_add (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  const char *args[] = { "user", "add", "--data-dir", ts->data_dir, "--email", "Boss@Kommun.se",
                         "--name", "Bo Ss", "--role", "admin", "--unit", "Ekonomiskt bistånd",
                         NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (samtal_test_run_cli (ts, args, "admin-password\n", &out, &err), ==, 0);
  g_autoptr (JsonParser) p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, out, -1, NULL));
  JsonNode *user = json_parser_get_root (p);
  g_assert_cmpstr (samtal_test_json_string (user, "email"), ==, "boss@kommun.se");
  g_assert_cmpstr (samtal_test_json_string (user, "role"), ==, "admin");
  g_assert_cmpint (samtal_test_json_int (user, "unit_id"), >, 0);
  g_assert_null (strstr (out, "admin-password"));
  /* The running server sees the new user and the new unit at once. */
  g_autoptr (SamtalTestAuth) boss = samtal_test_sign_in (ts, "boss@kommun.se", "admin-password",
                                                         &error);
  g_assert_no_error (error);
  g_autoptr (SamtalTestResponse) units = samtal_test_request (ts, "GET", "/api/v1/units", boss,
                                                              NULL);
  g_assert_nonnull (strstr (units->body, "Ekonomiskt bistånd"));

  static const struct { const char *email, *role, *pw, *expect; } bad[] = {
    { "boss@kommun.se", "admin", "password1\n", "exists" },
    { "new@kommun.se", "admin", "short\n", "8 to 128" },
    { "new@kommun.se", "wizard", "password1\n", "role" },
    { "not-an-email", "client", "password1\n", "e-mail" },
    { "new@kommun.se", "client", "", "password" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *a[] = { "user", "add", "--data-dir", ts->data_dir, "--email", bad[i].email,
                          "--name", "N", "--role", bad[i].role, NULL };
      g_autofree char *o = NULL, *e = NULL;
      g_assert_cmpint (samtal_test_run_cli (ts, a, bad[i].pw, &o, &e), ==, 1);
      if (strstr (e, bad[i].expect) == NULL)
        g_error ("user add %s/%s: message \"%s\" lacks \"%s\"", bad[i].email, bad[i].role, e,
                 bad[i].expect);
      g_assert_cmpstr (o, ==, "");
    }
  const char *missing[] = { "user", "add", "--data-dir", ts->data_dir, "--email", "x@y.se", NULL };
  g_assert_cmpint (samtal_test_run_cli (ts, missing, "password1\n", NULL, NULL), ==, 1);
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);
}

static void
test_audit_verify (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  samtal_test_server_add_user (ts, "a@kommun.se", "A", "admin", NULL, "admin-password", &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (SamtalTestAuth) a = samtal_test_sign_in (ts, "a@kommun.se", "admin-password",
                                                          &error);
      g_assert_no_error (error);
    }
  g_autoptr (SamtalTestResponse) bad = samtal_test_request (ts, "POST", "/api/v1/session", NULL,
    "{\"email\":\"a@kommun.se\",\"password\":\"wrong-wrong\"}");
  g_assert_cmpuint (bad->status, ==, 401);
  g_autofree char *out = NULL;
  g_assert_cmpint (verify_cli (ts, &out), ==, 0);
  /* audit.anchor (the data dir's first anchor), user.create, 3 × session.create, session.fail */
  g_assert_cmpstr (out, ==, "ok 6 entries\n");
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);

  /* Edit a row behind the server's back. */
  sql_on (ts, "UPDATE audit SET actor_id = 0 WHERE id = 3");
  g_autofree char *out2 = NULL;
  g_assert_cmpint (verify_cli (ts, &out2), ==, 1);
  g_assert_nonnull (strstr (out2, "first bad entry 3"));
  /* The API says the same after a restart. */
  g_assert_true (samtal_test_server_restart (ts, &error));
  g_autoptr (SamtalTestAuth) a = samtal_test_sign_in (ts, "a@kommun.se", "admin-password", &error);
  g_assert_no_error (error);
  g_autoptr (SamtalTestResponse) v = samtal_test_request (ts, "GET", "/api/v1/audit/verify", a,
                                                          NULL);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (v->json), "ok"));
  g_assert_cmpint (samtal_test_json_int (v->json, "first_bad"), ==, 3);
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);
}

static void
test_audit_removed_row (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  samtal_test_server_add_user (ts, "a@kommun.se", "A", "admin", NULL, "admin-password", &error);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (SamtalTestAuth) a = samtal_test_sign_in (ts, "a@kommun.se", "admin-password",
                                                          &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);
  sql_on (ts, "DELETE FROM audit WHERE id = 2");
  g_autofree char *out = NULL;
  g_assert_cmpint (verify_cli (ts, &out), ==, 1);
  g_assert_nonnull (strstr (out, "first bad entry 3"));
  const char *nodir[] = { "audit", "verify", "--data-dir", "/nonexistent/samtal", NULL };
  g_autofree char *err = NULL;
  g_assert_cmpint (samtal_test_run_cli (ts, nodir, NULL, NULL, &err), ==, 1);
}

/* Cutting off the newest entries leaves a valid chain; the server's anchor catches it. */
static void
test_audit_truncated (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  samtal_test_server_add_user (ts, "a@kommun.se", "A", "admin", NULL, "admin-password", &error);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (SamtalTestAuth) a = samtal_test_sign_in (ts, "a@kommun.se", "admin-password",
                                                          &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);   /* a clean stop anchors the newest */
  g_autofree char *ok = NULL;
  g_assert_cmpint (verify_cli (ts, &ok), ==, 0);
  g_assert_true (g_str_has_prefix (ok, "ok "));
  sql_on (ts, "DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)");
  g_autofree char *out = NULL;
  g_assert_cmpint (verify_cli (ts, &out), ==, 1);
  g_assert_nonnull (strstr (out, "FAILED"));
}

static void
test_restart_keeps_data (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"k@x.se\",\"password\":\"password1\",\"name\":\"K\"}");
  g_assert_cmpuint (r->status, ==, 201);
  /* A crash right after the 201: the user is still there (synchronous=FULL). */
  samtal_test_server_kill (ts);
  g_assert_true (samtal_test_server_restart (ts, &error));
  g_autoptr (SamtalTestAuth) k = samtal_test_sign_in (ts, "k@x.se", "password1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);
  g_autofree char *log = samtal_test_server_log (ts);
  g_assert_nonnull (strstr (log, "shutting down"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/user-add", test_user_add);
  g_test_add_func ("/cli/audit-verify-edited", test_audit_verify);
  g_test_add_func ("/cli/audit-verify-removed", test_audit_removed_row);
  g_test_add_func ("/cli/audit-verify-truncated", test_audit_truncated);
  g_test_add_func ("/cli/restart-keeps-data", test_restart_keeps_data);
  return g_test_run ();
}
