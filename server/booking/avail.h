/* avail.h — availability input: parsing and validating rules, blocks and the times in them.
 *
 * Pure functions with no database and no server: they turn untrusted text (from JSON bodies and
 * query strings) into checked values, or fail with a GError in SAMTAL_AVAIL_ERROR that says
 * which field is wrong. The HTTP layer maps every such error to 400 bad_request.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_AVAIL_ERROR (samtal_avail_error_quark ())
GQuark samtal_avail_error_quark (void);

typedef enum {
  SAMTAL_AVAIL_ERROR_INVALID,   /* a value is malformed or out of range */
} SamtalAvailError;

/* Limits that rules and queries must respect. */
#define SAMTAL_SLOT_MIN_MINUTES 5
#define SAMTAL_SLOT_MAX_MINUTES 480
#define SAMTAL_BUFFER_MAX_MINUTES 240
#define SAMTAL_RANGE_MAX_DAYS 62         /* /slots?from=&to= spans at most this many days */
#define SAMTAL_BLOCK_MAX_DAYS 366        /* one block lasts at most a year */
#define SAMTAL_REASON_MAX_CHARS 200

/* A weekly availability rule in local wall-clock time. Dates are Julian day numbers (GDate);
 * 0 means "unbounded" for valid_from / valid_until. */
typedef struct {
  gint64 id;
  gint64 staff_id;
  int weekday;          /* 1 = Monday … 7 = Sunday */
  int start_min;        /* minutes after local midnight, 0 … 1439 */
  int end_min;          /* minutes after local midnight, start_min < end_min ≤ 1440 */
  int slot_minutes;
  int buffer_minutes;
  guint32 valid_from;   /* Julian day, inclusive, 0 = always */
  guint32 valid_until;  /* Julian day, inclusive, 0 = forever */
} SamtalRule;

/* "HH:MM" (00:00 … 24:00) → minutes after midnight. */
gboolean samtal_parse_hhmm (const char *text, int *minutes_out, GError **error);
/* minutes → "HH:MM" (newly allocated). */
char *samtal_format_hhmm (int minutes);

/* "YYYY-MM-DD" (a real calendar date, years 1900 … 9999) → Julian day. */
gboolean samtal_parse_date (const char *text, guint32 *julian_out, GError **error);
/* Julian day → "YYYY-MM-DD" (newly allocated). */
char *samtal_format_date (guint32 julian);

/* RFC 3339 date-time with an explicit offset or Z ("2026-12-01T09:00:00+01:00") → unix seconds.
 * Times without an offset are refused: an instant must never depend on a guess. */
gboolean samtal_parse_instant (const char *text, gint64 *unix_out, GError **error);
/* unix seconds → RFC 3339 in tz with its offset, e.g. "2026-12-01T09:00:00+01:00". */
char *samtal_format_instant (gint64 unix_seconds, GTimeZone *tz);

/* Checks a rule's fields (weekday, times, slot length, buffer, validity order): the slot must
 * fit between start and end at least once. */
gboolean samtal_rule_validate (const SamtalRule *rule, GError **error);

/* Checks a from/to date range for slot listings: from ≤ to, at most SAMTAL_RANGE_MAX_DAYS days. */
gboolean samtal_range_validate (guint32 from, guint32 to, GError **error);

/* Checks a block [start, end): start < end, at most SAMTAL_BLOCK_MAX_DAYS long. */
gboolean samtal_block_validate (gint64 start, gint64 end, GError **error);

G_END_DECLS
