/* relay-forward.c — the direct forwarding path of the relay.
 *
 * Why: through webrtcbin alone, a forwarded packet crossed the publisher's whole receive path
 * (rtpsession → RTX → storage → SSRC demuxer → jitterbuffer and its thread → payload demuxer →
 * tee) and then the subscriber's whole send path (a queue and its thread, rtpsession, RTX
 * storage, clocksync, funnel) before SRTP: about 150 µs of CPU per packet where a bare SRTP
 * forwarder needs 30 (bench/README.md). Here a packet leaves rtpbin right after the publisher's
 * rtpsession saw it (a probe on rtpsession's recv_rtp_src, and one at the SSRC demuxer for what
 * the RTX receiver unwraps; receiver reports and NACK towards the publisher stay rtpbin's work)
 * and goes, on the same thread, to each subscriber: with the relay's own SRTP straight into its
 * ICE agent (relay-wire.h; the publisher's packet was decrypted by the relay too), or, before the
 * keys are known and in direct-gst mode, into its DTLS-SRTP encoder through a pad of our own next
 * to the pad rtpbin sends through. No thread hand-off, no second rtpsession.
 *
 * What rtpbin did on the way out is done here instead, for forwarded streams only:
 * - NACK from a subscriber: answered from the stream's last SAMTAL_RELAY_RTX_CACHE packets (video)
 *   as RFC 4588 RTX on the stream the subscriber's m-line declares (libsrtp never protects the
 *   same packet twice, so never as it was), or asked of the publisher (an upstream
 *   GstRTPRetransmissionRequest, which its rtpsession turns into a NACK; the retransmission comes
 *   back through the same probe and is forwarded if the relay had not sent it yet);
 * - PLI/FIR from a subscriber: an upstream GstForceKeyUnit to the publisher's rtpsession (PLI or
 *   FIR by what it negotiated), at most one per stream every SAMTAL_RELAY_PLI_INTERVAL_MS;
 * - sender reports: the publisher's SR for a forwarded SSRC goes on to its subscribers (sender
 *   info only), so they can map RTP time to the publisher's clock and keep lips in sync.
 * SSRC, sequence numbers, timestamps and payload types stay the publisher's: the subscriber's
 * m-line was offered with the publisher's SSRC and payload type (relay-room.c).
 *
 * Threads: the input probe runs on the publisher's receive thread, the RTCP probe on the
 * subscriber's; both only take short locks (never one the main context holds for long), and the
 * main context only swaps tables and unlinks pads, so neither side waits for the other.
 */
#include "relay/relay-forward.h"

#include "relay/relay-rtp.h"
#include "relay/relay-wire.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <string.h>

struct _SamtalRelayInput {
  gint ref;
  GMutex lock;
  GHashTable *streams;   /* ssrc → SamtalRelayStream (ref) */
  /* The streams looked up last (borrowed from streams; emptied whenever streams changes): a
   * publisher has two or three, and a scan costs less than hashing every packet twice. */
  struct { guint32 ssrc; SamtalRelayStream *st; } recent[4];
  guint recent_next;
  GstPad *pad;           /* the SSRC demuxer's sink pad (ref), once attached */
  SamtalRelayWireIn *wire;   /* own SRTP for forwarded SSRCs (NULL: srtpdec decrypts them) */
};

struct _SamtalRelayStream {
  gint ref;
  guint32 ssrc;
  guint payload;
  GMutex lock;
  GPtrArray *routes;     /* SamtalRelayRoute (ref); replaced whole on change, never edited */
  GstPad *upstream;      /* the publisher's SSRC demuxer sink pad (ref): requests go up from it */
  GstBuffer **cache;     /* NULL: no retransmissions; else indexed by seq % SAMTAL_RELAY_RTX_CACHE */
  guint16 *cache_seq;
  gint64 last_keyframe_request;
};

struct _SamtalRelayOut {
  gint ref;
  SamtalRelayLink *link;
  GMutex push_lock;      /* one push at a time through pad or wire (publishers' threads, RTCP
                          * thread) */
  SamtalRelayWireOut *wire;  /* own SRTP and sending (NULL: through pad and the encoder) */
  GstPad *pad;           /* ours, linked into the encoder */
  GstPad *enc_pad;       /* the encoder's request pad it is linked to (ref) */
  GMutex rtcp_push_lock;
  GstPad *rtcp_out;      /* ours, linked into the encoder's second RTCP input: forwarded SRs */
  GstPad *enc_rtcp_pad;  /* that input (ref) */
  GstPad *rtcp_pad;      /* the decoder's decrypted RTCP (ref), with our probe */
  gulong rtcp_probe;
  GMutex lock;
  GHashTable *routes;    /* ssrc → SamtalRelayRoute (ref): what flows into this participant */
  gint64 budget_start;   /* retransmission budget: this second, this many used */
  guint budget_used;
};

struct _SamtalRelayRoute {
  gint ref;
  gint active;           /* atomic */
  SamtalRelayStream *stream;
  SamtalRelayOut *out;
  SamtalRelayBranchCount *count;
  SamtalRelayReplayGuard guard;
  guint32 rtx_ssrc;      /* the RTX stream the subscriber's m-line declares (rtx_payload 0: none) */
  guint rtx_payload;
  guint16 rtx_seq;       /* under out->lock */
  gint rtx_started;      /* atomic: an RTX packet went out (its SSRC is known to the receiver) */
};

/* ---- routes ---- */

static SamtalRelayRoute *
route_ref (SamtalRelayRoute *r)
{
  g_atomic_int_inc (&r->ref);
  return r;
}

static void
route_unref (gpointer data)
{
  SamtalRelayRoute *r = data;
  if (!g_atomic_int_dec_and_test (&r->ref))
    return;
  samtal_relay_stream_unref (r->stream);
  samtal_relay_out_unref (r->out);
  samtal_relay_branch_count_unref (r->count);
  g_free (r);
}

/* ---- the way out ---- */

/* buf to out's participant: through our own SRTP and its ICE agent once the keys are there
 * (relay-wire.h), else through the DTLS-SRTP encoder. */
static gboolean
out_push (SamtalRelayOut *out, GstBuffer *buf)
{
  g_mutex_lock (&out->push_lock);
  SamtalRelayWireResult r = out->wire ? samtal_relay_wire_out_send (out->wire, buf)
                                      : SAMTAL_RELAY_WIRE_NOT_MINE;
  gboolean ok = r == SAMTAL_RELAY_WIRE_DONE;
  if (r == SAMTAL_RELAY_WIRE_NOT_MINE)
    ok = gst_pad_push (out->pad, gst_buffer_ref (buf)) == GST_FLOW_OK;
  g_mutex_unlock (&out->push_lock);
  return ok;
}

static void
out_push_rtcp (SamtalRelayOut *out, GstBuffer *buf)
{
  g_mutex_lock (&out->rtcp_push_lock);
  if (out->rtcp_out != NULL)
    gst_pad_push (out->rtcp_out, gst_buffer_ref (buf));
  g_mutex_unlock (&out->rtcp_push_lock);
}

/* Whether a packet with an SSRC the subscriber has not seen yet (a stream's first RTP packet, its
 * first RTX packet, a sender report before the stream) may go to it now. Not while the relay's
 * offer to it is out: a webrtcbin 1.22 receiver (samtal-client, the test peers) that meets a new
 * SSRC while it applies an offer deadlocks — rtpbin's on-new-ssrc handler waits for webrtcbin's
 * PC lock on the streaming thread while the PC thread, holding it, activates pads and waits for
 * that streaming thread (seen in relay-media/remove-while-flowing: a test peer froze) — or, with
 * new m-lines, looks for transceivers it has not made yet ("jitter_buffer_set_retransmission:
 * code should not be reached"). Packets of streams it already has do not reach those handlers,
 * so they go on. Browsers have neither problem. */
static gboolean
new_ssrc_allowed (SamtalRelayRoute *r)
{
  return !g_atomic_int_get (&r->count->tag->gate_closed);
}

static void
route_push (SamtalRelayRoute *r, GstBuffer *buf, guint16 seq)
{
  if (!g_atomic_int_get (&r->active))
    return;
  __atomic_fetch_add (&r->count->in, 1, __ATOMIC_RELAXED);
  /* A stream's first packet waits while the subscriber renegotiates (see new_ssrc_allowed). */
  if (!r->guard.started && !new_ssrc_allowed (r)) {
    __atomic_fetch_add (&r->count->gated, 1, __ATOMIC_RELAXED);
    return;
  }
  if (!samtal_relay_replay_admit (&r->guard, seq)) {
    __atomic_fetch_add (&r->count->gated, 1, __ATOMIC_RELAXED);   /* handled: not stalled */
    return;
  }
  if (out_push (r->out, buf)) {
    __atomic_fetch_add (&r->count->out, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add (&r->count->tag->link->forwarded, 1, __ATOMIC_RELAXED);
  }
}

/* ---- streams ---- */

SamtalRelayStream *
samtal_relay_stream_new (guint32 ssrc, guint payload, gboolean cache)
{
  SamtalRelayStream *st = g_new0 (SamtalRelayStream, 1);
  st->ref = 1;
  st->ssrc = ssrc;
  st->payload = payload;
  g_mutex_init (&st->lock);
  st->routes = g_ptr_array_new_with_free_func (route_unref);
  if (cache) {
    st->cache = g_new0 (GstBuffer *, SAMTAL_RELAY_RTX_CACHE);
    st->cache_seq = g_new0 (guint16, SAMTAL_RELAY_RTX_CACHE);
  }
  return st;
}

SamtalRelayStream *
samtal_relay_stream_ref (SamtalRelayStream *st)
{
  g_atomic_int_inc (&st->ref);
  return st;
}

void
samtal_relay_stream_unref (SamtalRelayStream *st)
{
  if (st == NULL || !g_atomic_int_dec_and_test (&st->ref))
    return;
  g_ptr_array_unref (st->routes);
  for (guint i = 0; st->cache != NULL && i < SAMTAL_RELAY_RTX_CACHE; i++)
    gst_clear_buffer (&st->cache[i]);
  g_free (st->cache);
  g_free (st->cache_seq);
  gst_clear_object (&st->upstream);
  g_mutex_clear (&st->lock);
  g_free (st);
}

guint32
samtal_relay_stream_ssrc (SamtalRelayStream *st)
{
  return st->ssrc;
}

guint
samtal_relay_stream_payload (SamtalRelayStream *st)
{
  return st->payload;
}

/* The publisher's thread: keep buf for retransmission and hand it to every route. */
static void
stream_forward (SamtalRelayStream *st, GstBuffer *buf, guint16 seq)
{
  g_mutex_lock (&st->lock);
  GPtrArray *routes = g_ptr_array_ref (st->routes);
  if (st->cache != NULL) {
    guint i = seq % SAMTAL_RELAY_RTX_CACHE;
    gst_buffer_replace (&st->cache[i], buf);
    st->cache_seq[i] = seq;
  }
  g_mutex_unlock (&st->lock);
  for (guint i = 0; i < routes->len; i++)
    route_push (g_ptr_array_index (routes, i), buf, seq);
  g_ptr_array_unref (routes);
}

/* The publisher's thread: an SR of st's to every subscriber the stream flows to. */
static void
stream_forward_sr (SamtalRelayStream *st, GstBuffer *sr)
{
  g_mutex_lock (&st->lock);
  GPtrArray *routes = g_ptr_array_ref (st->routes);
  g_mutex_unlock (&st->lock);
  for (guint i = 0; i < routes->len; i++) {
    SamtalRelayRoute *r = g_ptr_array_index (routes, i);
    /* only once its RTP flows (same thread): an SR is a new SSRC too (new_ssrc_allowed) */
    if (g_atomic_int_get (&r->active) && r->guard.started)
      out_push_rtcp (r->out, sr);
  }
  g_ptr_array_unref (routes);
}

/* A copy of st's routes with r added (add) or without it. Main context. */
static void
stream_change_routes (SamtalRelayStream *st, SamtalRelayRoute *r, gboolean add)
{
  g_mutex_lock (&st->lock);
  GPtrArray *next = g_ptr_array_new_with_free_func (route_unref);
  for (guint i = 0; i < st->routes->len; i++) {
    SamtalRelayRoute *old = g_ptr_array_index (st->routes, i);
    if (old != r)
      g_ptr_array_add (next, route_ref (old));
  }
  if (add)
    g_ptr_array_add (next, route_ref (r));
  g_ptr_array_unref (st->routes);
  st->routes = next;
  g_mutex_unlock (&st->lock);
}

static void
stream_send_up (SamtalRelayStream *st, GstStructure *s)
{
  g_mutex_lock (&st->lock);
  GstPad *up = st->upstream ? gst_object_ref (st->upstream) : NULL;
  g_mutex_unlock (&st->lock);
  gst_structure_set (s, "ssrc", G_TYPE_UINT, st->ssrc, "payload", G_TYPE_UINT, st->payload, NULL);
  GstEvent *event = gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, s);
  if (up == NULL) {
    gst_event_unref (event);
    return;
  }
  gst_pad_push_event (up, event);
  gst_object_unref (up);
}

/* A subscriber asked for a keyframe of st (its thread). */
static void
stream_request_keyframe (SamtalRelayStream *st, SamtalRelayLink *link)
{
  gint64 now = g_get_monotonic_time ();
  g_mutex_lock (&st->lock);
  gboolean due = st->last_keyframe_request == 0 ||
                 now - st->last_keyframe_request >= SAMTAL_RELAY_PLI_INTERVAL_MS * 1000;
  if (due)
    st->last_keyframe_request = now;
  g_mutex_unlock (&st->lock);
  if (!due)
    return;
  __atomic_fetch_add (&link->keyframe_requests, 1, __ATOMIC_RELAXED);
  stream_send_up (st, gst_structure_new ("GstForceKeyUnit", "all-headers", G_TYPE_BOOLEAN, TRUE,
                                         NULL));
}

/* The cached packet with sequence number seq (ref), or NULL. */
static GstBuffer *
stream_cached (SamtalRelayStream *st, guint16 seq)
{
  GstBuffer *buf = NULL;
  g_mutex_lock (&st->lock);
  guint i = seq % SAMTAL_RELAY_RTX_CACHE;
  if (st->cache != NULL && st->cache[i] != NULL && st->cache_seq[i] == seq)
    buf = gst_buffer_ref (st->cache[i]);
  g_mutex_unlock (&st->lock);
  return buf;
}

/* ---- the input probe ---- */

SamtalRelayInput *
samtal_relay_input_new (void)
{
  SamtalRelayInput *in = g_new0 (SamtalRelayInput, 1);
  in->ref = 1;
  g_mutex_init (&in->lock);
  in->streams = g_hash_table_new_full (NULL, NULL, NULL,
                                       (GDestroyNotify) samtal_relay_stream_unref);
  return in;
}

static SamtalRelayInput *
input_ref (SamtalRelayInput *in)
{
  g_atomic_int_inc (&in->ref);
  return in;
}

void
samtal_relay_input_unref (SamtalRelayInput *in)
{
  if (in == NULL || !g_atomic_int_dec_and_test (&in->ref))
    return;
  g_hash_table_unref (in->streams);
  gst_clear_object (&in->pad);
  samtal_relay_wire_in_free (in->wire);
  g_mutex_clear (&in->lock);
  g_free (in);
}

/* ssrc's stream (borrowed; NULL if not forwarded). Under in->lock. */
static SamtalRelayStream *
input_lookup (SamtalRelayInput *in, guint32 ssrc)
{
  for (guint i = 0; i < G_N_ELEMENTS (in->recent); i++)
    if (in->recent[i].st != NULL && in->recent[i].ssrc == ssrc)
      return in->recent[i].st;
  SamtalRelayStream *st = g_hash_table_lookup (in->streams, GUINT_TO_POINTER (ssrc));
  if (st != NULL) {
    in->recent[in->recent_next].ssrc = ssrc;
    in->recent[in->recent_next].st = st;
    in->recent_next = (in->recent_next + 1) % G_N_ELEMENTS (in->recent);
  }
  return st;
}

/* Under in->lock, whenever in->streams changes. */
static void
input_forget_recent (SamtalRelayInput *in)
{
  memset (in->recent, 0, sizeof in->recent);
}

/* TRUE if buf was forwarded (and is no business of rtpbin's any more). */
static gboolean
input_take (SamtalRelayInput *in, GstBuffer *buf)
{
  guint32 ssrc;
  guint16 seq;
  if (!samtal_relay_rtp_ids (buf, &ssrc, &seq))
    return FALSE;
  g_mutex_lock (&in->lock);
  SamtalRelayStream *st = input_lookup (in, ssrc);
  if (st != NULL)
    samtal_relay_stream_ref (st);
  g_mutex_unlock (&in->lock);
  if (st == NULL)
    return FALSE;
  stream_forward (st, buf, seq);
  samtal_relay_stream_unref (st);
  return TRUE;
}

static gboolean
take_from_list (GstBuffer **buf, guint idx, gpointer user_data)
{
  if (input_take (user_data, *buf))
    gst_clear_buffer (buf);   /* removed from the list */
  return TRUE;
}

static GstPadProbeReturn
on_input (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SamtalRelayInput *in = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return input_take (in, GST_PAD_PROBE_INFO_BUFFER (info)) ? GST_PAD_PROBE_DROP
                                                              : GST_PAD_PROBE_OK;
  GstBufferList *list = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  info->data = list;
  gst_buffer_list_foreach (list, take_from_list, in);
  return gst_buffer_list_length (list) == 0 ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* One packet of the publisher's RTCP: its SRs for forwarded streams go on. */
static void
input_rtcp (GstRTCPPacket *pk, gpointer user_data)
{
  SamtalRelayInput *in = user_data;
  guint32 ssrc;

  if (gst_rtcp_packet_get_type (pk) != GST_RTCP_TYPE_SR)
    return;
  g_autoptr (GstBuffer) sr = samtal_relay_rtcp_bare_sr (pk, &ssrc);
  g_mutex_lock (&in->lock);
  SamtalRelayStream *st = g_hash_table_lookup (in->streams, GUINT_TO_POINTER (ssrc));
  if (st != NULL)
    samtal_relay_stream_ref (st);
  g_mutex_unlock (&in->lock);
  if (st != NULL) {
    stream_forward_sr (st, sr);
    samtal_relay_stream_unref (st);
  }
}

static GstPadProbeReturn
on_input_rtcp (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  samtal_relay_rtcp_foreach (info, input_rtcp, user_data);
  return GST_PAD_PROBE_OK;   /* rtpbin still gets every report */
}

/* In front of the publisher's DTLS-SRTP decoder: forwarded RTP is decrypted by the wire-in, which
 * chains it into rtpsession as srtpdec would have; everything else (DTLS, RTCP, RTX, SSRCs not
 * forwarded yet) goes the elements' way. */
static GstPadProbeReturn
on_wire_input (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SamtalRelayInput *in = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint8 head[12];

  if (gst_buffer_extract (buf, 0, head, sizeof head) != sizeof head ||
      !samtal_relay_wire_is_rtp (head, sizeof head))
    return GST_PAD_PROBE_OK;
  guint32 ssrc = GST_READ_UINT32_BE (head + 8);
  g_mutex_lock (&in->lock);
  gboolean forwarded = input_lookup (in, ssrc) != NULL;
  g_mutex_unlock (&in->lock);
  if (!forwarded)
    return GST_PAD_PROBE_OK;
  buf = gst_buffer_make_writable (buf);   /* nicesrc's buffer: ours alone, no copy */
  info->data = buf;
  return samtal_relay_wire_in_take (in->wire, buf) == SAMTAL_RELAY_WIRE_NOT_MINE
             ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
drop_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_PAD_PROBE_DROP;
}

/* On the receive thread, while nothing passes capsfilter's src pad: capsfilter → dtlssrtpdec
 * directly, the queue left behind (idle, dropping what it still holds: at most a packet or two). */
static GstPadProbeReturn
bypass_queue (GstPad *caps_src, GstPadProbeInfo *info, gpointer user_data)
{
  GstElement *queue = user_data;
  g_autoptr (GstPad) q_sink = gst_element_get_static_pad (queue, "sink");
  g_autoptr (GstPad) q_src = gst_element_get_static_pad (queue, "src");
  g_autoptr (GstPad) dec_sink = gst_pad_get_peer (q_src);

  if (dec_sink == NULL || !gst_pad_is_linked (q_sink))
    return GST_PAD_PROBE_REMOVE;
  gst_pad_add_probe (q_src, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, drop_data, NULL, NULL);
  gst_pad_unlink (q_src, dec_sink);
  gst_pad_unlink (caps_src, q_sink);
  if (gst_pad_link_full (caps_src, dec_sink, GST_PAD_LINK_CHECK_NOTHING) != GST_PAD_LINK_OK) {
    gst_pad_link_full (caps_src, q_sink, GST_PAD_LINK_CHECK_NOTHING);   /* as it was */
    gst_pad_link_full (q_src, dec_sink, GST_PAD_LINK_CHECK_NOTHING);
  }
  return GST_PAD_PROBE_REMOVE;
}

/* webrtcbin's receive bin hands every packet from nicesrc's thread to a queue's thread before
 * DTLS-SRTP: one thread wake-up per packet, about a fifth of the relay's CPU per forwarded packet
 * (bench/README.md). Where the bin looks as in 1.22 (nicesrc → capsfilter → queue →
 * dtlssrtpdec), nicesrc's thread goes on through decryption and forwarding itself, as Janus's
 * per-connection thread does. Anything else is left as it is. */
static void
bypass_receive_queue (GstElement *dec)
{
  g_autoptr (GstPad) dec_sink = gst_element_get_static_pad (dec, "sink");
  g_autoptr (GstPad) q_src = dec_sink ? gst_pad_get_peer (dec_sink) : NULL;
  g_autoptr (GstElement) queue = q_src ? gst_pad_get_parent_element (q_src) : NULL;
  GstElementFactory *f = queue ? gst_element_get_factory (queue) : NULL;

  if (f == NULL || !g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (f)),
                                           "queue"))
    return;
  g_autoptr (GstPad) q_sink = gst_element_get_static_pad (queue, "sink");
  g_autoptr (GstPad) caps_src = gst_pad_get_peer (q_sink);
  if (caps_src == NULL)
    return;
  gst_pad_add_probe (caps_src, GST_PAD_PROBE_TYPE_IDLE, bypass_queue, gst_object_ref (queue),
                     gst_object_unref);
}

/* The same probe right after rtpsession as well: a forwarded stream's packets leave there, before
 * the RTX receiver and the packet storage (for FEC) that rtpbin puts between the session and the
 * SSRC demuxer — about 5 % of a forwarded packet's CPU, and nothing they do is needed for a packet
 * that is forwarded as it came. RTX packets from the publisher (another SSRC) still go through
 * the RTX receiver and reach the probe at the demuxer as the packets they carry. */
static void
take_after_session (SamtalRelayInput *in, GstElement *webrtc)
{
  guint n = 0;
  g_autoptr (GstElement) session = samtal_relay_find_element (webrtc, "rtpsession", &n);
  g_autoptr (GstPad) out = (session && n == 1) ? gst_element_get_static_pad (session,
                                                                              "recv_rtp_src")
                                               : NULL;
  if (out == NULL)
    return;
  gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_input,
                     input_ref (in), (GDestroyNotify) samtal_relay_input_unref);
}

gboolean
samtal_relay_input_attach (SamtalRelayInput *in, GstElement *webrtc, gboolean own_srtp)
{
  if (in->pad != NULL)
    return TRUE;
  guint n = 0;
  g_autoptr (GstElement) demux = samtal_relay_find_element (webrtc, "rtpssrcdemux", &n);
  if (demux == NULL)
    return FALSE;
  if (n > 1)
    g_message ("relay: %u RTP sessions in one bundled webrtcbin; forwarding the first", n);
  GstPad *pad = gst_element_get_static_pad (demux, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_input,
                     input_ref (in), (GDestroyNotify) samtal_relay_input_unref);
  take_after_session (in, webrtc);
  g_mutex_lock (&in->lock);
  in->pad = pad;
  g_mutex_unlock (&in->lock);
  g_autoptr (GstElement) dec = samtal_relay_find_element (webrtc, "dtlssrtpdec", &n);
  if (dec == NULL)
    return TRUE;   /* forwarded all the same; no SRs passed on */
  g_autoptr (GstPad) rtcp = gst_element_get_static_pad (dec, "rtcp_src");
  if (rtcp != NULL)
    gst_pad_add_probe (rtcp, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                       on_input_rtcp, input_ref (in), (GDestroyNotify) samtal_relay_input_unref);
  if (n != 1)   /* one bundled transport, as webrtcbin 1.22 makes it */
    return TRUE;
  bypass_receive_queue (dec);
  in->wire = own_srtp ? samtal_relay_wire_in_new (dec) : NULL;
  g_autoptr (GstPad) dec_sink = in->wire ? gst_element_get_static_pad (dec, "sink") : NULL;
  if (dec_sink != NULL)
    gst_pad_add_probe (dec_sink, GST_PAD_PROBE_TYPE_BUFFER, on_wire_input, input_ref (in),
                       (GDestroyNotify) samtal_relay_input_unref);
  return TRUE;
}

void
samtal_relay_input_add_stream (SamtalRelayInput *in, SamtalRelayStream *st)
{
  g_mutex_lock (&st->lock);
  gst_object_replace ((GstObject **) &st->upstream, (GstObject *) in->pad);
  g_mutex_unlock (&st->lock);
  g_mutex_lock (&in->lock);
  g_hash_table_replace (in->streams, GUINT_TO_POINTER (st->ssrc), samtal_relay_stream_ref (st));
  input_forget_recent (in);
  g_mutex_unlock (&in->lock);
}

void
samtal_relay_input_close (SamtalRelayInput *in)
{
  g_mutex_lock (&in->lock);
  GHashTable *old = in->streams;
  in->streams = g_hash_table_new_full (NULL, NULL, NULL,
                                       (GDestroyNotify) samtal_relay_stream_unref);
  input_forget_recent (in);
  g_mutex_unlock (&in->lock);
  g_hash_table_unref (old);
}

/* ---- the subscriber's RTCP: NACK and keyframe requests for forwarded streams ---- */

static SamtalRelayRoute *
out_route (SamtalRelayOut *out, guint32 ssrc)
{
  g_mutex_lock (&out->lock);
  SamtalRelayRoute *r = g_hash_table_lookup (out->routes, GUINT_TO_POINTER (ssrc));
  if (r != NULL)
    route_ref (r);
  g_mutex_unlock (&out->lock);
  return r;
}

/* orig sent again as RTX on r's stream, with r's next RTX sequence number. */
static GstBuffer *
make_rtx (SamtalRelayRoute *r, GstBuffer *orig)
{
  g_mutex_lock (&r->out->lock);
  guint16 seq = r->rtx_seq++;
  g_mutex_unlock (&r->out->lock);
  return samtal_relay_rtx_packet (orig, r->rtx_ssrc, r->rtx_payload, seq);
}

/* Takes one retransmission from this second's budget. */
static gboolean
out_spend (SamtalRelayOut *out)
{
  gint64 now = g_get_monotonic_time ();
  gboolean ok;
  g_mutex_lock (&out->lock);
  if (now - out->budget_start >= G_USEC_PER_SEC) {
    out->budget_start = now;
    out->budget_used = 0;
  }
  ok = out->budget_used < SAMTAL_RELAY_RTX_PER_SECOND;
  if (ok)
    out->budget_used++;
  g_mutex_unlock (&out->lock);
  return ok;
}

/* One NACKed packet: resent from the cache as RTX (libsrtp never protects the same index twice,
 * so never as it was); not cached: asked of the publisher, whose retransmission comes back
 * through the input (and reaches this receiver if the relay had not sent it before). */
static void
nack_one (SamtalRelayOut *out, SamtalRelayRoute *r, guint16 seq)
{
  SamtalRelayStream *st = r->stream;
  GstBuffer *buf = stream_cached (st, seq);

  if (buf == NULL) {
    if (st->cache != NULL) {
      __atomic_fetch_add (&out->link->nack_upstream, 1, __ATOMIC_RELAXED);
      stream_send_up (st, gst_structure_new ("GstRTPRetransmissionRequest", "seqnum", G_TYPE_UINT,
                                             (guint) seq, NULL));
    }
    return;
  }
  /* The first RTX packet is a new SSRC for the receiver: not while it renegotiates. */
  if (r->rtx_payload != 0 && (g_atomic_int_get (&r->rtx_started) || new_ssrc_allowed (r))) {
    GstBuffer *rtx = make_rtx (r, buf);
    if (rtx != NULL) {
      g_atomic_int_set (&r->rtx_started, 1);
      if (out_push (out, rtx))
        __atomic_fetch_add (&out->link->retransmitted, 1, __ATOMIC_RELAXED);
      gst_buffer_unref (rtx);
    }
  }
  gst_buffer_unref (buf);
}

static void
out_nack (SamtalRelayOut *out, guint32 ssrc, guint16 pid, guint16 blp)
{
  SamtalRelayRoute *r = out_route (out, ssrc);
  if (r == NULL)
    return;
  for (guint bit = 0; bit <= 16; bit++) {
    if (bit > 0 && !(blp & (1u << (bit - 1))))
      continue;
    if (!out_spend (out))
      break;
    nack_one (out, r, (guint16) (pid + bit));
  }
  route_unref (r);
}

static void
out_keyframe (SamtalRelayOut *out, guint32 ssrc)
{
  SamtalRelayRoute *r = out_route (out, ssrc);
  if (r == NULL)
    return;
  stream_request_keyframe (r->stream, out->link);
  route_unref (r);
}

/* One packet of the subscriber's RTCP: NACK, PLI and FIR for forwarded streams. */
static void
out_feedback (GstRTCPPacket *pk, gpointer user_data)
{
  SamtalRelayOut *out = user_data;
  GstRTCPType type = gst_rtcp_packet_get_type (pk);
  if (type != GST_RTCP_TYPE_PSFB && type != GST_RTCP_TYPE_RTPFB)
    return;
  GstRTCPFBType fb = gst_rtcp_packet_fb_get_type (pk);
  guint8 *fci = gst_rtcp_packet_fb_get_fci (pk);
  guint words = gst_rtcp_packet_fb_get_fci_length (pk);

  if (type == GST_RTCP_TYPE_PSFB && fb == GST_RTCP_PSFB_TYPE_PLI) {
    out_keyframe (out, gst_rtcp_packet_fb_get_media_ssrc (pk));
  } else if (type == GST_RTCP_TYPE_PSFB && fb == GST_RTCP_PSFB_TYPE_FIR && fci != NULL) {
    for (guint i = 0; i + 2 <= words; i += 2)   /* entries of 8 bytes: ssrc, seq, reserved */
      out_keyframe (out, GST_READ_UINT32_BE (fci + i * 4));
  } else if (type == GST_RTCP_TYPE_RTPFB && fb == GST_RTCP_RTPFB_TYPE_NACK && fci != NULL) {
    guint32 ssrc = gst_rtcp_packet_fb_get_media_ssrc (pk);
    for (guint i = 0; i < words; i++)
      out_nack (out, ssrc, GST_READ_UINT16_BE (fci + i * 4), GST_READ_UINT16_BE (fci + i * 4 + 2));
  }
}

static GstPadProbeReturn
on_rtcp (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  samtal_relay_rtcp_foreach (info, out_feedback, user_data);
  return GST_PAD_PROBE_OK;   /* rtpbin still gets every report */
}

/* ---- outs ---- */

/* The sticky events a stream starts with: stream-start, caps, a time segment. */
static void
start_stream (GstPad *pad, const char *media_type)
{
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  g_autoptr (GstCaps) caps = gst_caps_new_empty_simple (media_type);
  g_autofree char *id = g_strdup_printf ("samtal-forward-%s", media_type);
  gst_pad_push_event (pad, gst_event_new_stream_start (id));
  gst_pad_push_event (pad, gst_event_new_caps (caps));
  gst_pad_push_event (pad, gst_event_new_segment (&segment));
}

/* Our pad into enc: a request pad of the encoder's own (its own SRTP sink beside rtpbin's, same
 * session and keys), then the sticky events every stream starts with. */
static gboolean
out_link (SamtalRelayOut *out, GstElement *enc, GError **error)
{
  out->enc_pad = gst_element_request_pad_simple (enc, "rtp_sink_1");
  if (out->enc_pad == NULL) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "the DTLS-SRTP encoder gives no second RTP input");
    return FALSE;
  }
  out->pad = gst_pad_new ("samtal-forward", GST_PAD_SRC);
  gst_pad_set_active (out->pad, TRUE);
  if (gst_pad_link_full (out->pad, out->enc_pad, GST_PAD_LINK_CHECK_NOTHING) != GST_PAD_LINK_OK) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "cannot link into the DTLS-SRTP encoder");
    return FALSE;
  }
  start_stream (out->pad, "application/x-rtp");
  /* Forwarded sender reports: best effort (without them receivers only lose lip sync). */
  out->enc_rtcp_pad = gst_element_request_pad_simple (enc, "rtcp_sink_1");
  if (out->enc_rtcp_pad == NULL)
    return TRUE;
  GstPad *rtcp = gst_pad_new ("samtal-forward-rtcp", GST_PAD_SRC);
  gst_pad_set_active (rtcp, TRUE);
  if (gst_pad_link_full (rtcp, out->enc_rtcp_pad, GST_PAD_LINK_CHECK_NOTHING) != GST_PAD_LINK_OK) {
    gst_pad_set_active (rtcp, FALSE);
    gst_object_unref (rtcp);
    return TRUE;
  }
  start_stream (rtcp, "application/x-rtcp");
  out->rtcp_out = rtcp;
  return TRUE;
}

SamtalRelayOut *
samtal_relay_out_new (GstElement *webrtc, SamtalRelayLink *link, gboolean own_srtp,
                      GError **error)
{
  guint n_enc = 0, n_dec = 0;
  g_autoptr (GstElement) enc = samtal_relay_find_element (webrtc, "dtlssrtpenc", &n_enc);
  g_autoptr (GstElement) dec = samtal_relay_find_element (webrtc, "dtlssrtpdec", &n_dec);

  if (enc == NULL || dec == NULL) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_INTERNAL,
                 "no DTLS-SRTP transport to forward into");
    return NULL;
  }
  if (n_enc > 1 || n_dec > 1)
    g_message ("relay: %u transports in one bundled webrtcbin; forwarding into the first", n_enc);
  SamtalRelayOut *out = g_new0 (SamtalRelayOut, 1);
  out->ref = 1;
  out->link = samtal_relay_link_ref (link);
  g_mutex_init (&out->push_lock);
  g_mutex_init (&out->rtcp_push_lock);
  g_mutex_init (&out->lock);
  out->routes = g_hash_table_new_full (NULL, NULL, NULL, route_unref);
  out->wire = own_srtp ? samtal_relay_wire_out_new (webrtc) : NULL;
  if (!out_link (out, enc, error)) {
    samtal_relay_out_close (out);
    samtal_relay_out_unref (out);
    return NULL;
  }
  out->rtcp_pad = gst_element_get_static_pad (dec, "rtcp_src");
  if (out->rtcp_pad != NULL)
    out->rtcp_probe = gst_pad_add_probe (out->rtcp_pad,
                                         GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                                         on_rtcp, samtal_relay_out_ref (out),
                                         (GDestroyNotify) samtal_relay_out_unref);
  return out;
}

SamtalRelayOut *
samtal_relay_out_ref (SamtalRelayOut *out)
{
  g_atomic_int_inc (&out->ref);
  return out;
}

void
samtal_relay_out_unref (SamtalRelayOut *out)
{
  if (out == NULL || !g_atomic_int_dec_and_test (&out->ref))
    return;
  if (out->pad != NULL) {
    gst_pad_set_active (out->pad, FALSE);
    gst_object_unref (out->pad);
  }
  gst_clear_object (&out->enc_pad);
  if (out->rtcp_out != NULL) {
    gst_pad_set_active (out->rtcp_out, FALSE);
    gst_object_unref (out->rtcp_out);
  }
  gst_clear_object (&out->enc_rtcp_pad);
  samtal_relay_wire_out_free (out->wire);
  g_mutex_clear (&out->rtcp_push_lock);
  gst_clear_object (&out->rtcp_pad);
  g_hash_table_unref (out->routes);
  samtal_relay_link_unref (out->link);
  g_mutex_clear (&out->push_lock);
  g_mutex_clear (&out->lock);
  g_free (out);
}

void
samtal_relay_out_set_path (SamtalRelayOut *out, SamtalRelayWirePath *path)
{
  g_mutex_lock (&out->push_lock);
  if (out->wire != NULL)
    samtal_relay_wire_out_set_path (out->wire, path);
  g_mutex_unlock (&out->push_lock);
}

void
samtal_relay_out_close (SamtalRelayOut *out)
{
  if (out->rtcp_probe != 0) {
    gst_pad_remove_probe (out->rtcp_pad, out->rtcp_probe);   /* drops its reference */
    out->rtcp_probe = 0;
  }
  if (out->pad != NULL && out->enc_pad != NULL)
    gst_pad_unlink (out->pad, out->enc_pad);
  if (out->rtcp_out != NULL && out->enc_rtcp_pad != NULL)
    gst_pad_unlink (out->rtcp_out, out->enc_rtcp_pad);
  g_mutex_lock (&out->lock);
  GHashTable *old = out->routes;
  out->routes = g_hash_table_new_full (NULL, NULL, NULL, route_unref);
  g_mutex_unlock (&out->lock);
  g_hash_table_unref (old);   /* outside the lock: the last route reference may go here */
}

/* ---- routes ---- */

SamtalRelayRoute *
samtal_relay_route_new (SamtalRelayStream *st, SamtalRelayOut *out, SamtalRelayBranchCount *count)
{
  SamtalRelayRoute *r = g_new0 (SamtalRelayRoute, 1);
  r->ref = 1;
  r->stream = samtal_relay_stream_ref (st);
  r->out = samtal_relay_out_ref (out);
  r->count = samtal_relay_branch_count_ref (count);
  return r;
}

void
samtal_relay_route_start (SamtalRelayRoute *r)
{
  if (g_atomic_int_get (&r->active))
    return;
  g_mutex_lock (&r->out->lock);
  g_hash_table_replace (r->out->routes, GUINT_TO_POINTER (r->stream->ssrc), route_ref (r));
  g_mutex_unlock (&r->out->lock);
  g_atomic_int_set (&r->active, 1);
  stream_change_routes (r->stream, r, TRUE);
}

void
samtal_relay_route_set_rtx (SamtalRelayRoute *r, guint32 rtx_ssrc, guint rtx_payload)
{
  r->rtx_ssrc = rtx_ssrc;
  r->rtx_payload = rtx_payload;
  r->rtx_seq = (guint16) g_random_int ();
}

gboolean
samtal_relay_route_flowing (SamtalRelayRoute *r)
{
  return g_atomic_int_get (&r->active);
}

void
samtal_relay_route_free (SamtalRelayRoute *r)
{
  g_atomic_int_set (&r->active, 0);
  stream_change_routes (r->stream, r, FALSE);
  g_mutex_lock (&r->out->lock);
  gboolean mine = g_hash_table_lookup (r->out->routes, GUINT_TO_POINTER (r->stream->ssrc)) == r;
  if (mine)
    g_hash_table_steal (r->out->routes, GUINT_TO_POINTER (r->stream->ssrc));
  g_mutex_unlock (&r->out->lock);
  if (mine)
    route_unref (r);   /* the table's reference, outside the lock */
  route_unref (r);
}
