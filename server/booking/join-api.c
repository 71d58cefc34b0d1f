/* join-api.c — from a booking to a meeting: join tokens for its client and staff member, and
 * guest invitations (interpreters, relatives) by its staff member.
 *
 * A token (common/token.h) names the booking, the participant ("u<user id>" or "g<guest id>"),
 * the role and display name, and is valid from 15 minutes before the start until 30 minutes
 * after the end. The answer also carries the WebSocket URL and the ICE servers, with short-lived
 * TURN credentials (coturn use-auth-secret) when a TURN secret is configured.
 */
#include "booking-private.h"

#include "common/token.h"
#include "core/errors.h"
#include "turn.h"

#include <string.h>

#define GUEST_NAME_MAX_CHARS 100

/* ws(s)://host:port/ws from the public URL. */
static char *
ws_url (SamtalServer *server)
{
  g_autofree char *base = samtal_server_public_url (server);
  if (g_str_has_prefix (base, "https://"))
    return g_strconcat ("wss://", base + 8, "/ws", NULL);
  if (g_str_has_prefix (base, "http://"))
    return g_strconcat ("ws://", base + 7, "/ws", NULL);
  return g_strconcat (base, "/ws", NULL);
}

/* "stun://host:port" (config form) → "stun:host:port" (WebRTC form). */
static char *
ice_url (const char *configured)
{
  const char *sep = strstr (configured, "://");
  if (sep == NULL)
    return g_strdup (configured);
  g_autofree char *scheme = g_strndup (configured, sep - configured);
  return g_strconcat (scheme, ":", sep + 3, NULL);
}

static JsonNode *
ice_servers (SamtalServer *server, const char *participant_id, gint64 expires)
{
  JsonArray *arr = json_array_new ();
  const SamtalConfig *c = server->config;
  if (c->stun_server && *c->stun_server) {
    JsonObject *o = json_object_new ();
    JsonArray *urls = json_array_new ();
    g_autofree char *u = ice_url (c->stun_server);
    json_array_add_string_element (urls, u);
    json_object_set_array_member (o, "urls", urls);
    json_array_add_object_element (arr, o);
  }
  if (c->turn_server && *c->turn_server) {
    JsonObject *o = json_object_new ();
    JsonArray *urls = json_array_new ();
    g_autofree char *u = ice_url (c->turn_server);
    json_array_add_string_element (urls, u);
    json_object_set_array_member (o, "urls", urls);
    if (c->turn_secret && *c->turn_secret) {
      g_autofree char *user = NULL, *cred = NULL;
      samtal_turn_credentials (c->turn_secret, participant_id, expires, &user, &cred);
      json_object_set_string_member (o, "username", user);
      json_object_set_string_member (o, "credential", cred);
    }
    json_array_add_object_element (arr, o);
  }
  return samtal_json_array_node (arr);
}

/* Refuses bookings that are not 'booked' (cancelled, completed, no_show) and calls outside the
 * join window, with a clear message. */
static gboolean
check_window (SamtalRequest *req, const SamtalBooking *b)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 now = booking_now (server);
  if (b->status != SAMTAL_BOOKING_BOOKED) {
    samtal_reply_error (req, 409, "conflict", "the booking is %s",
                        samtal_booking_status_name (b->status));
    return FALSE;
  }
  if (now < b->start - SAMTAL_JOIN_EARLY_SECONDS) {
    g_autofree char *opens = samtal_format_unix (b->start - SAMTAL_JOIN_EARLY_SECONDS, server->tz);
    samtal_reply_error (req, 403, "forbidden", "the meeting opens at %s", opens);
    return FALSE;
  }
  if (now > b->end + SAMTAL_JOIN_LATE_SECONDS) {
    samtal_reply_error (req, 409, "conflict", "the meeting has closed");
    return FALSE;
  }
  return TRUE;
}

static char *
mint (SamtalServer *server, const SamtalBooking *b, const char *participant_id,
      const char *role, const char *name)
{
  SamtalBookingState *st = server->booking;
  SamtalJoinClaims claims = {
    .booking_id = b->id, .participant_id = (char *) participant_id, .role = (char *) role,
    .name = (char *) name, .not_before = b->start - SAMTAL_JOIN_EARLY_SECONDS,
    .expires = b->end + SAMTAL_JOIN_LATE_SECONDS,
  };
  return samtal_token_mint (st->meeting_key, &claims);
}

static void
handle_join (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 id;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalBookingRow) row = { 0 };
  if (!samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  if (me->id != row.b.client_id && me->id != row.b.staff_id)
    return samtal_reply_error (req, 403, "forbidden",
                               "only the booking's client and staff member join its meeting");
  if (!check_window (req, &row.b))
    return;
  g_autofree char *pid = g_strdup_printf ("u%" G_GINT64_FORMAT, me->id);
  g_autofree char *token = mint (server, &row.b, pid, me->role, me->name);
  if (!booking_audit (server, me->id, "booking.join", id, pid, &error))
    return booking_fail (req, error);
  JsonObject *o = json_object_new ();
  g_autofree char *ws = ws_url (server);
  json_object_set_int_member (o, "meeting_id", id);
  json_object_set_string_member (o, "participant_id", pid);
  json_object_set_string_member (o, "token", token);
  json_object_set_string_member (o, "ws_url", ws);
  json_object_set_member (o, "ice_servers",
                          ice_servers (server, pid, row.b.end + SAMTAL_JOIN_LATE_SECONDS));
  json_object_set_string_member (o, "role", me->role);
  samtal_reply_json (req, 200, samtal_json_object_node (o));
}

static gboolean
parse_guest (JsonObject *body, const char **name, const char **kind, GError **error)
{
  if (!samtal_field_string (body, "name", TRUE, GUEST_NAME_MAX_CHARS, FALSE, name, error) ||
      !samtal_field_string (body, "kind", TRUE, 20, FALSE, kind, error))
    return FALSE;
  if (!g_str_equal (*kind, "interpreter") && !g_str_equal (*kind, "guest")) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "kind: must be interpreter or guest");
    return FALSE;
  }
  return TRUE;
}

static void
handle_guests (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 id, guest_id = 0;
  const char *name = NULL, *kind = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalBookingRow) row = { 0 };
  if (!samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  if (me->id != row.b.staff_id)
    return samtal_reply_error (req, 403, "forbidden", "only the booking's staff member invites");
  if (!parse_guest (samtal_request_body (req), &name, &kind, &error))
    return booking_fail (req, error);
  if (row.b.status != SAMTAL_BOOKING_BOOKED ||
      booking_now (server) > row.b.end + SAMTAL_JOIN_LATE_SECONDS)
    return samtal_reply_error (req, 409, "conflict", "the meeting is cancelled or over");
  if (!samtal_store_begin_immediate (server->store, &error) ||
      (guest_id = samtal_guest_insert (server->store, id, name, kind, me->id,
                                       booking_now (server), &error)) == 0 ||
      !booking_audit (server, me->id, "booking.guest", id, kind, &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  g_autofree char *pid = g_strdup_printf ("g%" G_GINT64_FORMAT, guest_id);
  g_autofree char *token = mint (server, &row.b, pid, kind, name);
  g_autofree char *base = samtal_server_public_url (server);
  g_autofree char *join_url = g_strconcat (base, "/join/", token, NULL);
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "guest_id", guest_id);
  json_object_set_string_member (o, "participant_id", pid);
  json_object_set_string_member (o, "join_url", join_url);
  json_object_set_string_member (o, "token", token);
  json_object_set_string_member (o, "kind", kind);
  json_object_set_string_member (o, "name", name);
  samtal_reply_json (req, 201, samtal_json_object_node (o));
}

/* What a guest link's holder needs before joining: the meeting, the WebSocket URL and the ICE
 * servers (with TURN credentials), checked like the hub checks the token. No account needed: the
 * token is the capability. Answers 404 for a link that is not ours, 403 with the opening time
 * before the window, 409 for a meeting that is cancelled or over. */
static void
handle_guest_info (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  SamtalBookingState *st = server->booking;
  const char *token = NULL;
  g_autoptr (GError) error = NULL;
  if (!samtal_field_string (samtal_request_body (req), "token", TRUE, SAMTAL_TOKEN_MAX_LEN, FALSE,
                            &token, &error))
    return booking_fail (req, error);
  g_autoptr (GError) terr = NULL;
  gint64 now = booking_now (server);
  g_autoptr (SamtalJoinClaims) c = samtal_token_verify (st->meeting_key, token, now,
                                                        &terr);
  if (c == NULL && g_error_matches (terr, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_TOO_EARLY)) {
    /* The mac verified; read the claims again ignoring the window, to say when it opens. */
    g_autoptr (SamtalJoinClaims) early = samtal_token_verify (st->meeting_key, token,
                                                              G_MININT64 / 2 + 1, NULL);
    g_autofree char *opens =
      early ? samtal_format_unix (early->not_before, server->tz) : g_strdup ("later");
    return samtal_reply_error (req, 403, "forbidden", "the meeting opens at %s", opens);
  }
  if (c == NULL && g_error_matches (terr, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_EXPIRED))
    return samtal_reply_error (req, 409, "conflict", "the meeting has closed");
  if (c == NULL)
    return samtal_reply_error (req, 404, "not_found", "this meeting link is not valid");
  SamtalBooking b = { 0 };
  if (!samtal_booking_get (server, c->booking_id, &b, NULL))
    return samtal_reply_error (req, 404, "not_found", "this meeting link is not valid");
  if (b.status != SAMTAL_BOOKING_BOOKED)
    return samtal_reply_error (req, 409, "conflict", "the meeting is %s",
                               samtal_booking_status_name (b.status));
  JsonObject *o = json_object_new ();
  g_autofree char *ws = ws_url (server);
  g_autofree char *starts = samtal_format_unix (b.start, server->tz);
  g_autofree char *ends = samtal_format_unix (b.end, server->tz);
  json_object_set_int_member (o, "meeting_id", c->booking_id);
  json_object_set_string_member (o, "participant_id", c->participant_id);
  json_object_set_string_member (o, "role", c->role);
  json_object_set_string_member (o, "name", c->name);
  json_object_set_string_member (o, "start", starts);
  json_object_set_string_member (o, "end", ends);
  json_object_set_string_member (o, "ws_url", ws);
  json_object_set_member (o, "ice_servers", ice_servers (server, c->participant_id, c->expires));
  samtal_reply_json (req, 200, samtal_json_object_node (o));
}

void
booking_join_register (SamtalServer *server)
{
  samtal_router_add (server->router, "POST", "/api/v1/bookings/{id}/join", handle_join,
                     SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (server->router, "POST", "/api/v1/bookings/{id}/guests", handle_guests,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (server->router, "POST", "/api/v1/meetings/guest", handle_guest_info,
                     SAMTAL_ROUTE_ANYONE);
}
