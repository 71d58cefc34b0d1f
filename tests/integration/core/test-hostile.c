/* Integration tests: a battery of hostile requests against the real server. Each must get a 4xx
 * answer with the JSON error shape and the security headers, nothing may leak a file from outside
 * web/, and the server must stay up throughout. */
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
  samtal_test_server_add_user (f->ts, "admin@kommun.se", "Ada", "admin", "Färdtjänst",
                               "admin-password", &error);
  g_assert_no_error (error);
  f->admin = samtal_test_sign_in (f->ts, "admin@kommun.se", "admin-password", &error);
  g_assert_no_error (error);
}

static void
fx_teardown (Fx *f, gconstpointer data)
{
  g_autoptr (SamtalTestResponse) h = samtal_test_request (f->ts, "GET", "/healthz", NULL, NULL);
  g_assert_cmpuint (h->status, ==, 200);
  g_assert_true (samtal_test_server_alive (f->ts));
  g_assert_cmpint (samtal_test_server_stop (f->ts), ==, 0);
  samtal_test_auth_free (f->admin);
  samtal_test_server_free (f->ts);
}

static void
assert_json_error (SamtalTestResponse *r, guint status, const char *code, const char *what)
{
  if (r->status != status || g_strcmp0 (samtal_test_error_code (r), code) != 0)
    g_error ("%s: expected %u %s, got %u %s", what, status, code, r->status, r->body);
  g_assert_nonnull (samtal_test_json_string (r->json, "error.message"));
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (r->headers, NULL),
                                   "application/json"));
  const char *csp = soup_message_headers_get_one (r->headers, "Content-Security-Policy");
  g_assert_nonnull (csp);
  g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-Content-Type-Options"), ==,
                   "nosniff");
}

static SamtalTestResponse *
post_bytes (Fx *f, const char *path, const char *body, gsize len)
{
  return samtal_test_request_full (f->ts, "POST", path, f->admin, NULL, body, len, NULL);
}

static void
test_bodies (Fx *f, gconstpointer data)
{
  g_autofree char *big = g_strnfill (200 * 1024, 'a');
  g_autoptr (SamtalTestResponse) r1 = post_bytes (f, "/api/v1/units", big, strlen (big));
  assert_json_error (r1, 413, "payload_too_large", "200 KiB body");
  /* Just over the limit, valid JSON. */
  GString *json = g_string_new ("{\"name\":\"");
  while (json->len < 65536)
    g_string_append_c (json, 'x');
  g_string_append (json, "\"}");
  g_autoptr (SamtalTestResponse) r2 = post_bytes (f, "/api/v1/units", json->str, json->len);
  assert_json_error (r2, 413, "payload_too_large", "64 KiB + 1 body");
  g_string_free (json, TRUE);

  static const struct { const char *body; gsize len; const char *what; } bad[] = {
    { "{\"name\":", 8, "truncated JSON" },
    { "[\"name\"]", 8, "an array" },
    { "\"name\"", 6, "a string" },
    { "{\"name\":\"a\0b\"}", 14, "a NUL byte" },
    { "{\"name\":\"a\\u0000b\"}", 19, "a \\u0000 escape" },
    { "{\"name\":\"\xff\xfe\"}", 13, "invalid UTF-8" },
    { "{\"name\":\"\xc0\xaf\"}", 13, "overlong UTF-8" },
    { "{\"name\":42}", 11, "a number for a string" },
    { "{\"name\":\"\"}", 11, "an empty name" },
    { "{\"name\":\"a\\u0007b\"}", 19, "a control character" },
    { "{\"name\":\"x\",}", 13, "a trailing comma" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (SamtalTestResponse) r = post_bytes (f, "/api/v1/units", bad[i].body, bad[i].len);
      if (r->status == 201)
        g_error ("%s was accepted: %s", bad[i].what, r->body);
      assert_json_error (r, 400, "bad_request", bad[i].what);
    }
  GString *deep = g_string_new ("{\"name\":");
  for (int i = 0; i < 10000; i++)
    g_string_append_c (deep, '[');
  g_autoptr (SamtalTestResponse) r3 = post_bytes (f, "/api/v1/units", deep->str, deep->len);
  assert_json_error (r3, 400, "bad_request", "deep nesting");
  g_string_free (deep, TRUE);
  /* Too long field values. */
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autofree char *body = g_strdup_printf ("{\"email\":\"l@x.se\",\"password\":\"password1\","
                                           "\"name\":\"%s\"}", long_name);
  g_autoptr (SamtalTestResponse) r4 = samtal_test_request (f->ts, "POST", "/api/v1/register",
                                                           NULL, body);
  assert_json_error (r4, 400, "bad_request", "a 300-character name");
  g_autofree char *long_pw = g_strnfill (129, 'p');
  g_autofree char *body2 = g_strdup_printf ("{\"email\":\"l@x.se\",\"password\":\"%s\","
                                            "\"name\":\"L\"}", long_pw);
  g_autoptr (SamtalTestResponse) r5 = samtal_test_request (f->ts, "POST", "/api/v1/register",
                                                           NULL, body2);
  assert_json_error (r5, 400, "bad_request", "a 129-character password");
}

static void
test_chunked_too_large (Fx *f, gconstpointer data)
{
  GString *req = g_string_new ("POST /api/v1/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                               "Connection: close\r\n\r\n");
  for (int i = 0; i < 20; i++)
    {
      g_string_append_printf (req, "%x\r\n", 8192);
      for (int j = 0; j < 8192; j++)
        g_string_append_c (req, ' ');
      g_string_append (req, "\r\n");
    }
  g_string_append (req, "0\r\n\r\n");
  g_autofree char *raw = NULL;
  guint status = samtal_test_raw_http (f->ts, req->str, req->len, &raw);
  g_assert_cmpuint (status, ==, 413);
  g_assert_nonnull (strstr (raw, "payload_too_large"));
  g_string_free (req, TRUE);
}

static void
test_paths (Fx *f, gconstpointer data)
{
  static const char *const raw_paths[] = {
    "/../../../../etc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%252f..%252fetc/passwd",
    "/index.html%00.txt", "/%00", "/..\\..\\..\\etc\\passwd", "/.git/config",
    "/%2e%2e%2f%2e%2e%2fserver%2fmain.c", "/app.js/../../server/main.c",
  };
  for (guint i = 0; i < G_N_ELEMENTS (raw_paths); i++)
    {
      g_autofree char *req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Connection: close\r\n\r\n", raw_paths[i]);
      g_autofree char *raw = NULL;
      guint status = samtal_test_raw_http (f->ts, req, strlen (req), &raw);
      g_assert_nonnull (raw);
      if (strstr (raw, "root:") || strstr (raw, "samtal-server: parses options")
          || strstr (raw, "[core]"))
        g_error ("%s leaked a file: %s", raw_paths[i], raw);
      /* Either refused (4xx), or the web app's shell for a route-like path. */
      if (status == 200)
        g_assert_nonnull (strstr (raw, "<!doctype html>"));
      else if (status < 400 || status >= 500)
        g_error ("%s: status %u", raw_paths[i], status);
    }
  /* Encoded traversal: refused (by libsoup's URI check) with the JSON error shape. */
  g_autoptr (SamtalTestResponse) r = samtal_test_request (f->ts, "GET",
    "/..%2f..%2fserver%2fmain.c", NULL, NULL);
  assert_json_error (r, 400, "bad_request", "encoded traversal");
  g_autoptr (SamtalTestResponse) r2 = samtal_test_request (f->ts, "GET", "/%2e%2e%2fmeson.build",
                                                           NULL, NULL);
  g_assert_cmpuint (r2->status, >=, 400);
  g_assert_cmpuint (r2->status, <, 500);
  g_assert_nonnull (samtal_test_error_code (r2));
  g_autoptr (SamtalTestResponse) missing = samtal_test_request (f->ts, "GET", "/nothing-here.js",
                                                                NULL, NULL);
  assert_json_error (missing, 404, "not_found", "a missing file");
}

static void
test_methods_and_routes (Fx *f, gconstpointer data)
{
  static const struct { const char *method, *path; guint status; const char *code; } cases[] = {
    { "PUT", "/api/v1/me", 405, "method_not_allowed" },
    { "PATCH", "/api/v1/units", 405, "method_not_allowed" },
    { "DELETE", "/api/v1/register", 405, "method_not_allowed" },
    { "POST", "/healthz", 405, "method_not_allowed" },
    { "DELETE", "/index.html", 405, "method_not_allowed" },
    { "GET", "/api/v1/nothing", 404, "not_found" },
    { "GET", "/api", 404, "not_found" },
    { "GET", "/api/v2/me", 404, "not_found" },
    { "GET", "/api/v1/me/", 404, "not_found" },
    { "GET", "/api/v1/users/999999", 404, "not_found" },
    { "GET", "/api/v1/users/abc", 404, "not_found" },
    { "GET", "/api/v1/users/-1", 404, "not_found" },
    { "GET", "/api/v1/users/0", 404, "not_found" },
    { "GET", "/api/v1/users/99999999999999999999999", 404, "not_found" },
    { "GET", "/api/v1/users/1e3", 404, "not_found" },
    { "GET", "/api/v1/audit?after=-5", 400, "bad_request" },
    { "GET", "/api/v1/audit?after=%ff", 400, "bad_request" },
    { "GET", "/api/v1/staff?unit_id=0", 400, "bad_request" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SamtalTestResponse) r = samtal_test_request (f->ts, cases[i].method,
                                                              cases[i].path, f->admin, NULL);
      g_autofree char *what = g_strdup_printf ("%s %s", cases[i].method, cases[i].path);
      assert_json_error (r, cases[i].status, cases[i].code, what);
      if (cases[i].status == 405 && g_str_has_prefix (cases[i].path, "/api"))
        g_assert_nonnull (soup_message_headers_get_one (r->headers, "Allow"));
    }
}

static void
test_auth_garbage (Fx *f, gconstpointer data)
{
  g_autofree char *huge = g_strnfill (8000, 'A');
  g_autofree char *bearer = g_strconcat ("Bearer ", huge, NULL);
  static const char *const tokens[] = { "Bearer ", "Bearer \xff\xfe", "Basic YWRtaW46YWRtaW4=",
                                        "Bearer ../../etc", NULL };
  for (guint i = 0; tokens[i]; i++)
    {
      const char *headers[] = { "Authorization", tokens[i], NULL };
      g_autoptr (SamtalTestResponse) r = samtal_test_request_full (f->ts, "GET", "/api/v1/me",
                                                                   NULL, headers, NULL, 0, NULL);
      assert_json_error (r, 401, "unauthorized", tokens[i]);
    }
  const char *h2[] = { "Authorization", bearer, NULL };
  g_autoptr (SamtalTestResponse) r2 = samtal_test_request_full (f->ts, "GET", "/api/v1/me", NULL,
                                                                h2, NULL, 0, NULL);
  assert_json_error (r2, 401, "unauthorized", "a huge token");
  const char *h3[] = { "Cookie", "samtal_session=; samtal_session=x;;;=;", NULL };
  g_autoptr (SamtalTestResponse) r3 = samtal_test_request_full (f->ts, "GET", "/api/v1/me", NULL,
                                                                h3, NULL, 0, NULL);
  assert_json_error (r3, 401, "unauthorized", "a garbage cookie");
  /* A client may not reach admin or staff endpoints. */
  g_autoptr (SamtalTestResponse) reg = samtal_test_request (f->ts, "POST", "/api/v1/register",
    NULL, "{\"email\":\"k@x.se\",\"password\":\"password1\",\"name\":\"K\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestAuth) k = samtal_test_sign_in (f->ts, "k@x.se", "password1", &error);
  g_assert_no_error (error);
  g_autoptr (SamtalTestResponse) a = samtal_test_request (f->ts, "GET", "/api/v1/audit", k, NULL);
  assert_json_error (a, 403, "forbidden", "client reads the audit trail");
  g_autoptr (SamtalTestResponse) u = samtal_test_request (f->ts, "GET", "/api/v1/users/1", k, NULL);
  assert_json_error (u, 403, "forbidden", "client reads a user");
  /* Sign-in with wrong types. */
  g_autoptr (SamtalTestResponse) s = samtal_test_request (f->ts, "POST", "/api/v1/session", NULL,
    "{\"email\":[\"admin@kommun.se\"],\"password\":{}}");
  assert_json_error (s, 400, "bad_request", "sign-in with wrong types");
}

static void
test_static_headers (Fx *f, gconstpointer data)
{
  g_autoptr (SamtalTestResponse) r = samtal_test_request (f->ts, "GET", "/meet/42", NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (r->headers, NULL),
                                   "text/html"));
  g_assert_nonnull (soup_message_headers_get_one (r->headers, "Content-Security-Policy"));
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-Frame-Options"), ==, "DENY");
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Referrer-Policy"), ==, "no-referrer");
  g_autoptr (SamtalTestResponse) idx = samtal_test_request (f->ts, "GET", "/", NULL, NULL);
  g_assert_cmpuint (idx->status, ==, 200);
  g_assert_cmpstr (idx->body, ==, r->body);
  g_autoptr (SamtalTestResponse) m = samtal_test_request (f->ts, "GET", "/metrics", NULL, NULL);
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (m->headers, NULL),
                                   "text/plain"));
  g_assert_nonnull (strstr (m->body, "samtal_http_requests_total{status=\"200\"}"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fx, NULL, fx_setup, fn, fx_teardown)
  ADD ("/hostile/bodies", test_bodies);
  ADD ("/hostile/chunked-too-large", test_chunked_too_large);
  ADD ("/hostile/paths", test_paths);
  ADD ("/hostile/methods-routes", test_methods_and_routes);
  ADD ("/hostile/auth-garbage", test_auth_garbage);
  ADD ("/hostile/static-headers", test_static_headers);
  return g_test_run ();
}
