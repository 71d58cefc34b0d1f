/* demo.c — the demo municipality for `samtal-server --demo`: three units, an admin, three staff
 * members with weekly availability (Monday to Friday), a client and an open case. Seeds only an
 * empty database, and prints the logins so that someone trying samtal can sign in at once.
 */
#include "booking-private.h"

#include "cases/cases-api.h"
#include "core/users.h"

#include <stdio.h>

typedef struct {
  const char *email, *name, *role, *unit, *password;
  int slot, buffer;   /* weekly rules: 0 = none */
} DemoUser;

static const DemoUser demo_users[] = {
  { "admin@demo.samtal.se", "Alva Admin", "admin", NULL, "demo-admin-2026", 0, 0 },
  { "anna.lind@demo.samtal.se", "Anna Lind", "caseworker", "Barn och unga", "demo-anna-2026",
    45, 15 },
  { "erik.holm@demo.samtal.se", "Erik Holm", "officer", "Färdtjänst", "demo-erik-2026", 30, 0 },
  { "sara.nilsson@demo.samtal.se", "Sara Nilsson", "caseworker", "Ekonomiskt bistånd",
    "demo-sara-2026", 60, 0 },
  { "karin.johansson@example.se", "Karin Johansson", "client", NULL, "demo-karin-2026", 0, 0 },
};

static gboolean
database_is_empty (SamtalServer *server)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (server->store,
                                                      "SELECT COUNT(*) FROM users", NULL);
  return st && samtal_store_step (server->store, st, NULL) == SQLITE_ROW &&
         sqlite3_column_int64 (st, 0) == 0;
}

/* Monday to Friday, 09:00–12:00 and 13:00–16:00. */
static gboolean
add_week (SamtalServer *server, gint64 staff_id, int slot, int buffer, GError **error)
{
  const int spans[][2] = { { 9 * 60, 12 * 60 }, { 13 * 60, 16 * 60 } };
  for (int day = 1; day <= 5; day++)
    for (gsize i = 0; i < G_N_ELEMENTS (spans); i++) {
      SamtalRule r = { .staff_id = staff_id, .weekday = day, .start_min = spans[i][0],
                       .end_min = spans[i][1], .slot_minutes = slot, .buffer_minutes = buffer };
      if (samtal_rule_insert (server->store, &r, error) == 0)
        return FALSE;
    }
  return TRUE;
}

static gint64
add_user (SamtalServer *server, const DemoUser *d, GError **error)
{
  gint64 unit_id = 0;
  if (d->unit && (unit_id = samtal_units_ensure (server, 0, d->unit, error)) == 0)
    return 0;
  g_autoptr (SamtalUser) u = samtal_users_create_sync (server, 0, d->email, d->name, d->role,
                                                       unit_id, d->password, error);
  if (u == NULL || (d->slot && !add_week (server, u->id, d->slot, d->buffer, error)))
    return 0;
  return u->id;
}

gboolean
samtal_demo_seed (SamtalServer *server, GError **error)
{
  if (!database_is_empty (server))
    return TRUE;
  if (samtal_units_ensure (server, 0, "Ekonomiskt bistånd", error) == 0)
    return FALSE;
  gint64 ids[G_N_ELEMENTS (demo_users)];
  for (gsize i = 0; i < G_N_ELEMENTS (demo_users); i++)
    if ((ids[i] = add_user (server, &demo_users[i], error)) == 0)
      return FALSE;
  g_autoptr (GError) case_error = NULL;
  g_autofree char *number = NULL;
  gint64 unit = 0;
  samtal_booking_user_info (server->store, ids[1], NULL, &unit, NULL);
  if (samtal_cases_create (server, ids[1], unit, ids[4], "Stödsamtal, familjen Johansson",
                           &number, &case_error) == 0)
    g_warning ("demo: no case: %s", case_error->message);
  printf ("Demo data seeded. Sign in with:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (demo_users); i++)
    printf ("  %-11s %-30s password %s%s%s\n", demo_users[i].role, demo_users[i].email,
            demo_users[i].password, demo_users[i].unit ? "  — " : "",
            demo_users[i].unit ? demo_users[i].unit : "");
  if (number)
    printf ("  case %s: Karin Johansson, with Anna Lind (Barn och unga)\n", number);
  fflush (stdout);
  return TRUE;
}
