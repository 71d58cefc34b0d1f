/* validate.h — checking untrusted input: request bodies and the fields and query values in them.
 *
 * Pure functions (no server, no database) so that unit tests and the fuzzer can call them. Every
 * failure is a GError in SAMTAL_API_ERROR (see errors.h) whose message names the field, ready to
 * be sent back as {"error":{"code":"bad_request","message":…}} by samtal_reply_gerror().
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SAMTAL_MAX_BODY_BYTES 65536
#define SAMTAL_EMAIL_MAX_CHARS 254
#define SAMTAL_NAME_MAX_CHARS 200

/* Parses a request body: at most max_bytes (→ PAYLOAD_TOO_LARGE), valid UTF-8, no NUL byte and
 * no \u0000 escape, a JSON object (→ BAD_REQUEST). An empty body gives an empty object.
 * Returns the object (transfer full). */
JsonObject *samtal_parse_body (const char *data, gsize len, gsize max_bytes, GError **error);

/* A string field. required: absent/null is an error; otherwise *out = NULL. The value must be
 * a JSON string of 1 … max_chars characters (UTF-8 code points) with no control characters
 * except \t \n \r when allow_newlines. *out is borrowed from obj. Leading/trailing blanks are
 * not trimmed here. */
gboolean samtal_field_string (JsonObject *obj, const char *name, gboolean required,
                              gsize max_chars, gboolean allow_newlines, const char **out,
                              GError **error);

/* An integer field within [min, max]; absent/null → *out = dflt unless required. Rejects
 * floats, strings and booleans. */
gboolean samtal_field_int (JsonObject *obj, const char *name, gboolean required, gint64 min,
                           gint64 max, gint64 dflt, gint64 *out, GError **error);

/* A boolean field; absent → dflt unless required. */
gboolean samtal_field_bool (JsonObject *obj, const char *name, gboolean required,
                            gboolean dflt, gboolean *out, GError **error);

/* An RFC 3339 date-time WITH an offset ("2026-12-01T09:00:00+01:00" or "…Z"), seconds
 * optional, fraction allowed, year 1970 … 9999. (transfer full) */
GDateTime *samtal_parse_rfc3339 (const char *text, const char *field, GError **error);
/* A field holding such a time; absent → *out = NULL unless required. (transfer full) */
gboolean samtal_field_time (JsonObject *obj, const char *name, gboolean required,
                            GDateTime **out, GError **error);
/* Formats t in tz as "2026-12-01T09:00:00+01:00" (newly allocated). */
char *samtal_format_rfc3339 (GDateTime *t, GTimeZone *tz);
/* The same from unix seconds. */
char *samtal_format_unix (gint64 unix_s, GTimeZone *tz);

/* "YYYY-MM-DD", a real date, years 1970 … 9999. */
gboolean samtal_check_date (const char *text, const char *field, int *year, int *month,
                            int *day, GError **error);
/* "HH:MM", 00:00 … 23:59, or 24:00 when allow_24. Returns minutes after midnight in *minutes. */
gboolean samtal_check_hhmm (const char *text, const char *field, gboolean allow_24,
                            int *minutes, GError **error);

/* A plausible e-mail address (one '@', a dot in the domain, no blanks or control characters,
 * ≤ 254 characters). Returns the normalised form (trimmed, ASCII lower case), newly allocated. */
char *samtal_normalize_email (const char *text, GError **error);

/* A decimal integer in [min, max] written exactly ("12", not "12x", " 12" or "1e3"). field names
 * the value for the message. */
gboolean samtal_check_int64 (const char *text, const char *field, gint64 min, gint64 max,
                             gint64 *out, GError **error);

G_END_DECLS
