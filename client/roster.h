/* roster.h — what samtal-client knows about the other participants of its meeting.
 *
 * The roster is a pure model, fed from the signaling messages (joined, presence, the relay's
 * offers with their `tracks` map) as signaling/message.h parsed and validated them, and from the
 * media counters, with no sockets and no GStreamer, so it is unit-tested on its own. It answers: who else is admitted, which received stream (by
 * mid) belongs to whom, how many video frames each remote participant's video has given us, and
 * whether --expect-frames is reached. It also formats the per-participant JSON statistics lines.
 *
 * Media counters are cumulative per received stream (a stream is one decoding branch, named by
 * a serial number that never repeats). The roster attributes each increase to the participant
 * that the track map currently gives for the stream's mid, so a mid that the relay reuses for a
 * later participant does not carry the earlier one's frames over.
 */
#pragma once

#include <glib.h>

#include "message.h"

G_BEGIN_DECLS

#define SAMTAL_ROSTER_MAX_PARTICIPANTS 64
#define SAMTAL_ROSTER_MAX_TRACKS 256

typedef struct _SamtalRoster SamtalRoster;

/* One remote participant as the roster sees it. */
typedef struct {
  char *participant_id;
  char *name;
  char *role;
  gboolean admitted;
  guint64 video_frames;      /* decoded video frames, attributed */
  guint64 audio_frames;      /* decoded audio buffers, attributed */
  guint64 bytes;             /* RTP bytes received, attributed */
  gint64 packets_lost;       /* from the latest media statistics, summed over its streams */
  guint64 bytes_at_last_report;
  gint64 last_report_us;
} SamtalRemote;

/* A cumulative sample of one received stream, taken from the media side. */
typedef struct {
  guint serial;              /* unique per decoding branch */
  const char *mid;           /* may be NULL when webrtcbin did not tell */
  const char *kind;          /* "audio" | "video" */
  guint64 frames;            /* decoded frames (video) or buffers (audio) so far */
  guint64 bytes;             /* RTP bytes so far */
  gint64 packets_lost;       /* latest known, -1 unknown */
} SamtalStreamSample;

SamtalRoster *samtal_roster_new (void);
void samtal_roster_free (SamtalRoster *roster);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalRoster, samtal_roster_free)

/* Our own participant id (from "joined"); we never count ourselves as remote. */
void samtal_roster_set_self (SamtalRoster *roster, const char *participant_id);
const char *samtal_roster_get_self (SamtalRoster *roster);

/* Applies a participant from "joined" or a presence event. Returns FALSE (and changes nothing)
 * when participant is NULL or the roster is full (SAMTAL_ROSTER_MAX_PARTICIPANTS). */
gboolean samtal_roster_update_participant (SamtalRoster *roster,
                                           const SamtalMsgParticipant *participant);
/* Applies a presence event (event, participant). event "left" or "removed" drops the participant.
 * Returns FALSE when event or participant is NULL or the roster is full. */
gboolean samtal_roster_apply_presence (SamtalRoster *roster, const char *event,
                                       const SamtalMsgParticipant *participant);
/* Replaces the track map with the `tracks` of a relay offer (SamtalMsgTrack*; a later entry for
 * the same mid wins; at most SAMTAL_ROSTER_MAX_TRACKS are kept). Returns the number of mids
 * mapped, or -1 (and keeps the old map) when tracks is NULL: the offer carried none. */
gint samtal_roster_set_tracks (SamtalRoster *roster, const GPtrArray *tracks);
/* The participant id a mid belongs to (and its kind), or NULL. */
const char *samtal_roster_lookup_mid (SamtalRoster *roster, const char *mid, const char **kind);

/* Attributes the increase since the previous sample of each stream. */
void samtal_roster_account (SamtalRoster *roster, const SamtalStreamSample *samples, guint n);

/* Admitted remote participants, in join order (transfer container: free the array only). */
GPtrArray *samtal_roster_remotes (SamtalRoster *roster);
SamtalRemote *samtal_roster_find (SamtalRoster *roster, const char *participant_id);

/* TRUE when every admitted other participant gave at least n decoded video frames, and at least
 * one did: a participant who left after giving n frames counts as done (two clients that both
 * wait for n frames must not strand the slower one when the faster one leaves); one who left
 * before is no longer expected. */
gboolean samtal_roster_reached (SamtalRoster *roster, guint64 n);

/* One statistics line (no newline) for remote: {"type":"stats","participant_id","name","role",
 * "frames_decoded","audio_frames","bitrate_kbps","packets_lost","rtt_ms","elapsed_ms"}, all
 * numbers integers (rtt_ms null when unknown).
 * Bitrate is computed over the time since the previous line for this participant; now_us is a
 * monotonic time. rtt_ms < 0 means unknown (written as null). */
char *samtal_roster_stats_line (SamtalRoster *roster, SamtalRemote *remote, gint64 now_us,
                                gdouble rtt_ms, gdouble elapsed_s);

G_END_DECLS
