/* media.c — the client's GStreamer side: webrtcbin, send branches, decoding branches,
 * counters and statistics (see media.h).
 *
 * Threads: webrtcbin's signals and promise callbacks run on GStreamer threads. They never call
 * the caller; they queue an event for the main context through a small shared "link" that the
 * free function cuts, so nothing is delivered after samtal_client_media_free(). Counters of the
 * decoding branches are written from streaming threads and read from the main context under one
 * mutex.
 */
#include "media.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>
#include <string.h>

G_DEFINE_QUARK (samtal-client-media-error-quark, samtal_client_media_error)

#define MAX_STREAMS 64
#define MAX_SDP_BYTES (256 * 1024)

/* Shared between the media object and its queued events. */
typedef struct {
  gatomicrefcount refs;
  GMutex lock;
  SamtalClientMedia *media;   /* NULL once freed */
} Link;

typedef struct {
  guint serial;
  char *mid;
  char *kind;
  guint ssrc;
  guint64 frames;
  guint64 bytes;
  gint64 packets_lost;
} Stream;

struct _SamtalClientMedia {
  SamtalClientMediaConfig config;
  SamtalClientMediaEvents events;
  gpointer user_data;
  GMainContext *context;
  Link *link;
  GstElement *pipeline;
  GstElement *webrtc;
  guint bus_watch;
  gboolean started;
  gint filter_video;          /* atomic: set once our send transceivers exist (accept_video) */
  gboolean offered;           /* touched on GStreamer threads: under lock */
  GMutex lock;                /* guards streams, next_serial, rtt_ms, offered */
  GPtrArray *streams;         /* Stream* */
  guint next_serial;
  gdouble rtt_ms;
};

/* ---- events to the main context ---- */

typedef enum { EV_DESCRIPTION, EV_CANDIDATE, EV_FAILED } EventKind;

typedef struct {
  Link *link;
  EventKind kind;
  char *type;
  char *text;
  guint mline;
} Event;

static Link *
link_ref (Link *link)
{
  g_atomic_ref_count_inc (&link->refs);
  return link;
}

static void
link_unref (Link *link)
{
  if (g_atomic_ref_count_dec (&link->refs)) {
    g_mutex_clear (&link->lock);
    g_free (link);
  }
}

static void
event_free (Event *ev)
{
  link_unref (ev->link);
  g_free (ev->type);
  g_free (ev->text);
  g_free (ev);
}

static gboolean
event_dispatch (gpointer data)
{
  Event *ev = data;
  g_mutex_lock (&ev->link->lock);
  SamtalClientMedia *media = ev->link->media;
  g_mutex_unlock (&ev->link->lock);
  if (media == NULL)
    return G_SOURCE_REMOVE;
  if (ev->kind == EV_DESCRIPTION && media->events.local_description != NULL)
    media->events.local_description (ev->type, ev->text, media->user_data);
  else if (ev->kind == EV_CANDIDATE && media->events.local_candidate != NULL)
    media->events.local_candidate (ev->mline, ev->text, media->user_data);
  else if (ev->kind == EV_FAILED && media->events.failed != NULL)
    media->events.failed (ev->text, media->user_data);
  return G_SOURCE_REMOVE;
}

static void
post_event (SamtalClientMedia *media, EventKind kind, const char *type, const char *text,
            guint mline)
{
  Event *ev = g_new0 (Event, 1);
  ev->link = link_ref (media->link);
  ev->kind = kind;
  ev->type = g_strdup (type);
  ev->text = g_strdup (text);
  ev->mline = mline;
  GSource *source = g_idle_source_new ();
  g_source_set_callback (source, event_dispatch, ev, (GDestroyNotify) event_free);
  g_source_attach (source, media->context);
  g_source_unref (source);
}

/* ---- negotiation ---- */

/* webrtcbin's reason when promise carries an error, else NULL. */
static char *
reply_error (GstPromise *promise)
{
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return g_strdup ("no reply from webrtcbin");
  const GstStructure *reply = gst_promise_get_reply (promise);
  g_autoptr (GError) err = NULL;
  if (reply == NULL || !gst_structure_has_field (reply, "error"))
    return NULL;
  gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
  return g_strdup (err != NULL ? err->message : "unknown error");
}

/* The description in promise's reply, or NULL with *why set (free it). */
static GstWebRTCSessionDescription *
reply_description (GstPromise *promise, const char *field, char **why)
{
  *why = reply_error (promise);
  if (*why != NULL)
    return NULL;
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *desc = NULL;
  if (reply == NULL || !gst_structure_has_field_typed (reply, field,
                                                      GST_TYPE_WEBRTC_SESSION_DESCRIPTION)) {
    *why = g_strdup ("webrtcbin gave no description");
    return NULL;
  }
  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  return desc;
}

/* Media failed in webrtcbin: what went wrong and webrtcbin's reason, to the main context. */
static void
fail_with (SamtalClientMedia *media, const char *what, const char *why)
{
  g_autofree char *reason = g_strdup_printf ("%s: %s", what, why);
  post_event (media, EV_FAILED, NULL, reason, 0);
}

typedef struct {
  SamtalClientMedia *media;
  char *text;
} PendingAnswer;

static void
pending_answer_free (gpointer data)
{
  PendingAnswer *a = data;
  g_free (a->text);
  g_free (a);
}

/* Our answer is applied: now the relay may start sending on its m-lines (sent before, its media
 * could arrive before webrtcbin knew their mids). */
static void
on_answer_set (GstPromise *promise, gpointer data)
{
  PendingAnswer *a = data;
  g_autofree char *why = reply_error (promise);
  gst_promise_unref (promise);
  if (why != NULL) {
    fail_with (a->media, "webrtcbin refused its own answer", why);
    return;
  }
  post_event (a->media, EV_DESCRIPTION, "answer", a->text, 0);
}

/* Sets desc as local description and hands its text to the main context: an offer at once, so
 * that it is queued before any candidate that gathering (started by set-local-description)
 * finds and the server never sees our ICE before our offer; an answer once it is applied. */
static void
publish_local (SamtalClientMedia *media, GstWebRTCSessionDescription *desc, const char *type)
{
  g_autofree char *text = gst_sdp_message_as_text (desc->sdp);
  if (g_str_equal (type, "answer")) {
    PendingAnswer *a = g_new0 (PendingAnswer, 1);
    a->media = media;
    a->text = g_steal_pointer (&text);
    GstPromise *set = gst_promise_new_with_change_func (on_answer_set, a, pending_answer_free);
    g_signal_emit_by_name (media->webrtc, "set-local-description", desc, set);
    return;
  }
  post_event (media, EV_DESCRIPTION, type, text, 0);
  g_signal_emit_by_name (media->webrtc, "set-local-description", desc, NULL);
}

static void
on_offer_created (GstPromise *promise, gpointer data)
{
  SamtalClientMedia *media = data;
  g_autofree char *why = NULL;
  GstWebRTCSessionDescription *offer = reply_description (promise, "offer", &why);
  gst_promise_unref (promise);
  if (offer == NULL) {
    fail_with (media, "webrtcbin could not create an offer", why);
    return;
  }
  publish_local (media, offer, "offer");
  gst_webrtc_session_description_free (offer);
}

/* webrtcbin 1.22 rejects an m-line (no codec we accept) by copying the offer's m-line with port
 * 0, the relay's fingerprint included, and then refuses its own answer ("Fingerprint in media N
 * differs"). Such m-lines get our fingerprint instead. */
static void
fix_rejected_fingerprints (GstSDPMessage *sdp)
{
  const char *own = NULL;
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp) && own == NULL; i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    if (gst_sdp_media_get_port (m) != 0)
      own = gst_sdp_media_get_attribute_val (m, "fingerprint");
  }
  g_autofree char *value = g_strdup (own);
  for (guint i = 0; value != NULL && i < gst_sdp_message_medias_len (sdp); i++) {
    GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);
    if (gst_sdp_media_get_port (m) != 0)
      continue;
    for (guint j = gst_sdp_media_attributes_len (m); j > 0; j--)
      if (g_strcmp0 (gst_sdp_media_get_attribute (m, j - 1)->key, "fingerprint") == 0)
        gst_sdp_media_remove_attribute (m, j - 1);
    gst_sdp_media_add_attribute (m, "fingerprint", value);
  }
}

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  SamtalClientMedia *media = data;
  g_autofree char *why = NULL;
  GstWebRTCSessionDescription *answer = reply_description (promise, "answer", &why);
  gst_promise_unref (promise);
  if (answer == NULL) {
    fail_with (media, "webrtcbin could not answer the relay's offer", why);
    return;
  }
  fix_rejected_fingerprints (answer->sdp);
  publish_local (media, answer, "answer");
  gst_webrtc_session_description_free (answer);
}

static void
on_remote_offer_set (GstPromise *promise, gpointer data)
{
  SamtalClientMedia *media = data;
  g_autofree char *why = reply_error (promise);
  gst_promise_unref (promise);
  if (why != NULL) {
    fail_with (media, "webrtcbin refused the relay's offer", why);
    return;
  }
  GstPromise *next = gst_promise_new_with_change_func (on_answer_created, media, NULL);
  g_signal_emit_by_name (media->webrtc, "create-answer", NULL, next);
}

/* The first negotiation-needed is our one offer; later ones (webrtcbin raises them while the
 * relay's offers add transceivers) are the relay's business: it offers, we answer. */
static void
on_negotiation_needed (GstElement *webrtc, gpointer data)
{
  SamtalClientMedia *media = data;
  g_mutex_lock (&media->lock);
  gboolean first = !media->offered;
  media->offered = TRUE;
  g_mutex_unlock (&media->lock);
  if (!first)
    return;
  GstPromise *promise = gst_promise_new_with_change_func (on_offer_created, media, NULL);
  g_signal_emit_by_name (webrtc, "create-offer", NULL, promise);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
  SamtalClientMedia *media = data;
  post_event (media, EV_CANDIDATE, NULL, candidate, mline);
}

static void
on_ice_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  SamtalClientMedia *media = data;
  GstWebRTCICEConnectionState state;
  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    post_event (media, EV_FAILED, NULL, "ICE failed: no connection to the relay", 0);
}

/* RTP caps of the video codecs in flags (one structure each), for add-transceiver and codec
 * preferences. */
static GstCaps *
video_caps (guint flags)
{
  GstCaps *caps = gst_caps_new_empty ();
  if (flags & SAMTAL_CLIENT_CODEC_VP8)
    gst_caps_append (caps, gst_caps_from_string (
        "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"));
  if (flags & SAMTAL_CLIENT_CODEC_H264)
    gst_caps_append (caps, gst_caps_from_string (
        "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
        "packetization-mode=(string)1,profile-level-id=(string)42e01f"));
  return caps;
}

/* NACK/RTX for video only: an audio m-line with an RTX ssrc-group makes Chrome refuse the
 * relay's offer ("Failed to add remote stream ssrc"), and Opus does not retransmit anyway.
 * With --accept-video narrowed, every video transceiver webrtcbin makes for the relay's offers
 * prefers only those codecs (any payload type), so webrtcbin answers an m-line in another codec
 * with port 0 (rejected) and the relay forwards nothing into it. */
static void
on_new_transceiver (GstElement *webrtc, GstWebRTCRTPTransceiver *trans, gpointer data)
{
  SamtalClientMedia *media = data;
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;
  g_object_get (trans, "kind", &kind, NULL);
  g_object_set (trans, "do-nack", kind != GST_WEBRTC_KIND_AUDIO, NULL);
  guint accept = media->config.accept_video;
  if (kind != GST_WEBRTC_KIND_VIDEO || !g_atomic_int_get (&media->filter_video) ||
      accept == 0 || accept == SAMTAL_CLIENT_CODECS_ALL)
    return;
  g_autoptr (GstCaps) prefs = video_caps (accept);
  for (guint i = 0; i < gst_caps_get_size (prefs); i++)
    gst_structure_remove_fields (gst_caps_get_structure (prefs, i), "payload",
                                 "packetization-mode", "profile-level-id", NULL);
  g_object_set (trans, "codec-preferences", prefs, NULL);
}

/* ---- receiving ---- */

static void
stream_free (Stream *s)
{
  g_free (s->mid);
  g_free (s->kind);
  g_free (s);
}

static Stream *
stream_new (SamtalClientMedia *media, const char *mid, const char *kind, guint ssrc)
{
  Stream *s = g_new0 (Stream, 1);
  s->mid = g_strdup (mid);
  s->kind = g_strdup (kind);
  s->ssrc = ssrc;
  s->packets_lost = -1;
  g_mutex_lock (&media->lock);
  s->serial = ++media->next_serial;
  if (media->streams->len < MAX_STREAMS)
    g_ptr_array_add (media->streams, s);
  else {
    stream_free (s);
    s = NULL;
  }
  g_mutex_unlock (&media->lock);
  return s;
}


typedef struct {
  SamtalClientMedia *media;
  guint serial;
  gboolean bytes;   /* count bytes (TRUE) or frames (FALSE) */
} Counter;

static GstPadProbeReturn
count_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Counter *c = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  gsize size = buffer != NULL ? gst_buffer_get_size (buffer) : 0;
  g_mutex_lock (&c->media->lock);
  for (guint i = 0; i < c->media->streams->len; i++) {
    Stream *s = g_ptr_array_index (c->media->streams, i);
    if (s->serial != c->serial)
      continue;
    if (c->bytes)
      s->bytes += size;
    else
      s->frames++;
  }
  g_mutex_unlock (&c->media->lock);
  return GST_PAD_PROBE_OK;
}

static void
add_counter (SamtalClientMedia *media, GstPad *pad, guint serial, gboolean bytes)
{
  Counter *c = g_new0 (Counter, 1);
  c->media = media;
  c->serial = serial;
  c->bytes = bytes;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_probe, c, g_free);
}

static const char *
decoder_description (const char *kind, const char *encoding)
{
  if (g_strcmp0 (kind, "video") == 0 && g_ascii_strcasecmp (encoding, "VP8") == 0)
    return "queue name=q ! rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false";
  if (g_strcmp0 (kind, "video") == 0 && g_ascii_strcasecmp (encoding, "H264") == 0)
    return "queue name=q ! rtph264depay ! h264parse ! openh264dec name=dec ! "
           "fakesink sync=false async=false";
  if (g_strcmp0 (kind, "audio") == 0 && g_ascii_strcasecmp (encoding, "OPUS") == 0)
    return "queue name=q ! rtpopusdepay ! opusdec name=dec ! fakesink sync=false async=false";
  return "queue name=q ! fakesink sync=false async=false";
}

static char *
pad_mid (GstPad *pad)
{
  GstWebRTCRTPTransceiver *trans = NULL;
  char *mid = NULL;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (pad), "transceiver") == NULL)
    return NULL;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans != NULL) {
    g_object_get (trans, "mid", &mid, NULL);
    gst_object_unref (trans);
  }
  return mid;
}

/* Builds and links a decoding branch for a new src pad; links in this callback itself, on the
 * streaming thread that holds the first packet (see the relay notes). */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  SamtalClientMedia *media = data;
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  const GstStructure *st = caps != NULL && gst_caps_get_size (caps) > 0
                             ? gst_caps_get_structure (caps, 0) : NULL;
  const char *kind = st != NULL ? gst_structure_get_string (st, "media") : NULL;
  const char *encoding = st != NULL ? gst_structure_get_string (st, "encoding-name") : NULL;
  guint ssrc = 0;
  if (st != NULL)
    gst_structure_get_uint (st, "ssrc", &ssrc);
  g_autofree char *mid = pad_mid (pad);

  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (
      decoder_description (kind, encoding != NULL ? encoding : ""), TRUE, &error);
  if (bin == NULL)
    return;
  gst_bin_add (GST_BIN (media->pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  Stream *s = (kind != NULL && encoding != NULL) ? stream_new (media, mid, kind, ssrc) : NULL;
  if (s != NULL) {
    g_autoptr (GstPad) sink = gst_element_get_static_pad (bin, "sink");
    add_counter (media, sink, s->serial, TRUE);
    g_autoptr (GstElement) dec = gst_bin_get_by_name (GST_BIN (bin), "dec");
    if (dec != NULL) {
      g_autoptr (GstPad) dec_src = gst_element_get_static_pad (dec, "src");
      add_counter (media, dec_src, s->serial, FALSE);
    }
  }
  g_autoptr (GstPad) sink = gst_element_get_static_pad (bin, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    post_event (media, EV_FAILED, NULL, "could not link a received stream to its decoder", 0);
}

/* ---- statistics ---- */

static gint64
value_as_int64 (const GValue *v)
{
  if (G_VALUE_HOLDS_INT (v))
    return g_value_get_int (v);
  if (G_VALUE_HOLDS_INT64 (v))
    return g_value_get_int64 (v);
  if (G_VALUE_HOLDS_UINT (v))
    return g_value_get_uint (v);
  if (G_VALUE_HOLDS_UINT64 (v))
    return (gint64) g_value_get_uint64 (v);
  return -1;
}

static gboolean
merge_stat (GQuark field, const GValue *value, gpointer data)
{
  SamtalClientMedia *media = data;
  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  const GstStructure *s = gst_value_get_structure (value);
  GstWebRTCStatsType type = 0;
  if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
    return TRUE;
  if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
    gdouble rtt = 0;
    if (gst_structure_get_double (s, "round-trip-time", &rtt) && rtt > 0)
      media->rtt_ms = rtt * 1000.0;
  } else if (type == GST_WEBRTC_STATS_INBOUND_RTP) {
    guint ssrc = 0;
    const GValue *lost = gst_structure_get_value (s, "packets-lost");
    if (!gst_structure_get_uint (s, "ssrc", &ssrc) || lost == NULL)
      return TRUE;
    for (guint i = 0; i < media->streams->len; i++) {
      Stream *st = g_ptr_array_index (media->streams, i);
      if (st->ssrc == ssrc)
        st->packets_lost = MAX (value_as_int64 (lost), 0);
    }
  }
  return TRUE;
}

static void
on_stats (GstPromise *promise, gpointer data)
{
  SamtalClientMedia *media = data;
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED) {
    const GstStructure *reply = gst_promise_get_reply (promise);
    if (reply != NULL) {
      g_mutex_lock (&media->lock);
      gst_structure_foreach (reply, merge_stat, media);
      g_mutex_unlock (&media->lock);
    }
  }
  gst_promise_unref (promise);
}

void
samtal_client_media_request_stats (SamtalClientMedia *media)
{
  if (!media->started)
    return;
  GstPromise *promise = gst_promise_new_with_change_func (on_stats, media, NULL);
  g_signal_emit_by_name (media->webrtc, "get-stats", NULL, promise);
}

static void
sample_clear (SamtalStreamSample *s)
{
  g_free ((char *) s->mid);
  g_free ((char *) s->kind);
}

GArray *
samtal_client_media_sample (SamtalClientMedia *media, gdouble *rtt_ms)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SamtalStreamSample));
  g_array_set_clear_func (out, (GDestroyNotify) sample_clear);
  g_mutex_lock (&media->lock);
  for (guint i = 0; i < media->streams->len; i++) {
    Stream *st = g_ptr_array_index (media->streams, i);
    SamtalStreamSample s = { st->serial, g_strdup (st->mid), g_strdup (st->kind), st->frames,
                             st->bytes, st->packets_lost };
    g_array_append_val (out, s);
  }
  if (rtt_ms != NULL)
    *rtt_ms = media->rtt_ms;
  g_mutex_unlock (&media->lock);
  return out;
}

/* ---- building ---- */

static gboolean
bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  SamtalClientMedia *media = data;
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;
    g_autofree char *debug = NULL;
    gst_message_parse_error (message, &error, &debug);
    g_autofree char *reason = g_strdup_printf ("media pipeline error from %s: %s",
                                               GST_OBJECT_NAME (message->src), error->message);
    if (media->events.failed != NULL)
      media->events.failed (reason, media->user_data);
  }
  return G_SOURCE_CONTINUE;
}

static void
restrict_ice (GstElement *webrtc, char **addresses)
{
  if (addresses == NULL || addresses[0] == NULL)
    return;
  GObject *ice = NULL;
  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;
  for (char **a = addresses; *a != NULL; a++) {
    gboolean ok = FALSE;
    g_signal_emit_by_name (ice, "add-local-ip-address", *a, &ok);
  }
  g_object_unref (ice);
}

/* A bin description cannot end in bare caps (they filter a link between two elements). */
#define RTCP_FB "rtcp-fb-nack-pli=true,rtcp-fb-nack=true,rtcp-fb-ccm-fir=true"
#define VP8_CAPS \
  "capsfilter caps=\"application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000," \
  RTCP_FB "\""
/* Constrained baseline level 3.1 (what openh264enc makes for these sizes), packetization-mode 1
 * (FU-A, what browsers expect); SPS/PPS before every IDR frame, so a late joiner's keyframe
 * request gets a decodable picture. */
#define H264_CAPS \
  "capsfilter caps=\"application/x-rtp,media=video,encoding-name=H264,payload=102," \
  "clock-rate=90000,packetization-mode=(string)1,profile-level-id=(string)42e01f," RTCP_FB "\""
#define H264_ENCODE(bitrate) \
  "openh264enc bitrate=" bitrate " gop-size=60 complexity=low ! " \
  "video/x-h264,profile=constrained-baseline ! " \
  "rtph264pay pt=102 mtu=1200 config-interval=-1 aggregate-mode=zero-latency ! " H264_CAPS
#define VP8_ENCODE(bitrate) \
  "vp8enc deadline=1 cpu-used=8 target-bitrate=" bitrate " keyframe-max-dist=60 ! " \
  "rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ! " VP8_CAPS
#define CAMERA_SOURCE \
  "autovideosrc ! videoconvert ! videoscale ! videorate ! " \
  "video/x-raw,width=640,height=480,framerate=30/1 ! queue max-size-buffers=2 leaky=downstream ! "
#define TEST_SOURCE \
  "videotestsrc is-live=true pattern=ball ! " \
  "video/x-raw,width=320,height=240,framerate=30/1 ! queue max-size-buffers=2 leaky=downstream ! "

static const char *
video_description (SamtalClientSource source, SamtalClientCodec codec)
{
  gboolean h264 = codec == SAMTAL_CLIENT_CODEC_H264;
  if (source == SAMTAL_CLIENT_SOURCE_CAMERA)
    return h264 ? CAMERA_SOURCE H264_ENCODE ("800000") : CAMERA_SOURCE VP8_ENCODE ("800000");
  return h264 ? TEST_SOURCE H264_ENCODE ("300000") : TEST_SOURCE VP8_ENCODE ("300000");
}

static const char audio_description[] =
  "audiotestsrc is-live=true wave=sine freq=440 volume=0.05 ! audioconvert ! audioresample ! "
  "opusenc bitrate=32000 ! rtpopuspay pt=111 ! "
  "capsfilter caps=\"application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000\"";

static gboolean
add_send_branch (SamtalClientMedia *media, const char *description, GError **error)
{
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, error);
  if (bin == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (media->pipeline), bin);
  g_autoptr (GstPad) src = gst_element_get_static_pad (bin, "src");
  g_autoptr (GstPad) sink = gst_element_request_pad_simple (media->webrtc, "sink_%u");
  if (sink == NULL || gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
    g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_PIPELINE,
                 "could not link a send branch to webrtcbin");
    return FALSE;
  }
  GstWebRTCRTPTransceiver *trans = NULL;
  g_object_get (sink, "transceiver", &trans, NULL);
  if (trans != NULL) {
    g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
    gst_object_unref (trans);
  }
  return TRUE;
}

/* With nothing to send we still need one offer: receive-only transceivers. */
static void
add_recvonly (SamtalClientMedia *media, GstCaps *caps)
{
  GstWebRTCRTPTransceiver *trans = NULL;
  g_signal_emit_by_name (media->webrtc, "add-transceiver",
                         GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  if (trans != NULL)
    gst_object_unref (trans);
  gst_caps_unref (caps);
}

static gboolean
build_pipeline (SamtalClientMedia *media, GError **error)
{
  media->pipeline = gst_pipeline_new ("samtal-client");
  media->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  if (media->webrtc == NULL) {
    g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_PIPELINE,
                 "GStreamer's webrtcbin is not installed (gstreamer1.0-plugins-bad)");
    return FALSE;
  }
  g_object_set (media->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_COMPAT,
                "latency", 100, NULL);
  gst_bin_add (GST_BIN (media->pipeline), media->webrtc);
  restrict_ice (media->webrtc, media->config.ice_addresses);
  g_signal_connect (media->webrtc, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed), media);
  g_signal_connect (media->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), media);
  g_signal_connect (media->webrtc, "on-new-transceiver", G_CALLBACK (on_new_transceiver), media);
  g_signal_connect (media->webrtc, "pad-added", G_CALLBACK (on_pad_added), media);
  g_signal_connect (media->webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_state), media);
  g_autoptr (GstBus) bus = gst_element_get_bus (media->pipeline);
  media->bus_watch = gst_bus_add_watch (bus, bus_message, media);
  return TRUE;
}

SamtalClientMedia *
samtal_client_media_new (const SamtalClientMediaConfig *config,
                         const SamtalClientMediaEvents *events, gpointer user_data,
                         GMainContext *context, GError **error)
{
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  SamtalClientMedia *media = g_new0 (SamtalClientMedia, 1);
  media->config.video = config->video;
  media->config.audio = config->audio;
  media->config.ice_addresses = g_strdupv (config->ice_addresses);
  media->config.video_codec = config->video_codec ? config->video_codec : SAMTAL_CLIENT_CODEC_VP8;
  media->config.accept_video = config->accept_video;
  media->events = *events;
  media->user_data = user_data;
  media->context = context != NULL ? g_main_context_ref (context)
                                    : g_main_context_ref_thread_default ();
  media->link = g_new0 (Link, 1);
  g_atomic_ref_count_init (&media->link->refs);
  g_mutex_init (&media->link->lock);
  media->link->media = media;
  g_mutex_init (&media->lock);
  media->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) stream_free);
  media->rtt_ms = -1;
  if (!build_pipeline (media, error)) {
    samtal_client_media_free (media);
    return NULL;
  }
  return media;
}

gboolean
samtal_client_media_start (SamtalClientMedia *media, GError **error)
{
  if (media->started) {
    g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_STATE,
                 "media already started");
    return FALSE;
  }
  if (media->config.video != SAMTAL_CLIENT_SOURCE_NONE &&
      !add_send_branch (media, video_description (media->config.video,
                                                   media->config.video_codec), error))
    return FALSE;
  if (media->config.audio != SAMTAL_CLIENT_SOURCE_NONE &&
      !add_send_branch (media, audio_description, error))
    return FALSE;
  if (media->config.video == SAMTAL_CLIENT_SOURCE_NONE && media->config.audio == SAMTAL_CLIENT_SOURCE_NONE) {
    add_recvonly (media, video_caps (media->config.accept_video ? media->config.accept_video
                                                                 : SAMTAL_CLIENT_CODECS_ALL));
    add_recvonly (media, gst_caps_from_string (
        "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000"));
  }
  g_atomic_int_set (&media->filter_video, 1);   /* from now on: transceivers for the relay */
  if (gst_element_set_state (media->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_PIPELINE,
                 "the media pipeline would not start (is a camera there?)");
    return FALSE;
  }
  media->started = TRUE;
  return TRUE;
}

gboolean
samtal_client_media_is_started (SamtalClientMedia *media)
{
  return media->started;
}

static GstSDPMessage *
parse_sdp (const char *sdp, GError **error)
{
  GstSDPMessage *message = NULL;
  if (sdp == NULL || strlen (sdp) > MAX_SDP_BYTES || gst_sdp_message_new (&message) != GST_SDP_OK)
    goto bad;
  if (gst_sdp_message_parse_buffer ((const guint8 *) sdp, strlen (sdp), message) != GST_SDP_OK ||
      gst_sdp_message_medias_len (message) == 0)
    goto bad;
  return message;
bad:
  if (message != NULL)
    gst_sdp_message_free (message);
  g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_BAD_SDP,
               "the relay sent an SDP that does not parse or has no media");
  return NULL;
}

gboolean
samtal_client_media_set_remote (SamtalClientMedia *media, const char *type, const char *sdp,
                                GError **error)
{
  gboolean offer = g_strcmp0 (type, "offer") == 0;
  if (!media->started || (!offer && g_strcmp0 (type, "answer") != 0)) {
    g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_STATE,
                 "unexpected %s from the relay", offer ? "offer" : "answer");
    return FALSE;
  }
  GstSDPMessage *message = parse_sdp (sdp, error);
  if (message == NULL)
    return FALSE;
  GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new (
      offer ? GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, message);
  GstPromise *promise = offer
    ? gst_promise_new_with_change_func (on_remote_offer_set, media, NULL) : NULL;
  g_signal_emit_by_name (media->webrtc, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

gboolean
samtal_client_media_add_candidate (SamtalClientMedia *media, guint mline_index,
                                   const char *candidate, GError **error)
{
  if (candidate == NULL || *candidate == '\0')
    return TRUE;
  if (g_str_has_prefix (candidate, "a="))
    candidate += 2;
  if (!g_str_has_prefix (candidate, "candidate:") || strlen (candidate) > 1024 ||
      mline_index > 64) {
    g_set_error (error, SAMTAL_CLIENT_MEDIA_ERROR, SAMTAL_CLIENT_MEDIA_ERROR_BAD_SDP,
                 "the relay sent a malformed ICE candidate");
    return FALSE;
  }
  g_signal_emit_by_name (media->webrtc, "add-ice-candidate", mline_index, candidate);
  return TRUE;
}

void
samtal_client_media_free (SamtalClientMedia *media)
{
  if (media == NULL)
    return;
  g_mutex_lock (&media->link->lock);
  media->link->media = NULL;
  g_mutex_unlock (&media->link->lock);
  if (media->pipeline != NULL) {
    gst_element_set_state (media->pipeline, GST_STATE_NULL);
    gst_object_unref (media->pipeline);
  }
  if (media->bus_watch != 0)
    g_source_remove (media->bus_watch);
  link_unref (media->link);
  g_ptr_array_unref (media->streams);
  g_mutex_clear (&media->lock);
  g_strfreev (media->config.ice_addresses);
  g_main_context_unref (media->context);
  g_free (media);
}
