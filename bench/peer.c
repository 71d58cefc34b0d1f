/* peer.c — a synthetic WebRTC participant built on webrtcbin (see peer.h).
 *
 * Threads: webrtcbin's promise and signal callbacks and all pad probes run on GStreamer threads.
 * Probes only touch the counters (under peer->lock) and the tracker; everything that reaches the
 * caller is marshalled to the peer's main context, holding a reference, and dropped once the peer
 * was freed (peer->closed). */
#include "peer.h"
#include "bench-util.h"

#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>
#include <string.h>

#define MAX_FRAMES_PER_TICK 4
#define KEYFRAME_RESTART_MIN_US (500 * 1000)
#define KEYFRAME_REQUEST_INTERVAL_US (1000 * 1000)

typedef struct {
  guint64 received;
  guint64 first_ext;
  guint64 max_ext;
  gboolean init;
  guint32 last_ts;
} StreamStats;

struct _BenchPeer {
  gint refs;                       /* atomic */
  char *name;
  const BenchMedia *media;
  BenchTracker *tracker;
  gboolean send;
  BenchPeerCallbacks callbacks;
  gpointer user_data;
  GMainContext *context;
  GstElement *pipeline;
  GstElement *webrtc;
  GstElement *vsrc, *asrc;
  GSource *bus_watch;
  gboolean closed;                 /* main context only */
  gboolean sending;                /* main context only */
  gboolean remote_seen;            /* main context only: a remote description was given */
  GPtrArray *pending_candidates;   /* main context only: char*, "mline\ncandidate" */
  guint video_frame, audio_packet;
  gint64 next_video_us, next_audio_us;
  gint restart_clip;               /* atomic: a keyframe was requested */
  gint64 last_restart_us;
  GMutex lock;                     /* guards the counters below */
  GHashTable *streams;             /* ssrc → StreamStats* */
  GPtrArray *video_sinks;          /* GstPad* of the fakesinks behind received video */
  gint64 last_keyframe_request_us; /* main context only */
  gint64 first_keyframe_us;
  guint64 sent_packets;
};

static BenchPeer *
peer_ref (BenchPeer *p)
{
  g_atomic_int_inc (&p->refs);
  return p;
}

static void
peer_unref (BenchPeer *p)
{
  if (!g_atomic_int_dec_and_test (&p->refs))
    return;
  g_hash_table_unref (p->streams);
  g_ptr_array_unref (p->video_sinks);
  g_ptr_array_unref (p->pending_candidates);
  g_mutex_clear (&p->lock);
  g_main_context_unref (p->context);
  g_free (p->name);
  g_free (p);
}

/* ---- marshalling to the main context ---- */

typedef enum { CALL_SDP, CALL_CANDIDATE, CALL_FAILED } CallKind;

typedef struct {
  BenchPeer *peer;
  CallKind kind;
  char *type;          /* sdp type */
  char *text;          /* sdp, candidate or reason */
  guint mline;
} Call;

static void
call_free (gpointer data)
{
  Call *c = data;
  peer_unref (c->peer);
  g_free (c->type);
  g_free (c->text);
  g_free (c);
}

static gboolean
call_run (gpointer data)
{
  Call *c = data;
  BenchPeer *p = c->peer;
  if (p->closed)
    return G_SOURCE_REMOVE;
  if (c->kind == CALL_SDP && p->callbacks.local_description)
    p->callbacks.local_description (p, c->type, c->text, p->user_data);
  else if (c->kind == CALL_CANDIDATE && p->callbacks.local_candidate)
    p->callbacks.local_candidate (p, c->mline, c->text, p->user_data);
  else if (c->kind == CALL_FAILED && p->callbacks.failed)
    p->callbacks.failed (p, c->text, p->user_data);
  return G_SOURCE_REMOVE;
}

static void
marshal (BenchPeer *p, CallKind kind, const char *type, const char *text, guint mline)
{
  Call *c = g_new0 (Call, 1);
  c->peer = peer_ref (p);
  c->kind = kind;
  c->type = g_strdup (type);
  c->text = g_strdup (text);
  c->mline = mline;
  GSource *src = g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_DEFAULT);
  g_source_set_callback (src, call_run, c, call_free);
  g_source_attach (src, p->context);
  g_source_unref (src);
}

/* ---- receiving: counters, latency, first keyframe ---- */

gboolean
bench_vp8_is_keyframe_start (const guint8 *d, guint len)
{
  if (len < 1)
    return FALSE;
  gboolean x = d[0] & 0x80, s = d[0] & 0x10;
  guint pid = d[0] & 0x07, off = 1;
  if (!s || pid != 0)
    return FALSE;
  if (x) {
    if (len < 2)
      return FALSE;
    guint8 ext = d[1];
    off = 2;
    if (ext & 0x80) {                        /* I: picture id, 7 or 15 bits */
      if (len <= off)
        return FALSE;
      off += (d[off] & 0x80) ? 2 : 1;
    }
    if (ext & 0x40) off += 1;                /* L: TL0PICIDX */
    if (ext & 0x30) off += 1;                /* T or K */
  }
  return off < len && (d[off] & 0x01) == 0;  /* P bit 0: keyframe */
}

/* Counts (ssrc, seq); returns TRUE when ts starts a frame this receiver had not seen. */
static gboolean
count_stream (BenchPeer *p, guint32 ssrc, guint16 seq, guint32 ts)
{
  StreamStats *s = g_hash_table_lookup (p->streams, GUINT_TO_POINTER (ssrc));
  if (s == NULL) {
    s = g_new0 (StreamStats, 1);
    g_hash_table_insert (p->streams, GUINT_TO_POINTER (ssrc), s);
  }
  gboolean new_frame = !s->init || ts != s->last_ts;
  s->last_ts = ts;
  if (!s->init) {
    s->first_ext = s->max_ext = 65536 + seq;     /* offset so a backward step never underflows */
    s->init = TRUE;
  } else {
    gint16 delta = (gint16) (seq - (guint16) (s->max_ext & 0xffff));
    if (delta > 0)
      s->max_ext += (guint64) delta;
  }
  s->received++;
  return new_frame;
}

static void
on_rtp_received (BenchPeer *p, GstBuffer *buf, gint64 now)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return;
  guint32 ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  guint16 seq = gst_rtp_buffer_get_seq (&rtp);
  guint32 ts = gst_rtp_buffer_get_timestamp (&rtp);
  gboolean key = FALSE;
  if (gst_rtp_buffer_get_payload_type (&rtp) != 111 && p->first_keyframe_us == 0)
    key = bench_vp8_is_keyframe_start (gst_rtp_buffer_get_payload (&rtp), gst_rtp_buffer_get_payload_len (&rtp));
  gst_rtp_buffer_unmap (&rtp);
  g_mutex_lock (&p->lock);
  gboolean new_frame = count_stream (p, ssrc, seq, ts);
  if (key && p->first_keyframe_us == 0)
    p->first_keyframe_us = now;
  g_mutex_unlock (&p->lock);
  bench_tracker_received (p->tracker, ssrc, seq, ts, new_frame, NULL, now);
}

static gboolean
each_received (GstBuffer **buf, guint idx, gpointer data)
{
  BenchPeer *p = data;
  on_rtp_received (p, *buf, bench_now_us ());
  return TRUE;
}

static GstPadProbeReturn
receive_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  BenchPeer *p = data;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    on_rtp_received (p, GST_PAD_PROBE_INFO_BUFFER (info), bench_now_us ());
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), each_received, p);
  return GST_PAD_PROBE_OK;
}

static gboolean
pad_is_video (GstPad *pad)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return FALSE;
  return g_strcmp0 (gst_structure_get_string (gst_caps_get_structure (caps, 0), "media"), "video") == 0;
}

static GstEvent *
keyframe_request (void)
{
  return gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
      gst_structure_new ("GstForceKeyUnit", "running-time", G_TYPE_UINT64, GST_CLOCK_TIME_NONE,
                         "all-headers", G_TYPE_BOOLEAN, FALSE, "count", G_TYPE_UINT, 0, NULL));
}

/* Links a new webrtcbin src pad to a fakesink, here on the streaming thread (see the notes). */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  BenchPeer *p = data;
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (p->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     receive_probe, p, NULL);
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK) {
    marshal (p, CALL_FAILED, NULL, "could not link a received stream", 0);
    return;
  }
  if (pad_is_video (pad)) {
    gst_pad_push_event (sinkpad, keyframe_request ());
    g_mutex_lock (&p->lock);
    g_ptr_array_add (p->video_sinks, gst_object_ref (sinkpad));
    g_mutex_unlock (&p->lock);
  }
}

/* Asks the sender for a keyframe, as a browser's decoder does on a new stream: webrtcbin's RTP
 * session turns this upstream event into an RTCP PLI. */
static void
request_keyframes (BenchPeer *p, gint64 now)
{
  if (now - p->last_keyframe_request_us < KEYFRAME_REQUEST_INTERVAL_US)
    return;
  p->last_keyframe_request_us = now;
  g_autoptr (GPtrArray) pads = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_lock (&p->lock);
  gboolean have_key = p->first_keyframe_us != 0;
  for (guint i = 0; !have_key && i < p->video_sinks->len; i++)
    g_ptr_array_add (pads, gst_object_ref (p->video_sinks->pdata[i]));
  g_mutex_unlock (&p->lock);
  for (guint i = 0; i < pads->len; i++)
    gst_pad_push_event (pads->pdata[i], keyframe_request ());
}

/* ---- sending: payloader probes, keyframe requests, the tick ---- */

static gboolean
each_sent (GstBuffer **buf, guint idx, gpointer data)
{
  BenchPeer *p = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (gst_rtp_buffer_map (*buf, GST_MAP_READ, &rtp)) {
    bench_tracker_sent (p->tracker, gst_rtp_buffer_get_ssrc (&rtp), gst_rtp_buffer_get_seq (&rtp),
                        gst_rtp_buffer_get_timestamp (&rtp), bench_now_us ());
    gst_rtp_buffer_unmap (&rtp);
    g_mutex_lock (&p->lock);
    p->sent_packets++;
    g_mutex_unlock (&p->lock);
  }
  return TRUE;
}

static GstPadProbeReturn
send_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    each_sent (&buf, 0, data);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), each_sent, data);
  }
  return GST_PAD_PROBE_OK;
}

/* A PLI from a receiver arrives as an upstream force-key-unit event: restart the clip, whose
 * first frame is a keyframe. */
static GstPadProbeReturn
keyframe_request_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  BenchPeer *p = data;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (gst_event_has_name (ev, "GstForceKeyUnit"))
    g_atomic_int_set (&p->restart_clip, 1);
  return GST_PAD_PROBE_OK;
}

static void
push_bytes (GstElement *appsrc, GBytes *bytes, gboolean delta)
{
  GstBuffer *buf = gst_buffer_new_wrapped_bytes (bytes);
  if (delta)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  gst_app_src_push_buffer (GST_APP_SRC (appsrc), buf);
}

static void
push_video (BenchPeer *p, gint64 now)
{
  if (g_atomic_int_get (&p->restart_clip) && now - p->last_restart_us > KEYFRAME_RESTART_MIN_US) {
    g_atomic_int_set (&p->restart_clip, 0);
    p->last_restart_us = now;
    p->video_frame = 0;
  }
  guint i = p->video_frame % p->media->video->len;
  push_bytes (p->vsrc, p->media->video->pdata[i], !g_array_index (p->media->video_key, gboolean, i));
  p->video_frame++;
}

void
bench_peer_tick (BenchPeer *p, gint64 now)
{
  if (p->closed)
    return;
  request_keyframes (p, now);
  if (!p->sending)
    return;
  for (guint n = 0; p->next_video_us <= now && n < MAX_FRAMES_PER_TICK; n++) {
    push_video (p, now);
    p->next_video_us += G_USEC_PER_SEC / BENCH_VIDEO_FPS;
  }
  for (guint n = 0; p->next_audio_us <= now && n < MAX_FRAMES_PER_TICK; n++) {
    push_bytes (p->asrc, p->media->audio->pdata[p->audio_packet++ % p->media->audio->len], FALSE);
    p->next_audio_us += G_USEC_PER_SEC / BENCH_AUDIO_PPS;
  }
  if (p->next_video_us < now - G_USEC_PER_SEC)     /* far behind (a stall): skip, don't burst */
    p->next_video_us = now;
  if (p->next_audio_us < now - G_USEC_PER_SEC)
    p->next_audio_us = now;
}

/* ---- negotiation ---- */

static void
on_local_description_set (BenchPeer *p, GstWebRTCSessionDescription *desc)
{
  g_autofree char *text = gst_sdp_message_as_text (desc->sdp);
  marshal (p, CALL_SDP, desc->type == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer", text, 0);
}

typedef struct {
  BenchPeer *peer;   /* ref */
  char *text;
} PendingAnswer;

static void
pending_answer_free (gpointer data)
{
  PendingAnswer *a = data;
  peer_unref (a->peer);
  g_free (a->text);
  g_free (a);
}

/* Our answer is applied: only now may the relay send on its m-lines (sent before, its first
 * packets could reach a receive path webrtcbin had not linked yet: "nicesrc: Internal data
 * stream error … not-linked", which failed bench-relay-smoke). As samtal-client does. */
static void
on_answer_set (GstPromise *promise, gpointer data)
{
  PendingAnswer *a = data;
  gst_promise_unref (promise);
  marshal (a->peer, CALL_SDP, "answer", a->text, 0);
}

static void
on_created (GstPromise *promise, gpointer data)
{
  BenchPeer *p = data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *desc = NULL;
  if (reply != NULL) {
    if (!gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL))
      gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  }
  gst_promise_unref (promise);
  if (desc == NULL) {
    marshal (p, CALL_FAILED, NULL, "webrtcbin could not create an offer/answer", 0);
    return;
  }
  if (desc->type == GST_WEBRTC_SDP_TYPE_ANSWER) {
    PendingAnswer *a = g_new0 (PendingAnswer, 1);
    a->peer = peer_ref (p);
    a->text = gst_sdp_message_as_text (desc->sdp);
    GstPromise *set = gst_promise_new_with_change_func (on_answer_set, a, pending_answer_free);
    g_signal_emit_by_name (p->webrtc, "set-local-description", desc, set);
  } else {
    /* an offer at once, so the server never sees our ICE candidates before it */
    g_signal_emit_by_name (p->webrtc, "set-local-description", desc, NULL);
    on_local_description_set (p, desc);
  }
  gst_webrtc_session_description_free (desc);
}

static void
on_remote_offer_set (GstPromise *promise, gpointer data)
{
  BenchPeer *p = data;
  gst_promise_unref (promise);
  GstPromise *answer = gst_promise_new_with_change_func (on_created, peer_ref (p),
                                                         (GDestroyNotify) peer_unref);
  g_signal_emit_by_name (p->webrtc, "create-answer", NULL, answer);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
  marshal (data, CALL_CANDIDATE, NULL, candidate ? candidate : "", mline);
}

static void
on_ice_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  GstWebRTCICEConnectionState state;
  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    marshal (data, CALL_FAILED, NULL, "ICE failed", 0);
}

void
bench_peer_offer (BenchPeer *p)
{
  p->sending = p->send;
  gint64 now = bench_now_us ();
  p->next_video_us = now;
  p->next_audio_us = now;
  GstPromise *offer = gst_promise_new_with_change_func (on_created, peer_ref (p),
                                                        (GDestroyNotify) peer_unref);
  g_signal_emit_by_name (p->webrtc, "create-offer", NULL, offer);
}

static void
flush_candidates (BenchPeer *p)
{
  for (guint i = 0; i < p->pending_candidates->len; i++) {
    const char *entry = p->pending_candidates->pdata[i];
    const char *nl = strchr (entry, '\n');
    g_signal_emit_by_name (p->webrtc, "add-ice-candidate", (guint) atoi (entry), nl + 1);
  }
  g_ptr_array_set_size (p->pending_candidates, 0);
}

void
bench_peer_set_remote (BenchPeer *p, const char *type, const char *sdp)
{
  GstSDPMessage *msg = NULL;
  if (gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK) {
    marshal (p, CALL_FAILED, NULL, "unparsable remote SDP", 0);
    return;
  }
  gboolean offer = g_strcmp0 (type, "offer") == 0;
  GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new (
      offer ? GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, msg);
  GstPromise *promise = offer ?
      gst_promise_new_with_change_func (on_remote_offer_set, peer_ref (p), (GDestroyNotify) peer_unref) :
      gst_promise_new ();
  g_signal_emit_by_name (p->webrtc, "set-remote-description", desc, promise);
  if (!offer)
    gst_promise_unref (promise);
  gst_webrtc_session_description_free (desc);
  p->remote_seen = TRUE;
  flush_candidates (p);       /* webrtcbin runs its operations in order */
}

void
bench_peer_add_candidate (BenchPeer *p, guint mline, const char *candidate)
{
  if (candidate == NULL || *candidate == '\0')
    return;                   /* end of candidates: nothing to do for webrtcbin 1.22 */
  g_ptr_array_add (p->pending_candidates, g_strdup_printf ("%u\n%s", mline, candidate));
  if (p->remote_seen)
    flush_candidates (p);
}

/* ---- construction ---- */

static gboolean
on_bus_message (GstBus *bus, GstMessage *msg, gpointer data)
{
  BenchPeer *p = data;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR && !p->closed) {
    g_autoptr (GError) err = NULL;
    g_autofree char *debug = NULL;
    gst_message_parse_error (msg, &err, &debug);
    g_autofree char *reason = g_strdup_printf ("%s: %s (%s)", GST_OBJECT_NAME (msg->src), err->message,
                                               debug ? debug : "");
    if (p->callbacks.failed)
      p->callbacks.failed (p, reason, p->user_data);
  }
  return G_SOURCE_CONTINUE;
}

static char *
pipeline_description (BenchPeer *p)
{
  const char *webrtc = "webrtcbin name=w bundle-policy=max-bundle latency=0";
  if (!p->send)      /* a second element, so that parsing gives a pipeline */
    return g_strdup_printf ("%s fakesrc num-buffers=0 ! fakesink", webrtc);
  return g_strdup_printf (
      "%s "
      "appsrc name=vsrc is-live=true do-timestamp=true format=time max-bytes=2000000 "
      "  caps=video/x-vp8,width=%d,height=%d,framerate=%d/1 ! "
      "rtpvp8pay name=vpay pt=96 mtu=%d picture-id-mode=15-bit ssrc=%u ! "
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! w. "
      "appsrc name=asrc is-live=true do-timestamp=true format=time max-bytes=200000 "
      "  caps=audio/x-opus,channel-mapping-family=0,channels=2,rate=48000 ! "
      "rtpopuspay name=apay pt=111 ssrc=%u ! "
      "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! w. ",
      webrtc, BENCH_VIDEO_WIDTH, BENCH_VIDEO_HEIGHT, BENCH_VIDEO_FPS, BENCH_RTP_MTU,
      bench_tracker_new_ssrc (p->tracker), bench_tracker_new_ssrc (p->tracker));
}

static void
probe_named (BenchPeer *p, const char *element, GstPadProbeType type, GstPadProbeCallback cb)
{
  g_autoptr (GstElement) e = gst_bin_get_by_name (GST_BIN (p->pipeline), element);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (e, "src");
  gst_pad_add_probe (pad, type, cb, p, NULL);
}

static void
make_sendonly (BenchPeer *p)
{
  GArray *transceivers = NULL;
  g_signal_emit_by_name (p->webrtc, "get-transceivers", &transceivers);
  for (guint i = 0; transceivers && i < transceivers->len; i++)
    g_object_set (g_array_index (transceivers, GstWebRTCRTPTransceiver *, i), "direction",
                  GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
  if (transceivers)
    g_array_unref (transceivers);
}

static void
restrict_ice_to_loopback (BenchPeer *p)
{
  GstWebRTCICE *agent = NULL;
  g_object_get (p->webrtc, "ice-agent", &agent, NULL);
  if (agent == NULL)
    return;
  /* No UPnP discovery: libnice would send SSDP multicast beyond loopback. */
  GObject *nice = NULL;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "agent") != NULL)
    g_object_get (agent, "agent", &nice, NULL);
  if (nice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (nice), "upnp") != NULL)
    g_object_set (nice, "upnp", FALSE, NULL);
  g_clear_object (&nice);
  gboolean ok = FALSE;
  g_signal_emit_by_name (agent, "add-local-ip-address", "127.0.0.1", &ok);
  gst_object_unref (agent);
}

static gboolean
build_pipeline (BenchPeer *p, GError **error)
{
  g_autofree char *desc = pipeline_description (p);
  p->pipeline = gst_parse_launch (desc, error);
  if (p->pipeline == NULL)
    return FALSE;
  p->webrtc = gst_bin_get_by_name (GST_BIN (p->pipeline), "w");
  restrict_ice_to_loopback (p);
  g_signal_connect (p->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), p);
  g_signal_connect (p->webrtc, "pad-added", G_CALLBACK (on_pad_added), p);
  g_signal_connect (p->webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_state), p);
  if (p->send) {
    p->vsrc = gst_bin_get_by_name (GST_BIN (p->pipeline), "vsrc");
    p->asrc = gst_bin_get_by_name (GST_BIN (p->pipeline), "asrc");
    probe_named (p, "vpay", GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, send_probe);
    probe_named (p, "apay", GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, send_probe);
    probe_named (p, "vsrc", GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_request_probe);
    make_sendonly (p);
  }
  g_autoptr (GstBus) bus = gst_element_get_bus (p->pipeline);
  p->bus_watch = gst_bus_create_watch (bus);
  g_source_set_callback (p->bus_watch, (GSourceFunc) (void (*) (void)) on_bus_message, p, NULL);
  g_source_attach (p->bus_watch, p->context);
  if (gst_element_set_state (p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: pipeline would not start", p->name);
    return FALSE;
  }
  return TRUE;
}

BenchPeer *
bench_peer_new (const char *name, const BenchMedia *media, BenchTracker *tracker, gboolean send,
                const BenchPeerCallbacks *callbacks, gpointer user_data, GMainContext *context,
                GError **error)
{
  BenchPeer *p = g_new0 (BenchPeer, 1);
  p->refs = 1;
  p->name = g_strdup (name);
  p->media = media;
  p->tracker = tracker;
  p->send = send;
  p->callbacks = *callbacks;
  p->user_data = user_data;
  p->context = g_main_context_ref (context ? context : g_main_context_default ());
  p->pending_candidates = g_ptr_array_new_with_free_func (g_free);
  p->streams = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  p->video_sinks = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_init (&p->lock);
  if (!build_pipeline (p, error)) {
    bench_peer_free (p);
    return NULL;
  }
  return p;
}

void
bench_peer_free (BenchPeer *p)
{
  if (p == NULL)
    return;
  p->closed = TRUE;
  p->sending = FALSE;
  if (p->bus_watch) {
    g_source_destroy (p->bus_watch);
    g_clear_pointer (&p->bus_watch, g_source_unref);
  }
  if (p->pipeline) {
    g_autoptr (GstBus) bus = gst_element_get_bus (p->pipeline);
    gst_element_set_state (p->pipeline, GST_STATE_NULL);
    gst_bus_set_flushing (bus, TRUE);
  }
  g_clear_object (&p->vsrc);
  g_clear_object (&p->asrc);
  g_clear_object (&p->webrtc);
  g_clear_object (&p->pipeline);
  peer_unref (p);
}

const char *
bench_peer_name (BenchPeer *p)
{
  return p->name;
}

void
bench_peer_get_counters (BenchPeer *p, BenchPeerCounters *c)
{
  memset (c, 0, sizeof *c);
  g_mutex_lock (&p->lock);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, p->streams);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    StreamStats *s = value;
    c->received_packets += s->received;
    c->expected_packets += s->max_ext - s->first_ext + 1;
  }
  c->first_keyframe_us = p->first_keyframe_us;
  c->sent_packets = p->sent_packets;
  g_mutex_unlock (&p->lock);
}
