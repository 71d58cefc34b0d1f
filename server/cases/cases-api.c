/* cases-api.c — the cases component's entry points (see cases-api.h). Work in progress. */
#include "cases-api.h"

#include "core/errors.h"

gboolean
samtal_cases_migrate (SamtalServer *server, GError **error)
{
  return TRUE;
}

gboolean
samtal_cases_api_register_full (SamtalServer *server, GError **error)
{
  return TRUE;
}

void
samtal_cases_api_register (SamtalServer *server)
{
  g_autoptr (GError) error = NULL;
  if (!samtal_cases_api_register_full (server, &error))
    g_error ("cases: %s", error->message);
}

gboolean
samtal_cases_check_link (SamtalServer *server, gint64 case_id, gint64 unit_id, gint64 client_id,
                         GError **error)
{
  g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_FOUND, "no such case");
  return FALSE;
}

gint64
samtal_cases_create (SamtalServer *server, gint64 actor_id, gint64 unit_id, gint64 client_id,
                     const char *title, char **number_out, GError **error)
{
  g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_INTERNAL, "not yet");
  return 0;
}
