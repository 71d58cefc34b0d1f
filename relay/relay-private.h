/* relay-private.h — the relay's internal objects, shared by relay.c (public calls, event
 * marshalling), relay-room.c (one pipeline per room, forwarding branches) and relay-peer.c (one
 * webrtcbin per participant, negotiation). Everything here lives on the relay's main context,
 * except SamtalRelayLink and SamtalRelayTag, which GStreamer's streaming threads may hold.
 */
#pragma once

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API 1
#endif
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include "relay/relay.h"

G_BEGIN_DECLS

#define SAMTAL_RELAY_DEFAULT_MAX_PARTICIPANTS 6
/* m-lines are never reused (README), so every join and leave a participant sees adds to its SDP.
 * Past this many, it starts its media over (signaling/PROTOCOL.md: answers have ≤ 64 m-lines). */
#define SAMTAL_RELAY_DEFAULT_MAX_MLINES 64
/* Stall watch (samtal_relay_room_check_stalls): every CHECK_MS, a linked branch whose tee handed
 * it at least MIN_PACKETS while nothing entered the subscriber's webrtcbin (nor was gated) is
 * stalled; after TICKS such checks in a row the subscriber's media is restarted. */
#define SAMTAL_RELAY_STALL_CHECK_MS 2000
#define SAMTAL_RELAY_STALL_MIN_PACKETS 20
#define SAMTAL_RELAY_STALL_TICKS 4
/* A relay offer not answered within this many seconds restarts the participant's media: its
 * forwarded packets are dropped while an offer is out (the gate), so without a limit a lost
 * answer would silence everything into it for good. */
#define SAMTAL_RELAY_DEFAULT_ANSWER_TIMEOUT_S 30
#define SAMTAL_RELAY_QUEUE_MAX_BUFFERS 256  /* per forwarding branch; leaky, so a slow leg drops */
/* A destroyed room's pipeline stops once its participants' teardowns ended, or after this. */
#define SAMTAL_RELAY_ROOM_TEARDOWN_WAIT_MS 20000
/* samtal_relay_free() waits this long for every teardown in flight, then logs and goes on. */
#define SAMTAL_RELAY_FREE_WAIT_MS 10000

/* Teardowns in flight (relay-teardown.c); any thread. */
typedef struct {
  gint ref;
  GMutex lock;
  GCond cond;
  guint count;
} SamtalRelayPending;

typedef struct _SamtalRelayTeardown SamtalRelayTeardown;

/* Outlives the relay while streaming threads still hold it; alive is read/written on the main
 * context only. forwarded is updated atomically by pad probes. */
typedef struct {
  gint ref;
  gboolean alive;
  SamtalRelay *relay;
  GMainContext *context;   /* ref */
  guint64 forwarded;
  guint64 retransmitted;      /* direct path: packets resent from its cache on a NACK */
  guint64 nack_upstream;      /* direct path: NACKed packets not cached, asked of the publisher */
  guint64 keyframe_requests;  /* direct path: PLI/FIR passed on to a publisher */
  guint64 stun_answered;      /* own reading (relay-ingress.h): binding requests answered */
  guint64 handed_back;        /* own reading: sockets handed back to libnice */
} SamtalRelayLink;

/* What a participant's signal handlers and promises carry to find it again on the main context:
 * its ids plus a serial (the same participant id may be added again). tees maps a receiving mid
 * to its tee; it is filled on the main context before the offer is applied and read in pad-added. */
typedef struct {
  gint ref;
  SamtalRelayLink *link;
  char *room_id;
  char *participant_id;
  guint serial;
  GMutex lock;
  GHashTable *tees;    /* mid → GstElement (ref) */
  char *fingerprint;   /* the participant's DTLS certificate fingerprint (SHA-256), under lock */
  gint gate_closed;    /* atomic: while the relay renegotiates, forwarded packets are dropped */
} SamtalRelayTag;

typedef struct _SamtalRelayRoom SamtalRelayRoom;
typedef struct _SamtalRelayParticipant SamtalRelayParticipant;
/* relay-forward.h: the direct forwarding path */
typedef struct _SamtalRelayInput SamtalRelayInput;
typedef struct _SamtalRelayStream SamtalRelayStream;
typedef struct _SamtalRelayOut SamtalRelayOut;
typedef struct _SamtalRelayRoute SamtalRelayRoute;
typedef struct _SamtalRelayIngress SamtalRelayIngress;   /* relay-ingress.h */

typedef enum {
  SAMTAL_NEG_AWAIT_OFFER,  /* nothing yet; webrtcbin's early negotiation-needed is ignored */
  SAMTAL_NEG_ANSWERING,    /* the participant's offer is being applied and answered */
  SAMTAL_NEG_STABLE,
  SAMTAL_NEG_OFFERING,     /* the relay's offer is out; waiting for the answer */
} SamtalNegState;

/* One received track of a participant, fanned out through a tee. caps is NULL until the
 * webrtcbin src pad appeared (the track is "live" only then). */
typedef struct {
  SamtalRelayParticipant *owner;
  char *mid;
  char *kind;
  GstElement *tee;
  GstCaps *caps;
  SamtalRelayStream *stream;  /* direct forwarding: made at its first subscription */
} SamtalRelayPublication;

/* Packet counts of one forwarding branch, for diagnosis (samtal_relay_describe_room): what the
 * tee handed to its queue, what entered the subscriber's webrtcbin, what the renegotiation gate
 * dropped. Shared with the pad probes (which may outlive the subscription): refcounted, atomic. */
typedef struct {
  gint ref;
  SamtalRelayTag *tag;     /* the subscriber's */
  guint64 in, out, gated;
} SamtalRelayBranchCount;

/* One forwarded track. Direct forwarding (the default): a route from the publication's stream
 * into the subscriber's SRTP encoder (relay-forward.c); its webrtcbin sink pad only makes the
 * transceiver (m-line) and never carries a packet. Pipeline forwarding: publication's tee →
 * queue → capsfilter → subscriber's webrtcbin sink pad. Either way the sink pad (and so its
 * transceiver) is only requested right before the subscriber's next offer is created
 * (samtal_relay_room_prepare_offer): never while webrtcbin builds an offer. */
typedef struct {
  SamtalRelayParticipant *subscriber;
  SamtalRelayPublication *pub;
  GstElement *queue;       /* pipeline forwarding only */
  GstElement *capsfilter;  /* pipeline forwarding only */
  GstPad *tee_pad;         /* pipeline forwarding only */
  SamtalRelayRoute *route; /* direct forwarding, once it flows */
  GstPad *sink_pad;
  GstWebRTCRTPTransceiver *trans;
  GstCaps *prefs;          /* codec preferences for its transceiver (with the publisher's ssrc) */
  SamtalRelayBranchCount *count;
  guint64 seen_in, seen_done;  /* main context: counts at the last stall check */
  guint stalled_ticks;
  gboolean in_offer;       /* part of a relay offer already: may flow once that is answered */
} SamtalRelaySubscription;

struct _SamtalRelayParticipant {
  SamtalRelayRoom *room;
  char *id;
  SamtalRelayTag *tag;
  GstElement *webrtc;
  GObject *dtls;           /* the bundle's GstWebRTCDTLSTransport, watched for its certificate */
  SamtalNegState neg;
  gboolean ready;          /* answered its first offer: may receive others' tracks */
  gboolean verified;       /* its DTLS certificate matched its offer: media may flow */
  gboolean needs_offer;
  gboolean offer_sent;     /* the relay's offer went out and no answer came yet */
  gint64 offer_sent_at;    /* monotonic µs, while offer_sent */
  guint offered_media;     /* m-lines in the relay's last offer */
  guint next_sink;         /* next sink_%u index to request */
  GPtrArray *publications; /* SamtalRelayPublication */
  GPtrArray *subscriptions;/* SamtalRelaySubscription */
  GPtrArray *retired_pads; /* sink pads of removed tracks, released by its teardown */
  GPtrArray *retiring;     /* transceivers of removed tracks, made inactive before the next offer */
  SamtalRelayInput *input; /* direct forwarding: its packets taken out of its rtpbin */
  SamtalRelayOut *out;     /* direct forwarding: the way into its SRTP encoder, once verified */
  SamtalRelayIngress *ingress; /* own SRTP: the relay reads its socket (once verified) */
};

struct _SamtalRelayRoom {
  SamtalRelay *relay;
  char *id;
  GstElement *pipeline;
  GSource *bus_source;
  GHashTable *participants; /* id → SamtalRelayParticipant */
  SamtalRelayPending *teardowns; /* its removed participants' teardowns in flight */
  gboolean closing;          /* being destroyed: no renegotiation of the remaining ones */
};

struct _SamtalRelay {
  char **ice_addresses;
  char *stun_server;
  char *turn_server;
  guint max_participants;
  guint max_mlines;
  guint answer_timeout_s;
  gboolean direct;          /* SAMTAL_RELAY_FORWARD_DIRECT or _DIRECT_GST */
  gboolean own_srtp;        /* SAMTAL_RELAY_FORWARD_DIRECT: relay-wire.h */
  GSource *stall_watch;
  SamtalRelayEvents events;
  gpointer user_data;
  GMainContext *context;
  GHashTable *rooms;        /* id → SamtalRelayRoom */
  SamtalRelayLink *link;
  guint next_serial;
  SamtalRelayPending *teardowns; /* every teardown in flight (participants and rooms) */
};

/* relay.c */
SamtalRelayLink *samtal_relay_link_ref (SamtalRelayLink *link);
void samtal_relay_link_unref (SamtalRelayLink *link);
SamtalRelayTag *samtal_relay_tag_ref (SamtalRelayTag *tag);
void samtal_relay_tag_unref (SamtalRelayTag *tag);
/* Runs func(participant, data) on the relay's context if the tagged participant still exists;
 * data is freed with free_data either way. Safe from any thread. */
typedef void (*SamtalRelayPeerFunc) (SamtalRelayParticipant *p, gpointer data);
void samtal_relay_invoke (SamtalRelayTag *tag, SamtalRelayPeerFunc func, gpointer data,
                          GDestroyNotify free_data);
/* The same after delay_ms. */
void samtal_relay_invoke_later (SamtalRelayTag *tag, guint delay_ms, SamtalRelayPeerFunc func,
                                gpointer data, GDestroyNotify free_data);
/* Removes p from its room and reports participant_failed (p is freed). */
void samtal_relay_fail_participant (SamtalRelayParticipant *p, const char *reason);

/* relay-room.c */
SamtalRelayBranchCount *samtal_relay_branch_count_ref (SamtalRelayBranchCount *c);
void samtal_relay_branch_count_unref (SamtalRelayBranchCount *c);
SamtalRelayRoom *samtal_relay_room_new (SamtalRelay *relay, const char *id, GError **error);
void samtal_relay_room_free (SamtalRelayRoom *room);
SamtalRelayPublication *samtal_relay_room_add_publication (SamtalRelayParticipant *p,
                                                           const char *mid, const char *kind);
/* A publication got its caps: subscribe every ready participant of the room to it. */
void samtal_relay_room_publication_live (SamtalRelayPublication *pub);
/* p became ready: subscribe it to every live publication of the others. */
void samtal_relay_room_subscribe_all (SamtalRelayParticipant *p);
/* The stall watch: ids of the participants (transfer full, NULL-terminated) with a forwarding
 * branch into them that has been stuck for SAMTAL_RELAY_STALL_TICKS checks in a row, or whose
 * relay offer has waited longer than the answer timeout. */
char **samtal_relay_room_check_stalls (SamtalRelayRoom *room);
/* One line per forwarding branch of the room (subscriber ← publisher kind: packets in/out/gated,
 * queue level, linked, negotiation state). For tests and logs. */
char *samtal_relay_room_describe (SamtalRelayRoom *room);
/* Right before s's webrtcbin creates an offer (s is stable, nothing of it in flight): request
 * the sink pads of its new subscriptions and make removed tracks inactive. webrtcbin 1.22 reads
 * every transceiver while it builds an offer, so changing them during that failed the offer
 * ("a transceiver with a locked mline … doesn't have caps"). */
void samtal_relay_room_prepare_offer (SamtalRelayParticipant *s);
/* s's answer is applied: link the tees of its not yet flowing subscriptions. */
void samtal_relay_room_start_forwarding (SamtalRelayParticipant *s);
/* Cuts p out of its room without blocking: every branch into and out of p drops and is
 * unlinked, p's subscribers are renegotiated, p's signal handlers are gone, and its elements are
 * handed to a teardown on another thread. p is no longer in room->participants; free it with
 * samtal_relay_peer_free() right after. */
void samtal_relay_room_detach_participant (SamtalRelayParticipant *p);
/* Marks an element as p's (bus errors from it fail p, and only this p, not a later one with
 * the same id). */
void samtal_relay_room_tag_element (GstElement *e, SamtalRelayParticipant *p);
char **samtal_relay_room_list_factories (SamtalRelayRoom *room);
/* How many of the room's participants' sockets the relay reads itself now. */
guint samtal_relay_room_own_readers (SamtalRelayRoom *room);

/* relay-teardown.c */
SamtalRelayPending *samtal_relay_pending_new (void);
SamtalRelayPending *samtal_relay_pending_ref (SamtalRelayPending *pending);
void samtal_relay_pending_unref (SamtalRelayPending *pending);
guint samtal_relay_pending_count (SamtalRelayPending *pending);
/* Waits until nothing is pending or timeout_ms passed; TRUE if nothing is pending. */
gboolean samtal_relay_pending_wait (SamtalRelayPending *pending, guint timeout_ms);
/* A teardown of elements of bin (NULL: top-level elements such as a room's pipeline). */
SamtalRelayTeardown *samtal_relay_teardown_new (GstElement *bin, const char *what);
/* pad (transfer full), already unlinked, is released from element before anything stops. */
void samtal_relay_teardown_release_early (SamtalRelayTeardown *td, GstElement *element,
                                          GstPad *pad);
/* pad (transfer full) is released from element after every element stopped. */
void samtal_relay_teardown_release_late (SamtalRelayTeardown *td, GstElement *element,
                                         GstPad *pad);
/* element is locked in its state now, set to NULL (in the order given) and removed from the bin
 * by the teardown. */
void samtal_relay_teardown_stop (SamtalRelayTeardown *td, GstElement *element);
/* func(data) runs on the teardown's thread before anything else (e.g. stopping a thread that
 * feeds the elements). */
void samtal_relay_teardown_call_first (SamtalRelayTeardown *td, GDestroyNotify func,
                                       gpointer data);
/* The teardown starts only once pending is empty, or gives up (and leaks) after timeout_ms. */
void samtal_relay_teardown_wait_for (SamtalRelayTeardown *td, SamtalRelayPending *pending,
                                     guint timeout_ms);
/* Runs td on a thread of its own (td is consumed); it counts in counter1 and counter2 (both
 * nullable) until it ended. Never blocks. */
void samtal_relay_teardown_start (SamtalRelayTeardown *td, SamtalRelayPending *counter1,
                                  SamtalRelayPending *counter2);

/* relay-peer.c */
SamtalRelayParticipant *samtal_relay_peer_new (SamtalRelayRoom *room, const char *id,
                                               GError **error);
/* Disconnects every handler the relay has on p's webrtcbin and DTLS transport (never blocks). */
void samtal_relay_peer_disconnect (SamtalRelayParticipant *p);
/* Frees p; its elements must have been handed to a teardown (or never have started). */
void samtal_relay_peer_free (SamtalRelayParticipant *p);
gboolean samtal_relay_peer_set_offer (SamtalRelayParticipant *p, const char *sdp, GError **error);
gboolean samtal_relay_peer_set_answer (SamtalRelayParticipant *p, const char *sdp, GError **error);
gboolean samtal_relay_peer_add_candidate (SamtalRelayParticipant *p, guint mline,
                                          const char *candidate, GError **error);
/* Marks that p's forwarded tracks changed; offers as soon as the signaling state is stable. */
void samtal_relay_peer_request_offer (SamtalRelayParticipant *p);

G_END_DECLS
