/* relay-rtp.h — the packet-level pieces of the direct forwarding path (relay-forward.c), pure and
 * unit-tested (tests/unit/relay/test-relay-api.c): RTP header ids, the replay guard that keeps
 * libsrtp from refusing a packet, RFC 4588 RTX packets, bare sender reports, RTCP iteration.
 * Nothing here takes a lock or keeps state beyond what the caller passes in.
 */
#pragma once

#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>

G_BEGIN_DECLS

/* What libsrtp's sender-side replay check will accept: it refuses to protect a packet index
 * twice (keystream reuse) or one more than SAMTAL_RELAY_REPLAY_WINDOW behind the newest, and
 * srtpenc turns such a refusal into an element error that kills the receiver's connection. So a
 * route sends no duplicate (a publisher's retransmission of a packet that got through the first
 * time) and nothing that old. Zero-initialise; one per (SSRC, receiver). */
#define SAMTAL_RELAY_REPLAY_WINDOW 128
typedef struct {
  gboolean started;
  guint64 top;           /* extended (ROC << 16 | seq) index of the newest packet admitted */
  guint64 seen[SAMTAL_RELAY_REPLAY_WINDOW / 64];  /* bit i: index top - i was admitted */
} SamtalRelayReplayGuard;

/* TRUE (and recorded) if a packet with sequence number seq may be protected now. */
gboolean samtal_relay_replay_admit (SamtalRelayReplayGuard *g, guint16 seq);
/* The same in two steps, for a receiver that must authenticate a packet before it counts:
 * check gives the extended index seq has (the one nearest the newest; FALSE if it is too old or
 * was admitted already) and records nothing; commit records it. The first packet's index is
 * samtal_relay_replay_first_index () | seq: an index below that is from before the first packet
 * (SRTP's roll-over counter is index / 65536 - 1). */
gboolean samtal_relay_replay_check (const SamtalRelayReplayGuard *g, guint16 seq, guint64 *index);
void samtal_relay_replay_commit (SamtalRelayReplayGuard *g, guint64 index);
guint64 samtal_relay_replay_first_index (void);

/* SSRC and sequence number of an RTP packet; FALSE if buf is shorter than a header or not
 * version 2. */
gboolean samtal_relay_rtp_ids (GstBuffer *buf, guint32 *ssrc, guint16 *seq);

/* orig as an RFC 4588 RTX packet: header copied (CSRCs, extension), padding left out, payload
 * type, sequence number and SSRC replaced, the original sequence number in front of the
 * payload. NULL if orig is not a well-formed RTP packet. */
GstBuffer *samtal_relay_rtx_packet (GstBuffer *orig, guint32 rtx_ssrc, guint rtx_payload,
                                    guint16 rtx_seq);

/* An RTCP SR with pk's sender info and no report blocks (those are about what the sender
 * receives); *ssrc gets its sender. pk must be an SR. */
GstBuffer *samtal_relay_rtcp_bare_sr (GstRTCPPacket *pk, guint32 *ssrc);

/* func on every packet of every valid (reduced-size allowed) RTCP buffer of a probe's data
 * (a buffer or a buffer list); invalid buffers are skipped. */
typedef void (*SamtalRelayRtcpFunc) (GstRTCPPacket *pk, gpointer data);
void samtal_relay_rtcp_foreach (GstPadProbeInfo *info, SamtalRelayRtcpFunc func, gpointer data);

G_END_DECLS
