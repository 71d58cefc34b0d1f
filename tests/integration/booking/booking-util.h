/* booking-util.h — helpers the booking integration tests share: a small municipality of users,
 * local dates relative to today, and free slots read back from the API. */
#pragma once

#include "harness.h"

G_BEGIN_DECLS

typedef struct {
  SamtalTestServer *ts;
  gint64 unit_bou, unit_ftj;
  gint64 admin_id, anna_id, erik_id, frida_id, karin_id, olle_id;
  SamtalTestAuth *admin;   /* admin, no unit */
  SamtalTestAuth *anna;    /* caseworker, Barn och unga */
  SamtalTestAuth *erik;    /* officer, Färdtjänst */
  SamtalTestAuth *frida;   /* caseworker, Färdtjänst */
  SamtalTestAuth *karin;   /* client */
  SamtalTestAuth *olle;    /* client */
} BookingWorld;

/* Starts a server and makes the users above (asserting on failure). */
BookingWorld *booking_world_new (void);
void booking_world_free (BookingWorld *w);

/* The id of unit name, via GET /api/v1/units. */
gint64 booking_unit_id (SamtalTestServer *ts, SamtalTestAuth *auth, const char *name);

/* The local date (Europe/Stockholm, as the server) days from today, as YYYY-MM-DD. */
char *booking_date_in (int days);

/* Adds a rule for every weekday (1…7) for staff_id, asserting 201. */
void booking_add_daily_rules (BookingWorld *w, SamtalTestAuth *auth, gint64 staff_id,
                              const char *start, const char *end, int slot, int buffer);

/* GET /api/v1/slots for staff_id on date; returns the array node (owned by the response). */
SamtalTestResponse *booking_slots (BookingWorld *w, SamtalTestAuth *auth, gint64 staff_id,
                                   const char *from, const char *to);

/* The "start" of element i of a JSON array of objects (borrowed), or NULL. */
const char *booking_array_string (JsonNode *array, guint i, const char *member);

/* TRUE if some element of the slots array starts at start. */
gboolean booking_slots_contain (JsonNode *slots, const char *start);

G_END_DECLS
