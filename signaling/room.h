/* room.h — one meeting's room as a pure state machine.
 *
 * (room, connection, message) → outgoing messages + relay actions + audit records. No sockets,
 * no GStreamer, no clocks: the caller passes the time in, and executes the returned actions in
 * order (the hub does so against real WebSockets and the relay; the unit tests just look at
 * them). The rules are PROTOCOL.md's: the waiting room, staff powers, presence, who may offer
 * when, rejoin replacing a connection, at most 6 admitted, media failure of one participant,
 * and the meeting's end (by staff, or at the booking's end + grace).
 *
 * Connections are identified by a caller-chosen non-zero guint64 (conn), so that a rejoin can
 * close the old connection while the new one, with the same participant_id, carries on.
 */
#pragma once

#include <glib.h>

#include "message.h"

G_BEGIN_DECLS

typedef struct _SamtalRoom SamtalRoom;

typedef struct {
  guint max_admitted;      /* default 6 */
  guint max_connections;   /* waiting + admitted; default 16 */
  guint grace_after_end_s; /* default 1800 */
} SamtalRoomLimits;

typedef enum {
  SAMTAL_ROOM_SEND,          /* send msg on conn */
  SAMTAL_ROOM_CLOSE,         /* close conn with close_code and text (reason); conn leaves the room */
  SAMTAL_ROOM_RELAY_ADD,     /* samtal_relay_add_participant (participant_id) */
  SAMTAL_ROOM_RELAY_REMOVE,  /* samtal_relay_remove_participant (participant_id) */
  SAMTAL_ROOM_RELAY_SDP,     /* set_remote_description (participant_id, text = "offer"/"answer", sdp) */
  SAMTAL_ROOM_RELAY_ICE,     /* add_remote_candidate (participant_id, mline_index, sdp = candidate) */
  SAMTAL_ROOM_RELAY_DESTROY, /* samtal_relay_destroy_room (the room's id) */
  SAMTAL_ROOM_AUDIT,         /* audit (actor = participant_id, action = text, detail) */
} SamtalRoomActionKind;

typedef struct {
  SamtalRoomActionKind kind;
  guint64 conn;              /* SEND, CLOSE */
  SamtalMsg *msg;            /* SEND */
  guint16 close_code;        /* CLOSE */
  char *participant_id;      /* RELAY_*, AUDIT (actor) */
  char *text;                /* CLOSE reason, RELAY_SDP type, AUDIT action */
  char *sdp;                 /* RELAY_SDP sdp, RELAY_ICE candidate */
  guint mline_index;         /* RELAY_ICE */
  char *detail;              /* AUDIT detail (may be NULL) */
} SamtalRoomAction;

/* The actions one call produced, in order: GPtrArray of SamtalRoomAction* (owns them). */
GPtrArray *samtal_room_actions_new (void);

/* Who joins (from verified token claims). */
typedef struct {
  const char *participant_id;
  const char *name;
  const char *role;
} SamtalRoomWho;

/* meeting_id: the booking; ends_at: its booked end (unix s). limits may be NULL. */
SamtalRoom *samtal_room_new (gint64 meeting_id, gint64 ends_at, const SamtalRoomLimits *limits);
void samtal_room_free (SamtalRoom *room);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalRoom, samtal_room_free)

/* The relay room id: the meeting id in decimal. */
const char *samtal_room_get_id (SamtalRoom *room);
gint64 samtal_room_get_meeting_id (SamtalRoom *room);
void samtal_room_set_ends_at (SamtalRoom *room, gint64 ends_at);

/* A verified participant joins on conn. Returns FALSE when refused (the actions then hold the
 * error and the CLOSE). A participant_id already present on another conn is replaced. */
gboolean samtal_room_join (SamtalRoom *room, guint64 conn, const SamtalRoomWho *who, gint64 now,
                           GPtrArray *out);
/* A parsed message from conn (any type except a first join, which goes to samtal_room_join). */
void samtal_room_handle (SamtalRoom *room, guint64 conn, const SamtalMsg *msg, gint64 now,
                         GPtrArray *out);
/* conn's socket went away without `leave` (or after a CLOSE action: then nothing happens). */
void samtal_room_disconnect (SamtalRoom *room, guint64 conn, GPtrArray *out);

/* Relay events, already on the main context. tracks: SamtalMsgTrack* (may be NULL). Events for
 * participants no longer in the room are ignored. */
void samtal_room_relay_description (SamtalRoom *room, const char *participant_id,
                                    const char *type, const char *sdp, GPtrArray *tracks,
                                    GPtrArray *out);
void samtal_room_relay_candidate (SamtalRoom *room, const char *participant_id, guint mline_index,
                                  const char *candidate, GPtrArray *out);
/* The relay removed participant_id's media (ICE/DTLS/pipeline failure). */
void samtal_room_relay_failed (SamtalRoom *room, const char *participant_id, const char *reason,
                               GPtrArray *out);
/* A RELAY_ADD / RELAY_SDP / RELAY_ICE action failed synchronously; kind and sdp_type (for SDP)
 * say which. wire_code is the error code to send (SAMTAL_ERR_BAD_SDP, …). */
void samtal_room_relay_refused (SamtalRoom *room, const char *participant_id,
                                SamtalRoomActionKind kind, const char *sdp_type,
                                const char *wire_code, const char *message, GPtrArray *out);

/* Time passes: ends the meeting at ends_at + grace. */
void samtal_room_tick (SamtalRoom *room, gint64 now, GPtrArray *out);
/* Ends the meeting: everyone gets `ended` (reason) and a CLOSE with close_code; the relay room
 * is destroyed. actor is audited (NULL: "system"). Idempotent. */
void samtal_room_end (SamtalRoom *room, const char *actor, const char *reason, guint16 close_code,
                      GPtrArray *out);

gboolean samtal_room_is_ended (SamtalRoom *room);
guint samtal_room_n_connected (SamtalRoom *room);
guint samtal_room_n_admitted (SamtalRoom *room);
guint samtal_room_n_waiting (SamtalRoom *room);
/* The participant_id on conn, or NULL. */
const char *samtal_room_participant_on (SamtalRoom *room, guint64 conn);

G_END_DECLS
