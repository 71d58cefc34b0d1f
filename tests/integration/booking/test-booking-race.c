/* Integration tests of booking under pressure, against the real samtal-server:
 * - 40 clients race for one slot at the same moment: exactly one 201, the rest 409 slot_taken,
 *   and exactly one booking exists afterwards;
 * - kill -9 during a storm of bookings, then a restart on the same data: every booking that was
 *   answered 201 is there. */
#include "booking-util.h"

#include <string.h>

#define RACERS 40
#define STORM_THREADS 6
#define STORM_MIN_OK 30

/* One raw HTTP/1.1 POST with Bearer auth on a fresh connection; returns the status and the
 * body (transfer full). Safe to call from any thread. */
static guint
raw_post (SamtalTestServer *ts, const char *token, const char *path, const char *body,
          char **body_out)
{
  g_autofree char *req = g_strdup_printf (
      "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
      "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
      path, token, strlen (body), body);
  g_autofree char *raw = NULL;
  guint status = samtal_test_raw_http (ts, req, strlen (req), &raw);
  const char *sep = raw ? strstr (raw, "\r\n\r\n") : NULL;
  *body_out = g_strdup (sep ? sep + 4 : "");
  return status;
}

static gint64
json_id (const char *body)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  if (!json_parser_load_from_data (p, body, -1, NULL))
    return 0;
  return samtal_test_json_int (json_parser_get_root (p), "id");
}

/* ---------- the race ---------- */

typedef struct {
  SamtalTestServer *ts;
  GMutex lock;
  GCond cond;
  gboolean go;
  const char *body;
} Gate;

typedef struct {
  Gate *gate;
  char *token;
  guint status;
  char *answer;
} Racer;

static gpointer
racer_run (gpointer data)
{
  Racer *r = data;
  g_mutex_lock (&r->gate->lock);
  while (!r->gate->go)
    g_cond_wait (&r->gate->cond, &r->gate->lock);
  g_mutex_unlock (&r->gate->lock);
  r->status = raw_post (r->gate->ts, r->token, "/api/v1/bookings", r->gate->body, &r->answer);
  return NULL;
}

static char *
register_client (SamtalTestServer *ts, int i)
{
  g_autofree char *email = g_strdup_printf ("racer%02d@test.se", i);
  g_autoptr (SamtalTestResponse) r = samtal_test_requestf (ts, "POST", "/api/v1/register", NULL,
      "{\"email\":\"%s\",\"password\":\"secret-pass-1\",\"name\":\"Racer %d\"}", email, i);
  g_assert_cmpuint (r->status, ==, 201);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalTestAuth) auth = samtal_test_sign_in (ts, email, "secret-pass-1", &error);
  g_assert_no_error (error);
  return g_strdup (auth->token);
}

static void
test_race (void)
{
  BookingWorld *w = booking_world_new ();
  booking_add_daily_rules (w, w->anna, w->anna_id, "09:00", "12:00", 30, 0);
  g_autofree char *day = booking_date_in (5);
  g_autoptr (SamtalTestResponse) s = booking_slots (w, w->karin, w->anna_id, day, day);
  const char *start = booking_array_string (s->json, 0, "start");
  g_assert_nonnull (start);
  g_autofree char *body = g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\"}",
                                           w->anna_id, start);
  Gate gate = { .ts = w->ts, .body = body };
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  Racer racers[RACERS] = { 0 };
  GThread *threads[RACERS];
  for (int i = 0; i < RACERS; i++) {
    racers[i].gate = &gate;
    racers[i].token = register_client (w->ts, i);
    threads[i] = g_thread_new ("racer", racer_run, &racers[i]);
  }
  g_mutex_lock (&gate.lock);
  gate.go = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  int created = 0, taken = 0;
  for (int i = 0; i < RACERS; i++) {
    g_thread_join (threads[i]);
    if (racers[i].status == 201)
      created++;
    else if (racers[i].status == 409 && strstr (racers[i].answer, "\"slot_taken\""))
      taken++;
    else
      g_error ("racer %d: unexpected %u %s", i, racers[i].status, racers[i].answer);
    g_free (racers[i].token);
    g_free (racers[i].answer);
  }
  g_assert_cmpint (created, ==, 1);
  g_assert_cmpint (taken, ==, RACERS - 1);
  /* Exactly one booking in the staff member's calendar that day; the slot is gone. */
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings?from=%s&to=%s", day, day);
  g_autoptr (SamtalTestResponse) cal = samtal_test_request (w->ts, "GET", path, w->anna, NULL);
  g_assert_cmpuint (cal->status, ==, 200);
  g_assert_cmpint (samtal_test_json_array_length (cal->json), ==, 1);
  g_autoptr (SamtalTestResponse) s2 = booking_slots (w, w->karin, w->anna_id, day, day);
  g_assert_false (booking_slots_contain (s2->json, start));
  g_assert_true (samtal_test_server_alive (w->ts));
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  booking_world_free (w);
}

/* ---------- kill -9 during a storm ---------- */

typedef struct {
  SamtalTestServer *ts;
  const char *token;
  gint64 staff_id, client_id, base;
  GMutex lock;
  GArray *ok_ids;        /* ids answered 201 */
  GArray *ok_starts;     /* their starts (unix) */
  gint stop;
} Storm;

typedef struct {
  Storm *storm;
  int index;
} Stormer;

static char *
utc_text (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gpointer
stormer_run (gpointer data)
{
  Stormer *me = data;
  Storm *s = me->storm;
  for (int i = 0; i < 400 && !g_atomic_int_get (&s->stop); i++) {
    gint64 start = s->base + ((gint64) me->index * 400 + i) * 3600;
    g_autofree char *start_text = utc_text (start);
    g_autofree char *body = g_strdup_printf (
        "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT
        ",\"start\":\"%s\",\"duration_minutes\":30}", s->staff_id, s->client_id, start_text);
    g_autofree char *answer = NULL;
    guint status = raw_post (s->ts, s->token, "/api/v1/bookings", body, &answer);
    if (status == 0)
      break;   /* the server is gone */
    g_assert_cmpuint (status, ==, 201);
    gint64 id = json_id (answer);
    g_assert_cmpint (id, >, 0);
    g_mutex_lock (&s->lock);
    g_array_append_val (s->ok_ids, id);
    g_array_append_val (s->ok_starts, start);
    g_mutex_unlock (&s->lock);
  }
  return NULL;
}

static guint
storm_count (Storm *s)
{
  g_mutex_lock (&s->lock);
  guint n = s->ok_ids->len;
  g_mutex_unlock (&s->lock);
  return n;
}

static void
test_kill_during_storm (void)
{
  BookingWorld *w = booking_world_new ();
  Storm s = { .ts = w->ts, .token = w->anna->token, .staff_id = w->anna_id,
              .client_id = w->karin_id, .base = g_get_real_time () / G_USEC_PER_SEC + 2 * 86400 };
  s.base -= s.base % 3600;
  g_mutex_init (&s.lock);
  s.ok_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  s.ok_starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  Stormer stormers[STORM_THREADS];
  GThread *threads[STORM_THREADS];
  for (int i = 0; i < STORM_THREADS; i++) {
    stormers[i] = (Stormer) { &s, i };
    threads[i] = g_thread_new ("storm", stormer_run, &stormers[i]);
  }
  /* Wait (no time limit beyond the test's) until enough bookings were confirmed, then kill
   * the server while the threads keep sending. */
  while (storm_count (&s) < STORM_MIN_OK)
    g_usleep (10 * 1000);
  samtal_test_server_kill (w->ts);
  g_atomic_int_set (&s.stop, 1);
  for (int i = 0; i < STORM_THREADS; i++)
    g_thread_join (threads[i]);
  g_assert_false (samtal_test_server_alive (w->ts));
  g_test_message ("%u bookings answered 201 before kill -9", s.ok_ids->len);

  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_test_server_restart (w->ts, &error));
  g_assert_no_error (error);
  g_autoptr (SamtalTestAuth) anna = samtal_test_sign_in (w->ts, "anna@test.se", "secret-pass-1",
                                                         &error);
  g_assert_no_error (error);
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Stockholm");
  for (guint i = 0; i < s.ok_ids->len; i++) {
    gint64 id = g_array_index (s.ok_ids, gint64, i);
    g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT, id);
    g_autoptr (SamtalTestResponse) r = samtal_test_request (w->ts, "GET", path, anna, NULL);
    g_assert_cmpuint (r->status, ==, 200);
    g_autoptr (GDateTime) got = g_date_time_new_from_iso8601 (
        samtal_test_json_string (r->json, "start"), NULL);
    g_assert_nonnull (got);
    g_assert_cmpint (g_date_time_to_unix (got), ==, g_array_index (s.ok_starts, gint64, i));
    g_assert_cmpstr (samtal_test_json_string (r->json, "status"), ==, "booked");
  }
  /* The audit chain survived the crash too. */
  g_autoptr (SamtalTestResponse) v = samtal_test_request (w->ts, "GET", "/api/v1/audit/verify",
                                                          w->admin, NULL);
  if (v->status == 401) {
    g_autoptr (SamtalTestAuth) admin = samtal_test_sign_in (w->ts, "admin@test.se",
                                                            "secret-pass-1", &error);
    g_assert_no_error (error);
    g_autoptr (SamtalTestResponse) v2 = samtal_test_request (w->ts, "GET",
        "/api/v1/audit/verify", admin, NULL);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (v2->json), "ok"));
  } else {
    g_assert_cmpuint (v->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (v->json), "ok"));
  }
  g_array_unref (s.ok_ids);
  g_array_unref (s.ok_starts);
  g_mutex_clear (&s.lock);
  booking_world_free (w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/booking/race-40-clients", test_race);
  g_test_add_func ("/booking/kill-9-storm", test_kill_during_storm);
  return g_test_run ();
}
