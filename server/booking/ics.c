/* ics.c — iCalendar rendering (see ics.h).
 *
 * The VTIMEZONE is derived from the GTimeZone itself: the offset changes within the event's year
 * (from about 13 months before the event to its end) are found by scanning day by day and
 * bisecting to the second, and each becomes a STANDARD or
 * DAYLIGHT observance whose DTSTART is the local time of the onset in the previous offset. A zone
 * without changes (UTC) gets one STANDARD observance.
 */
#include "ics.h"

#include <string.h>

char *
samtal_ics_escape_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid) + 8);
  for (const char *p = valid; *p; p++) {
    char c = *p;
    if (c == '\\' || c == ';' || c == ',')
      g_string_append_c (out, '\\'), g_string_append_c (out, c);
    else if (c == '\n')
      g_string_append (out, "\\n");
    else if (c == '\r' || ((guchar) c < 0x20 && c != '\t') || c == 0x7f)
      continue;
    else
      g_string_append_c (out, c);
  }
  return g_string_free (out, FALSE);
}

void
samtal_ics_append_line (GString *out, const char *line)
{
  gsize len = strlen (line), col = 0;
  for (gsize i = 0; i < len;) {
    gsize clen = 1;
    guchar c = (guchar) line[i];
    if (c >= 0xf0) clen = 4;
    else if (c >= 0xe0) clen = 3;
    else if (c >= 0xc0) clen = 2;
    if (i + clen > len)
      clen = len - i;
    if (col + clen > 75) {
      g_string_append (out, "\r\n ");
      col = 1;
    }
    g_string_append_len (out, line + i, clen);
    col += clen;
    i += clen;
  }
  g_string_append (out, "\r\n");
}

static void
add (GString *out, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
add (GString *out, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *line = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  samtal_ics_append_line (out, line);
}

static gint32
offset_at (GTimeZone *tz, gint64 t)
{
  gint i = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t);
  return i < 0 ? 0 : g_time_zone_get_offset (tz, i);
}

static char *
format_offset (gint32 off)
{
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  return g_strdup_printf ("%c%02d%02d", sign, off / 3600, off / 60 % 60);
}

/* Local wall-clock of t under a fixed offset, as YYYYMMDDTHHMMSS. */
static char *
format_local_fixed (gint64 t, gint32 offset)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t + offset);
  return dt ? g_date_time_format (dt, "%Y%m%dT%H%M%S") : g_strdup ("19700101T000000");
}

static char *
format_local (gint64 t, GTimeZone *tz)
{
  return format_local_fixed (t, offset_at (tz, t));
}

static char *
format_utc (gint64 t)
{
  return format_local_fixed (t, 0);
}

/* Finds the first instant in (lo, hi] whose offset differs from lo's. */
static gint64
bisect_change (GTimeZone *tz, gint64 lo, gint64 hi)
{
  gint32 off = offset_at (tz, lo);
  while (hi - lo > 1) {
    gint64 mid = lo + (hi - lo) / 2;
    if (offset_at (tz, mid) == off)
      lo = mid;
    else
      hi = mid;
  }
  return hi;
}

static void
add_observance (GString *out, GTimeZone *tz, gint64 onset, gint32 from, gint32 to)
{
  gint i = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, onset);
  gboolean dst = i >= 0 && g_time_zone_is_dst (tz, i);
  const char *kind = dst ? "DAYLIGHT" : "STANDARD";
  g_autofree char *start = format_local_fixed (onset, from);
  g_autofree char *f = format_offset (from), *t = format_offset (to);
  add (out, "BEGIN:%s", kind);
  add (out, "DTSTART:%s", start);
  add (out, "TZOFFSETFROM:%s", f);
  add (out, "TZOFFSETTO:%s", t);
  const char *abbr = i >= 0 ? g_time_zone_get_abbreviation (tz, i) : NULL;
  if (abbr && *abbr) {
    g_autofree char *name = samtal_ics_escape_text (abbr);
    add (out, "TZNAME:%s", name);
  }
  add (out, "END:%s", kind);
}

static char *
tzid_of (GTimeZone *tz)
{
  const char *id = g_time_zone_get_identifier (tz);
  g_autofree char *copy = g_strdup (id && *id ? id : "UTC");
  for (char *p = copy; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("/_+-", *p))
      *p = '_';
  return g_steal_pointer (&copy);
}

/* Writes the VTIMEZONE with every offset change from about 13 months before the event until its
 * end, so the offset in force at the event's start and end is always defined by an observance. */
static void
add_vtimezone (GString *out, GTimeZone *tz, const char *tzid, gint64 from, gint64 to)
{
  add (out, "BEGIN:VTIMEZONE");
  add (out, "TZID:%s", tzid);
  gint64 lo = from - 400 * 86400, hi = to + 2 * 86400;
  guint changes = 0;
  for (gint64 t = lo; t < hi; t += 86400) {
    gint64 next = MIN (t + 86400, hi);
    if (offset_at (tz, t) == offset_at (tz, next))
      continue;
    gint64 onset = bisect_change (tz, t, next);
    add_observance (out, tz, onset, offset_at (tz, onset - 1), offset_at (tz, onset));
    changes++;
  }
  if (changes == 0) {
    gint32 off = offset_at (tz, from);
    add_observance (out, tz, 0, off, off);
  }
  add (out, "END:VTIMEZONE");
}

static void
add_text (GString *out, const char *name, const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  g_autofree char *esc = samtal_ics_escape_text (value);
  add (out, "%s:%s", name, esc);
}

/* A CN parameter value: quoted, with characters a quoted parameter cannot hold removed. */
static char *
param_value (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *s = g_string_new ("\"");
  for (const char *p = valid; *p; p++)
    if (*p != '"' && (guchar) *p >= 0x20 && *p != 0x7f)
      g_string_append_c (s, *p);
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static void
add_party (GString *out, const char *prop, const char *name, const char *email)
{
  if (email == NULL || *email == '\0' || strpbrk (email, "\r\n\";:,") != NULL)
    return;
  g_autofree char *cn = param_value (name ? name : email);
  if (g_str_equal (prop, "ATTENDEE"))
    add (out, "ATTENDEE;CN=%s;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:%s", cn, email);
  else
    add (out, "%s;CN=%s:mailto:%s", prop, cn, email);
}

static void
add_vevent (GString *out, const SamtalIcsEvent *e, GTimeZone *tz, const char *tzid)
{
  g_autofree char *stamp = format_utc (e->stamp);
  g_autofree char *start = format_local (e->start, tz);
  g_autofree char *end = format_local (e->end, tz);
  add (out, "BEGIN:VEVENT");
  add (out, "UID:booking-%" G_GINT64_FORMAT "@%s", e->booking_id,
       e->uid_domain && *e->uid_domain ? e->uid_domain : "samtal");
  add (out, "DTSTAMP:%sZ", stamp);
  add (out, "SEQUENCE:%d", e->sequence);
  add (out, "DTSTART;TZID=%s:%s", tzid, start);
  add (out, "DTEND;TZID=%s:%s", tzid, end);
  add_text (out, "SUMMARY", e->summary);
  add_text (out, "DESCRIPTION", e->description);
  add_text (out, "LOCATION", e->location);
  add_party (out, "ORGANIZER", e->organizer_name, e->organizer_email);
  add_party (out, "ATTENDEE", e->attendee_name, e->attendee_email);
  add (out, "STATUS:%s", e->cancelled ? "CANCELLED" : "CONFIRMED");
  add (out, "END:VEVENT");
}

char *
samtal_ics_render (const SamtalIcsEvent *e, GTimeZone *tz)
{
  g_autofree char *tzid = tzid_of (tz);
  GString *out = g_string_new (NULL);
  add (out, "BEGIN:VCALENDAR");
  add (out, "VERSION:2.0");
  add (out, "PRODID:-//samtal//booking//SV");
  add (out, "CALSCALE:GREGORIAN");
  add (out, "METHOD:%s", e->cancelled ? "CANCEL" : "REQUEST");
  add_vtimezone (out, tz, tzid, e->start, e->end);
  add_vevent (out, e, tz, tzid);
  add (out, "END:VCALENDAR");
  return g_string_free (out, FALSE);
}
