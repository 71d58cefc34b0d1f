/* Unit tests for iCalendar output: structure, VTIMEZONE, METHOD/STATUS after cancel, TEXT
 * escaping, 75-octet folding that keeps UTF-8 whole, and CRLF line ends. */
#include "ics.h"

#include <string.h>

static GTimeZone *
stockholm (void)
{
  return g_time_zone_new_identifier ("Europe/Stockholm");
}

/* Undoes folding (CRLF + space) so content lines can be searched. */
static char *
unfold (const char *text)
{
  GString *s = g_string_new (NULL);
  for (const char *p = text; *p; p++) {
    if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
      p += 2;
      continue;
    }
    g_string_append_c (s, *p);
  }
  return g_string_free (s, FALSE);
}

static SamtalIcsEvent
event (void)
{
  SamtalIcsEvent e = {
    .booking_id = 42, .uid_domain = "samtal.example.se",
    .start = 1796112000, .end = 1796112000 + 1800,   /* 2026-12-01 09:00–09:30 +01:00 */
    .stamp = 1795000000, .sequence = 0, .summary = "Möte med handläggare",
    .description = "Länk: https://samtal.example.se/meet/42", .organizer_name = "Anna Berg",
    .organizer_email = "anna@example.se",
  };
  return e;
}

static void
assert_crlf_and_width (const char *ics)
{
  g_assert_true (g_str_has_suffix (ics, "\r\n"));
  g_auto (GStrv) lines = g_strsplit (ics, "\r\n", -1);
  for (guint i = 0; lines[i]; i++) {
    g_assert_null (strchr (lines[i], '\n'));
    g_assert_null (strchr (lines[i], '\r'));
    g_assert_cmpuint (strlen (lines[i]), <=, 75);
    g_assert_true (g_utf8_validate (lines[i], -1, NULL));
  }
}

static void
test_request (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalIcsEvent e = event ();
  g_autofree char *ics = samtal_ics_render (&e, tz);
  assert_crlf_and_width (ics);
  g_autofree char *u = unfold (ics);
  g_assert_true (g_str_has_prefix (u, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  g_assert_true (g_str_has_suffix (u, "END:VCALENDAR\r\n"));
  g_assert_nonnull (strstr (u, "\r\nMETHOD:REQUEST\r\n"));
  g_assert_nonnull (strstr (u, "\r\nUID:booking-42@samtal.example.se\r\n"));
  g_assert_nonnull (strstr (u, "\r\nSEQUENCE:0\r\n"));
  g_assert_nonnull (strstr (u, "\r\nDTSTART;TZID=Europe/Stockholm:20261201T090000\r\n"));
  g_assert_nonnull (strstr (u, "\r\nDTEND;TZID=Europe/Stockholm:20261201T093000\r\n"));
  g_assert_nonnull (strstr (u, "\r\nDTSTAMP:20261118T110640Z\r\n"));
  g_assert_nonnull (strstr (u, "\r\nSTATUS:CONFIRMED\r\n"));
  g_assert_nonnull (strstr (u, "\r\nSUMMARY:Möte med handläggare\r\n"));
  g_assert_nonnull (strstr (u, "\r\nORGANIZER;CN=\"Anna Berg\":mailto:anna@example.se\r\n"));
  /* The VTIMEZONE names the zone and holds both 2026 changes, the offsets in force. */
  g_assert_nonnull (strstr (u, "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n"));
  g_assert_nonnull (strstr (u, "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\n"
                               "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"));
  g_assert_nonnull (strstr (u, "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\n"
                               "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"));
  /* The VTIMEZONE comes before the VEVENT that uses it. */
  g_assert_true (strstr (u, "END:VTIMEZONE") < strstr (u, "BEGIN:VEVENT"));
}

static void
test_cancel_and_sequence (void)
{
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalIcsEvent e = event ();
  e.cancelled = TRUE;
  e.sequence = 3;
  g_autofree char *ics = samtal_ics_render (&e, tz);
  g_autofree char *u = unfold (ics);
  g_assert_nonnull (strstr (u, "\r\nMETHOD:CANCEL\r\n"));
  g_assert_nonnull (strstr (u, "\r\nSTATUS:CANCELLED\r\n"));
  g_assert_nonnull (strstr (u, "\r\nSEQUENCE:3\r\n"));
  g_assert_null (strstr (u, "METHOD:REQUEST"));
  /* The UID is stable across changes. */
  g_assert_nonnull (strstr (u, "\r\nUID:booking-42@samtal.example.se\r\n"));
}

static void
test_escape (void)
{
  g_autofree char *a = samtal_ics_escape_text ("a,b;c\\d\ne\r\nf");
  g_assert_cmpstr (a, ==, "a\\,b\\;c\\\\d\\ne\\nf");
  g_autofree char *b = samtal_ics_escape_text ("x\001y\x7fz");
  g_assert_cmpstr (b, ==, "xyz");
  g_autofree char *c = samtal_ics_escape_text ("bad \xff utf8");
  g_assert_true (g_utf8_validate (c, -1, NULL));
  /* Hostile summaries cannot inject properties. */
  g_autoptr (GTimeZone) tz = stockholm ();
  SamtalIcsEvent e = event ();
  e.summary = "x\r\nMETHOD:CANCEL\r\nATTENDEE:mailto:evil@example.com";
  g_autofree char *ics = samtal_ics_render (&e, tz);
  g_autofree char *u = unfold (ics);
  g_assert_null (strstr (u, "\r\nMETHOD:CANCEL"));
  g_assert_null (strstr (u, "\r\nATTENDEE:mailto:evil"));
}

static void
test_folding (void)
{
  /* 200 × "å" (2 octets each): folded lines never exceed 75 octets nor split a character. */
  GString *line = g_string_new ("DESCRIPTION:");
  for (int i = 0; i < 200; i++)
    g_string_append (line, "å");
  GString *out = g_string_new (NULL);
  samtal_ics_append_line (out, line->str);
  assert_crlf_and_width (out->str);
  g_autofree char *u = unfold (out->str);
  g_autofree char *expected = g_strconcat (line->str, "\r\n", NULL);
  g_assert_cmpstr (u, ==, expected);
  g_assert_nonnull (strstr (out->str, "\r\n "));
  g_string_free (line, TRUE);
  g_string_free (out, TRUE);
  /* Exactly 75 octets: not folded. */
  g_autofree char *s75 = g_strnfill (75, 'a');
  GString *o2 = g_string_new (NULL);
  samtal_ics_append_line (o2, s75);
  g_assert_cmpuint (o2->len, ==, 77);
  g_string_free (o2, TRUE);
}

static void
test_utc_zone (void)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_utc ();
  SamtalIcsEvent e = event ();
  g_autofree char *ics = samtal_ics_render (&e, tz);
  g_autofree char *u = unfold (ics);
  g_assert_nonnull (strstr (u, "\r\nDTSTART;TZID=UTC:20261201T080000\r\n"));
  g_assert_nonnull (strstr (u, "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
                               "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ics/request", test_request);
  g_test_add_func ("/ics/cancel", test_cancel_and_sequence);
  g_test_add_func ("/ics/escape", test_escape);
  g_test_add_func ("/ics/folding", test_folding);
  g_test_add_func ("/ics/utc", test_utc_zone);
  return g_test_run ();
}
