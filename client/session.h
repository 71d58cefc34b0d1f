/* session.h — one samtal-client run: the signaling WebSocket, the roster and the media glued
 * together on the main context.
 *
 * The session connects to the server's /ws, sends join, waits in the waiting room, starts the
 * media once admitted, relays SDP and ICE between the socket and webrtcbin, admits waiting
 * participants with --auto-admit, prints the statistics lines on stdout and decides the exit
 * status. Everything it receives is validated; a malformed message is reported on stderr and
 * otherwise ignored.
 */
#pragma once

#include <glib.h>

#include "options.h"

G_BEGIN_DECLS

typedef enum {
  SAMTAL_CLIENT_EXIT_OK = 0,
  SAMTAL_CLIENT_EXIT_FAILED = 1,     /* timeout, lost connection, media failure */
  SAMTAL_CLIENT_EXIT_USAGE = 2,
  SAMTAL_CLIENT_EXIT_REFUSED = 3,    /* the server refused the token or the join */
  SAMTAL_CLIENT_EXIT_ENDED = 4,      /* removed, or the meeting ended, before --expect-frames */
} SamtalClientExit;

typedef struct _SamtalClientSession SamtalClientSession;

/* options is borrowed and must outlive the session. loop is quit when the session is over. */
SamtalClientSession *samtal_client_session_new (const SamtalClientOptions *options,
                                                GMainLoop *loop);
void samtal_client_session_free (SamtalClientSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalClientSession, samtal_client_session_free)

/* Starts connecting (and the --timeout clock). */
void samtal_client_session_start (SamtalClientSession *session);
/* Leaves the meeting politely (SIGINT): sends leave, closes the socket, quits the loop. */
void samtal_client_session_stop (SamtalClientSession *session, const char *reason);
/* The exit status decided so far (SamtalClientExit). */
int samtal_client_session_exit_code (SamtalClientSession *session);

G_END_DECLS
