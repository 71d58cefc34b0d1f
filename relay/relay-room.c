/* relay-room.c — one GstPipeline per room and the forwarding between its participants.
 *
 * A publication is one track a participant sends: its webrtcbin src pad → tee (created here, on
 * the main context, before the offer is applied, so pad-added only links). A subscription
 * forwards one publication to one other participant: tee → queue (leaky) → capsfilter (generic
 * RTP caps, no ssrc/msid) → a sink pad of the subscriber's webrtcbin. Order matters (see
 * shared/notes/webrtcbin-relay.md): the branch is linked to the subscriber and brought to PLAYING
 * before the tee's new src pad is linked, else the tee sees FLUSHING and stops the publisher for
 * everyone. No element ever decodes or encodes: keyframe requests travel upstream through the tee
 * as force-key-unit events and leave the publisher's webrtcbin as PLI/FIR.
 */
#include "relay/relay-forward.h"
#include "relay/relay-ingress.h"
#include "relay/relay-sdp.h"

#include <string.h>

/* Finds the participant an element belongs to (its webrtcbin, tees and branches carry its tag).
 * An element of a removed participant belongs to no one, even if its id was added again. */
static SamtalRelayParticipant *
owner_of (SamtalRelayRoom *room, GstObject *obj)
{
  for (GstObject *o = obj; o != NULL; o = GST_OBJECT_PARENT (o)) {
    SamtalRelayTag *tag = g_object_get_data (G_OBJECT (o), "samtal-tag");
    if (tag != NULL) {
      SamtalRelayParticipant *p = g_hash_table_lookup (room->participants, tag->participant_id);
      return (p != NULL && p->tag == tag) ? p : NULL;
    }
  }
  return NULL;
}

void
samtal_relay_room_tag_element (GstElement *e, SamtalRelayParticipant *p)
{
  g_object_set_data_full (G_OBJECT (e), "samtal-tag", samtal_relay_tag_ref (p->tag),
                          (GDestroyNotify) samtal_relay_tag_unref);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  SamtalRelayRoom *room = user_data;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  g_autoptr (GError) err = NULL;
  g_autofree char *dbg = NULL;
  gst_message_parse_error (msg, &err, &dbg);
  SamtalRelayParticipant *p = owner_of (room, GST_MESSAGE_SRC (msg));
  if (p == NULL) {
    g_message ("relay: room %s: error from %s: %s", room->id, GST_MESSAGE_SRC_NAME (msg),
               err->message);
    return G_SOURCE_CONTINUE;
  }
  g_autofree char *reason = g_strdup_printf ("media error: %s", err->message);
  samtal_relay_fail_participant (p, reason);   /* may not touch room afterwards: it lives on */
  return G_SOURCE_CONTINUE;
}

/* webrtcbin 1.22 puts a clocksync (sync=TRUE) in front of each send stream: fine for a local
 * source, but the relay forwards packets that are already due, so each one only paid for a
 * clock wait (an allocation, locks, often a timer wake-up) on its way out. Any thread. */
static void
on_deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer user_data)
{
  GstElementFactory *f = gst_element_get_factory (element);
  if (f != NULL && g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (f)), "clocksync"))
    g_object_set (element, "sync", FALSE, NULL);
}

SamtalRelayRoom *
samtal_relay_room_new (SamtalRelay *relay, const char *id, GError **error)
{
  SamtalRelayRoom *room = g_new0 (SamtalRelayRoom, 1);
  g_autofree char *name = g_strdup_printf ("room-%s", id);

  room->relay = relay;
  room->id = g_strdup (id);
  room->participants = g_hash_table_new (g_str_hash, g_str_equal);
  room->teardowns = samtal_relay_pending_new ();
  room->pipeline = gst_pipeline_new (name);
  g_signal_connect (room->pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added),
                    NULL);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (room->pipeline));
  room->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (room->bus_source, (GSourceFunc) (void (*) (void)) on_bus_message, room, NULL);
  g_source_attach (room->bus_source, relay->context);
  if (gst_element_set_state (room->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "room %s: pipeline does not start", id);
    samtal_relay_room_free (room);
    return NULL;
  }
  return room;
}

/* Never blocks: the participants are detached one by one, and the pipeline stops on a teardown
 * thread once their teardowns ended. */
void
samtal_relay_room_free (SamtalRelayRoom *room)
{
  GHashTableIter it;
  gpointer value;

  g_source_destroy (room->bus_source);
  g_source_unref (room->bus_source);
  room->closing = TRUE;
  while (g_hash_table_size (room->participants) > 0) {
    g_hash_table_iter_init (&it, room->participants);
    g_hash_table_iter_next (&it, NULL, &value);
    SamtalRelayParticipant *p = value;
    g_hash_table_steal (room->participants, p->id);
    samtal_relay_room_detach_participant (p);
    samtal_relay_peer_free (p);
  }
  g_autofree char *what = g_strdup_printf ("room %s", room->id);
  SamtalRelayTeardown *td = samtal_relay_teardown_new (NULL, what);
  samtal_relay_teardown_wait_for (td, room->teardowns, SAMTAL_RELAY_ROOM_TEARDOWN_WAIT_MS);
  samtal_relay_teardown_stop (td, room->pipeline);
  samtal_relay_teardown_start (td, room->relay->teardowns, NULL);
  gst_object_unref (room->pipeline);
  samtal_relay_pending_unref (room->teardowns);
  g_hash_table_unref (room->participants);
  g_free (room->id);
  g_free (room);
}

SamtalRelayPublication *
samtal_relay_room_add_publication (SamtalRelayParticipant *p, const char *mid, const char *kind)
{
  SamtalRelayPublication *pub = g_new0 (SamtalRelayPublication, 1);

  pub->owner = p;
  pub->mid = g_strdup (mid);
  pub->kind = g_strdup (kind);
  pub->tee = gst_element_factory_make ("tee", NULL);
  g_object_set (pub->tee, "allow-not-linked", TRUE, NULL);
  samtal_relay_room_tag_element (pub->tee, p);
  gst_bin_add (GST_BIN (p->room->pipeline), gst_object_ref (pub->tee));
  gst_element_sync_state_with_parent (pub->tee);
  g_ptr_array_add (p->publications, pub);

  g_mutex_lock (&p->tag->lock);
  g_hash_table_insert (p->tag->tees, g_strdup (mid), gst_object_ref (pub->tee));
  g_mutex_unlock (&p->tag->lock);
  return pub;
}

/* The forwarded caps: the codec fields a receiver negotiates, without the publisher's ssrc,
 * msid, header extensions or its own session parameters. */
static GstCaps *
generic_caps (const GstCaps *caps)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  GstStructure *out = gst_structure_new_empty ("application/x-rtp");
  static const char *const keep_prefix[] = { "media", "encoding-name", "payload", "clock-rate",
                                             "encoding-params", "rtcp-fb-", "packetization-mode",
                                             "profile-level-id", "level-asymmetry-allowed",
                                             "minptime", "useinbandfec", "sprop-stereo", NULL };

  for (gint i = 0; i < gst_structure_n_fields (s); i++) {
    const char *name = gst_structure_nth_field_name (s, i);
    for (guint k = 0; keep_prefix[k] != NULL; k++) {
      if (g_str_has_prefix (name, keep_prefix[k])) {
        gst_structure_set_value (out, name, gst_structure_get_value (s, name));
        break;
      }
    }
  }
  return gst_caps_new_full (out, NULL);
}

/* caps plus the publisher's ssrc, if it has one. */
static GstCaps *
with_ssrc (const GstCaps *caps, const GstCaps *publisher)
{
  GstCaps *out = gst_caps_copy (caps);
  const GValue *ssrc = gst_structure_get_value (gst_caps_get_structure (publisher, 0), "ssrc");
  if (ssrc != NULL)
    gst_structure_set_value (gst_caps_get_structure (out, 0), "ssrc", ssrc);
  return out;
}

static SamtalRelayBranchCount *
branch_count_new (SamtalRelayTag *tag)
{
  SamtalRelayBranchCount *c = g_new0 (SamtalRelayBranchCount, 1);
  c->ref = 1;
  c->tag = samtal_relay_tag_ref (tag);
  return c;
}

SamtalRelayBranchCount *
samtal_relay_branch_count_ref (SamtalRelayBranchCount *c)
{
  g_atomic_int_inc (&c->ref);
  return c;
}

void
samtal_relay_branch_count_unref (SamtalRelayBranchCount *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref))
    return;
  samtal_relay_tag_unref (c->tag);
  g_free (c);
}

static guint64
packets_in (GstPadProbeInfo *info)
{
  return (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
             ? gst_buffer_list_length (GST_PAD_PROBE_INFO_BUFFER_LIST (info)) : 1;
}

/* Counts what the tee hands to a branch (its queue's sink pad). Any thread. */
static GstPadProbeReturn
count_into_branch (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SamtalRelayBranchCount *c = user_data;
  __atomic_fetch_add (&c->in, packets_in (info), __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

/* Counts what enters a subscriber's webrtcbin. While the subscriber renegotiates, drops it
 * instead: webrtcbin 1.22 deadlocked when its negotiation thread re-configured elements while a
 * forwarding thread was inside it (a signal handler waiting for the same lock). */
static GstPadProbeReturn
count_forwarded (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SamtalRelayBranchCount *c = user_data;
  guint64 n = packets_in (info);

  if (g_atomic_int_get (&c->tag->gate_closed)) {
    __atomic_fetch_add (&c->gated, n, __ATOMIC_RELAXED);
    return GST_PAD_PROBE_DROP;
  }
  __atomic_fetch_add (&c->out, n, __ATOMIC_RELAXED);
  __atomic_fetch_add (&c->tag->link->forwarded, n, __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

/* Requests a fresh sink pad whose index is past every existing transceiver, so webrtcbin
 * creates a new (send-only) m-line instead of reusing the participant's receiving one. */
static GstPad *
request_sink_pad (SamtalRelayParticipant *s)
{
  g_autoptr (GArray) transceivers = NULL;
  g_signal_emit_by_name (s->webrtc, "get-transceivers", &transceivers);
  if (transceivers != NULL && transceivers->len > s->next_sink)
    s->next_sink = transceivers->len;
  g_autofree char *name = g_strdup_printf ("sink_%u", s->next_sink++);
  return gst_element_request_pad_simple (s->webrtc, name);
}

/* Direct forwarding: pub's stream, made at its first subscription, and its publisher's input
 * probe. NULL (logged) if its caps have no ssrc or the publisher has no RTP session yet. */
static SamtalRelayStream *
ensure_stream (SamtalRelayPublication *pub)
{
  SamtalRelayParticipant *p = pub->owner;
  const GstStructure *st = gst_caps_get_structure (pub->caps, 0);
  guint ssrc = 0;
  gint payload = -1;

  if (pub->stream != NULL)
    return pub->stream;
  if (!gst_structure_get_uint (st, "ssrc", &ssrc) || !gst_structure_get_int (st, "payload", &payload) ||
      !samtal_relay_input_attach (p->input, p->webrtc, p->room->relay->own_srtp)) {
    g_message ("relay: room %s: cannot forward %s's %s (no ssrc or RTP session)", p->room->id, p->id,
               pub->kind);
    return NULL;
  }
  pub->stream = samtal_relay_stream_new (ssrc, (guint) payload, g_str_equal (pub->kind, "video"));
  samtal_relay_input_add_stream (p->input, pub->stream);
  return pub->stream;
}

static void
subscribe (SamtalRelayParticipant *s, SamtalRelayPublication *pub)
{
  GstBin *bin = GST_BIN (s->room->pipeline);
  g_autoptr (GstCaps) caps = generic_caps (pub->caps);
  g_autoptr (GstCaps) prefs = with_ssrc (caps, pub->caps);

  if (s->room->relay->direct && ensure_stream (pub) == NULL)
    return;
  SamtalRelaySubscription *sub = g_new0 (SamtalRelaySubscription, 1);
  sub->subscriber = s;
  sub->pub = pub;
  sub->prefs = gst_caps_ref (prefs);
  sub->count = branch_count_new (s->tag);
  g_ptr_array_add (s->subscriptions, sub);
  if (s->room->relay->direct)
    return;   /* the route is made once s answered (samtal_relay_room_start_forwarding) */
  sub->queue = gst_element_factory_make ("queue", NULL);
  g_object_set (sub->queue, "max-size-buffers", SAMTAL_RELAY_QUEUE_MAX_BUFFERS,
                "max-size-bytes", 0, "max-size-time", (guint64) 0, "leaky", 2,
                "silent", TRUE, NULL);   /* else 3 signal emissions per forwarded packet */
  sub->capsfilter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (sub->capsfilter, "caps", caps, NULL);
  samtal_relay_room_tag_element (sub->queue, s);
  samtal_relay_room_tag_element (sub->capsfilter, s);
  gst_bin_add_many (bin, gst_object_ref (sub->queue), gst_object_ref (sub->capsfilter), NULL);
  gst_element_link (sub->queue, sub->capsfilter);

  g_autoptr (GstPad) in = gst_element_get_static_pad (sub->queue, "sink");
  gst_pad_add_probe (in, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     count_into_branch, samtal_relay_branch_count_ref (sub->count),
                     (GDestroyNotify) samtal_relay_branch_count_unref);
  g_autoptr (GstPad) out = gst_element_get_static_pad (sub->capsfilter, "src");
  gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     count_forwarded, samtal_relay_branch_count_ref (sub->count),
                     (GDestroyNotify) samtal_relay_branch_count_unref);
  gst_element_sync_state_with_parent (sub->capsfilter);
  gst_element_sync_state_with_parent (sub->queue);
  /* The tee is linked once the subscriber answered (samtal_relay_room_start_forwarding): until
   * then webrtcbin's sink pad leads nowhere, and not-linked would travel back up the tee and
   * stop the publisher's whole receive path. */
}

/* Gives sub its own sink pad on the subscriber's webrtcbin: a new send-only m-line carrying the
 * publisher's codec and ssrc. Only from samtal_relay_room_prepare_offer. */
static void
attach_sink (SamtalRelaySubscription *sub)
{
  SamtalRelayParticipant *s = sub->subscriber;
  g_autoptr (GstPad) out = sub->capsfilter ? gst_element_get_static_pad (sub->capsfilter, "src")
                                           : NULL;

  sub->sink_pad = request_sink_pad (s);
  if (sub->sink_pad == NULL || (out != NULL && gst_pad_link (out, sub->sink_pad) != GST_PAD_LINK_OK)) {
    g_message ("relay: cannot link a forwarding branch into %s", s->id);
    return;
  }
  g_object_get (sub->sink_pad, "transceiver", &sub->trans, NULL);
  /* The ssrc in the preferences puts a=ssrc in the offer before any packet flowed. NACK/RTX
   * only for video: an RTX group on an audio m-line makes Chromium refuse the whole offer
   * ("Failed to add remote stream ssrc … media_type: audio"). */
  if (sub->trans != NULL)
    g_object_set (sub->trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                  "do-nack", g_strcmp0 (sub->pub->kind, "video") == 0, "codec-preferences",
                  sub->prefs, NULL);
}

void
samtal_relay_room_prepare_offer (SamtalRelayParticipant *s)
{
  for (guint i = 0; i < s->retiring->len; i++)
    g_object_set (g_ptr_array_index (s->retiring, i), "direction",
                  GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, NULL);
  g_ptr_array_set_size (s->retiring, 0);
  for (guint i = 0; i < s->subscriptions->len; i++) {
    SamtalRelaySubscription *sub = g_ptr_array_index (s->subscriptions, i);
    if (sub->sink_pad == NULL)
      attach_sink (sub);
  }
}

static void
main_fail (SamtalRelayParticipant *p, gpointer data)
{
  samtal_relay_fail_participant (p, data);
}

/* The RTX stream the relay's offer declared for sub's m-line (webrtcbin makes one for video
 * transceivers with do-nack), if the answer accepted its payload type: NACKed packets are resent
 * on it. (A receiver that did not accept RTX would take RTX packets for a stream of their own.) */
static void
set_rtx (SamtalRelaySubscription *sub, GstWebRTCSessionDescription *offer,
         GstWebRTCSessionDescription *answer)
{
  g_autofree char *mid = NULL;
  guint32 rtx_ssrc;
  guint rtx_pt;
  SamtalRelayStream *st = sub->pub->stream;

  if (offer == NULL || offer->sdp == NULL || answer == NULL || answer->sdp == NULL ||
      sub->trans == NULL)
    return;
  g_object_get (sub->trans, "mid", &mid, NULL);
  if (samtal_relay_sdp_find_rtx (offer->sdp, mid, samtal_relay_stream_ssrc (st),
                                 samtal_relay_stream_payload (st), &rtx_ssrc, &rtx_pt) &&
      samtal_relay_sdp_has_format (answer->sdp, mid, rtx_pt))
    samtal_relay_route_set_rtx (sub->route, rtx_ssrc, rtx_pt);
}

/* Direct forwarding: routes into s for the subscriptions its answer accepted. */
static void
start_routes (SamtalRelayParticipant *s)
{
  g_autoptr (GError) error = NULL;

  if (s->out == NULL) {
    s->out = samtal_relay_out_new (s->webrtc, s->room->relay->link, s->room->relay->own_srtp,
                                   &error);
    if (s->out != NULL && s->ingress != NULL)
      samtal_relay_out_set_path (s->out, samtal_relay_ingress_path (s->ingress));
  }
  if (s->out == NULL) {
    samtal_relay_invoke (s->tag, main_fail, g_strdup_printf ("cannot forward media: %s",
                                                             error->message), g_free);
    return;
  }
  g_autoptr (GstWebRTCSessionDescription) offer = NULL;
  g_autoptr (GstWebRTCSessionDescription) answer = NULL;
  g_object_get (s->webrtc, "current-local-description", &offer, "current-remote-description",
                &answer, NULL);
  for (guint i = 0; i < s->subscriptions->len; i++) {
    SamtalRelaySubscription *sub = g_ptr_array_index (s->subscriptions, i);
    if (sub->route != NULL || !sub->in_offer || sub->sink_pad == NULL)
      continue;
    sub->route = samtal_relay_route_new (sub->pub->stream, s->out, sub->count);
    set_rtx (sub, offer, answer);
    samtal_relay_route_start (sub->route);
  }
}

void
samtal_relay_room_start_forwarding (SamtalRelayParticipant *s)
{
  if (!s->verified)
    return;
  if (s->room->relay->direct) {
    start_routes (s);
    return;
  }
  for (guint i = 0; i < s->subscriptions->len; i++) {
    SamtalRelaySubscription *sub = g_ptr_array_index (s->subscriptions, i);
    if (sub->tee_pad != NULL || !sub->in_offer || sub->sink_pad == NULL)
      continue;
    sub->tee_pad = gst_element_request_pad_simple (sub->pub->tee, "src_%u");
    g_autoptr (GstPad) in = gst_element_get_static_pad (sub->queue, "sink");
    if (gst_pad_link (sub->tee_pad, in) != GST_PAD_LINK_OK)
      g_message ("relay: cannot link %s's %s tee to %s", sub->pub->owner->id, sub->pub->kind,
                 s->id);
  }
}

static gboolean
is_subscribed (SamtalRelayParticipant *s, SamtalRelayPublication *pub)
{
  for (guint i = 0; i < s->subscriptions->len; i++)
    if (((SamtalRelaySubscription *) g_ptr_array_index (s->subscriptions, i))->pub == pub)
      return TRUE;
  return FALSE;
}

void
samtal_relay_room_publication_live (SamtalRelayPublication *pub)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, pub->owner->room->participants);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRelayParticipant *s = value;
    if (s == pub->owner || !s->ready || is_subscribed (s, pub))
      continue;
    subscribe (s, pub);
    samtal_relay_peer_request_offer (s);
  }
}

void
samtal_relay_room_subscribe_all (SamtalRelayParticipant *p)
{
  GHashTableIter it;
  gpointer value;
  gboolean changed = FALSE;

  g_hash_table_iter_init (&it, p->room->participants);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRelayParticipant *other = value;
    if (other == p)
      continue;
    for (guint i = 0; i < other->publications->len; i++) {
      SamtalRelayPublication *pub = g_ptr_array_index (other->publications, i);
      if (pub->caps != NULL && other->verified && !is_subscribed (p, pub)) {
        subscribe (p, pub);
        changed = TRUE;
      }
    }
  }
  if (changed)
    samtal_relay_peer_request_offer (p);
}

static GstPadProbeReturn
drop_all (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_PAD_PROBE_DROP;
}

/* Cuts one forwarding branch out of the graph without waiting for any streaming thread: from
 * now on its capsfilter drops whatever the queue still pushes, the tee's src pad is unlinked
 * (the tee ignores not-linked, allow-not-linked), and the elements go to td, which stops them
 * and releases the tee's pad on its own thread. If the subscriber stays, its transceiver becomes
 * inactive (its next offer no longer sends the track) and its sink pad is only unlinked: it is
 * released by the subscriber's own teardown, once its webrtcbin stopped (releasing it from a
 * running rtpbin raced with its RTCP thread). A removed subscriber's sink pad goes to td. */
static void
detach_pipeline_branch (SamtalRelaySubscription *sub, SamtalRelayTeardown *td)
{
  g_autoptr (GstPad) out = gst_element_get_static_pad (sub->capsfilter, "src");
  g_autoptr (GstPad) in = gst_element_get_static_pad (sub->queue, "sink");

  gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, drop_all, NULL, NULL);
  if (sub->tee_pad != NULL) {
    gst_pad_unlink (sub->tee_pad, in);
    samtal_relay_teardown_release_early (td, sub->pub->tee, g_steal_pointer (&sub->tee_pad));
  }
  samtal_relay_teardown_stop (td, sub->queue);
  samtal_relay_teardown_stop (td, sub->capsfilter);
  if (sub->sink_pad != NULL)
    gst_pad_unlink (out, sub->sink_pad);
  gst_object_unref (sub->queue);
  gst_object_unref (sub->capsfilter);
}

static void
detach_branch (SamtalRelaySubscription *sub, SamtalRelayTeardown *td, gboolean subscriber_stays)
{
  if (sub->route != NULL)
    samtal_relay_route_free (sub->route);
  if (sub->queue != NULL)
    detach_pipeline_branch (sub, td);
  if (sub->trans != NULL) {
    if (subscriber_stays)   /* made inactive right before its next offer */
      g_ptr_array_add (sub->subscriber->retiring, g_steal_pointer (&sub->trans));
    else
      gst_object_unref (sub->trans);
  }
  if (sub->sink_pad != NULL) {
    if (subscriber_stays)
      g_ptr_array_add (sub->subscriber->retired_pads, sub->sink_pad);
    else
      samtal_relay_teardown_release_late (td, sub->subscriber->webrtc, sub->sink_pad);
  }
  gst_caps_unref (sub->prefs);
  samtal_relay_branch_count_unref (sub->count);
  g_free (sub);
}

/* Detaches every subscription of others to p's publications and renegotiates them (unless the
 * room is closing). */
static void
detach_subscribers_of (SamtalRelayParticipant *p, SamtalRelayTeardown *td)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, p->room->participants);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRelayParticipant *s = value;
    gboolean changed = FALSE;
    for (guint i = s->subscriptions->len; i > 0; i--) {
      SamtalRelaySubscription *sub = g_ptr_array_index (s->subscriptions, i - 1);
      if (sub->pub->owner != p)
        continue;
      g_ptr_array_remove_index (s->subscriptions, i - 1);
      detach_branch (sub, td, TRUE);
      changed = TRUE;
    }
    if (changed && !p->room->closing)
      samtal_relay_peer_request_offer (s);
  }
}

/* p's own tees and retired sink pads (released once its webrtcbin stopped) go to td. */
static void
hand_over_elements (SamtalRelayParticipant *p, SamtalRelayTeardown *td)
{
  for (guint i = 0; i < p->retired_pads->len; i++)
    samtal_relay_teardown_release_late (td, p->webrtc,
                                        gst_object_ref (g_ptr_array_index (p->retired_pads, i)));
  g_ptr_array_set_size (p->retired_pads, 0);
  for (guint i = 0; i < p->publications->len; i++) {
    SamtalRelayPublication *pub = g_ptr_array_index (p->publications, i);
    samtal_relay_teardown_stop (td, pub->tee);
    gst_object_unref (pub->tee);
    if (pub->caps != NULL)
      gst_caps_unref (pub->caps);
    samtal_relay_stream_unref (pub->stream);
    g_free (pub->mid);
    g_free (pub->kind);
    g_free (pub);
  }
  g_ptr_array_set_size (p->publications, 0);
  g_mutex_lock (&p->tag->lock);
  g_hash_table_remove_all (p->tag->tees);
  g_mutex_unlock (&p->tag->lock);
}

void
samtal_relay_room_detach_participant (SamtalRelayParticipant *p)
{
  g_autofree char *what = g_strdup_printf ("participant %s of room %s", p->id, p->room->id);
  SamtalRelayTeardown *td = samtal_relay_teardown_new (p->room->pipeline, what);

  samtal_relay_peer_disconnect (p);   /* no more callbacks from its webrtcbin */
  if (p->ingress != NULL)   /* its reader stops before its webrtcbin does */
    samtal_relay_teardown_call_first (td, (GDestroyNotify) samtal_relay_ingress_stop,
                                      g_steal_pointer (&p->ingress));
  if (p->input != NULL)
    samtal_relay_input_close (p->input);   /* its packets are forwarded no more */
  if (p->out != NULL)
    samtal_relay_out_close (p->out);       /* nothing enters its encoder any more */
  if (p->webrtc != NULL)
    samtal_relay_teardown_stop (td, p->webrtc);   /* stops first: nothing enters its tees */
  /* What p receives: cut off from the others' tees. */
  for (guint i = 0; i < p->subscriptions->len; i++)
    detach_branch (g_ptr_array_index (p->subscriptions, i), td, FALSE);
  g_ptr_array_set_size (p->subscriptions, 0);
  /* What p sends: cut off from its subscribers. */
  detach_subscribers_of (p, td);
  if (p->webrtc != NULL)
    hand_over_elements (p, td);
  samtal_relay_teardown_start (td, p->room->teardowns, p->room->relay->teardowns);
}

guint
samtal_relay_room_own_readers (SamtalRelayRoom *room)
{
  GHashTableIter it;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&it, room->participants);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRelayParticipant *p = value;
    if (p->ingress != NULL && samtal_relay_ingress_state (p->ingress) == SAMTAL_RELAY_INGRESS_READING)
      n++;
  }
  return n;
}

char **
samtal_relay_room_list_factories (SamtalRelayRoom *room)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (room->pipeline));
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (e);
    const char *name = f ? gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (f)) : NULL;
    if (name != NULL && !g_hash_table_contains (seen, name)) {
      g_hash_table_add (seen, (gpointer) name);
      g_ptr_array_add (names, g_strdup (name));
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* Packets are handed to the branch (or route) now. */
static gboolean
sub_flowing (SamtalRelaySubscription *sub)
{
  return sub->route != NULL ? samtal_relay_route_flowing (sub->route) : sub->tee_pad != NULL;
}

static const char *
neg_name (SamtalNegState neg)
{
  switch (neg) {
  case SAMTAL_NEG_AWAIT_OFFER: return "awaiting its offer";
  case SAMTAL_NEG_STABLE: return "stable";
  case SAMTAL_NEG_ANSWERING: return "answering";
  case SAMTAL_NEG_OFFERING: return "offering";
  default: return "?";
  }
}

char *
samtal_relay_room_describe (SamtalRelayRoom *room)
{
  GString *out = g_string_new (NULL);
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, room->participants);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRelayParticipant *s = value;
    g_string_append_printf (out, "%s: %s%s%s, gate %s", s->id, neg_name (s->neg),
                            s->ready ? ", ready" : "", s->verified ? ", verified" : "",
                            g_atomic_int_get (&s->tag->gate_closed) ? "closed" : "open");
    if (s->ingress != NULL) {
      guint64 datagrams = 0, answered = 0;
      samtal_relay_ingress_counts (s->ingress, &datagrams, &answered);
      g_string_append_printf (out, ", reader %s (%" G_GUINT64_FORMAT " datagrams, %"
                              G_GUINT64_FORMAT " STUN answered, port %u)",
                              samtal_relay_ingress_state_string (
                                  samtal_relay_ingress_state (s->ingress)),
                              datagrams, answered, samtal_relay_ingress_local_port (s->ingress));
    }
    g_string_append_c (out, '\n');
    for (guint i = 0; i < s->subscriptions->len; i++) {
      SamtalRelaySubscription *sub = g_ptr_array_index (s->subscriptions, i);
      guint level = 0;
      if (sub->queue != NULL)
        g_object_get (sub->queue, "current-level-buffers", &level, NULL);
      g_string_append_printf (
          out, "  %s <- %s %s: into branch %" G_GUINT64_FORMAT ", into webrtcbin %"
          G_GUINT64_FORMAT ", gated %" G_GUINT64_FORMAT ", queued %u%s%s%s\n", s->id,
          sub->pub->owner->id, sub->pub->kind, __atomic_load_n (&sub->count->in, __ATOMIC_RELAXED),
          __atomic_load_n (&sub->count->out, __ATOMIC_RELAXED),
          __atomic_load_n (&sub->count->gated, __ATOMIC_RELAXED), level,
          sub_flowing (sub) ? ", linked" : ", not linked", sub->in_offer ? ", in offer" : "",
          sub->sink_pad == NULL ? ", no sink pad" : "");
    }
  }
  return g_string_free (out, FALSE);
}

/* One stall check of sub: TRUE once it has been stuck for SAMTAL_RELAY_STALL_TICKS checks. A
 * branch whose tee keeps feeding it while nothing leaves it into the subscriber (nor is dropped
 * by the gate) has a queue thread that cannot deliver: blocked inside the subscriber's webrtcbin,
 * or paused by an error. Only linked branches count (before that, nothing is fed). */
static gboolean
branch_stalled (SamtalRelaySubscription *sub)
{
  guint64 in = __atomic_load_n (&sub->count->in, __ATOMIC_RELAXED);
  guint64 done = __atomic_load_n (&sub->count->out, __ATOMIC_RELAXED) +
                 __atomic_load_n (&sub->count->gated, __ATOMIC_RELAXED);
  gboolean stuck = sub_flowing (sub) && in - sub->seen_in >= SAMTAL_RELAY_STALL_MIN_PACKETS &&
                   done == sub->seen_done;
  sub->seen_in = in;
  sub->seen_done = done;
  sub->stalled_ticks = stuck ? sub->stalled_ticks + 1 : 0;
  return sub->stalled_ticks >= SAMTAL_RELAY_STALL_TICKS;
}

/* The relay's offer to s has waited longer than the relay's answer timeout. */
static gboolean
answer_overdue (SamtalRelayParticipant *s, gint64 now)
{
  return s->neg == SAMTAL_NEG_OFFERING && s->offer_sent &&
         now - s->offer_sent_at > (gint64) s->room->relay->answer_timeout_s * G_USEC_PER_SEC;
}

char **
samtal_relay_room_check_stalls (SamtalRelayRoom *room)
{
  g_autoptr (GPtrArray) stalled = g_ptr_array_new ();
  GHashTableIter it;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&it, room->participants);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    SamtalRelayParticipant *s = value;
    gboolean any = answer_overdue (s, now);
    for (guint i = 0; i < s->subscriptions->len; i++)
      any |= branch_stalled (g_ptr_array_index (s->subscriptions, i));
    if (any)
      g_ptr_array_add (stalled, g_strdup (s->id));
  }
  g_ptr_array_add (stalled, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&stalled), FALSE);
}
