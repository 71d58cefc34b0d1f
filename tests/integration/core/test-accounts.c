/* Integration tests against the real samtal-server: register, sign-in with Bearer and cookie,
 * me, sign-out, users, units, staff, CSRF for cookie requests, the sign-in rate limit, session
 * idle expiry, and the audit endpoints. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct {
  SamtalTestServer *ts;
  SamtalTestAuth *admin;
} Fx;

static void
fx_setup (Fx *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  g_assert_cmpint (samtal_test_server_add_user (f->ts, "admin@kommun.se", "Ada Admin", "admin",
                                                NULL, "admin-password", &error), >, 0);
  g_assert_no_error (error);
  f->admin = samtal_test_sign_in (f->ts, "admin@kommun.se", "admin-password", &error);
  g_assert_no_error (error);
}

static void
fx_teardown (Fx *f, gconstpointer data)
{
  g_assert_true (samtal_test_server_alive (f->ts));
  g_assert_cmpint (samtal_test_server_stop (f->ts), ==, 0);
  samtal_test_auth_free (f->admin);
  samtal_test_server_free (f->ts);
}

static void
assert_error (SamtalTestResponse *r, guint status, const char *code)
{
  if (r->status != status || g_strcmp0 (samtal_test_error_code (r), code) != 0)
    g_error ("expected %u %s, got %u %s", status, code, r->status, r->body);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (r->headers, NULL),
                                   "application/json"));
}

static void
test_register_and_sign_in (Fx *f, gconstpointer data)
{
  SamtalTestServer *ts = f->ts;
  g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"Klient@Example.se\",\"password\":\"hemligt123\",\"name\":\"Kim Klient\"}");
  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpstr (samtal_test_json_string (r->json, "role"), ==, "client");
  g_assert_cmpstr (samtal_test_json_string (r->json, "email"), ==, "klient@example.se");
  g_assert_cmpint (samtal_test_json_int (r->json, "user.id"), ==,
                   samtal_test_json_int (r->json, "id"));
  g_assert_null (strstr (r->body, "hemligt123"));
  g_assert_null (strstr (r->body, "argon2"));
  /* Duplicate (case-insensitive), weak password, bad e-mail, missing name. */
  g_autoptr (SamtalTestResponse) dup = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"klient@example.SE\",\"password\":\"hemligt123\",\"name\":\"Kim\"}");
  assert_error (dup, 409, "conflict");
  g_autoptr (SamtalTestResponse) weak = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"w@example.se\",\"password\":\"kort\",\"name\":\"W\"}");
  assert_error (weak, 400, "bad_request");
  g_autoptr (SamtalTestResponse) bad = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"nope\",\"password\":\"hemligt123\",\"name\":\"W\"}");
  assert_error (bad, 400, "bad_request");
  g_autoptr (SamtalTestResponse) noname = samtal_test_request (ts, "POST", "/api/v1/register",
    NULL, "{\"email\":\"n@example.se\",\"password\":\"hemligt123\"}");
  assert_error (noname, 400, "bad_request");
  /* A client cannot make itself staff through register. */
  g_autoptr (SamtalTestResponse) sneaky = samtal_test_request (ts, "POST", "/api/v1/register",
    NULL, "{\"email\":\"s@example.se\",\"password\":\"hemligt123\",\"name\":\"S\",\"role\":\"admin\"}");
  g_assert_cmpuint (sneaky->status, ==, 201);
  g_assert_cmpstr (samtal_test_json_string (sneaky->json, "role"), ==, "client");

  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestAuth) kim = samtal_test_sign_in (ts, "KLIENT@example.se", "hemligt123",
                                                        &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kim->role, ==, "client");
  g_autoptr (SamtalTestResponse) me = samtal_test_request (ts, "GET", "/api/v1/me", kim, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (samtal_test_json_string (me->json, "name"), ==, "Kim Klient");
  g_assert_cmpstr (soup_message_headers_get_one (me->headers, "Cache-Control"), ==, "no-store");

  g_autoptr (SamtalTestResponse) wrong = samtal_test_request (ts, "POST", "/api/v1/session", NULL,
    "{\"email\":\"klient@example.se\",\"password\":\"fel-losen\"}");
  assert_error (wrong, 401, "unauthorized");
  g_autoptr (SamtalTestResponse) anon = samtal_test_request (ts, "GET", "/api/v1/me", NULL, NULL);
  assert_error (anon, 401, "unauthorized");
}

static void
test_cookie_and_csrf (Fx *f, gconstpointer data)
{
  SamtalTestServer *ts = f->ts;
  g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "POST", "/api/v1/session", NULL,
    "{\"email\":\"admin@kommun.se\",\"password\":\"admin-password\"}");
  g_assert_cmpuint (r->status, ==, 200);
  const char *cookie = soup_message_headers_get_one (r->headers, "Set-Cookie");
  g_assert_nonnull (cookie);
  g_assert_nonnull (strstr (cookie, "samtal_session="));
  g_assert_nonnull (strstr (cookie, "HttpOnly"));
  g_assert_nonnull (strstr (cookie, "SameSite=Strict"));
  g_assert_null (strstr (cookie, "Secure"));       /* plain http here; see the TLS test */

  SamtalTestAuth browser = {
    .token = (char *) samtal_test_json_string (r->json, "token"),
    .csrf_token = (char *) samtal_test_json_string (r->json, "csrf_token"),
    .use_cookie = TRUE,
  };
  /* Reading needs no CSRF token. */
  g_autoptr (SamtalTestResponse) me = samtal_test_request (ts, "GET", "/api/v1/me", &browser, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  /* Changing state with the cookie but without the CSRF token: refused. */
  browser.omit_csrf = TRUE;
  g_autoptr (SamtalTestResponse) no = samtal_test_request (ts, "POST", "/api/v1/units", &browser,
                                                           "{\"name\":\"Färdtjänst\"}");
  assert_error (no, 403, "forbidden");
  /* …or with a wrong one. */
  browser.omit_csrf = FALSE;
  browser.csrf_token = "wrong-token";
  g_autoptr (SamtalTestResponse) bad = samtal_test_request (ts, "POST", "/api/v1/units", &browser,
                                                            "{\"name\":\"Färdtjänst\"}");
  assert_error (bad, 403, "forbidden");
  /* With it: fine. */
  browser.csrf_token = (char *) samtal_test_json_string (r->json, "csrf_token");
  g_autoptr (SamtalTestResponse) ok = samtal_test_request (ts, "POST", "/api/v1/units", &browser,
                                                           "{\"name\":\"Färdtjänst\"}");
  g_assert_cmpuint (ok->status, ==, 201);
  g_assert_cmpstr (samtal_test_json_string (ok->json, "name"), ==, "Färdtjänst");
  /* Bearer requests never need it. */
  g_autoptr (SamtalTestResponse) bearer = samtal_test_request (ts, "POST", "/api/v1/units",
    f->admin, "{\"name\":\"Barn och unga\"}");
  g_assert_cmpuint (bearer->status, ==, 201);
  /* Sign-out with the cookie needs CSRF too, then ends the session. */
  browser.omit_csrf = TRUE;
  g_autoptr (SamtalTestResponse) out1 = samtal_test_request (ts, "DELETE", "/api/v1/session",
                                                             &browser, NULL);
  assert_error (out1, 403, "forbidden");
  browser.omit_csrf = FALSE;
  g_autoptr (SamtalTestResponse) out2 = samtal_test_request (ts, "DELETE", "/api/v1/session",
                                                             &browser, NULL);
  g_assert_cmpuint (out2->status, ==, 204);
  g_autoptr (SamtalTestResponse) after = samtal_test_request (ts, "GET", "/api/v1/me", &browser,
                                                              NULL);
  assert_error (after, 401, "unauthorized");
  /* The admin's other (Bearer) session lives on. */
  g_autoptr (SamtalTestResponse) still = samtal_test_request (ts, "GET", "/api/v1/me", f->admin,
                                                              NULL);
  g_assert_cmpuint (still->status, ==, 200);
}

static void
test_users_units_staff (Fx *f, gconstpointer data)
{
  SamtalTestServer *ts = f->ts;
  g_autoptr (SamtalTestResponse) u = samtal_test_request (ts, "POST", "/api/v1/units", f->admin,
                                                          "{\"name\":\"Ekonomiskt bistånd\"}");
  g_assert_cmpuint (u->status, ==, 201);
  gint64 unit = samtal_test_json_int (u->json, "id");
  g_autoptr (SamtalTestResponse) dup = samtal_test_request (ts, "POST", "/api/v1/units", f->admin,
                                                            "{\"name\":\"Ekonomiskt bistånd\"}");
  assert_error (dup, 409, "conflict");
  g_autoptr (SamtalTestResponse) cw = samtal_test_requestf (ts, "POST", "/api/v1/users", f->admin,
    "{\"email\":\"cw@kommun.se\",\"password\":\"password1\",\"name\":\"Cia Caseworker\","
    "\"role\":\"caseworker\",\"unit_id\":%" G_GINT64_FORMAT "}", unit);
  g_assert_cmpuint (cw->status, ==, 201);
  g_assert_cmpint (samtal_test_json_int (cw->json, "unit_id"), ==, unit);
  g_autoptr (SamtalTestResponse) badrole = samtal_test_request (ts, "POST", "/api/v1/users",
    f->admin, "{\"email\":\"x@kommun.se\",\"password\":\"password1\",\"name\":\"X\",\"role\":\"boss\"}");
  assert_error (badrole, 400, "bad_request");
  g_autoptr (SamtalTestResponse) badunit = samtal_test_request (ts, "POST", "/api/v1/users",
    f->admin, "{\"email\":\"x@kommun.se\",\"password\":\"password1\",\"name\":\"X\","
    "\"role\":\"officer\",\"unit_id\":99999}");
  assert_error (badunit, 400, "bad_request");

  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestAuth) cia = samtal_test_sign_in (ts, "cw@kommun.se", "password1", &error);
  g_assert_no_error (error);
  /* Staff may not create users or units. */
  g_autoptr (SamtalTestResponse) nope = samtal_test_request (ts, "POST", "/api/v1/users", cia,
    "{\"email\":\"y@kommun.se\",\"password\":\"password1\",\"name\":\"Y\",\"role\":\"admin\"}");
  assert_error (nope, 403, "forbidden");
  g_autoptr (SamtalTestResponse) nope2 = samtal_test_request (ts, "POST", "/api/v1/units", cia,
                                                              "{\"name\":\"Mine\"}");
  assert_error (nope2, 403, "forbidden");

  g_autoptr (SamtalTestResponse) units = samtal_test_request (ts, "GET", "/api/v1/units", cia, NULL);
  g_assert_cmpuint (units->status, ==, 200);
  g_assert_cmpint (samtal_test_json_array_length (units->json), ==, 1);
  g_autofree char *path = g_strdup_printf ("/api/v1/staff?unit_id=%" G_GINT64_FORMAT, unit);
  g_autoptr (SamtalTestResponse) staff = samtal_test_request (ts, "GET", path, cia, NULL);
  g_assert_cmpuint (staff->status, ==, 200);
  g_assert_cmpint (samtal_test_json_array_length (staff->json), ==, 1);
  JsonObject *first = json_array_get_object_element (json_node_get_array (staff->json), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "role"), ==, "caseworker");
  g_autoptr (SamtalTestResponse) all = samtal_test_request (ts, "GET", "/api/v1/staff", cia, NULL);
  g_assert_cmpint (samtal_test_json_array_length (all->json), ==, 2);   /* + the admin */
  g_autoptr (SamtalTestResponse) nounit = samtal_test_request (ts, "GET",
    "/api/v1/staff?unit_id=424242", cia, NULL);
  assert_error (nounit, 404, "not_found");
  g_autoptr (SamtalTestResponse) badq = samtal_test_request (ts, "GET", "/api/v1/staff?unit_id=1x",
                                                            cia, NULL);
  assert_error (badq, 400, "bad_request");
  g_autoptr (SamtalTestResponse) anon = samtal_test_request (ts, "GET", "/api/v1/units", NULL, NULL);
  assert_error (anon, 401, "unauthorized");
  /* The admin's user list, filtered; staff may read one user, not the list. */
  g_autoptr (SamtalTestResponse) users = samtal_test_request (ts, "GET",
    "/api/v1/users?role=caseworker", f->admin, NULL);
  g_assert_cmpuint (users->status, ==, 200);
  g_assert_cmpint (samtal_test_json_array_length (users->json), ==, 1);
  g_autoptr (SamtalTestResponse) everyone = samtal_test_request (ts, "GET", "/api/v1/users",
                                                                 f->admin, NULL);
  g_assert_cmpint (samtal_test_json_array_length (everyone->json), ==, 2);
  g_autoptr (SamtalTestResponse) badrole2 = samtal_test_request (ts, "GET",
    "/api/v1/users?role=wizard", f->admin, NULL);
  assert_error (badrole2, 400, "bad_request");
  g_autoptr (SamtalTestResponse) list_cw = samtal_test_request (ts, "GET", "/api/v1/users", cia,
                                                                NULL);
  assert_error (list_cw, 403, "forbidden");
  g_autofree char *one = g_strdup_printf ("/api/v1/users/%" G_GINT64_FORMAT, cia->user_id);
  g_autoptr (SamtalTestResponse) me1 = samtal_test_request (ts, "GET", one, cia, NULL);
  g_assert_cmpuint (me1->status, ==, 200);
  g_assert_cmpstr (samtal_test_json_string (me1->json, "name"), ==, "Cia Caseworker");
}

static void
test_rate_limit (Fx *f, gconstpointer data)
{
  SamtalTestServer *ts = f->ts;
  for (int i = 0; i < 5; i++)
    {
      g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "POST", "/api/v1/session", NULL,
        "{\"email\":\"admin@kommun.se\",\"password\":\"guess-guess\"}");
      assert_error (r, 401, "unauthorized");
    }
  g_autoptr (SamtalTestResponse) limited = samtal_test_request (ts, "POST", "/api/v1/session",
    NULL, "{\"email\":\"admin@kommun.se\",\"password\":\"admin-password\"}");
  assert_error (limited, 429, "rate_limited");
  const char *retry = soup_message_headers_get_one (limited->headers, "Retry-After");
  g_assert_nonnull (retry);
  g_assert_cmpint (atoi (retry), >, 0);
  /* Other accounts are not locked by this one's failures. */
  g_autoptr (SamtalTestResponse) other = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"o@example.se\",\"password\":\"hemligt123\",\"name\":\"O\"}");
  g_assert_cmpuint (other->status, ==, 201);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestAuth) o = samtal_test_sign_in (ts, "o@example.se", "hemligt123", &error);
  g_assert_no_error (error);
  /* Failed sign-ins are counted and audited (without the password). */
  g_autoptr (SamtalTestResponse) m = samtal_test_request (ts, "GET", "/metrics", NULL, NULL);
  g_assert_nonnull (strstr (m->body, "samtal_login_failures_total 5"));
  g_autoptr (SamtalTestResponse) audit = samtal_test_request (ts, "GET", "/api/v1/audit?after=0",
                                                              f->admin, NULL);
  g_assert_cmpuint (audit->status, ==, 200);
  g_assert_nonnull (strstr (audit->body, "\"session.fail\""));
  g_assert_nonnull (strstr (audit->body, "\"session.create\""));
  g_assert_null (strstr (audit->body, "guess-guess"));
  g_assert_null (strstr (audit->body, o->token));
}

static void
test_audit_endpoints (Fx *f, gconstpointer data)
{
  SamtalTestServer *ts = f->ts;
  g_autoptr (SamtalTestResponse) v = samtal_test_request (ts, "GET", "/api/v1/audit/verify",
                                                          f->admin, NULL);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (v->json), "ok"));
  g_assert_cmpint (samtal_test_json_int (v->json, "entries"), >=, 2);
  g_autoptr (SamtalTestResponse) list = samtal_test_request (ts, "GET", "/api/v1/audit?after=1",
                                                             f->admin, NULL);
  JsonArray *a = json_node_get_array (list->json);
  g_assert_cmpuint (json_array_get_length (a), >=, 1);
  JsonObject *e = json_array_get_object_element (a, 0);
  g_assert_cmpint (json_object_get_int_member (e, "id"), ==, 2);
  g_assert_true (json_object_has_member (e, "at"));
  g_assert_true (json_object_has_member (e, "hash"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (e, "at"), ":00"));
  g_autoptr (SamtalTestResponse) bad = samtal_test_request (ts, "GET", "/api/v1/audit?after=x",
                                                            f->admin, NULL);
  assert_error (bad, 400, "bad_request");
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestResponse) reg = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"c@example.se\",\"password\":\"hemligt123\",\"name\":\"C\"}");
  g_autoptr (SamtalTestAuth) c = samtal_test_sign_in (ts, "c@example.se", "hemligt123", &error);
  g_autoptr (SamtalTestResponse) forbidden = samtal_test_request (ts, "GET", "/api/v1/audit", c,
                                                                  NULL);
  assert_error (forbidden, 403, "forbidden");
}

static void
test_idle_expiry (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("samtal-conf-XXXXXX", &error);
  g_autofree char *conf = g_build_filename (dir, "samtal.conf", NULL);
  g_assert_true (g_file_set_contents (conf, "[session]\nidle-timeout=2\n", -1, &error));
  const char *args[] = { "--config", conf, NULL };
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start_with_args (args, &error);
  g_assert_no_error (error);
  g_autoptr (SamtalTestResponse) reg = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"i@example.se\",\"password\":\"hemligt123\",\"name\":\"I\"}");
  g_autoptr (SamtalTestAuth) a = samtal_test_sign_in (ts, "i@example.se", "hemligt123", &error);
  g_assert_no_error (error);
  g_autoptr (SamtalTestResponse) ok = samtal_test_request (ts, "GET", "/api/v1/me", a, NULL);
  g_assert_cmpuint (ok->status, ==, 200);
  g_usleep (3500 * 1000);
  g_autoptr (SamtalTestResponse) gone = samtal_test_request (ts, "GET", "/api/v1/me", a, NULL);
  g_assert_cmpuint (gone->status, ==, 401);
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);
  g_unlink (conf);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fx, NULL, fx_setup, fn, fx_teardown)
  ADD ("/accounts/register-sign-in", test_register_and_sign_in);
  ADD ("/accounts/cookie-csrf", test_cookie_and_csrf);
  ADD ("/accounts/users-units-staff", test_users_units_staff);
  ADD ("/accounts/rate-limit", test_rate_limit);
  ADD ("/accounts/audit", test_audit_endpoints);
  g_test_add_func ("/accounts/idle-expiry", test_idle_expiry);
  return g_test_run ();
}
