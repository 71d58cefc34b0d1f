/* booking-bench.c — `samtal-bench booking`: C concurrent clients book, list slots and cancel
 * against a real samtal-server with a fresh database for S seconds.
 *
 * Setup (through the real interfaces): staff members with weekly availability (every day
 * 06:00–22:00, 15-minute slots) and C clients (`user add`). Each client thread has its own
 * session and, until the time is up: lists the free slots of a random staff member over a random
 * week (timed: slots_ms), books one of them (half the time one of the first three, so that
 * clients compete) (201, or 409 slot_taken when another client
 * was faster), and cancels every other booking it made. Afterwards each staff member's calendar
 * is read back and checked: no two active bookings of one staff member may overlap
 * (double_bookings, must be 0), and every booking a client kept must be in it (lost_bookings).
 */
#include "bench.h"
#include "api.h"
#include "bench-util.h"
#include "meetings.h"
#include "server.h"

#include <math.h>
#include <string.h>

#define BOOKING_STAFF 2
#define SLOT_MINUTES 15
#define RANGE_DAYS 28
#define MAX_CLIENTS 64
#define SLOT_LIST_MAX 20000

typedef struct {
  int clients;
  double seconds;
  char *server_bin;
  gboolean verbose;
} BookingOptions;

typedef struct {
  gint64 id;
  gint64 staff_id;
  gboolean cancelled;
} Kept;

typedef struct {
  const char *base;
  guint index;
  gint64 *staff_ids;
  gint64 deadline_us;
  GDate first_day;
  /* results, read after the thread ends */
  GArray *slots_ms;              /* double */
  GArray *kept;                  /* Kept */
  guint booked, conflicts, cancels, errors, rate_limited, not_a_slot;
  char *error;
} ClientThread;

/* ---- options ---- */

static gboolean
parse_options (int argc, char **argv, BookingOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    { "clients", 'c', 0, G_OPTION_ARG_INT, &o->clients, "concurrent clients (default 8)", "C" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &o->seconds, "how long to run (default 30)", "S" },
    { "server-bin", 0, 0, G_OPTION_ARG_FILENAME, &o->server_bin, "samtal-server to start", "PATH" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "echo the server's log", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- booking benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (o->clients < 1 || o->clients > MAX_CLIENTS || o->seconds <= 0 || o->seconds > 3600) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "need 1..%d clients and 0 < seconds <= 3600", MAX_CLIENTS);
    return FALSE;
  }
  return TRUE;
}

/* ---- setup ---- */

static gboolean
add_users (BenchServer *server, int clients, GError **error)
{
  for (guint i = 0; i < BOOKING_STAFF; i++) {
    g_autofree char *e = g_strdup_printf ("bstaff%u@bench.example", i), *n = g_strdup_printf ("Booking Staff %u", i);
    if (!bench_server_user_add (server, e, n, "caseworker", "Booking unit", BENCH_PASSWORD, error))
      return FALSE;
  }
  for (int i = 0; i < clients; i++) {
    g_autofree char *e = g_strdup_printf ("bclient%d@bench.example", i), *n = g_strdup_printf ("Booking Client %d", i);
    if (!bench_server_user_add (server, e, n, "client", NULL, BENCH_PASSWORD, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
expect (BenchApi *api, const char *method, const char *path, const char *body, guint want,
        JsonNode **answer_out, GError **error)
{
  guint status = 0;
  g_autoptr (JsonNode) answer = NULL;
  if (!bench_api_call (api, method, path, body, &status, &answer, error))
    return FALSE;
  if (status != want) {
    g_autofree char *text = answer ? json_to_string (answer, FALSE) : g_strdup ("");
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: status %u (want %u) %s", method, path, status, want, text);
    return FALSE;
  }
  if (answer_out)
    *answer_out = g_steal_pointer (&answer);
  return TRUE;
}

static JsonNode *
unwrap (JsonNode *node, const char *member)
{
  JsonObject *o = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (o && json_object_has_member (o, member) && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, member)))
    return json_object_get_member (o, member);
  return node;
}

/* Logs staff member i in, sets its weekly rules; returns its user id (0 on failure). */
static gint64
setup_staff (const char *base, guint i, GError **error)
{
  g_autoptr (BenchApi) api = bench_api_new (base);
  g_autofree char *email = g_strdup_printf ("bstaff%u@bench.example", i);
  g_autoptr (JsonNode) me = NULL;
  if (!bench_api_login (api, email, BENCH_PASSWORD, error) ||
      !expect (api, "GET", "/api/v1/me", NULL, 200, &me, error))
    return 0;
  gint64 id = bench_json_int (unwrap (me, "user"), "id");
  g_autofree char *path = g_strdup_printf ("/api/v1/staff/%" G_GINT64_FORMAT "/rules", id);
  for (int wd = 1; wd <= 7; wd++) {
    g_autofree char *body = g_strdup_printf (
        "{\"weekday\":%d,\"start\":\"06:00\",\"end\":\"22:00\",\"slot_minutes\":%d}", wd, SLOT_MINUTES);
    if (!expect (api, "POST", path, body, 201, NULL, error))
      return 0;
  }
  return id;
}

/* ---- the client threads ---- */

static char *
date_string (const GDate *d)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (d), g_date_get_month (d), g_date_get_day (d));
}

/* GET /slots for a random staff member and week; returns the slot array node (or NULL). */
static JsonNode *
list_slots (ClientThread *t, BenchApi *api, GRand *rand, gint64 *staff_id)
{
  *staff_id = t->staff_ids[g_rand_int_range (rand, 0, BOOKING_STAFF)];
  GDate from = t->first_day, to;
  if (g_rand_boolean (rand))     /* half the lists start on the first day: more contention */
    g_date_add_days (&from, (guint) g_rand_int_range (rand, 0, RANGE_DAYS - 7));
  to = from;
  g_date_add_days (&to, 6);
  g_autofree char *f = date_string (&from), *u = date_string (&to);
  g_autofree char *path = g_strdup_printf ("/api/v1/slots?staff_id=%" G_GINT64_FORMAT "&from=%s&to=%s",
                                           *staff_id, f, u);
  guint status = 0;
  JsonNode *answer = NULL;
  gint64 t0 = bench_now_us ();
  gboolean ok = bench_api_call (api, "GET", path, NULL, &status, &answer, NULL);
  double ms = (double) (bench_now_us () - t0) / 1000.0;
  if (ok && status == 200)
    g_array_append_val (t->slots_ms, ms);
  if (status == 429)
    t->rate_limited++;
  if (!ok || status != 200 || answer == NULL || !JSON_NODE_HOLDS_ARRAY (answer)) {
    t->errors++;
    g_clear_pointer (&answer, json_node_unref);
  }
  return answer;
}

static void
try_book (ClientThread *t, BenchApi *api, GRand *rand, gint64 staff_id, JsonArray *slots)
{
  guint n = MIN (json_array_get_length (slots), SLOT_LIST_MAX);
  if (n == 0)
    return;
  /* Half the time one of the earliest few slots, so that clients really compete for slots. */
  guint pick = g_rand_boolean (rand) ? (guint) g_rand_int_range (rand, 0, (gint32) MIN (n, 3u))
                                     : (guint) g_rand_int_range (rand, 0, (gint32) n);
  JsonNode *slot = json_array_get_element (slots, pick);
  const char *start = bench_json_string (slot, "start");
  if (start == NULL)
    return;
  g_autofree char *body = g_strdup_printf ("{\"staff_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\",\"topic\":\"bench\"}",
                                           staff_id, start);
  guint status = 0;
  g_autoptr (JsonNode) answer = NULL;
  if (!bench_api_call (api, "POST", "/api/v1/bookings", body, &status, &answer, NULL)) {
    t->errors++;
    return;
  }
  if (status == 201) {
    Kept k = { bench_json_int (unwrap (answer, "booking"), "id"), staff_id, FALSE };
    g_array_append_val (t->kept, k);
    t->booked++;
  } else if (status == 409) {
    t->conflicts++;
  } else if (status == 422) {
    t->not_a_slot++;
  } else if (status == 429) {
    t->rate_limited++;
    g_usleep (100 * 1000);
  } else {
    t->errors++;
  }
}

/* Cancels every other booking this client made (the calendar neither fills up nor empties). */
static void
maybe_cancel (ClientThread *t, BenchApi *api)
{
  if (t->kept->len == 0 || t->booked % 2 != 0)
    return;
  Kept *k = &g_array_index (t->kept, Kept, t->kept->len - 1);
  if (k->cancelled || k->id == 0)
    return;
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/cancel", k->id);
  guint status = 0;
  g_autoptr (JsonNode) answer = NULL;
  if (bench_api_call (api, "POST", path, "{\"reason\":\"bench\"}", &status, &answer, NULL) && status == 200) {
    k->cancelled = TRUE;
    t->cancels++;
  } else {
    t->errors++;
  }
}

static gpointer
client_thread (gpointer data)
{
  ClientThread *t = data;
  g_autoptr (BenchApi) api = bench_api_new (t->base);
  g_autoptr (GRand) rand = g_rand_new_with_seed (0x5eed0000u + t->index);
  g_autofree char *email = g_strdup_printf ("bclient%u@bench.example", t->index);
  g_autoptr (GError) error = NULL;
  if (!bench_api_login (api, email, BENCH_PASSWORD, &error)) {
    t->error = g_strdup (error->message);
    return NULL;
  }
  for (guint guard = 0; bench_now_us () < t->deadline_us && guard < 10000000; guard++) {
    gint64 staff_id;
    g_autoptr (JsonNode) slots = list_slots (t, api, rand, &staff_id);
    if (slots == NULL) {
      g_usleep (10 * 1000);
      continue;
    }
    try_book (t, api, rand, staff_id, json_node_get_array (slots));
    maybe_cancel (t, api);
  }
  return NULL;
}

/* ---- verification ---- */

typedef struct {
  gint64 id, start, end;
} Interval;

static int
compare_intervals (gconstpointer a, gconstpointer b)
{
  const Interval *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

static gint64
parse_time (const char *s)
{
  g_autoptr (GDateTime) dt = s ? g_date_time_new_from_iso8601 (s, NULL) : NULL;
  return dt ? g_date_time_to_unix (dt) : 0;
}

#define CALENDAR_PAGE_LIMIT 500     /* the API answers at most this many bookings per list */

/* Adds the active bookings of one day of a calendar (as staff) to iv and active. */
static gboolean
read_calendar_day (BenchApi *api, const GDate *day, GArray *iv, GHashTable *active, GError **error)
{
  g_autofree char *d = date_string (day);
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings?from=%s&to=%s", d, d);
  g_autoptr (JsonNode) answer = NULL;
  if (!expect (api, "GET", path, NULL, 200, &answer, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (answer)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "calendar is not an array");
    return FALSE;
  }
  JsonArray *list = json_node_get_array (answer);
  if (json_array_get_length (list) >= CALENDAR_PAGE_LIMIT) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "calendar of %s truncated at %u entries", d,
                 json_array_get_length (list));
    return FALSE;
  }
  for (guint k = 0; k < json_array_get_length (list); k++) {
    JsonNode *b = unwrap (json_array_get_element (list, k), "booking");
    if (g_strcmp0 (bench_json_string (b, "status"), "booked") != 0)
      continue;
    Interval x = { bench_json_int (b, "id"), parse_time (bench_json_string (b, "start")),
                   parse_time (bench_json_string (b, "end")) };
    if (g_hash_table_contains (active, GINT_TO_POINTER ((gint) x.id)))
      continue;                   /* listed on two days (crosses midnight): count once */
    g_array_append_val (iv, x);
    g_hash_table_add (active, GINT_TO_POINTER ((gint) x.id));
  }
  return TRUE;
}

/* Reads staff i's calendar day by day; adds overlaps of active bookings to *doubles and the
 * active ids to active. */
static gboolean
verify_staff (const char *base, guint i, const GDate *first_day, guint *doubles, GHashTable *active,
              GError **error)
{
  g_autoptr (BenchApi) api = bench_api_new (base);
  g_autofree char *email = g_strdup_printf ("bstaff%u@bench.example", i);
  if (!bench_api_login (api, email, BENCH_PASSWORD, error))
    return FALSE;
  g_autoptr (GArray) iv = g_array_new (FALSE, FALSE, sizeof (Interval));
  GDate day = *first_day;
  for (guint n = 0; n <= RANGE_DAYS; n++, g_date_add_days (&day, 1))
    if (!read_calendar_day (api, &day, iv, active, error))
      return FALSE;
  g_array_sort (iv, compare_intervals);
  for (guint k = 1; k < iv->len; k++) {
    const Interval *prev = &g_array_index (iv, Interval, k - 1), *cur = &g_array_index (iv, Interval, k);
    if (cur->start < prev->end) {
      (*doubles)++;
      bench_log ("DOUBLE BOOKING: staff %u bookings %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " overlap\n",
                 i, prev->id, cur->id);
    }
  }
  return TRUE;
}

/* ---- the run ---- */

typedef struct {
  guint booked, conflicts, cancels, errors, rate_limited, not_a_slot, kept_active, lost;
  guint double_bookings;
  GArray *slots_ms;
  double wall_seconds;
} BookingTotals;

static void
sum_threads (ClientThread *threads, int n, GHashTable *active, BookingTotals *t)
{
  t->slots_ms = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 0; i < n; i++) {
    ClientThread *c = &threads[i];
    t->booked += c->booked; t->conflicts += c->conflicts; t->cancels += c->cancels;
    t->errors += c->errors; t->rate_limited += c->rate_limited; t->not_a_slot += c->not_a_slot;
    if (c->error) {
      bench_log ("client %d: %s\n", i, c->error);
      t->errors++;
    }
    g_array_append_vals (t->slots_ms, c->slots_ms->data, c->slots_ms->len);
    for (guint k = 0; k < c->kept->len; k++) {
      Kept *kb = &g_array_index (c->kept, Kept, k);
      if (kb->cancelled)
        continue;
      t->kept_active++;
      if (active && !g_hash_table_contains (active, GINT_TO_POINTER ((gint) kb->id)))
        t->lost++;
    }
  }
}

static void
print_result (const BookingOptions *o, BookingTotals *t, gboolean verified)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bench");
  json_builder_add_string_value (b, "booking");
  json_builder_set_member_name (b, "clients");
  json_builder_add_int_value (b, o->clients);
  bench_json_add_double (b, "seconds", t->wall_seconds);
  bench_json_add_double (b, "bookings_per_second", t->wall_seconds > 0 ? t->booked / t->wall_seconds : NAN);
  bench_json_add_percentiles (b, "slots_ms", t->slots_ms);
  json_builder_set_member_name (b, "double_bookings");
  if (verified)
    json_builder_add_int_value (b, t->double_bookings);
  else
    json_builder_add_null_value (b);
  const struct { const char *name; guint v; } counts[] = {
    { "bookings", t->booked }, { "slot_taken", t->conflicts }, { "not_a_slot", t->not_a_slot },
    { "cancellations", t->cancels }, { "rate_limited", t->rate_limited }, { "errors", t->errors },
    { "kept_bookings", t->kept_active }, { "lost_bookings", t->lost },
  };
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++) {
    json_builder_set_member_name (b, counts[i].name);
    json_builder_add_int_value (b, counts[i].v);
  }
  json_builder_set_member_name (b, "staff");
  json_builder_add_int_value (b, BOOKING_STAFF);
  json_builder_end_object (b);
  bench_json_print (b);
}

static gboolean
run_clients (BenchServer *server, const BookingOptions *o, BookingTotals *totals, GError **error)
{
  const char *base = bench_server_base_url (server);
  gint64 staff_ids[BOOKING_STAFF];
  for (guint i = 0; i < BOOKING_STAFF; i++)
    if ((staff_ids[i] = setup_staff (base, i, error)) == 0)
      return FALSE;
  GDate first_day;
  g_date_set_time_t (&first_day, time (NULL));
  g_date_add_days (&first_day, 1);
  g_autofree ClientThread *threads = g_new0 (ClientThread, o->clients);
  g_autofree GThread **handles = g_new0 (GThread *, o->clients);
  gint64 t0 = bench_now_us ();
  bench_log ("booking: %d clients for %.0f s\n", o->clients, o->seconds);
  for (int i = 0; i < o->clients; i++) {
    threads[i] = (ClientThread) { .base = base, .index = (guint) i, .staff_ids = staff_ids,
                                  .deadline_us = t0 + (gint64) (o->seconds * G_USEC_PER_SEC),
                                  .first_day = first_day,
                                  .slots_ms = g_array_new (FALSE, FALSE, sizeof (double)),
                                  .kept = g_array_new (FALSE, FALSE, sizeof (Kept)) };
    handles[i] = g_thread_new ("bench-client", client_thread, &threads[i]);
  }
  for (int i = 0; i < o->clients; i++)
    g_thread_join (handles[i]);
  totals->wall_seconds = (double) (bench_now_us () - t0) / G_USEC_PER_SEC;
  g_autoptr (GHashTable) active = g_hash_table_new (g_direct_hash, g_direct_equal);
  gboolean verified = TRUE;
  for (guint i = 0; i < BOOKING_STAFF && verified; i++)
    verified = verify_staff (base, i, &first_day, &totals->double_bookings, active, error);
  sum_threads (threads, o->clients, verified ? active : NULL, totals);
  for (int i = 0; i < o->clients; i++) {
    g_array_unref (threads[i].slots_ms);
    g_array_unref (threads[i].kept);
    g_free (threads[i].error);
  }
  return verified;
}

int
bench_booking_main (int argc, char **argv)
{
  BookingOptions o = { .clients = 8, .seconds = 30 };
  g_autoptr (GError) error = NULL;
  if (!parse_options (argc, argv, &o, &error)) {
    g_printerr ("samtal-bench booking: %s\n", error->message);
    return 2;
  }
  g_autofree char *binary = bench_server_find_binary (o.server_bin, &error);
  g_autoptr (BenchServer) server = binary ? bench_server_new (binary, o.verbose, &error) : NULL;
  BookingTotals totals = { 0 };
  gboolean verified = FALSE;
  if (server != NULL) {
    bench_log ("booking: adding %d users\n", o.clients + BOOKING_STAFF);
    if (add_users (server, o.clients, &error) && bench_server_start (server, 30, &error))
      verified = run_clients (server, &o, &totals, &error);
  }
  if (error)
    bench_log ("booking: %s\n", error->message);
  bench_log ("booking: %u booked, %u slot_taken, %u cancelled, %u errors, double bookings %u\n",
             totals.booked, totals.conflicts, totals.cancels, totals.errors, totals.double_bookings);
  print_result (&o, &totals, verified);
  if (totals.slots_ms)
    g_array_unref (totals.slots_ms);
  g_free (o.server_bin);
  return verified && totals.double_bookings == 0 && totals.lost == 0 ? 0 : 1;
}
