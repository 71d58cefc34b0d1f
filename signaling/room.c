/* room.c — the meeting room state machine (see room.h and PROTOCOL.md).
 *
 * Every entry point only reads the room's state, updates it, and appends actions to `out`;
 * nothing here performs I/O. Participants are kept in join order so that presence lists and
 * broadcasts are deterministic (the tests rely on it).
 */
#include "room.h"
#include "sdpcheck.h"

#include <string.h>

typedef enum {
  MEDIA_NONE,            /* not in the relay (waiting, or media failed / refused) */
  MEDIA_AWAITING_OFFER,  /* in the relay; the participant's first offer is due */
  MEDIA_OFFERED,         /* first offer handed to the relay; its answer is due */
  MEDIA_ACTIVE,          /* negotiated; only the relay offers from now on */
} MediaState;

typedef struct {
  guint64 conn;
  char *id;
  char *name;
  char *role;
  gboolean staff;
  gboolean admitted;
  gboolean audio_muted;
  gboolean video_muted;
  gboolean in_relay;
  MediaState media;
  gboolean relay_offer_pending;  /* the relay offered; the participant's answer is due */
} Participant;

struct _SamtalRoom {
  char *id;
  gint64 meeting_id;
  gint64 ends_at;
  SamtalRoomLimits limits;
  gboolean ended;
  GPtrArray *participants;       /* Participant*, join order */
};

/* ---- actions ---- */

static void
action_free (SamtalRoomAction *a)
{
  samtal_msg_free (a->msg);
  g_free (a->participant_id);
  g_free (a->text);
  g_free (a->sdp);
  g_free (a->detail);
  g_free (a);
}

GPtrArray *
samtal_room_actions_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) action_free);
}

static SamtalRoomAction *
push (GPtrArray *out, SamtalRoomActionKind kind)
{
  SamtalRoomAction *a = g_new0 (SamtalRoomAction, 1);
  a->kind = kind;
  g_ptr_array_add (out, a);
  return a;
}

static void
send_msg (GPtrArray *out, guint64 conn, SamtalMsg *msg)
{
  SamtalRoomAction *a = push (out, SAMTAL_ROOM_SEND);
  a->conn = conn;
  a->msg = msg;
}

static void
send_error (GPtrArray *out, guint64 conn, const char *code, const char *message,
            const SamtalMsg *request, gboolean fatal)
{
  const char *req = request ? samtal_msg_type_to_string (request->type) : NULL;
  send_msg (out, conn, samtal_msg_new_error (code, message, req, fatal));
}

static void
close_conn (GPtrArray *out, guint64 conn, guint16 code, const char *reason)
{
  SamtalRoomAction *a = push (out, SAMTAL_ROOM_CLOSE);
  a->conn = conn;
  a->close_code = code;
  a->text = g_strdup (reason);
}

static void
relay_action (GPtrArray *out, SamtalRoomActionKind kind, const char *pid)
{
  push (out, kind)->participant_id = g_strdup (pid);
}

static void
audit (GPtrArray *out, const char *actor, const char *action, const char *detail)
{
  SamtalRoomAction *a = push (out, SAMTAL_ROOM_AUDIT);
  a->participant_id = g_strdup (actor);
  a->text = g_strdup (action);
  a->detail = g_strdup (detail);
}

/* ---- participants ---- */

static void
participant_free (Participant *p)
{
  g_free (p->id);
  g_free (p->name);
  g_free (p->role);
  g_free (p);
}

static Participant *
find_by_id (SamtalRoom *room, const char *pid)
{
  for (guint i = 0; pid != NULL && i < room->participants->len; i++) {
    Participant *p = g_ptr_array_index (room->participants, i);
    if (strcmp (p->id, pid) == 0)
      return p;
  }
  return NULL;
}

static Participant *
find_by_conn (SamtalRoom *room, guint64 conn)
{
  for (guint i = 0; i < room->participants->len; i++) {
    Participant *p = g_ptr_array_index (room->participants, i);
    if (p->conn == conn)
      return p;
  }
  return NULL;
}

static SamtalMsgParticipant *
describe (const Participant *p)
{
  SamtalMsgParticipant *d =
    samtal_msg_participant_new (p->id, p->name, p->role, p->admitted ? "admitted" : "waiting");
  d->audio_muted = p->audio_muted;
  d->video_muted = p->video_muted;
  return d;
}

/* Presence `event` about `about` to everyone connected except `about` itself. */
static void
broadcast_presence (SamtalRoom *room, GPtrArray *out, const Participant *about, const char *event,
                    const char *kind, const char *reason)
{
  for (guint i = 0; i < room->participants->len; i++) {
    Participant *p = g_ptr_array_index (room->participants, i);
    if (p == about)
      continue;
    SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_PRESENCE);
    m->event = g_strdup (event);
    m->kind = g_strdup (kind);
    m->reason = g_strdup (reason);
    m->participant = describe (about);
    send_msg (out, p->conn, m);
  }
}

static guint count_admitted (SamtalRoom *room);
static void admit_participant (SamtalRoom *room, GPtrArray *out, Participant *t, const char *by);

/* Staff who found the meeting full wait; the first of them gets the freed place. */
static void
promote_waiting_staff (SamtalRoom *room, GPtrArray *out)
{
  for (guint i = 0; i < room->participants->len; i++) {
    if (count_admitted (room) >= room->limits.max_admitted)
      return;
    Participant *p = g_ptr_array_index (room->participants, i);
    if (p->staff && !p->admitted)
      admit_participant (room, out, p, p->id);
  }
}

/* Takes p out of the room (the caller has already told p and closed its conn if needed). */
static void
drop (SamtalRoom *room, GPtrArray *out, Participant *p, const char *event, const char *reason)
{
  g_ptr_array_remove (room->participants, p); /* the array does not own p */
  if (p->in_relay)
    relay_action (out, SAMTAL_ROOM_RELAY_REMOVE, p->id);
  broadcast_presence (room, out, p, event, NULL, reason);
  gboolean was_admitted = p->admitted;
  participant_free (p);
  if (was_admitted)
    promote_waiting_staff (room, out);
}

static guint
count_admitted (SamtalRoom *room)
{
  guint n = 0;
  for (guint i = 0; i < room->participants->len; i++)
    n += ((Participant *) g_ptr_array_index (room->participants, i))->admitted ? 1 : 0;
  return n;
}

/* ---- lifecycle ---- */

static void
free_participants (SamtalRoom *room)
{
  for (guint i = 0; i < room->participants->len; i++)
    participant_free (g_ptr_array_index (room->participants, i));
}

SamtalRoom *
samtal_room_new (gint64 meeting_id, gint64 ends_at, const SamtalRoomLimits *limits)
{
  SamtalRoom *room = g_new0 (SamtalRoom, 1);
  room->meeting_id = meeting_id;
  room->id = g_strdup_printf ("%" G_GINT64_FORMAT, meeting_id);
  room->ends_at = ends_at;
  room->limits.max_admitted = limits && limits->max_admitted ? limits->max_admitted : 6;
  room->limits.max_connections = limits && limits->max_connections ? limits->max_connections : 16;
  room->limits.grace_after_end_s =
    limits && limits->grace_after_end_s ? limits->grace_after_end_s : 1800;
  room->participants = g_ptr_array_new ();
  return room;
}

void
samtal_room_free (SamtalRoom *room)
{
  if (room == NULL)
    return;
  free_participants (room);
  g_ptr_array_unref (room->participants);
  g_free (room->id);
  g_free (room);
}

const char *
samtal_room_get_id (SamtalRoom *room)
{
  return room->id;
}

gint64
samtal_room_get_meeting_id (SamtalRoom *room)
{
  return room->meeting_id;
}

void
samtal_room_set_ends_at (SamtalRoom *room, gint64 ends_at)
{
  room->ends_at = ends_at;
}

gboolean
samtal_room_is_ended (SamtalRoom *room)
{
  return room->ended;
}

guint
samtal_room_n_connected (SamtalRoom *room)
{
  return room->participants->len;
}

guint
samtal_room_n_admitted (SamtalRoom *room)
{
  return count_admitted (room);
}

guint
samtal_room_n_waiting (SamtalRoom *room)
{
  return room->participants->len - count_admitted (room);
}

const char *
samtal_room_participant_on (SamtalRoom *room, guint64 conn)
{
  Participant *p = find_by_conn (room, conn);
  return p ? p->id : NULL;
}

/* ---- joining ---- */

static void
admit_into_relay (GPtrArray *out, Participant *p)
{
  p->in_relay = TRUE;
  p->media = MEDIA_AWAITING_OFFER;
  p->relay_offer_pending = FALSE;
  relay_action (out, SAMTAL_ROOM_RELAY_ADD, p->id);
}

static void
send_joined (SamtalRoom *room, GPtrArray *out, const Participant *p)
{
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_JOINED);
  m->meeting_id = room->meeting_id;
  m->participant_id = g_strdup (p->id);
  m->role = g_strdup (p->role);
  m->state = g_strdup (p->admitted ? "admitted" : "waiting");
  m->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_participant_free);
  for (guint i = 0; i < room->participants->len; i++) {
    Participant *o = g_ptr_array_index (room->participants, i);
    if (o != p)
      g_ptr_array_add (m->participants, describe (o));
  }
  send_msg (out, p->conn, m);
}

/* The same participant on a new connection: the old one is closed, the new one inherits the
 * admission; its media starts over. */
static void
replace_connection (SamtalRoom *room, GPtrArray *out, Participant *p, guint64 conn)
{
  close_conn (out, p->conn, SAMTAL_CLOSE_REPLACED, "replaced by a newer connection");
  p->conn = conn;
  if (p->in_relay)
    relay_action (out, SAMTAL_ROOM_RELAY_REMOVE, p->id);
  p->in_relay = FALSE;
  p->media = MEDIA_NONE;
  send_joined (room, out, p);
  audit (out, p->id, "meeting.join", "rejoined");
  if (p->admitted)
    admit_into_relay (out, p);
}

/* Staff hold the meeting: admitted at once, may admit, remove and end (token.h agrees). */
static gboolean
role_is_staff (const char *role)
{
  return g_strcmp0 (role, "caseworker") == 0 || g_strcmp0 (role, "officer") == 0 ||
         g_strcmp0 (role, "admin") == 0;
}

static Participant *
participant_new (guint64 conn, const SamtalRoomWho *who)
{
  Participant *p = g_new0 (Participant, 1);
  p->conn = conn;
  p->id = g_strdup (who->participant_id);
  p->name = g_strdup (who->name ? who->name : "");
  p->role = g_strdup (who->role);
  p->staff = role_is_staff (who->role);
  return p;
}

gboolean
samtal_room_join (SamtalRoom *room, guint64 conn, const SamtalRoomWho *who, gint64 now,
                  GPtrArray *out)
{
  if (room->ended || now >= room->ends_at + room->limits.grace_after_end_s) {
    send_error (out, conn, SAMTAL_ERR_MEETING_CLOSED, "the meeting has ended", NULL, TRUE);
    close_conn (out, conn, SAMTAL_CLOSE_REFUSED, "meeting closed");
    return FALSE;
  }
  if (find_by_conn (room, conn) != NULL) { /* the caller joins each connection once */
    send_error (out, conn, SAMTAL_ERR_ALREADY_JOINED, "already joined", NULL, FALSE);
    return FALSE;
  }
  Participant *existing = find_by_id (room, who->participant_id);
  if (existing != NULL) {
    replace_connection (room, out, existing, conn);
    return TRUE;
  }
  if (room->participants->len >= room->limits.max_connections) {
    send_error (out, conn, SAMTAL_ERR_ROOM_FULL, "the meeting is full", NULL, TRUE);
    close_conn (out, conn, SAMTAL_CLOSE_FULL, "meeting full");
    return FALSE;
  }
  Participant *p = participant_new (conn, who);
  gboolean full = count_admitted (room) >= room->limits.max_admitted;
  p->admitted = p->staff && !full;
  g_ptr_array_add (room->participants, p);
  send_joined (room, out, p);
  if (p->staff && full)
    send_error (out, conn, SAMTAL_ERR_ROOM_FULL,
                "the meeting already has the most participants; you wait until someone leaves",
                NULL, FALSE);
  broadcast_presence (room, out, p, "joined", NULL, NULL);
  audit (out, p->id, "meeting.join", p->role);
  if (p->admitted)
    admit_into_relay (out, p);
  return TRUE;
}

/* ---- messages ---- */

static gboolean
require_admitted (GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (p->admitted)
    return TRUE;
  send_error (out, p->conn, SAMTAL_ERR_NOT_ADMITTED, "wait until staff admits you", msg, FALSE);
  return FALSE;
}

static gboolean
require_staff (GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (p->staff)
    return TRUE;
  send_error (out, p->conn, SAMTAL_ERR_FORBIDDEN, "only staff may do this", msg, FALSE);
  return FALSE;
}

static gboolean
sdp_ok (GPtrArray *out, Participant *p, const SamtalMsg *msg, SamtalSdpType type)
{
  g_autoptr (GError) error = NULL;
  if (samtal_sdp_check (msg->sdp, strlen (msg->sdp), type, &error))
    return TRUE;
  send_error (out, p->conn, SAMTAL_ERR_BAD_SDP, error->message, msg, FALSE);
  return FALSE;
}

static void
relay_sdp (GPtrArray *out, Participant *p, const char *type, const char *sdp)
{
  SamtalRoomAction *a = push (out, SAMTAL_ROOM_RELAY_SDP);
  a->participant_id = g_strdup (p->id);
  a->text = g_strdup (type);
  a->sdp = g_strdup (sdp);
}

static void
on_offer (GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (!require_admitted (out, p, msg))
    return;
  if (p->media != MEDIA_NONE && p->media != MEDIA_AWAITING_OFFER) {
    send_error (out, p->conn, SAMTAL_ERR_BAD_STATE,
                "after your first offer only the server offers; answer its offers", msg, FALSE);
    return;
  }
  if (!sdp_ok (out, p, msg, SAMTAL_SDP_OFFER))
    return;
  if (!p->in_relay)
    admit_into_relay (out, p);
  p->media = MEDIA_OFFERED;
  relay_sdp (out, p, "offer", msg->sdp);
}

static void
on_answer (GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (!require_admitted (out, p, msg))
    return;
  if (!p->relay_offer_pending) {
    send_error (out, p->conn, SAMTAL_ERR_BAD_STATE, "no offer from the server is outstanding",
                msg, FALSE);
    return;
  }
  if (!sdp_ok (out, p, msg, SAMTAL_SDP_ANSWER))
    return;
  p->relay_offer_pending = FALSE;
  relay_sdp (out, p, "answer", msg->sdp);
}

static void
on_ice (GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (!require_admitted (out, p, msg))
    return;
  if (!p->in_relay || p->media == MEDIA_AWAITING_OFFER || p->media == MEDIA_NONE) {
    send_error (out, p->conn, SAMTAL_ERR_BAD_STATE, "send your offer before ICE candidates", msg,
                FALSE);
    return;
  }
  SamtalRoomAction *a = push (out, SAMTAL_ROOM_RELAY_ICE);
  a->participant_id = g_strdup (p->id);
  a->mline_index = (guint) msg->mline_index;
  a->sdp = g_strdup (msg->candidate);
}

static Participant *
find_target (SamtalRoom *room, GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  Participant *t = find_by_id (room, msg->participant_id);
  if (t == NULL)
    send_error (out, p->conn, SAMTAL_ERR_UNKNOWN_PARTICIPANT,
                "no such participant in this meeting", msg, FALSE);
  return t;
}

/* t is admitted (by staff member `by`): told, announced, audited, and added to the relay. */
static void
admit_participant (SamtalRoom *room, GPtrArray *out, Participant *t, const char *by)
{
  t->admitted = TRUE;
  send_msg (out, t->conn, samtal_msg_new (SAMTAL_MSG_ADMITTED));
  broadcast_presence (room, out, t, "admitted", NULL, NULL);
  audit (out, by, "meeting.admit", t->id);
  admit_into_relay (out, t);
}

static void
on_admit (SamtalRoom *room, GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (!require_staff (out, p, msg) || !require_admitted (out, p, msg))
    return;
  Participant *t = find_target (room, out, p, msg);
  if (t == NULL)
    return;
  if (t->admitted) {
    send_error (out, p->conn, SAMTAL_ERR_BAD_STATE, "already admitted", msg, FALSE);
    return;
  }
  if (count_admitted (room) >= room->limits.max_admitted) {
    send_error (out, p->conn, SAMTAL_ERR_ROOM_FULL,
                "the meeting already has the most participants allowed", msg, FALSE);
    return;
  }
  admit_participant (room, out, t, p->id);
}

static void
on_remove (SamtalRoom *room, GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  if (!require_staff (out, p, msg) || !require_admitted (out, p, msg))
    return;
  Participant *t = find_target (room, out, p, msg);
  if (t == NULL)
    return;
  if (t == p) {
    send_error (out, p->conn, SAMTAL_ERR_BAD_STATE, "use leave to leave", msg, FALSE);
    return;
  }
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_REMOVED);
  m->reason = g_strdup ("removed by staff");
  send_msg (out, t->conn, m);
  close_conn (out, t->conn, SAMTAL_CLOSE_REMOVED, "removed by staff");
  audit (out, p->id, "meeting.remove", t->id);
  drop (room, out, t, "removed", NULL);
}

static void
on_mute (SamtalRoom *room, GPtrArray *out, Participant *p, const SamtalMsg *msg)
{
  gboolean *flag = g_strcmp0 (msg->kind, "audio") == 0 ? &p->audio_muted : &p->video_muted;
  if (*flag == msg->muted)
    return;
  *flag = msg->muted;
  broadcast_presence (room, out, p, msg->muted ? "muted" : "unmuted", msg->kind, NULL);
}

static void
on_leave (SamtalRoom *room, GPtrArray *out, Participant *p)
{
  close_conn (out, p->conn, SAMTAL_CLOSE_NORMAL, "left");
  audit (out, p->id, "meeting.leave", NULL);
  drop (room, out, p, "left", NULL);
}

void
samtal_room_handle (SamtalRoom *room, guint64 conn, const SamtalMsg *msg, gint64 now,
                    GPtrArray *out)
{
  Participant *p = find_by_conn (room, conn);
  if (p == NULL || msg == NULL)
    return; /* closed by us a moment ago; late frames are dropped */
  switch (msg->type) {
  case SAMTAL_MSG_JOIN:
    send_error (out, conn, SAMTAL_ERR_ALREADY_JOINED, "already joined", msg, FALSE);
    break;
  case SAMTAL_MSG_PING:
    send_msg (out, conn, samtal_msg_new (SAMTAL_MSG_PONG));
    break;
  case SAMTAL_MSG_OFFER:
    on_offer (out, p, msg);
    break;
  case SAMTAL_MSG_ANSWER:
    on_answer (out, p, msg);
    break;
  case SAMTAL_MSG_ICE:
    on_ice (out, p, msg);
    break;
  case SAMTAL_MSG_ADMIT:
    on_admit (room, out, p, msg);
    break;
  case SAMTAL_MSG_REMOVE:
    on_remove (room, out, p, msg);
    break;
  case SAMTAL_MSG_END:
    if (require_staff (out, p, msg) && require_admitted (out, p, msg))
      samtal_room_end (room, p->id, msg->reason ? msg->reason : "ended by staff",
                       SAMTAL_CLOSE_ENDED, out);
    break;
  case SAMTAL_MSG_MUTE:
    on_mute (room, out, p, msg);
    break;
  case SAMTAL_MSG_LEAVE:
    on_leave (room, out, p);
    break;
  default:
    send_error (out, conn, SAMTAL_ERR_UNKNOWN_TYPE, "not a message a participant may send", msg,
                FALSE);
    break;
  }
  samtal_room_tick (room, now, out);
}

void
samtal_room_disconnect (SamtalRoom *room, guint64 conn, GPtrArray *out)
{
  Participant *p = find_by_conn (room, conn);
  if (p == NULL)
    return;
  audit (out, p->id, "meeting.leave", "connection lost");
  drop (room, out, p, "left", "connection lost");
}

/* ---- relay events ---- */

static Participant *
relay_target (SamtalRoom *room, const char *pid)
{
  Participant *p = find_by_id (room, pid);
  return p != NULL && p->in_relay ? p : NULL;
}

void
samtal_room_relay_description (SamtalRoom *room, const char *participant_id, const char *type,
                               const char *sdp, GPtrArray *tracks, GPtrArray *out)
{
  Participant *p = relay_target (room, participant_id);
  if (p == NULL || sdp == NULL)
    return;
  gboolean offer = g_strcmp0 (type, "offer") == 0;
  SamtalMsg *m = samtal_msg_new (offer ? SAMTAL_MSG_OFFER : SAMTAL_MSG_ANSWER);
  m->sdp = g_strdup (sdp);
  if (offer) {
    p->relay_offer_pending = TRUE;
    m->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_track_free);
    for (guint i = 0; tracks != NULL && i < tracks->len; i++) {
      const SamtalMsgTrack *t = g_ptr_array_index (tracks, i);
      g_ptr_array_add (m->tracks, samtal_msg_track_new (t->mid, t->participant_id, t->kind));
    }
  } else if (p->media == MEDIA_OFFERED) {
    p->media = MEDIA_ACTIVE;
  }
  send_msg (out, p->conn, m);
}

void
samtal_room_relay_candidate (SamtalRoom *room, const char *participant_id, guint mline_index,
                             const char *candidate, GPtrArray *out)
{
  Participant *p = relay_target (room, participant_id);
  if (p == NULL)
    return;
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_ICE);
  m->candidate = g_strdup (candidate ? candidate : "");
  m->mline_index = (gint) mline_index;
  send_msg (out, p->conn, m);
}

static void
media_gone (Participant *p)
{
  p->in_relay = FALSE;
  p->media = MEDIA_NONE;
  p->relay_offer_pending = FALSE;
}

void
samtal_room_relay_failed (SamtalRoom *room, const char *participant_id, const char *reason,
                          GPtrArray *out)
{
  Participant *p = relay_target (room, participant_id);
  if (p == NULL)
    return;
  media_gone (p);
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_MEDIA_FAILED);
  m->reason = g_strdup (reason ? reason : "media connection failed");
  send_msg (out, p->conn, m);
  broadcast_presence (room, out, p, "media_failed", NULL, reason);
}

void
samtal_room_relay_refused (SamtalRoom *room, const char *participant_id,
                           SamtalRoomActionKind kind, const char *sdp_type,
                           const char *wire_code, const char *message, GPtrArray *out)
{
  Participant *p = find_by_id (room, participant_id);
  if (p == NULL)
    return;
  const char *request = NULL;
  if (kind == SAMTAL_ROOM_RELAY_ADD) {
    media_gone (p);
  } else if (kind == SAMTAL_ROOM_RELAY_SDP && g_strcmp0 (sdp_type, "offer") == 0) {
    /* Start the media over: a fresh relay participant at the next offer. */
    if (p->in_relay)
      relay_action (out, SAMTAL_ROOM_RELAY_REMOVE, p->id);
    media_gone (p);
    request = "offer";
  } else if (kind == SAMTAL_ROOM_RELAY_SDP) {
    p->relay_offer_pending = TRUE; /* the relay still waits for a usable answer */
    request = "answer";
  } else if (kind == SAMTAL_ROOM_RELAY_ICE) {
    request = "ice";
  }
  send_msg (out, p->conn, samtal_msg_new_error (wire_code ? wire_code : SAMTAL_ERR_MEDIA,
                                                message ? message : "the media relay refused",
                                                request, FALSE));
}

/* ---- the end ---- */

void
samtal_room_tick (SamtalRoom *room, gint64 now, GPtrArray *out)
{
  if (!room->ended && now >= room->ends_at + (gint64) room->limits.grace_after_end_s)
    samtal_room_end (room, NULL, "meeting time is over", SAMTAL_CLOSE_ENDED, out);
}

void
samtal_room_end (SamtalRoom *room, const char *actor, const char *reason, guint16 close_code,
                 GPtrArray *out)
{
  if (room->ended)
    return;
  room->ended = TRUE;
  for (guint i = 0; i < room->participants->len; i++) {
    Participant *p = g_ptr_array_index (room->participants, i);
    SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_ENDED);
    m->reason = g_strdup (reason);
    send_msg (out, p->conn, m);
    close_conn (out, p->conn, close_code, "meeting ended"); /* reason text is in `ended` */
  }
  audit (out, actor ? actor : "system", "meeting.end", reason);
  push (out, SAMTAL_ROOM_RELAY_DESTROY);
  free_participants (room);
  g_ptr_array_set_size (room->participants, 0);
}
