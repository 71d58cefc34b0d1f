/* Unit tests: request body parsing and field validation (core/validate.h). */
#include "core/errors.h"
#include "core/validate.h"

#include <string.h>

static JsonObject *
parse (const char *text, GError **error)
{
  return samtal_parse_body (text, strlen (text), SAMTAL_MAX_BODY_BYTES, error);
}

static void
assert_bad (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonObject *obj = samtal_parse_body (text, strlen (text), SAMTAL_MAX_BODY_BYTES, &error);
  g_assert_null (obj);
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST);
}

static void
test_body_ok (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) o = parse ("{\"a\": \"ü\", \"b\": [1, {\"c\": null}]}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (o, "a"), ==, "ü");
  g_autoptr (JsonObject) empty = parse ("  \n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (empty), ==, 0);
  /* An escaped backslash followed by "u0000" is text, not a NUL. */
  g_autoptr (JsonObject) bs = parse ("{\"a\": \"\\\\u0000\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (bs, "a"), ==, "\\u0000");
}

static void
test_body_bad (void)
{
  assert_bad ("{");
  assert_bad ("[1, 2]");
  assert_bad ("\"text\"");
  assert_bad ("42");
  assert_bad ("{\"a\": \"x\\u0000y\"}");
  assert_bad ("{\"a\": \"\xff\xfe\"}");
  assert_bad ("{\"a\": \"\xc3\"}");
  assert_bad ("{\"a\": 1,}");
  const char with_nul[] = "{\"a\": \"x\0y\"}";
  g_autoptr (GError) error = NULL;
  g_assert_null (samtal_parse_body (with_nul, sizeof with_nul - 1, 65536, &error));
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST);
}

static void
test_body_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *big = g_strnfill (SAMTAL_MAX_BODY_BYTES + 1, ' ');
  g_assert_null (samtal_parse_body (big, strlen (big), SAMTAL_MAX_BODY_BYTES, &error));
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_cmpuint (samtal_api_error_status (SAMTAL_API_ERROR_PAYLOAD_TOO_LARGE), ==, 413);
  /* Deep nesting is refused before json-glib's recursive parser sees it. */
  GString *deep = g_string_new ("{\"a\":");
  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  assert_bad (deep->str);
  g_string_free (deep, TRUE);
}

static void
test_fields (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) o = parse ("{\"s\":\"abc\",\"n\":5,\"f\":1.5,\"b\":true,\"z\":null,"
                                    "\"ctl\":\"a\\u0001b\",\"nl\":\"a\\nb\",\"e\":\"\"}", &error);
  const char *s = NULL;
  gint64 n = 0;
  gboolean b = FALSE;
  g_assert_true (samtal_field_string (o, "s", TRUE, 3, FALSE, &s, &error));
  g_assert_cmpstr (s, ==, "abc");
  g_assert_false (samtal_field_string (o, "s", TRUE, 2, FALSE, &s, &error));
  g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_true (samtal_field_string (o, "missing", FALSE, 3, FALSE, &s, &error));
  g_assert_null (s);
  g_assert_true (samtal_field_string (o, "z", FALSE, 3, FALSE, &s, &error));
  g_assert_null (s);
  g_assert_false (samtal_field_string (o, "missing", TRUE, 3, FALSE, &s, &error));
  g_clear_error (&error);
  g_assert_false (samtal_field_string (o, "n", TRUE, 3, FALSE, &s, &error));
  g_clear_error (&error);
  g_assert_false (samtal_field_string (o, "ctl", TRUE, 10, TRUE, &s, &error));
  g_clear_error (&error);
  g_assert_false (samtal_field_string (o, "nl", TRUE, 10, FALSE, &s, &error));
  g_clear_error (&error);
  g_assert_true (samtal_field_string (o, "nl", TRUE, 10, TRUE, &s, &error));
  g_assert_false (samtal_field_string (o, "e", TRUE, 10, TRUE, &s, &error));
  g_clear_error (&error);
  g_assert_true (samtal_field_int (o, "n", TRUE, 1, 10, 0, &n, &error));
  g_assert_cmpint (n, ==, 5);
  g_assert_false (samtal_field_int (o, "n", TRUE, 6, 10, 0, &n, &error));
  g_clear_error (&error);
  g_assert_false (samtal_field_int (o, "f", TRUE, 0, 10, 0, &n, &error));
  g_clear_error (&error);
  g_assert_false (samtal_field_int (o, "s", TRUE, 0, 10, 0, &n, &error));
  g_clear_error (&error);
  g_assert_true (samtal_field_int (o, "missing", FALSE, 0, 10, 7, &n, &error));
  g_assert_cmpint (n, ==, 7);
  g_assert_true (samtal_field_bool (o, "b", TRUE, FALSE, &b, &error));
  g_assert_true (b);
  g_assert_false (samtal_field_bool (o, "n", TRUE, FALSE, &b, &error));
  g_clear_error (&error);
}

static void
test_rfc3339 (void)
{
  static const char *const good[] = {
    "2026-12-01T09:00:00+01:00", "2026-12-01T08:00:00Z", "2026-03-29T01:30:00.250+00:00",
    "2026-12-01T09:00+01:00", "2024-02-29T00:00:00-05:30",
  };
  static const char *const bad[] = {
    "2026-12-01T09:00:00", "2026-12-01", "2026-13-01T09:00:00Z", "2026-02-30T09:00:00Z",
    "2026-12-01 09:00:00Z", "2026-12-01T25:00:00Z", "2026-12-01T09:00:00+1:00", "tomorrow",
    "", "2026-W48-1T09:00:00Z", "2026-12-01T09:00:00Z trailing", "1969-12-31T23:59:59Z",
    "2026-12-01T09:00:00.1234567890Z",
  };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GDateTime) t = samtal_parse_rfc3339 (good[i], "start", &error);
      g_assert_no_error (error);
      g_assert_nonnull (t);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GDateTime) t = samtal_parse_rfc3339 (bad[i], "start", &error);
      g_assert_null (t);
      g_assert_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST);
      g_assert_nonnull (strstr (error->message, "start"));
    }
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Stockholm");
  g_autoptr (GDateTime) t = samtal_parse_rfc3339 ("2026-12-01T08:00:00Z", NULL, NULL);
  g_autofree char *s = samtal_format_rfc3339 (t, tz);
  g_assert_cmpstr (s, ==, "2026-12-01T09:00:00+01:00");
  g_autofree char *summer = samtal_format_unix (1782889200, tz); /* 2026-07-01T07:00Z */
  g_assert_cmpstr (summer, ==, "2026-07-01T09:00:00+02:00");
}

static void
test_date_hhmm (void)
{
  int y, m, d, min;
  g_assert_true (samtal_check_date ("2026-02-28", "from", &y, &m, &d, NULL));
  g_assert_cmpint (y * 10000 + m * 100 + d, ==, 20260228);
  g_assert_false (samtal_check_date ("2026-02-29", "from", &y, &m, &d, NULL));
  g_assert_true (samtal_check_date ("2024-02-29", "from", &y, &m, &d, NULL));
  g_assert_false (samtal_check_date ("2026-2-28", "from", &y, &m, &d, NULL));
  g_assert_false (samtal_check_date ("2026-02-28x", "from", &y, &m, &d, NULL));
  g_assert_false (samtal_check_date (NULL, "from", &y, &m, &d, NULL));
  g_assert_true (samtal_check_hhmm ("08:30", "start", FALSE, &min, NULL));
  g_assert_cmpint (min, ==, 510);
  g_assert_false (samtal_check_hhmm ("24:00", "end", FALSE, &min, NULL));
  g_assert_true (samtal_check_hhmm ("24:00", "end", TRUE, &min, NULL));
  g_assert_cmpint (min, ==, 1440);
  g_assert_false (samtal_check_hhmm ("24:01", "end", TRUE, &min, NULL));
  g_assert_false (samtal_check_hhmm ("8:30", "start", FALSE, &min, NULL));
  g_assert_false (samtal_check_hhmm ("08:60", "start", FALSE, &min, NULL));
}

static void
test_email_int (void)
{
  g_autofree char *e = samtal_normalize_email ("  Anna.Svensson@Kommun.SE ", NULL);
  g_assert_cmpstr (e, ==, "anna.svensson@kommun.se");
  static const char *const bad[] = { "", "anna", "@kommun.se", "anna@", "anna@kommun",
                                     "a b@kommun.se", "a@@kommun.se", "anna@.se", "a..b@x.se",
                                     "anna@kommun.se.", "a\nb@x.se" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *n = samtal_normalize_email (bad[i], NULL);
      g_assert_null (n);
    }
  gint64 v;
  g_assert_true (samtal_check_int64 ("42", "id", 1, 100, &v, NULL));
  g_assert_cmpint (v, ==, 42);
  g_assert_false (samtal_check_int64 ("0", "id", 1, 100, &v, NULL));
  g_assert_false (samtal_check_int64 ("42x", "id", 1, 100, &v, NULL));
  g_assert_false (samtal_check_int64 (" 42", "id", 1, 100, &v, NULL));
  g_assert_false (samtal_check_int64 ("+42", "id", 1, 100, &v, NULL));
  g_assert_false (samtal_check_int64 ("99999999999999999999", "id", 1, G_MAXINT64, &v, NULL));
  g_assert_false (samtal_check_int64 ("", "id", 1, 100, &v, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/validate/body-ok", test_body_ok);
  g_test_add_func ("/validate/body-bad", test_body_bad);
  g_test_add_func ("/validate/body-limits", test_body_limits);
  g_test_add_func ("/validate/fields", test_fields);
  g_test_add_func ("/validate/rfc3339", test_rfc3339);
  g_test_add_func ("/validate/date-hhmm", test_date_hhmm);
  g_test_add_func ("/validate/email-int", test_email_int);
  return g_test_run ();
}
