/* ics.h — iCalendar (RFC 5545) output for one booking.
 *
 * A pure module: renders a VCALENDAR with METHOD:REQUEST (or METHOD:CANCEL and STATUS:CANCELLED
 * for a cancelled booking), a VTIMEZONE describing the server's zone for the event's years, and one
 * VEVENT with a stable UID, SEQUENCE, DTSTAMP, and DTSTART/DTEND in local time with TZID. Text
 * values are escaped (backslash, semicolon, comma, newline), control characters dropped, lines
 * folded at 75 octets without splitting UTF-8 characters, and every line ends in CRLF.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 booking_id;
  const char *uid_domain;      /* e.g. the public host name; "samtal" when NULL */
  gint64 start, end;           /* unix seconds */
  gint64 stamp;                /* DTSTAMP, unix seconds (e.g. the last change) */
  int sequence;
  gboolean cancelled;
  const char *summary;         /* nullable */
  const char *description;     /* nullable */
  const char *location;        /* nullable, e.g. the meeting page URL */
  const char *organizer_name;  /* nullable */
  const char *organizer_email; /* nullable; ORGANIZER is written only when set */
  const char *attendee_name;   /* nullable */
  const char *attendee_email;  /* nullable; ATTENDEE is written only when set */
} SamtalIcsEvent;

/* Renders the calendar (transfer full). tz is the server's zone; its identifier is the TZID
 * (anything but letters, digits and "/_+-" is replaced). */
char *samtal_ics_render (const SamtalIcsEvent *event, GTimeZone *tz);

/* Escapes text as an iCalendar TEXT value (transfer full). Invalid UTF-8 is replaced. */
char *samtal_ics_escape_text (const char *text);

/* Appends one content line to out, folded at 75 octets, ending in CRLF. */
void samtal_ics_append_line (GString *out, const char *line);

G_END_DECLS
