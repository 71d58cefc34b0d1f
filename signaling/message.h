/* message.h — the signaling protocol's messages (signaling/PROTOCOL.md): parse, validate, serialise.
 *
 * One JSON object per WebSocket text frame. Parsing is strict: size, UTF-8, no NUL, nesting depth,
 * the message type, every required field with its JSON type and length. Unknown extra fields are
 * ignored (forward compatible). The parser is standalone — no globals, no I/O — so the server's
 * hub, samtal-client, the unit tests and the fuzzers all link the same code. Failures come back as
 * a GError in SAMTAL_MSG_PARSE_ERROR; samtal_msg_error_wire_code() gives the `code` to put into the
 * `error` message sent back.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits (bytes unless noted). */
#define SAMTAL_MSG_MAX_BYTES        98304   /* one whole message (an answer of 64 m-lines fits) */
#define SAMTAL_MSG_MAX_SDP          81920   /* answers mirror the relay's offers: up to 64 m-lines */
#define SAMTAL_MSG_MAX_CANDIDATE    1024
#define SAMTAL_MSG_MAX_TOKEN        2048
#define SAMTAL_MSG_MAX_ID           64      /* participant_id, mid, sdpMid */
#define SAMTAL_MSG_MAX_NAME         800     /* display names: the server takes 200 characters */
#define SAMTAL_MSG_MAX_TEXT         512     /* reason, message */
#define SAMTAL_MSG_MAX_MLINE_INDEX  63      /* sdpMLineIndex 0..63 (an answer has at most 64 m-lines) */
#define SAMTAL_MSG_MAX_DEPTH        8       /* JSON nesting */
#define SAMTAL_MSG_MAX_LIST         64      /* participants[] and tracks[] entries */

/* What a participant accepts from the server where it is more than the server accepts from a
 * participant: the relay's offers grow with every join and leave the participant sees (the relay
 * never reuses an m-line, relay/README.md), so their SDP, their m-line indexes and the message
 * carrying them may outgrow the limits above. samtal-client's WebSocket takes frames up to
 * SAMTAL_MSG_MAX_SERVER_BYTES. Everything else is limited alike in both directions. */
#define SAMTAL_MSG_MAX_SERVER_BYTES        (256 * 1024)
#define SAMTAL_MSG_MAX_SERVER_SDP          (192 * 1024)
#define SAMTAL_MSG_MAX_SERVER_MLINE_INDEX  63

/* WebSocket close codes (besides 1000 normal, 1001 going away, 1009 too big). */
#define SAMTAL_CLOSE_NORMAL         1000    /* after `leave` */
#define SAMTAL_CLOSE_GOING_AWAY     1001    /* server shutting down */
#define SAMTAL_CLOSE_TOO_BIG        1009    /* frame above the transport limit (2 × 64 KiB) */
#define SAMTAL_CLOSE_TRY_LATER      4029    /* too many sockets are joining at once */
#define SAMTAL_CLOSE_NO_JOIN        4001    /* first message not a valid `join`, or none within 5 s */
#define SAMTAL_CLOSE_REFUSED        4003    /* token or meeting refused */
#define SAMTAL_CLOSE_REMOVED        4004    /* removed by staff */
#define SAMTAL_CLOSE_REPLACED       4005    /* the same participant joined on a newer connection */
#define SAMTAL_CLOSE_ENDED          4006    /* the meeting ended */
#define SAMTAL_CLOSE_RATE_LIMITED   4008    /* kept flooding after rate_limited errors */
#define SAMTAL_CLOSE_FULL           4009    /* the meeting has no room for another connection */
#define SAMTAL_CLOSE_IDLE           4010    /* nothing received (not even a pong) for too long */

/* Wire error codes: the `code` field of an `error` message. */
#define SAMTAL_ERR_BAD_JSON         "bad_json"          /* not JSON, not UTF-8, NUL, too deep, binary frame */
#define SAMTAL_ERR_BAD_MESSAGE      "bad_message"       /* no type, missing/mistyped/too long field */
#define SAMTAL_ERR_UNKNOWN_TYPE     "unknown_type"
#define SAMTAL_ERR_TOO_LARGE        "too_large"
#define SAMTAL_ERR_NOT_JOINED       "not_joined"        /* fatal: 4001 */
#define SAMTAL_ERR_ALREADY_JOINED   "already_joined"
#define SAMTAL_ERR_TOKEN_INVALID    "token_invalid"     /* fatal: 4003 */
#define SAMTAL_ERR_TOKEN_EXPIRED    "token_expired"     /* fatal: 4003 (expired or too early) */
#define SAMTAL_ERR_WRONG_MEETING    "wrong_meeting"     /* fatal: 4003 */
#define SAMTAL_ERR_MEETING_CLOSED   "meeting_closed"    /* fatal: 4003 */
#define SAMTAL_ERR_JOIN_TIMEOUT     "join_timeout"      /* fatal: 4001 */
#define SAMTAL_ERR_FORBIDDEN        "forbidden"
#define SAMTAL_ERR_NOT_ADMITTED     "not_admitted"
#define SAMTAL_ERR_BAD_STATE        "bad_state"
#define SAMTAL_ERR_UNKNOWN_PARTICIPANT "unknown_participant"
#define SAMTAL_ERR_ROOM_FULL        "room_full"
#define SAMTAL_ERR_BAD_SDP          "bad_sdp"
#define SAMTAL_ERR_BAD_CANDIDATE    "bad_candidate"
#define SAMTAL_ERR_RATE_LIMITED     "rate_limited"
#define SAMTAL_ERR_IDLE_TIMEOUT     "idle_timeout"
#define SAMTAL_ERR_MEDIA            "media_error"       /* the relay refused or failed */
#define SAMTAL_ERR_BUSY             "busy"              /* fatal: 4029 */
#define SAMTAL_ERR_INTERNAL         "internal"

typedef enum {
  SAMTAL_MSG_INVALID = 0,
  /* client → server */
  SAMTAL_MSG_JOIN,
  SAMTAL_MSG_OFFER,          /* both directions */
  SAMTAL_MSG_ANSWER,         /* both directions */
  SAMTAL_MSG_ICE,            /* both directions */
  SAMTAL_MSG_ADMIT,
  SAMTAL_MSG_REMOVE,
  SAMTAL_MSG_END,
  SAMTAL_MSG_MUTE,
  SAMTAL_MSG_LEAVE,
  SAMTAL_MSG_PING,
  /* server → client */
  SAMTAL_MSG_JOINED,
  SAMTAL_MSG_ADMITTED,
  SAMTAL_MSG_PRESENCE,
  SAMTAL_MSG_REMOVED,
  SAMTAL_MSG_ENDED,
  SAMTAL_MSG_MEDIA_FAILED,
  SAMTAL_MSG_ERROR,
  SAMTAL_MSG_PONG,
} SamtalMsgType;

/* Who sent the text being parsed: decides which types are allowed and which fields required. */
typedef enum {
  SAMTAL_MSG_FROM_CLIENT,    /* the hub parses with this */
  SAMTAL_MSG_FROM_SERVER,    /* samtal-client parses with this */
} SamtalMsgDirection;

typedef enum {
  SAMTAL_MSG_PARSE_ERROR_TOO_LARGE,     /* "too_large" */
  SAMTAL_MSG_PARSE_ERROR_BAD_JSON,      /* "bad_json": not UTF-8, NUL, too deep, unparsable */
  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE,   /* "bad_message": not an object, field missing, wrong, too long */
  SAMTAL_MSG_PARSE_ERROR_UNKNOWN_TYPE,  /* "unknown_type" (also a type not allowed in that direction) */
} SamtalMsgParseError;

#define SAMTAL_MSG_PARSE_ERROR (samtal_msg_parse_error_quark ())
GQuark samtal_msg_parse_error_quark (void);

/* A participant as listed in `joined.participants` and `presence.participant`. */
typedef struct {
  char *participant_id;
  char *name;
  char *role;                 /* client | caseworker | officer | admin | interpreter | guest */
  char *state;                /* "waiting" | "admitted" */
  gboolean audio_muted;
  gboolean video_muted;
} SamtalMsgParticipant;

/* One forwarded track in a server `offer`: m-line `mid` carries participant_id's kind. */
typedef struct {
  char *mid;
  char *participant_id;
  char *kind;                 /* "audio" | "video" */
} SamtalMsgTrack;

/* One message. Only the fields of its type are set (see PROTOCOL.md); the rest are NULL/0.
 * Strings are owned by the message. */
typedef struct {
  SamtalMsgType type;
  char *token;                /* join */
  gint64 meeting_id;          /* join (optional, 0 = absent), joined */
  char *sdp;                  /* offer, answer */
  char *candidate;            /* ice ("" = end of candidates) */
  gint mline_index;           /* ice: sdpMLineIndex */
  char *mid;                  /* ice: sdpMid (optional) */
  char *participant_id;       /* admit, remove, joined (you) */
  char *kind;                 /* mute: "audio" | "video"; presence muted/unmuted */
  gboolean muted;             /* mute */
  char *role;                 /* joined */
  char *state;                /* joined: "waiting" | "admitted" */
  char *event;                /* presence: joined left admitted removed muted unmuted media_failed */
  char *reason;               /* removed, ended, media_failed, presence (optional) */
  char *code;                 /* error */
  char *message;              /* error */
  char *request;              /* error: the type of the message that caused it (optional) */
  gboolean fatal;             /* error: the server closes the socket next */
  SamtalMsgParticipant *participant;  /* presence */
  GPtrArray *participants;    /* joined: SamtalMsgParticipant* (may be NULL for none) */
  GPtrArray *tracks;          /* server offer: SamtalMsgTrack* (may be NULL for none) */
} SamtalMsg;

SamtalMsg *samtal_msg_new (SamtalMsgType type);
void samtal_msg_free (SamtalMsg *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalMsg, samtal_msg_free)
SamtalMsg *samtal_msg_copy (const SamtalMsg *msg);

SamtalMsgParticipant *samtal_msg_participant_new (const char *participant_id, const char *name,
                                                  const char *role, const char *state);
SamtalMsgParticipant *samtal_msg_participant_copy (const SamtalMsgParticipant *p);
void samtal_msg_participant_free (SamtalMsgParticipant *p);
SamtalMsgTrack *samtal_msg_track_new (const char *mid, const char *participant_id, const char *kind);
void samtal_msg_track_free (SamtalMsgTrack *t);

/* Parses and validates one frame's text (len bytes; need not be NUL-terminated). Returns the
 * message (transfer full) or NULL with error in SAMTAL_MSG_PARSE_ERROR. Never aborts on any input.
 * SAMTAL_MSG_FROM_SERVER applies the SAMTAL_MSG_MAX_SERVER_* limits where they differ. */
SamtalMsg *samtal_msg_parse (const char *data, gsize len, SamtalMsgDirection direction,
                             GError **error);

/* Serialises msg to compact JSON (transfer full, NUL-terminated). Only the type's fields are
 * written. Free text (reason, message) and display names longer than their limits are cut on a
 * character boundary, so that what we send parses on the other side. */
char *samtal_msg_serialize (const SamtalMsg *msg);

/* "join", "offer", … ; NULL for SAMTAL_MSG_INVALID. */
const char *samtal_msg_type_to_string (SamtalMsgType type);
SamtalMsgType samtal_msg_type_from_string (const char *name);

/* The wire `code` for a parse error (one of SAMTAL_ERR_*); "bad_message" for foreign errors. */
const char *samtal_msg_error_wire_code (const GError *error);

/* Convenience constructors (transfer full). */
SamtalMsg *samtal_msg_new_error (const char *code, const char *message, const char *request,
                                 gboolean fatal);
/* `join` with token; meeting_id 0 leaves it out. */
SamtalMsg *samtal_msg_new_join (const char *token, gint64 meeting_id);
/* `offer` or `answer` (type SAMTAL_MSG_OFFER or SAMTAL_MSG_ANSWER) carrying sdp. */
SamtalMsg *samtal_msg_new_sdp (SamtalMsgType type, const char *sdp);
/* `ice`: candidate ("" = end of candidates) for m-line mline_index; mid (sdpMid) may be NULL. */
SamtalMsg *samtal_msg_new_ice (const char *candidate, gint mline_index, const char *mid);
/* `admit` or `remove` (type SAMTAL_MSG_ADMIT or SAMTAL_MSG_REMOVE) of participant_id. */
SamtalMsg *samtal_msg_new_for_participant (SamtalMsgType type, const char *participant_id);

G_END_DECLS
