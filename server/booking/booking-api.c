/* booking-api.c — the booking component's entry points (see booking-api.h). Work in progress:
 * the schema and the handlers land in the next commits. */
#include "booking-api.h"

#include "core/errors.h"

gboolean
samtal_booking_migrate (SamtalServer *server, GError **error)
{
  return TRUE;
}

gboolean
samtal_booking_api_register_full (SamtalServer *server, GError **error)
{
  return TRUE;
}

void
samtal_booking_api_register (SamtalServer *server)
{
  g_autoptr (GError) error = NULL;
  if (!samtal_booking_api_register_full (server, &error))
    g_error ("booking: %s", error->message);
}

gboolean
samtal_demo_seed (SamtalServer *server, GError **error)
{
  return TRUE;
}

gboolean
samtal_booking_get (SamtalServer *server, gint64 id, SamtalBooking *out, GError **error)
{
  g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_FOUND, "no such booking");
  return FALSE;
}

const char *
samtal_booking_status_name (SamtalBookingStatus status)
{
  static const char *const names[] = { "booked", "cancelled", "completed", "no_show" };
  return (guint) status < G_N_ELEMENTS (names) ? names[status] : "booked";
}
