/* booking-util.c — shared helpers of the booking integration tests (see booking-util.h). */
#include "booking-util.h"

static SamtalTestAuth *
sign_in (SamtalTestServer *ts, const char *email)
{
  g_autoptr (GError) error = NULL;
  SamtalTestAuth *auth = samtal_test_sign_in (ts, email, "secret-pass-1", &error);
  g_assert_no_error (error);
  return auth;
}

/* Creates a user through POST /api/v1/users as the admin (unit_id 0: none). */
static SamtalTestAuth *
add_user (BookingWorld *w, const char *email, const char *name, const char *role,
          gint64 unit_id, gint64 *id)
{
  g_autofree char *unit = unit_id ? g_strdup_printf (",\"unit_id\":%" G_GINT64_FORMAT, unit_id)
                                  : g_strdup ("");
  g_autoptr (SamtalTestResponse) r = samtal_test_requestf (w->ts, "POST", "/api/v1/users",
      w->admin, "{\"email\":\"%s\",\"password\":\"secret-pass-1\",\"name\":\"%s\","
      "\"role\":\"%s\"%s}", email, name, role, unit);
  g_assert_cmpuint (r->status, ==, 201);
  *id = samtal_test_json_int (r->json, "user.id");
  if (*id == 0)
    *id = samtal_test_json_int (r->json, "id");
  g_assert_cmpint (*id, >, 0);
  return sign_in (w->ts, email);
}

static gint64
add_unit (BookingWorld *w, const char *name)
{
  g_autoptr (SamtalTestResponse) r = samtal_test_requestf (w->ts, "POST", "/api/v1/units",
      w->admin, "{\"name\":\"%s\"}", name);
  g_assert_cmpuint (r->status, ==, 201);
  return booking_unit_id (w->ts, w->admin, name);
}

gint64
booking_unit_id (SamtalTestServer *ts, SamtalTestAuth *auth, const char *name)
{
  g_autoptr (SamtalTestResponse) r = samtal_test_request (ts, "GET", "/api/v1/units", auth, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  JsonArray *a = json_node_get_array (r->json);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonObject *o = json_array_get_object_element (a, i);
    if (g_strcmp0 (json_object_get_string_member (o, "name"), name) == 0)
      return json_object_get_int_member (o, "id");
  }
  g_assert_not_reached ();
  return 0;
}

BookingWorld *
booking_world_new (void)
{
  g_autoptr (GError) error = NULL;
  BookingWorld *w = g_new0 (BookingWorld, 1);
  w->ts = samtal_test_server_start (&error);
  g_assert_no_error (error);
  /* The first admin through the CLI, everything else through the API. */
  w->admin_id = samtal_test_server_add_user (w->ts, "admin@test.se", "Ada Admin", "admin", NULL,
                                             "secret-pass-1", &error);
  g_assert_no_error (error);
  w->admin = sign_in (w->ts, "admin@test.se");
  w->unit_bou = add_unit (w, "Barn och unga");
  w->unit_ftj = add_unit (w, "Färdtjänst");
  w->anna = add_user (w, "anna@test.se", "Anna Lind", "caseworker", w->unit_bou, &w->anna_id);
  w->erik = add_user (w, "erik@test.se", "Erik Holm", "officer", w->unit_ftj, &w->erik_id);
  w->frida = add_user (w, "frida@test.se", "Frida Ek", "caseworker", w->unit_ftj, &w->frida_id);
  w->karin = add_user (w, "karin@test.se", "Karin Johansson", "client", 0, &w->karin_id);
  w->olle = add_user (w, "olle@test.se", "Olle Berg", "client", 0, &w->olle_id);
  return w;
}

void
booking_world_free (BookingWorld *w)
{
  if (w == NULL)
    return;
  samtal_test_auth_free (w->admin);
  samtal_test_auth_free (w->anna);
  samtal_test_auth_free (w->erik);
  samtal_test_auth_free (w->frida);
  samtal_test_auth_free (w->karin);
  samtal_test_auth_free (w->olle);
  samtal_test_server_free (w->ts);
  g_free (w);
}

char *
booking_date_in (int days)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Stockholm");
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GDateTime) then = g_date_time_add_days (now, days);
  return g_date_time_format (then, "%Y-%m-%d");
}

void
booking_add_daily_rules (BookingWorld *w, SamtalTestAuth *auth, gint64 staff_id,
                         const char *start, const char *end, int slot, int buffer)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/staff/%" G_GINT64_FORMAT "/rules", staff_id);
  for (int day = 1; day <= 7; day++) {
    g_autoptr (SamtalTestResponse) r = samtal_test_requestf (w->ts, "POST", path, auth,
        "{\"weekday\":%d,\"start\":\"%s\",\"end\":\"%s\",\"slot_minutes\":%d,"
        "\"buffer_minutes\":%d}", day, start, end, slot, buffer);
    g_assert_cmpuint (r->status, ==, 201);
  }
}

SamtalTestResponse *
booking_slots (BookingWorld *w, SamtalTestAuth *auth, gint64 staff_id, const char *from,
               const char *to)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/slots?staff_id=%" G_GINT64_FORMAT
                                           "&from=%s&to=%s", staff_id, from, to);
  SamtalTestResponse *r = samtal_test_request (w->ts, "GET", path, auth, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (samtal_test_json_array_length (r->json), >=, 0);
  return r;
}

const char *
booking_array_string (JsonNode *array, guint i, const char *member)
{
  JsonArray *a = json_node_get_array (array);
  if (i >= json_array_get_length (a))
    return NULL;
  return json_object_get_string_member (json_array_get_object_element (a, i), member);
}

gboolean
booking_slots_contain (JsonNode *slots, const char *start)
{
  JsonArray *a = json_node_get_array (slots);
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (g_strcmp0 (booking_array_string (slots, i, "start"), start) == 0)
      return TRUE;
  return FALSE;
}
