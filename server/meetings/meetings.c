/* meetings.c — creates the relay and the hub, answers the hub's two questions (may this token's
 * holder enter now? record this in the audit trail) from the bookings and the audit trail, keeps
 * the relay's counters on /metrics, and offers a loopback-only debug view for tests
 * (see meetings.h).
 */
#include "meetings.h"

#include "booking-api.h"
#include "core/audit.h"
#include "keyfile.h"
#include "relay/relay.h"
#include "turn.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (samtal-meetings-error-quark, samtal_meetings_error)

#define METRICS_INTERVAL_S 2
#define RELAY_TURN_CREDENTIAL_S (7 * 24 * 3600)

typedef struct {
  SamtalServer *server;
  guint8 *key;
  SamtalRelay *relay;
  SamtalHub *hub;
  guint metrics_source;
  gboolean shut_down;
} SamtalMeetings;

/* ---- who may enter ---- */

static gint64
user_id_of (const char *participant_id)
{
  if (participant_id == NULL || participant_id[0] != 'u')
    return 0;
  char *end = NULL;
  gint64 id = g_ascii_strtoll (participant_id + 1, &end, 10);
  return end != NULL && *end == '\0' && id > 0 ? id : 0;
}

gboolean
samtal_meetings_check_window (const SamtalJoinClaims *claims, gint64 booking_id, gboolean booked,
                              gint64 start, gint64 end, gint64 staff_id, gint64 client_id,
                              gint64 now, SamtalMeetingInfo *info, GError **error)
{
  info->booking_id = booking_id;
  info->starts_at = start;
  info->ends_at = end;
  info->cancelled = !booked;
  if (!booked) {
    g_set_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED,
                 "this meeting was cancelled");
    return FALSE;
  }
  if (now < start - SAMTAL_MEETINGS_OPEN_BEFORE_S) {
    g_set_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED,
                 "the meeting opens 15 minutes before its start");
    return FALSE;
  }
  if (now > end + SAMTAL_MEETINGS_CLOSE_AFTER_S) {
    g_set_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED,
                 "the meeting is over");
    return FALSE;
  }
  gint64 user = user_id_of (claims->participant_id);
  if (claims->participant_id != NULL && claims->participant_id[0] == 'u' && user != staff_id &&
      user != client_id) {
    g_set_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_NOT_YOURS,
                 "this token is not for this meeting");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_meeting (const SamtalJoinClaims *claims, SamtalMeetingInfo *info, GError **error,
               gpointer user_data)
{
  SamtalMeetings *m = user_data;
  SamtalBooking booking = { 0 };
  g_autoptr (GError) local = NULL;
  if (!samtal_booking_get (m->server, claims->booking_id, &booking, &local)) {
    info->booking_id = claims->booking_id;
    info->cancelled = TRUE;
    g_set_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED,
                 "there is no such meeting");
    return FALSE;
  }
  gint64 now = samtal_server_now_us (m->server) / G_USEC_PER_SEC;
  return samtal_meetings_check_window (claims, booking.id,
                                       booking.status == SAMTAL_BOOKING_BOOKED, booking.start,
                                       booking.end, booking.staff_id, booking.client_id, now,
                                       info, error);
}

static void
audit (const char *actor, const char *action, const char *object_type, gint64 object_id,
       const char *detail, gpointer user_data)
{
  SamtalMeetings *m = user_data;
  g_autofree char *text = g_strdup_printf ("participant %s%s%s", actor != NULL ? actor : "?",
                                           detail != NULL ? ": " : "", detail != NULL ? detail : "");
  g_autoptr (GError) error = NULL;
  if (!samtal_audit_append (m->server->audit, user_id_of (actor), action, object_type, object_id,
                            text, &error))
    g_warning ("meetings: could not write audit entry %s: %s", action, error->message);
}

/* ---- the relay's configuration ---- */

/* "turn://host:port" plus the shared secret → "turn://user:pass@host:port" with long-lived
 * TURN REST credentials for the relay itself; a URL that already has credentials is kept. */
static char *
relay_turn_url (SamtalServer *server)
{
  const char *turn = server->config->turn_server;
  const char *secret = server->config->turn_secret;
  if (turn == NULL || secret == NULL || strchr (turn, '@') != NULL)
    return g_strdup (turn);
  const char *rest = strstr (turn, "://");
  if (rest == NULL)
    return NULL;
  g_autofree char *user = NULL, *pass = NULL;
  gint64 expires = samtal_server_now_us (server) / G_USEC_PER_SEC + RELAY_TURN_CREDENTIAL_S;
  samtal_turn_credentials (secret, "relay", expires, &user, &pass);
  g_autofree char *user_e = g_uri_escape_string (user, NULL, FALSE);
  g_autofree char *pass_e = g_uri_escape_string (pass, NULL, FALSE);
  g_autofree char *scheme = g_strndup (turn, rest - turn);
  return g_strdup_printf ("%s://%s:%s@%s", scheme, user_e, pass_e, rest + 3);
}

/* ---- metrics and the debug view ---- */

static gboolean
update_metrics (gpointer data)
{
  SamtalMeetings *m = data;
  SamtalRelayStats rs = { 0 };
  SamtalHubStats hs = { 0 };
  samtal_relay_get_stats (m->relay, &rs);
  samtal_hub_get_stats (m->hub, &hs);
  SamtalMetrics *metrics = m->server->metrics;
  samtal_metrics_set (metrics, "samtal_relay_rooms", NULL, rs.rooms);
  samtal_metrics_set (metrics, "samtal_relay_participants", NULL, rs.participants);
  samtal_metrics_set (metrics, "samtal_relay_forwarded_packets", NULL, (double) rs.forwarded_packets);
  samtal_metrics_set (metrics, "samtal_relay_retransmitted_packets", NULL, (double) rs.retransmitted);
  samtal_metrics_set (metrics, "samtal_relay_nacks_to_senders", NULL, (double) rs.nack_upstream);
  samtal_metrics_set (metrics, "samtal_relay_keyframe_requests", NULL, (double) rs.keyframe_requests);
  samtal_metrics_set (metrics, "samtal_relay_own_readers", NULL, rs.own_readers);
  samtal_metrics_set (metrics, "samtal_relay_stun_answered", NULL, (double) rs.stun_answered);
  samtal_metrics_set (metrics, "samtal_relay_sockets_handed_back", NULL, (double) rs.handed_back);
  samtal_metrics_set (metrics, "samtal_meetings_active", NULL, hs.meetings);
  samtal_metrics_set (metrics, "samtal_meetings_participants", NULL, hs.participants);
  samtal_metrics_set (metrics, "samtal_meetings_waiting", NULL, hs.waiting);
  return G_SOURCE_CONTINUE;
}

static void
describe_metrics (SamtalMetrics *metrics)
{
  samtal_metrics_describe (metrics, "samtal_relay_rooms", "gauge", "Rooms in the media relay.");
  samtal_metrics_describe (metrics, "samtal_relay_participants", "gauge",
                           "Participants with media in the relay.");
  samtal_metrics_describe (metrics, "samtal_relay_forwarded_packets", "gauge",
                           "RTP packets the relay forwarded since start.");
  samtal_metrics_describe (metrics, "samtal_relay_retransmitted_packets", "gauge",
                           "Packets the relay resent (RTX) on receivers' NACKs since start.");
  samtal_metrics_describe (metrics, "samtal_relay_nacks_to_senders", "gauge",
                           "NACKed packets the relay did not have and asked senders for.");
  samtal_metrics_describe (metrics, "samtal_relay_keyframe_requests", "gauge",
                           "Receivers' keyframe requests the relay passed on to senders.");
  samtal_metrics_describe (metrics, "samtal_relay_own_readers", "gauge",
                           "Participants whose ICE socket the relay reads itself (not libnice).");
  samtal_metrics_describe (metrics, "samtal_relay_stun_answered", "gauge",
                           "STUN binding requests (consent checks) the relay answered itself.");
  samtal_metrics_describe (metrics, "samtal_relay_sockets_handed_back", "gauge",
                           "Sockets the relay handed back to libnice (something unexpected came).");
  samtal_metrics_describe (metrics, "samtal_meetings_active", "gauge", "Meetings with anyone in.");
  samtal_metrics_describe (metrics, "samtal_meetings_participants", "gauge",
                           "Connected meeting participants.");
  samtal_metrics_describe (metrics, "samtal_meetings_waiting", "gauge",
                           "Participants in waiting rooms.");
}

static gboolean
is_loopback (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;
  return g_inet_address_get_is_loopback (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

static JsonNode *
debug_view (SamtalMeetings *m, const char *room)
{
  g_auto (GStrv) factories = samtal_relay_list_element_factories (m->relay, room);
  SamtalRelayStats rs = { 0 };
  samtal_relay_get_stats (m->relay, &rs);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "room");
  json_builder_add_string_value (b, room);
  json_builder_set_member_name (b, "elements");
  if (factories == NULL) {
    json_builder_add_null_value (b);
  } else {
    json_builder_begin_array (b);
    for (char **f = factories; *f != NULL; f++)
      json_builder_add_string_value (b, *f);
    json_builder_end_array (b);
  }
  json_builder_set_member_name (b, "rooms");
  json_builder_add_int_value (b, rs.rooms);
  json_builder_set_member_name (b, "participants");
  json_builder_add_int_value (b, rs.participants);
  json_builder_set_member_name (b, "forwarded_packets");
  json_builder_add_int_value (b, (gint64) rs.forwarded_packets);
  json_builder_set_member_name (b, "retransmitted");
  json_builder_add_int_value (b, (gint64) rs.retransmitted);
  json_builder_set_member_name (b, "nack_upstream");
  json_builder_add_int_value (b, (gint64) rs.nack_upstream);
  json_builder_set_member_name (b, "keyframe_requests");
  json_builder_add_int_value (b, (gint64) rs.keyframe_requests);
  g_autofree char *branches = samtal_relay_describe_room (m->relay, room);
  json_builder_set_member_name (b, "branches");   /* per forwarding branch: packet counts */
  if (branches == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, branches);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
handle_debug (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  SamtalMeetings *m = data;
  const char *room = query != NULL ? g_hash_table_lookup (query, "room") : NULL;
  if (!is_loopback (msg) || g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0) {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  if (room == NULL || strlen (room) > 32) {
    soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
    return;
  }
  g_autoptr (JsonNode) root = debug_view (m, room);
  g_autofree char *body = json_to_string (root, FALSE);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* ---- life cycle ---- */

static void
meetings_free (SamtalMeetings *m)
{
  g_clear_handle_id (&m->metrics_source, g_source_remove);
  g_clear_pointer (&m->hub, samtal_hub_free);
  g_clear_pointer (&m->relay, samtal_relay_free);
  samtal_key_free (m->key, SAMTAL_TOKEN_KEY_BYTES);
  g_free (m);
}

void
samtal_meetings_shutdown (SamtalServer *server)
{
  SamtalMeetings *m = server->meetings;
  if (m == NULL)
    return;
  server->meetings = NULL;
  if (m->hub != NULL)
    samtal_hub_shutdown (m->hub);
  meetings_free (m);
}

/* The relay exists before the hub (the hub borrows it), so the relay's events go through these
 * trampolines to the hub's handlers once the hub is there. */
static void
relay_description (const char *room, const char *pid, const char *type, const char *sdp,
                   const SamtalRelayTrack *tracks, guint n_tracks, gpointer data)
{
  SamtalMeetings *m = data;
  if (m->hub != NULL)
    samtal_hub_relay_events ()->local_description (room, pid, type, sdp, tracks, n_tracks, m->hub);
}

static void
relay_candidate (const char *room, const char *pid, guint mline, const char *candidate,
                 gpointer data)
{
  SamtalMeetings *m = data;
  if (m->hub != NULL)
    samtal_hub_relay_events ()->local_candidate (room, pid, mline, candidate, m->hub);
}

static void
relay_connection_state (const char *room, const char *pid, const char *state, gpointer data)
{
  SamtalMeetings *m = data;
  if (m->hub != NULL && samtal_hub_relay_events ()->connection_state != NULL)
    samtal_hub_relay_events ()->connection_state (room, pid, state, m->hub);
}

static void
relay_failed (const char *room, const char *pid, const char *reason, gpointer data)
{
  SamtalMeetings *m = data;
  if (m->hub != NULL)
    samtal_hub_relay_events ()->participant_failed (room, pid, reason, m->hub);
}

static SamtalRelay *
make_relay (SamtalMeetings *m, GError **error)
{
  SamtalConfig *config = m->server->config;
  g_autofree char *turn = relay_turn_url (m->server);
  SamtalRelayConfig rc = {
    .ice_addresses = config->ice_addresses,
    .stun_server = config->stun_server,
    .turn_server = turn,
    .max_participants = 6,
    .forwarding = g_strcmp0 (config->relay_forwarding, "pipeline") == 0
                      ? SAMTAL_RELAY_FORWARD_PIPELINE
                      : g_strcmp0 (config->relay_forwarding, "direct-gst") == 0
                            ? SAMTAL_RELAY_FORWARD_DIRECT_GST : SAMTAL_RELAY_FORWARD_DIRECT,
  };
  SamtalRelayEvents events = { relay_description, relay_candidate, relay_connection_state,
                               relay_failed };
  return samtal_relay_new (&rc, &events, m, NULL, error);
}

gboolean
samtal_meetings_setup (SamtalServer *server, SoupServer *soup, GError **error)
{
  g_return_val_if_fail (server->meetings == NULL, FALSE);
  SamtalMeetings *m = g_new0 (SamtalMeetings, 1);
  m->server = server;
  m->key = samtal_key_load_or_create (server->config->data_dir, "meeting.key",
                                      SAMTAL_TOKEN_KEY_BYTES, error);
  if (m->key == NULL || (m->relay = make_relay (m, error)) == NULL) {
    meetings_free (m);
    return FALSE;
  }
  SamtalHubCallbacks callbacks = { check_meeting, audit };
  m->hub = samtal_hub_new (m->key, m->relay, &callbacks, m, NULL);
  samtal_hub_attach (m->hub, soup, "/ws");
  if (g_strcmp0 (g_getenv ("SAMTAL_MEETINGS_DEBUG"), "1") == 0)
    soup_server_add_handler (soup, "/debug/relay", handle_debug, m, NULL);
  describe_metrics (server->metrics);
  m->metrics_source = g_timeout_add_seconds (METRICS_INTERVAL_S, update_metrics, m);
  server->meetings = m;
  return TRUE;
}
