/* relay-wire.h — the last and first step of the direct forwarding path: SRTP by the relay itself
 * (relay-srtp.h) straight to and from the participant's ICE connection, instead of webrtcbin's
 * DTLS-SRTP elements (relay-wire.c says why and how).
 *
 * A wire-out sends forwarded RTP to one participant: protects it with the local key of that
 * participant's DTLS-SRTP transport and hands it to the transport's libnice agent. A wire-in
 * decrypts a publisher's forwarded RTP before webrtcbin's DTLS/SRTP demuxer with the remote key
 * and passes it on as if srtpdec had decrypted it (rtpsession still sees every packet, so
 * receiver reports to the publisher stay right). Both take the keys from the transport's DTLS
 * elements once the handshake gave them; until then, or with a profile relay-srtp.h does not do,
 * they say so and webrtcbin's elements carry the packet. Not thread-safe: a wire-out is used under
 * its out's push lock, a wire-in only on its publisher's receive thread.
 */
#pragma once

#include "relay/relay-private.h"

#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct _SamtalRelayWireOut SamtalRelayWireOut;
typedef struct _SamtalRelayWireIn SamtalRelayWireIn;
/* A participant's selected ICE pair as the relay's own socket reader (relay-ingress.h) knows it:
 * while set, a wire-out sends straight to it (sendto on a duplicate of the pair's socket) instead
 * of through libnice (its agent lock, candidate look-ups, GSocket). Any thread; refcounted. */
typedef struct _SamtalRelayWirePath SamtalRelayWirePath;

typedef enum {
  SAMTAL_RELAY_WIRE_DONE,       /* sent (out) / decrypted and passed on (in) */
  SAMTAL_RELAY_WIRE_NOT_MINE,   /* no keys yet, another profile, not RTP: the elements' turn */
  SAMTAL_RELAY_WIRE_DROPPED,    /* refused (replayed, forged, too big) or could not be sent */
} SamtalRelayWireResult;

/* For webrtc's (bundled) transport; NULL if it does not look as in GStreamer 1.22 (one DTLS-SRTP
 * encoder, one nicesink): then the elements do everything. Main context. */
SamtalRelayWireOut *samtal_relay_wire_out_new (GstElement *webrtc);
void samtal_relay_wire_out_free (SamtalRelayWireOut *w);
/* Protects a copy of the RTP packet buf and sends it. */
SamtalRelayWireResult samtal_relay_wire_out_send (SamtalRelayWireOut *w, GstBuffer *buf);

/* Sends go through path while it is set (ref taken; NULL: always libnice). Under the out's push
 * lock. */
void samtal_relay_wire_out_set_path (SamtalRelayWireOut *w, SamtalRelayWirePath *path);

SamtalRelayWirePath *samtal_relay_wire_path_new (void);
SamtalRelayWirePath *samtal_relay_wire_path_ref (SamtalRelayWirePath *path);
void samtal_relay_wire_path_unref (SamtalRelayWirePath *path);
/* From now on sends go to remote through a duplicate of fd; FALSE if fd cannot be duplicated. */
gboolean samtal_relay_wire_path_set (SamtalRelayWirePath *path, int fd,
                                     const struct sockaddr_storage *remote, socklen_t len);
/* Back to libnice (the duplicate is closed). */
void samtal_relay_wire_path_clear (SamtalRelayWirePath *path);

/* dec: the publisher's dtlssrtpdec. NULL if it does not look as in 1.22. Main context. */
SamtalRelayWireIn *samtal_relay_wire_in_new (GstElement *dec);
void samtal_relay_wire_in_free (SamtalRelayWireIn *w);
/* buf (writable): an SRTP packet as it came from the network (ref taken on DONE). DONE:
 * decrypted and chained into what follows srtpdec (rtpsession), on this thread. */
SamtalRelayWireResult samtal_relay_wire_in_take (SamtalRelayWireIn *w, GstBuffer *buf);

/* The first element made by factory inside bin, recursively (ref; NULL if none), and how many
 * there are. */
GstElement *samtal_relay_find_element (GstElement *bin, const char *factory, guint *count);

/* Whether a packet as received (first two bytes) is RTP rather than RTCP, DTLS or STUN
 * (RFC 5761, RFC 7983). */
gboolean samtal_relay_wire_is_rtp (const guint8 *data, gsize len);

G_END_DECLS
