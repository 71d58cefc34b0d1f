/* libFuzzer target: the booking parsers and renderers must accept or refuse any input without
 * crashing — times, dates, RFC 3339 instants, iCalendar escaping and folding, and the slot
 * computation for a rule built from the input's first bytes. */
#include "avail.h"
#include "ics.h"
#include "slots.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
fuzz_parsers (const char *text)
{
  int minutes;
  guint32 julian;
  gint64 t;
  if (samtal_parse_hhmm (text, &minutes, NULL))
    g_assert (minutes >= 0 && minutes <= 1440);
  if (samtal_parse_date (text, &julian, NULL)) {
    g_autofree char *back = samtal_format_date (julian);
    g_assert (strcmp (back, text) == 0);
  }
  samtal_parse_instant (text, &t, NULL);
}

static void
fuzz_ics (const char *text)
{
  g_autofree char *esc = samtal_ics_escape_text (text);
  g_assert (g_utf8_validate (esc, -1, NULL));
  g_assert (strchr (esc, '\n') == NULL && strchr (esc, '\r') == NULL);
  GString *out = g_string_new (NULL);
  samtal_ics_append_line (out, esc);
  g_string_free (out, TRUE);
}

static void
fuzz_slots (const guint8 *d, size_t size, GTimeZone *tz)
{
  if (size < 8)
    return;
  SamtalRule r = { .weekday = d[0] % 9, .start_min = (d[1] << 8 | d[2]) % 1500,
                   .end_min = (d[3] << 8 | d[4]) % 1500, .slot_minutes = d[5] * 2,
                   .buffer_minutes = d[6] };
  SamtalSlotQuery q = { .tz = tz, .now = 0, .from = 739700 + d[7] % 64 * 5 };  /* ≈ 2026 */
  q.to = q.from + d[7] % 8;
  SamtalInterval busy = { 1774000000 + d[1] * 3600, 1774000000 + d[1] * 3600 + d[2] * 60 };
  g_autoptr (GArray) s = samtal_slots_compute (&q, &r, 1, &busy, 1, &busy, 1);
  for (guint i = 1; i < s->len; i++)
    g_assert (g_array_index (s, SamtalInterval, i - 1).end <=
              g_array_index (s, SamtalInterval, i).start);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static GTimeZone *tz;
  if (tz == NULL)
    tz = g_time_zone_new_identifier ("Europe/Stockholm");
  if (size > 4096)
    return 0;
  g_autofree char *text = g_strndup ((const char *) data, size);
  fuzz_parsers (text);
  fuzz_ics (text);
  fuzz_slots (data, size, tz);
  return 0;
}
