/* relay-ingress.h — the relay reads a participant's UDP socket itself once ICE and DTLS are done
 * (direct forwarding with the relay's own SRTP), instead of libnice and nicesrc.
 *
 * Why: after relay-wire.h, the largest costs per forwarded packet were the receive side's
 * machinery — libnice's per-packet dispatch under its agent lock, nicesrc's main-loop round trip
 * and buffer copy, GstBaseSrc's loop, the capsfilter push — all to hand one datagram to
 * dtlssrtpdec (bench/README.md). An ingress has one thread per participant, like nicesrc, that
 * reads the selected pair's socket in batches (recvmmsg) and chains each datagram into webrtcbin's
 * DTLS-SRTP decoder exactly where nicesrc's output went, timestamped as nicesrc would have; STUN
 * checks are answered as libnice would (relay-stun.h). To take over, it detaches libnice's
 * reading, lets nicesrc push what it had already read, then stops nicesrc (READY).
 *
 * It takes over only a UDP pair that is not relayed through TURN (libnice gives out no socket for
 * those), and only after the ICE component is ready and DTLS has exported its keys. Anything it
 * does not expect — media from another address, a nomination of another pair, a role conflict, a
 * STUN response or another method, a new selected pair, the component leaving READY — hands the
 * socket back:
 * nicesrc starts again and libnice carries on from there (the one datagram read is lost; STUN
 * retransmits). Two seconds later the relay tries to take the pair libnice then has over again
 * (a browser that moved to another pair), at most three times per participant.
 */
#pragma once

#include "relay/relay-private.h"
#include "relay/relay-wire.h"

G_BEGIN_DECLS

typedef enum {
  SAMTAL_RELAY_INGRESS_WAITING,    /* ICE or DTLS not done yet: libnice reads */
  SAMTAL_RELAY_INGRESS_READING,    /* the relay reads the socket */
  SAMTAL_RELAY_INGRESS_HANDED_BACK,/* something unexpected came: libnice reads (until a retake) */
  SAMTAL_RELAY_INGRESS_GAVE_UP,    /* no pair it can take (TURN, TCP) or not ready in time */
} SamtalRelayIngressState;

/* Starts watching webrtc's bundled transport (main context). NULL if its receive side does not
 * look as in GStreamer 1.22 (one nicesrc, one dtlssrtpdec): then libnice keeps reading. link
 * counts STUN answers and hand-backs (ref taken); who: for logs. */
SamtalRelayIngress *samtal_relay_ingress_start (GstElement *webrtc, SamtalRelayLink *link,
                                                const char *who);
/* Stops reading and joins the thread; nicesrc stays stopped if it was (the participant is being
 * torn down). Any thread but the ingress's own; may wait for a datagram being processed. */
void samtal_relay_ingress_stop (SamtalRelayIngress *ing);
SamtalRelayIngressState samtal_relay_ingress_state (SamtalRelayIngress *ing);
/* The local port of the socket it took over last (0: none yet). For tests and logs. */
guint16 samtal_relay_ingress_local_port (SamtalRelayIngress *ing);
/* The participant's pair while the ingress reads it (unset otherwise): what is forwarded to it
 * can be sent straight there. Borrowed; lives as long as ing (ref it to keep it longer). */
SamtalRelayWirePath *samtal_relay_ingress_path (SamtalRelayIngress *ing);
/* Datagrams read and STUN requests answered so far (any thread). */
void samtal_relay_ingress_counts (SamtalRelayIngress *ing, guint64 *datagrams, guint64 *answered);
const char *samtal_relay_ingress_state_string (SamtalRelayIngressState state);

G_END_DECLS
