/* relay.h — the media relay (SFU): the narrow interface between signaling and media.
 *
 * The relay holds rooms; a room holds participants; each participant has one webrtcbin on the
 * server (BUNDLE, rtcp-mux, DTLS-SRTP). What a participant sends (Opus audio, VP8 video; H.264
 * where both ends offer it) is forwarded as RTP to every other participant of the room without
 * decoding or encoding. Signaling never touches GStreamer: it calls these functions from the main
 * context and receives SamtalRelayEvents on the main context given at creation (the relay
 * marshals from GStreamer's streaming threads). Nothing here knows about tokens, users or
 * WebSockets, so the relay can later run as its own process behind the same calls.
 *
 * Negotiation, per participant:
 *   1. samtal_relay_add_participant() once the participant is admitted;
 *   2. the participant offers (what it sends: audio and/or video, sendrecv or sendonly), the
 *      signaling layer calls samtal_relay_set_remote_description (type "offer");
 *      the relay answers with a local_description event (type "answer");
 *   3. whenever other participants' tracks appear or go, the relay itself offers
 *      (local_description event, type "offer", with the track map), and the participant answers
 *      (samtal_relay_set_remote_description, type "answer"). After the first offer only the relay
 *      offers; it queues changes until the signaling state is stable, so offers never cross.
 *   Trickle ICE both ways: samtal_relay_add_remote_candidate / the local_candidate event.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SamtalRelay SamtalRelay;

/* How forwarded packets travel inside the relay (relay/README.md). */
typedef enum {
  SAMTAL_RELAY_FORWARD_DIRECT = 0,  /* the default: out of the publisher's rtpbin right after its
                                     * RTP session, SRTP by the relay itself, straight into each
                                     * subscriber's ICE connection */
  SAMTAL_RELAY_FORWARD_PIPELINE,    /* through both webrtcbins' rtpbins, a tee and a queue per
                                     * subscriber (the first design; kept to compare against) */
  SAMTAL_RELAY_FORWARD_DIRECT_GST,  /* direct, but SRTP and sending by webrtcbin's DTLS-SRTP
                                     * elements, not the relay's own (relay-wire.h): ~1.5× the
                                     * CPU per packet; a fallback and a reference */
} SamtalRelayForwarding;

typedef struct {
  char **ice_addresses;       /* NULL-terminated local addresses to gather on; NULL: libnice's choice */
  char *stun_server;          /* "stun://host:port" or NULL */
  char *turn_server;          /* "turn://user:pass@host:port" or NULL */
  guint max_participants;     /* per room; 0 means the default, 6 */
  guint max_mlines;           /* per participant's SDP; 0 means the default, 64 (see relay-peer.c) */
  guint answer_timeout_s;     /* a relay offer unanswered this long restarts that participant's
                               * media; 0 means the default, 30 */
  SamtalRelayForwarding forwarding;
} SamtalRelayConfig;

/* One forwarded track as a receiver sees it: which m-line carries whose audio or video. */
typedef struct {
  char *mid;                  /* the m-line's mid in the relay's offer */
  char *source_participant_id;
  char *kind;                 /* "audio" | "video" */
} SamtalRelayTrack;

typedef struct {
  /* The relay's SDP for a participant: an "answer" to its offer, or an "offer" of its own. For an
   * offer, tracks lists every forwarded track of that SDP (n_tracks entries). */
  void (*local_description) (const char *room_id, const char *participant_id, const char *type,
                             const char *sdp, const SamtalRelayTrack *tracks, guint n_tracks,
                             gpointer user_data);
  /* A local ICE candidate for a participant ("candidate:…" line without "a="); an empty
   * candidate means end of candidates. */
  void (*local_candidate) (const char *room_id, const char *participant_id, guint mline_index,
                           const char *candidate, gpointer user_data);
  /* The media connection of a participant: "connecting", "connected", "failed", "closed". */
  void (*connection_state) (const char *room_id, const char *participant_id, const char *state,
                            gpointer user_data);
  /* A participant's media failed (ICE failed, DTLS error, pipeline error). The relay has already
   * removed it from its room; the room goes on. reason is for logs and the participant. */
  void (*participant_failed) (const char *room_id, const char *participant_id, const char *reason,
                              gpointer user_data);
} SamtalRelayEvents;

typedef enum {
  SAMTAL_RELAY_ERROR_NO_ROOM,
  SAMTAL_RELAY_ERROR_NO_PARTICIPANT,
  SAMTAL_RELAY_ERROR_ROOM_FULL,
  SAMTAL_RELAY_ERROR_EXISTS,
  SAMTAL_RELAY_ERROR_BAD_SDP,        /* unparsable, or offers nothing we can relay */
  SAMTAL_RELAY_ERROR_BAD_CANDIDATE,
  SAMTAL_RELAY_ERROR_WRONG_STATE,    /* e.g. an answer when no offer is outstanding */
  SAMTAL_RELAY_ERROR_INTERNAL,
} SamtalRelayError;

#define SAMTAL_RELAY_ERROR (samtal_relay_error_quark ())
GQuark samtal_relay_error_quark (void);

/* Creates the relay. Events are delivered on context (NULL: the thread-default/main context).
 * Calls gst_init() if needed. */
SamtalRelay *samtal_relay_new (const SamtalRelayConfig *config, const SamtalRelayEvents *events,
                               gpointer user_data, GMainContext *context, GError **error);
/* Removes every room and participant (no events are delivered after this), frees the relay.
 * Waits (at most 10 s, logged if exceeded) for their GStreamer elements to stop. */
void samtal_relay_free (SamtalRelay *relay);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalRelay, samtal_relay_free)

gboolean samtal_relay_create_room (SamtalRelay *relay, const char *room_id, GError **error);
/* Tears the room down with all its participants. Unknown rooms are ignored. Never blocks: the
 * room's elements stop on another thread. */
void samtal_relay_destroy_room (SamtalRelay *relay, const char *room_id);

gboolean samtal_relay_add_participant (SamtalRelay *relay, const char *room_id,
                                       const char *participant_id, GError **error);
/* Removes one participant; the others get a renegotiation without its tracks. Unknown ids are
 * ignored. Never blocks: the participant is cut out of the room at once (no event for it after
 * this returns, and the same id may be added again at once); its elements stop on another
 * thread. */
void samtal_relay_remove_participant (SamtalRelay *relay, const char *room_id,
                                      const char *participant_id);

/* type is "offer" or "answer". The SDP comes from the network: it is validated, never trusted. */
gboolean samtal_relay_set_remote_description (SamtalRelay *relay, const char *room_id,
                                              const char *participant_id, const char *type,
                                              const char *sdp, GError **error);
/* candidate is "candidate:…" (with or without "a="); "" means end of candidates. */
gboolean samtal_relay_add_remote_candidate (SamtalRelay *relay, const char *room_id,
                                            const char *participant_id, guint mline_index,
                                            const char *candidate, GError **error);

/* For tests and metrics: the GStreamer element factory names used by a room's pipeline
 * (transfer full, NULL-terminated), or NULL for an unknown room. */
char **samtal_relay_list_element_factories (SamtalRelay *relay, const char *room_id);

/* For tests and logs: one line per participant of the room and per forwarding branch (packets
 * handed to it, packets that entered the subscriber's webrtcbin — direct forwarding: its SRTP
 * encoder —, packets held back: while it renegotiated, or, direct, a new stream's first packets
 * while it renegotiates and duplicates/too old for SRTP), or NULL for an unknown room. Transfer
 * full. */
char *samtal_relay_describe_room (SamtalRelay *relay, const char *room_id);

typedef struct {
  guint rooms;
  guint participants;
  guint64 forwarded_packets;   /* RTP packets handed to a receiver's webrtcbin (direct: its SRTP
                                * encoder), all rooms */
  guint teardowns;             /* removed participants and destroyed rooms still stopping */
  /* direct forwarding only: */
  guint64 retransmitted;       /* packets sent again from the relay's cache on a receiver's NACK */
  guint64 nack_upstream;       /* NACKed packets the relay did not have, asked of the sender */
  guint64 keyframe_requests;   /* receivers' PLI/FIR passed on to senders (rate-limited) */
  /* direct forwarding with the relay's own SRTP (relay/README.md, "reads the sockets itself"): */
  guint own_readers;           /* participants whose socket the relay reads now */
  guint64 stun_answered;       /* STUN binding requests (consent checks) it answered */
  guint64 handed_back;         /* sockets it handed back to libnice (something unexpected came) */
} SamtalRelayStats;
void samtal_relay_get_stats (SamtalRelay *relay, SamtalRelayStats *stats);

G_END_DECLS
