/* hub-relay.c — the adapter from SamtalHubRelayOps to the real relay (relay/relay.h).
 *
 * Kept apart from hub.c so that programs and tests that use samtal_hub_new_with_ops() with
 * another relay do not link GStreamer.
 */
#include "hub.h"

static gboolean
op_create_room (gpointer relay, const char *room_id, GError **error)
{
  return samtal_relay_create_room (relay, room_id, error);
}

static void
op_destroy_room (gpointer relay, const char *room_id)
{
  samtal_relay_destroy_room (relay, room_id);
}

static gboolean
op_add_participant (gpointer relay, const char *room_id, const char *pid, GError **error)
{
  return samtal_relay_add_participant (relay, room_id, pid, error);
}

static void
op_remove_participant (gpointer relay, const char *room_id, const char *pid)
{
  samtal_relay_remove_participant (relay, room_id, pid);
}

static gboolean
op_set_remote_description (gpointer relay, const char *room_id, const char *pid,
                           const char *type, const char *sdp, GError **error)
{
  return samtal_relay_set_remote_description (relay, room_id, pid, type, sdp, error);
}

static gboolean
op_add_remote_candidate (gpointer relay, const char *room_id, const char *pid, guint mline_index,
                         const char *candidate, GError **error)
{
  return samtal_relay_add_remote_candidate (relay, room_id, pid, mline_index, candidate, error);
}

static const SamtalHubRelayOps real_relay_ops = {
  op_create_room, op_destroy_room, op_add_participant, op_remove_participant,
  op_set_remote_description, op_add_remote_candidate,
};

SamtalHub *
samtal_hub_new (const guint8 *key, SamtalRelay *relay, const SamtalHubCallbacks *callbacks,
                gpointer user_data, const SamtalHubLimits *limits)
{
  return samtal_hub_new_with_ops (key, &real_relay_ops, relay, callbacks, user_data, limits);
}
