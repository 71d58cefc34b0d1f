/* roster.c — the client's model of the other participants, their tracks and counters
 * (see roster.h). Everything here comes from the network: signaling/message.c has checked every
 * field's type, length and allowed values before it gets here, and the tables are bounded.
 */
#include "roster.h"

#include <json-glib/json-glib.h>

typedef struct {
  char *participant_id;
  char *kind;
} Track;

typedef struct {
  guint64 frames;
  guint64 bytes;
} LastSeen;

struct _SamtalRoster {
  char *self;
  GPtrArray *remotes;        /* SamtalRemote*, join order */
  GHashTable *tracks;        /* mid → Track* */
  GHashTable *last_seen;     /* GUINT_TO_POINTER (serial) → LastSeen* */
  guint64 best_departed;     /* most video frames any participant who left had given us */
};

static void
remote_free (SamtalRemote *remote)
{
  g_free (remote->participant_id);
  g_free (remote->name);
  g_free (remote->role);
  g_free (remote);
}

static void
track_free (Track *track)
{
  g_free (track->participant_id);
  g_free (track->kind);
  g_free (track);
}

SamtalRoster *
samtal_roster_new (void)
{
  SamtalRoster *roster = g_new0 (SamtalRoster, 1);
  roster->remotes = g_ptr_array_new_with_free_func ((GDestroyNotify) remote_free);
  roster->tracks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) track_free);
  roster->last_seen = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return roster;
}

void
samtal_roster_free (SamtalRoster *roster)
{
  if (roster == NULL)
    return;
  g_free (roster->self);
  g_ptr_array_unref (roster->remotes);
  g_hash_table_unref (roster->tracks);
  g_hash_table_unref (roster->last_seen);
  g_free (roster);
}

void
samtal_roster_set_self (SamtalRoster *roster, const char *participant_id)
{
  g_free (roster->self);
  roster->self = g_strdup (participant_id);
}

const char *
samtal_roster_get_self (SamtalRoster *roster)
{
  return roster->self;
}

static guint
find_index (SamtalRoster *roster, const char *participant_id, gboolean *found)
{
  for (guint i = 0; i < roster->remotes->len; i++) {
    SamtalRemote *r = g_ptr_array_index (roster->remotes, i);
    if (g_strcmp0 (r->participant_id, participant_id) == 0) {
      *found = TRUE;
      return i;
    }
  }
  *found = FALSE;
  return 0;
}

SamtalRemote *
samtal_roster_find (SamtalRoster *roster, const char *participant_id)
{
  gboolean found;
  guint i = find_index (roster, participant_id, &found);
  return found ? g_ptr_array_index (roster->remotes, i) : NULL;
}

static void
replace_string (char **field, const char *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

gboolean
samtal_roster_update_participant (SamtalRoster *roster, const SamtalMsgParticipant *participant)
{
  if (participant == NULL || participant->participant_id == NULL)
    return FALSE;
  const char *id = participant->participant_id;
  if (g_strcmp0 (id, roster->self) == 0)
    return TRUE;
  SamtalRemote *remote = samtal_roster_find (roster, id);
  if (remote == NULL) {
    if (roster->remotes->len >= SAMTAL_ROSTER_MAX_PARTICIPANTS)
      return FALSE;
    remote = g_new0 (SamtalRemote, 1);
    remote->participant_id = g_strdup (id);
    remote->last_report_us = -1;
    g_ptr_array_add (roster->remotes, remote);
  }
  replace_string (&remote->name, participant->name);
  replace_string (&remote->role, participant->role);
  if (participant->state != NULL)
    remote->admitted = g_strcmp0 (participant->state, "admitted") == 0;
  return TRUE;
}

static void
drop (SamtalRoster *roster, const char *participant_id)
{
  gboolean found;
  guint i = find_index (roster, participant_id, &found);
  if (!found)
    return;
  SamtalRemote *r = g_ptr_array_index (roster->remotes, i);
  if (r->admitted)
    roster->best_departed = MAX (roster->best_departed, r->video_frames);
  g_ptr_array_remove_index (roster->remotes, i);
}

gboolean
samtal_roster_apply_presence (SamtalRoster *roster, const char *event,
                              const SamtalMsgParticipant *participant)
{
  if (event == NULL || participant == NULL || participant->participant_id == NULL)
    return FALSE;
  const char *id = participant->participant_id;
  if (g_strcmp0 (event, "left") == 0 || g_strcmp0 (event, "removed") == 0) {
    drop (roster, id);
    return TRUE;
  }
  if (!samtal_roster_update_participant (roster, participant))
    return FALSE;
  SamtalRemote *remote = samtal_roster_find (roster, id);
  if (remote != NULL && g_strcmp0 (event, "admitted") == 0)
    remote->admitted = TRUE;
  return TRUE;
}

gint
samtal_roster_set_tracks (SamtalRoster *roster, const GPtrArray *tracks)
{
  if (tracks == NULL)
    return -1;
  g_hash_table_remove_all (roster->tracks);
  for (guint i = 0; i < tracks->len && g_hash_table_size (roster->tracks) < SAMTAL_ROSTER_MAX_TRACKS;
       i++) {
    const SamtalMsgTrack *t = g_ptr_array_index ((GPtrArray *) tracks, i);
    if (t == NULL || t->mid == NULL || t->participant_id == NULL || t->kind == NULL)
      continue;
    Track *track = g_new0 (Track, 1);
    track->participant_id = g_strdup (t->participant_id);
    track->kind = g_strdup (t->kind);
    g_hash_table_replace (roster->tracks, g_strdup (t->mid), track);
  }
  return (gint) g_hash_table_size (roster->tracks);
}

const char *
samtal_roster_lookup_mid (SamtalRoster *roster, const char *mid, const char **kind)
{
  Track *track = mid != NULL ? g_hash_table_lookup (roster->tracks, mid) : NULL;
  if (kind != NULL)
    *kind = track != NULL ? track->kind : NULL;
  return track != NULL ? track->participant_id : NULL;
}

static void
account_one (SamtalRoster *roster, const SamtalStreamSample *s)
{
  LastSeen *last = g_hash_table_lookup (roster->last_seen, GUINT_TO_POINTER (s->serial));
  if (last == NULL) {
    last = g_new0 (LastSeen, 1);
    g_hash_table_insert (roster->last_seen, GUINT_TO_POINTER (s->serial), last);
  }
  guint64 frames = s->frames >= last->frames ? s->frames - last->frames : 0;
  guint64 bytes = s->bytes >= last->bytes ? s->bytes - last->bytes : 0;
  last->frames = s->frames;
  last->bytes = s->bytes;
  const char *kind = NULL;
  const char *pid = samtal_roster_lookup_mid (roster, s->mid, &kind);
  SamtalRemote *remote = pid != NULL ? samtal_roster_find (roster, pid) : NULL;
  if (remote == NULL)
    return;
  if (g_strcmp0 (s->kind, "video") == 0)
    remote->video_frames += frames;
  else
    remote->audio_frames += frames;
  remote->bytes += bytes;
  if (s->packets_lost > 0)
    remote->packets_lost += s->packets_lost;
}

void
samtal_roster_account (SamtalRoster *roster, const SamtalStreamSample *samples, guint n)
{
  for (guint i = 0; i < roster->remotes->len; i++)
    ((SamtalRemote *) g_ptr_array_index (roster->remotes, i))->packets_lost = 0;
  for (guint i = 0; i < n; i++)
    account_one (roster, &samples[i]);
}

GPtrArray *
samtal_roster_remotes (SamtalRoster *roster)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < roster->remotes->len; i++) {
    SamtalRemote *r = g_ptr_array_index (roster->remotes, i);
    if (r->admitted)
      g_ptr_array_add (out, r);
  }
  return out;
}

gboolean
samtal_roster_reached (SamtalRoster *roster, guint64 n)
{
  g_autoptr (GPtrArray) remotes = samtal_roster_remotes (roster);
  if (remotes->len == 0)
    return roster->best_departed >= n && n > 0;
  for (guint i = 0; i < remotes->len; i++)
    if (((SamtalRemote *) g_ptr_array_index (remotes, i))->video_frames < n)
      return FALSE;
  return TRUE;
}

static gdouble
take_bitrate_kbps (SamtalRemote *remote, gint64 now_us)
{
  gdouble kbps = 0;
  if (remote->last_report_us >= 0 && now_us > remote->last_report_us)
    kbps = (gdouble) (remote->bytes - remote->bytes_at_last_report) * 8.0 * 1000.0 /
           (gdouble) (now_us - remote->last_report_us);
  remote->bytes_at_last_report = remote->bytes;
  remote->last_report_us = now_us;
  return kbps;
}

char *
samtal_roster_stats_line (SamtalRoster *roster, SamtalRemote *remote, gint64 now_us,
                          gdouble rtt_ms, gdouble elapsed_s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "stats");
  json_builder_set_member_name (b, "participant_id");
  json_builder_add_string_value (b, remote->participant_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, remote->name != NULL ? remote->name : "");
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, remote->role != NULL ? remote->role : "");
  json_builder_set_member_name (b, "frames_decoded");
  json_builder_add_int_value (b, (gint64) remote->video_frames);
  json_builder_set_member_name (b, "audio_frames");
  json_builder_add_int_value (b, (gint64) remote->audio_frames);
  json_builder_set_member_name (b, "bitrate_kbps");
  json_builder_add_int_value (b, (gint64) (take_bitrate_kbps (remote, now_us) + 0.5));
  json_builder_set_member_name (b, "packets_lost");
  json_builder_add_int_value (b, remote->packets_lost);
  json_builder_set_member_name (b, "rtt_ms");
  if (rtt_ms >= 0)
    json_builder_add_int_value (b, (gint64) (rtt_ms + 0.5));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "elapsed_ms");
  json_builder_add_int_value (b, (gint64) (elapsed_s * 1000));
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
