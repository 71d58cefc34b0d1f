/* validate.c — strict checks of untrusted request input: bodies, fields, times, dates, e-mail.
 * Every failure is SAMTAL_API_ERROR_BAD_REQUEST (or PAYLOAD_TOO_LARGE) naming the field. */
#include "validate.h"

#include <string.h>

#include "errors.h"

#define BODY_MAX_DEPTH 32

static gboolean
bad_request (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_request (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST, msg);
  return FALSE;
}

/* Walks JSON text outside and inside strings: refuses "\u0000" escapes and nesting deeper than
 * BODY_MAX_DEPTH (json-glib's parser recurses). The text is not otherwise validated here. */
static gboolean
scan_json_text (const char *data, gsize len, GError **error)
{
  gboolean in_string = FALSE;
  int depth = 0;
  for (gsize i = 0; i < len; i++)
    {
      char ch = data[i];
      if (in_string)
        {
          if (ch == '"')
            in_string = FALSE;
          else if (ch == '\\' && i + 1 < len)
            {
              if (data[i + 1] == 'u' && i + 5 < len && strncmp (data + i + 2, "0000", 4) == 0)
                return bad_request (error, "the body contains a NUL character");
              i++;
            }
          continue;
        }
      if (ch == '"')
        in_string = TRUE;
      else if (ch == '{' || ch == '[')
        {
          if (++depth > BODY_MAX_DEPTH)
            return bad_request (error, "the body is nested too deeply");
        }
      else if (ch == '}' || ch == ']')
        depth--;
    }
  return TRUE;
}

static gboolean
is_blank (const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;
  return TRUE;
}

JsonObject *
samtal_parse_body (const char *data, gsize len, gsize max_bytes, GError **error)
{
  if (len > max_bytes)
    {
      g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_PAYLOAD_TOO_LARGE,
                   "the body is larger than %" G_GSIZE_FORMAT " bytes", max_bytes);
      return NULL;
    }
  if (data == NULL || len == 0 || is_blank (data, len))
    return json_object_new ();
  if (memchr (data, '\0', len) != NULL)
    return bad_request (error, "the body contains a NUL byte"), NULL;
  if (!g_utf8_validate_len (data, len, NULL))
    return bad_request (error, "the body is not valid UTF-8"), NULL;
  if (!scan_json_text (data, len, error))
    return NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    return bad_request (error, "the body is not valid JSON: %s", local->message), NULL;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_request (error, "the body must be a JSON object"), NULL;
  return json_object_ref (json_node_get_object (root));
}

/* The member's node, or NULL when absent or null. */
static JsonNode *
field_node (JsonObject *obj, const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  return (node == NULL || JSON_NODE_HOLDS_NULL (node)) ? NULL : node;
}

static gboolean
missing_field (const char *name, gboolean required, GError **error)
{
  if (required)
    return bad_request (error, "\"%s\" is required", name);
  return TRUE;
}

static gboolean
has_bad_controls (const char *s, gboolean allow_newlines)
{
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p >= 0x20 && *p != 0x7f)
        continue;
      if (allow_newlines && (*p == '\t' || *p == '\n' || *p == '\r'))
        continue;
      return TRUE;
    }
  return FALSE;
}

gboolean
samtal_field_string (JsonObject *obj, const char *name, gboolean required, gsize max_chars,
                     gboolean allow_newlines, const char **out, GError **error)
{
  *out = NULL;
  JsonNode *node = field_node (obj, name);
  if (node == NULL)
    return missing_field (name, required, error);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_request (error, "\"%s\" must be a string", name);
  const char *s = json_node_get_string (node);
  if (s == NULL || !g_utf8_validate (s, -1, NULL))
    return bad_request (error, "\"%s\" is not valid UTF-8", name);
  glong chars = g_utf8_strlen (s, -1);
  if (chars == 0)
    return bad_request (error, "\"%s\" must not be empty", name);
  if ((gsize) chars > max_chars)
    return bad_request (error, "\"%s\" is longer than %" G_GSIZE_FORMAT " characters", name,
                        max_chars);
  if (has_bad_controls (s, allow_newlines))
    return bad_request (error, "\"%s\" contains control characters", name);
  *out = s;
  return TRUE;
}

gboolean
samtal_field_int (JsonObject *obj, const char *name, gboolean required, gint64 min, gint64 max,
                  gint64 dflt, gint64 *out, GError **error)
{
  *out = dflt;
  JsonNode *node = field_node (obj, name);
  if (node == NULL)
    return missing_field (name, required, error);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return bad_request (error, "\"%s\" must be an integer", name);
  gint64 v = json_node_get_int (node);
  if (v < min || v > max)
    return bad_request (error, "\"%s\" must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                        name, min, max);
  *out = v;
  return TRUE;
}

gboolean
samtal_field_bool (JsonObject *obj, const char *name, gboolean required, gboolean dflt,
                   gboolean *out, GError **error)
{
  *out = dflt;
  JsonNode *node = field_node (obj, name);
  if (node == NULL)
    return missing_field (name, required, error);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return bad_request (error, "\"%s\" must be true or false", name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* n ASCII digits at s → value; FALSE if any is not a digit. */
static gboolean
read_digits (const char *s, int n, int *value)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  *value = v;
  return TRUE;
}

static gboolean
read_ymd (const char *s, int *y, int *m, int *d)
{
  return read_digits (s, 4, y) && s[4] == '-' && read_digits (s + 5, 2, m) && s[7] == '-'
         && read_digits (s + 8, 2, d) && *y >= 1970 && *y <= 9999 && *m >= 1 && *m <= 12
         && *d >= 1 && *d <= g_date_get_days_in_month (*m, *y);
}

/* The time and offset part after 'T': HH:MM[:SS[.fff]](Z|±HH:MM). */
static gboolean
check_rfc3339_time (const char *s)
{
  int h, mi, sec = 0, oh, om;
  if (!read_digits (s, 2, &h) || s[2] != ':' || !read_digits (s + 3, 2, &mi) || h > 23 || mi > 59)
    return FALSE;
  s += 5;
  if (*s == ':')
    {
      if (!read_digits (s + 1, 2, &sec) || sec > 60)
        return FALSE;
      s += 3;
      if (*s == '.')
        {
          int n = 0;
          for (s++; g_ascii_isdigit (*s); s++)
            n++;
          if (n == 0 || n > 9)
            return FALSE;
        }
    }
  if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
    return TRUE;
  if (*s != '+' && *s != '-')
    return FALSE;
  return read_digits (s + 1, 2, &oh) && s[3] == ':' && read_digits (s + 4, 2, &om) && s[6] == '\0'
         && oh <= 23 && om <= 59;
}

GDateTime *
samtal_parse_rfc3339 (const char *text, const char *field, GError **error)
{
  int y, m, d;
  const char *what = field ? field : "time";
  if (text == NULL || strlen (text) > 40 || !read_ymd (text, &y, &m, &d)
      || (text[10] != 'T' && text[10] != 't') || !check_rfc3339_time (text + 11))
    return bad_request (error, "\"%s\" must be an RFC 3339 time with offset, "
                        "e.g. 2026-12-01T09:00:00+01:00", what), NULL;
  /* GLib wants seconds and an upper-case T and Z: normalise. */
  GString *norm = g_string_new_len (text, 10);
  g_string_append_c (norm, 'T');
  g_string_append_len (norm, text + 11, 5);
  if (text[16] != ':')
    g_string_append (norm, ":00");
  g_string_append (norm, text + 16);
  for (char *p = norm->str + 11; *p; p++)
    *p = *p == 'z' ? 'Z' : *p;
  GDateTime *t = g_date_time_new_from_iso8601 (norm->str, NULL);
  g_string_free (norm, TRUE);
  if (t == NULL)
    return bad_request (error, "\"%s\" is not a valid time", what), NULL;
  return t;
}

gboolean
samtal_field_time (JsonObject *obj, const char *name, gboolean required, GDateTime **out,
                   GError **error)
{
  const char *s = NULL;
  *out = NULL;
  if (!samtal_field_string (obj, name, required, 40, FALSE, &s, error))
    return FALSE;
  if (s == NULL)
    return TRUE;
  *out = samtal_parse_rfc3339 (s, name, error);
  return *out != NULL;
}

char *
samtal_format_rfc3339 (GDateTime *t, GTimeZone *tz)
{
  g_autoptr (GDateTime) local = g_date_time_to_timezone (t, tz);
  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

char *
samtal_format_unix (gint64 unix_s, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_s);
  if (utc == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  return samtal_format_rfc3339 (utc, tz);
}

gboolean
samtal_check_date (const char *text, const char *field, int *year, int *month, int *day,
                   GError **error)
{
  int y, m, d;
  if (text == NULL || strlen (text) != 10 || !read_ymd (text, &y, &m, &d))
    return bad_request (error, "\"%s\" must be a date YYYY-MM-DD", field ? field : "date");
  *year = y;
  *month = m;
  *day = d;
  return TRUE;
}

gboolean
samtal_check_hhmm (const char *text, const char *field, gboolean allow_24, int *minutes,
                   GError **error)
{
  int h, m;
  if (text == NULL || strlen (text) != 5 || !read_digits (text, 2, &h) || text[2] != ':'
      || !read_digits (text + 3, 2, &m) || m > 59 || h > 24 || (h == 24 && (!allow_24 || m != 0)))
    return bad_request (error, "\"%s\" must be a time of day HH:MM", field ? field : "time");
  *minutes = h * 60 + m;
  return TRUE;
}

static gboolean
email_char_ok (char ch)
{
  return g_ascii_isalnum (ch) || strchr (".!#$%&'*+/=?^_`{|}~-", ch) != NULL;
}

char *
samtal_normalize_email (const char *text, GError **error)
{
  if (text == NULL)
    return bad_request (error, "\"email\" is required"), NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *e = g_ascii_strdown (trimmed, -1);
  const char *at = strchr (e, '@');
  gsize len = strlen (e);
  gboolean ok = len >= 3 && len <= SAMTAL_EMAIL_MAX_CHARS && at != NULL && at != e
                && strchr (at + 1, '@') == NULL && strchr (at + 1, '.') != NULL
                && at[1] != '.' && e[len - 1] != '.' && strstr (e, "..") == NULL;
  for (const char *p = e; ok && *p; p++)
    ok = *p == '@' || email_char_ok (*p);
  if (!ok)
    return bad_request (error, "\"email\" is not a valid e-mail address"), NULL;
  return g_steal_pointer (&e);
}

gboolean
samtal_check_int64 (const char *text, const char *field, gint64 min, gint64 max, gint64 *out,
                    GError **error)
{
  gint64 v = 0;
  if (text == NULL || *text == '\0' || *text == '+' || g_ascii_isspace (*text)
      || !g_ascii_string_to_signed (text, 10, min, max, &v, NULL))
    return bad_request (error, "\"%s\" must be an integer between %" G_GINT64_FORMAT " and %"
                        G_GINT64_FORMAT, field, min, max);
  *out = v;
  return TRUE;
}
