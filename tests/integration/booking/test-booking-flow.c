/* Integration tests of the booking and cases endpoints against the real samtal-server: rules and
 * blocks with their access rules, slots (also across both daylight-saving days), booking,
 * idempotency, reschedule, cancel, .ics, status, join tokens, guests, cases and encrypted notes,
 * and the audit trail they leave. One server and one set of users serve all tests, in order. */
#include "booking-util.h"

#include "common/keyfile.h"
#include "common/token.h"

#include <sqlite3.h>
#include <string.h>

#define CHECK_STATUS(r, s) g_assert_cmpuint ((r)->status, ==, (s))

static char *
staff_path (gint64 id, const char *what)
{
  return g_strdup_printf ("/api/v1/staff/%" G_GINT64_FORMAT "/%s", id, what);
}

static void
test_rules (gconstpointer data)
{
  const BookingWorld *w = data;
  g_autofree char *anna_rules = staff_path (w->anna_id, "rules");
  g_autofree char *frida_rules = staff_path (w->frida_id, "rules");
  const char *rule = "{\"weekday\":1,\"start\":\"09:00\",\"end\":\"12:00\",\"slot_minutes\":30}";
  /* Self, officer of the unit and admin may; others may not. */
  g_autoptr (SamtalTestResponse) r1 = samtal_test_request (w->ts, "POST", frida_rules, w->erik, rule);
  CHECK_STATUS (r1, 201);
  g_assert_cmpstr (samtal_test_json_string (r1->json, "start"), ==, "09:00");
  g_assert_cmpint (samtal_test_json_int (r1->json, "buffer_minutes"), ==, 0);
  g_autoptr (SamtalTestResponse) r2 = samtal_test_request (w->ts, "POST", anna_rules, w->erik, rule);
  CHECK_STATUS (r2, 403);
  g_autoptr (SamtalTestResponse) r3 = samtal_test_request (w->ts, "POST", anna_rules, w->frida, rule);
  CHECK_STATUS (r3, 403);
  g_autoptr (SamtalTestResponse) r4 = samtal_test_request (w->ts, "POST", anna_rules, w->karin, rule);
  CHECK_STATUS (r4, 403);
  g_autoptr (SamtalTestResponse) r5 = samtal_test_request (w->ts, "POST", anna_rules, w->admin, rule);
  CHECK_STATUS (r5, 201);
  /* Clients are not staff: 404. */
  g_autofree char *karin_rules = staff_path (w->karin_id, "rules");
  g_autoptr (SamtalTestResponse) r6 = samtal_test_request (w->ts, "GET", karin_rules, w->admin, NULL);
  CHECK_STATUS (r6, 404);
  /* Bad input: 400 naming the field. */
  const char *bad[] = {
    "{\"weekday\":8,\"start\":\"09:00\",\"end\":\"12:00\",\"slot_minutes\":30}",
    "{\"weekday\":1,\"start\":\"9:00\",\"end\":\"12:00\",\"slot_minutes\":30}",
    "{\"weekday\":1,\"start\":\"12:00\",\"end\":\"09:00\",\"slot_minutes\":30}",
    "{\"weekday\":1,\"start\":\"09:00\",\"end\":\"09:20\",\"slot_minutes\":30}",
    "{\"weekday\":1,\"start\":\"09:00\",\"end\":\"12:00\",\"slot_minutes\":\"30\"}",
    "{\"weekday\":1,\"start\":\"09:00\",\"end\":\"12:00\",\"slot_minutes\":30,\"valid_from\":\"2026-02-30\"}",
    "{\"weekday\":1,\"start\":\"09:00\",\"end\":\"12:00\",\"slot_minutes\":30,"
    "\"valid_from\":\"2027-02-01\",\"valid_until\":\"2027-01-01\"}",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (SamtalTestResponse) r = samtal_test_request (w->ts, "POST", anna_rules, w->anna, bad[i]);
    CHECK_STATUS (r, 400);
    g_assert_cmpstr (samtal_test_error_code (r), ==, "bad_request");
  }
  /* List, delete, delete again. */
  g_autoptr (SamtalTestResponse) l = samtal_test_request (w->ts, "GET", anna_rules, w->anna, NULL);
  CHECK_STATUS (l, 200);
  g_assert_cmpint (samtal_test_json_array_length (l->json), ==, 1);
  g_autofree char *del = g_strdup_printf ("%s/%" G_GINT64_FORMAT, anna_rules,
                                          samtal_test_json_int (r5->json, "id"));
  g_autoptr (SamtalTestResponse) d1 = samtal_test_request (w->ts, "DELETE", del, w->anna, NULL);
  CHECK_STATUS (d1, 204);
  g_autoptr (SamtalTestResponse) d2 = samtal_test_request (w->ts, "DELETE", del, w->anna, NULL);
  CHECK_STATUS (d2, 404);
}

/* Anna works every day 09:00–12:00 in 30-minute slots from here on. */
static void
test_slots_and_blocks (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  booking_add_daily_rules (w, w->anna, w->anna_id, "09:00", "12:00", 30, 0);
  g_autofree char *day = booking_date_in (10);
  g_autoptr (SamtalTestResponse) s = booking_slots (w, w->karin, w->anna_id, day, day);
  g_assert_cmpint (samtal_test_json_array_length (s->json), ==, 6);
  g_assert_cmpint (samtal_test_json_int (json_array_get_element (json_node_get_array (s->json), 0),
                                         "staff_id"), ==, w->anna_id);
  /* A block over 10:00–11:00 removes two slots. */
  const char *ten = booking_array_string (s->json, 2, "start");
  const char *eleven = booking_array_string (s->json, 4, "start");
  g_autofree char *blocks = staff_path (w->anna_id, "blocks");
  g_autoptr (SamtalTestResponse) b = samtal_test_requestf (w->ts, "POST", blocks, w->anna,
      "{\"start\":\"%s\",\"end\":\"%s\",\"reason\":\"Utbildning\"}", ten, eleven);
  CHECK_STATUS (b, 201);
  g_autoptr (SamtalTestResponse) s2 = booking_slots (w, w->karin, w->anna_id, day, day);
  g_assert_cmpint (samtal_test_json_array_length (s2->json), ==, 4);
  g_assert_false (booking_slots_contain (s2->json, ten));
  g_autoptr (SamtalTestResponse) bl = samtal_test_request (w->ts, "GET", blocks, w->anna, NULL);
  CHECK_STATUS (bl, 200);
  g_assert_cmpint (samtal_test_json_array_length (bl->json), ==, 1);
  g_autoptr (SamtalTestResponse) bo = samtal_test_request (w->ts, "GET", blocks, w->olle, NULL);
  CHECK_STATUS (bo, 403);
  /* Unit listing, bounds. */
  g_autofree char *unit_path = g_strdup_printf ("/api/v1/slots?unit_id=%" G_GINT64_FORMAT
                                                "&from=%s&to=%s", w->unit_bou, day, day);
  g_autoptr (SamtalTestResponse) u = samtal_test_request (w->ts, "GET", unit_path, w->karin, NULL);
  CHECK_STATUS (u, 200);
  g_assert_cmpint (samtal_test_json_array_length (u->json), ==, 4);
  g_autofree char *far = booking_date_in (80);
  g_autofree char *too_long = g_strdup_printf ("/api/v1/slots?staff_id=%" G_GINT64_FORMAT
                                               "&from=%s&to=%s", w->anna_id, day, far);
  g_autoptr (SamtalTestResponse) tl = samtal_test_request (w->ts, "GET", too_long, w->karin, NULL);
  CHECK_STATUS (tl, 400);
  g_autoptr (SamtalTestResponse) none = samtal_test_request (w->ts, "GET", "/api/v1/slots",
                                                             w->karin, NULL);
  CHECK_STATUS (none, 400);
  g_autoptr (SamtalTestResponse) junk = samtal_test_request (w->ts, "GET",
      "/api/v1/slots?staff_id=1&from=2026-13-01", w->karin, NULL);
  CHECK_STATUS (junk, 400);
  g_autoptr (SamtalTestResponse) anon = samtal_test_request (w->ts, "GET", unit_path, NULL, NULL);
  CHECK_STATUS (anon, 401);
}

static gint64
book (BookingWorld *w, SamtalTestAuth *who, const char *start, guint expect, const char *code)
{
  g_autoptr (SamtalTestResponse) r = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings", who,
      "{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\",\"topic\":\"Samtal\"}", w->anna_id,
      start);
  CHECK_STATUS (r, expect);
  if (code)
    g_assert_cmpstr (samtal_test_error_code (r), ==, code);
  return expect == 201 ? samtal_test_json_int (r->json, "id") : 0;
}

static void
test_book_and_access (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *day = booking_date_in (11);
  g_autoptr (SamtalTestResponse) s = booking_slots (w, w->karin, w->anna_id, day, day);
  const char *first = booking_array_string (s->json, 0, "start");
  gint64 id = book (w, w->karin, first, 201, NULL);
  book (w, w->olle, first, 409, "slot_taken");
  /* 09:10 is not the start of a slot. */
  g_autofree char *off = g_strdup (first);
  off[15] = '1';
  book (w, w->olle, off, 422, "not_a_slot");
  g_autoptr (SamtalTestResponse) s2 = booking_slots (w, w->karin, w->anna_id, day, day);
  g_assert_false (booking_slots_contain (s2->json, first));
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT, id);
  struct { SamtalTestAuth *who; guint status; } cases[] = {
    { w->karin, 200 }, { w->anna, 200 }, { w->admin, 200 }, { w->olle, 404 }, { w->erik, 404 },
    { w->frida, 404 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (SamtalTestResponse) r = samtal_test_request (w->ts, "GET", path, cases[i].who, NULL);
    CHECK_STATUS (r, cases[i].status);
  }
  g_autoptr (SamtalTestResponse) mine = samtal_test_request (w->ts, "GET", "/api/v1/bookings",
                                                             w->karin, NULL);
  CHECK_STATUS (mine, 200);
  g_assert_cmpint (samtal_test_json_array_length (mine->json), ==, 1);
  g_autoptr (SamtalTestResponse) others = samtal_test_request (w->ts, "GET", "/api/v1/bookings",
                                                               w->olle, NULL);
  g_assert_cmpint (samtal_test_json_array_length (others->json), ==, 0);
  g_autoptr (SamtalTestResponse) cal = samtal_test_request (w->ts, "GET", "/api/v1/bookings",
                                                            w->anna, NULL);
  g_assert_cmpint (samtal_test_json_array_length (cal->json), ==, 1);
  g_autoptr (SamtalTestResponse) missing = samtal_test_request (w->ts, "GET",
      "/api/v1/bookings/999999", w->admin, NULL);
  CHECK_STATUS (missing, 404);
}

/* The database itself refuses overlapping bookings of one staff member (the triggers behind the
 * transaction's own check), for inserts and for moves. */
static void
test_overlap_constraint (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *db_path = g_build_filename (w->ts->data_dir, "samtal.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 60000);
  char *err = NULL;
  int rc = sqlite3_exec (db,
      "INSERT INTO bookings (staff_id, client_id, start_s, end_s, status, created_at, updated_at)"
      " SELECT staff_id, client_id, start_s + 60, end_s + 60, 'booked', 0, 0 FROM bookings"
      " WHERE status = 'booked' ORDER BY id LIMIT 1", NULL, NULL, &err);
  g_assert_cmpint (rc, ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (err, "slot_taken"));
  sqlite3_free (err);
  /* A non-overlapping row goes in; moving it onto the other one is refused. */
  rc = sqlite3_exec (db,
      "INSERT INTO bookings (staff_id, client_id, start_s, end_s, status, created_at, updated_at)"
      " SELECT staff_id, client_id, end_s + 86400 * 300, end_s + 86400 * 300 + 600, 'booked', 0, 0"
      " FROM bookings WHERE status = 'booked' ORDER BY id LIMIT 1", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  gint64 extra = sqlite3_last_insert_rowid (db);
  g_autofree char *move = g_strdup_printf (
      "UPDATE bookings SET start_s = (SELECT start_s FROM bookings WHERE status = 'booked'"
      " ORDER BY id LIMIT 1), end_s = (SELECT end_s FROM bookings WHERE status = 'booked'"
      " ORDER BY id LIMIT 1) WHERE id = %" G_GINT64_FORMAT, extra);
  g_assert_cmpint (sqlite3_exec (db, move, NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_autofree char *drop = g_strdup_printf ("DELETE FROM bookings WHERE id = %" G_GINT64_FORMAT,
                                           extra);
  g_assert_cmpint (sqlite3_exec (db, drop, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_idempotency (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *day = booking_date_in (12);
  g_autoptr (SamtalTestResponse) s = booking_slots (w, w->karin, w->anna_id, day, day);
  g_autofree char *body = g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\"}",
                                           w->anna_id, booking_array_string (s->json, 1, "start"));
  const char *hdr[] = { "Idempotency-Key", "retry-7f3a", NULL };
  g_autoptr (SamtalTestResponse) a = samtal_test_request_full (w->ts, "POST", "/api/v1/bookings",
      w->karin, hdr, body, strlen (body), NULL);
  CHECK_STATUS (a, 201);
  g_autoptr (SamtalTestResponse) b = samtal_test_request_full (w->ts, "POST", "/api/v1/bookings",
      w->karin, hdr, body, strlen (body), NULL);
  CHECK_STATUS (b, 201);
  g_assert_cmpint (samtal_test_json_int (a->json, "id"), ==, samtal_test_json_int (b->json, "id"));
  /* Single objects also carry themselves under their type's name, like core's {user}. */
  g_assert_cmpint (samtal_test_json_int (a->json, "booking.id"), ==,
                   samtal_test_json_int (a->json, "id"));
  g_assert_cmpint (samtal_test_json_int (b->json, "booking.id"), ==,
                   samtal_test_json_int (a->json, "id"));
  g_assert_cmpstr (soup_message_headers_get_one (b->headers, "Idempotent-Replayed"), ==, "true");
  /* The same key with another body is refused; another user's same key is independent. */
  g_autofree char *other = g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\"}",
                                            w->anna_id, booking_array_string (s->json, 2, "start"));
  g_autoptr (SamtalTestResponse) c = samtal_test_request_full (w->ts, "POST", "/api/v1/bookings",
      w->karin, hdr, other, strlen (other), NULL);
  CHECK_STATUS (c, 422);
  g_autoptr (SamtalTestResponse) d = samtal_test_request_full (w->ts, "POST", "/api/v1/bookings",
      w->olle, hdr, body, strlen (body), NULL);
  CHECK_STATUS (d, 409);
  g_autoptr (SamtalTestResponse) mine = samtal_test_request (w->ts, "GET", "/api/v1/bookings",
                                                             w->karin, NULL);
  g_assert_cmpint (samtal_test_json_array_length (mine->json), ==, 2);
}

static void
test_reschedule_cancel_ics (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *day = booking_date_in (13);
  g_autoptr (SamtalTestResponse) s = booking_slots (w, w->olle, w->anna_id, day, day);
  g_autofree char *a = g_strdup (booking_array_string (s->json, 0, "start"));
  g_autofree char *b = g_strdup (booking_array_string (s->json, 3, "start"));
  gint64 id = book (w, w->olle, a, 201, NULL);
  g_autofree char *base = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT, id);
  g_autofree char *resched = g_strconcat (base, "/reschedule", NULL);
  g_autoptr (SamtalTestResponse) bad = samtal_test_requestf (w->ts, "POST", resched, w->olle,
                                                             "{\"start\":\"%s\"}", "nonsense");
  CHECK_STATUS (bad, 400);
  g_autoptr (SamtalTestResponse) r = samtal_test_requestf (w->ts, "POST", resched, w->olle,
                                                           "{\"start\":\"%s\"}", b);
  CHECK_STATUS (r, 200);
  g_assert_cmpint (samtal_test_json_int (r->json, "sequence"), ==, 1);
  g_assert_cmpstr (samtal_test_json_string (r->json, "start"), ==, b);
  /* The old slot is free again, the new one is not. */
  g_autoptr (SamtalTestResponse) s2 = booking_slots (w, w->olle, w->anna_id, day, day);
  g_assert_true (booking_slots_contain (s2->json, a));
  g_assert_false (booking_slots_contain (s2->json, b));
  book (w, w->karin, b, 409, "slot_taken");
  /* Moving onto a taken slot fails and changes nothing. */
  gint64 other = book (w, w->karin, a, 201, NULL);
  g_assert_cmpint (other, >, 0);
  g_autoptr (SamtalTestResponse) clash = samtal_test_requestf (w->ts, "POST", resched, w->olle,
                                                               "{\"start\":\"%s\"}", a);
  CHECK_STATUS (clash, 409);
  g_assert_cmpstr (samtal_test_error_code (clash), ==, "slot_taken");
  /* Cancel by someone else: 404; by the client: 200; twice: 409. */
  g_autofree char *cancel = g_strconcat (base, "/cancel", NULL);
  g_autoptr (SamtalTestResponse) c0 = samtal_test_request (w->ts, "POST", cancel, w->karin, "{}");
  CHECK_STATUS (c0, 404);
  g_autoptr (SamtalTestResponse) c1 = samtal_test_request (w->ts, "POST", cancel, w->olle,
                                                           "{\"reason\":\"Sjuk\"}");
  CHECK_STATUS (c1, 200);
  g_assert_cmpstr (samtal_test_json_string (c1->json, "status"), ==, "cancelled");
  g_assert_cmpstr (samtal_test_json_string (c1->json, "cancel_reason"), ==, "Sjuk");
  g_assert_cmpint (samtal_test_json_int (c1->json, "cancelled_by"), ==, w->olle_id);
  g_assert_cmpint (samtal_test_json_int (c1->json, "sequence"), ==, 2);
  g_autoptr (SamtalTestResponse) c2 = samtal_test_request (w->ts, "POST", cancel, w->olle, "{}");
  CHECK_STATUS (c2, 409);
  g_autoptr (SamtalTestResponse) s3 = booking_slots (w, w->olle, w->anna_id, day, day);
  g_assert_true (booking_slots_contain (s3->json, b));
  /* .ics after the cancel. */
  g_autofree char *ics = g_strconcat (base, "/ics", NULL);
  g_autoptr (SamtalTestResponse) i = samtal_test_request (w->ts, "GET", ics, w->olle, NULL);
  CHECK_STATUS (i, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (i->headers, NULL),
                                   "text/calendar"));
  g_assert_true (g_str_has_prefix (i->body, "BEGIN:VCALENDAR\r\n"));
  g_assert_nonnull (strstr (i->body, "\r\nMETHOD:CANCEL\r\n"));
  g_assert_nonnull (strstr (i->body, "\r\nSTATUS:CANCELLED\r\n"));
  g_assert_nonnull (strstr (i->body, "\r\nSEQUENCE:2\r\n"));
  g_autofree char *uid = g_strdup_printf ("\r\nUID:booking-%" G_GINT64_FORMAT "@", id);
  g_assert_nonnull (strstr (i->body, uid));
  g_assert_nonnull (strstr (i->body, "\r\nDTSTART;TZID=Europe/Stockholm:"));
  g_assert_nonnull (strstr (i->body, "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n"));
  g_autoptr (SamtalTestResponse) i2 = samtal_test_request (w->ts, "GET", ics, w->karin, NULL);
  CHECK_STATUS (i2, 404);
  /* Cancelled bookings cannot be moved. */
  g_autoptr (SamtalTestResponse) m = samtal_test_requestf (w->ts, "POST", resched, w->olle,
                                                           "{\"start\":\"%s\"}", b);
  CHECK_STATUS (m, 409);
}

static char *
rfc3339_in_minutes (int minutes)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) t = g_date_time_add_minutes (now, minutes);
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:00Z");
}

static void
test_staff_booking_and_status (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *start = rfc3339_in_minutes (24 * 60 * 20 + 7);   /* off any slot grid */
  g_autoptr (SamtalTestResponse) r = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\",\"duration_minutes\":50}", w->anna_id, w->karin_id, start);
  CHECK_STATUS (r, 201);
  g_assert_cmpint (samtal_test_json_int (r->json, "duration_minutes"), ==, 50);
  g_autoptr (SamtalTestResponse) r2 = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\"}", w->anna_id, w->olle_id, start);
  CHECK_STATUS (r2, 409);
  g_assert_cmpstr (samtal_test_error_code (r2), ==, "slot_taken");
  g_autoptr (SamtalTestResponse) r3 = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\"}", w->anna_id, start);
  CHECK_STATUS (r3, 400);
  /* A caseworker may not book into another's calendar; the unit's officer may. */
  g_autoptr (SamtalTestResponse) r4 = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\"}", w->frida_id, w->karin_id, start);
  CHECK_STATUS (r4, 403);
  g_autoptr (SamtalTestResponse) r5 = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->erik, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\"}", w->frida_id, w->karin_id, start);
  CHECK_STATUS (r5, 201);
  g_assert_cmpint (samtal_test_json_int (r5->json, "duration_minutes"), ==, 30);
  /* The officer sees the unit's bookings; a caseworker of another unit may not ask. */
  g_autofree char *unit_list = g_strdup_printf ("/api/v1/bookings?unit_id=%" G_GINT64_FORMAT,
                                                w->unit_ftj);
  g_autoptr (SamtalTestResponse) l1 = samtal_test_request (w->ts, "GET", unit_list, w->erik, NULL);
  CHECK_STATUS (l1, 200);
  g_assert_cmpint (samtal_test_json_array_length (l1->json), ==, 1);
  g_autoptr (SamtalTestResponse) l2 = samtal_test_request (w->ts, "GET", unit_list, w->anna, NULL);
  CHECK_STATUS (l2, 403);
  /* Outcome: staff only. */
  g_autofree char *status = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/status",
                                             samtal_test_json_int (r->json, "id"));
  g_autoptr (SamtalTestResponse) s1 = samtal_test_request (w->ts, "POST", status, w->karin,
                                                           "{\"status\":\"completed\"}");
  CHECK_STATUS (s1, 403);
  g_autoptr (SamtalTestResponse) s2 = samtal_test_request (w->ts, "POST", status, w->anna,
                                                           "{\"status\":\"bogus\"}");
  CHECK_STATUS (s2, 400);
  g_autoptr (SamtalTestResponse) s3 = samtal_test_request (w->ts, "POST", status, w->anna,
                                                           "{\"status\":\"no_show\"}");
  CHECK_STATUS (s3, 200);
  g_assert_cmpstr (samtal_test_json_string (s3->json, "status"), ==, "no_show");
}

static guint8 *
meeting_key (BookingWorld *w)
{
  g_autoptr (GError) error = NULL;
  guint8 *key = samtal_key_load_or_create (w->ts->data_dir, "meeting.key",
                                           SAMTAL_TOKEN_KEY_BYTES, &error);
  g_assert_no_error (error);
  return key;
}

static void
test_join_and_guests (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *soon = rfc3339_in_minutes (5);
  g_autoptr (SamtalTestResponse) b = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\",\"duration_minutes\":30}", w->anna_id, w->karin_id, soon);
  CHECK_STATUS (b, 201);
  gint64 id = samtal_test_json_int (b->json, "id");
  g_autofree char *join = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/join", id);
  g_autoptr (SamtalTestResponse) j = samtal_test_request (w->ts, "POST", join, w->karin, "{}");
  CHECK_STATUS (j, 200);
  g_assert_cmpint (samtal_test_json_int (j->json, "meeting_id"), ==, id);
  g_autofree char *pid = g_strdup_printf ("u%" G_GINT64_FORMAT, w->karin_id);
  g_assert_cmpstr (samtal_test_json_string (j->json, "participant_id"), ==, pid);
  g_assert_cmpstr (samtal_test_json_string (j->json, "role"), ==, "client");
  g_assert_true (g_str_has_prefix (samtal_test_json_string (j->json, "ws_url"), "ws://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (samtal_test_json_string (j->json, "ws_url"), "/ws"));
  JsonObject *jo = json_node_get_object (j->json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (jo, "ice_servers")));
  /* The token verifies under meeting.key with the right claims. */
  guint8 *key = meeting_key (w);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalJoinClaims) c = samtal_token_verify (
      key, samtal_test_json_string (j->json, "token"), g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->booking_id, ==, id);
  g_assert_cmpstr (c->participant_id, ==, pid);
  g_assert_cmpstr (c->role, ==, "client");
  g_assert_cmpstr (c->name, ==, "Karin Johansson");
  g_assert_cmpint (c->expires - c->not_before, ==, (15 + 30 + 30) * 60);
  g_autoptr (SamtalTestResponse) js = samtal_test_request (w->ts, "POST", join, w->anna, "{}");
  CHECK_STATUS (js, 200);
  g_assert_cmpstr (samtal_test_json_string (js->json, "role"), ==, "caseworker");
  g_autoptr (SamtalTestResponse) jo1 = samtal_test_request (w->ts, "POST", join, w->olle, "{}");
  CHECK_STATUS (jo1, 404);
  g_autoptr (SamtalTestResponse) ja = samtal_test_request (w->ts, "POST", join, w->admin, "{}");
  CHECK_STATUS (ja, 403);
  /* Guests: the booking's staff member only. */
  g_autofree char *guests = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/guests", id);
  g_autoptr (SamtalTestResponse) g1 = samtal_test_request (w->ts, "POST", guests, w->anna,
      "{\"name\":\"Tolk Ali\",\"kind\":\"interpreter\"}");
  CHECK_STATUS (g1, 201);
  g_assert_nonnull (strstr (samtal_test_json_string (g1->json, "join_url"), "/join/st1."));
  g_autoptr (SamtalJoinClaims) gc = samtal_token_verify (
      key, samtal_test_json_string (g1->json, "token"), g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_autofree char *gpid = g_strdup_printf ("g%" G_GINT64_FORMAT,
                                           samtal_test_json_int (g1->json, "guest_id"));
  g_assert_cmpstr (gc->participant_id, ==, gpid);
  g_assert_cmpstr (gc->role, ==, "interpreter");
  /* The guest link's holder, without an account, learns where and how to connect. */
  g_autoptr (SamtalTestResponse) gi = samtal_test_requestf (w->ts, "POST", "/api/v1/meetings/guest",
      NULL, "{\"token\":\"%s\"}", samtal_test_json_string (g1->json, "token"));
  CHECK_STATUS (gi, 200);
  g_assert_cmpint (samtal_test_json_int (gi->json, "meeting_id"), ==, id);
  g_assert_cmpstr (samtal_test_json_string (gi->json, "participant_id"), ==, gpid);
  g_assert_cmpstr (samtal_test_json_string (gi->json, "role"), ==, "interpreter");
  g_assert_cmpstr (samtal_test_json_string (gi->json, "name"), ==, "Tolk Ali");
  g_assert_true (g_str_has_suffix (samtal_test_json_string (gi->json, "ws_url"), "/ws"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (
      json_object_get_member (json_node_get_object (gi->json), "ice_servers")));
  g_autoptr (SamtalTestResponse) gx = samtal_test_request (w->ts, "POST", "/api/v1/meetings/guest",
      NULL, "{\"token\":\"st1.forged.token\"}");
  CHECK_STATUS (gx, 404);
  g_autoptr (SamtalTestResponse) gy = samtal_test_request (w->ts, "POST", "/api/v1/meetings/guest",
      NULL, "{\"token\":42}");
  CHECK_STATUS (gy, 400);
  g_autoptr (SamtalTestResponse) g2 = samtal_test_request (w->ts, "POST", guests, w->karin,
      "{\"name\":\"Mamma\",\"kind\":\"guest\"}");
  CHECK_STATUS (g2, 403);
  g_autoptr (SamtalTestResponse) g3 = samtal_test_request (w->ts, "POST", guests, w->anna,
      "{\"name\":\"X\",\"kind\":\"boss\"}");
  CHECK_STATUS (g3, 400);
  samtal_key_free (key, SAMTAL_TOKEN_KEY_BYTES);
  /* A far-away booking is not open yet and says when it opens; a cancelled one refuses. */
  g_autofree char *later = rfc3339_in_minutes (24 * 60 * 21);
  g_autoptr (SamtalTestResponse) f = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\"}", w->anna_id, w->karin_id, later);
  CHECK_STATUS (f, 201);
  g_autofree char *fjoin = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/join",
                                            samtal_test_json_int (f->json, "id"));
  g_autoptr (SamtalTestResponse) early = samtal_test_request (w->ts, "POST", fjoin, w->karin, "{}");
  CHECK_STATUS (early, 403);
  g_assert_nonnull (strstr (samtal_test_json_string (early->json, "error.message"), "opens at"));
  g_autofree char *cancel = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/cancel", id);
  g_autoptr (SamtalTestResponse) cx = samtal_test_request (w->ts, "POST", cancel, w->anna, "{}");
  CHECK_STATUS (cx, 200);
  g_autoptr (SamtalTestResponse) jc = samtal_test_request (w->ts, "POST", join, w->karin, "{}");
  CHECK_STATUS (jc, 409);
  g_autoptr (SamtalTestResponse) gc2 = samtal_test_requestf (w->ts, "POST", "/api/v1/meetings/guest",
      NULL, "{\"token\":\"%s\"}", samtal_test_json_string (g1->json, "token"));
  CHECK_STATUS (gc2, 409);
  /* A guest of the far-away booking is told when the meeting opens. */
  g_autofree char *fguests = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/guests",
                                              samtal_test_json_int (f->json, "id"));
  g_autoptr (SamtalTestResponse) fg = samtal_test_request (w->ts, "POST", fguests, w->anna,
      "{\"name\":\"Tolk Bo\",\"kind\":\"interpreter\"}");
  CHECK_STATUS (fg, 201);
  g_autoptr (SamtalTestResponse) fgi = samtal_test_requestf (w->ts, "POST", "/api/v1/meetings/guest",
      NULL, "{\"token\":\"%s\"}", samtal_test_json_string (fg->json, "token"));
  CHECK_STATUS (fgi, 403);
  g_assert_nonnull (strstr (samtal_test_json_string (fgi->json, "error.message"), "opens at"));
}

static void
assert_note_sealed_on_disk (BookingWorld *w, const char *plain)
{
  g_autofree char *db_path = g_build_filename (w->ts->data_dir, "samtal.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sealed FROM case_notes", -1, &st, NULL), ==,
                   SQLITE_OK);
  int rows = 0;
  while (sqlite3_step (st) == SQLITE_ROW) {
    const void *blob = sqlite3_column_blob (st, 0);
    int len = sqlite3_column_bytes (st, 0);
    g_assert_cmpint (len, >, 40);
    g_assert_null (memmem (blob, len, plain, strlen (plain)));
    rows++;
  }
  g_assert_cmpint (rows, >, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
}

static void
test_cases_and_notes (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autoptr (SamtalTestResponse) c1 = samtal_test_requestf (w->ts, "POST", "/api/v1/cases", w->anna,
      "{\"client_id\":%" G_GINT64_FORMAT ",\"title\":\"Stöd\"}", w->karin_id);
  CHECK_STATUS (c1, 201);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *n1 = g_strdup_printf ("BOU-%d-0001", g_date_time_get_year (now));
  g_assert_cmpstr (samtal_test_json_string (c1->json, "number"), ==, n1);
  g_assert_cmpstr (samtal_test_json_string (c1->json, "case.number"), ==, n1);
  g_autoptr (SamtalTestResponse) c2 = samtal_test_requestf (w->ts, "POST", "/api/v1/cases", w->anna,
      "{\"client_id\":%" G_GINT64_FORMAT ",\"title\":\"Andra\"}", w->olle_id);
  g_autofree char *n2 = g_strdup_printf ("BOU-%d-0002", g_date_time_get_year (now));
  g_assert_cmpstr (samtal_test_json_string (c2->json, "number"), ==, n2);
  g_autoptr (SamtalTestResponse) c3 = samtal_test_requestf (w->ts, "POST", "/api/v1/cases", w->frida,
      "{\"client_id\":%" G_GINT64_FORMAT ",\"title\":\"Resor\"}", w->karin_id);
  g_autofree char *n3 = g_strdup_printf ("FTJ-%d-0001", g_date_time_get_year (now));
  g_assert_cmpstr (samtal_test_json_string (c3->json, "number"), ==, n3);
  g_autoptr (SamtalTestResponse) cbad = samtal_test_requestf (w->ts, "POST", "/api/v1/cases",
      w->anna, "{\"client_id\":%" G_GINT64_FORMAT ",\"title\":\"X\"}", w->frida_id);
  CHECK_STATUS (cbad, 400);
  g_autoptr (SamtalTestResponse) ccl = samtal_test_requestf (w->ts, "POST", "/api/v1/cases",
      w->karin, "{\"client_id\":%" G_GINT64_FORMAT ",\"title\":\"X\"}", w->karin_id);
  CHECK_STATUS (ccl, 403);
  gint64 case_id = samtal_test_json_int (c1->json, "id");
  g_autofree char *cpath = g_strdup_printf ("/api/v1/cases/%" G_GINT64_FORMAT, case_id);
  g_autofree char *npath = g_strconcat (cpath, "/notes", NULL);
  struct { SamtalTestAuth *who; guint status; } read[] = {
    { w->anna, 200 }, { w->admin, 200 }, { w->erik, 404 }, { w->frida, 404 }, { w->karin, 403 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (read); i++) {
    g_autoptr (SamtalTestResponse) r = samtal_test_request (w->ts, "GET", cpath, read[i].who, NULL);
    CHECK_STATUS (r, read[i].status);
    g_autoptr (SamtalTestResponse) n = samtal_test_request (w->ts, "GET", npath, read[i].who, NULL);
    CHECK_STATUS (n, read[i].status);
  }
  const char *secret = "Klienten berättade om oro hemma";
  g_autoptr (SamtalTestResponse) p = samtal_test_requestf (w->ts, "POST", npath, w->anna,
      "{\"body\":\"%s\\nRad två.\"}", secret);
  CHECK_STATUS (p, 201);
  g_autoptr (SamtalTestResponse) pk = samtal_test_request (w->ts, "POST", npath, w->karin,
                                                           "{\"body\":\"hej\"}");
  CHECK_STATUS (pk, 403);
  g_autoptr (SamtalTestResponse) pe = samtal_test_request (w->ts, "POST", npath, w->erik,
                                                           "{\"body\":\"hej\"}");
  CHECK_STATUS (pe, 404);
  g_autoptr (SamtalTestResponse) pb = samtal_test_request (w->ts, "POST", npath, w->anna,
                                                           "{\"body\":\"x\",\"booking_id\":999999}");
  CHECK_STATUS (pb, 400);
  g_autoptr (SamtalTestResponse) l = samtal_test_request (w->ts, "GET", npath, w->anna, NULL);
  CHECK_STATUS (l, 200);
  g_assert_cmpint (samtal_test_json_array_length (l->json), ==, 1);
  g_autofree char *expect = g_strconcat (secret, "\nRad två.", NULL);
  g_assert_cmpstr (booking_array_string (l->json, 0, "body"), ==, expect);
  assert_note_sealed_on_disk (w, "berättade");
  /* Listing by client: only the caller's unit. */
  g_autofree char *by_client = g_strdup_printf ("/api/v1/cases?client_id=%" G_GINT64_FORMAT,
                                                w->karin_id);
  g_autoptr (SamtalTestResponse) la = samtal_test_request (w->ts, "GET", by_client, w->anna, NULL);
  g_assert_cmpint (samtal_test_json_array_length (la->json), ==, 1);
  g_autoptr (SamtalTestResponse) lf = samtal_test_request (w->ts, "GET", by_client, w->frida, NULL);
  g_assert_cmpint (samtal_test_json_array_length (lf->json), ==, 1);
  g_assert_cmpstr (booking_array_string (lf->json, 0, "number"), ==, n3);
  /* Bookings link cases of the same unit and client only. */
  g_autofree char *start = rfc3339_in_minutes (24 * 60 * 25);
  g_autoptr (SamtalTestResponse) bl = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\",\"case_id\":%" G_GINT64_FORMAT "}", w->anna_id, w->karin_id, start,
      case_id);
  CHECK_STATUS (bl, 201);
  g_assert_cmpint (samtal_test_json_int (bl->json, "case_id"), ==, case_id);
  g_autofree char *start2 = rfc3339_in_minutes (24 * 60 * 26);
  g_autoptr (SamtalTestResponse) bx = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->anna, "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
      ",\"start\":\"%s\",\"duration_minutes\":5,\"case_id\":%" G_GINT64_FORMAT "}", w->anna_id,
      w->olle_id, start2, case_id);
  CHECK_STATUS (bx, 400);
}

/* The last Sunday of month in year (a DST change day in Europe/Stockholm), as YYYY-MM-DD. */
static GDateTime *
last_sunday (GTimeZone *tz, int year, int month)
{
  GDateTime *d = g_date_time_new (tz, year, month, 31, 12, 0, 0);
  while (g_date_time_get_day_of_week (d) != 7) {
    GDateTime *prev = g_date_time_add_days (d, -1);
    g_date_time_unref (d);
    d = prev;
  }
  return d;
}

/* The next change day of month (3 or 10) at least two days from now. */
static char *
next_change_day (int month)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Stockholm");
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GDateTime) soon = g_date_time_add_days (now, 2);
  for (int year = g_date_time_get_year (now);; year++) {
    g_autoptr (GDateTime) d = last_sunday (tz, year, month);
    if (g_date_time_compare (d, soon) > 0)
      return g_date_time_format (d, "%Y-%m-%d");
  }
}

static gint64
unix_of (const char *rfc3339)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (rfc3339, NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

/* Slots of one day: sorted, disjoint, each exactly len seconds long. */
static void
assert_clean_day (JsonNode *slots, gint64 len)
{
  gint n = samtal_test_json_array_length (slots);
  for (gint i = 0; i < n; i++) {
    gint64 a = unix_of (booking_array_string (slots, i, "start"));
    gint64 b = unix_of (booking_array_string (slots, i, "end"));
    g_assert_cmpint (b - a, ==, len);
    if (i + 1 < n)
      g_assert_cmpint (b, <=, unix_of (booking_array_string (slots, i + 1, "start")));
  }
}

/* Frida works Sundays 00:00–06:00 in hourly slots; her unit books two years ahead. Through the
 * API: the spring day has no 02:00 slot, the autumn day offers each wall-clock hour once. */
static void
test_dst_days (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *settings = g_strdup_printf ("/api/v1/units/%" G_GINT64_FORMAT "/settings",
                                               w->unit_ftj);
  g_autoptr (SamtalTestResponse) st = samtal_test_request (w->ts, "PUT", settings, w->erik,
                                                           "{\"horizon_days\":730}");
  g_assert_cmpuint (st->status, ==, 200);
  g_assert_cmpint (samtal_test_json_int (st->json, "horizon_days"), ==, 730);
  g_autoptr (SamtalTestResponse) sf = samtal_test_request (w->ts, "PUT", settings, w->frida,
                                                           "{\"horizon_days\":5}");
  g_assert_cmpuint (sf->status, ==, 403);
  g_autofree char *rules = staff_path (w->frida_id, "rules");
  g_autoptr (SamtalTestResponse) r = samtal_test_request (w->ts, "POST", rules, w->frida,
      "{\"weekday\":7,\"start\":\"00:00\",\"end\":\"06:00\",\"slot_minutes\":60}");
  g_assert_cmpuint (r->status, ==, 201);

  g_autofree char *spring = next_change_day (3);
  g_autoptr (SamtalTestResponse) sp = booking_slots (w, w->olle, w->frida_id, spring, spring);
  g_assert_cmpint (samtal_test_json_array_length (sp->json), ==, 5);
  assert_clean_day (sp->json, 3600);
  const char *spring_expect[] = { "T00:00:00+01:00", "T01:00:00+01:00", "T03:00:00+02:00",
                                  "T04:00:00+02:00", "T05:00:00+02:00" };
  for (guint i = 0; i < 5; i++) {
    g_autofree char *e = g_strconcat (spring, spring_expect[i], NULL);
    g_assert_cmpstr (booking_array_string (sp->json, i, "start"), ==, e);
  }

  g_autofree char *autumn = next_change_day (10);
  g_autoptr (SamtalTestResponse) au = booking_slots (w, w->olle, w->frida_id, autumn, autumn);
  g_assert_cmpint (samtal_test_json_array_length (au->json), ==, 6);
  assert_clean_day (au->json, 3600);
  g_autofree char *two = g_strconcat (autumn, "T02:00:00+02:00", NULL);
  g_autofree char *three = g_strconcat (autumn, "T03:00:00+01:00", NULL);
  g_assert_cmpstr (booking_array_string (au->json, 2, "start"), ==, two);
  g_assert_cmpstr (booking_array_string (au->json, 3, "start"), ==, three);
  /* A client books the autumn 02:00 slot; its end is the repeated 02:00 in winter time. */
  g_autoptr (SamtalTestResponse) b = samtal_test_requestf (w->ts, "POST", "/api/v1/bookings",
      w->olle, "{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\"}", w->frida_id, two);
  g_assert_cmpuint (b->status, ==, 201);
  g_autofree char *end = g_strconcat (autumn, "T02:00:00+01:00", NULL);
  g_assert_cmpstr (samtal_test_json_string (b->json, "end"), ==, end);
}

/* Hostile and malformed requests get 4xx JSON errors, and the server stays up. */
static void
test_hostile (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autofree char *long_topic = g_strnfill (201, 'x');
  g_autofree char *long_note = g_strnfill (20001, 'y');
  g_autofree char *anna_rules = staff_path (w->anna_id, "rules");
  g_autofree char *notes = g_strdup ("/api/v1/cases/1/notes");
  struct { const char *method, *path; SamtalTestAuth *who; char *body; guint status; } cases[] = {
    { "POST", "/api/v1/bookings", w->karin, g_strdup_printf ("{\"staff_id\":\"%" G_GINT64_FORMAT
      "\",\"start\":\"2030-01-07T09:00:00+01:00\"}", w->anna_id), 400 },
    { "POST", "/api/v1/bookings", w->karin, g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT
      ",\"start\":\"2030-01-07T09:00:00\"}", w->anna_id), 400 },
    { "POST", "/api/v1/bookings", w->karin, g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT
      ",\"start\":\"2030-01-07T09:00:00+01:00\",\"topic\":\"%s\"}", w->anna_id,
      long_topic), 400 },
    { "POST", "/api/v1/bookings", w->karin, g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT
      ",\"start\":\"2030-01-07T09:00:00+01:00\"}", w->olle_id), 404 },
    { "POST", "/api/v1/bookings", w->karin,
      g_strdup ("{\"staff_id\":987654,\"start\":\"2030-01-07T09:00:00+01:00\"}"), 404 },
    { "POST", "/api/v1/bookings", w->anna, g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT
      ",\"client_id\":%" G_GINT64_FORMAT ",\"start\":\"2030-01-07T09:00:00+01:00\","
      "\"duration_minutes\":1000}", w->anna_id, w->karin_id), 400 },
    { "POST", "/api/v1/bookings", w->karin, g_strdup ("[1,2,3]"), 400 },
    { "POST", "/api/v1/bookings", w->karin, g_strdup ("{\"staff_id\":"), 400 },
    { "GET", "/api/v1/bookings/abc", w->admin, NULL, 404 },
    { "GET", "/api/v1/bookings/-1", w->admin, NULL, 404 },
    { "GET", "/api/v1/bookings/99999999999999999999999", w->admin, NULL, 404 },
    { "GET", "/api/v1/bookings?from=yesterday", w->karin, NULL, 400 },
    { "POST", anna_rules, w->anna, g_strdup ("{\"weekday\":1.5,\"start\":\"09:00\","
      "\"end\":\"10:00\",\"slot_minutes\":30}"), 400 },
    { "POST", notes, w->anna, g_strdup_printf ("{\"body\":\"%s\"}", long_note), 400 },
    { "POST", "/api/v1/bookings/1/guests", w->anna, g_strdup ("{\"name\":\"\",\"kind\":\"guest\"}"), 400 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (SamtalTestResponse) r = samtal_test_request (w->ts, cases[i].method, cases[i].path,
                                                            cases[i].who, cases[i].body);
    if (r->status != cases[i].status)
      g_error ("case %zu (%s %s): %u %s", i, cases[i].method, cases[i].path, r->status, r->body);
    g_assert_nonnull (samtal_test_error_code (r));
    g_free (cases[i].body);
  }
  g_assert_true (samtal_test_server_alive (w->ts));
}

static gboolean
audit_has (JsonNode *entries, const char *action)
{
  JsonArray *a = json_node_get_array (entries);
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (a, i), "action"),
                   action) == 0)
      return TRUE;
  return FALSE;
}

static void
test_audit (gconstpointer data)
{
  BookingWorld *w = (BookingWorld *) data;
  g_autoptr (SamtalTestResponse) v = samtal_test_request (w->ts, "GET", "/api/v1/audit/verify",
                                                          w->admin, NULL);
  CHECK_STATUS (v, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (v->json), "ok"));
  g_autoptr (SamtalTestResponse) a = samtal_test_request (w->ts, "GET",
      "/api/v1/audit?after=0&limit=1000", w->admin, NULL);
  CHECK_STATUS (a, 200);
  const char *actions[] = { "rule.create", "rule.delete", "block.create", "booking.create",
                            "booking.cancel", "booking.reschedule", "booking.status",
                            "booking.join", "booking.guest", "unit.settings", "case.create",
                            "case.read",
                            "note.write", "note.read" };
  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++) {
    if (!audit_has (a->json, actions[i]))
      g_error ("no audit entry %s", actions[i]);
  }
  g_assert_true (samtal_test_server_alive (w->ts));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  BookingWorld *w = booking_world_new ();
  g_test_add_data_func ("/booking/rules", w, test_rules);
  g_test_add_data_func ("/booking/slots-blocks", w, test_slots_and_blocks);
  g_test_add_data_func ("/booking/book-access", w, test_book_and_access);
  g_test_add_data_func ("/booking/overlap-constraint", w, test_overlap_constraint);
  g_test_add_data_func ("/booking/idempotency", w, test_idempotency);
  g_test_add_data_func ("/booking/reschedule-cancel-ics", w, test_reschedule_cancel_ics);
  g_test_add_data_func ("/booking/staff-status", w, test_staff_booking_and_status);
  g_test_add_data_func ("/booking/join-guests", w, test_join_and_guests);
  g_test_add_data_func ("/booking/dst-days", w, test_dst_days);
  g_test_add_data_func ("/booking/cases-notes", w, test_cases_and_notes);
  g_test_add_data_func ("/booking/hostile", w, test_hostile);
  g_test_add_data_func ("/booking/audit", w, test_audit);
  int rc = g_test_run ();
  booking_world_free (w);
  return rc;
}
