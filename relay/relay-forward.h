/* relay-forward.h — the direct forwarding path: RTP from one participant's webrtcbin to the others'
 * without going through rtpbin twice (relay-forward.c says how and why).
 *
 * Three objects, all reference-counted because GStreamer's streaming threads hold them:
 * - SamtalRelayInput, one per participant: pad probes right after its webrtcbin's rtpsession and
 *   in front of its SSRC demuxer that take every RTP packet of a forwarded SSRC out of rtpbin
 *   (after rtpsession counted it, so receiver reports and NACK to the publisher stay rtpbin's) and
 *   hand it to its stream; with the relay's own SRTP, also the wire-in that decrypts those
 *   packets in front of the DTLS-SRTP decoder (relay-wire.h);
 * - SamtalRelayStream, one per publication (an SSRC): its routes and the last packets it sent,
 *   for retransmission;
 * - SamtalRelayOut, one per receiving participant: the wire-out (the relay's SRTP into its ICE
 *   agent) through which forwarded packets leave, and a pad of ours linked into its DTLS-SRTP
 *   encoder (next to rtpbin's) for sender reports and for packets the wire-out leaves to the
 *   encoder (no keys yet, direct-gst mode), plus a
 *   probe on its decrypted RTCP that answers NACKs with RTX from the stream's packets and turns
 *   PLI/FIR into keyframe requests to the publisher.
 * A route joins one stream to one out; it counts what it was given and what left (the stall
 * watch reads the counts). Everything is created and changed on the relay's main context; the
 * packet path only takes short locks and never blocks on it.
 */
#pragma once

#include "relay/relay-private.h"
#include "relay/relay-wire.h"

G_BEGIN_DECLS

typedef struct _SamtalRelayInput SamtalRelayInput;
typedef struct _SamtalRelayStream SamtalRelayStream;
typedef struct _SamtalRelayOut SamtalRelayOut;
typedef struct _SamtalRelayRoute SamtalRelayRoute;

/* Packets of a video stream kept for retransmission (about 1.3 s at 1.5 Mbit/s). */
#define SAMTAL_RELAY_RTX_CACHE 256
/* Keyframe requests passed to a publisher, per stream: at most one per this many ms. */
#define SAMTAL_RELAY_PLI_INTERVAL_MS 300
/* Retransmissions one receiver may get per second (a NACK storm cannot make the relay a
 * packet cannon). */
#define SAMTAL_RELAY_RTX_PER_SECOND 400

SamtalRelayInput *samtal_relay_input_new (void);
void samtal_relay_input_unref (SamtalRelayInput *in);
/* Puts the probe in front of webrtc's SSRC demuxer (once; later calls do nothing). FALSE if the
 * webrtcbin has no receiving session yet. own_srtp: forwarded RTP is decrypted by the relay
 * (relay-wire.h), not by srtpdec. Main context. */
gboolean samtal_relay_input_attach (SamtalRelayInput *in, GstElement *webrtc, gboolean own_srtp);
/* From now on packets of st's SSRC go to st, not to rtpbin. */
void samtal_relay_input_add_stream (SamtalRelayInput *in, SamtalRelayStream *st);
/* Everything goes to rtpbin again; the streams are let go. */
void samtal_relay_input_close (SamtalRelayInput *in);

/* ssrc and payload type as the publisher sends them; cache: keep packets for retransmission. */
SamtalRelayStream *samtal_relay_stream_new (guint32 ssrc, guint payload, gboolean cache);
SamtalRelayStream *samtal_relay_stream_ref (SamtalRelayStream *st);
void samtal_relay_stream_unref (SamtalRelayStream *st);
guint32 samtal_relay_stream_ssrc (SamtalRelayStream *st);
guint samtal_relay_stream_payload (SamtalRelayStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalRelayStream, samtal_relay_stream_unref)

/* Finds the DTLS-SRTP encoder and decoder of webrtc's (bundled) transport and links a pad of
 * ours into the encoder. NULL with error if the transport is not there. link gets the counts of
 * retransmissions and keyframe requests. own_srtp: RTP leaves through the relay's own SRTP and
 * the participant's ICE agent (relay-wire.h), the encoder only carries sender reports (and RTP
 * until the keys are known). Main context. */
SamtalRelayOut *samtal_relay_out_new (GstElement *webrtc, SamtalRelayLink *link, gboolean own_srtp,
                                      GError **error);
SamtalRelayOut *samtal_relay_out_ref (SamtalRelayOut *out);
void samtal_relay_out_unref (SamtalRelayOut *out);
/* Unlinks the pad (a push in flight ends with not-linked), forgets the streams. Never blocks. */
void samtal_relay_out_close (SamtalRelayOut *out);
/* Own SRTP: forwarded packets go out through path while it is set (relay-wire.h). */
void samtal_relay_out_set_path (SamtalRelayOut *out, SamtalRelayWirePath *path);

/* A route from st to out, not flowing yet. count is the subscription's (referenced). */
SamtalRelayRoute *samtal_relay_route_new (SamtalRelayStream *st, SamtalRelayOut *out,
                                          SamtalRelayBranchCount *count);
/* Starts the route: packets of its stream leave through its out; NACK/PLI for the stream's SSRC
 * from out's participant are served. */
void samtal_relay_route_start (SamtalRelayRoute *route);
/* Stops the route and frees it: no new packet enters it (one already on its way may still
 * leave). */
void samtal_relay_route_free (SamtalRelayRoute *route);
gboolean samtal_relay_route_flowing (SamtalRelayRoute *route);
/* The RTX stream (RFC 4588) the subscriber's m-line declares for this route: NACKed packets from
 * the cache are resent on it. Without one, NACKs are only passed to the publisher. Before
 * samtal_relay_route_start. */
void samtal_relay_route_set_rtx (SamtalRelayRoute *route, guint32 rtx_ssrc, guint rtx_payload);

G_END_DECLS
