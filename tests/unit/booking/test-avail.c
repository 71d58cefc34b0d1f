/* Unit tests for availability input: times, dates, instants, rule/range/block validation. */
#include "avail.h"

#include <string.h>

static void
test_hhmm (void)
{
  int m = -1;
  g_assert_true (samtal_parse_hhmm ("00:00", &m, NULL));
  g_assert_cmpint (m, ==, 0);
  g_assert_true (samtal_parse_hhmm ("23:59", &m, NULL));
  g_assert_cmpint (m, ==, 1439);
  g_assert_true (samtal_parse_hhmm ("24:00", &m, NULL));
  g_assert_cmpint (m, ==, 1440);
  const char *bad[] = { "24:01", "9:00", "09:60", "0900", "09:00 ", "ab:cd", "", "-1:00",
                        "09:0x", "09:00:00" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) e = NULL;
    g_assert_false (samtal_parse_hhmm (bad[i], &m, &e));
    g_assert_error (e, SAMTAL_AVAIL_ERROR, SAMTAL_AVAIL_ERROR_INVALID);
  }
  g_assert_false (samtal_parse_hhmm (NULL, &m, NULL));
  g_autofree char *f = samtal_format_hhmm (9 * 60 + 5);
  g_assert_cmpstr (f, ==, "09:05");
}

static void
test_date (void)
{
  guint32 j = 0;
  g_assert_true (samtal_parse_date ("2026-03-29", &j, NULL));
  g_autofree char *back = samtal_format_date (j);
  g_assert_cmpstr (back, ==, "2026-03-29");
  g_assert_true (samtal_parse_date ("2028-02-29", &j, NULL));
  const char *bad[] = { "2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01",
                        "2026-01-32", "2026/01/01", "2026-01-01T", "1899-12-31", "" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (samtal_parse_date (bad[i], &j, NULL));
}

static void
test_instant (void)
{
  gint64 t = 0;
  g_assert_true (samtal_parse_instant ("2026-12-01T09:00:00+01:00", &t, NULL));
  g_assert_cmpint (t, ==, 1796112000);
  g_assert_true (samtal_parse_instant ("2026-12-01T08:00:00Z", &t, NULL));
  g_assert_cmpint (t, ==, 1796112000);
  g_assert_true (samtal_parse_instant ("2026-12-01T08:00:00.250Z", &t, NULL));
  const char *bad[] = { "2026-12-01T09:00:00", "2026-12-01 09:00:00+01:00", "2026-12-01",
                        "2026-W49-1T09:00:00Z", "2026-12-01T25:00:00Z", "2026-12-01T09:00+01:00",
                        "2026-12-01T09:00:00+0100", "2026-12-01T09:00:00Zjunk", "" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (samtal_parse_instant (bad[i], &t, NULL));
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Stockholm");
  g_autofree char *s = samtal_format_instant (1796112000, tz);
  g_assert_cmpstr (s, ==, "2026-12-01T09:00:00+01:00");
  g_autofree char *s2 = samtal_format_instant (1782900000, tz);  /* 2026-07-01T10:00:00Z */
  g_assert_cmpstr (s2, ==, "2026-07-01T12:00:00+02:00");
}

static void
test_rule_validate (void)
{
  SamtalRule ok = { .weekday = 1, .start_min = 540, .end_min = 600, .slot_minutes = 30 };
  g_assert_true (samtal_rule_validate (&ok, NULL));
  SamtalRule r;
  r = ok, r.weekday = 0;
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.weekday = 8;
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.end_min = 540;
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.slot_minutes = 4;
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.slot_minutes = 61;   /* does not fit in 09:00–10:00 */
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.buffer_minutes = -1;
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.buffer_minutes = 241;
  g_assert_false (samtal_rule_validate (&r, NULL));
  r = ok, r.valid_from = 100, r.valid_until = 99;
  g_autoptr (GError) e = NULL;
  g_assert_false (samtal_rule_validate (&r, &e));
  g_assert_nonnull (strstr (e->message, "valid_until"));
  r = ok, r.end_min = 1440, r.start_min = 1380;
  g_assert_true (samtal_rule_validate (&r, NULL));
}

static void
test_range_and_block (void)
{
  g_assert_true (samtal_range_validate (1000, 1000, NULL));
  g_assert_true (samtal_range_validate (1000, 1061, NULL));   /* 62 days */
  g_assert_false (samtal_range_validate (1000, 1062, NULL));  /* 63 days */
  g_assert_false (samtal_range_validate (1000, 999, NULL));
  g_assert_true (samtal_block_validate (0, 60, NULL));
  g_assert_false (samtal_block_validate (60, 60, NULL));
  g_assert_false (samtal_block_validate (0, 367 * 86400, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/avail/hhmm", test_hhmm);
  g_test_add_func ("/avail/date", test_date);
  g_test_add_func ("/avail/instant", test_instant);
  g_test_add_func ("/avail/rule", test_rule_validate);
  g_test_add_func ("/avail/range-block", test_range_and_block);
  return g_test_run ();
}
