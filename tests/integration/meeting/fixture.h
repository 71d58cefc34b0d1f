/* fixture.h — what the meeting tests need around the real samtal-server: a data dir with a
 * caseworker and clients, the server started with --ice-address 127.0.0.1, signed-in API
 * sessions, a booking that starts now, join and guest tokens, and samtal-client processes whose
 * JSON statistics lines are read as they come.
 *
 * Everything is on loopback. Paths come from SAMTAL_BUILD_ROOT / SAMTAL_SOURCE_ROOT (set by
 * tests/meson.build). Failures here are test failures (g_assert), never hangs: every wait has a
 * generous deadline.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MEETING_PASSWORD "Sjutton-hundra-bananer-42"

typedef struct {
  char *data_dir;
  char *base_url;          /* "http://127.0.0.1:PORT" (https with tls) */
  gboolean tls;
  GSubprocess *server;
  GCancellable *cancellable;
  gboolean server_exited;
  gint64 staff_id, client_id, other_client_id;
  char *staff_session, *client_session, *other_session;   /* bearer tokens */
} MeetingFixture;

/* Creates the users (caseworker, two clients) and starts the server. web_dir: NULL or a
 * directory to serve instead of web/ (the browser test page). */
MeetingFixture *meeting_fixture_new (const char *web_dir);
/* The same, optionally serving https/wss with a self-signed certificate for 127.0.0.1. */
MeetingFixture *meeting_fixture_new_full (const char *web_dir, gboolean tls);
void meeting_fixture_free (MeetingFixture *f);
/* SIGTERM to the server and wait (up to 20 s): its exit status, -1 if it had to be killed. */
int meeting_fixture_stop (MeetingFixture *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MeetingFixture, meeting_fixture_free)

/* "samtal-server user add" (password MEETING_PASSWORD; staff in unit "Barn och unga"): the id. */
gint64 meeting_add_user (const char *data_dir, const char *email, const char *name, const char *role);
/* POST /api/v1/session: the bearer token. */
char *meeting_sign_in (MeetingFixture *f, const char *email);

/* A JSON API call with a bearer token (NULL: none). Returns the parsed body (or NULL) and sets
 * *status. */
JsonNode *meeting_api (MeetingFixture *f, const char *method, const char *path, const char *bearer,
                       const char *body, guint *status);

/* Staff books client_id for a meeting starting in start_offset_s seconds (may be negative),
 * lasting minutes. Returns the booking id. */
/* One value of GET /metrics (a line "name value"); -1 if it is not there. */
double meeting_metric (MeetingFixture *f, const char *name);
gint64 meeting_book (MeetingFixture *f, gint64 client_id, gint64 start_offset_s, guint minutes);
/* POST /bookings/{id}/join with bearer; returns the token (transfer full). */
char *meeting_join_token (MeetingFixture *f, gint64 booking_id, const char *bearer);
/* POST /bookings/{id}/guests as staff; returns the guest token. */
char *meeting_guest_token (MeetingFixture *f, gint64 booking_id, const char *name);
/* Reads data_dir/meeting.key (SAMTAL_TOKEN_KEY_BYTES). Free with samtal_key_free. */
guint8 *meeting_key (MeetingFixture *f);

/* A running samtal-client and what it printed. */
typedef struct {
  GSubprocess *process;
  GHashTable *frames;      /* participant_id → GINT_TO_POINTER (latest frames_decoded) */
  GString *stderr_text;
  gboolean exited;
  int exit_status;         /* the exit code, or 128+signal */
  char *label;
} MeetingClient;

/* Starts samtal-client join --server base_url --token token --ice-address 127.0.0.1 extra... */
MeetingClient *meeting_client_start (MeetingFixture *f, const char *label, const char *token,
                                     const char *const *extra_args);
void meeting_client_free (MeetingClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MeetingClient, meeting_client_free)

/* Runs the main context until c exited or timeout_s passed; returns whether it exited. */
gboolean meeting_client_wait (MeetingClient *c, guint timeout_s);
/* Latest frames_decoded reported by c for participant_id (0 if none). */
guint64 meeting_client_frames (MeetingClient *c, const char *participant_id);
/* Runs the main context until c reported at least n frames from participant_id, or timeout_s. */
gboolean meeting_client_wait_frames (MeetingClient *c, const char *participant_id, guint64 n,
                                     guint timeout_s);
/* What c wrote on stderr so far (transfer full). */
char *meeting_client_stderr (MeetingClient *c);
/* Sends SIGKILL. */
void meeting_client_kill (MeetingClient *c);

/* Iterates the default main context for about ms milliseconds. */
void meeting_spin (guint ms);

/* "u<id>". */
char *meeting_pid (gint64 user_id);

G_END_DECLS
