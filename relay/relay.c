/* relay.c — the relay's public calls (relay.h): configuration, the table of rooms, statistics,
 * and the one way GStreamer threads reach relay state: samtal_relay_invoke(), which hops to the
 * relay's GMainContext and looks the participant up again by room id, participant id and serial.
 * Events to signaling are only raised from there, never while a lock is held.
 */
#include "relay/relay-private.h"

#include <string.h>

G_DEFINE_QUARK (samtal-relay-error-quark, samtal_relay_error)

SamtalRelayLink *
samtal_relay_link_ref (SamtalRelayLink *link)
{
  g_atomic_int_inc (&link->ref);
  return link;
}

void
samtal_relay_link_unref (SamtalRelayLink *link)
{
  if (link == NULL || !g_atomic_int_dec_and_test (&link->ref))
    return;
  g_main_context_unref (link->context);
  g_free (link);
}

SamtalRelayTag *
samtal_relay_tag_ref (SamtalRelayTag *tag)
{
  g_atomic_int_inc (&tag->ref);
  return tag;
}

void
samtal_relay_tag_unref (SamtalRelayTag *tag)
{
  if (tag == NULL || !g_atomic_int_dec_and_test (&tag->ref))
    return;
  samtal_relay_link_unref (tag->link);
  g_free (tag->room_id);
  g_free (tag->participant_id);
  g_mutex_clear (&tag->lock);
  g_hash_table_unref (tag->tees);
  g_free (tag->fingerprint);
  g_free (tag);
}

typedef struct {
  SamtalRelayTag *tag;
  SamtalRelayPeerFunc func;
  gpointer data;
  GDestroyNotify free_data;
} Invocation;

static void
invocation_free (gpointer ptr)
{
  Invocation *inv = ptr;
  if (inv->free_data != NULL && inv->data != NULL)
    inv->free_data (inv->data);
  samtal_relay_tag_unref (inv->tag);
  g_free (inv);
}

static SamtalRelayParticipant *
lookup_tagged (SamtalRelayTag *tag)
{
  if (!tag->link->alive)
    return NULL;
  SamtalRelayRoom *room = g_hash_table_lookup (tag->link->relay->rooms, tag->room_id);
  if (room == NULL)
    return NULL;
  SamtalRelayParticipant *p = g_hash_table_lookup (room->participants, tag->participant_id);
  return (p != NULL && p->tag == tag) ? p : NULL;
}

static gboolean
invocation_run (gpointer ptr)
{
  Invocation *inv = ptr;
  SamtalRelayParticipant *p = lookup_tagged (inv->tag);
  if (p != NULL)
    inv->func (p, inv->data);
  return G_SOURCE_REMOVE;
}

void
samtal_relay_invoke (SamtalRelayTag *tag, SamtalRelayPeerFunc func, gpointer data,
                     GDestroyNotify free_data)
{
  samtal_relay_invoke_later (tag, 0, func, data, free_data);
}

void
samtal_relay_invoke_later (SamtalRelayTag *tag, guint delay_ms, SamtalRelayPeerFunc func,
                           gpointer data, GDestroyNotify free_data)
{
  Invocation *inv = g_new0 (Invocation, 1);
  inv->tag = samtal_relay_tag_ref (tag);
  inv->func = func;
  inv->data = data;
  inv->free_data = free_data;
  /* The context is owned by the relay's caller and outlives it; a dead link makes this a no-op. */
  GSource *src = delay_ms ? g_timeout_source_new (delay_ms) : g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_DEFAULT);
  g_source_set_callback (src, invocation_run, inv, invocation_free);
  g_source_attach (src, tag->link->context);
  g_source_unref (src);
}

void
samtal_relay_fail_participant (SamtalRelayParticipant *p, const char *reason)
{
  SamtalRelay *relay = p->room->relay;
  g_autofree char *room_id = g_strdup (p->room->id);
  g_autofree char *participant_id = g_strdup (p->id);

  g_message ("relay: participant %s in room %s failed: %s", participant_id, room_id, reason);
  samtal_relay_remove_participant (relay, room_id, participant_id);
  if (relay->events.participant_failed != NULL)
    relay->events.participant_failed (room_id, participant_id, reason, relay->user_data);
}

/* The stall watch (relay-room.c): a participant into whom forwarding stopped inside the relay
 * gets its media restarted (participant_failed: signaling sends media_failed and the client
 * offers afresh), the room goes on. Main context. */
static gboolean
check_stalls (gpointer data)
{
  SamtalRelay *relay = data;
  g_autoptr (GPtrArray) rooms = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, relay->rooms);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (rooms, g_strdup (key));
  for (guint i = 0; i < rooms->len; i++) {
    SamtalRelayRoom *room = g_hash_table_lookup (relay->rooms, g_ptr_array_index (rooms, i));
    g_auto (GStrv) stalled = room ? samtal_relay_room_check_stalls (room) : NULL;
    for (guint j = 0; stalled != NULL && stalled[j] != NULL; j++) {
      room = g_hash_table_lookup (relay->rooms, g_ptr_array_index (rooms, i));
      SamtalRelayParticipant *p = room ? g_hash_table_lookup (room->participants, stalled[j]) : NULL;
      if (p != NULL)
        samtal_relay_fail_participant (p, p->neg == SAMTAL_NEG_OFFERING && p->offer_sent
                                              ? "no answer to the relay's offer in time: "
                                                "starting the media over"
                                              : "forwarded media stopped inside the relay: "
                                                "starting it over");
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
check_config (const SamtalRelayConfig *config, GError **error)
{
  if (config == NULL)
    return TRUE;
  if (config->stun_server != NULL && !g_str_has_prefix (config->stun_server, "stun://")) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "STUN server must look like stun://host:port");
    return FALSE;
  }
  if (config->turn_server != NULL && !g_str_has_prefix (config->turn_server, "turn://") &&
      !g_str_has_prefix (config->turn_server, "turns://")) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "TURN server must look like turn://user:pass@host:port");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_elements (GError **error)
{
  static const char *const needed[] = { "webrtcbin", "tee", "queue", "capsfilter", "nicesrc",
                                        "dtlssrtpenc", "rtpbin", NULL };
  for (guint i = 0; needed[i] != NULL; i++) {
    g_autoptr (GstElementFactory) f = gst_element_factory_find (needed[i]);
    if (f == NULL) {
      g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                   "GStreamer element %s is missing (install gstreamer1.0-plugins-bad/-good, "
                   "gstreamer1.0-nice)", needed[i]);
      return FALSE;
    }
  }
  return TRUE;
}

SamtalRelay *
samtal_relay_new (const SamtalRelayConfig *config, const SamtalRelayEvents *events,
                  gpointer user_data, GMainContext *context, GError **error)
{
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  if (!check_config (config, error) || !check_elements (error))
    return NULL;

  SamtalRelay *relay = g_new0 (SamtalRelay, 1);
  if (config != NULL) {
    relay->ice_addresses = g_strdupv (config->ice_addresses);
    relay->stun_server = g_strdup (config->stun_server);
    relay->turn_server = g_strdup (config->turn_server);
    relay->max_participants = config->max_participants;
    relay->max_mlines = config->max_mlines;
    relay->answer_timeout_s = config->answer_timeout_s;
  }
  relay->direct = config == NULL || config->forwarding != SAMTAL_RELAY_FORWARD_PIPELINE;
  relay->own_srtp = config == NULL || config->forwarding == SAMTAL_RELAY_FORWARD_DIRECT;
  if (relay->max_participants == 0)
    relay->max_participants = SAMTAL_RELAY_DEFAULT_MAX_PARTICIPANTS;
  if (relay->answer_timeout_s == 0)
    relay->answer_timeout_s = SAMTAL_RELAY_DEFAULT_ANSWER_TIMEOUT_S;
  if (relay->max_mlines == 0 || relay->max_mlines > SAMTAL_RELAY_DEFAULT_MAX_MLINES)
    relay->max_mlines = SAMTAL_RELAY_DEFAULT_MAX_MLINES;
  if (events != NULL)
    relay->events = *events;
  relay->user_data = user_data;
  relay->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  relay->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) samtal_relay_room_free);
  relay->link = g_new0 (SamtalRelayLink, 1);
  relay->link->ref = 1;
  relay->link->alive = TRUE;
  relay->link->relay = relay;
  relay->link->context = g_main_context_ref (relay->context);
  relay->teardowns = samtal_relay_pending_new ();
  relay->stall_watch = g_timeout_source_new (SAMTAL_RELAY_STALL_CHECK_MS);
  g_source_set_callback (relay->stall_watch, check_stalls, relay, NULL);
  g_source_attach (relay->stall_watch, relay->context);
  return relay;
}

void
samtal_relay_free (SamtalRelay *relay)
{
  if (relay == NULL)
    return;
  relay->link->alive = FALSE;      /* pending invocations become no-ops */
  g_source_destroy (relay->stall_watch);
  g_source_unref (relay->stall_watch);
  g_hash_table_remove_all (relay->rooms);
  g_hash_table_unref (relay->rooms);
  /* Every room and participant is on a teardown thread now: let them end before the caller
   * (typically the process) goes on, but never wait forever for a stuck one. */
  if (!samtal_relay_pending_wait (relay->teardowns, SAMTAL_RELAY_FREE_WAIT_MS))
    g_message ("relay: %u teardowns still running after %u ms; leaving them",
               samtal_relay_pending_count (relay->teardowns), SAMTAL_RELAY_FREE_WAIT_MS);
  samtal_relay_pending_unref (relay->teardowns);
  relay->link->relay = NULL;
  samtal_relay_link_unref (relay->link);
  g_main_context_unref (relay->context);
  g_strfreev (relay->ice_addresses);
  g_free (relay->stun_server);
  g_free (relay->turn_server);
  g_free (relay);
}

static gboolean
check_id (const char *id, const char *what, GError **error)
{
  if (id == NULL || *id == '\0' || strlen (id) > 128 || !g_utf8_validate (id, -1, NULL)) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "%s id must be 1..128 bytes of UTF-8", what);
    return FALSE;
  }
  return TRUE;
}

gboolean
samtal_relay_create_room (SamtalRelay *relay, const char *room_id, GError **error)
{
  g_return_val_if_fail (relay != NULL, FALSE);
  if (!check_id (room_id, "room", error))
    return FALSE;
  if (g_hash_table_contains (relay->rooms, room_id)) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_EXISTS,
                 "room %s exists already", room_id);
    return FALSE;
  }
  SamtalRelayRoom *room = samtal_relay_room_new (relay, room_id, error);
  if (room == NULL)
    return FALSE;
  g_hash_table_insert (relay->rooms, room->id, room);
  return TRUE;
}

void
samtal_relay_destroy_room (SamtalRelay *relay, const char *room_id)
{
  g_return_if_fail (relay != NULL);
  if (room_id != NULL)
    g_hash_table_remove (relay->rooms, room_id);
}

static SamtalRelayRoom *
find_room (SamtalRelay *relay, const char *room_id, GError **error)
{
  SamtalRelayRoom *room = room_id ? g_hash_table_lookup (relay->rooms, room_id) : NULL;
  if (room == NULL)
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_NO_ROOM, "no room %s",
                 room_id ? room_id : "(null)");
  return room;
}

static SamtalRelayParticipant *
find_participant (SamtalRelay *relay, const char *room_id, const char *participant_id,
                  GError **error)
{
  SamtalRelayRoom *room = find_room (relay, room_id, error);
  if (room == NULL)
    return NULL;
  SamtalRelayParticipant *p =
      participant_id ? g_hash_table_lookup (room->participants, participant_id) : NULL;
  if (p == NULL)
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_NO_PARTICIPANT,
                 "no participant %s in room %s", participant_id ? participant_id : "(null)",
                 room_id);
  return p;
}

gboolean
samtal_relay_add_participant (SamtalRelay *relay, const char *room_id,
                              const char *participant_id, GError **error)
{
  g_return_val_if_fail (relay != NULL, FALSE);
  SamtalRelayRoom *room = find_room (relay, room_id, error);
  if (room == NULL || !check_id (participant_id, "participant", error))
    return FALSE;
  if (g_hash_table_contains (room->participants, participant_id)) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_EXISTS,
                 "participant %s is already in room %s", participant_id, room_id);
    return FALSE;
  }
  if (g_hash_table_size (room->participants) >= relay->max_participants) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_ROOM_FULL,
                 "room %s is full (%u participants)", room_id, relay->max_participants);
    return FALSE;
  }
  SamtalRelayParticipant *p = samtal_relay_peer_new (room, participant_id, error);
  if (p == NULL)
    return FALSE;
  g_hash_table_insert (room->participants, p->id, p);
  return TRUE;
}

void
samtal_relay_remove_participant (SamtalRelay *relay, const char *room_id,
                                 const char *participant_id)
{
  g_return_if_fail (relay != NULL);
  SamtalRelayParticipant *p = find_participant (relay, room_id, participant_id, NULL);
  if (p == NULL)
    return;
  g_hash_table_steal (p->room->participants, p->id);
  samtal_relay_room_detach_participant (p);   /* never blocks: its elements stop elsewhere */
  samtal_relay_peer_free (p);
}

gboolean
samtal_relay_set_remote_description (SamtalRelay *relay, const char *room_id,
                                     const char *participant_id, const char *type,
                                     const char *sdp, GError **error)
{
  g_return_val_if_fail (relay != NULL, FALSE);
  SamtalRelayParticipant *p = find_participant (relay, room_id, participant_id, error);
  if (p == NULL)
    return FALSE;
  if (g_strcmp0 (type, "offer") == 0)
    return samtal_relay_peer_set_offer (p, sdp, error);
  if (g_strcmp0 (type, "answer") == 0)
    return samtal_relay_peer_set_answer (p, sdp, error);
  g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
               "description type must be \"offer\" or \"answer\"");
  return FALSE;
}

gboolean
samtal_relay_add_remote_candidate (SamtalRelay *relay, const char *room_id,
                                   const char *participant_id, guint mline_index,
                                   const char *candidate, GError **error)
{
  g_return_val_if_fail (relay != NULL, FALSE);
  SamtalRelayParticipant *p = find_participant (relay, room_id, participant_id, error);
  if (p == NULL)
    return FALSE;
  return samtal_relay_peer_add_candidate (p, mline_index, candidate, error);
}

char **
samtal_relay_list_element_factories (SamtalRelay *relay, const char *room_id)
{
  g_return_val_if_fail (relay != NULL, NULL);
  SamtalRelayRoom *room = find_room (relay, room_id, NULL);
  return room ? samtal_relay_room_list_factories (room) : NULL;
}

char *
samtal_relay_describe_room (SamtalRelay *relay, const char *room_id)
{
  g_return_val_if_fail (relay != NULL, NULL);
  SamtalRelayRoom *room = find_room (relay, room_id, NULL);
  return room ? samtal_relay_room_describe (room) : NULL;
}

void
samtal_relay_get_stats (SamtalRelay *relay, SamtalRelayStats *stats)
{
  g_return_if_fail (relay != NULL && stats != NULL);
  GHashTableIter it;
  gpointer value;

  memset (stats, 0, sizeof *stats);
  stats->rooms = g_hash_table_size (relay->rooms);
  g_hash_table_iter_init (&it, relay->rooms);
  while (g_hash_table_iter_next (&it, NULL, &value))
    stats->participants += g_hash_table_size (((SamtalRelayRoom *) value)->participants);
  stats->forwarded_packets = __atomic_load_n (&relay->link->forwarded, __ATOMIC_RELAXED);
  stats->teardowns = samtal_relay_pending_count (relay->teardowns);
  stats->retransmitted = __atomic_load_n (&relay->link->retransmitted, __ATOMIC_RELAXED);
  stats->nack_upstream = __atomic_load_n (&relay->link->nack_upstream, __ATOMIC_RELAXED);
  stats->keyframe_requests = __atomic_load_n (&relay->link->keyframe_requests, __ATOMIC_RELAXED);
  stats->stun_answered = __atomic_load_n (&relay->link->stun_answered, __ATOMIC_RELAXED);
  stats->handed_back = __atomic_load_n (&relay->link->handed_back, __ATOMIC_RELAXED);
  g_hash_table_iter_init (&it, relay->rooms);
  while (g_hash_table_iter_next (&it, NULL, &value))
    stats->own_readers += samtal_relay_room_own_readers (value);
}
