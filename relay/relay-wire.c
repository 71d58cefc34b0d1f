/* relay-wire.c — SRTP and sending by the relay itself on the direct forwarding path.
 *
 * Why: after relay-forward.c took rtpbin out of the way, most of a forwarded packet's CPU went
 * into webrtcbin's DTLS-SRTP elements: Debian's libsrtp2 (behind srtpdec/srtpenc) makes a new NSS
 * context for every packet (~14 µs for one decrypt and one encrypt), and the send side still
 * crossed srtpenc, a funnel, clocksync and nicesink's base-class machinery. Here the packet is
 * decrypted with relay-srtp.h right where it enters the publisher's DTLS-SRTP bin and is chained
 * into the pad srtpdec's output leads to (rtpsession's input, past the ghost pads), as if
 * srtpdec had done it; on the way out it is encrypted with relay-srtp.h and given to the subscriber's libnice
 * agent with nice_agent_send, which is what nicesink does in the end.
 *
 * Keys: the DTLS elements export them after the handshake (dtlsenc "encoder-key", dtlsdec
 * "decoder-key": 16 bytes of master key and 14 of salt, with the negotiated cipher and auth) —
 * the same values dtlssrtpenc/dec hand to srtpenc/srtpdec. A session here keeps its own state per
 * SSRC; a given packet goes through exactly one of the two (ours, or the elements'), and the
 * route's replay guard (relay-rtp.h) keeps indexes unique per receiver either way.
 */
#include "relay/relay-wire.h"

#include "relay/relay-srtp.h"

#include <agent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Bigger forwarded packets (there should be none: RTP over UDP stays under the path MTU) are left
 * to webrtcbin's elements. */
#define WIRE_MAX_PACKET 2048

struct _SamtalRelayWirePath {
  gint ref;
  GMutex lock;
  int fd;                 /* a duplicate of the pair's socket (-1: not set) */
  struct sockaddr_storage remote;
  socklen_t len;
};

struct _SamtalRelayWireOut {
  GstElement *dtls;       /* dtlsenc (ref): the local key */
  GstElement *sink;       /* nicesink (ref): agent, stream and component */
  NiceAgent *agent;       /* (ref) once keyed */
  guint stream;
  guint component;
  SamtalSrtp *srtp;
  gboolean unusable;      /* a profile relay-srtp does not do: the elements carry everything */
  SamtalRelayWirePath *path;  /* (nullable, ref) */
};

struct _SamtalRelayWireIn {
  GstElement *dtls;       /* dtlsdec (ref): the remote key */
  GstPad *plain;          /* srtpdec's rtp_src (ref): its caps say srtpdec's output started */
  GstPad *next;           /* the first real pad downstream of it (ref): rtpsession's input;
                           * NULL: push on plain */
  gboolean started;       /* plain had its caps: next was looked for */
  GstElement *srtpdec;    /* (ref) its stats know the roll-over counters of streams it decrypted */
  GHashTable *seen;       /* SSRCs handed to srtp (its hint asked of srtpdec once) */
  guint32 recent[4];      /* SSRCs of seen looked at last (checked before the table) */
  gboolean recent_set[4];
  guint recent_next;
  SamtalSrtp *srtp;
  gboolean unusable;
};

GstElement *
samtal_relay_find_element (GstElement *bin, const char *factory, guint *count)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;

  *count = 0;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (e);
    if (f != NULL && g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (f)), factory)) {
      if (found == NULL)
        found = gst_object_ref (e);
      (*count)++;
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  return found;
}

gboolean
samtal_relay_wire_is_rtp (const guint8 *data, gsize len)
{
  if (len < 12 || (data[0] & 0xc0) != 0x80)   /* 128..191: RTP or RTCP (RFC 7983) */
    return FALSE;
  guint pt = data[1] & 0x7f;
  return pt < 64 || pt > 95;                  /* 64..95 with the marker bit: RTCP 192..223 */
}

/* A session for the key a DTLS element exports as property (NULL: none yet). *unusable is set if
 * the handshake agreed on a profile relay-srtp does not do. */
static SamtalSrtp *
session_from (GstElement *dtls, const char *property, gboolean *unusable)
{
  GstBuffer *key = NULL;
  guint cipher = 0, auth = 0;
  GstMapInfo map;

  g_object_get (dtls, property, &key, "srtp-cipher", &cipher, "srtp-auth", &auth, NULL);
  if (key == NULL)
    return NULL;
  SamtalSrtp *srtp = NULL;
  g_autoptr (GError) error = NULL;
  /* GstDtlsSrtpCipher 1 = aes-128-icm; GstDtlsSrtpAuth 1 = hmac-sha1-32, 2 = hmac-sha1-80 */
  if (cipher == 1 && (auth == 1 || auth == 2) && gst_buffer_map (key, &map, GST_MAP_READ)) {
    srtp = samtal_srtp_new (auth == 2 ? SAMTAL_SRTP_AES128_CM_SHA1_80
                                      : SAMTAL_SRTP_AES128_CM_SHA1_32,
                            map.data, map.size, &error);
    gst_buffer_unmap (key, &map);
  }
  gst_buffer_unref (key);
  if (srtp == NULL) {
    *unusable = TRUE;
    g_message ("relay: SRTP (cipher %u, auth %u) left to webrtcbin: %s", cipher, auth,
               error ? error->message : "a profile the relay does not do itself");
  }
  return srtp;
}

/* ---- path ---- */

SamtalRelayWirePath *
samtal_relay_wire_path_new (void)
{
  SamtalRelayWirePath *path = g_new0 (SamtalRelayWirePath, 1);
  path->ref = 1;
  path->fd = -1;
  g_mutex_init (&path->lock);
  return path;
}

SamtalRelayWirePath *
samtal_relay_wire_path_ref (SamtalRelayWirePath *path)
{
  g_atomic_int_inc (&path->ref);
  return path;
}

void
samtal_relay_wire_path_unref (SamtalRelayWirePath *path)
{
  if (path == NULL || !g_atomic_int_dec_and_test (&path->ref))
    return;
  samtal_relay_wire_path_clear (path);
  g_mutex_clear (&path->lock);
  g_free (path);
}

gboolean
samtal_relay_wire_path_set (SamtalRelayWirePath *path, int fd,
                            const struct sockaddr_storage *remote, socklen_t len)
{
  /* A duplicate: libnice may close its descriptor (a removed stream) and the number be reused
   * before the ingress notices; ours stays this socket until cleared. */
  int dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0 || len > sizeof path->remote) {
    if (dup_fd >= 0)
      close (dup_fd);
    return FALSE;
  }
  g_mutex_lock (&path->lock);
  int old = path->fd;
  path->fd = dup_fd;
  memcpy (&path->remote, remote, len);
  path->len = len;
  g_mutex_unlock (&path->lock);
  if (old >= 0)
    close (old);
  return TRUE;
}

void
samtal_relay_wire_path_clear (SamtalRelayWirePath *path)
{
  g_mutex_lock (&path->lock);
  int old = path->fd;
  path->fd = -1;
  g_mutex_unlock (&path->lock);
  if (old >= 0)
    close (old);
}

/* Sends pkt through path if it is set: TRUE with *sent, else FALSE (libnice's turn). */
static gboolean
path_send (SamtalRelayWirePath *path, const guint8 *pkt, gsize len, gboolean *sent)
{
  g_mutex_lock (&path->lock);
  gboolean set = path->fd >= 0;
  if (set) {
    ssize_t n = sendto (path->fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *) &path->remote,
                        path->len);
    *sent = n == (ssize_t) len;
  }
  g_mutex_unlock (&path->lock);
  return set;
}

/* ---- out ---- */

SamtalRelayWireOut *
samtal_relay_wire_out_new (GstElement *webrtc)
{
  guint n_enc = 0, n_dtls = 0, n_sink = 0;
  g_autoptr (GstElement) enc = samtal_relay_find_element (webrtc, "dtlssrtpenc", &n_enc);
  g_autoptr (GstElement) dtls = enc ? samtal_relay_find_element (enc, "dtlsenc", &n_dtls) : NULL;
  g_autoptr (GstElement) sink = samtal_relay_find_element (webrtc, "nicesink", &n_sink);

  if (n_enc != 1 || n_dtls != 1 || n_sink != 1)
    return NULL;
  SamtalRelayWireOut *w = g_new0 (SamtalRelayWireOut, 1);
  w->dtls = g_steal_pointer (&dtls);
  w->sink = g_steal_pointer (&sink);
  return w;
}

void
samtal_relay_wire_out_free (SamtalRelayWireOut *w)
{
  if (w == NULL)
    return;
  gst_clear_object (&w->dtls);
  gst_clear_object (&w->sink);
  g_clear_object (&w->agent);
  samtal_srtp_free (w->srtp);
  samtal_relay_wire_path_unref (w->path);
  g_free (w);
}

void
samtal_relay_wire_out_set_path (SamtalRelayWireOut *w, SamtalRelayWirePath *path)
{
  SamtalRelayWirePath *old = w->path;
  w->path = path ? samtal_relay_wire_path_ref (path) : NULL;
  samtal_relay_wire_path_unref (old);
}

static gboolean
wire_out_ready (SamtalRelayWireOut *w)
{
  if (w->agent != NULL)
    return TRUE;
  if (w->unusable)
    return FALSE;
  if (w->srtp == NULL && (w->srtp = session_from (w->dtls, "encoder-key", &w->unusable)) == NULL)
    return FALSE;
  NiceAgent *agent = NULL;
  guint stream = 0, component = 0;
  g_object_get (w->sink, "agent", &agent, "stream", &stream, "component", &component, NULL);
  if (agent == NULL || stream == 0 || component == 0) {
    g_clear_object (&agent);
    return FALSE;
  }
  w->agent = agent;
  w->stream = stream;
  w->component = component;
  return TRUE;
}

SamtalRelayWireResult
samtal_relay_wire_out_send (SamtalRelayWireOut *w, GstBuffer *buf)
{
  guint8 pkt[WIRE_MAX_PACKET + SAMTAL_SRTP_MAX_TAG];
  gsize size = gst_buffer_get_size (buf), len = 0;

  if (size > WIRE_MAX_PACKET || !wire_out_ready (w))
    return SAMTAL_RELAY_WIRE_NOT_MINE;
  gst_buffer_extract (buf, 0, pkt, size);
  SamtalSrtpResult r = samtal_srtp_protect (w->srtp, pkt, size, sizeof pkt, &len);
  if (r != SAMTAL_SRTP_OK) {
    g_debug ("relay: not sent: %s", samtal_srtp_result_string (r));
    return SAMTAL_RELAY_WIRE_DROPPED;
  }
  gboolean ok = FALSE;
  if (w->path == NULL || !path_send (w->path, pkt, len, &ok))
    ok = nice_agent_send (w->agent, w->stream, w->component, (guint) len,
                          (const gchar *) pkt) == (gint) len;
  return ok ? SAMTAL_RELAY_WIRE_DONE : SAMTAL_RELAY_WIRE_DROPPED;
}

/* ---- in ---- */

/* The first pad downstream of src that is not a ghost or proxy pad (ref), NULL if there is none:
 * decrypted packets go straight there, past webrtcbin's and rtpbin's ghost pads (each a push and
 * its locks), which do nothing with a buffer but pass it on. */
static GstPad *
first_real_peer (GstPad *src)
{
  GstPad *peer = gst_pad_get_peer (src);
  for (guint hops = 0; peer != NULL && GST_IS_PROXY_PAD (peer) && hops < 16; hops++) {
    GstPad *through = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (peer)));
    gst_object_unref (peer);
    peer = through ? gst_pad_get_peer (through) : NULL;
    gst_clear_object (&through);
  }
  if (peer != NULL && GST_IS_PROXY_PAD (peer))
    gst_clear_object (&peer);
  return peer;
}

SamtalRelayWireIn *
samtal_relay_wire_in_new (GstElement *dec)
{
  guint n_dtls = 0, n_srtp = 0;
  g_autoptr (GstElement) dtls = samtal_relay_find_element (dec, "dtlsdec", &n_dtls);
  g_autoptr (GstElement) srtpdec = samtal_relay_find_element (dec, "srtpdec", &n_srtp);
  GstPad *plain = srtpdec ? gst_element_get_static_pad (srtpdec, "rtp_src") : NULL;

  if (n_dtls != 1 || n_srtp != 1 || plain == NULL) {
    gst_clear_object (&plain);
    return NULL;
  }
  SamtalRelayWireIn *w = g_new0 (SamtalRelayWireIn, 1);
  w->dtls = g_steal_pointer (&dtls);
  w->plain = plain;
  w->srtpdec = g_steal_pointer (&srtpdec);
  w->seen = g_hash_table_new (NULL, NULL);
  return w;
}

void
samtal_relay_wire_in_free (SamtalRelayWireIn *w)
{
  if (w == NULL)
    return;
  gst_clear_object (&w->dtls);
  gst_clear_object (&w->plain);
  gst_clear_object (&w->next);
  gst_clear_object (&w->srtpdec);
  g_clear_pointer (&w->seen, g_hash_table_unref);
  samtal_srtp_free (w->srtp);
  g_free (w);
}

/* srtpdec's roll-over counter for ssrc (G_MAXUINT32 if it has none). A stream is usually taken
 * over some packets after it started (when its first subscriber answers; a publisher alone in a
 * room for ten minutes is past its first wrap), and its first packet must be decrypted with the
 * counter srtpdec has reached. */
static guint32
srtpdec_roc (GstElement *srtpdec, guint32 ssrc)
{
  GstStructure *stats = NULL;
  guint32 roc = G_MAXUINT32;

  g_object_get (srtpdec, "stats", &stats, NULL);
  const GValue *streams = stats ? gst_structure_get_value (stats, "streams") : NULL;
  for (guint i = 0; streams != NULL && GST_VALUE_HOLDS_ARRAY (streams) &&
                    i < gst_value_array_get_size (streams); i++) {
    const GValue *v = gst_value_array_get_value (streams, i);
    const GstStructure *st = GST_VALUE_HOLDS_STRUCTURE (v) ? gst_value_get_structure (v) : NULL;
    guint s = 0, r = 0;
    if (st && gst_structure_get_uint (st, "ssrc", &s) && s == ssrc &&
        gst_structure_get_uint (st, "roc", &r))
      roc = r;
  }
  if (stats != NULL)
    gst_structure_free (stats);
  return roc;
}

/* The first time the wire-in decrypts ssrc: tell srtp where srtpdec's counter is. */
static void
hint_first (SamtalRelayWireIn *w, const guint8 *pkt, gsize len)
{
  if (len < 12)
    return;
  guint32 ssrc = GST_READ_UINT32_BE (pkt + 8);
  for (guint i = 0; i < G_N_ELEMENTS (w->recent); i++)   /* the usual case, without hashing */
    if (w->recent[i] == ssrc && w->recent_set[i])
      return;
  gboolean seen = g_hash_table_contains (w->seen, GUINT_TO_POINTER (ssrc));
  w->recent[w->recent_next] = ssrc;
  w->recent_set[w->recent_next] = TRUE;
  w->recent_next = (w->recent_next + 1) % G_N_ELEMENTS (w->recent);
  if (seen || g_hash_table_size (w->seen) >= SAMTAL_SRTP_MAX_STREAMS)
    return;
  g_hash_table_add (w->seen, GUINT_TO_POINTER (ssrc));
  guint32 roc = srtpdec_roc (w->srtpdec, ssrc);
  g_debug ("relay: taking SRTP of %08x over from srtpdec at roll-over %d", ssrc,
           roc == G_MAXUINT32 ? -1 : (gint) roc);
  samtal_srtp_expect_roc (w->srtp, ssrc, roc);
}

SamtalRelayWireResult
samtal_relay_wire_in_take (SamtalRelayWireIn *w, GstBuffer *buf)
{
  GstMapInfo map;
  gsize len = 0;

  if (w->srtp == NULL && !w->unusable)
    w->srtp = session_from (w->dtls, "decoder-key", &w->unusable);
  /* srtpdec's output starts with its sticky events (stream-start, caps, segment): only after
   * srtpdec sent its first packet can one of ours follow them. */
  if (w->srtp == NULL)
    return SAMTAL_RELAY_WIRE_NOT_MINE;
  if (!w->started) {   /* once: srtpdec's output has its caps, so it is linked by now */
    if (!gst_pad_has_current_caps (w->plain))
      return SAMTAL_RELAY_WIRE_NOT_MINE;
    w->started = TRUE;
    w->next = first_real_peer (w->plain);
    g_debug ("relay: decrypted RTP goes straight to %s:%s", GST_DEBUG_PAD_NAME (w->next));
  }
  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE))
    return SAMTAL_RELAY_WIRE_NOT_MINE;
  hint_first (w, map.data, map.size);
  SamtalSrtpResult r = samtal_srtp_unprotect (w->srtp, map.data, map.size, &len);
  gst_buffer_unmap (buf, &map);
  switch (r) {
  case SAMTAL_SRTP_OK:
    gst_buffer_set_size (buf, (gssize) len);
    if (w->next != NULL)
      gst_pad_chain (w->next, gst_buffer_ref (buf));
    else
      gst_pad_push (w->plain, gst_buffer_ref (buf));
    return SAMTAL_RELAY_WIRE_DONE;
  case SAMTAL_SRTP_TOO_MANY:
    return SAMTAL_RELAY_WIRE_NOT_MINE;   /* untouched: srtpdec may have it */
  default:
    g_debug ("relay: forwarded packet refused: %s", samtal_srtp_result_string (r));
    return SAMTAL_RELAY_WIRE_DROPPED;    /* srtpdec would refuse it as well */
  }
}
