/* libFuzzer target: request bodies and field values (server/core/validate.c) must be refused or
 * accepted without crashing, leaking or reading out of bounds. The input is a request body; every
 * member of an accepted object is also run through every field check, and the raw input through
 * the text checks (time, date, HH:MM, e-mail, integer). */
#include <string.h>

#include "core/errors.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_members (JsonObject *obj, GTimeZone *tz)
{
  g_autoptr (GList) names = json_object_get_members (obj);
  for (GList *l = names; l; l = l->next)
    {
      const char *name = l->data, *s = NULL;
      gint64 n;
      gboolean b;
      GDateTime *t = NULL;
      g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
      samtal_field_string (obj, name, TRUE, 200, FALSE, &s, &e1);
      samtal_field_int (obj, name, TRUE, -5, G_MAXINT64, 0, &n, &e2);
      samtal_field_bool (obj, name, FALSE, FALSE, &b, &e3);
      if (samtal_field_time (obj, name, FALSE, &t, &e4) && t != NULL)
        {
          g_free (samtal_format_rfc3339 (t, tz));
          g_date_time_unref (t);
        }
    }
}

static void
check_text (const char *text)
{
  int y, m, d, min;
  gint64 v;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;
  GDateTime *t = samtal_parse_rfc3339 (text, "t", &e1);
  g_clear_pointer (&t, g_date_time_unref);
  samtal_check_date (text, "d", &y, &m, &d, &e2);
  samtal_check_hhmm (text, "h", TRUE, &min, &e3);
  g_free (samtal_normalize_email (text, &e4));
  samtal_check_int64 (text, "i", G_MININT64, G_MAXINT64, &v, &e5);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static GTimeZone *tz;
  if (tz == NULL)
    tz = g_time_zone_new_identifier ("Europe/Stockholm");
  g_autoptr (GError) error = NULL;
  JsonObject *obj = samtal_parse_body ((const char *) data, size, 65536, &error);
  if (obj != NULL)
    {
      check_members (obj, tz);
      json_object_unref (obj);
    }
  else
    g_assert (error != NULL && error->domain == SAMTAL_API_ERROR);
  if (size < 256)
    {
      g_autofree char *text = g_strndup ((const char *) data, size);
      check_text (text);
    }
  return 0;
}
