/* test-peer.c — an in-process WebRTC participant for relay tests (see test-peer.h).
 * Send side: videotestsrc → vp8enc → rtpvp8pay and audiotestsrc → opusenc → rtpopuspay into one
 * bundled webrtcbin. Receive side: each src pad gets depay → decoder → fakesink, counting decoded
 * video frames per mid; the relay's track map turns mids into source participants. webrtcbin's
 * callbacks come on its threads; calls into the relay hop to the default main context.
 */
#include "tests/unit/relay/test-peer.h"

#define GST_USE_UNSTABLE_API 1
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

struct _TestPeer {
  gint ref;
  gboolean dead;              /* main thread only */
  SamtalRelay *relay;
  char *room_id;
  char *id;
  GstElement *pipeline;
  GstElement *webrtc;
  gboolean offered;           /* main thread only */
  gboolean corrupt_fingerprint; /* offer a DTLS fingerprint that is not ours */
  gboolean ignore_offers;     /* main thread only: the relay's offers go unanswered */
  GMutex lock;
  GHashTable *frames;         /* mid → GUINT count, under lock */
  GHashTable *packets;        /* mid → GUINT RTP packets received, under lock */
  GHashTable *sources;        /* mid → source participant id (video only), under lock */
  guint answered;             /* under lock */
  char *error;                /* the pipeline's first error message, under lock */
  guint lose_every;           /* drop every Nth received video packet (0: none) */
  gint lost;                  /* atomic: packets dropped so far */
  gint seen_video;            /* atomic: video packets seen by the loss probe */
};

static TestPeer *
peer_ref (TestPeer *peer)
{
  g_atomic_int_inc (&peer->ref);
  return peer;
}

static void
peer_unref (TestPeer *peer)
{
  if (!g_atomic_int_dec_and_test (&peer->ref))
    return;
  gst_object_unref (peer->pipeline);
  g_hash_table_unref (peer->frames);
  g_hash_table_unref (peer->packets);
  g_hash_table_unref (peer->sources);
  g_free (peer->error);
  g_mutex_clear (&peer->lock);
  g_free (peer->room_id);
  g_free (peer->id);
  g_free (peer);
}

void
test_peer_corrupt_fingerprint (TestPeer *peer)
{
  peer->corrupt_fingerprint = TRUE;
}

void
test_peer_ignore_offers (TestPeer *peer)
{
  peer->ignore_offers = TRUE;
}

/* After SRTP (so the receiver's replay window is untouched): every lose_every-th video-sized
 * RTP packet vanishes, as on a lossy link. RTCP passes. */
static GstPadProbeReturn
lose_some (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  TestPeer *peer = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (gst_buffer_get_size (buf) < 300)
    return GST_PAD_PROBE_OK;
  if ((guint) g_atomic_int_add (&peer->seen_video, 1) % peer->lose_every != peer->lose_every - 1)
    return GST_PAD_PROBE_OK;
  g_atomic_int_inc (&peer->lost);
  return GST_PAD_PROBE_DROP;
}

static void
on_deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer user_data)
{
  if (!g_str_has_prefix (GST_OBJECT_NAME (element), "dtlssrtpdec"))
    return;
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, "rtp_src");
  if (pad != NULL)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, lose_some, user_data, NULL);
}

static void
on_new_transceiver (GstElement *webrtc, GstWebRTCRTPTransceiver *trans, gpointer user_data)
{
  g_object_set (trans, "do-nack", TRUE, NULL);   /* as a browser: NACK lost video */
}

void
test_peer_lose_video (TestPeer *peer, guint every)
{
  peer->lose_every = every;
  g_signal_connect (peer->pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added), peer);
  g_signal_connect (peer->webrtc, "on-new-transceiver", G_CALLBACK (on_new_transceiver), NULL);
}

guint
test_peer_sender_reports (TestPeer *peer)
{
  GstPromise *promise = gst_promise_new ();
  guint n = 0;
  g_signal_emit_by_name (peer->webrtc, "get-stats", NULL, promise);
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED) {
    const GstStructure *all = gst_promise_get_reply (promise);
    for (gint i = 0; all != NULL && i < gst_structure_n_fields (all); i++) {
      const GValue *v = gst_structure_get_value (all, gst_structure_nth_field_name (all, i));
      const GstStructure *s = G_VALUE_HOLDS (v, GST_TYPE_STRUCTURE) ? gst_value_get_structure (v)
                                                                     : NULL;
      GstWebRTCStatsType type;
      if (s != NULL && gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL) &&
          type == GST_WEBRTC_STATS_REMOTE_OUTBOUND_RTP && gst_structure_has_field (s, "packets-sent"))
        n++;
    }
  }
  gst_promise_unref (promise);
  return n;
}

guint
test_peer_lost (TestPeer *peer)
{
  return (guint) g_atomic_int_get (&peer->lost);
}

const char *
test_peer_id (TestPeer *peer)
{
  return peer->id;
}

/* ---- hops to the main context, where the relay is called ---- */

typedef struct {
  TestPeer *peer;
  char *type;
  char *text;
  guint mline;
} Hop;

static void
hop_free (gpointer ptr)
{
  Hop *h = ptr;
  peer_unref (h->peer);
  g_free (h->type);
  g_free (h->text);
  g_free (h);
}

static gboolean
hop_description (gpointer ptr)
{
  Hop *h = ptr;
  g_autoptr (GError) error = NULL;
  if (!h->peer->dead &&
      !samtal_relay_set_remote_description (h->peer->relay, h->peer->room_id, h->peer->id,
                                            h->type, h->text, &error))
    g_message ("test peer %s: relay refused %s: %s", h->peer->id, h->type, error->message);
  return G_SOURCE_REMOVE;
}

static gboolean
hop_candidate (gpointer ptr)
{
  Hop *h = ptr;
  g_autoptr (GError) error = NULL;
  if (!h->peer->dead &&
      !samtal_relay_add_remote_candidate (h->peer->relay, h->peer->room_id, h->peer->id,
                                          h->mline, h->text, &error))
    g_message ("test peer %s: relay refused candidate: %s", h->peer->id, error->message);
  return G_SOURCE_REMOVE;
}

static void
hop (TestPeer *peer, GSourceFunc func, const char *type, const char *text, guint mline)
{
  Hop *h = g_new0 (Hop, 1);
  h->peer = peer_ref (peer);
  h->type = g_strdup (type);
  h->text = g_strdup (text);
  h->mline = mline;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, func, h, hop_free);
}

/* ---- negotiation (webrtcbin threads) ---- */

typedef struct {
  TestPeer *peer;
  GstWebRTCSDPType type;
  char *text;          /* an answer waiting for set-local-description */
} PromiseData;

static void
promise_data_free (gpointer ptr)
{
  PromiseData *d = ptr;
  peer_unref (d->peer);
  g_free (d->text);
  g_free (d);
}

static PromiseData *
promise_data (TestPeer *peer, GstWebRTCSDPType type)
{
  PromiseData *d = g_new0 (PromiseData, 1);
  d->peer = peer_ref (peer);
  d->type = type;
  return d;
}

/* Our answer is our local description now: only from here on may media for its m-lines come
 * (sent earlier, the relay could start forwarding before webrtcbin knew the m-lines' mids). */
static void
on_answer_set (GstPromise *promise, gpointer user_data)
{
  PromiseData *d = user_data;
  gst_promise_unref (promise);
  hop (d->peer, hop_description, "answer", d->text, 0);
}

/* Our offer or answer is created: apply it locally and send it to the relay (an offer at once,
 * ahead of the candidates its gathering finds; an answer once applied). */
static void
on_created (GstPromise *promise, gpointer user_data)
{
  PromiseData *d = user_data;
  const char *field = d->type == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer";
  GstWebRTCSessionDescription *desc = NULL;
  const GstStructure *reply = gst_promise_get_reply (promise);

  if (reply != NULL)
    gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  gst_promise_unref (promise);
  if (desc == NULL) {
    g_message ("test peer %s: no %s created", d->peer->id, field);
    return;
  }
  g_autofree char *text = gst_sdp_message_as_text (desc->sdp);
  if (d->peer->corrupt_fingerprint) {
    for (char *fp = strstr (text, "a=fingerprint:sha-256 "); fp != NULL;
         fp = strstr (fp + 1, "a=fingerprint:sha-256 "))
      for (char *c = fp + strlen ("a=fingerprint:sha-256 "); *c != '\r' && *c != '\0'; c++)
        if (g_ascii_isxdigit (*c))
          *c = '0';
  }
  if (g_getenv ("TEST_PEER_DUMP"))
    g_printerr ("%s %s:\n%s\n", d->peer->id, field, text);
  if (d->type == GST_WEBRTC_SDP_TYPE_ANSWER) {
    g_mutex_lock (&d->peer->lock);
    d->peer->answered++;
    g_mutex_unlock (&d->peer->lock);
    PromiseData *later = promise_data (d->peer, GST_WEBRTC_SDP_TYPE_ANSWER);
    later->text = g_steal_pointer (&text);
    GstPromise *set = gst_promise_new_with_change_func (on_answer_set, later, promise_data_free);
    g_signal_emit_by_name (d->peer->webrtc, "set-local-description", desc, set);
  } else {
    g_signal_emit_by_name (d->peer->webrtc, "set-local-description", desc, NULL);
    hop (d->peer, hop_description, field, text, 0);
  }
  gst_webrtc_session_description_free (desc);
}

static void
on_remote_offer_set (GstPromise *promise, gpointer user_data)
{
  PromiseData *d = user_data;
  gst_promise_unref (promise);
  GstPromise *p = gst_promise_new_with_change_func (
      on_created, promise_data (d->peer, GST_WEBRTC_SDP_TYPE_ANSWER), promise_data_free);
  g_signal_emit_by_name (d->peer->webrtc, "create-answer", NULL, p);
}

static gboolean
start_offer (gpointer ptr)
{
  TestPeer *peer = ptr;
  if (peer->offered || peer->dead)
    return G_SOURCE_REMOVE;
  peer->offered = TRUE;
  GstPromise *p = gst_promise_new_with_change_func (
      on_created, promise_data (peer, GST_WEBRTC_SDP_TYPE_OFFER), promise_data_free);
  g_signal_emit_by_name (peer->webrtc, "create-offer", NULL, p);
  return G_SOURCE_REMOVE;
}

static void
on_negotiation_needed (GstElement *webrtc, gpointer user_data)
{
  /* Only the first: after that the relay offers. */
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, start_offer, peer_ref (user_data),
                              (GDestroyNotify) peer_unref);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer user_data)
{
  hop (user_data, hop_candidate, NULL, candidate, mline);
}

void
test_peer_on_description (TestPeer *peer, const char *type, const char *sdp,
                          const SamtalRelayTrack *tracks, guint n_tracks)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  gboolean offer = g_str_equal (type, "offer");

  if (offer && peer->ignore_offers)
    return;

  g_mutex_lock (&peer->lock);
  for (guint i = 0; i < n_tracks; i++)
    if (g_str_equal (tracks[i].kind, "video"))
      g_hash_table_insert (peer->sources, g_strdup (tracks[i].mid),
                           g_strdup (tracks[i].source_participant_id));
  g_mutex_unlock (&peer->lock);

  g_assert_cmpint (gst_sdp_message_new_from_text (sdp, &msg), ==, GST_SDP_OK);
  GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new (
      offer ? GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, g_steal_pointer (&msg));
  GstPromise *p = offer ? gst_promise_new_with_change_func (
                              on_remote_offer_set,
                              promise_data (peer, GST_WEBRTC_SDP_TYPE_OFFER), promise_data_free)
                        : NULL;
  g_signal_emit_by_name (peer->webrtc, "set-remote-description", desc, p);
  gst_webrtc_session_description_free (desc);
}

void
test_peer_on_candidate (TestPeer *peer, guint mline_index, const char *candidate)
{
  if (candidate[0] != '\0')
    g_signal_emit_by_name (peer->webrtc, "add-ice-candidate", mline_index, candidate);
}

/* ---- receiving ---- */

static void
on_frame (GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer user_data)
{
  TestPeer *peer = user_data;
  const char *mid = g_object_get_data (G_OBJECT (sink), "mid");
  g_mutex_lock (&peer->lock);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (peer->frames, mid));
  g_hash_table_insert (peer->frames, g_strdup (mid), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&peer->lock);
}

static GstPadProbeReturn
count_packet (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  TestPeer *peer = user_data;
  const char *mid = g_object_get_data (G_OBJECT (pad), "mid");
  g_mutex_lock (&peer->lock);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (peer->packets, mid));
  g_hash_table_insert (peer->packets, g_strdup (mid), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&peer->lock);
  return GST_PAD_PROBE_OK;
}

char *
test_peer_describe (TestPeer *peer)
{
  GString *s = g_string_new (peer->id);
  GHashTableIter it;
  gpointer mid, n;

  g_mutex_lock (&peer->lock);
  g_hash_table_iter_init (&it, peer->packets);
  while (g_hash_table_iter_next (&it, &mid, &n))
    g_string_append_printf (s, " mid %s: %u packets, %u frames, from %s;", (char *) mid,
                            GPOINTER_TO_UINT (n),
                            GPOINTER_TO_UINT (g_hash_table_lookup (peer->frames, mid)),
                            (char *) g_hash_table_lookup (peer->sources, mid));
  if (peer->error != NULL)
    g_string_append_printf (s, " PIPELINE ERROR: %s", peer->error);
  g_mutex_unlock (&peer->lock);
  return g_string_free (s, FALSE);
}

/* Any thread: keeps the first error of the peer's pipeline for test_peer_describe (a peer whose
 * receive path died shows that way instead of just decoding nothing). */
static GstBusSyncReply
on_bus_sync (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  TestPeer *peer = user_data;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    g_mutex_lock (&peer->lock);
    if (peer->error == NULL)
      peer->error = g_strdup_printf ("%s: %s", GST_MESSAGE_SRC_NAME (msg), err->message);
    g_mutex_unlock (&peer->lock);
  }
  return GST_BUS_DROP;
}

/* This peer's own pipeline (not the relay's): building the decoder here is fine. */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer user_data)
{
  TestPeer *peer = user_data;
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *media = caps ? gst_structure_get_string (gst_caps_get_structure (caps, 0), "media")
                           : NULL;
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_object_get (pad, "transceiver", &trans, NULL);
  g_object_get (trans, "mid", &mid, NULL);
  const char *desc = g_strcmp0 (media, "video") == 0
      ? "queue ! rtpvp8depay wait-for-keyframe=true request-keyframe=true ! vp8dec ! "
        "fakesink name=sink sync=false async=false signal-handoffs=true"
      : "fakesink name=sink sync=false async=false";
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &error);
  g_assert_no_error (error);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  g_object_set_data_full (G_OBJECT (sink), "mid", g_strdup (mid ? mid : "?"), g_free);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_frame), peer);
  gst_object_unref (sink);
  gst_bin_add (GST_BIN (peer->pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  g_object_set_data_full (G_OBJECT (pad), "mid", g_strdup (mid ? mid : "?"), g_free);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_packet, peer, NULL);
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (bin, "sink");
  g_assert_cmpint (gst_pad_link (pad, sinkpad), ==, GST_PAD_LINK_OK);
}

guint
test_peer_frames_from (TestPeer *peer, const char *source_id)
{
  GHashTableIter it;
  gpointer mid, source;
  guint total = 0;

  g_mutex_lock (&peer->lock);
  g_hash_table_iter_init (&it, peer->sources);
  while (g_hash_table_iter_next (&it, &mid, &source))
    if (g_str_equal (source, source_id))
      total += GPOINTER_TO_UINT (g_hash_table_lookup (peer->frames, mid));
  g_mutex_unlock (&peer->lock);
  return total;
}

guint
test_peer_offers_answered (TestPeer *peer)
{
  g_mutex_lock (&peer->lock);
  guint n = peer->answered;
  g_mutex_unlock (&peer->lock);
  return n;
}

/* ---- life ---- */

/* Sequence numbers start just below the 16-bit wrap, so every test crosses it within seconds
 * (after 36 packets: under a second of audio, about a second of video): the SRTP roll-over
 * counters (the relay's own and its hint from srtpdec), replay guards and RTX caches see a wrap
 * in every run, as in a long real call. */
#define TEST_PEER_VIDEO_SEQ_START 65500u
#define TEST_PEER_AUDIO_SEQ_START 65500u

TestPeer *
test_peer_new (SamtalRelay *relay, const char *room_id, const char *participant_id,
               guint keyframe_interval)
{
  TestPeer *peer = g_new0 (TestPeer, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *desc = g_strdup_printf (
      "webrtcbin name=w bundle-policy=max-bundle latency=0 "
      "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=%u ! rtpvp8pay seqnum-offset=%u ! "
      "application/x-rtp,media=video,encoding-name=VP8,payload=96 ! w. "
      "audiotestsrc is-live=true wave=sine ! opusenc ! rtpopuspay seqnum-offset=%u ! "
      "application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! w.",
      keyframe_interval, TEST_PEER_VIDEO_SEQ_START, TEST_PEER_AUDIO_SEQ_START);

  peer->ref = 1;
  peer->relay = relay;
  peer->room_id = g_strdup (room_id);
  peer->id = g_strdup (participant_id);
  g_mutex_init (&peer->lock);
  peer->frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->packets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  peer->pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  peer->webrtc = gst_bin_get_by_name (GST_BIN (peer->pipeline), "w");
  gst_object_unref (peer->webrtc);   /* the pipeline keeps it */

  GObject *ice = NULL;
  gboolean ok = FALSE;
  g_object_get (peer->webrtc, "ice-agent", &ice, NULL);
  GObject *agent = NULL;
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);   /* no SSDP probing of the LAN */
  g_object_unref (agent);
  g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &ok);
  g_assert_true (ok);
  g_object_unref (ice);

  g_signal_connect (peer->webrtc, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed),
                    peer);
  g_signal_connect (peer->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), peer);
  g_signal_connect (peer->webrtc, "pad-added", G_CALLBACK (on_pad_added), peer);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (peer->pipeline));
  gst_bus_set_sync_handler (bus, on_bus_sync, peer, NULL);
  g_assert_cmpint (gst_element_set_state (peer->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return peer;
}

/* The pipeline holds a webrtcbin, which can take long to stop: stop it off the main context. */
static gpointer
stop_thread (gpointer data)
{
  TestPeer *peer = data;
  gst_element_set_state (peer->pipeline, GST_STATE_NULL);
  peer_unref (peer);
  return NULL;
}

GThread *
test_peer_stop (TestPeer *peer)
{
  peer->dead = TRUE;
  g_signal_handlers_disconnect_matched (peer->webrtc, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                        peer);
  return g_thread_new ("test-peer-stop", stop_thread, peer);
}

void
test_peer_free (TestPeer *peer)
{
  g_thread_join (test_peer_stop (peer));
}
