/* slots.c — free-slot computation (see slots.h for the rules, including daylight-saving time).
 *
 * For every local date in the range and every rule valid on that date, wall-clock slot starts are
 * turned into instants with GTimeZone; starts that do not exist locally are skipped, repeated
 * times mean their first occurrence. The candidates are then filtered by notice, horizon, blocks
 * and bookings, sorted, and any overlap left (from overlapping rules or the autumn change) is
 * removed keeping the earliest slot.
 */
#include "slots.h"

guint32
samtal_local_julian (gint64 t, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_timezone (utc, tz) : NULL;
  if (local == NULL)
    return 0;
  GDate d;
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
  return g_date_get_julian (&d);
}

#define JULIAN_1970_01_01 719163

gint64
samtal_local_day_start (guint32 julian, GTimeZone *tz)
{
  if (!g_date_valid_julian (julian))
    return 0;
  GDate d;
  g_date_clear (&d, 1);
  g_date_set_julian (&d, julian);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, g_date_get_year (&d), g_date_get_month (&d),
                                              g_date_get_day (&d), 0, 0, 0);
  return dt ? g_date_time_to_unix (dt) : ((gint64) julian - JULIAN_1970_01_01) * 86400;
}

/* Resolves a local wall-clock time (minutes after midnight, 0 … 1440) on a Julian day to an
 * instant. Returns FALSE when that wall-clock time does not exist (spring gap). A repeated time
 * resolves to its first occurrence. */
static gboolean
wall_to_instant (GTimeZone *tz, guint32 julian, int minutes, gint64 *out)
{
  gint64 naive = ((gint64) julian - JULIAN_1970_01_01) * 86400 + (gint64) minutes * 60;
  /* Every offset in force within ±12 h is a candidate; a candidate is real when the zone's
   * offset at the resulting instant is that same offset. The earliest real one wins. */
  gint64 best = G_MAXINT64;
  for (int probe = -1; probe <= 1; probe++) {
    gint interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL,
                                               naive + probe * 12 * 3600);
    if (interval < 0)
      continue;
    gint64 offset = g_time_zone_get_offset (tz, interval);
    gint64 candidate = naive - offset;
    gint ci = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, candidate);
    if (ci >= 0 && g_time_zone_get_offset (tz, ci) == offset && candidate < best)
      best = candidate;
  }
  if (best == G_MAXINT64)
    return FALSE;
  *out = best;
  return TRUE;
}

static gboolean
rule_applies (const SamtalRule *r, guint32 julian, int weekday)
{
  return r->weekday == weekday && (r->valid_from == 0 || julian >= r->valid_from) &&
         (r->valid_until == 0 || julian <= r->valid_until);
}

/* Appends the candidate slots of one rule on one day. */
static void
rule_day_slots (const SamtalRule *r, GTimeZone *tz, guint32 julian, GArray *out)
{
  gint64 rule_end;
  if (!wall_to_instant (tz, julian, r->end_min, &rule_end)) {
    /* The end itself falls into a spring gap: the gap's end is the same instant. */
    int m = r->end_min;
    while (m <= 24 * 60 && !wall_to_instant (tz, julian, m, &rule_end))
      m++;
    if (m > 24 * 60)
      return;
  }
  gint64 last_end = G_MININT64;
  int step = r->slot_minutes + r->buffer_minutes;
  for (int m = r->start_min; m + r->slot_minutes <= r->end_min; m += step) {
    gint64 start;
    if (!wall_to_instant (tz, julian, m, &start))
      continue;
    SamtalInterval slot = { start, start + (gint64) r->slot_minutes * 60 };
    if (slot.end > rule_end || slot.start < last_end)
      continue;
    last_end = slot.end;
    g_array_append_val (out, slot);
  }
}

static gboolean
slot_is_free (const SamtalInterval *s, gint64 buffer, const SamtalInterval *blocks,
              guint n_blocks, const SamtalInterval *bookings, guint n_bookings)
{
  for (guint i = 0; i < n_blocks; i++)
    if (samtal_intervals_overlap (s->start, s->end, blocks[i].start, blocks[i].end))
      return FALSE;
  for (guint i = 0; i < n_bookings; i++)
    if (samtal_intervals_overlap (s->start - buffer, s->end + buffer, bookings[i].start,
                                  bookings[i].end))
      return FALSE;
  return TRUE;
}

static gint
interval_cmp (gconstpointer a, gconstpointer b)
{
  const SamtalInterval *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end ? 1 : 0;
}

/* Sorts and removes every slot that overlaps an earlier kept slot. */
static void
sort_and_dedupe (GArray *slots)
{
  g_array_sort (slots, interval_cmp);
  guint kept = 0;
  for (guint i = 0; i < slots->len; i++) {
    SamtalInterval s = g_array_index (slots, SamtalInterval, i);
    if (kept > 0 && s.start < g_array_index (slots, SamtalInterval, kept - 1).end)
      continue;
    g_array_index (slots, SamtalInterval, kept++) = s;
  }
  g_array_set_size (slots, kept);
}

static gboolean
within_window (const SamtalSlotQuery *q, gint64 start)
{
  if (start < q->now + q->min_notice_seconds)
    return FALSE;
  return q->horizon_seconds <= 0 || start <= q->now + q->horizon_seconds;
}

GArray *
samtal_slots_compute (const SamtalSlotQuery *q, const SamtalRule *rules, guint n_rules,
                      const SamtalInterval *blocks, guint n_blocks,
                      const SamtalInterval *bookings, guint n_bookings)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (SamtalInterval));
  if (q->from == 0 || q->to < q->from || !g_date_valid_julian (q->from) ||
      !g_date_valid_julian (q->to))
    return out;
  for (guint32 day = q->from; day <= q->to; day++) {
    GDate date;
    g_date_clear (&date, 1);
    g_date_set_julian (&date, day);
    int weekday = g_date_get_weekday (&date);
    for (guint r = 0; r < n_rules; r++) {
      if (!samtal_rule_validate (&rules[r], NULL) || !rule_applies (&rules[r], day, weekday))
        continue;
      g_autoptr (GArray) cand = g_array_new (FALSE, FALSE, sizeof (SamtalInterval));
      rule_day_slots (&rules[r], q->tz, day, cand);
      gint64 buffer = (gint64) rules[r].buffer_minutes * 60;
      for (guint i = 0; i < cand->len; i++) {
        SamtalInterval *s = &g_array_index (cand, SamtalInterval, i);
        if (within_window (q, s->start) &&
            slot_is_free (s, buffer, blocks, n_blocks, bookings, n_bookings))
          g_array_append_val (out, *s);
      }
    }
  }
  sort_and_dedupe (out);
  return out;
}

const SamtalInterval *
samtal_slots_find (GArray *slots, gint64 start)
{
  for (guint i = 0; slots && i < slots->len; i++)
    if (g_array_index (slots, SamtalInterval, i).start == start)
      return &g_array_index (slots, SamtalInterval, i);
  return NULL;
}
