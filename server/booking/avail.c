/* avail.c — parsing and validation of availability input (see avail.h).
 *
 * Every parser here is strict about shape first (exact lengths, digits where digits belong) and
 * only then asks GLib for calendar checks, so odd inputs such as week dates, ordinal dates or
 * trailing garbage never reach the database.
 */
#include "avail.h"

#include <string.h>

G_DEFINE_QUARK (samtal-avail-error-quark, samtal_avail_error)

/* Sets "field: message" and returns FALSE. */
static gboolean
fail (GError **error, const char *field, const char *message)
{
  g_set_error (error, SAMTAL_AVAIL_ERROR, SAMTAL_AVAIL_ERROR_INVALID, "%s: %s", field, message);
  return FALSE;
}

/* Reads n decimal digits at p; -1 when any is not a digit. */
static int
digits (const char *p, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!g_ascii_isdigit (p[i]))
      return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

gboolean
samtal_parse_hhmm (const char *text, int *minutes_out, GError **error)
{
  if (text == NULL || strlen (text) != 5 || text[2] != ':')
    return fail (error, "time", "expected a time HH:MM");
  int h = digits (text, 2), m = digits (text + 3, 2);
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
    return fail (error, "time", "expected a time between 00:00 and 24:00");
  *minutes_out = h * 60 + m;
  return TRUE;
}

char *
samtal_format_hhmm (int minutes)
{
  return g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
}

gboolean
samtal_parse_date (const char *text, guint32 *julian_out, GError **error)
{
  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return fail (error, "date", "expected a date YYYY-MM-DD");
  int y = digits (text, 4), m = digits (text + 5, 2), d = digits (text + 8, 2);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return fail (error, "date", "not a calendar date");
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  *julian_out = g_date_get_julian (&date);
  return TRUE;
}

char *
samtal_format_date (guint32 julian)
{
  if (!g_date_valid_julian (julian))
    return g_strdup ("");
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}

/* Shape of an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM). */
static gboolean
instant_shape_ok (const char *t, gsize len)
{
  if (len < 20 || len > 40)
    return FALSE;
  if (digits (t, 4) < 0 || t[4] != '-' || digits (t + 5, 2) < 0 || t[7] != '-' ||
      digits (t + 8, 2) < 0 || (t[10] != 'T' && t[10] != 't') || digits (t + 11, 2) < 0 ||
      t[13] != ':' || digits (t + 14, 2) < 0 || t[16] != ':' || digits (t + 17, 2) < 0)
    return FALSE;
  gsize i = 19;
  if (t[i] == '.') {
    i++;
    gsize start = i;
    while (i < len && g_ascii_isdigit (t[i]))
      i++;
    if (i == start || i - start > 9)
      return FALSE;
  }
  if (i + 1 == len && (t[i] == 'Z' || t[i] == 'z'))
    return TRUE;
  return i + 6 == len && (t[i] == '+' || t[i] == '-') && digits (t + i + 1, 2) >= 0 &&
         t[i + 3] == ':' && digits (t + i + 4, 2) >= 0;
}

gboolean
samtal_parse_instant (const char *text, gint64 *unix_out, GError **error)
{
  if (text == NULL || !instant_shape_ok (text, strlen (text)))
    return fail (error, "time",
                 "expected an RFC 3339 time with offset, e.g. 2026-12-01T09:00:00+01:00");
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL || g_date_time_get_year (dt) < 1970 || g_date_time_get_year (dt) > 9000)
    return fail (error, "time", "not a valid time");
  *unix_out = g_date_time_to_unix (dt);
  return TRUE;
}

char *
samtal_format_instant (gint64 unix_seconds, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_timezone (utc, tz) : NULL;
  if (local == NULL)
    return g_strdup ("");
  g_autofree char *base = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
  gint64 off = g_date_time_get_utc_offset (local) / G_TIME_SPAN_SECOND;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  return g_strdup_printf ("%s%c%02d:%02d", base, sign, (int) (off / 3600), (int) (off / 60 % 60));
}

gboolean
samtal_rule_validate (const SamtalRule *r, GError **error)
{
  if (r->weekday < 1 || r->weekday > 7)
    return fail (error, "weekday", "must be 1 (Monday) … 7 (Sunday)");
  if (r->start_min < 0 || r->start_min >= 24 * 60 || r->end_min <= r->start_min ||
      r->end_min > 24 * 60)
    return fail (error, "start", "start must be before end, within one day");
  if (r->slot_minutes < SAMTAL_SLOT_MIN_MINUTES || r->slot_minutes > SAMTAL_SLOT_MAX_MINUTES)
    return fail (error, "slot_minutes", "must be between 5 and 480");
  if (r->buffer_minutes < 0 || r->buffer_minutes > SAMTAL_BUFFER_MAX_MINUTES)
    return fail (error, "buffer_minutes", "must be between 0 and 240");
  if (r->start_min + r->slot_minutes > r->end_min)
    return fail (error, "slot_minutes", "no slot fits between start and end");
  if (r->valid_from && r->valid_until && r->valid_until < r->valid_from)
    return fail (error, "valid_until", "must not be before valid_from");
  return TRUE;
}

gboolean
samtal_range_validate (guint32 from, guint32 to, GError **error)
{
  if (to < from)
    return fail (error, "to", "must not be before from");
  if (to - from + 1 > SAMTAL_RANGE_MAX_DAYS)
    return fail (error, "to", "the range spans more than 62 days");
  return TRUE;
}

gboolean
samtal_block_validate (gint64 start, gint64 end, GError **error)
{
  if (end <= start)
    return fail (error, "end", "must be after start");
  if (end - start > (gint64) SAMTAL_BLOCK_MAX_DAYS * 86400)
    return fail (error, "end", "a block lasts at most 366 days");
  return TRUE;
}
