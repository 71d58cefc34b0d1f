/* meetings.c — users, bookings and join tokens for the relay benchmark (see meetings.h). */
#include "meetings.h"
#include "api.h"
#include "bench-util.h"

#include <gio/gio.h>
#include <string.h>

void
bench_seat_free (BenchSeat *seat)
{
  if (seat == NULL)
    return;
  g_free (seat->name);
  g_free (seat->ws_url);
  if (seat->token)
    memset (seat->token, 0, strlen (seat->token));
  g_free (seat->token);
  g_free (seat);
}

char *
bench_rfc3339_now_minute (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) minute = g_date_time_add_seconds (now, -g_date_time_get_seconds (now));
  return g_date_time_format (minute, "%Y-%m-%dT%H:%M:00%:z");
}

gboolean
bench_meetings_add_users (BenchServer *server, guint meetings, GError **error)
{
  for (guint i = 0; i < meetings; i++) {
    g_autofree char *se = g_strdup_printf ("staff%u@bench.example", i);
    g_autofree char *sn = g_strdup_printf ("Bench Staff %u", i);
    g_autofree char *ce = g_strdup_printf ("client%u@bench.example", i);
    g_autofree char *cn = g_strdup_printf ("Bench Client %u", i);
    if (!bench_server_user_add (server, se, sn, "caseworker", "Bench unit", BENCH_PASSWORD, error) ||
        !bench_server_user_add (server, ce, cn, "client", NULL, BENCH_PASSWORD, error))
      return FALSE;
  }
  return TRUE;
}

/* Absolute ws:// URL from the join answer's ws_url (absolute or a path). */
static char *
absolute_ws_url (const char *base_http, const char *ws_url)
{
  if (ws_url == NULL)
    ws_url = "/ws";
  if (g_str_has_prefix (ws_url, "ws://") || g_str_has_prefix (ws_url, "wss://"))
    return g_strdup (ws_url);
  return g_strconcat ("ws", base_http + strlen ("http"), ws_url, NULL);
}

static JsonNode *
call_ok (BenchApi *api, const char *method, const char *path, const char *body, guint want, GError **error)
{
  guint status = 0;
  JsonNode *answer = NULL;
  if (!bench_api_call (api, method, path, body, &status, &answer, error))
    return NULL;
  if (status != want) {
    g_autofree char *text = answer ? json_to_string (answer, FALSE) : g_strdup ("");
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: status %u (want %u) %s", method, path,
                 status, want, text);
    g_clear_pointer (&answer, json_node_unref);
  }
  return answer;
}

/* The object itself, or its single wrapped member (e.g. {"booking": {…}}). */
static JsonNode *
unwrap (JsonNode *node, const char *member)
{
  JsonObject *o = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (o && json_object_has_member (o, member) && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, member)))
    return json_object_get_member (o, member);
  return node;
}

static gint64
user_id (BenchApi *api, GError **error)
{
  g_autoptr (JsonNode) me = call_ok (api, "GET", "/api/v1/me", NULL, 200, error);
  return me ? bench_json_int (unwrap (me, "user"), "id") : 0;
}

static BenchSeat *
seat_from_join (BenchServer *server, JsonNode *join, const char *name, gboolean staff, guint meeting)
{
  BenchSeat *seat = g_new0 (BenchSeat, 1);
  seat->name = g_strdup (name);
  seat->ws_url = absolute_ws_url (bench_server_base_url (server), bench_json_string (join, "ws_url"));
  seat->token = g_strdup (bench_json_string (join, "token"));
  seat->staff = staff;
  seat->meeting = meeting;
  return seat;
}

static gboolean
book_one (BenchServer *server, guint i, guint participants, GPtrArray *seats, GError **error)
{
  const char *base = bench_server_base_url (server);
  g_autoptr (BenchApi) staff = bench_api_new (base);
  g_autoptr (BenchApi) client = bench_api_new (base);
  g_autofree char *se = g_strdup_printf ("staff%u@bench.example", i);
  g_autofree char *ce = g_strdup_printf ("client%u@bench.example", i);
  if (!bench_api_login (staff, se, BENCH_PASSWORD, error) || !bench_api_login (client, ce, BENCH_PASSWORD, error))
    return FALSE;
  gint64 staff_id = user_id (staff, error), client_id = staff_id ? user_id (client, error) : 0;
  if (client_id == 0)
    return FALSE;
  g_autofree char *start = bench_rfc3339_now_minute ();
  g_autofree char *body = g_strdup_printf (
      "{\"staff_id\":%" G_GINT64_FORMAT ",\"client_id\":%" G_GINT64_FORMAT ",\"start\":\"%s\","
      "\"duration_minutes\":60,\"topic\":\"benchmark\"}", staff_id, client_id, start);
  g_autoptr (JsonNode) booked = call_ok (staff, "POST", "/api/v1/bookings", body, 201, error);
  gint64 booking = booked ? bench_json_int (unwrap (booked, "booking"), "id") : 0;
  if (booking == 0)
    return FALSE;
  g_autofree char *join_path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/join", booking);
  g_autofree char *guest_path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/guests", booking);
  g_autoptr (JsonNode) sj = call_ok (staff, "POST", join_path, "{}", 200, error);
  g_autoptr (JsonNode) cj = sj ? call_ok (client, "POST", join_path, "{}", 200, error) : NULL;
  if (cj == NULL)
    return FALSE;
  g_autofree char *sname = g_strdup_printf ("m%u-staff", i), *cname = g_strdup_printf ("m%u-client", i);
  BenchSeat *staff_seat = seat_from_join (server, sj, sname, TRUE, i);
  g_ptr_array_add (seats, staff_seat);
  g_ptr_array_add (seats, seat_from_join (server, cj, cname, FALSE, i));
  for (guint g = 2; g < participants; g++) {
    g_autofree char *gname = g_strdup_printf ("m%u-guest%u", i, g);
    g_autofree char *gbody = g_strdup_printf ("{\"name\":\"%s\",\"kind\":\"guest\"}", gname);
    g_autoptr (JsonNode) gj = call_ok (staff, "POST", guest_path, gbody, 201, error);
    if (gj == NULL)
      return FALSE;
    BenchSeat *seat = seat_from_join (server, gj, gname, FALSE, i);
    g_free (seat->ws_url);
    seat->ws_url = g_strdup (staff_seat->ws_url);
    g_ptr_array_add (seats, seat);
  }
  return TRUE;
}

GPtrArray *
bench_meetings_book (BenchServer *server, guint meetings, guint participants, GError **error)
{
  g_autoptr (GPtrArray) seats = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_seat_free);
  for (guint i = 0; i < meetings; i++)
    if (!book_one (server, i, participants, seats, error))
      return NULL;
  for (guint i = 0; i < seats->len; i++)
    if (((BenchSeat *) seats->pdata[i])->token == NULL) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "a join answer had no token");
      return NULL;
    }
  return g_steal_pointer (&seats);
}
