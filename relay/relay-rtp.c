/* relay-rtp.c — packet-level helpers of the direct forwarding path (relay-rtp.h). */
#include "relay/relay-rtp.h"

#include <string.h>

#define SR_BYTES 28   /* header, sender SSRC, NTP time, RTP time, packet and octet counts */

gboolean
samtal_relay_rtp_ids (GstBuffer *buf, guint32 *ssrc, guint16 *seq)
{
  guint8 head[12];
  if (gst_buffer_extract (buf, 0, head, sizeof head) != sizeof head || (head[0] >> 6) != 2)
    return FALSE;
  *seq = GST_READ_UINT16_BE (head + 2);
  *ssrc = GST_READ_UINT32_BE (head + 8);
  return TRUE;
}

/* ---- the replay guard ---- */

static gboolean
guard_bit (const SamtalRelayReplayGuard *g, guint64 back)
{
  return (g->seen[back / 64] >> (back % 64)) & 1;
}

static void
guard_set (SamtalRelayReplayGuard *g, guint64 back, gboolean on)
{
  guint64 mask = G_GUINT64_CONSTANT (1) << (back % 64);
  g->seen[back / 64] = on ? (g->seen[back / 64] | mask) : (g->seen[back / 64] & ~mask);
}

/* top moves up by `by`: every remembered index is now `by` further back. */
static void
guard_shift (SamtalRelayReplayGuard *g, guint64 by)
{
  G_STATIC_ASSERT (SAMTAL_RELAY_REPLAY_WINDOW == 128);
  if (by >= 128) {
    g->seen[0] = g->seen[1] = 0;
  } else if (by >= 64) {
    g->seen[1] = g->seen[0] << (by - 64);
    g->seen[0] = 0;
  } else if (by > 0) {
    g->seen[1] = (g->seen[1] << by) | (g->seen[0] >> (64 - by));
    g->seen[0] <<= by;
  }
}

/* The first index of a guard: one "roll-over" up, so a packet from just before the first one
 * (a wrap backwards) still has an index. */
#define GUARD_START (G_GUINT64_CONSTANT (1) << 16)

gboolean
samtal_relay_replay_check (const SamtalRelayReplayGuard *g, guint16 seq, guint64 *index)
{
  if (!g->started) {
    *index = GUARD_START | seq;
    return TRUE;
  }
  gint16 delta = (gint16) (seq - (guint16) g->top);   /* the nearest index with this seq */
  if (delta > 0) {
    *index = g->top + (guint64) delta;
    return TRUE;
  }
  guint64 back = (guint64) (-(gint32) delta);
  if (back >= SAMTAL_RELAY_REPLAY_WINDOW || guard_bit (g, back))
    return FALSE;
  *index = g->top - back;
  return TRUE;
}

void
samtal_relay_replay_commit (SamtalRelayReplayGuard *g, guint64 index)
{
  if (!g->started) {
    g->started = TRUE;
    g->top = index;
    memset (g->seen, 0, sizeof g->seen);
  } else if (index > g->top) {
    guard_shift (g, index - g->top);
    g->top = index;
  }
  guard_set (g, g->top - index, TRUE);
}

guint64
samtal_relay_replay_first_index (void)
{
  return GUARD_START;
}

gboolean
samtal_relay_replay_admit (SamtalRelayReplayGuard *g, guint16 seq)
{
  guint64 index;
  if (!samtal_relay_replay_check (g, seq, &index))
    return FALSE;
  samtal_relay_replay_commit (g, index);
  return TRUE;
}

GstBuffer *
samtal_relay_rtx_packet (GstBuffer *orig, guint32 rtx_ssrc, guint rtx_payload, guint16 rtx_seq)
{
  GstMapInfo in;
  GstBuffer *rtx = NULL;

  if (!gst_buffer_map (orig, &in, GST_MAP_READ))
    return NULL;
  gsize head = 12 + 4 * (in.size >= 12 ? (in.data[0] & 0x0f) : 0);
  if (in.size >= 12 && (in.data[0] & 0x10) && in.size >= head + 4)
    head += 4 + 4 * (gsize) GST_READ_UINT16_BE (in.data + head + 2);
  gsize pad = (in.size > head && (in.data[0] & 0x20)) ? in.data[in.size - 1] : 0;
  if (in.size >= 12 && head + pad <= in.size) {
    gsize payload = in.size - head - pad;
    rtx = gst_buffer_new_allocate (NULL, head + 2 + payload, NULL);
    GstMapInfo out;
    gst_buffer_map (rtx, &out, GST_MAP_WRITE);
    memcpy (out.data, in.data, head);
    out.data[0] &= ~0x20;                                   /* no padding */
    out.data[1] = (in.data[1] & 0x80) | (rtx_payload & 0x7f);
    GST_WRITE_UINT16_BE (out.data + 2, rtx_seq);
    GST_WRITE_UINT32_BE (out.data + 8, rtx_ssrc);
    memcpy (out.data + head, in.data + 2, 2);               /* the original sequence number */
    memcpy (out.data + head + 2, in.data + head, payload);
    gst_buffer_unmap (rtx, &out);
  }
  gst_buffer_unmap (orig, &in);
  return rtx;
}

GstBuffer *
samtal_relay_rtcp_bare_sr (GstRTCPPacket *pk, guint32 *ssrc)
{
  guint64 ntp;
  guint32 rtptime, packets, octets;
  guint8 d[SR_BYTES];

  gst_rtcp_packet_sr_get_sender_info (pk, ssrc, &ntp, &rtptime, &packets, &octets);
  d[0] = 0x80;                       /* version 2, no padding, no report blocks */
  d[1] = GST_RTCP_TYPE_SR;
  GST_WRITE_UINT16_BE (d + 2, SR_BYTES / 4 - 1);
  GST_WRITE_UINT32_BE (d + 4, *ssrc);
  GST_WRITE_UINT64_BE (d + 8, ntp);
  GST_WRITE_UINT32_BE (d + 16, rtptime);
  GST_WRITE_UINT32_BE (d + 20, packets);
  GST_WRITE_UINT32_BE (d + 24, octets);
  return gst_buffer_new_memdup (d, sizeof d);
}

static void
foreach_in_buffer (GstBuffer *buf, SamtalRelayRtcpFunc func, gpointer data)
{
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket pk;

  if (!gst_rtcp_buffer_validate_reduced (buf) || !gst_rtcp_buffer_map (buf, GST_MAP_READ, &rtcp))
    return;
  for (gboolean more = gst_rtcp_buffer_get_first_packet (&rtcp, &pk); more;
       more = gst_rtcp_packet_move_to_next (&pk))
    func (&pk, data);
  gst_rtcp_buffer_unmap (&rtcp);
}

typedef struct {
  SamtalRelayRtcpFunc func;
  gpointer data;
} ForeachCtx;

static gboolean
foreach_in_list (GstBuffer **buf, guint idx, gpointer user_data)
{
  ForeachCtx *c = user_data;
  foreach_in_buffer (*buf, c->func, c->data);
  return TRUE;
}

void
samtal_relay_rtcp_foreach (GstPadProbeInfo *info, SamtalRelayRtcpFunc func, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    foreach_in_buffer (GST_PAD_PROBE_INFO_BUFFER (info), func, data);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    ForeachCtx c = { func, data };
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), foreach_in_list, &c);
  }
}
