/* Unit tests for the free-slot computation: weekly rules, buffers, blocks, bookings, validity
 * ranges, notice and horizon, and both daylight-saving days of Europe/Stockholm in 2026. */
#include "slots.h"

static GTimeZone *
stockholm (void)
{
  GTimeZone *tz = g_time_zone_new_identifier ("Europe/Stockholm");
  g_assert_nonnull (tz);
  return tz;
}

static guint32
jd (const char *date)
{
  guint32 j = 0;
  g_assert_true (samtal_parse_date (date, &j, NULL));
  return j;
}

static gint64
at (const char *rfc3339)
{
  gint64 t = 0;
  g_assert_true (samtal_parse_instant (rfc3339, &t, NULL));
  return t;
}

static SamtalRule
rule (int weekday, const char *start, const char *end, int slot, int buffer)
{
  SamtalRule r = { .id = 1, .staff_id = 1, .weekday = weekday, .slot_minutes = slot,
                   .buffer_minutes = buffer };
  g_assert_true (samtal_parse_hhmm (start, &r.start_min, NULL));
  g_assert_true (samtal_parse_hhmm (end, &r.end_min, NULL));
  return r;
}

/* A query for from..to with "now" long before and no notice or horizon. */
static SamtalSlotQuery
query (GTimeZone *tz, const char *from, const char *to)
{
  SamtalSlotQuery q = { .tz = tz, .now = at ("2026-01-01T00:00:00Z"), .from = jd (from),
                        .to = jd (to) };
  return q;
}

static char *
fmt (GTimeZone *tz, const SamtalInterval *s)
{
  g_autofree char *a = samtal_format_instant (s->start, tz);
  g_autofree char *b = samtal_format_instant (s->end, tz);
  return g_strdup_printf ("%s/%s", a, b);
}

static void
assert_slot (GTimeZone *tz, GArray *slots, guint i, const char *expected)
{
  g_assert_cmpuint (i, <, slots->len);
  g_autofree char *got = fmt (tz, &g_array_index (slots, SamtalInterval, i));
  g_assert_cmpstr (got, ==, expected);
}

static void
assert_sorted_disjoint (GArray *slots)
{
  for (guint i = 1; i < slots->len; i++)
    g_assert_cmpint (g_array_index (slots, SamtalInterval, i - 1).end, <=,
                     g_array_index (slots, SamtalInterval, i).start);
}

static void
test_weekly_basic (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  /* 2026-12-07 is a Monday. */
  SamtalRule r = rule (1, "09:00", "11:00", 30, 0);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-13");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 4);
  assert_slot (tz, s, 0, "2026-12-07T09:00:00+01:00/2026-12-07T09:30:00+01:00");
  assert_slot (tz, s, 3, "2026-12-07T10:30:00+01:00/2026-12-07T11:00:00+01:00");
  /* Summer time: the same wall clock, another offset. */
  SamtalSlotQuery q2 = query (tz, "2026-06-01", "2026-06-01");
  g_autoptr (GArray) s2 = samtal_slots_compute (&q2, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s2->len, ==, 4);
  assert_slot (tz, s2, 0, "2026-06-01T09:00:00+02:00/2026-06-01T09:30:00+02:00");
}

static void
test_buffer_and_partial_slot (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  /* 45-minute slots with 15 minutes buffer from 09:00 to 12:00: 09:00, 10:00, 11:00. A slot
   * that would run past the end is not offered: 09:00–11:40 gives only 09:00 and 10:00. */
  SamtalRule r = rule (1, "09:00", "12:00", 45, 15);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-07");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 3);
  assert_slot (tz, s, 1, "2026-12-07T10:00:00+01:00/2026-12-07T10:45:00+01:00");
  r.end_min = 11 * 60 + 40;
  g_autoptr (GArray) s2 = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s2->len, ==, 2);
}

static void
test_blocks_and_bookings (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalRule r = rule (1, "09:00", "12:00", 30, 0);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-07");
  /* A block 09:15–10:00 removes 09:00 and 09:30; a booking 11:00–11:30 removes 11:00. */
  SamtalInterval blocks[] = { { at ("2026-12-07T09:15:00+01:00"), at ("2026-12-07T10:00:00+01:00") } };
  SamtalInterval bookings[] = { { at ("2026-12-07T11:00:00+01:00"), at ("2026-12-07T11:30:00+01:00") } };
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, blocks, 1, bookings, 1);
  g_assert_cmpuint (s->len, ==, 3);
  assert_slot (tz, s, 0, "2026-12-07T10:00:00+01:00/2026-12-07T10:30:00+01:00");
  assert_slot (tz, s, 1, "2026-12-07T10:30:00+01:00/2026-12-07T11:00:00+01:00");
  assert_slot (tz, s, 2, "2026-12-07T11:30:00+01:00/2026-12-07T12:00:00+01:00");
  /* Touching intervals do not overlap: a block ending at 09:00 removes nothing. */
  SamtalInterval touch[] = { { at ("2026-12-07T08:00:00+01:00"), at ("2026-12-07T09:00:00+01:00") } };
  g_autoptr (GArray) s2 = samtal_slots_compute (&q, &r, 1, touch, 1, NULL, 0);
  g_assert_cmpuint (s2->len, ==, 6);
}

static void
test_booking_buffer (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  /* With a 10-minute buffer, an off-grid staff booking must also keep the buffer free. */
  SamtalRule r = rule (1, "09:00", "11:00", 30, 10);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-07");
  g_autoptr (GArray) all = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (all->len, ==, 3);   /* 09:00, 09:40, 10:20 */
  SamtalInterval b[] = { { at ("2026-12-07T10:12:00+01:00"), at ("2026-12-07T10:15:00+01:00") } };
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, b, 1);
  /* 10:12–10:15 lies in 09:40's after-buffer (10:10–10:20) and 10:20's before-buffer. */
  g_assert_cmpuint (s->len, ==, 1);
  assert_slot (tz, s, 0, "2026-12-07T09:00:00+01:00/2026-12-07T09:30:00+01:00");
}

static void
test_validity_range (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalRule r = rule (1, "09:00", "10:00", 60, 0);
  r.valid_from = jd ("2026-12-14");
  r.valid_until = jd ("2026-12-21");
  SamtalSlotQuery q = query (tz, "2026-12-01", "2026-12-31");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 2);   /* Mondays 14 and 21; not 7 nor 28 */
  assert_slot (tz, s, 0, "2026-12-14T09:00:00+01:00/2026-12-14T10:00:00+01:00");
  assert_slot (tz, s, 1, "2026-12-21T09:00:00+01:00/2026-12-21T10:00:00+01:00");
}

static void
test_notice_and_horizon (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalRule r = rule (1, "09:00", "12:00", 60, 0);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-14");
  q.now = at ("2026-12-07T08:30:00+01:00");
  q.min_notice_seconds = 2 * 3600;   /* earliest start 10:30 → 11:00 is the first */
  q.horizon_seconds = 7 * 86400;     /* latest start 2026-12-14 08:30 → nothing that Monday */
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 1);
  assert_slot (tz, s, 0, "2026-12-07T11:00:00+01:00/2026-12-07T12:00:00+01:00");
}

static void
test_overlapping_rules_dedupe (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalRule rules[] = { rule (1, "09:00", "11:00", 60, 0), rule (1, "09:30", "11:00", 30, 0),
                         rule (1, "09:00", "11:00", 60, 0) };
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-07");
  g_autoptr (GArray) s = samtal_slots_compute (&q, rules, 3, NULL, 0, NULL, 0);
  assert_sorted_disjoint (s);
  /* Earliest start wins, then the shorter slot: 09:00–10:00, 10:00–10:30, 10:30–11:00. */
  g_assert_cmpuint (s->len, ==, 3);
  assert_slot (tz, s, 1, "2026-12-07T10:00:00+01:00/2026-12-07T10:30:00+01:00");
}

static void
test_dst_spring (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  /* 2026-03-29 (Sunday): 02:00 → 03:00. Hourly slots 00:00–06:00: 02:00 does not exist. */
  SamtalRule r = rule (7, "00:00", "06:00", 60, 0);
  SamtalSlotQuery q = query (tz, "2026-03-28", "2026-03-30");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 5);
  assert_slot (tz, s, 0, "2026-03-29T00:00:00+01:00/2026-03-29T01:00:00+01:00");
  assert_slot (tz, s, 1, "2026-03-29T01:00:00+01:00/2026-03-29T03:00:00+02:00");
  assert_slot (tz, s, 2, "2026-03-29T03:00:00+02:00/2026-03-29T04:00:00+02:00");
  assert_slot (tz, s, 4, "2026-03-29T05:00:00+02:00/2026-03-29T06:00:00+02:00");
  for (guint i = 0; i < s->len; i++) {
    SamtalInterval *x = &g_array_index (s, SamtalInterval, i);
    g_assert_cmpint (x->end - x->start, ==, 3600);
  }
  assert_sorted_disjoint (s);
  /* 30-minute slots 01:00–04:00: 02:00 and 02:30 vanish, the rest stay. */
  SamtalRule h = rule (7, "01:00", "04:00", 30, 0);
  g_autoptr (GArray) s2 = samtal_slots_compute (&q, &h, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s2->len, ==, 4);
  assert_slot (tz, s2, 1, "2026-03-29T01:30:00+01:00/2026-03-29T03:00:00+02:00");
  assert_slot (tz, s2, 2, "2026-03-29T03:00:00+02:00/2026-03-29T03:30:00+02:00");
  /* An ordinary office rule on that day is unaffected and uses +02:00. */
  SamtalRule o = rule (7, "09:00", "10:00", 30, 0);
  g_autoptr (GArray) s3 = samtal_slots_compute (&q, &o, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s3->len, ==, 2);
  assert_slot (tz, s3, 0, "2026-03-29T09:00:00+02:00/2026-03-29T09:30:00+02:00");
}

static void
test_dst_autumn (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  /* 2026-10-25 (Sunday): 03:00 → 02:00, the hour 02:00–03:00 happens twice. Each wall-clock
   * start appears once (its first occurrence); no duplicates, no overlaps. */
  SamtalRule r = rule (7, "00:00", "06:00", 60, 0);
  SamtalSlotQuery q = query (tz, "2026-10-25", "2026-10-25");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 6);
  assert_slot (tz, s, 2, "2026-10-25T02:00:00+02:00/2026-10-25T02:00:00+01:00");
  assert_slot (tz, s, 3, "2026-10-25T03:00:00+01:00/2026-10-25T04:00:00+01:00");
  assert_sorted_disjoint (s);
  for (guint i = 0; i < s->len; i++) {
    SamtalInterval *x = &g_array_index (s, SamtalInterval, i);
    g_assert_cmpint (x->end - x->start, ==, 3600);
  }
  /* 30-minute slots 01:30–03:30: 01:30, 02:00, 02:30 (+02:00), 03:00 (+01:00). */
  SamtalRule h = rule (7, "01:30", "03:30", 30, 0);
  g_autoptr (GArray) s2 = samtal_slots_compute (&q, &h, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s2->len, ==, 4);
  assert_slot (tz, s2, 2, "2026-10-25T02:30:00+02:00/2026-10-25T02:00:00+01:00");
  assert_slot (tz, s2, 3, "2026-10-25T03:00:00+01:00/2026-10-25T03:30:00+01:00");
  assert_sorted_disjoint (s2);
}

static void
test_find_and_local_julian (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalRule r = rule (1, "09:00", "10:00", 30, 0);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-07");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, NULL, 0, NULL, 0);
  g_assert_nonnull (samtal_slots_find (s, at ("2026-12-07T09:30:00+01:00")));
  g_assert_null (samtal_slots_find (s, at ("2026-12-07T09:15:00+01:00")));
  /* 23:30 UTC on the 6th is already the 7th in Stockholm. */
  g_assert_cmpuint (samtal_local_julian (at ("2026-12-06T23:30:00Z"), tz), ==, jd ("2026-12-07"));
}

static void
test_empty_and_invalid (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalRule bad = rule (1, "10:00", "09:00", 30, 0);
  SamtalSlotQuery q = query (tz, "2026-12-07", "2026-12-07");
  g_autoptr (GArray) s = samtal_slots_compute (&q, &bad, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s->len, ==, 0);
  SamtalSlotQuery backwards = query (tz, "2026-12-08", "2026-12-07");
  SamtalRule ok = rule (1, "09:00", "10:00", 30, 0);
  g_autoptr (GArray) s2 = samtal_slots_compute (&backwards, &ok, 1, NULL, 0, NULL, 0);
  g_assert_cmpuint (s2->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slots/weekly", test_weekly_basic);
  g_test_add_func ("/slots/buffer", test_buffer_and_partial_slot);
  g_test_add_func ("/slots/blocks-bookings", test_blocks_and_bookings);
  g_test_add_func ("/slots/booking-buffer", test_booking_buffer);
  g_test_add_func ("/slots/validity", test_validity_range);
  g_test_add_func ("/slots/notice-horizon", test_notice_and_horizon);
  g_test_add_func ("/slots/dedupe", test_overlapping_rules_dedupe);
  g_test_add_func ("/slots/dst-spring", test_dst_spring);
  g_test_add_func ("/slots/dst-autumn", test_dst_autumn);
  g_test_add_func ("/slots/find", test_find_and_local_julian);
  g_test_add_func ("/slots/invalid", test_empty_and_invalid);
  return g_test_run ();
}
