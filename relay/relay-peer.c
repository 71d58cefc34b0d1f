/* relay-peer.c — one participant's webrtcbin and its negotiation.
 *
 * The participant offers first (what it sends); the relay answers receive-only. From then on only
 * the relay offers, whenever the set of forwarded tracks changes, and never while an offer is
 * out: changes are queued in needs_offer until the answer is applied. webrtcbin's signals and
 * promise callbacks run on GStreamer threads; they only link pads (pad-added) or copy data and
 * hop to the main context with samtal_relay_invoke(), where the participant is looked up again.
 */
#include "relay/relay-forward.h"
#include "relay/relay-ingress.h"
#include "relay/relay-sdp.h"

#include <gst/rtp/rtp.h>
#include <string.h>

#define MAX_MLINE_INDEX 64

/* ---- data carried from streaming threads to the main context ---- */

typedef struct {
  guint mline;
  char *candidate;
} CandidateMsg;

static void
candidate_msg_free (CandidateMsg *m)
{
  g_free (m->candidate);
  g_free (m);
}

typedef struct {
  char *mid;
  GstCaps *caps;
  SamtalRelayTag *tag;   /* while it waits for the first packet */
} LiveMsg;

static void
live_msg_free (LiveMsg *m)
{
  g_free (m->mid);
  if (m->caps != NULL)
    gst_caps_unref (m->caps);
  if (m->tag != NULL)
    samtal_relay_tag_unref (m->tag);
  g_free (m);
}

/* A promise callback's user data: the tag, plus the SDP that is being set locally. For the
 * participant's offer, accept lists its m-lines with the one codec the relay accepts on each. */
typedef struct {
  SamtalRelayTag *tag;
  GstElement *webrtc;
  GstWebRTCSDPType type;
  char *sdp;
  GPtrArray *accept;   /* SamtalRelaySdpMedia, or NULL */
} PromiseCtx;

static PromiseCtx *
promise_ctx_new (SamtalRelayTag *tag, GstElement *webrtc, GstWebRTCSDPType type, char *sdp)
{
  PromiseCtx *c = g_new0 (PromiseCtx, 1);
  c->tag = samtal_relay_tag_ref (tag);
  c->webrtc = webrtc ? gst_object_ref (webrtc) : NULL;
  c->type = type;
  c->sdp = sdp;
  return c;
}

static void
promise_ctx_free (gpointer ptr)
{
  PromiseCtx *c = ptr;
  samtal_relay_tag_unref (c->tag);
  if (c->webrtc != NULL)
    gst_object_unref (c->webrtc);
  g_free (c->sdp);
  if (c->accept != NULL)
    g_ptr_array_unref (c->accept);
  g_free (c);
}

/* Marks a subscription's transceiver whose m-line the subscriber's answer rejected (for
 * instance an H.264 track offered to a participant that only takes VP8): it is never linked. */
static gboolean
is_rejected (SamtalRelaySubscription *sub)
{
  return sub->trans != NULL && g_object_get_data (G_OBJECT (sub->trans), "samtal-rejected") != NULL;
}

static gboolean
has_rejected (SamtalRelayParticipant *p)
{
  for (guint i = 0; i < p->subscriptions->len; i++)
    if (is_rejected (g_ptr_array_index (p->subscriptions, i)))
      return TRUE;
  return FALSE;
}

/* ---- main-context handlers ---- */

static void
main_fail (SamtalRelayParticipant *p, gpointer data)
{
  samtal_relay_fail_participant (p, data);
}

static void
fail_later (SamtalRelayTag *tag, const char *reason)
{
  samtal_relay_invoke (tag, main_fail, g_strdup (reason), g_free);
}

static gboolean has_rejected (SamtalRelayParticipant *p);

/* Every change of p's tracks requests an offer itself (relay-room.c); this is a safety net. It
 * is off while p has a rejected m-line: webrtcbin 1.22 never associates a transceiver whose
 * m-line was answered with port 0 and asks for negotiation again after every answer, which
 * would make the relay and the participant offer and answer in a loop. */
static void
main_negotiation_needed (SamtalRelayParticipant *p, gpointer data)
{
  if (p->ready && !has_rejected (p))   /* before p's own offer: webrtcbin's early call */
    samtal_relay_peer_request_offer (p);
}

static void
main_local_candidate (SamtalRelayParticipant *p, gpointer data)
{
  CandidateMsg *m = data;
  SamtalRelay *relay = p->room->relay;
  if (relay->events.local_candidate != NULL)
    relay->events.local_candidate (p->room->id, p->id, m->mline, m->candidate, relay->user_data);
}

static void
main_publication_live (SamtalRelayParticipant *p, gpointer data)
{
  LiveMsg *m = data;
  for (guint i = 0; i < p->publications->len; i++) {
    SamtalRelayPublication *pub = g_ptr_array_index (p->publications, i);
    if (g_str_equal (pub->mid, m->mid) && pub->caps == NULL && m->caps != NULL) {
      pub->caps = gst_caps_ref (m->caps);
      if (p->verified)
        samtal_relay_room_publication_live (pub);
      return;
    }
  }
}

static const char *
connection_state_name (GstWebRTCPeerConnectionState s)
{
  switch (s) {
  case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING: return "connecting";
  case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED: return "connected";
  case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED: return "failed";
  case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED: return "closed";
  default: return NULL;
  }
}

static void
main_connection_state (SamtalRelayParticipant *p, gpointer data)
{
  GstWebRTCPeerConnectionState s = GPOINTER_TO_INT (data);
  SamtalRelay *relay = p->room->relay;
  const char *name = connection_state_name (s);
  SamtalRelayTag *tag = samtal_relay_tag_ref (p->tag);

  if (name != NULL && relay->events.connection_state != NULL)
    relay->events.connection_state (p->room->id, p->id, name, relay->user_data);
  /* The callback may have removed p: look it up again before failing it. */
  if (s == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    fail_later (tag, "connection failed (ICE or DTLS)");
  samtal_relay_tag_unref (tag);
}

static SamtalRelayTrack *
track_map (SamtalRelayParticipant *p, const GstSDPMessage *sdp, guint *n_out)
{
  SamtalRelayTrack *tracks = g_new0 (SamtalRelayTrack, p->subscriptions->len + 1);
  guint n = 0;

  for (guint i = 0; i < p->subscriptions->len; i++) {
    SamtalRelaySubscription *sub = g_ptr_array_index (p->subscriptions, i);
    g_autofree char *mid = NULL;
    guint mline = G_MAXUINT;
    if (sub->trans == NULL || is_rejected (sub))
      continue;
    g_object_get (sub->trans, "mid", &mid, "mlineindex", &mline, NULL);
    if (mid == NULL && sdp != NULL && mline < gst_sdp_message_medias_len (sdp))
      mid = g_strdup (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (sdp, mline),
                                                       "mid"));
    if (mid == NULL)
      continue;
    tracks[n].mid = g_steal_pointer (&mid);
    tracks[n].source_participant_id = g_strdup (sub->pub->owner->id);
    tracks[n].kind = g_strdup (sub->pub->kind);
    n++;
  }
  *n_out = n;
  return tracks;
}

static void
tracks_free (SamtalRelayTrack *tracks, guint n)
{
  for (guint i = 0; i < n; i++) {
    g_free (tracks[i].mid);
    g_free (tracks[i].source_participant_id);
    g_free (tracks[i].kind);
  }
  g_free (tracks);
}

static void maybe_offer (SamtalRelayParticipant *p);

/* The participant's certificate matched: its tracks go out, others' tracks come in. */
static void
main_verified (SamtalRelayParticipant *p, gpointer data)
{
  if (p->verified)
    return;
  p->verified = TRUE;
  if (p->room->relay->own_srtp && p->ingress == NULL) {
    g_autofree char *who = g_strdup_printf ("participant %s of room %s", p->id, p->room->id);
    p->ingress = samtal_relay_ingress_start (p->webrtc, p->room->relay->link, who);
  }
  g_autoptr (GPtrArray) live = g_ptr_array_new ();
  for (guint i = 0; i < p->publications->len; i++)
    if (((SamtalRelayPublication *) g_ptr_array_index (p->publications, i))->caps != NULL)
      g_ptr_array_add (live, g_ptr_array_index (p->publications, i));
  for (guint i = 0; i < live->len; i++)
    samtal_relay_room_publication_live (g_ptr_array_index (live, i));
  /* With a relay offer out, its answer links the branches (main_answer_applied): linking now
   * would send into m-lines the participant may yet reject, and a webrtcbin participant fails
   * on packets for a rejected m-line ("Internal data stream error"). */
  if (p->neg == SAMTAL_NEG_STABLE)
    samtal_relay_room_start_forwarding (p);
}

/* Any thread. webrtcbin 1.22 accepts any certificate: compare it with the offer's fingerprint. */
static void
on_dtls_state (GObject *transport, GParamSpec *pspec, gpointer user_data)
{
  SamtalRelayTag *tag = user_data;
  GstWebRTCDTLSTransportState state;
  g_autofree char *pem = NULL;

  g_object_get (transport, "state", &state, NULL);
  if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_FAILED) {
    fail_later (tag, "DTLS failed");
    return;
  }
  if (state != GST_WEBRTC_DTLS_TRANSPORT_STATE_CONNECTED)
    return;
  g_object_get (transport, "remote-certificate", &pem, NULL);
  g_autofree char *got = samtal_relay_pem_fingerprint (pem);
  g_mutex_lock (&tag->lock);
  gboolean ok = got != NULL && tag->fingerprint != NULL && g_str_equal (got, tag->fingerprint);
  g_mutex_unlock (&tag->lock);
  if (!ok)
    fail_later (tag, "DTLS certificate does not match the fingerprint of the offer");
  else
    samtal_relay_invoke (tag, main_verified, NULL, NULL);
}

static void
watch_dtls (SamtalRelayParticipant *p)
{
  g_autoptr (GArray) transceivers = NULL;
  g_autoptr (GstWebRTCRTPReceiver) receiver = NULL;

  g_signal_emit_by_name (p->webrtc, "get-transceivers", &transceivers);
  if (p->dtls != NULL || transceivers == NULL || transceivers->len == 0)
    return;
  g_object_get (g_array_index (transceivers, GstWebRTCRTPTransceiver *, 0), "receiver",
                &receiver, NULL);
  if (receiver != NULL)
    g_object_get (receiver, "transport", &p->dtls, NULL);
  if (p->dtls == NULL) {
    g_message ("relay: %s: no DTLS transport to watch", p->id);
    return;
  }
  g_signal_connect_data (p->dtls, "notify::state", G_CALLBACK (on_dtls_state),
                         samtal_relay_tag_ref (p->tag),
                         (GClosureNotify) (void (*) (void)) samtal_relay_tag_unref, 0);
  on_dtls_state (p->dtls, NULL, p->tag);   /* it may have connected already */
}

static void
main_local_description_set (SamtalRelayParticipant *p, gpointer data)
{
  PromiseCtx *c = data;
  SamtalRelay *relay = p->room->relay;
  g_autoptr (GstSDPMessage) sdp = NULL;
  SamtalRelayTrack *tracks = NULL;
  guint n = 0;
  g_autofree char *room_id = g_strdup (p->room->id);
  g_autofree char *pid = g_strdup (p->id);

  if (c->type == GST_WEBRTC_SDP_TYPE_ANSWER) {
    p->neg = SAMTAL_NEG_STABLE;
    p->ready = TRUE;
    watch_dtls (p);
  } else {
    gst_sdp_message_new_from_text (c->sdp, &sdp);
    p->offered_media = sdp ? gst_sdp_message_medias_len (sdp) : 0;
    p->offer_sent = TRUE;
    p->offer_sent_at = g_get_monotonic_time ();
    tracks = track_map (p, sdp, &n);
  }
  if (relay->events.local_description != NULL)
    relay->events.local_description (room_id, pid,
                                     c->type == GST_WEBRTC_SDP_TYPE_ANSWER ? "answer" : "offer",
                                     c->sdp, tracks, n, relay->user_data);
  tracks_free (tracks, n);
  if (c->type != GST_WEBRTC_SDP_TYPE_ANSWER)
    return;
  /* The callback may have removed p: look it up again before subscribing it to the others. */
  SamtalRelayRoom *room = g_hash_table_lookup (relay->rooms, room_id);
  SamtalRelayParticipant *again = room ? g_hash_table_lookup (room->participants, pid) : NULL;
  if (again == p && again->tag == c->tag)
    samtal_relay_room_subscribe_all (p);
}

static void
main_answer_applied (SamtalRelayParticipant *p, gpointer data)
{
  p->neg = SAMTAL_NEG_STABLE;
  g_atomic_int_set (&p->tag->gate_closed, 0);
  samtal_relay_room_start_forwarding (p);
  maybe_offer (p);
}

/* ---- streaming-thread callbacks: copy, link, hop ---- */

static gboolean
reply_failed (GstPromise *promise, SamtalRelayTag *tag, const char *what)
{
  GstPromiseResult r = gst_promise_wait (promise);
  const GstStructure *reply = r == GST_PROMISE_RESULT_REPLIED ? gst_promise_get_reply (promise)
                                                              : NULL;
  g_autoptr (GError) err = NULL;

  if (r != GST_PROMISE_RESULT_REPLIED) {
    g_autofree char *reason = g_strdup_printf ("%s: no reply", what);
    fail_later (tag, reason);
    return TRUE;
  }
  if (reply != NULL && gst_structure_has_field (reply, "error")) {
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
    g_autofree char *reason = g_strdup_printf ("%s: %s", what, err ? err->message : "error");
    fail_later (tag, reason);
    return TRUE;
  }
  return FALSE;
}

static void
on_local_set (GstPromise *promise, gpointer user_data)
{
  PromiseCtx *c = user_data;
  if (!reply_failed (promise, c->tag, "setting the local description"))
    samtal_relay_invoke (c->tag, main_local_description_set,
                         promise_ctx_new (c->tag, NULL, c->type, g_strdup (c->sdp)), promise_ctx_free);
  gst_promise_unref (promise);
}

/* Applies a description webrtcbin created (offer or answer) as the local one. */
static void
on_created (GstPromise *promise, gpointer user_data)
{
  PromiseCtx *c = user_data;
  const char *field = c->type == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer";
  GstWebRTCSessionDescription *desc = NULL;

  if (reply_failed (promise, c->tag, "creating a description")) {
    gst_promise_unref (promise);
    return;
  }
  gst_structure_get (gst_promise_get_reply (promise), field,
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  gst_promise_unref (promise);
  if (desc == NULL) {
    fail_later (c->tag, "webrtcbin created no description");
    return;
  }
  char *text = gst_sdp_message_as_text (desc->sdp);
  GstPromise *set = gst_promise_new_with_change_func (
      on_local_set, promise_ctx_new (c->tag, NULL, c->type, text), promise_ctx_free);
  g_signal_emit_by_name (c->webrtc, "set-local-description", desc, set);
  gst_webrtc_session_description_free (desc);
}

/* Codec preferences that make webrtcbin answer m-line mid with the one codec the relay picked
 * (relay-sdp.c: Opus; VP8, else H.264), or NULL. Without them webrtcbin 1.22 answers with every
 * codec offered, so a participant offering VP8 and H.264 might send either. */
static GstCaps *
accepted_caps (GPtrArray *accept, const char *mid)
{
  for (guint i = 0; accept != NULL && mid != NULL && i < accept->len; i++) {
    SamtalRelaySdpMedia *m = g_ptr_array_index (accept, i);
    if (g_str_equal (m->mid, mid))
      return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, m->kind,
                                  "payload", G_TYPE_INT, m->payload, NULL);
  }
  return NULL;
}

/* The participant's offer is applied: receive only (set per transceiver), one codec per m-line,
 * then answer. */
static void
on_offer_applied (GstPromise *promise, gpointer user_data)
{
  PromiseCtx *c = user_data;
  g_autoptr (GArray) transceivers = NULL;

  if (reply_failed (promise, c->tag, "applying the offer")) {
    gst_promise_unref (promise);
    return;
  }
  gst_promise_unref (promise);
  g_signal_emit_by_name (c->webrtc, "get-transceivers", &transceivers);
  for (guint i = 0; transceivers != NULL && i < transceivers->len; i++) {
    GstWebRTCRTPTransceiver *trans = g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    g_autofree char *mid = NULL;
    g_object_get (trans, "mid", &mid, NULL);
    g_autoptr (GstCaps) prefs = accepted_caps (c->accept, mid);
    g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                  "do-nack", TRUE, NULL);
    if (prefs != NULL)
      g_object_set (trans, "codec-preferences", prefs, NULL);
  }
  GstPromise *answer = gst_promise_new_with_change_func (
      on_created, promise_ctx_new (c->tag, c->webrtc, GST_WEBRTC_SDP_TYPE_ANSWER, NULL),
      promise_ctx_free);
  g_signal_emit_by_name (c->webrtc, "create-answer", NULL, answer);
}

static void
on_answer_applied (GstPromise *promise, gpointer user_data)
{
  PromiseCtx *c = user_data;
  if (!reply_failed (promise, c->tag, "applying the answer"))
    samtal_relay_invoke (c->tag, main_answer_applied, NULL, NULL);
  gst_promise_unref (promise);
}

static void
on_negotiation_needed (GstElement *webrtc, gpointer user_data)
{
  samtal_relay_invoke (user_data, main_negotiation_needed, NULL, NULL);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer user_data)
{
  CandidateMsg *m = g_new0 (CandidateMsg, 1);
  m->mline = mline;
  m->candidate = g_strdup (candidate ? candidate : "");
  samtal_relay_invoke (user_data, main_local_candidate, m, (GDestroyNotify) candidate_msg_free);
}

static void
on_gathering_state (GstElement *webrtc, GParamSpec *pspec, gpointer user_data)
{
  GstWebRTCICEGatheringState s;
  g_object_get (webrtc, "ice-gathering-state", &s, NULL);
  if (s == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    on_ice_candidate (webrtc, 0, "", user_data);
}

static void
on_connection_state (GstElement *webrtc, GParamSpec *pspec, gpointer user_data)
{
  GstWebRTCPeerConnectionState s;
  g_object_get (webrtc, "connection-state", &s, NULL);
  samtal_relay_invoke (user_data, main_connection_state, GINT_TO_POINTER (s), NULL);
}

static void
on_ice_connection_state (GstElement *webrtc, GParamSpec *pspec, gpointer user_data)
{
  GstWebRTCICEConnectionState s;
  g_object_get (webrtc, "ice-connection-state", &s, NULL);
  if (s == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    fail_later (user_data, "ICE failed");
}

/* Streaming thread, first packet in hand: link to the tee made for this mid right here (handing
 * the link to the main loop would let that packet meet an unlinked pad). */
/* The track's first packet (its streaming thread): the publication goes live with the pad's caps
 * plus the ssrc and payload type the packet carries. webrtcbin's src pad can appear before its
 * caps are set (and the caps then lacked the ssrc a subscriber's m-line and the direct
 * forwarding need); the first buffer always comes after them. */
static GstPadProbeReturn
on_first_packet (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  LiveMsg *m = user_data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstCaps *caps = gst_pad_get_current_caps (pad);

  if (caps == NULL || !gst_rtp_buffer_map (GST_PAD_PROBE_INFO_BUFFER (info), GST_MAP_READ, &rtp)) {
    if (caps != NULL)
      gst_caps_unref (caps);
    return GST_PAD_PROBE_OK;   /* try the next one */
  }
  caps = gst_caps_make_writable (caps);
  gst_caps_set_simple (caps, "ssrc", G_TYPE_UINT, gst_rtp_buffer_get_ssrc (&rtp), "payload",
                       G_TYPE_INT, (gint) gst_rtp_buffer_get_payload_type (&rtp), NULL);
  gst_rtp_buffer_unmap (&rtp);
  LiveMsg *live = g_new0 (LiveMsg, 1);
  live->mid = g_strdup (m->mid);
  live->caps = caps;
  samtal_relay_invoke (m->tag, main_publication_live, live, (GDestroyNotify) live_msg_free);
  return GST_PAD_PROBE_REMOVE;
}

static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer user_data)
{
  SamtalRelayTag *tag = user_data;
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GstElement) tee = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans != NULL)
    g_object_get (trans, "mid", &mid, NULL);
  g_mutex_lock (&tag->lock);
  tee = mid ? g_hash_table_lookup (tag->tees, mid) : NULL;
  if (tee != NULL)
    gst_object_ref (tee);
  g_mutex_unlock (&tag->lock);
  if (tee == NULL) {
    g_autofree char *reason = g_strdup_printf ("received a track (mid %s) that was not offered",
                                               mid ? mid : "none");
    fail_later (tag, reason);
    return;
  }
  g_autoptr (GstPad) sink = gst_element_get_static_pad (tee, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK) {
    fail_later (tag, "cannot link a received track");
    return;
  }
  LiveMsg *m = g_new0 (LiveMsg, 1);
  m->mid = g_steal_pointer (&mid);
  m->tag = samtal_relay_tag_ref (tag);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_first_packet, m,
                     (GDestroyNotify) live_msg_free);
}

/* ---- the participant ---- */

static void
connect_tagged (SamtalRelayParticipant *p, const char *signal, GCallback cb)
{
  g_signal_connect_data (p->webrtc, signal, cb, samtal_relay_tag_ref (p->tag),
                         (GClosureNotify) (void (*) (void)) samtal_relay_tag_unref, 0);
}

/* libnice would otherwise probe for UPnP gateways (SSDP multicast on every interface). */
static void
disable_upnp (GObject *ice)
{
  g_autoptr (GObject) agent = NULL;
  if (ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    g_object_get (ice, "agent", &agent, NULL);
  if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
    g_object_set (agent, "upnp", FALSE, NULL);
}

static void
configure_ice (SamtalRelayParticipant *p)
{
  SamtalRelay *relay = p->room->relay;
  g_autoptr (GObject) ice = NULL;

  if (relay->stun_server != NULL)
    g_object_set (p->webrtc, "stun-server", relay->stun_server, NULL);
  if (relay->turn_server != NULL)
    g_object_set (p->webrtc, "turn-server", relay->turn_server, NULL);
  g_object_get (p->webrtc, "ice-agent", &ice, NULL);
  disable_upnp (ice);
  for (guint i = 0; ice != NULL && relay->ice_addresses && relay->ice_addresses[i]; i++) {
    gboolean ok = FALSE;
    g_signal_emit_by_name (ice, "add-local-ip-address", relay->ice_addresses[i], &ok);
    if (!ok)
      g_message ("relay: ICE cannot use local address %s", relay->ice_addresses[i]);
  }
}

SamtalRelayParticipant *
samtal_relay_peer_new (SamtalRelayRoom *room, const char *id, GError **error)
{
  SamtalRelayParticipant *p = g_new0 (SamtalRelayParticipant, 1);
  SamtalRelayTag *tag = g_new0 (SamtalRelayTag, 1);

  tag->ref = 1;
  tag->link = samtal_relay_link_ref (room->relay->link);
  tag->room_id = g_strdup (room->id);
  tag->participant_id = g_strdup (id);
  tag->serial = room->relay->next_serial++;
  g_mutex_init (&tag->lock);
  tag->tees = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, gst_object_unref);

  p->room = room;
  p->id = g_strdup (id);
  p->tag = tag;
  p->publications = g_ptr_array_new ();
  p->subscriptions = g_ptr_array_new ();
  p->retired_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  p->retiring = g_ptr_array_new_with_free_func (gst_object_unref);
  if (room->relay->direct)
    p->input = samtal_relay_input_new ();
  p->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (p->webrtc == NULL) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL, "no webrtcbin");
    samtal_relay_peer_free (p);
    return NULL;
  }
  gst_object_ref_sink (p->webrtc);
  g_object_set (p->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", 0,
                NULL);
  samtal_relay_room_tag_element (p->webrtc, p);
  configure_ice (p);
  connect_tagged (p, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed));
  connect_tagged (p, "on-ice-candidate", G_CALLBACK (on_ice_candidate));
  connect_tagged (p, "pad-added", G_CALLBACK (on_pad_added));
  connect_tagged (p, "notify::ice-gathering-state", G_CALLBACK (on_gathering_state));
  connect_tagged (p, "notify::connection-state", G_CALLBACK (on_connection_state));
  connect_tagged (p, "notify::ice-connection-state", G_CALLBACK (on_ice_connection_state));
  gst_bin_add (GST_BIN (room->pipeline), p->webrtc);
  if (!gst_element_sync_state_with_parent (p->webrtc)) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "participant %s: webrtcbin does not start", id);
    /* It never ran: stopping it here cannot wait for a streaming thread. */
    gst_element_set_state (p->webrtc, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (room->pipeline), p->webrtc);
    samtal_relay_peer_free (p);
    return NULL;
  }
  return p;
}

void
samtal_relay_peer_disconnect (SamtalRelayParticipant *p)
{
  if (p->dtls != NULL)
    g_signal_handlers_disconnect_matched (p->dtls, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, p->tag);
  if (p->webrtc != NULL)
    g_signal_handlers_disconnect_matched (p->webrtc, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                          p->tag);
}

void
samtal_relay_peer_free (SamtalRelayParticipant *p)
{
  samtal_relay_peer_disconnect (p);
  /* Detached participants handed it to their teardown; one never detached stops it here. */
  g_clear_pointer (&p->ingress, samtal_relay_ingress_stop);
  g_clear_object (&p->dtls);
  if (p->webrtc != NULL)
    gst_object_unref (p->webrtc);
  g_ptr_array_unref (p->publications);
  g_ptr_array_unref (p->subscriptions);
  g_ptr_array_unref (p->retired_pads);
  g_ptr_array_unref (p->retiring);
  samtal_relay_input_unref (p->input);
  samtal_relay_out_unref (p->out);
  samtal_relay_tag_unref (p->tag);
  g_free (p->id);
  g_free (p);
}

gboolean
samtal_relay_peer_set_offer (SamtalRelayParticipant *p, const char *sdp, GError **error)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (GPtrArray) sent = NULL;

  if (p->neg != SAMTAL_NEG_AWAIT_OFFER) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_WRONG_STATE,
                 "only the first offer comes from the participant; the relay offers after that");
    return FALSE;
  }
  if (!samtal_relay_sdp_check_offer (sdp, &msg, &sent, error))
    return FALSE;
  char *fingerprint = samtal_relay_sdp_fingerprint (msg, error);
  if (fingerprint == NULL)
    return FALSE;
  g_mutex_lock (&p->tag->lock);
  g_free (p->tag->fingerprint);
  p->tag->fingerprint = fingerprint;
  g_mutex_unlock (&p->tag->lock);
  for (guint i = 0; i < sent->len; i++) {
    SamtalRelaySdpMedia *m = g_ptr_array_index (sent, i);
    samtal_relay_room_add_publication (p, m->mid, m->kind);
  }
  p->neg = SAMTAL_NEG_ANSWERING;
  GstWebRTCSessionDescription *desc =
      gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, g_steal_pointer (&msg));
  PromiseCtx *ctx = promise_ctx_new (p->tag, p->webrtc, GST_WEBRTC_SDP_TYPE_OFFER, NULL);
  ctx->accept = g_steal_pointer (&sent);
  GstPromise *promise = gst_promise_new_with_change_func (on_offer_applied, ctx,
                                                          promise_ctx_free);
  g_signal_emit_by_name (p->webrtc, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

/* The subscriber's answer rejected some of the relay's m-lines (port 0: no codec in common, e.g.
 * H.264 offered to a VP8-only receiver). Those tracks are not forwarded to it (their tee is never
 * linked: data into a rejected m-line would come back not-linked and stop the publisher), the
 * other tracks go on, and the track map leaves them out. */
static void
note_rejected (SamtalRelayParticipant *p, const GstSDPMessage *answer)
{
  for (guint i = 0; i < p->subscriptions->len; i++) {
    SamtalRelaySubscription *sub = g_ptr_array_index (p->subscriptions, i);
    guint mline = G_MAXUINT;
    if (sub->trans == NULL || !sub->in_offer)
      continue;
    if (!is_rejected (sub)) {
      g_object_get (sub->trans, "mlineindex", &mline, NULL);
      if (mline >= gst_sdp_message_medias_len (answer) ||
          !samtal_relay_sdp_media_rejected (answer, mline))
        continue;
      g_object_set_data (G_OBJECT (sub->trans), "samtal-rejected", GINT_TO_POINTER (1));
      const char *mid = gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (answer, mline),
                                                         "mid");
      const GstStructure *s = sub->pub->caps ? gst_caps_get_structure (sub->pub->caps, 0) : NULL;
      const char *codec = s ? gst_structure_get_string (s, "encoding-name") : NULL;
      g_message ("relay: room %s: %s rejected %s's %s (%s, mid %s): not forwarded to it; its "
                 "other tracks go on", p->room->id, p->id, sub->pub->owner->id, sub->pub->kind,
                 codec ? codec : "?", mid ? mid : "?");
    }
    sub->in_offer = FALSE;   /* samtal_relay_room_start_forwarding skips it */
  }
}

gboolean
samtal_relay_peer_set_answer (SamtalRelayParticipant *p, const char *sdp, GError **error)
{
  g_autoptr (GstSDPMessage) msg = NULL;

  if (p->neg != SAMTAL_NEG_OFFERING || !p->offer_sent) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_WRONG_STATE,
                 "no relay offer is waiting for an answer");
    return FALSE;
  }
  if (!samtal_relay_sdp_check_answer (sdp, p->offered_media, &msg, error))
    return FALSE;
  g_autofree char *fingerprint = samtal_relay_sdp_fingerprint (msg, error);
  if (fingerprint == NULL)
    return FALSE;
  if (!g_str_equal (fingerprint, p->tag->fingerprint)) {   /* main thread sets it: no lock */
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "the answer's DTLS fingerprint differs from the offer's");
    return FALSE;
  }
  p->offer_sent = FALSE;
  note_rejected (p, msg);
  samtal_relay_sdp_fix_rejected_fingerprints (msg);
  GstWebRTCSessionDescription *desc =
      gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, g_steal_pointer (&msg));
  GstPromise *promise = gst_promise_new_with_change_func (
      on_answer_applied, promise_ctx_new (p->tag, p->webrtc, GST_WEBRTC_SDP_TYPE_ANSWER, NULL),
      promise_ctx_free);
  g_signal_emit_by_name (p->webrtc, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

gboolean
samtal_relay_peer_add_candidate (SamtalRelayParticipant *p, guint mline, const char *candidate,
                                 GError **error)
{
  const char *line = samtal_relay_candidate_check (candidate, error);
  if (line == NULL)
    return FALSE;
  if (mline >= MAX_MLINE_INDEX) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_CANDIDATE,
                 "m-line index %u out of range", mline);
    return FALSE;
  }
  if (*line == '\0')
    return TRUE;   /* end of candidates: nothing for webrtcbin to do */
  g_signal_emit_by_name (p->webrtc, "add-ice-candidate", mline, line);
  return TRUE;
}

/* The m-lines p's next offer would have: its transceivers plus the subscriptions still waiting
 * for a sink pad. */
static guint
mlines_needed (SamtalRelayParticipant *p)
{
  g_autoptr (GArray) transceivers = NULL;
  guint n = 0;

  g_signal_emit_by_name (p->webrtc, "get-transceivers", &transceivers);
  if (transceivers != NULL)
    n = transceivers->len;
  for (guint i = 0; i < p->subscriptions->len; i++)
    if (((SamtalRelaySubscription *) g_ptr_array_index (p->subscriptions, i))->sink_pad == NULL)
      n++;
  return n;
}

static void
maybe_offer (SamtalRelayParticipant *p)
{
  if (!p->ready || p->neg != SAMTAL_NEG_STABLE || !p->needs_offer)
    return;
  if (mlines_needed (p) > p->room->relay->max_mlines) {
    /* Removed tracks keep their m-lines: after very many joins and leaves, the participant
     * starts over with a fresh connection (signaling sends media_failed; clients re-offer). */
    p->needs_offer = FALSE;
    fail_later (p->tag, "too many people came and went for one media connection: starting it over");
    return;
  }
  p->needs_offer = FALSE;
  p->neg = SAMTAL_NEG_OFFERING;
  g_atomic_int_set (&p->tag->gate_closed, 1);   /* see count_forwarded (relay-room.c) */
  samtal_relay_room_prepare_offer (p);
  for (guint i = 0; i < p->subscriptions->len; i++)
    ((SamtalRelaySubscription *) g_ptr_array_index (p->subscriptions, i))->in_offer = TRUE;
  GstPromise *promise = gst_promise_new_with_change_func (
      on_created, promise_ctx_new (p->tag, p->webrtc, GST_WEBRTC_SDP_TYPE_OFFER, NULL),
      promise_ctx_free);
  g_signal_emit_by_name (p->webrtc, "create-offer", NULL, promise);
}

void
samtal_relay_peer_request_offer (SamtalRelayParticipant *p)
{
  p->needs_offer = TRUE;
  maybe_offer (p);
}
